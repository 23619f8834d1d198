// SPDX-License-Identifier: GPL-3.0-or-later
// The operator view at the smallest supported size (1024×700), offscreen, on the built-in demo: no header,
// tile or state cell is cut (asserted on the font metrics, as the text would be drawn), tiles keep their
// height whatever their reason, the status strip and the summary line show what the table holds, charts
// with nothing selected say so instead of "00:00:00", and `--demo --port P` takes no random port. The table
// shows at least 5 rows with the detail pane, 10 with it folded; the banner and warnings follow the palette
// (readable in dark mode); screenshots at both sizes, light and dark.
#include "DarkPalette.h"
#include "DemoSession.h"
#include "itemmodels/EndpointFilterProxy.h"
#include "itemmodels/EndpointTableModel.h"
#include "simulator/Simulator.h"
#include "ui/DetailPane.h"
#include "ui/EndpointEditorDialog.h"
#include "ui/IncidentActions.h"
#include "ui/MainWindow.h"
#include "ui/SignalTile.h"
#include "ui/charts/ErrorRateChartView.h"
#include "ui/charts/LatencyChartView.h"
#include "ui/charts/StateCellDelegate.h"
#include "ui/charts/StatusStripDelegate.h"
#include "ui/charts/StatusSummaryLine.h"

#include <QApplication>
#include <QDateTimeAxis>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QTcpServer>
#include <QTest>
#include <QTextDocument>

#include <cmath>

using namespace sd;
using namespace Qt::StringLiterals;

