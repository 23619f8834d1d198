// SPDX-License-Identifier: GPL-3.0-or-later
// Manual rotation as an operator does it, against the simulator: verify a candidate with real probes,
// commit, roll back, delete; the engine's S2 follows. Logic runs on the in-memory store; the end-to-end case
// runs on the real OS keychain when there is one. No secret may reach the config, the audit trail or a log.
#include "TestSecrets.h"
#include "config/ConfigLoader.h"
#include "credentials/CredentialRotation.h"
#include "credentials/CredentialSecret.h"
#include "credentials/CredentialStoreWait.h"
#include "credentials/InMemoryCredentialStore.h"
#include "credentials/KeychainCredentialStore.h"
#include "schedule/Engine.h"
#include "simulator/Simulator.h"

#include <QFile>
#include <QLoggingCategory>
#include <QMutex>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace sd;
using namespace sd::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

QMutex g_logMutex;
QStringList g_log;
QtMessageHandler g_previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    {
        QMutexLocker lock(&g_logMutex);
        g_log.append(message);
    }
    if ((type == QtWarningMsg || type == QtCriticalMsg || type == QtFatalMsg) && g_previousHandler)
        g_previousHandler(type, context, message);
}

QByteArray fileBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestCredentialRotation : public QObject {
    Q_OBJECT
private:
    Simulator m_sim;
    std::unique_ptr<QTemporaryDir> m_dir;

    QString configPath() const { return m_dir->filePath(u"config.json"_s); }
    QString auditPath() const { return m_dir->filePath(u"audit/credentials-audit.jsonl"_s); }

    // Two endpoints on the simulator's token route, both using credential `id`.
    QList<EndpointConfig> endpointsFor(const QString& id) const
    {
        QList<EndpointConfig> endpoints;
        for (const QString& name : { u"chat"_s, u"models"_s }) {
            EndpointConfig e;
            e.name = name;
            e.url = m_sim.url(u"/auth/bearer?e="_s + name);
            e.credential = id;
            e.interval = 1s;
            e.adaptiveTimeout = false;
            e.timeout = 2s;
            endpoints.append(e);
        }
        return endpoints;
    }

    // One bearer credential, with or without the endpoints that use it.
    AppConfig writeConfig(const QString& id, bool withEndpoints = true)
    {
        AppConfig config;
        CredentialConfig c;
        c.id = id;
        c.label = u"LLM API"_s;
        config.credentials.append(c);
        if (withEndpoints)
            config.endpoints = endpointsFor(id);
        QString error;
        if (!saveConfigFile(configPath(), config, &error))
            qWarning() << error;
        return config;
    }

    static CredentialChange waitFor(CredentialRotation& rotation, const std::function<bool()>& start)
    {
        QSignalSpy spy(&rotation, &CredentialRotation::finished);
        if (!start() || !spy.wait(20'000))
            return {};
        return spy.at(0).at(0).value<CredentialChange>();
    }

    static CredentialVerification verify(CredentialRotation& rotation, const QString& id, const QByteArray& candidate)
    {
        QSignalSpy spy(&rotation, &CredentialRotation::verified);
        if (!rotation.verify(id, candidate) || !spy.wait(20'000))
            return {};
        return spy.at(0).at(0).value<CredentialVerification>();
    }

    static EndpointStatus statusOf(Engine& engine, const QString& name)
    {
        for (const EndpointStatus& s : engine.statuses()) {
            if (s.name == name)
                return s;
        }
        return {};
    }

    static SignalState s2(Engine& engine, const QString& name)
    {
        return statusOf(engine, name).states[static_cast<std::size_t>(signalIndex(FailureSignal::S2))];
    }

    void verifyNoSecretAnywhere(const QList<QByteArray>& secrets)
    {
        const QByteArray config = fileBytes(configPath());
        const QByteArray audit = fileBytes(auditPath());
        QStringList log;
        {
            QMutexLocker lock(&g_logMutex);
            log = g_log;
        }
        const QByteArray logText = log.join(u'\n').toUtf8();
        QVERIFY(!logText.isEmpty()); // debug logging was on: there is something to search
        for (const QByteArray& secret : secrets) {
            QVERIFY2(!config.contains(secret), "a secret reached the config");
            QVERIFY2(!audit.contains(secret), "a secret reached the audit trail");
            QVERIFY2(!logText.contains(secret), "a secret reached the log");
            // Not in base64 either (the Basic form, or QtKeychain's own storage form).
            QVERIFY(!config.contains(secret.toBase64()) && !logText.contains(secret.toBase64()));
        }
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLoggingCategory::setFilterRules(u"signaldeck.*.debug=true"_s);
        g_previousHandler = qInstallMessageHandler(captureMessage);
        QVERIFY2(m_sim.start(), qPrintable(m_sim.errorString()));
    }
    void cleanupTestCase() { qInstallMessageHandler(g_previousHandler); }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_sim.setAcceptedTokens({});
    }

    void wrongCandidateFailsVerifyAndNothingIsCommitted()
    {
        const QByteArray current = randomToken("current");
        const QByteArray wrong = randomToken("wrong");
        m_sim.setAcceptedTokens({ current });
        writeConfig(u"llm"_s);
        InMemoryCredentialStore store;
        store.setEntries({ { u"llm"_s, current } });
        const QByteArray configBefore = fileBytes(configPath());
        CredentialRotation rotation(&store, configPath(), CredentialAuditLog(auditPath()));

        const CredentialVerification v = verify(rotation, u"llm"_s, wrong);
        QVERIFY(!v.passed);
        QCOMPARE(v.endpoints.size(), 2);
        for (const EndpointVerification& e : v.endpoints) {
            QCOMPARE(e.httpStatus, 401);
            QCOMPARE(e.signal, FailureSignal::S2);
        }
        QVERIFY2(v.summary.startsWith(u"failed: refused by chat"_s), qPrintable(v.summary));

        const CredentialChange change = waitFor(rotation, [&] { return rotation.commit(u"llm"_s, wrong, v); });
        QCOMPARE(change.status, CredentialChange::Status::Refused);
        QCOMPARE(store.entries(), (QHash<QString, QByteArray> { { u"llm"_s, current } }));
        QCOMPARE(fileBytes(configPath()), configBefore);
        QVERIFY(!QFile::exists(auditPath()));
        verifyNoSecretAnywhere({ current, wrong });
    }

    void commitKeepsPreviousRollbackSwapsDeleteRemovesAll()
    {
        const QByteArray old = randomToken("old");
        const QByteArray fresh = makeJwt(QDateTime::currentDateTimeUtc().addDays(30).toSecsSinceEpoch());
        m_sim.setAcceptedTokens({ fresh });
        writeConfig(u"llm"_s);
        InMemoryCredentialStore store;
        store.setEntries({ { u"llm"_s, old } });
        CredentialRotation rotation(&store, configPath(), CredentialAuditLog(auditPath()));
        const QDateTime now(QDate(2030, 2, 1), QTime(9, 30), Qt::UTC);
        // The clock is called again and again: its captured time must stay, so returning a copy is right.
        rotation.setClock([now] { return now; }); // NOLINT(performance-no-automatic-move)

        const CredentialVerification v = verify(rotation, u"llm"_s, fresh);
        QVERIFY2(v.passed, qPrintable(v.summary));
        QCOMPARE(v.summary, u"passed: accepted by 2 of 2 endpoints"_s);

        CredentialChange change = waitFor(rotation, [&] { return rotation.commit(u"llm"_s, fresh, v); });
        QVERIFY2(change.ok(), qPrintable(change.message));
        QCOMPARE(change.secret, fresh);
        QCOMPARE(store.entries().value(u"llm"_s), fresh);
        QCOMPARE(store.entries().value(u"llm.previous"_s), old);
        const CredentialConfig meta = loadConfigFile(configPath()).config->credentials.first();
        QCOMPARE(meta.fingerprint, credentialFingerprint(fresh));
        QCOMPARE(meta.rotated, now);
        QCOMPARE(meta.expires.date(), QDateTime::currentDateTimeUtc().addDays(30).date());
        QCOMPARE(change.metadata->fingerprint, meta.fingerprint);

        const QList<CredentialAuditEntry> audit = CredentialAuditLog(auditPath()).entries();
        QCOMPARE(audit.size(), 1);
        QCOMPARE(audit[0].action, u"rotate"_s);
        QCOMPARE(audit[0].credential, u"llm"_s);
        QCOMPARE(audit[0].oldFingerprint, credentialFingerprint(old));
        QCOMPARE(audit[0].newFingerprint, credentialFingerprint(fresh));
        QCOMPARE(audit[0].verification, v.summary);
        QCOMPARE(audit[0].time, now);
        QVERIFY(!audit[0].user.isEmpty());

        change = waitFor(rotation, [&] { return rotation.rollback(u"llm"_s); });
        QVERIFY2(change.ok(), qPrintable(change.message));
        QCOMPARE(change.secret, old);
        QCOMPARE(store.entries().value(u"llm"_s), old);
        QCOMPARE(store.entries().value(u"llm.previous"_s), fresh); // the rollback can be undone
        QCOMPARE(loadConfigFile(configPath()).config->credentials.first().fingerprint, credentialFingerprint(old));
        QVERIFY(!loadConfigFile(configPath()).config->credentials.first().expires.isValid());

        change = waitFor(rotation, [&] { return rotation.remove(u"llm"_s); });
        QCOMPARE(change.status, CredentialChange::Status::Refused); // chat and models still use it
        QVERIFY2(change.message.contains(u"chat, models"_s), qPrintable(change.message));
        QCOMPARE(store.entries().size(), 2);

        writeConfig(u"llm"_s, false);
        change = waitFor(rotation, [&] { return rotation.remove(u"llm"_s); });
        QVERIFY2(change.ok(), qPrintable(change.message));
        QVERIFY(store.entries().isEmpty());
        QVERIFY(loadConfigFile(configPath()).config->credentials.isEmpty());
        QStringList actions;
        for (const CredentialAuditEntry& e : CredentialAuditLog(auditPath()).entries())
            actions.append(e.action);
        QCOMPARE(actions, (QStringList { u"rotate"_s, u"rollback"_s, u"delete"_s }));
        verifyNoSecretAnywhere({ old, fresh });
    }

    void noKeychainChangesNothing()
    {
        writeConfig(u"llm"_s);
        const QByteArray configBefore = fileBytes(configPath());
        InMemoryCredentialStore store;
        store.setFailure(CredentialError::NoKeychain);
        CredentialRotation rotation(&store, configPath(), CredentialAuditLog(auditPath()));
        const QByteArray secret = randomToken();
        const CredentialChange change = waitFor(rotation, [&] { return rotation.commit(u"llm"_s, secret, {}); });
        QCOMPARE(change.status, CredentialChange::Status::Keychain);
        QCOMPARE(change.keychainError, CredentialError::NoKeychain);
        QVERIFY(change.secret.isEmpty());
        QCOMPARE(fileBytes(configPath()), configBefore);
        QVERIFY(!QFile::exists(auditPath()));

        CredentialConfig added;
        added.id = u"other"_s;
        const CredentialChange add = waitFor(rotation, [&] { return rotation.add(added, secret); });
        QCOMPARE(add.status, CredentialChange::Status::Keychain);
        QCOMPARE(fileBytes(configPath()), configBefore);
    }

    void endToEndOnTheRealKeychain()
    {
        KeychainCredentialStore store;
        const QString id = u"tst-e2e-"_s + QString::fromLatin1(randomToken("id", 4));
        {
            const CredentialReply probe = readAndWait(store, id);
            if (probe.error != CredentialError::None && probe.error != CredentialError::NotFound)
                QSKIP("no Secret Service here; run under tools/run-tests.sh (dbus-run-session + gnome-keyring)");
        }
        const QByteArray expired = makeJwt(QDateTime::currentDateTimeUtc().addSecs(-3600).toSecsSinceEpoch());
        const QByteArray valid = makeJwt(QDateTime::currentDateTimeUtc().addDays(30).toSecsSinceEpoch());

        // The first secret goes in the way an operator adds it; then two endpoints start using it.
        QVERIFY(saveConfigFile(configPath(), AppConfig {}));
        CredentialRotation rotation(&store, configPath(), CredentialAuditLog(auditPath()));
        CredentialConfig meta;
        meta.id = id;
        const CredentialChange added = waitFor(rotation, [&] { return rotation.add(meta, expired); });
        QVERIFY2(added.ok(), qPrintable(added.message));
        AppConfig config = *loadConfigFile(configPath()).config;
        QCOMPARE(config.credentials.first().expires, *jwtExpiry(expired));
        config.endpoints = endpointsFor(id);
        QVERIFY(saveConfigFile(configPath(), config));

        // The engine reads the secret from the keychain once and probes with it: 401, S2 Critical.
        Engine engine;
        QSignalSpy batches(&engine, &Engine::batchReady);
        engine.setConfig(config);
        const CredentialReply stored = readAndWait(store, id);
        QVERIFY2(stored.ok(), qPrintable(stored.message));
        QCOMPARE(stored.secret, expired);
        engine.setCredentialSecrets({ { id, stored.secret } });
        engine.start();
        // Critical from the start (the JWT has expired), then the probes' 401 says the same.
        QCOMPARE(s2(engine, u"chat"_s), SignalState::Critical);
        QTRY_VERIFY_WITH_TIMEOUT(statusOf(engine, u"chat"_s).probes >= 1, 10'000);
        QCOMPARE(s2(engine, u"chat"_s), SignalState::Critical);
        const QString reason = statusOf(engine, u"chat"_s).reasons[1];
        QVERIFY2(reason.contains(u"invalid_token"_s) && reason.contains(u"credential expired"_s), qPrintable(reason));
        QVERIFY(m_sim.requestCount(u"/auth/bearer"_s) >= 2);

        // Rotate: verify shows every endpoint OK with the candidate, then commit; S2 clears on the next probe.
        m_sim.setAcceptedTokens({ valid });
        const CredentialVerification v = verify(rotation, id, valid);
        QVERIFY2(v.passed, qPrintable(v.summary));
        for (const EndpointVerification& e : v.endpoints)
            QCOMPARE(e.outcome, Outcome::Ok);
        const CredentialChange rotated = waitFor(rotation, [&] { return rotation.commit(id, valid, v); });
        QVERIFY2(rotated.ok(), qPrintable(rotated.message));
        engine.setCredentialMetadata({ *rotated.metadata });
        engine.setCredentialSecret(id, rotated.secret);
        QTRY_COMPARE_WITH_TIMEOUT(s2(engine, u"chat"_s), SignalState::Ok, 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(s2(engine, u"models"_s), SignalState::Ok, 10'000);
        QCOMPARE(statusOf(engine, u"chat"_s).overall, SignalState::Ok);
        engine.stop();

        QCOMPARE(readAndWait(store, id).secret, valid);
        QCOMPARE(readAndWait(store, CredentialStore::previousKey(id)).secret, expired);
        QProcess tool;
        tool.start(u"secret-tool"_s, { u"search"_s, u"--all"_s, u"server"_s, u"signaldeck"_s, u"user"_s, id });
        QVERIFY(tool.waitForFinished(10'000));
        const QByteArray found = tool.readAllStandardOutput() + tool.readAllStandardError();
        QVERIFY2(found.contains(QByteArray(QByteArray("attribute.user = ") + id.toUtf8())), found.constData());

        const CredentialChange rolledBack = waitFor(rotation, [&] { return rotation.rollback(id); });
        QVERIFY2(rolledBack.ok(), qPrintable(rolledBack.message));
        QCOMPARE(readAndWait(store, id).secret, expired);

        config = *loadConfigFile(configPath()).config;
        config.endpoints.clear();
        QVERIFY(saveConfigFile(configPath(), config));
        const CredentialChange deleted = waitFor(rotation, [&] { return rotation.remove(id); });
        QVERIFY2(deleted.ok(), qPrintable(deleted.message));
        QCOMPARE(readAndWait(store, id).error, CredentialError::NotFound);
        QCOMPARE(readAndWait(store, CredentialStore::previousKey(id)).error, CredentialError::NotFound);

        QStringList actions;
        for (const CredentialAuditEntry& e : CredentialAuditLog(auditPath()).entries())
            actions.append(e.action);
        QCOMPARE(actions, (QStringList { u"add"_s, u"rotate"_s, u"rollback"_s, u"delete"_s }));
        verifyNoSecretAnywhere({ expired, valid });
        for (const QList<QVariant>& batch : std::as_const(batches)) {
            for (const ProbeResult& r : batch.at(0).value<EngineBatch>().results) {
                QVERIFY(!r.reason.toUtf8().contains(valid) && !r.reason.toUtf8().contains(expired));
                QVERIFY(!r.url.toUtf8().contains(valid));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestCredentialRotation)
#include "tst_credentialrotation.moc"
