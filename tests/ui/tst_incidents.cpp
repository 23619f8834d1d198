// SPDX-License-Identifier: GPL-3.0-or-later
// The operator during an incident, offscreen, against nginx on loopback: acknowledging a critical endpoint
// silences it until it recovers (and the mark clears itself), a maintenance window by name or tag silences
// and marks its endpoints and is kept in the config file, paused probing shows on the tiles and in the
// table, each transition is one event-log row, the table holds still under the pointer, F5's refusal shows
// by the row and names the endpoint once, and a first run offers the demo, a first endpoint or a file.
// A renamed endpoint keeps its maintenance windows; probes made in a window with `excludeFromUptime` leave
// the uptime (table, detail pane, CSV export) over a real history; an acknowledgement survives a restart.
// The network is real; the incident session's probing runs on simulated time (DashboardOptions::clock,
// tests/support/SimulatedClock): recoveries, pauses and new probes at 1 s intervals take no real time.
#include "DashboardStart.h"
#include "config/ConfigLoader.h"
#include "config/ConfigWriter.h"
#include "controller/Controller.h"
#include "credentials/InMemoryCredentialStore.h"
#include "health/AcknowledgementFile.h"
#include "health/IncidentPolicy.h"
#include "history/HistoryOptions.h"
#include "history/HistoryStore.h"
#include "itemmodels/EndpointFilterProxy.h"
#include "itemmodels/EndpointTableModel.h"
#include "itemmodels/EventLogModel.h"
#include "support/LoopbackServer.h"
#include "support/SimulatedClock.h"
#include "ui/DetailPane.h"
#include "ui/FirstRunPanel.h"
#include "ui/IncidentActions.h"
#include "ui/MainWindow.h"
#include "ui/RowNote.h"
#include "ui/SignalTile.h"
#include "ui/TableOrderHold.h"
#include "ui/TrayNotifier.h"
#include "ui/export/ExportDialog.h"

