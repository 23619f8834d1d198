// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the main window on the demo for a few seconds, as `make run` shows it to a first-time user, and
// saves PNGs of the whole window, the tiles, the charts and the event log into the build tree
// (tests/ui/screenshots/) for a person to look at. It asserts what those pictures must show: every tile
// in a non-OK state, charts holding points, an event log with transitions.
#include "DarkPalette.h"
#include "DemoSession.h"
#include "itemmodels/EventLogModel.h"
#include "ui/DetailPane.h"
#include "ui/MainWindow.h"
#include "ui/SignalTile.h"
#include "ui/charts/ErrorRateChartView.h"
#include "ui/charts/LatencyChartView.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

using namespace sd;

class TestScreenshots : public QObject {
    Q_OBJECT
private:
    QDir m_out { QStringLiteral(SCREENSHOT_DIR) };

    void save(QWidget* widget, const QString& name)
    {
        const QString path = m_out.absoluteFilePath(name);
        QVERIFY2(widget->grab().save(path), qPrintable(path));
        qInfo("saved %s", qPrintable(path));
    }

private slots:
    void demoDashboard()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QVERIFY(m_out.mkpath(u"."_qs));
        DemoSession demo;
        QVERIFY(demo.start());
        MainWindow& window = demo.session->window();
        window.resize(1500, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        for (FailureSignal s : { FailureSignal::S1, FailureSignal::S2, FailureSignal::S3, FailureSignal::S4 })
            QTRY_VERIFY2_WITH_TIMEOUT(
                window.tile(s)->state() == SignalState::Warning || window.tile(s)->state() == SignalState::Critical,
                qPrintable(signalCode(s) + u" tile still "_qs + window.tile(s)->stateText()), 30'000);

        // A flaky endpoint probed every 5 s makes the most telling charts: latencies and errors.
        const QString shown = [&window] {
            for (const EndpointConfig& e : window.config().endpoints)
                if (e.tags.contains(u"flaky"_qs))
                    return e.name;
            return window.config().endpoints.first().name;
        }();
        window.setRange(TimeRange::presets().first());
        window.selectEndpoint(shown);
        // Probes asked for (Probe now) rather than waited for every 5 s; the chart follows with its 2 s refresh.
        QVERIFY(demo.probeUntil(
            shown, [&window] { return window.detailPane()->latencyChart()->bandPoints().size() >= 12; }, 60'000));
        QTRY_VERIFY_WITH_TIMEOUT(window.eventModel()->rowCount() >= 4, 10'000);
        // Let one more chart refresh land so the pictures are current.
        const int updates = window.detailPane()->chartUpdates();
        window.detailPane()->refresh(); // asked for now, not waited for from the 2 s refresh timer
        QTRY_VERIFY_WITH_TIMEOUT(window.detailPane()->chartUpdates() > updates, 10'000);

        save(&window, u"window.png"_qs);
        save(window.tileBar(), u"tiles.png"_qs);
        save(window.detailPane(), u"charts.png"_qs);
        save(window.findChild<QDockWidget*>(u"eventLogDock"_qs), u"eventlog.png"_qs);
        QVERIFY(!window.detailPane()->errorChart()->grab().isNull());

        // Dark mode: the same window under a dark system palette (Fusion's colours inverted).
        const QPalette dark = test::darkPalette();
        QApplication::setPalette(dark);
        const int before = window.detailPane()->chartUpdates();
        window.detailPane()->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(window.detailPane()->chartUpdates() > before, 10'000);
        save(&window, u"window-dark.png"_qs);

        window.close();
    }
};

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
