// SPDX-License-Identifier: GPL-3.0-or-later
// The engine end to end against the simulator on loopback: transport, classifier, scheduler, policies.
#include "schedule/Engine.h"
#include "simulator/Simulator.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>

using namespace sd;
using namespace std::chrono_literals;

class TestEngine : public QObject {
    Q_OBJECT
private:
    Simulator m_sim;

    EndpointConfig endpoint(const QString& name, const QString& route, Millis timeout = 2s)
    {
        EndpointConfig e;
        e.name = name;
        e.url = m_sim.url(route);
        e.adaptiveTimeout = false;
        e.timeout = timeout;
        e.interval = 1s;
        return e;
    }

    std::pair<ProbeResults, EndpointStatuses> runOnce(const AppConfig& config, Engine& engine)
    {
        QSignalSpy done(&engine, &Engine::onceFinished);
        engine.setConfig(config);
        engine.runOnce();
        if (!done.wait(30'000))
            return {};
        return { done.at(0).at(0).value<ProbeResults>(), done.at(0).at(1).value<EndpointStatuses>() };
    }

private slots:
    void initTestCase() { QVERIFY2(m_sim.start(), qPrintable(m_sim.errorString())); }
    void init() { m_sim.resetCounts(); }

    void everyRouteEndsInItsSignal_data()
    {
        QTest::addColumn<QString>("route");
        QTest::addColumn<QString>("outcome");
        QTest::addColumn<QString>("signal");
        QTest::addColumn<int>("attempts");
        QTest::newRow("healthy") << u"/healthy"_qs << u"ok"_qs << QString() << 1;
        QTest::newRow("hang times out, retried") << u"/hang"_qs << u"timeout"_qs << u"S1"_qs << 3;
        QTest::newRow("reset") << u"/reset"_qs << u"connection"_qs << u"S1"_qs << 3;
        QTest::newRow("garbage") << u"/garbage"_qs << u"connection"_qs << u"S1"_qs << 3;
        QTest::newRow("504") << u"/gateway/504"_qs << u"connection"_qs << u"S1"_qs << 3;
        QTest::newRow("401 never retried") << u"/auth/invalid"_qs << u"auth"_qs << u"S2"_qs << 1;
        QTest::newRow("403") << u"/auth/forbidden"_qs << u"auth"_qs << u"S2"_qs << 1;
        QTest::newRow("422") << u"/input/422"_qs << u"input"_qs << u"S3"_qs << 1;
        QTest::newRow("429") << u"/throttle/always"_qs << u"throttled"_qs << u"S4"_qs << 1;
        QTest::newRow("503") << u"/unavailable"_qs << u"throttled"_qs << u"S4"_qs << 1;
        QTest::newRow("500") << u"/server-error"_qs << u"server_error"_qs << QString() << 1;
    }
    void everyRouteEndsInItsSignal()
    {
        QFETCH(QString, route);
        QFETCH(QString, outcome);
        QFETCH(QString, signal);
        QFETCH(int, attempts);
        ProbeScheduler::Options options;
        options.random = [] { return 0.01; }; // near-zero jitter keeps the retries quick
        Engine engine(options);
        AppConfig config;
        config.endpoints.append(endpoint(u"e"_qs, route, 500ms));
        const auto [results, statuses] = runOnce(config, engine);
        QCOMPARE(results.size(), 1);
        const ProbeResult& r = results.at(0);
        QCOMPARE(outcomeCode(r.outcome), outcome);
        QCOMPARE(signalCode(r.signal), signal);
        QCOMPARE(r.attempts, attempts);
        QVERIFY(!r.reason.isEmpty());
        QCOMPARE(r.traceId.size(), 32);
        // What the server saw matches what we say we sent: S2/S3/S4 are asked exactly once. (For S1 Qt itself
        // may resend once on a connection closed before any byte, so the server can count more.)
        if (signal != u"S1"_qs)
            QCOMPARE(m_sim.requestCount(route), attempts);
        else
            QVERIFY(m_sim.requestCount(route) >= attempts);
    }

    void deadlineReallyFires()
    {
        Engine engine;
        AppConfig config;
        EndpointConfig e = endpoint(u"hang"_qs, u"/hang"_qs, 300ms);
        config.endpoints.append(e);
        const auto [results, statuses] = runOnce(config, engine);
        QCOMPARE(results.size(), 1);
        QCOMPARE(results.at(0).outcome, Outcome::Timeout);
        QVERIFY2(results.at(0).latencyUs >= 300'000 && results.at(0).latencyUs < 1'000'000,
            qPrintable(QString::number(results.at(0).latencyUs)));
    }

    void bodyOverTheCapIsCutAndCounted()
    {
        Engine engine;
        AppConfig config;
        EndpointConfig e = endpoint(u"big"_qs, u"/big"_qs);
        e.maxBodyBytes = 4096;
        config.endpoints.append(e);
        const auto [results, statuses] = runOnce(config, engine);
        QCOMPARE(results.size(), 1);
        QVERIFY(results.at(0).bodyTruncated);
        QVERIFY(results.at(0).bytesRead > 4096);
        QCOMPARE(results.at(0).httpStatus, 200);
    }

    void retryAfterIsHonoured()
    {
        Engine engine;
        AppConfig config;
        config.endpoints.append(endpoint(u"throttled"_qs, u"/throttle/always"_qs)); // Retry-After: 3, interval 1 s
        engine.setConfig(config);
        engine.start();
        QTRY_COMPARE_WITH_TIMEOUT(m_sim.requestCount(u"/throttle/always"_qs), 1, 5000);
        QElapsedTimer sinceFirst;
        sinceFirst.start();
        QTRY_VERIFY_WITH_TIMEOUT(m_sim.requestCount(u"/throttle/always"_qs) >= 2, 8000);
        QVERIFY2(sinceFirst.elapsed() >= 2900, qPrintable(QString::number(sinceFirst.elapsed())));
        QTRY_VERIFY_WITH_TIMEOUT(engine.statuses().at(0).nextReason == NextProbeReason::RetryAfter, 3000);
        engine.stop();
    }

    void perHostCapHolds()
    {
        ProbeScheduler::Options options;
        options.perHostLimit = 3;
        Engine engine(options);
        AppConfig config;
        for (int i = 0; i < 30; ++i)
            config.endpoints.append(endpoint(u"h%1"_qs.arg(i), u"/healthy?delay=40"_qs));
        const auto [results, statuses] = runOnce(config, engine);
        QCOMPARE(results.size(), 30);
        for (const ProbeResult& r : results) {
            QCOMPARE(r.outcome, Outcome::Ok);
            // The per-host queue is before the clock: latency is the server's 40 ms, not the queue.
            QVERIFY2(r.latencyUs < 200'000, qPrintable(QString::number(r.latencyUs)));
        }
        QVERIFY(engine.stats().peakInFlightPerHost <= 3);
        QVERIFY(m_sim.acceptedConnections() <= 3);
    }

    // Issue 12: the operator's cap holds and is shared fairly. 20 endpoints at 1 s under a cap of 10/s:
    // every interval becomes 2 s, every endpoint is probed on that cadence, none is starved or doubled.
    void capFromConfigStretchesEveryIntervalAlike()
    {
        Engine engine;
        AppConfig config;
        for (int i = 0; i < 20; ++i)
            config.endpoints.append(endpoint(u"c%1"_qs.arg(i), u"/healthy"_qs));
        config.limits.maxProbesPerSecond = 10.0;
        QElapsedTimer clock;
        clock.start();
        engine.setConfig(config);
        engine.start();
        const EngineStats stats = engine.stats();
        QCOMPARE(stats.maxProbesPerSecond, 10.0);
        QCOMPARE(stats.demandPerSecond, 20.0);
        QCOMPARE(stats.intervalFactor, 2.0);
        QCOMPARE(stats.rateNote, u"demand 20/s over the cap of 10/s: intervals ×2"_qs);
        // The first probes are staggered over the stretched interval (2 s); wait for two rounds.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const EndpointStatuses all = engine.statuses();
                return std::all_of(all.cbegin(), all.cend(), [](const EndpointStatus& s) { return s.probes >= 2; });
            }(),
            10'000);
        const EndpointStatuses all = engine.statuses();
        const double elapsedS = static_cast<double>(clock.elapsed()) / 1000.0;
        engine.stop();
        const int requests = m_sim.requestCount(u"/healthy"_qs);
        // At most one probe per stretched interval per endpoint (plus the first), and the cap overall.
        for (const EndpointStatus& s : all)
            QVERIFY2(static_cast<double>(s.probes) <= elapsedS / 2.0 + 1.0,
                qPrintable(u"%1: %2 probes in %3 s"_qs.arg(s.name).arg(s.probes).arg(elapsedS)));
        QVERIFY2(requests <= static_cast<int>(10.0 * elapsedS) + 20,
            qPrintable(u"%1 requests in %2 s"_qs.arg(requests).arg(elapsedS)));
    }

    void openCircuitLeavesAHangingRouteAlone()
    {
        // Probed every second with a 1 s timeout, a route that never answers would get ~30 cycles x 3 attempts
        // in 30 s from a naive prober; retries, then the open circuit, keep it to about a dozen.
        Engine engine;
        AppConfig config;
        config.endpoints.append(endpoint(u"hang"_qs, u"/hang"_qs, 1s));
        QList<EngineEvent> circuitEvents;
        connect(&engine, &Engine::batchReady, this, [&circuitEvents](const EngineBatch& b) {
            for (const EngineEvent& e : b.events) {
                if (e.kind == EngineEvent::Kind::Circuit)
                    circuitEvents.append(e);
            }
        });
        engine.setConfig(config);
        engine.start();
        QElapsedTimer clock;
        clock.start();
        QTRY_VERIFY_WITH_TIMEOUT(clock.elapsed() >= 30'000, 35'000);
        const int received = m_sim.requestCount(u"/hang"_qs);
        const EndpointStatuses statuses = engine.statuses();
        engine.stop();
        QVERIFY2(received >= 5 && received <= 14, qPrintable(QString::number(received)));
        QVERIFY(!circuitEvents.isEmpty());
        QCOMPARE(circuitEvents.first().to, u"open"_qs);
        QVERIFY(statuses.at(0).circuit != CircuitState::Closed);
    }

    void probeNowRefusedWhileRetryAfterInForce()
    {
        Engine engine;
        AppConfig config;
        config.endpoints.append(endpoint(u"throttled"_qs, u"/throttle/always"_qs));
        engine.setConfig(config);
        engine.start();
        QTRY_COMPARE_WITH_TIMEOUT(m_sim.requestCount(u"/throttle/always"_qs), 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(engine.statuses().at(0).nextReason == NextProbeReason::RetryAfter, 3000);
        QSignalSpy answered(&engine, &Engine::probeNowAnswered);
        engine.probeNow(0);
        QVERIFY(answered.wait(3000));
        QVERIFY(answered.at(0).at(1).toString().contains(u"Retry-After"_qs));
        QCOMPARE(m_sim.requestCount(u"/throttle/always"_qs), 1);
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
