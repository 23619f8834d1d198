// SPDX-License-Identifier: GPL-3.0-or-later
// The engine with credentials: secrets attached per scheme, endpoints without a usable secret not probed
// and S2 Critical with the reason, advisories raising S2 while probes succeed, a new secret probed at once.
// On simulated time (issue 13.5): the network is real, the engine's clock is the test's.
#include "credentials/TestSecrets.h"
#include "schedule/Engine.h"
#include "simulator/Simulator.h"
#include "support/SimulatedClock.h"

#include <QSignalSpy>
#include <QTest>

using namespace sd;
using namespace sd::test;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

class TestEngineCredentials : public QObject {
    Q_OBJECT
private:
    Simulator m_sim;
    std::shared_ptr<SimulatedClock> m_clock; ///< a fresh one per test

    EngineOptions simulated()
    {
        EngineOptions options;
        options.clock = m_clock;
        return options;
    }

    EndpointConfig endpoint(const QString& name, const QString& route, const QString& credential)
    {
        EndpointConfig e;
        e.name = name;
        e.url = m_sim.url(route);
        e.adaptiveTimeout = false;
        e.timeout = 2s;
        e.interval = 1s;
        e.credential = credential;
        return e;
    }

    static CredentialConfig credential(const QString& id, const QString& scheme)
    {
        CredentialConfig c;
        c.id = id;
        c.scheme = scheme;
        return c;
    }

    static EndpointStatus statusOf(Engine& engine, const QString& name)
    {
        for (const EndpointStatus& s : engine.statuses()) {
            if (s.name == name)
                return s;
        }
        return {};
    }
    static constexpr std::size_t kS2 = 1;

private slots:
    void initTestCase() { QVERIFY2(m_sim.start(), qPrintable(m_sim.errorString())); }
    void init()
    {
        m_sim.resetCounts();
        m_sim.setAcceptedTokens({});
        m_clock = std::make_shared<SimulatedClock>();
    }

    void secretAttachedPerScheme_data()
    {
        QTest::addColumn<QString>("scheme");
        QTest::addColumn<QString>("route");
        QTest::newRow("bearer") << u"bearer"_s << u"/auth/bearer"_s;
        QTest::newRow("header:X-Api-Key") << u"header:X-Api-Key"_s << u"/auth/api-key"_s;
    }
    void secretAttachedPerScheme()
    {
        QFETCH(QString, scheme);
        QFETCH(QString, route);
        const QByteArray token = randomToken();
        m_sim.setAcceptedTokens({ token });
        AppConfig config;
        config.credentials = { credential(u"c"_s, scheme) };
        config.endpoints = { endpoint(u"with"_s, route, u"c"_s), endpoint(u"without"_s, route, {}) };
        Engine engine(simulated());
        QSignalSpy done(&engine, &Engine::onceFinished);
        engine.setConfig(config);
        engine.setCredentialSecrets({ { u"c"_s, token } });
        engine.runOnce();
        QVERIFY2(m_clock->advanceUntil([&done] { return !done.isEmpty(); }, 10s), qPrintable(m_clock->errorString()));
        const auto results = done.at(0).at(0).value<ProbeResults>();
        QCOMPARE(results.at(0).httpStatus, 200);
        QCOMPARE(results.at(1).httpStatus, 401); // no credential configured, none sent
        QCOMPARE(results.at(1).signal, FailureSignal::S2);
    }

