// SPDX-License-Identifier: GPL-3.0-or-later
// The dashboard as an operator uses it, offscreen, on the built-in demo: tiles filter the table, the editor
// refuses what the config would refuse, deleting asks first, the detail charts fill from the history.
#include "DemoSession.h"
#include "itemmodels/EndpointFilterProxy.h"
#include "itemmodels/EndpointTableModel.h"
#include "itemmodels/EventLogModel.h"
#include "ui/DetailPane.h"
#include "ui/EndpointEditorDialog.h"
#include "ui/MainWindow.h"
#include "ui/SignalTile.h"
#include "ui/charts/LatencyChartView.h"
#include "ui/export/ExportDialog.h"

#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

using namespace sd;

class TestDashboard : public QObject {
    Q_OBJECT
private:
    DemoSession m_demo;
    MainWindow* window() { return &m_demo.session->window(); }

    int rowsRaising(FailureSignal signal)
    {
        int n = 0;
        EndpointTableModel* model = window()->endpointModel();
        for (int row = 0; row < model->rowCount(); ++row) {
            const SignalState s = model->status(row).states[static_cast<std::size_t>(signalIndex(signal))];
            n += s == SignalState::Warning || s == SignalState::Critical ? 1 : 0;
        }
        return n;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLocale::setDefault(QLocale::c());
        QSettings().clear();
        QVERIFY(m_demo.start());
        window()->show();
        QVERIFY(QTest::qWaitForWindowExposed(window()));
        // The demo raises every signal on its first probes.
        for (FailureSignal s : { FailureSignal::S1, FailureSignal::S2, FailureSignal::S3, FailureSignal::S4 })
            QTRY_VERIFY_WITH_TIMEOUT(window()->tile(s)->state() != SignalState::Unknown, 20'000);
    }

    void tileClickFiltersTableAndClickAgainClears()
    {
        QTRY_COMPARE_WITH_TIMEOUT(window()->tile(FailureSignal::S2)->state(), SignalState::Critical, 20'000);
        const int all = window()->filterProxy()->rowCount();
        const int raising = rowsRaising(FailureSignal::S2);
        QVERIFY(raising > 0 && raising < all);
        SignalTile* tile = window()->tile(FailureSignal::S2);
        QTest::mouseClick(tile, Qt::LeftButton, {}, tile->rect().center());
        QVERIFY(tile->isChecked());
        QCOMPARE(window()->filterProxy()->rowCount(), raising);
        for (int row = 0; row < window()->filterProxy()->rowCount(); ++row) {
            const QModelIndex index = window()->filterProxy()->index(row, EndpointTableModel::SignalS2);
            const auto state = static_cast<SignalState>(index.data(EndpointTableModel::CellStateRole).toInt());
            QVERIFY(state == SignalState::Warning || state == SignalState::Critical);
        }
        QVERIFY2(window()->tile(FailureSignal::S2)->countsText().contains(u"critical"_qs),
            qPrintable(window()->tile(FailureSignal::S2)->countsText()));
        QTest::mouseClick(tile, Qt::LeftButton, {}, tile->rect().center());
        QVERIFY(!tile->isChecked());
        QCOMPARE(window()->filterProxy()->rowCount(), window()->endpointModel()->rowCount());
    }

    void filterShortcutFocusesTheFilterBox()
    {
        window()->activateWindow();
        QTest::keyClick(window(), Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(window()->filterEdit()->hasFocus());
        QTest::keyClicks(window()->filterEdit(), u"tag:S1"_qs);
        QTRY_VERIFY(window()->filterProxy()->rowCount() >= 1);
        QVERIFY(window()->filterProxy()->rowCount() < window()->endpointModel()->rowCount());
        window()->filterEdit()->clear();
        QCOMPARE(window()->filterProxy()->rowCount(), window()->endpointModel()->rowCount());
    }

    void editorRejectsAnInvalidUrlWithTheConfigsMessage()
    {
        EndpointConfig fresh;
        fresh.name = u"new-one"_qs;
        EndpointEditorDialog dialog(window()->config(), -1, fresh, window());
        dialog.show();
        dialog.urlEdit()->setText(u"ftp//nowhere"_qs);
        auto* save = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save);
        QTest::mouseClick(save, Qt::LeftButton);
        QVERIFY2(dialog.isVisible(), "an invalid endpoint must not be accepted");
        QVERIFY(!dialog.result());
        const QString shown = dialog.findChild<QLabel*>(u"validationErrors"_qs)->text();
        QVERIFY2(shown.startsWith(u"url: "_qs), qPrintable(shown));
        QVERIFY(dialog.findChild<QLabel*>(u"validationErrors"_qs)->isVisible());
        QVERIFY(dialog.urlEdit()->property("invalid").toBool());

        // A duplicate name is refused with the config's own uniqueness message.
        dialog.urlEdit()->setText(u"http://127.0.0.1:9/x"_qs);
        dialog.nameEdit()->setText(window()->config().endpoints.first().name);
        QVERIFY(!dialog.validate());
        QVERIFY2(dialog.errorText().contains(u"name"_qs), qPrintable(dialog.errorText()));
        QVERIFY(!dialog.urlEdit()->property("invalid").toBool());

        dialog.nameEdit()->setText(u"new-one"_qs);
        QVERIFY2(dialog.validate(), qPrintable(dialog.errorText()));
        QTest::mouseClick(save, Qt::LeftButton);
        QVERIFY(dialog.result());
        QCOMPARE(dialog.result()->endpoints.constLast().name, u"new-one"_qs);
        QCOMPARE(dialog.result()->endpoints.size(), window()->config().endpoints.size() + 1);
    }

    void editorProbeNowShowsTheClassification()
    {
        // A new endpoint on the simulator's expired-token route, probed before it is saved.
        EndpointConfig auth;
        auth.name = u"probe-before-save"_qs;
        auth.url = QUrl(m_demo.demo.baseUrl() + u"/auth/invalid"_qs);
        EndpointEditorDialog dialog(window()->config(), -1, auth, window());
        dialog.setController(window()->controller()); // the probe goes through the session's engine
        QSignalSpy done(&dialog, &EndpointEditorDialog::probeFinished);
        QTest::mouseClick(dialog.probeButton(), Qt::LeftButton);
        QVERIFY(done.wait(15'000));
        QVERIFY2(dialog.probeText().contains(u"S2"_qs), qPrintable(dialog.probeText()));
        QVERIFY2(dialog.probeText().contains(u"HTTP 401"_qs) || dialog.probeText().contains(u"HTTP 403"_qs),
            qPrintable(dialog.probeText()));
    }

    void deleteAsksFirst()
    {
        const int before = static_cast<int>(window()->config().endpoints.size());
        const QString victim = window()->config().endpoints.constLast().name;
        window()->selectEndpoint(victim);
        QCOMPARE(window()->table()->selectionModel()->selectedRows().size(), 1);

        window()->action(u"deleteEndpoint"_qs)->trigger();
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = window()->findChild<QMessageBox*>(u"confirmDelete"_qs)) && box->isVisible());
        QVERIFY2(box->text().contains(victim), qPrintable(box->text()));
        box->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY(!window()->findChild<QMessageBox*>(u"confirmDelete"_qs));
        QCOMPARE(window()->config().endpoints.size(), before);

        window()->selectEndpoint(victim);
        window()->action(u"deleteEndpoint"_qs)->trigger();
        QTRY_VERIFY((box = window()->findChild<QMessageBox*>(u"confirmDelete"_qs)) && box->isVisible());
        box->button(QMessageBox::Yes)->click();
        QTRY_COMPARE(window()->config().endpoints.size(), before - 1);
        QCOMPARE(window()->endpointModel()->rowCount(), before - 1);
        for (int row = 0; row < window()->endpointModel()->rowCount(); ++row)
            QVERIFY(window()->endpointModel()->endpoint(row).name != victim);
    }

    void detailChartsFillFromHistory()
    {
        const QString name = window()->config().endpoints.first().name;
        window()->selectEndpoint(name);
        QCOMPARE(window()->detailPane()->currentEndpoint(), name);
        QTRY_VERIFY_WITH_TIMEOUT(!window()->detailPane()->latencyChart()->bandPoints().isEmpty(), 20'000);
        const int width = window()->detailPane()->latencyChart()->width();
        QVERIFY2(window()->detailPane()->latencyChart()->bandPoints().size() <= 2 * width + 8,
            "about two points per pixel column at most");
        QVERIFY2(window()->detailPane()->figuresText().contains(u"probes"_qs),
            qPrintable(window()->detailPane()->figuresText()));
        // The charts keep following new probes while the endpoint stays selected (refresh every 2 s): one
        // refresh by the timer is proof enough (two cost the suite 4 s of waiting).
        const int updates = window()->detailPane()->chartUpdates();
        QTRY_VERIFY_WITH_TIMEOUT(window()->detailPane()->chartUpdates() > updates, 8'000);
        // The last deletion restarted probing: the first probe after it fills the last-probe panel.
        QTRY_VERIFY2_WITH_TIMEOUT(window()->detailPane()->lastProbeText().startsWith(u"200 · "_qs),
            qPrintable(window()->detailPane()->lastProbeText()), 20'000);
    }

    void eventLogListsTransitionsNewestFirst()
    {
        EventLogModel* events = window()->eventModel();
        QTRY_VERIFY_WITH_TIMEOUT(events->rowCount() >= 4, 20'000);
        QVERIFY(events->eventAt(0).time >= events->eventAt(events->rowCount() - 1).time);
    }

    void exportActionOpensTheDialogOverTheHistory()
    {
        window()->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window()));
        window()->table()->setFocus(); // in the filter box Ctrl+E is the line edit's "end of line"
        QTest::keyClick(window()->table(), Qt::Key_E, Qt::ControlModifier);
        ExportDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = window()->findChild<ExportDialog*>()) && dialog->isVisible());
        // Every endpoint with stored history is offered, the deleted one included.
        QVERIFY(dialog->checkedEndpoints().size() >= window()->config().endpoints.size());
        dialog->close();
        QTRY_VERIFY(!window()->findChild<ExportDialog*>());
    }

    void cleanupTestCase()
    {
        window()->close();
        m_demo.session.reset();
    }
};

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
