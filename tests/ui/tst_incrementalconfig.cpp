// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 13's "done means", offscreen: in a running dashboard, editing one endpoint (through the editor), adding,
// deleting, renaming one, and rotating a credential leave every other endpoint's states, circuit, probe counts
// and event log as they were. Before, every edit restarted the engine and every endpoint went back to unknown.
// The network is real; the session's time is simulated (DashboardOptions::clock, tests/support/SimulatedClock):
// the circuit that opens after failures at 1 s intervals and the probing after each change take no real time.
#include "DashboardStart.h"
#include "config/ConfigLoader.h"
#include "controller/Controller.h"
#include "credentials/CredentialSecret.h"
#include "credentials/InMemoryCredentialStore.h"
#include "itemmodels/EndpointFilterProxy.h"
#include "itemmodels/EndpointTableModel.h"
#include "itemmodels/EventLogModel.h"
#include "schedule/Engine.h"
#include "simulator/Simulator.h"
#include "support/SimulatedClock.h"
#include "support/UntouchedEndpoints.h"
#include "ui/EndpointEditorDialog.h"
#include "ui/MainWindow.h"

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace sd;
using namespace sd::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestIncrementalConfig : public QObject {
    Q_OBJECT
private:
    Simulator m_sim;
    QByteArray m_secret { "tok-" + QByteArray::number(QDateTime::currentMSecsSinceEpoch()) };
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<InMemoryCredentialStore> m_store;
    std::shared_ptr<SimulatedClock> m_clock; ///< the session's time: moves only when the test says so
    std::unique_ptr<DashboardSession> m_session;

    MainWindow& window() { return m_session->window(); }
    EndpointTableModel* table() { return window().endpointModel(); }

    Seen seen(const QString& key)
    {
        const int row = table()->rowOfKey(key);
        if (row < 0)
            return {};
        return Seen::of(table()->status(row), configEventsOf(table()->endpoint(row).name).size());
    }

    QHash<QString, Seen> snapshot()
    {
        QHash<QString, Seen> out;
        for (int row = 0; row < table()->rowCount(); ++row)
            out.insert(endpointKey(table()->endpoint(row)), seen(endpointKey(table()->endpoint(row))));
        return out;
    }

    /// Config events in the event log for `key`'s endpoint name.
    QStringList configEventsOf(const QString& name)
    {
        QStringList out;
        EventLogModel* log = window().eventModel();
        for (int row = 0; row < log->rowCount(); ++row) {
            const EngineEvent e = log->eventAt(row);
            if (e.kind == EngineEvent::Kind::Config && e.endpoint == name)
                out << e.reason;
        }
        return out;
    }

    /// Moves the session's time on until `done` holds, each probe's reply in before the next timer fires.
    bool advanceUntil(const std::function<bool()>& done, Millis limit = 30s)
    {
        if (m_clock->advanceUntil(done, limit))
            return true;
        qWarning("%s", qPrintable(m_clock->errorString()));
        return false;
    }

    /// After a change: two seconds of probing later (every endpoint probed again, a few batches shown), every
    /// endpoint but `changed` kept its states, circuit and count (a restart would put them back to unknown,
    /// closed and 0), and the event log lost nothing.
    void verifyOthersUntouched(const QHash<QString, Seen>& before, int eventsBefore, const QStringList& changed)
    {
        const int batches = window().batchesApplied();
        QVERIFY2(m_clock->advance(2s), qPrintable(m_clock->errorString()));
        QVERIFY(window().batchesApplied() >= batches + 4);
        for (auto it = before.cbegin(); it != before.cend(); ++it) {
            if (changed.contains(it.key()) || table()->rowOfKey(it.key()) < 0)
                continue;
            const QString changedHow = whatChanged(*it, seen(it.key()));
            QVERIFY2(changedHow.isEmpty(), qPrintable(it.key() + u": "_s + changedHow));
        }
        QVERIFY(window().eventModel()->rowCount() >= eventsBefore);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setApplicationName(u"signaldeck-tst-incrementalconfig"_s);
        QVERIFY2(m_sim.start(), qPrintable(m_sim.errorString()));
        m_sim.setAcceptedTokens({ m_secret });
        m_dir = std::make_unique<QTemporaryDir>();
        m_store = std::make_unique<InMemoryCredentialStore>();
        m_store->setEntries({ { u"llm"_s, m_secret } });

        AppConfig config;
        CredentialConfig llm;
        llm.id = u"llm"_s;
        recordNewSecret(llm, m_secret, QDateTime::currentDateTimeUtc().addDays(-1));
        config.credentials = { llm };
        config.endpoints = watchedEndpoints(m_sim, u"llm"_s);
        const QString path = m_dir->filePath(u"config.json"_s);
        QVERIFY(saveConfigFile(path, config));

        DashboardOptions options;
        options.config = *loadConfigFile(path).config;
        options.configPath = path;
        options.sourceLabel = path;
        options.dataDir = m_dir->filePath(u"data"_s);
        options.credentialStore = m_store.get();
        options.auditPath = m_dir->filePath(u"audit.jsonl"_s);
        m_clock = std::make_shared<SimulatedClock>();
        options.clock = m_clock;
        m_session = std::make_unique<DashboardSession>(options);
        window().show();
        // "down" fails at every 1 s probe, retried, until its circuit opens: a minute of simulated time at most.
        QVERIFY(advanceUntil([this] { return watchedSettled([this](const QString& key) { return seen(key); }); }, 60s));
    }

    void editingOneEndpointInTheEditorLeavesTheOthers()
    {
        const QHash<QString, Seen> before = snapshot();
        const int events = window().eventModel()->rowCount();
        const int row = table()->rowOfKey(u"ok"_s);
        window().table()->selectRow(window().filterProxy()->mapFromSource(table()->index(row, 0)).row());
        window().action(u"editEndpoint"_s)->trigger();
        auto* editor = window().findChild<EndpointEditorDialog*>();
        QVERIFY(editor);
        editor->intervalEdit()->setText(u"2s"_s);
        QTest::mouseClick(editor->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save), Qt::LeftButton);
        QTRY_COMPARE(window().config().endpoints[row].interval, Millis(2s));
        // The edited endpoint itself keeps its states and count: a new interval invalidates neither.
        QVERIFY(seen(u"ok"_s).probes >= before.value(u"ok"_s).probes);
        QCOMPARE(seen(u"ok"_s).overall, SignalState::Ok);
        verifyOthersUntouched(before, events, { u"ok"_s });
        QCOMPARE(configEventsOf(u"ok-endpoint"_s), QStringList { u"interval 1s \u2192 2s"_s });
        // The id stayed in the saved file.
        QCOMPARE(loadConfigFile(m_dir->filePath(u"config.json"_s)).config->endpoints[row].id, u"ok"_s);
    }

    void addingOneEndpointLeavesTheOthers()
    {
        const QHash<QString, Seen> before = snapshot();
        const int events = window().eventModel()->rowCount();
        AppConfig next = window().config();
        next.endpoints.append(quickEndpoint(u"added"_s, m_sim.url(u"/healthy?added"_s)));
        QVERIFY(window().applyConfig(next));
        QVERIFY(advanceUntil([this] { return seen(u"added"_s).overall == SignalState::Ok; }, 5s));
        verifyOthersUntouched(before, events, {});
        QCOMPARE(configEventsOf(u"added-endpoint"_s), QStringList { u"added"_s });
    }

    void renamingOneEndpointLeavesItsStatesAndTheOthers()
    {
        const QHash<QString, Seen> before = snapshot();
        const int events = window().eventModel()->rowCount();
        AppConfig next = window().config();
        next.endpoints[table()->rowOfKey(u"auth"_s)].name = u"auth-renamed"_s;
        QVERIFY(window().applyConfig(next));
        verifyOthersUntouched(before, events, { u"auth"_s });
        const Seen renamed = seen(u"auth"_s);
        QCOMPARE(renamed.states[1], SignalState::Critical);
        QVERIFY(renamed.probes >= before.value(u"auth"_s).probes);
        QCOMPARE(table()->endpoint(table()->rowOfKey(u"auth"_s)).name, u"auth-renamed"_s);
        QCOMPARE(configEventsOf(u"auth-renamed"_s), QStringList { u"renamed from auth-endpoint"_s });
    }

    void deletingOneEndpointLeavesTheOthers()
    {
        const QHash<QString, Seen> before = snapshot();
        const int events = window().eventModel()->rowCount();
        const int rows = table()->rowCount();
        AppConfig next = window().config();
        next.endpoints.removeAt(table()->rowOfKey(u"added"_s));
        QVERIFY(window().applyConfig(next));
        QCOMPARE(table()->rowCount(), rows - 1);
        QCOMPARE(table()->rowOfKey(u"added"_s), -1);
        verifyOthersUntouched(before, events, { u"added"_s });
        QCOMPARE(configEventsOf(u"added-endpoint"_s), (QStringList { u"removed"_s, u"added"_s }));
    }

    void rotatingACredentialLeavesTheOthers()
    {
        const QHash<QString, Seen> before = snapshot();
        const int events = window().eventModel()->rowCount();
        // What the credentials dialog does after a committed rotation: the new metadata, then the secret.
        const QByteArray rotated = m_secret + "-rotated";
        m_sim.setAcceptedTokens({ m_secret, rotated });
        AppConfig next = window().config();
        recordNewSecret(next.credentials[0], rotated, QDateTime::currentDateTimeUtc());
        QVERIFY(window().applyConfig(next));
        m_session->engine().setCredentialSecret(u"llm"_s, rotated);
        verifyOthersUntouched(before, events, { u"tok"_s });
        QVERIFY(seen(u"tok"_s).probes > before.value(u"tok"_s).probes);
        QCOMPARE(seen(u"tok"_s).overall, SignalState::Ok);
    }

    void newUrlStartsThatEndpointOverOnly()
    {
        const QHash<QString, Seen> before = snapshot();
        const int events = window().eventModel()->rowCount();
        AppConfig next = window().config();
        next.endpoints[table()->rowOfKey(u"down"_s)].url = m_sim.url(u"/healthy?fixed"_s);
        QVERIFY(window().applyConfig(next));
        QVERIFY(advanceUntil([this] { return seen(u"down"_s).overall == SignalState::Ok; }, 5s));
        QCOMPARE(seen(u"down"_s).circuit, CircuitState::Closed);
        QVERIFY(seen(u"down"_s).probes < before.value(u"down"_s).probes);
        verifyOthersUntouched(before, events, { u"down"_s });
        QCOMPARE(configEventsOf(u"down-endpoint"_s), QStringList { u"URL changed: states start over"_s });
    }

    void theEditorSavesOnlyItsEndpoint()
    {
        // The editor sends its one endpoint, not the whole config it was opened with: a change that landed
        // while it was open (another operator's reload, a credential rotation) stays.
        const int row = table()->rowOfKey(u"ok"_s);
        window().table()->selectRow(window().filterProxy()->mapFromSource(table()->index(row, 0)).row());
        window().action(u"editEndpoint"_s)->trigger();
        auto* editor = window().findChild<EndpointEditorDialog*>();
        QVERIFY(editor);
        EndpointConfig meanwhile = window().config().endpoints.at(table()->rowOfKey(u"auth"_s));
        meanwhile.name = u"auth-meanwhile"_s;
        QString error;
        QVERIFY2(window().controller()->updateEndpoint(meanwhile, &error), qPrintable(error));
        editor->intervalEdit()->setText(u"3s"_s);
        QTest::mouseClick(editor->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save), Qt::LeftButton);
        QTRY_COMPARE(window().config().endpoints.at(table()->rowOfKey(u"ok"_s)).interval, Millis(3s));
        QCOMPARE(window().config().endpoints.at(table()->rowOfKey(u"auth"_s)).name, u"auth-meanwhile"_s);
        QCOMPARE(
            loadConfigFile(m_dir->filePath(u"config.json"_s)).config->endpoints.at(table()->rowOfKey(u"auth"_s)).name,
            u"auth-meanwhile"_s);
    }

    void editorProbeUsesTheSessionsSecret()
    {
        // An unsaved endpoint on the route that requires the secret: the probe must carry the real one.
        EndpointConfig fresh;
        fresh.name = u"probe-with-secret"_s;
        fresh.url = m_sim.url(u"/auth/bearer?editor"_s);
        fresh.credential = u"llm"_s;
        const int before = m_sim.requestCount(u"/auth/bearer"_s);
        window().table()->clearSelection();
        window().action(u"addEndpoint"_s)->trigger();
        auto* editor = window().findChild<EndpointEditorDialog*>();
        QVERIFY(editor);
        editor->nameEdit()->setText(fresh.name);
        editor->urlEdit()->setText(fresh.url.toString());
        auto* credential = editor->findChild<QComboBox*>(u"credentialBox"_s);
        QVERIFY(credential);
        credential->setCurrentIndex(credential->findData(u"llm"_s));
        QSignalSpy done(editor, &EndpointEditorDialog::probeFinished);
        QTest::mouseClick(editor->probeButton(), Qt::LeftButton);
        QVERIFY(advanceUntil([&done] { return !done.isEmpty(); }, 5s));
        QVERIFY2(editor->probeText().startsWith(u"OK"_s), qPrintable(editor->probeText()));
        QVERIFY(m_sim.requestCount(u"/auth/bearer"_s) > before);
        QVERIFY(!editor->probeText().contains(QString::fromLatin1(m_secret)));
        editor->reject();
    }

    void cleanupTestCase()
    {
        m_session.reset();
        m_store.reset();
        m_dir.reset();
    }
};

QTEST_MAIN(TestIncrementalConfig)
#include "tst_incrementalconfig.moc"
