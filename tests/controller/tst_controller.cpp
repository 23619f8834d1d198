// SPDX-License-Identifier: GPL-3.0-or-later
// The controller without widgets (issue 13 point 2): the session the window and --headless drive. Against the
// simulator on loopback and the real keychain (tools/run-tests.sh runs gnome-keyring in a private D-Bus
// session; the test skips, saying why, without one): editing, adding, renaming and removing one endpoint,
// reloading the file and rotating a credential through the controller leave every other endpoint's states,
// circuit, probe count and event log as they were; the editor's one-shot probe carries the real secret.
// The network is real; the session's time is simulated (ControllerOptions::clock, tests/support/SimulatedClock):
// the circuit that opens after several failures at 1 s intervals, and the seconds of probing after each change,
// pass in a fraction of a second of real time.
#include "config/ConfigLoader.h"
#include "controller/Controller.h"
#include "credentials/CredentialRotation.h"
#include "credentials/CredentialSecret.h"
#include "credentials/CredentialStoreWait.h"
#include "credentials/KeychainCredentialStore.h"
#include "credentials/TestSecrets.h"
#include "simulator/Simulator.h"
#include "support/SimulatedClock.h"
#include "support/UntouchedEndpoints.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace sd;
using namespace sd::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestController : public QObject {
    Q_OBJECT
private:
    Simulator m_sim;
    KeychainCredentialStore m_keychain; ///< the test's own handle on the keychain the controller opens
    QString m_credential; ///< unique per run: the Qt and curl runs share the keyring
    QByteArray m_secret;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<SimulatedClock> m_clock; ///< the controller's time: moves only when the test says so
    std::unique_ptr<Controller> m_controller;
    QHash<QString, EndpointStatus> m_status; ///< by endpoint key, from the batches
    QList<EngineEvent> m_events; ///< every event the controller's batches carried
    int m_batches = 0;

    QString configPath() const { return m_dir->filePath(u"config.json"_s); }

    QStringList configEventsOf(const QString& name) const
    {
        QStringList out;
        for (const EngineEvent& e : m_events)
            if (e.kind == EngineEvent::Kind::Config && e.endpoint == name)
                out << e.reason;
        return out;
    }

    Seen seen(const QString& key) const
    {
        const auto it = m_status.constFind(key);
        if (it == m_status.cend())
            return {};
        return Seen::of(*it, configEventsOf(it->name).size());
    }

    QHash<QString, Seen> snapshot() const
    {
        QHash<QString, Seen> out;
        for (const EndpointConfig& e : m_controller->config().endpoints)
            out.insert(endpointKey(e), seen(endpointKey(e)));
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

    /// Two seconds of probing after a change (every endpoint probed again, a few batches), then every
    /// endpoint but `changed` kept its states, circuit and count (a restart would put them back to unknown,
    /// closed and 0), and got no config event.
    void verifyOthersUntouched(const QHash<QString, Seen>& before, const QStringList& changed)
    {
        const int batches = m_batches;
        QVERIFY2(m_clock->advance(2s), qPrintable(m_clock->errorString()));
        QVERIFY(m_batches >= batches + 4);
        for (auto it = before.cbegin(); it != before.cend(); ++it) {
            if (changed.contains(it.key()))
                continue;
            const QString changedHow = whatChanged(*it, seen(it.key()));
            QVERIFY2(changedHow.isEmpty(), qPrintable(it.key() + u": "_s + changedHow));
        }
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setApplicationName(u"signaldeck-tst-controller"_s);
        m_credential = QString::fromLatin1(test::randomToken("tstctl", 4));
        m_secret = test::randomToken();
        const CredentialReply probe = readAndWait(m_keychain, m_credential);
        if (probe.error != CredentialError::None && probe.error != CredentialError::NotFound)
            QSKIP("no Secret Service here; run under tools/run-tests.sh (dbus-run-session + gnome-keyring)");
        QCOMPARE(writeAndWait(m_keychain, m_credential, m_secret).error, CredentialError::None);

        QVERIFY2(m_sim.start(), qPrintable(m_sim.errorString()));
        m_sim.setAcceptedTokens({ m_secret });
        m_dir = std::make_unique<QTemporaryDir>();
        AppConfig config;
        CredentialConfig llm;
        llm.id = m_credential;
        recordNewSecret(llm, m_secret, QDateTime::currentDateTimeUtc().addDays(-1));
        config.credentials = { llm };
        config.endpoints = watchedEndpoints(m_sim, m_credential);
        QVERIFY(saveConfigFile(configPath(), config));

        ControllerOptions options;
        options.config = *loadConfigFile(configPath()).config;
        options.configPath = configPath();
        options.dataDir = m_dir->filePath(u"data"_s);
        options.auditPath = m_dir->filePath(u"audit.jsonl"_s);
        m_clock = std::make_shared<SimulatedClock>();
        options.clock = m_clock;
        // No store given: the controller opens the OS keychain itself, as the app does.
        m_controller = std::make_unique<Controller>(options);
        connect(m_controller.get(), &Controller::batchReady, this, [this](const EngineBatch& batch) {
            ++m_batches;
            for (const EndpointStatus& s : batch.statuses)
                m_status.insert(s.key, s);
            m_events += batch.events;
        });
        QSignalSpy read(m_controller.get(), &Controller::credentialsRead);
        m_controller->start();
        QVERIFY(read.wait(10'000));
        QVERIFY(m_controller->credentialsLoaded());
        QVERIFY(m_controller->credentialState().secrets.contains(m_credential));
        QVERIFY(m_controller->credentialState().secrets.value(m_credential).isEmpty()); // the value is not kept
        // "down" fails at every 1 s probe, retried, until its circuit opens: a minute of simulated time at most.
        QVERIFY(advanceUntil([this] { return watchedSettled([this](const QString& key) { return seen(key); }); }, 60s));
    }

    void editingOneEndpointLeavesTheOthers()
    {
        const QHash<QString, Seen> before = snapshot();
        EndpointConfig edited = m_controller->config().endpoints.at(0);
        QCOMPARE(edited.id, u"ok"_s);
        edited.interval = 2s;
        QSignalSpy applied(m_controller.get(), &Controller::configApplied);
        QString error;
        QVERIFY2(m_controller->updateEndpoint(edited, &error), qPrintable(error));
        QCOMPARE(applied.size(), 1);
        QCOMPARE(m_controller->config().endpoints.at(0).interval, Millis(2s));
        // Saved atomically, with its id.
        const ConfigParseResult saved = loadConfigFile(configPath());
        QCOMPARE(saved.config->endpoints.at(0).interval, Millis(2s));
        QCOMPARE(saved.config->endpoints.at(0).id, u"ok"_s);
        verifyOthersUntouched(before, { u"ok"_s });
        // A new interval invalidates neither the edited endpoint's states nor its count.
        QCOMPARE(seen(u"ok"_s).overall, SignalState::Ok);
        QVERIFY(seen(u"ok"_s).probes >= before.value(u"ok"_s).probes);
        QCOMPARE(configEventsOf(u"ok-endpoint"_s), QStringList { u"interval 1s \u2192 2s"_s });
    }

    void anInvalidEditChangesNothing()
    {
        const AppConfig running = m_controller->config();
        EndpointConfig bad = running.endpoints.at(1);
        bad.name = running.endpoints.at(0).name; // names are unique
        QSignalSpy applied(m_controller.get(), &Controller::configApplied);
        QString error;
        QVERIFY(!m_controller->updateEndpoint(bad, &error));
        QVERIFY2(error.contains(u"name"_s), qPrintable(error));
        QVERIFY(!m_controller->updateEndpoint(quickEndpoint(u"nowhere"_s, m_sim.url(u"/healthy"_s)), &error));
        QVERIFY2(error.contains(u"nowhere"_s), qPrintable(error));
        QCOMPARE(applied.size(), 0);
        QCOMPARE(m_controller->config(), running);
        QCOMPARE(*loadConfigFile(configPath()).config, running);
    }

    void addingOneEndpointLeavesTheOthers()
    {
        const QHash<QString, Seen> before = snapshot();
        EndpointConfig added = quickEndpoint(QString(), m_sim.url(u"/healthy?added"_s));
        added.name = u"added-endpoint"_s;
        QVERIFY(m_controller->addEndpoint(added));
        // A new endpoint gets a stable id from its name, in the file too.
        const QString key = endpointKey(m_controller->config().endpoints.constLast());
        QVERIFY(!key.isEmpty());
        QCOMPARE(loadConfigFile(configPath()).config->endpoints.constLast().id, key);
        QVERIFY(advanceUntil([&] { return seen(key).overall == SignalState::Ok; }, 5s));
        verifyOthersUntouched(before, {});
        QCOMPARE(configEventsOf(u"added-endpoint"_s), QStringList { u"added"_s });
    }

    void renamingOneEndpointKeepsItsStatesAndTheOthers()
    {
        const QHash<QString, Seen> before = snapshot();
        EndpointConfig renamed = m_controller->config().endpoints.at(2);
        QCOMPARE(renamed.id, u"auth"_s);
        renamed.name = u"auth-renamed"_s;
        QVERIFY(m_controller->updateEndpoint(renamed));
        verifyOthersUntouched(before, { u"auth"_s });
        QCOMPARE(seen(u"auth"_s).states[1], SignalState::Critical);
        QVERIFY(seen(u"auth"_s).probes >= before.value(u"auth"_s).probes);
        QCOMPARE(configEventsOf(u"auth-renamed"_s), QStringList { u"renamed from auth-endpoint"_s });
    }

    void removingOneEndpointLeavesTheOthers()
    {
        const QHash<QString, Seen> before = snapshot();
        const QString key = endpointKey(m_controller->config().endpoints.constLast());
        QVERIFY(m_controller->removeEndpoints({ key }));
        QCOMPARE(m_controller->config().endpoints.size(), 4);
        QVERIFY(!m_controller->statuses().isEmpty());
        for (const EndpointStatus& s : m_controller->statuses())
            QVERIFY(s.key != key);
        verifyOthersUntouched(before, { key });
        QCOMPARE(configEventsOf(u"added-endpoint"_s), (QStringList { u"added"_s, u"removed"_s }));
    }

    void reloadingTheFileAppliesOnlyWhatChanged()
    {
        // What SIGHUP does in --headless: the file changed under the running session.
        const QHash<QString, Seen> before = snapshot();
        AppConfig file = *loadConfigFile(configPath()).config;
        file.endpoints[0].interval = 3s;
        QVERIFY(saveConfigFile(configPath(), file));
        const Controller::Reload reload = m_controller->reloadConfigFile();
        QVERIFY2(reload.ok, qPrintable(reload.message));
        QCOMPARE(reload.message, u"4 endpoints (+0 \u22120 ~1)"_s);
        QCOMPARE(m_controller->config().endpoints.at(0).interval, Millis(3s));
        verifyOthersUntouched(before, { u"ok"_s });

        // A file that does not read is refused with its path and errors; the running config stays.
        QFile broken(configPath());
        QVERIFY(broken.open(QIODevice::WriteOnly | QIODevice::Truncate));
        broken.write("{ \"endpoints\": [ { \"name\": 3 } ] }");
        broken.close();
        const Controller::Reload refused = m_controller->reloadConfigFile();
        QVERIFY(!refused.ok);
        QVERIFY2(refused.message.startsWith(configPath()), qPrintable(refused.message));
        QCOMPARE(m_controller->config().endpoints.at(0).interval, Millis(3s));
        QVERIFY(saveConfigFile(configPath(), m_controller->config()));
    }

    void rotatingACredentialReprobesOnlyItsEndpoints()
    {
        const QHash<QString, Seen> before = snapshot();
        const QByteArray rotated = test::randomToken("rot");
        // From now on only the new secret is accepted: "tok" stays OK only if the engine got it.
        m_sim.setAcceptedTokens({ rotated });
        QSignalSpy applied(m_controller.get(), &Controller::credentialChangeApplied);
        QVERIFY(m_controller->credentialRotation()->commit(m_credential, rotated, std::nullopt));
        QVERIFY(applied.wait(10'000));
        const auto change = applied.at(0).at(0).value<CredentialChange>();
        QVERIFY2(change.ok(), qPrintable(change.message));
        // The running config and the file carry the new fingerprint; the keychain the new secret.
        QCOMPARE(m_controller->config().credentials.at(0).fingerprint, credentialFingerprint(rotated));
        QCOMPARE(loadConfigFile(configPath()).config->credentials.at(0).fingerprint, credentialFingerprint(rotated));
        QCOMPARE(readAndWait(m_keychain, m_credential).secret, rotated);
        // Probed at once, not at its next 1 s interval: the first batch (every 200 ms) carries the new probe.
        const qint64 tokProbes = seen(u"tok"_s).probes;
        const auto rotatedAt = m_clock->elapsed();
        QVERIFY(advanceUntil([&] { return seen(u"tok"_s).probes > tokProbes; }, 5s));
        QVERIFY2(m_clock->elapsed() - rotatedAt <= 200ms,
            qPrintable(
                QStringLiteral("probed %1 ms after the rotation").arg((m_clock->elapsed() - rotatedAt).count())));
        QCOMPARE(seen(u"tok"_s).overall, SignalState::Ok);
        verifyOthersUntouched(before, { u"tok"_s });
        QCOMPARE(seen(u"tok"_s).overall, SignalState::Ok);
        m_secret = rotated;
    }

    void editorProbeUsesTheRealSecret()
    {
        // An unsaved endpoint on the route that requires the secret, probed once through the controller.
        EndpointConfig fresh = quickEndpoint(u"unsaved"_s, m_sim.url(u"/auth/bearer?editor"_s));
        fresh.credential = m_credential;
        const int requests = m_sim.requestCount(u"/auth/bearer"_s);
        QSignalSpy done(m_controller.get(), &Controller::oneShotFinished);
        const quint64 id = m_controller->probeOnce(fresh);
        QVERIFY(advanceUntil([&done] { return !done.isEmpty(); }, 5s));
        QCOMPARE(done.at(0).at(0).toULongLong(), id);
        const auto result = done.at(0).at(1).value<ProbeResult>();
        QCOMPARE(result.httpStatus, 200);
        QCOMPARE(result.signal, FailureSignal::None);
        QVERIFY(m_sim.requestCount(u"/auth/bearer"_s) > requests);
        QVERIFY(!result.reason.contains(QString::fromLatin1(m_secret)));
        // Not in the config, not in the engine's endpoints.
        for (const EndpointStatus& s : m_controller->statuses())
            QVERIFY(s.key != u"unsaved"_s);
    }

    void pausingIsTheControllers()
    {
        QSignalSpy paused(m_controller.get(), &Controller::pausedChanged);
        m_controller->setPaused(true);
        m_controller->setPaused(true);
        QCOMPARE(paused.size(), 1);
        QVERIFY(m_controller->paused());
        m_controller->setPaused(false);
        QCOMPARE(paused.size(), 2);
    }

    void singleEndpointIntentsKeepMaintenanceWindowsValid()
    {
        // The window sends one endpoint's edit or removal, not a whole config: a maintenance window that
        // names the endpoint must not make the change unsavable (the file would not load again).
        AppConfig next = m_controller->config();
        MaintenanceWindow window;
        window.endpoints = { next.endpoints.at(0).name, next.endpoints.at(1).name };
        window.reason = u"planned"_s;
        next.maintenance = { window };
        QString error;
        QVERIFY2(m_controller->applyConfig(next, &error), qPrintable(error));

        EndpointConfig renamed = m_controller->config().endpoints.at(0);
        const QString oldName = renamed.name;
        renamed.name = oldName + u"-renamed"_s;
        QVERIFY2(m_controller->updateEndpoint(renamed, &error), qPrintable(error));
        // A rename keeps the endpoint in its window under the new name (by its id), in memory and on disk.
        QCOMPARE(m_controller->config().maintenance.size(), 1);
        QCOMPARE(m_controller->config().maintenance.at(0).endpoints,
            (QStringList { renamed.name, next.endpoints.at(1).name }));
        QCOMPARE(*loadConfigFile(configPath()).config, m_controller->config());

        // A removal drops the name; a window that names no endpoint any more goes.
        QVERIFY2(m_controller->removeEndpoints({ endpointKey(next.endpoints.at(1)) }, &error), qPrintable(error));
        QCOMPARE(m_controller->config().maintenance.size(), 1);
        QCOMPARE(m_controller->config().maintenance.at(0).endpoints, QStringList { renamed.name });
        QCOMPARE(*loadConfigFile(configPath()).config, m_controller->config());
        QVERIFY2(m_controller->removeEndpoints({ endpointKey(renamed) }, &error), qPrintable(error));
        QVERIFY(m_controller->config().maintenance.isEmpty()); // it named no endpoint any more
        QCOMPARE(*loadConfigFile(configPath()).config, m_controller->config());
    }

    void cleanupTestCase()
    {
        if (m_controller)
            QVERIFY2(m_controller->stop(), qPrintable(m_controller->historyFlushError()));
        m_controller.reset();
        if (!m_credential.isEmpty()) {
            removeAndWait(m_keychain, m_credential);
            removeAndWait(m_keychain, CredentialStore::previousKey(m_credential));
        }
        m_dir.reset();
    }
};

QTEST_GUILESS_MAIN(TestController)
#include "tst_controller.moc"