#include <QAction>
#include <QDialog>
#include <QDir>
#include <QEnterEvent>
#include <QFile>
#include <QFileInfo>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace sd;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestIncidents : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    test::LoopbackServer m_nginx;
    InMemoryCredentialStore m_store;
    /// The incident session's time (a restart keeps it): moves only when the test says so.
    std::shared_ptr<test::SimulatedClock> m_clock = std::make_shared<test::SimulatedClock>();
    std::unique_ptr<DashboardSession> m_session;

    MainWindow& window() { return m_session->window(); }
    EndpointTableModel* model() { return window().endpointModel(); }
    QString downFlag() const { return m_dir.filePath(u"down"_s); }
    QString configPath() const { return m_dir.filePath(u"config.json"_s); }

    int rowOf(const QString& name)
    {
        for (int row = 0; row < model()->rowCount(); ++row)
            if (model()->endpoint(row).name == name)
                return row;
        return -1;
    }
    SignalState overall(const QString& name) { return model()->status(rowOf(name)).overall; }
    /// Probes on (simulated time) until `name`'s overall state is `state`, each reply in before the next timer.
    bool probeUntil(const QString& name, SignalState state, Millis limit = 30s)
    {
        return advanceUntil([&] { return overall(name) == state; }, limit);
    }
    bool advanceUntil(const std::function<bool()>& done, Millis limit = 30s)
    {
        if (m_clock->advanceUntil(done, limit))
            return true;
        qWarning("%s", qPrintable(m_clock->errorString()));
        return false;
    }
    QString stateCell(const QString& name)
    {
        return model()->index(rowOf(name), EndpointTableModel::State).data().toString();
    }
    QString keyOf(const QString& name) { return endpointKey(model()->endpoint(rowOf(name))); }

    void setDown(bool down)
    {
        if (down) {
            QFile flag(downFlag());
            QVERIFY(flag.open(QIODevice::WriteOnly));
        } else {
            QVERIFY(QFile::remove(downFlag()));
        }
    }

    /// A transition the engine would send for `name` (the notifier's input).
    EngineEvent critical(const QString& name)
    {
        EngineEvent e;
        e.endpoint = name;
        e.endpointKey = keyOf(name);
        e.signal = FailureSignal::S2;
        e.from = u"ok"_s;
        e.to = u"critical"_s;
        e.toState = SignalState::Critical;
        e.time = QDateTime::currentDateTimeUtc();
        e.reason = u"401"_s;
        return e;
    }

    /// A dashboard session (controller and window) on the config file and the data directory of this test,
    /// as a start or a restart makes it.
    void openSession()
    {
        const ConfigParseResult loaded = loadConfigFile(configPath());
        QVERIFY2(loaded.ok(), qPrintable(loaded.errorText()));
        DashboardOptions options;
        options.config = *loaded.config;
        options.configPath = configPath();
        options.sourceLabel = configPath();
        options.dataDir = m_dir.filePath(u"data"_s);
        options.credentialStore = &m_store;
        options.auditPath = m_dir.filePath(u"audit.log"_s);
        options.clock = m_clock;
        m_session = std::make_unique<DashboardSession>(options);
    }

    void select(const QString& name)
    {
        window().selectEndpoint(name);
        QVERIFY(window().table()->selectionModel()->isRowSelected(
            window().filterProxy()->mapFromSource(model()->index(rowOf(name), 0)).row()));
        window().table()->setCurrentIndex(window().filterProxy()->mapFromSource(model()->index(rowOf(name), 0)));
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLocale::setDefault(QLocale::c());
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        // /flip answers 401 (S2 Critical at once) while the flag file exists, 200 once it is gone.
        const QString locations = u"location /ok { return 200 \"ok\"; }\n"_s
            + u"location /flip { if (-f %1) { return 401; } return 200 \"ok\"; }\n"_s.arg(downFlag());
        QVERIFY2(m_nginx.startNginx(locations), qPrintable(m_nginx.errorString()));
        setDown(true);
        const QString ok = m_nginx.url(u"/ok"_s).toString();
        const QString json = u"{ \"version\": 1, "_s
            + u"\"credentials\": [ { \"id\": \"absent\", \"label\": \"not in the keychain\" } ], "_s
            + u"\"endpoints\": [ "_s
            + u"{ \"name\": \"api-flip\", \"url\": \"%1\", \"interval\": \"1s\", \"timeout\": \"2s\", \"tags\": [\"core\"] }, "_s
                  .arg(m_nginx.url(u"/flip"_s).toString())
            + u"{ \"name\": \"db-one\", \"url\": \"%1\", \"interval\": \"1s\", \"timeout\": \"2s\", \"tags\": [\"db\"] }, "_s
                  .arg(ok)
            + u"{ \"name\": \"db-two\", \"url\": \"%1\", \"interval\": \"1s\", \"timeout\": \"2s\", \"tags\": [\"db\"] }, "_s
                  .arg(ok)
            + u"{ \"name\": \"needs-secret\", \"url\": \"%1\", \"interval\": \"1s\", \"credential\": \"absent\" } ] }"_s
                  .arg(ok);
        QFile file(configPath());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(json.toUtf8());
        file.close();
        openSession();
        QVERIFY(m_session);
        // Notices at most every 500 ms instead of every 15 s (TransitionDigest's cooldown, tested on its own in
        // tst_transitiondigest): the recovery's notice below comes without a 15 s wait.
        window().tray()->setCooldownMs(500);
        window().resize(1024, 700);
        window().show();
        QVERIFY(QTest::qWaitForWindowExposed(&window()));
        QVERIFY(probeUntil(u"api-flip"_s, SignalState::Critical));
        QVERIFY(probeUntil(u"db-one"_s, SignalState::Ok));
        QVERIFY(probeUntil(u"needs-secret"_s, SignalState::Critical));
    }

    // The first look shows charts: the worst endpoint with data, not the paused one without probes.
    void startSelectsTheWorstEndpointWithData()
    {
        QTRY_VERIFY_WITH_TIMEOUT(window().table()->selectionModel()->hasSelection(), 10'000);
        const QModelIndexList rows = window().table()->selectionModel()->selectedRows();
        QCOMPARE(rows.size(), 1);
        const int row = window().filterProxy()->mapToSource(rows.first()).row();
        QCOMPARE(model()->endpoint(row).name, u"api-flip"_s);
        QVERIFY(model()->lastResult(row).has_value());
    }

    void acknowledgeSilencesUntilRecovery()
    {
        select(u"api-flip"_s);
        window().action(u"acknowledge"_s)->trigger();
        QCOMPARE(stateCell(u"api-flip"_s), u"Acknowledged"_s);
        QCOMPARE(model()->index(rowOf(u"api-flip"_s), 0).data(EndpointTableModel::MarkRole).toInt(),
            int(EndpointTableModel::RowMark::Acknowledged));
        QVERIFY2(window().tile(FailureSignal::S2)->countsText().contains(u"1 ack"_s),
            qPrintable(window().tile(FailureSignal::S2)->countsText()));
        // Said by the row, where the operator looked.
        QVERIFY(window().rowNote()->isVisible());
        QVERIFY(window().rowNote()->text().contains(u"api-flip"_s));
        // It turning critical again (say after a flap) notifies nothing; another endpoint still does.
        TrayNotifier* tray = window().tray();
        const int silenced = tray->silencedCount();
        const qsizetype notices = tray->notices().size();
        tray->addEvents({ critical(u"api-flip"_s) });
        QCOMPARE(tray->silencedCount(), silenced + 1);
        QCOMPARE(tray->notices().size(), notices);
        // A healthy endpoint cannot be acknowledged.
        select(u"db-one"_s);
        window().action(u"acknowledge"_s)->trigger();
        QCOMPARE(stateCell(u"db-one"_s), u"OK"_s);
        QVERIFY(window().rowNote()->text().contains(u"not critical"_s));
        // Recovery: the acknowledgement clears itself, the recovery is notified.
        setDown(false);
        QVERIFY(probeUntil(u"api-flip"_s, SignalState::Ok));
        QTRY_COMPARE(stateCell(u"api-flip"_s), u"OK"_s);
        QVERIFY(!window().incidents()->policy().isAcknowledged(keyOf(u"api-flip"_s)));
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(tray->notices().cbegin(), tray->notices().cend(),
                [](const TransitionDigest::Notice& n) { return n.title.contains(u"recovered"_s); }),
            20'000);
        // Down again: notified again.
        tray->addEvents({ critical(u"api-flip"_s) });
        QCOMPARE(tray->silencedCount(), silenced + 1);
        setDown(true);
        QVERIFY(probeUntil(u"api-flip"_s, SignalState::Critical));
    }

    void maintenanceSilencesMarksAndIsKeptInTheConfig()
    {
        select(u"db-one"_s);
        window().action(u"startMaintenance"_s)->trigger();
        QCOMPARE(window().config().maintenance.size(), 1);
        QCOMPARE(window().config().maintenance.first().endpoints, QStringList { u"db-one"_s });
        QCOMPARE(stateCell(u"db-one"_s), u"Maintenance"_s);
        QCOMPARE(stateCell(u"db-two"_s), u"OK"_s);
        const QString tip
            = model()->index(rowOf(u"db-one"_s), EndpointTableModel::State).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(u"In maintenance until"_s), qPrintable(tip));
        TrayNotifier* tray = window().tray();
        const int silenced = tray->silencedCount();
        tray->addEvents({ critical(u"db-one"_s) });
        QCOMPARE(tray->silencedCount(), silenced + 1);
        // Saved: the file reads back with the window.
        const ConfigParseResult saved = loadConfigFile(configPath());
        QVERIFY2(saved.ok(), qPrintable(saved.errorText()));
        QCOMPARE(saved.config->maintenance, window().config().maintenance);
        // Probing continues.
        const qint64 probes = model()->status(rowOf(u"db-one"_s)).probes;
        QVERIFY(advanceUntil([&] { return model()->status(rowOf(u"db-one"_s)).probes > probes; }, 5s));
        window().action(u"endMaintenance"_s)->trigger();
        QCOMPARE(stateCell(u"db-one"_s), u"OK"_s);
        QVERIFY(window().config().maintenance.isEmpty());

        // By tag, from the config: both db endpoints; deleting one keeps the file readable.
        AppConfig next = window().config();
        MaintenanceWindow byTag;
        byTag.tags = QStringList { u"db"_s };
        byTag.reason = u"database upgrade"_s;
        next.maintenance = { byTag };
        QVERIFY(window().applyConfig(next));
        QCOMPARE(stateCell(u"db-one"_s), u"Maintenance"_s);
        QCOMPARE(stateCell(u"db-two"_s), u"Maintenance"_s);
        next = window().config();
        MaintenanceWindow byName;
        byName.endpoints = QStringList { u"db-two"_s };
        next.maintenance.append(byName);
        next.endpoints.removeIf([](const EndpointConfig& e) { return e.name == u"db-two"; });
        QVERIFY(window().applyConfig(next));
        const ConfigParseResult reread = loadConfigFile(configPath());
        QVERIFY2(reread.ok(), qPrintable(reread.errorText()));
        QCOMPARE(reread.config->maintenance.size(), 1);
        next = window().config();
        next.maintenance.clear();
        QVERIFY(window().applyConfig(next));
    }

    // Renaming an endpoint (the editor, the controller) keeps it in the windows that list it by name: in the
    // running config, in the marks, and in the saved file.
    void renamedEndpointKeepsItsMaintenance()
    {
        AppConfig next = window().config();
        MaintenanceWindow w;
        w.endpoints = QStringList { u"db-one"_s };
        w.reason = u"disk swap"_s;
        next.maintenance = { w };
        QVERIFY(window().applyConfig(next));
        QCOMPARE(stateCell(u"db-one"_s), u"Maintenance"_s);

        EndpointConfig renamed = model()->endpoint(rowOf(u"db-one"_s));
        renamed.name = u"db-primary"_s;
        QString error;
        QVERIFY2(m_session->controller().updateEndpoint(renamed, &error), qPrintable(error));
        QCOMPARE(window().config().maintenance.size(), 1);
        QCOMPARE(window().config().maintenance.first().endpoints, QStringList { u"db-primary"_s });
        QCOMPARE(stateCell(u"db-primary"_s), u"Maintenance"_s);
        ConfigParseResult saved = loadConfigFile(configPath());
        QVERIFY2(saved.ok(), qPrintable(saved.errorText()));
        QCOMPARE(saved.config->maintenance.first().endpoints, QStringList { u"db-primary"_s });

        // Back, as the endpoint editor hands it to the window.
        next = window().config();
        for (EndpointConfig& e : next.endpoints)
            if (e.name == u"db-primary")
                e.name = u"db-one"_s;
        QVERIFY(window().applyConfig(next));
        QCOMPARE(window().config().maintenance.first().endpoints, QStringList { u"db-one"_s });
        QCOMPARE(stateCell(u"db-one"_s), u"Maintenance"_s);
        saved = loadConfigFile(configPath());
        QVERIFY2(saved.ok(), qPrintable(saved.errorText()));
        QCOMPARE(saved.config->maintenance, window().config().maintenance);
        next = window().config();
        next.maintenance.clear();
        QVERIFY(window().applyConfig(next));
    }

    void pausedShowsOnTilesAndInTheTable()
    {
        QAction* pause = window().action(u"pauseProbing"_s);
        pause->trigger();
        QVERIFY(advanceUntil(
            [&] { return stateCell(u"db-one"_s) == u"Paused"_s && stateCell(u"api-flip"_s) == u"Paused"_s; }, 5s));
        for (FailureSignal s : kAllSignals) {
            QVERIFY(window().tile(s)->probingPaused());
            QVERIFY2(window().tile(s)->stateText().endsWith(u"paused"_s), qPrintable(window().tile(s)->stateText()));
        }
        pause->trigger();
        QVERIFY(advanceUntil([&] { return stateCell(u"db-one"_s) == u"OK"_s; }, 5s));
        QVERIFY(!window().tile(FailureSignal::S1)->probingPaused());
    }

    void oneEventRowPerTransition()
    {
        // An overall row ("api-flip ok → critical") beside the signal row that caused it (S2, same time,
        // same state reached) said the same thing twice.
        EventLogModel* log = window().eventModel();
        QSet<QString> signalRows;
        QList<EngineEvent> overallRows;
        int flipRows = 0;
        for (int row = 0; row < log->rowCount(); ++row) {
            const EngineEvent e = log->eventAt(row);
            if (e.kind != EngineEvent::Kind::Signal)
                continue;
            const QString key = e.endpoint + u'|' + e.time.toString(Qt::ISODateWithMs) + u'|' + e.to;
            if (e.signal == FailureSignal::None)
                overallRows.append(e);
            else
                signalRows.insert(key);
            flipRows += e.endpoint == u"api-flip";
        }
        for (const EngineEvent& e : std::as_const(overallRows)) {
            const QString key = e.endpoint + u'|' + e.time.toString(Qt::ISODateWithMs) + u'|' + e.to;
            QVERIFY2(!signalRows.contains(key), qPrintable(u"two rows for "_s + key));
        }
        QVERIFY2(flipRows >= 3, qPrintable(QString::number(flipRows))); // critical, recovered, critical
    }

    void tableHoldsStillUnderThePointer()
    {
        EndpointFilterProxy* proxy = window().filterProxy();
        QWidget* viewport = window().table()->viewport();
        QVERIFY(!proxy->orderHeld());
        QEnterEvent enter(QPointF(5, 5), QPointF(5, 5), viewport->mapToGlobal(QPointF(5, 5)));
        QCoreApplication::sendEvent(viewport, &enter);
        QVERIFY(proxy->orderHeld());
        // While held, a state change does not move the rows.
        QStringList order;
        for (int row = 0; row < proxy->rowCount(); ++row)
            order << proxy->index(row, EndpointTableModel::Name).data().toString();
        setDown(false);
        QVERIFY(probeUntil(u"api-flip"_s, SignalState::Ok));
        QStringList held;
        for (int row = 0; row < proxy->rowCount(); ++row)
            held << proxy->index(row, EndpointTableModel::Name).data().toString();
        QCOMPARE(held, order);
        QEvent leave(QEvent::Leave);
        QCoreApplication::sendEvent(viewport, &leave);
        QVERIFY(!proxy->orderHeld());
        // Released: sorted by state again (api-flip, OK now, is no longer above the OK rows by chance only).
        QTRY_VERIFY(proxy->index(0, EndpointTableModel::Name).data().toString() != u"api-flip"_s);
        // A dialog of the window holds it too, while it is shown.
        auto* dialog = new QDialog(&window());
        dialog->show();
        QVERIFY(proxy->orderHeld());
        delete dialog;
        QVERIFY(!proxy->orderHeld());
        setDown(true);
    }

    void probeRefusalShowsByTheRowNamingItOnce()
    {
        select(u"needs-secret"_s);
        window().rowNote()->hide(); // a note of an earlier action
        window().action(u"probeNow"_s)->trigger();
        QVERIFY(advanceUntil([&] { return window().rowNote()->isVisible(); }, 5s));
        const QString text = window().rowNote()->text();
        QVERIFY2(text.startsWith(u"needs-secret was not probed: "_s), qPrintable(text));
        QCOMPARE(text.count(u"needs-secret"_s), 1);
        QVERIFY2(!text.contains(u"not probed: not probed"_s), qPrintable(text));
        QCOMPARE(probeRefusalText(u"a"_s, u"a: the server's Retry-After is in force"_s),
            u"a was not probed: the server's Retry-After is in force"_s);
    }

    void firstRunOffersTheDemoAFirstEndpointOrAFile()
    {
        QTemporaryDir dir;
        DashboardOptions options;
        options.sourceLabel = u"no config yet"_s;
        options.dataDir = dir.filePath(u"data"_s);
        options.credentialStore = &m_store;
        options.auditPath = dir.filePath(u"audit.log"_s);
        DashboardSession first(options);
        MainWindow& w = first.window();
        w.resize(1024, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        FirstRunPanel* panel = w.firstRunPanel();
        QVERIFY(panel->isVisible());
        QVERIFY2(!w.statusBar()->currentMessage().startsWith(u"Demo"_s), qPrintable(w.statusBar()->currentMessage()));
        for (QPushButton* b : { panel->demoButton(), panel->addButton(), panel->openButton() })
            QVERIFY(b->isVisible());
        // Nothing of it is cut: it fits in the window's centre, at the top of the table.
        QVERIFY(w.centralWidget()->rect().contains(panel->geometry()));
        QVERIFY(panel->height() >= panel->heightForWidth(panel->width()));
        QSignalSpy demo(&w, &MainWindow::demoRequested);
        panel->demoButton()->click();
        QCOMPARE(demo.size(), 1);
        // A notification goes to the status bar; the panel stays.
        TransitionDigest::Notice notice;
        notice.title = u"x: S1 is critical"_s;
        emit w.tray()->noticeShown(notice);
        QVERIFY(panel->isVisible());
        // A bad file: the error names the file and the JSON path.
        const QString bad = dir.filePath(u"bad.json"_s);
        QFile badFile(bad);
        QVERIFY(badFile.open(QIODevice::WriteOnly));
        badFile.write("{ \"version\": 1, \"endpoints\": [ { \"name\": \"a\", \"url\": \"ftp://x\" } ] }");
        badFile.close();
        QVERIFY(!panel->openConfig(bad));
        QVERIFY2(panel->errorText().contains(bad) && panel->errorText().contains(u"endpoints[0].url"_s),
            qPrintable(panel->errorText()));
        // A good one: the endpoints arrive, the panel goes, edits are saved to it; the file is not rewritten.
        QFile good(configPath());
        QVERIFY(good.open(QIODevice::ReadOnly));
        const QByteArray before = good.readAll();
        good.close();
        QVERIFY(panel->openConfig(configPath()));
        QTRY_VERIFY(w.endpointModel()->rowCount() >= 3);
        QVERIFY(!panel->isVisible());
        QCOMPARE(w.configPath(), QFileInfo(configPath()).absoluteFilePath());
        QVERIFY(good.open(QIODevice::ReadOnly));
        QCOMPARE(good.readAll(), before);
        w.close();
    }

    // A stored hour with 60 probes a minute apart, 10 failing (minutes 10-19), and a window over minutes
    // 5-14 with `excludeFromUptime`: the uptime over the probes outside it is 45 of 50 = 90.0 %; without the
    // key it is 50 of 60 = 83.3 %. Table, detail pane and the CSV export's request agree.
    void uptimeLeavesOutMaintenanceWindows()
    {
        QTemporaryDir dir;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const QDateTime t0(now.date(), QTime(now.time().hour(), now.time().minute()), QTimeZone::utc());
        const QDateTime start = t0.addSecs(qint64 { -3 } * 3600); // well before anything this session probes
        const QString name = u"legacy"_s;
        {
            ProbeResults stored;
            for (int minute = 0; minute < 60; ++minute) {
                ProbeResult r;
                r.endpoint = name;
                r.url = m_nginx.url(u"/ok"_s).toString();
                r.startUtc = start.addSecs(minute * 60 + 5);
                r.attempts = 1;
                const bool failed = minute >= 10 && minute < 20;
                r.outcome = failed ? Outcome::Timeout : Outcome::Ok;
                r.signal = failed ? FailureSignal::S1 : FailureSignal::None;
                r.httpStatus = failed ? 0 : 200;
                r.latencyUs = failed ? 2'000'000 : 20'000;
                stored.append(r);
            }
            HistoryOptions options;
            options.directory = dir.filePath(u"data"_s);
            HistoryStore store(options);
            store.append(stored);
            QVERIFY(store.flushNow());
        }
        AppConfig config;
        EndpointConfig e;
        e.name = name;
        e.url = m_nginx.url(u"/ok"_s);
        e.interval = std::chrono::minutes(1);
        config.endpoints = { e };
        MaintenanceWindow w;
        w.endpoints = QStringList { name };
        w.from = start.addSecs(qint64 { 5 } * 60);
        w.to = start.addSecs(qint64 { 15 } * 60);
        w.reason = u"planned"_s;
        w.excludeFromUptime = true;
        config.maintenance = { w };
        const QString path = dir.filePath(u"config.json"_s);
        QVERIFY(saveConfigFile(path, config));
        DashboardOptions options;
        options.config = *loadConfigFile(path).config;
        options.configPath = path;
        options.sourceLabel = path;
        options.dataDir = dir.filePath(u"data"_s);
        options.credentialStore = &m_store;
        options.auditPath = dir.filePath(u"audit.log"_s);
        DashboardSession session(options);
        MainWindow& win = session.window();
        win.resize(1024, 700);
        win.show();
        QVERIFY(QTest::qWaitForWindowExposed(&win));
        win.setRange(TimeRange::custom(start.toMSecsSinceEpoch(), start.addSecs(3600).toMSecsSinceEpoch()));
        const QModelIndex uptime = win.endpointModel()->index(0, EndpointTableModel::Uptime);
        QTRY_COMPARE_WITH_TIMEOUT(uptime.data().toString(), u"90.0 %"_s, 10'000);
        QVERIFY2(uptime.data(Qt::ToolTipRole).toString().contains(u"Over 50 of 60 probes"_s),
            qPrintable(uptime.data(Qt::ToolTipRole).toString()));
        // The other figures count every probe.
        QCOMPARE(win.endpointModel()->index(0, EndpointTableModel::ErrorRate).data().toString(), u"16.7 %"_s);
        win.selectEndpoint(name);
        QTRY_VERIFY2_WITH_TIMEOUT(
            win.detailPane()->figuresText().contains(u"uptime 90.00 % (10 in maintenance left out)"_s),
            qPrintable(win.detailPane()->figuresText()), 10'000);
        QVERIFY2(win.detailPane()->figuresText().contains(u"60 probes"_s), qPrintable(win.detailPane()->figuresText()));
        win.openExportDialog(); // opens when the history reader has listed the endpoints (off the GUI thread)
        QTRY_VERIFY_WITH_TIMEOUT(win.findChild<ExportDialog*>(), 10'000);
        auto* dialog = win.findChild<ExportDialog*>();
        QCOMPARE(dialog->request().uptimeExcluded.value(name),
            (TimeSpans { { w.from.toMSecsSinceEpoch(), w.to.toMSecsSinceEpoch() } }));
        dialog->close();

        // Without the key, the same probes, the same window: every probe counts.
        AppConfig next = win.config();
        next.maintenance.first().excludeFromUptime = false;
        QVERIFY(win.applyConfig(next));
        QTRY_COMPARE_WITH_TIMEOUT(uptime.data().toString(), u"83.3 %"_s, 10'000);
        QTRY_VERIFY2_WITH_TIMEOUT(win.detailPane()->figuresText().contains(u"uptime 83.33 % ·"_s),
            qPrintable(win.detailPane()->figuresText()), 10'000);
        win.close();
    }

    // An operator who restarts during an incident is not paged again: the acknowledgement is kept next to
    // the history (not in the config), read back by the next session, and ends when the endpoint recovers.
    void acknowledgementSurvivesARestart()
    {
        QVERIFY(probeUntil(u"api-flip"_s, SignalState::Critical));
        select(u"api-flip"_s);
        window().action(u"acknowledge"_s)->trigger();
        QCOMPARE(stateCell(u"api-flip"_s), u"Acknowledged"_s);
        const QString key = keyOf(u"api-flip"_s);
        const QString kept = m_session->controller().acknowledgementsPath();
        QCOMPARE(QFileInfo(kept).absolutePath(), QFileInfo(m_session->controller().historyPath()).absolutePath());
        QCOMPARE(AcknowledgementFile::read(kept).keys(), QStringList { key });
        QFile config(configPath());
        QVERIFY(config.open(QIODevice::ReadOnly));
        QVERIFY(!config.readAll().contains("acknowledg"));
        config.close();

        // Restart: a new controller and window on the same files.
        window().close();
        m_session.reset();
        openSession();
        QVERIFY(m_session);
        window().resize(1024, 700);
        window().show();
        QVERIFY(QTest::qWaitForWindowExposed(&window()));
        QVERIFY(window().incidents()->policy().isAcknowledged(key));
        QCOMPARE(stateCell(u"api-flip"_s), u"Acknowledged"_s);
        // Still critical after the restart, and silent about it.
        TrayNotifier* tray = window().tray();
        QVERIFY(advanceUntil(
            [&] { return overall(u"api-flip"_s) == SignalState::Critical && tray->silencedCount() >= 1; }, 30s));
        QVERIFY(window().incidents()->policy().isAcknowledged(key));
        QCOMPARE(stateCell(u"api-flip"_s), u"Acknowledged"_s);
        for (const TransitionDigest::Notice& n : tray->notices())
            QVERIFY2(!n.title.contains(u"api-flip"_s) || n.title.contains(u"recovered"_s), qPrintable(n.title));

        // Recovered: the acknowledgement ends, on disk too.
        setDown(false);
        QVERIFY(probeUntil(u"api-flip"_s, SignalState::Ok));
        QTRY_VERIFY(!window().incidents()->policy().isAcknowledged(key));
        QVERIFY(!QFile::exists(kept));
        setDown(true);
    }

    void cleanupTestCase()
    {
        if (m_session)
            window().close();
    }
};

QTEST_MAIN(TestIncidents)
#include "tst_incidents.moc"