    void unavailableCredentialIsNotProbedAndShowsWhy()
    {
        AppConfig config;
        config.credentials = { credential(u"c"_s, u"bearer"_s) };
        config.endpoints
            = { endpoint(u"needs-secret"_s, u"/auth/bearer"_s, u"c"_s), endpoint(u"plain"_s, u"/healthy"_s, {}) };
        Engine engine(simulated());
        engine.setConfig(config);
        engine.setCredentialUnavailable(u"c"_s, u"credential unavailable: no OS keychain"_s);
        engine.start();
        QVERIFY2(m_clock->advanceUntil([this] { return m_sim.requestCount(u"/healthy"_s) >= 2; }, 10s),
            qPrintable(m_clock->errorString()));
        QCOMPARE(m_sim.requestCount(u"/auth/bearer"_s), 0);
        const EndpointStatus s = statusOf(engine, u"needs-secret"_s);
        QCOMPARE(s.states[kS2], SignalState::Critical);
        QCOMPARE(s.reasons[kS2], u"credential unavailable: no OS keychain"_s);
        QCOMPARE(s.pausedBecause, u"credential unavailable: no OS keychain"_s);
        QCOMPARE(s.nextReason, NextProbeReason::Paused);
        QCOMPARE(s.overall, SignalState::Critical);
        QCOMPARE(statusOf(engine, u"plain"_s).overall, SignalState::Ok);

        QSignalSpy answered(&engine, &Engine::probeNowAnswered);
        engine.probeNow(0);
        QVERIFY(answered.wait(5'000));
        QVERIFY2(
            answered.at(0).at(1).toString().contains(u"no OS keychain"_s), qPrintable(answered.at(0).at(1).toString()));

        // The secret arrives: probed at once, S2 clears.
        const QByteArray token = randomToken();
        m_sim.setAcceptedTokens({ token });
        engine.setCredentialSecret(u"c"_s, token);
        QVERIFY(m_clock->advance(0ms)); // at once: what is due now, without moving the clock
        QCOMPARE(m_sim.requestCount(u"/auth/bearer"_s), 1);
        QCOMPARE(statusOf(engine, u"needs-secret"_s).states[kS2], SignalState::Ok);
        QVERIFY(statusOf(engine, u"needs-secret"_s).pausedBecause.isEmpty());
    }

    void checkRunReportsAnUnloadedCredentialInsteadOfWaiting()
    {
        AppConfig config;
        config.credentials = { credential(u"c"_s, u"bearer"_s) };
        config.endpoints = { endpoint(u"needs-secret"_s, u"/auth/bearer"_s, u"c"_s) };
        Engine engine(simulated());
        QSignalSpy done(&engine, &Engine::onceFinished);
        engine.setConfig(config);
        engine.runOnce();
        QVERIFY2(m_clock->advanceUntil([&done] { return !done.isEmpty(); }, 1s), qPrintable(m_clock->errorString()));
        const auto results = done.at(0).at(0).value<ProbeResults>();
        QCOMPARE(results.size(), 1);
        QCOMPARE(results.at(0).outcome, Outcome::Auth);
        QCOMPARE(results.at(0).signal, FailureSignal::S2);
        QCOMPARE(results.at(0).reason, u"credential unavailable: not loaded from the keychain"_s);
        QCOMPARE(results.at(0).attempts, 0);
        QCOMPARE(m_sim.requestCount(u"/auth/bearer"_s), 0);
    }

    void advisoriesRaiseS2WhileProbesSucceed_data()
    {
        QTest::addColumn<qint64>("expiresIn");
        QTest::addColumn<int>("ageDays");
        QTest::addColumn<SignalState>("state");
        QTest::addColumn<QString>("reason");
        QTest::newRow("jwt expires in 2 h") << qint64(7200) << 1 << SignalState::Warning << u"expires in"_s;
        QTest::newRow("older than policy") << qint64(0) << 120 << SignalState::Warning << u"120 days old"_s;
    }
    void advisoriesRaiseS2WhileProbesSucceed()
    {
        QFETCH(qint64, expiresIn);
        QFETCH(int, ageDays);
        QFETCH(SignalState, state);
        QFETCH(QString, reason);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const QByteArray token = expiresIn > 0 ? makeJwt(now.addSecs(expiresIn).toSecsSinceEpoch()) : randomToken();
        m_sim.setAcceptedTokens({ token });
        CredentialConfig c = credential(u"c"_s, u"bearer"_s);
        c.created = now.addDays(-ageDays);
        c.rotated = c.created;
        if (expiresIn > 0)
            c.expires = now.addSecs(expiresIn);
        AppConfig config;
        config.credentials = { c };
        config.endpoints = { endpoint(u"e"_s, u"/auth/bearer"_s, u"c"_s) };
        Engine engine(simulated());
        engine.setConfig(config);
        engine.setCredentialSecrets({ { u"c"_s, token } });
        engine.start();
        QVERIFY2(m_clock->advanceUntil([&] { return statusOf(engine, u"e"_s).probes >= 2; }, 10s),
            qPrintable(m_clock->errorString()));
        const EndpointStatus s = statusOf(engine, u"e"_s);
        QCOMPARE(s.outcomeCounts[static_cast<std::size_t>(Outcome::Ok)], s.probes); // every probe succeeded
        QCOMPARE(s.states[kS2], state);
        QVERIFY2(s.reasons[kS2].contains(reason), qPrintable(s.reasons[kS2]));

        // Rotation metadata clears the advisory without a restart.
        c.rotated = now;
        c.expires = now.addDays(30);
        engine.setCredentialMetadata({ c });
        QVERIFY(m_clock->settle()); // at once: without moving the clock or another probe
        QCOMPARE(statusOf(engine, u"e"_s).states[kS2], SignalState::Ok);
    }
};

QTEST_GUILESS_MAIN(TestEngineCredentials)
#include "tst_enginecredentials.moc"
