// SPDX-License-Identifier: GPL-3.0-or-later
// The window's fleet panel (ui/FleetDock, issue 15.3): docked with its toggle in the View menu, a line per
// source that says when a source does not answer, and the tiles left alone by a source that is down.
#include "itemmodels/FleetModel.h"
#include "itemmodels/SignalSummaryModel.h"
#include "sources/FleetSource.h"
#include "support/LoopbackServer.h"
#include "ui/FleetDock.h"

#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QTableView>
#include <QTcpServer>
#include <QTest>

using namespace sd;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestFleetDock : public QObject {
    Q_OBJECT
private slots:
    void deadSourceReadsSourceDownAndLeavesTheTiles();
    void closingWhileAPollIsInFlightIsQuiet();
};

void TestFleetDock::deadSourceReadsSourceDownAndLeavesTheTiles()
{
    QMainWindow window;
    auto* viewMenu = window.menuBar()->addMenu(u"View"_s);
    viewMenu->setObjectName(u"viewMenu"_s);
    window.setCentralWidget(new QWidget(&window));
    SignalSummaryModel tiles;
    EndpointConfig local;
    local.id = u"ep-1"_s;
    local.name = u"status page"_s;
    local.url = QUrl(u"http://127.0.0.1:1/"_s);
    tiles.setEndpoints({ local });
    SourceConfig dead;
    dead.url = QUrl(u"http://127.0.0.1:%1"_s.arg(sd::test::LoopbackServer::freePort()));
    dead.name = u"prom-eu"_s;
    dead.interval = 1s;
    FleetDock dock({ dead }, &tiles, &window);
    window.resize(900, 600);
    window.show();
    QCOMPARE(window.dockWidgetArea(&dock), Qt::BottomDockWidgetArea);
    QVERIFY(viewMenu->actions().contains(dock.toggleViewAction()));
    QTRY_VERIFY_WITH_TIMEOUT(dock.sourceLabel()->text().contains(u"source down"_s), 5000);
    QVERIFY2(dock.sourceLabel()->text().startsWith(u"prom-eu (Prometheus): source down — http://127.0.0.1:"_s),
        qPrintable(dock.sourceLabel()->text()));
    QVERIFY2(
        dock.sourceLabel()->text().contains(u"last successful query: never"_s), qPrintable(dock.sourceLabel()->text()));
    QCOMPARE(dock.table()->model()->rowCount(), 0);
    QCOMPARE(tiles.worstState(), SignalState::Unknown); // a dead source is not a failing endpoint
}

void TestFleetDock::closingWhileAPollIsInFlightIsQuiet()
{
    QTcpServer silent; // accepts and never answers: the poll stays in flight
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    QMainWindow window;
    SignalSummaryModel tiles;
    SourceConfig source;
    source.url = QUrl(u"http://127.0.0.1:%1"_s.arg(silent.serverPort()));
    source.timeout = 30s;
    QPointer<FleetDock> dock = new FleetDock({ source }, &tiles, &window);
    QTRY_VERIFY(dock->sources().first()->polling());
    QTest::qWait(100); // the request is on the wire
    delete dock; // aborts the poll: nobody may hear of it (the model is gone first)
    QVERIFY(dock.isNull());
    QCOMPARE(tiles.worstState(), SignalState::Unknown);
}

QTEST_MAIN(TestFleetDock)
#include "tst_fleetdock.moc"