namespace {

/// A free port whose successor is free too (the demo takes P and P + 1).
quint16 freePortPair()
{
    for (int attempt = 0; attempt < 50; ++attempt) {
        QTcpServer first;
        if (!first.listen(QHostAddress::LocalHost, 0))
            continue;
        const quint16 port = first.serverPort();
        if (port >= 65535)
            continue;
        QTcpServer second;
        if (second.listen(QHostAddress::LocalHost, static_cast<quint16>(port + 1)))
            return port;
    }
    return 0;
}

/// WCAG 2 contrast ratio of two colours (1 … 21).
double contrast(const QColor& a, const QColor& b)
{
    const auto luminance = [](const QColor& c) {
        const auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

} // namespace

class TestOperatorView : public QObject {
    Q_OBJECT
private:
    DemoSession m_demo;
    MainWindow* window() { return &m_demo.session->window(); }
    QString flakyName()
    {
        for (const EndpointConfig& e : window()->config().endpoints)
            if (e.tags.contains(u"flaky"_s))
                return e.name;
        return {};
    }
    QTableView* table() { return window()->table(); }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLocale::setDefault(QLocale::c());
        QSettings().clear();
        QVERIFY(m_demo.start());
        window()->resize(1024, 700);
        window()->show();
        QVERIFY(QTest::qWaitForWindowExposed(window()));
        for (FailureSignal s : kAllSignals)
            QTRY_VERIFY_WITH_TIMEOUT(window()->tile(s)->state() != SignalState::Unknown, 20'000);
        // The range figures (the 1 h default) are in the table: their headers once grew "(1 h)" and were cut.
        QTRY_VERIFY_WITH_TIMEOUT(window()->endpointModel()->showsRangeFigures(), 20'000);
    }

    // The first look shows charts: the worst endpoint that has data, never a paused one with "no probes".
    void startSelectsTheWorstEndpointWithData()
    {
        QTRY_VERIFY_WITH_TIMEOUT(table()->selectionModel()->hasSelection(), 10'000);
        const int row = window()->filterProxy()->mapToSource(table()->selectionModel()->selectedRows().first()).row();
        EndpointTableModel* model = window()->endpointModel();
        QVERIFY2(model->lastResult(row).has_value(), qPrintable(model->endpoint(row).name));
        QVERIFY2(
            !model->index(row, 0).data(EndpointTableModel::PausedRole).toBool(), qPrintable(model->endpoint(row).name));
        // Nothing with data is worse.
        for (int other = 0; other < model->rowCount(); ++other) {
            if (model->lastResult(other) && !model->index(other, 0).data(EndpointTableModel::PausedRole).toBool())
                QVERIFY2(model->status(other).overall <= model->status(row).overall
                        || model->status(row).overall == SignalState::Critical,
                    qPrintable(model->endpoint(other).name));
        }
    }

    void headersAreNotCut()
    {
        QHeaderView* header = table()->horizontalHeader();
        const QFontMetrics metrics(header->font());
        const int margin = header->style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, header);
        const int arrow = header->style()->pixelMetric(QStyle::PM_HeaderMarkSize, nullptr, header);
        for (int column = 0; column < header->count(); ++column) {
            if (header->isSectionHidden(column))
                continue;
            const QString text = table()->model()->headerData(column, Qt::Horizontal).toString();
            int needed = metrics.horizontalAdvance(text) + 2 * margin;
            if (header->sortIndicatorSection() == column)
                needed += arrow + margin;
            QVERIFY2(needed <= header->sectionSize(column),
                qPrintable(u"\"%1\" needs %2 px, has %3"_s.arg(text).arg(needed).arg(header->sectionSize(column))));
            // Short titles; the tooltip says the rest.
            QVERIFY2(!table()->model()->headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty(),
                qPrintable(text));
        }
    }

    void stateCellsShowWholeWords()
    {
        // "Criti…" and "Unk…" are gone: a word that does not fit becomes a short one, or the icon alone.
        const QList<int> columns { EndpointTableModel::State, EndpointTableModel::SignalS1,
            EndpointTableModel::SignalS2, EndpointTableModel::SignalS3, EndpointTableModel::SignalS4,
            EndpointTableModel::Circuit };
        int checked = 0;
        for (int column : columns) {
            auto* delegate = qobject_cast<StateCellDelegate*>(table()->itemDelegateForColumn(column));
            QVERIFY(delegate);
            for (int row = 0; row < table()->model()->rowCount(); ++row) {
                const QModelIndex index = table()->model()->index(row, column);
                QStyleOptionViewItem option;
                option.initFrom(table()->viewport());
                option.rect = table()->visualRect(index);
                option.font = table()->font();
                option.widget = table();
                const QString full = index.data().toString();
                const QString shown = delegate->shownText(option, index);
                QVERIFY2(shown == full || shown == StateCellDelegate::shortWord(full) || shown.isEmpty(),
                    qPrintable(u"%1 shown as %2"_s.arg(full, shown)));
                QVERIFY2(!shown.contains(QChar(0x2026)), qPrintable(shown));
                ++checked;
            }
        }
        QVERIFY(checked > 0);
        // The S1..S4 columns are narrow: "Critical" becomes "Crit", never "Criti…".
        QCOMPARE(StateCellDelegate::shortWord(u"Critical"_s), u"Crit"_s);
        QCOMPARE(StateCellDelegate::shortWord(u"Unknown"_s), u"\u2014"_s);
    }

    void tileTextsFitAndTilesKeepTheirHeight()
    {
        int height = -1;
        for (FailureSignal s : kAllSignals) {
            SignalTile* tile = window()->tile(s);
            if (height < 0)
                height = tile->height();
            QCOMPARE(tile->height(), height);
            QCOMPARE(tile->height(), tile->fixedTileHeight());
            for (const char* name : { "tileTitle", "tileState", "tileCounts" }) {
                auto* label = tile->findChild<QLabel*>(QString::fromLatin1(name));
                QVERIFY(label);
                QFont font = label->font();
                font.setBold(true); // the title's code is bold: measure all of it bold, to be safe
                QTextDocument doc;
                doc.setHtml(label->text());
                const QString plain = doc.toPlainText();
                const int needed = QFontMetrics(font).horizontalAdvance(plain);
                QVERIFY2(needed <= label->contentsRect().width(),
                    qPrintable(u"%1 %2: \"%3\" needs %4 px, has %5"_s.arg(signalCode(s), QString::fromLatin1(name),
                        plain, QString::number(needed), QString::number(label->contentsRect().width()))));
            }
            auto* action = tile->findChild<QLabel*>(u"tileAction"_s);
            QVERIFY(action);
            if (!action->text().isEmpty()) {
                const QRect wrapped = action->fontMetrics().boundingRect(
                    QRect(0, 0, action->contentsRect().width(), 10'000), Qt::TextWordWrap, action->text());
                QVERIFY2(wrapped.height() <= action->contentsRect().height(),
                    qPrintable(u"%1 action \"%2\" needs %3 px high, has %4"_s.arg(signalCode(s), action->text(),
                        QString::number(wrapped.height()), QString::number(action->contentsRect().height()))));
            }
        }
        // A long reason: the tile keeps its height, the filter box and the table stay where they were.
        SignalTile* tile = window()->tile(FailureSignal::S1);
        const QPoint filterAt = window()->filterEdit()->mapTo(window(), QPoint(0, 0));
        const QPoint tableAt = table()->mapTo(window(), QPoint(0, 0));
        const QString reason = u"connection refused by 10.0.0.1:443 after 3 attempts; "_s.repeated(12);
        tile->setSummary(SignalState::Critical, 0, 7, reason, u"payments-eu-west"_s);
        // Checked before the event loop runs: a batch arriving meanwhile puts the tile's real reason back.
        auto* reasonLabel = tile->findChild<QLabel*>(u"tileReason"_s);
        QVERIFY(reasonLabel->text().endsWith(QChar(0x2026))); // elided, with the whole text in the tooltip
        QVERIFY(reasonLabel->toolTip().endsWith(reason));
        QCOMPARE(tile->actionText(), shortSignalAction(FailureSignal::S1));
        QCoreApplication::processEvents();
        QCOMPARE(tile->height(), height);
        QCOMPARE(window()->filterEdit()->mapTo(window(), QPoint(0, 0)), filterAt);
        QCOMPARE(table()->mapTo(window(), QPoint(0, 0)), tableAt);
    }

    void summaryLineCountsTheStates()
    {
        auto* line = window()->findChild<StatusSummaryLine*>();
        QVERIFY(line);
        QVERIFY(line->isVisible());
        line->recount();
        const EndpointTableModel::StateCounts c = window()->endpointModel()->stateCounts();
        QVERIFY(c.critical > 0);
        const QString expected = u"%1 up \u00b7 %2 warning \u00b7 %3 critical \u00b7 %4 paused"_s.arg(c.up)
                                     .arg(c.warning)
                                     .arg(c.critical)
                                     .arg(c.paused);
        QVERIFY2(line->summaryText().startsWith(expected), qPrintable(line->summaryText() + u" / "_s + expected));
        // Not cut either.
        QVERIFY(line->fontMetrics().horizontalAdvance(line->summaryText()) <= line->width() + 8);
    }

    void statusStripShowsTheRecentProbes()
    {
        auto* delegate = qobject_cast<StatusStripDelegate*>(table()->itemDelegateForColumn(EndpointTableModel::Recent));
        QVERIFY(delegate);
        QVERIFY(!table()->horizontalHeader()->isSectionHidden(EndpointTableModel::Recent));
        // It sits right after State, where an operator's eye already is.
        QCOMPARE(table()->horizontalHeader()->visualIndex(EndpointTableModel::Recent),
            table()->horizontalHeader()->visualIndex(EndpointTableModel::State) + 1);
        bool sawFailure = false;
        // The flaky endpoint (500 three times in ten) probed again as soon as each probe is back, rather than
        // every 5 s, until a row shows both kinds of cell.
        QVERIFY(m_demo.probeUntil(
            flakyName(),
            [&] {
                for (int row = 0; row < table()->model()->rowCount(); ++row) {
                    const QModelIndex index = table()->model()->index(row, EndpointTableModel::Recent);
                    const auto codes = index.data(EndpointTableModel::StatusStripRole).value<QList<int>>();
                    const QList<QRect> cells = delegate->cellRects(table()->visualRect(index), codes);
                    if (codes.isEmpty() || cells.isEmpty())
                        continue;
                    const qsizetype first = codes.size() - cells.size();
                    int okHeight = 0;
                    int failHeight = 0;
                    for (qsizetype i = 0; i < cells.size(); ++i)
                        (codes.at(first + i) == 0 ? okHeight : failHeight) = cells.at(i).height();
                    if (okHeight > 0 && failHeight > okHeight)
                        sawFailure = true; // failures are taller than OK cells: they read without colour
                }
                return sawFailure;
            },
            30'000));
    }

    void nothingSelectedChartsSayWhy()
    {
        table()->clearSelection();
        QCoreApplication::processEvents();
        LatencyChartView* latency = window()->detailPane()->latencyChart();
        QVERIFY(latency->isEmptyStateShown());
        QVERIFY2(latency->emptyStateText().contains(u"Select an endpoint"_s), qPrintable(latency->emptyStateText()));
        QVERIFY(!latency->timeAxis()->labelsVisible()); // not "00:00:00 00:00:00 00:00:00"
        QVERIFY(!window()->detailPane()->errorChart()->timeAxis()->labelsVisible());
    }

    void timeoutReadsAsATimeout()
    {
        ProbeResult r;
        r.endpoint = u"api"_s;
        r.startUtc = QDateTime::currentDateTimeUtc();
        r.latencyUs = 5'000'000;
        r.outcome = Outcome::Timeout;
        r.signal = FailureSignal::S1;
        r.reason = u"timeout after 5000 ms"_s;
        window()->detailPane()->setLastProbe(r, std::nullopt);
        const QString text = window()->detailPane()->lastProbeText();
        QVERIFY2(text.startsWith(u"none \u00b7 timeout after 5000 ms"_s), qPrintable(text));
    }

    void demoPortTakesNoRandomPort()
    {
        const quint16 port = freePortPair();
        QVERIFY(port != 0);
        DemoEnvironment demo;
        QString error;
        QVERIFY2(demo.start(port, &error), qPrintable(error));
        QCOMPARE(demo.simulator()->port(), port);
        QCOMPARE(demo.simulator()->rawPort(), quint16(port + 1)); // was a random port
        const ConfigParseResult config = demo.config();
        QVERIFY(config.ok());
        for (const EndpointConfig& e : config.config->endpoints)
            QVERIFY2(e.url.port() == port || e.url.port() == port + 1, qPrintable(e.url.toString()));

        DemoEnvironment top;
        QVERIFY(!top.start(65535, &error));
        QVERIFY2(error.contains(u"65535"_s), qPrintable(error));
    }

    void editorShowsAndEditsChecksCodesAndTimeoutBounds()
    {
        EndpointConfig e;
        e.name = u"checked"_s;
        e.url = QUrl(u"http://127.0.0.1:9/health"_s);
        e.timeoutMin = std::chrono::milliseconds(2000);
        e.timeoutMax = std::chrono::milliseconds(8000);
        BodyCheck check;
        check.contains = u"pong"_s;
        e.checks = { check };
        e.errorCodes.pointer = u"/error/code"_s;
        e.errorCodes.rules = { { 500100, 500199, FailureSignal::S4 } };
        EndpointEditorDialog dialog(window()->config(), -1, e, window());
        dialog.show();
        // Kept but invisible before: now in the form.
        QCOMPARE(dialog.timeoutMinEdit()->text(), u"2s"_s);
        QCOMPARE(dialog.timeoutMaxEdit()->text(), u"8s"_s);
        QVERIFY2(
            dialog.checksEdit()->toPlainText().contains(u"pong"_s), qPrintable(dialog.checksEdit()->toPlainText()));
        QVERIFY(dialog.errorCodesEdit()->toPlainText().contains(u"/error/code"_s));
        QVERIFY(dialog.errorCodesEdit()->toPlainText().contains(u"500199"_s));
        QVERIFY(dialog.checksEdit()->isVisible());

        // Edited, and saved as edited.
        dialog.checksEdit()->setPlainText(u"[ { \"contains\": \"healthy\" } ]"_s);
        dialog.errorCodesEdit()->setPlainText(
            u"{ \"pointer\": \"/code\", \"map\": [ { \"code\": 7, \"signal\": \"S2\" } ] }"_s);
        dialog.timeoutMaxEdit()->setText(u"9s"_s);
        QVERIFY2(dialog.validate(), qPrintable(dialog.errorText()));
        dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save)->click();
        QVERIFY(dialog.result());
        const EndpointConfig saved = dialog.result()->endpoints.constLast();
        QCOMPARE(saved.checks.size(), 1);
        QCOMPARE(saved.checks.first().contains, u"healthy"_s);
        QCOMPARE(saved.errorCodes.pointer, u"/code"_s);
        QCOMPARE(saved.errorCodes.rules.first().signal, FailureSignal::S2);
        QCOMPARE(saved.timeoutMax, std::chrono::milliseconds(9000));
        QCOMPARE(saved.timeoutMin, std::chrono::milliseconds(2000));

        // Bad input: the parser's message, naming the key.
        EndpointEditorDialog bad(window()->config(), -1, e, window());
        bad.show();
        bad.checksEdit()->setPlainText(u"[ { \"contains\": "_s);
        QVERIFY(!bad.validate());
        QVERIFY2(bad.errorText().contains(u"checks"_s), qPrintable(u"[" + bad.errorText() + u"]"));
        bad.checksEdit()->setPlainText(QString());
        bad.timeoutMinEdit()->setText(u"20s"_s);
        QVERIFY(!bad.validate());
        QVERIFY2(bad.errorText().contains(u"timeoutMin"_s), qPrintable(bad.errorText()));
    }

    void severalSelectedOverlayOnTheLatencyChart()
    {
        const QList<EndpointConfig>& endpoints = window()->config().endpoints;
        QString first;
        QString second;
        for (const EndpointConfig& e : endpoints) {
            if (e.tags.contains(u"flaky"_s))
                first = e.name;
            else if (e.name == u"chat-completions"_s)
                second = e.name;
        }
        QVERIFY(!first.isEmpty() && !second.isEmpty());
        window()->selectEndpoint(first);
        QAbstractItemModel* model = table()->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row, 0).data(EndpointTableModel::EndpointNameRole).toString() == second)
                table()->selectionModel()->select(
                    model->index(row, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
        // The charts show the first selected in table order, the latency chart overlays the other one's p95.
        LatencyChartView* latency = window()->detailPane()->latencyChart();
        QTRY_VERIFY_WITH_TIMEOUT(latency->overlayNames().size() == 1, 10'000);
        const QString shown = window()->detailPane()->currentEndpoint();
        const QString overlaid = latency->overlayNames().constFirst();
        QVERIFY2((shown == first && overlaid == second) || (shown == second && overlaid == first),
            qPrintable(shown + u" / "_s + overlaid));
        QTRY_VERIFY_WITH_TIMEOUT(!latency->overlayPoints(overlaid).isEmpty(), 30'000);
        // Back to one endpoint: no overlay left.
        window()->selectEndpoint(first);
        QTRY_VERIFY_WITH_TIMEOUT(latency->overlayNames().isEmpty(), 10'000);
    }

    // The table is what an operator scans: at 1024×700, with the detail pane folded (View > Show details,
    // Ctrl+I), it shows at least 10 rows.
    void tableShowsTenRowsWithTheDetailsFolded()
    {
        QAction* details = window()->action(u"toggleDetails"_s);
        QVERIFY(details);
        QVERIFY(details->isChecked());
        QVERIFY(window()->endpointModel()->rowCount() >= 10);
        const auto visibleRows = [this] { return table()->viewport()->height() / std::max(1, table()->rowHeight(0)); };
        const int before = visibleRows();
        // Where the height goes (for the report when a row count fails).
        const auto layoutText = [this] {
            auto* splitter = window()->findChild<QSplitter*>(u"mainSplitter"_s);
            auto* dock = window()->findChild<QDockWidget*>(u"eventLogDock"_s);
            return u"window %1, central %2, tiles %3, splitter %4/%5, pane min %6, dock %7, row %8"_s
                .arg(window()->height())
                .arg(window()->centralWidget()->height())
                .arg(window()->tileBar()->height())
                .arg(splitter->sizes().value(0))
                .arg(splitter->sizes().value(1))
                .arg(window()->detailPane()->minimumSizeHint().height())
                .arg(dock ? dock->height() : -1)
                .arg(table()->rowHeight(0));
        };
        qInfo("%s", qPrintable(layoutText()));
        details->trigger();
        QTRY_VERIFY(window()->detailPane()->isHidden());
        QTRY_VERIFY2(visibleRows() >= 10,
            qPrintable(u"%1 rows visible with the details folded (%2 before)"_s.arg(visibleRows()).arg(before)));
        qInfo("%d rows visible with the detail pane, %d with it folded", before, visibleRows());
        // With the pane shown the table still shows a screenful to scan (it showed about 2 rows).
        QVERIFY2(before >= 5, qPrintable(u"%1 rows visible with the detail pane: %2"_s.arg(before).arg(layoutText())));
        details->trigger(); // the screenshots below show the pane
        QTRY_VERIFY(window()->detailPane()->isVisible());
    }

    // The banner (no keychain, history faults) and the keychain warning in the status bar take their colours
    // from the palette: in dark mode the banner is a dark box with light text (it was light yellow), and
    // both read at 4.5:1 or better in either mode.
    void bannerAndWarningsFollowThePalette()
    {
        window()->setBanner(u"test"_s, u"Keychain: not available — endpoints that need a credential are paused"_s);
        window()->setKeychainStatus(u"Keychain: unavailable"_s, false);
        auto* banner = window()->findChild<QLabel*>(u"banner"_s);
        auto* keychain = window()->findChild<QLabel*>(u"keychainLabel"_s);
        QVERIFY(banner && keychain && banner->isVisible());
        const QPalette light = QApplication::palette();
        for (const bool isDark : { false, true }) {
            QApplication::setPalette(isDark ? test::darkPalette() : light);
            QCoreApplication::processEvents();
            const QImage image = banner->grab().toImage();
            const QColor background = image.pixelColor(3, image.height() / 2); // inside the border
            double best = 1.0; // the text's strongest pixel against the background
            for (int y = 3; y < image.height() - 3; ++y) // inside the border: the text's pixels only
                for (int x = 4; x < image.width() - 4; ++x)
                    best = std::max(best, contrast(image.pixelColor(x, y), background));
            const QString what = u"%1 mode: banner %2, text contrast %3"_s.arg(isDark ? u"dark"_s : u"light"_s)
                                     .arg(background.name())
                                     .arg(best, 0, 'f', 1);
            QVERIFY2(best >= 4.5, qPrintable(what));
            if (isDark)
                QVERIFY2(background.lightness() < 100, qPrintable(what));
            const QColor warningColor = keychain->palette().color(QPalette::WindowText);
            QVERIFY2(warningColor.red() > warningColor.green() + 60, qPrintable(warningColor.name())); // still red
            const double warning = contrast(warningColor, QApplication::palette().color(QPalette::Window));
            QVERIFY2(warning >= 4.5,
                qPrintable(u"%1 mode: keychain warning %2 on %3 (%4:1)"_s.arg(isDark ? u"dark"_s : u"light"_s)
                               .arg(warningColor.name())
                               .arg(QApplication::palette().color(QPalette::Window).name())
                               .arg(warning, 0, 'f', 1)));
            if (isDark) {
                const QDir out(QStringLiteral(SCREENSHOT_DIR));
                QVERIFY(out.mkpath(u"."_s));
                QVERIFY(window()->grab().save(out.filePath(u"s6-view-banner-dark.png"_s)));
                if (const QString extra = qEnvironmentVariable("SIGNALDECK_SHOTS_DIR"); !extra.isEmpty())
                    QVERIFY(QDir(extra).mkpath(u"."_s)
                        && window()->grab().save(QDir(extra).filePath(u"s6-view-banner-dark.png"_s)));
            }
        }
        QApplication::setPalette(light);
        window()->setBanner(u"test"_s, {});
        window()->setKeychainStatus(u"Keychain: not needed"_s, true);
    }

    void screenshots()
    {
        // For a person to look at (tests/ui/screenshots/ in the build tree): the flaky endpoint's charts at
        // 1024×700, light and dark.
        QString flaky;
        for (const EndpointConfig& e : window()->config().endpoints)
            if (e.tags.contains(u"flaky"_s))
                flaky = e.name;
        QVERIFY(!flaky.isEmpty());
        window()->selectEndpoint(flaky);
        // Probes asked for (Probe now) rather than waited for; the chart follows with its 2 s refresh.
        QVERIFY(m_demo.probeUntil(
            flaky, [this] { return window()->detailPane()->latencyChart()->bandPoints().size() >= 3; }, 60'000));
        // A fresh chart, asked for now rather than waited for from the 2 s refresh timer.
        const int updates = window()->detailPane()->chartUpdates();
        window()->detailPane()->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(window()->detailPane()->chartUpdates() > updates, 10'000);
        // A session minutes old: the axis starts near the first probe, not an hour back.
        QVERIFY(window()->detailPane()->latencyChart()->shownFromMs()
            > window()->detailPane()->latencyChart()->timeAxis()->min().toMSecsSinceEpoch() - 1);
        const QDir out(QStringLiteral(SCREENSHOT_DIR));
        QVERIFY(out.mkpath(u"."_s));
        QVERIFY(window()->grab().save(out.filePath(u"operator-1024x700.png"_s)));
        const QPalette dark = test::darkPalette();
        const QPalette light = QApplication::palette();
        QApplication::setPalette(dark);
        const int before = window()->detailPane()->chartUpdates();
        window()->detailPane()->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(window()->detailPane()->chartUpdates() > before, 10'000);
        QVERIFY(window()->grab().save(out.filePath(u"operator-1024x700-dark.png"_s)));
        QApplication::setPalette(light);

        // The session's set (issue 14): both sizes, light and dark, with an acknowledged endpoint in the
        // table; also copied to $SIGNALDECK_SHOTS_DIR when set (for the lead's review).
        for (int row = 0; row < window()->endpointModel()->rowCount(); ++row) {
            if (window()->endpointModel()->status(row).overall == SignalState::Critical
                && window()->endpointModel()->rowMark(row) == EndpointTableModel::RowMark::None) {
                window()->selectEndpoint(window()->endpointModel()->endpoint(row).name);
                window()->action(u"acknowledge"_s)->trigger();
                break;
            }
        }
        window()->selectEndpoint(flaky);
        const QString extra = qEnvironmentVariable("SIGNALDECK_SHOTS_DIR");
        for (const QSize size : { QSize(1024, 700), QSize(1600, 1000) }) {
            window()->resize(size);
            for (const bool isDark : { false, true }) {
                QApplication::setPalette(isDark ? dark : light);
                const int updates = window()->detailPane()->chartUpdates();
                window()->detailPane()->refresh();
                QTRY_VERIFY_WITH_TIMEOUT(window()->detailPane()->chartUpdates() > updates, 10'000);
                const QString name = u"s6-view-%1x%2-%3.png"_s.arg(size.width())
                                         .arg(size.height())
                                         .arg(isDark ? u"dark"_s : u"light"_s);
                const QImage shot = window()->grab().toImage();
                QVERIFY(shot.save(out.filePath(name)));
                if (!extra.isEmpty())
                    QVERIFY(QDir(extra).mkpath(u"."_s) && shot.save(QDir(extra).filePath(name)));
            }
        }
        QApplication::setPalette(light);
        window()->resize(1024, 700);
    }

    void cleanupTestCase() { window()->close(); }
};

QTEST_MAIN(TestOperatorView)
#include "tst_operatorview.moc"
