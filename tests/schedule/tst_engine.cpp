// SPDX-License-Identifier: GPL-3.0-or-later
// The engine end to end against the simulator on loopback: transport, classifier, scheduler, policies.
// The network is real; the engine's time is simulated (issue 13.5): a test advances the clock, which fires
// what fell due and waits for those probes' replies, so a minute of probing takes a fraction of a second and
// no test waits for an interval to pass. realTimeSmoke runs on the system clock.
#include "schedule/Engine.h"
#include "simulator/Simulator.h"
#include "support/SimulatedClock.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace sd;
using namespace std::chrono_literals;

class TestEngine : public QObject {
    Q_OBJECT
private:
    Simulator m_sim;
    std::shared_ptr<test::SimulatedClock> m_clock; ///< a fresh one per test

    EngineOptions simulated()
    {
        EngineOptions options;
        options.clock = m_clock;
        return options;
    }

    /// The latest status of every endpoint, as the batches deliver them (by name).
    static std::shared_ptr<QHash<QString, EndpointStatus>> track(Engine& engine, QObject* context)
    {
        auto latest = std::make_shared<QHash<QString, EndpointStatus>>();
        connect(&engine, &Engine::batchReady, context, [latest](const EngineBatch& b) {
            for (const EndpointStatus& s : b.statuses)
                latest->insert(s.name, s);
        });
        return latest;
    }

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
        if (!m_clock->advanceUntil([&done] { return !done.isEmpty(); }, 60s)) {
            qWarning("%s", qPrintable(m_clock->errorString()));
            return {};
        }
        return { done.at(0).at(0).value<ProbeResults>(), done.at(0).at(1).value<EndpointStatuses>() };
    }

private slots:
    void initTestCase() { QVERIFY2(m_sim.start(), qPrintable(m_sim.errorString())); }
    void init()
    {
        m_sim.resetCounts();
        m_clock = std::make_shared<test::SimulatedClock>();
    }

    void everyRouteEndsInItsSignal_data()
    {
        QTest::addColumn<QString>("route");
        QTest::addColumn<QString>("outcome");
        QTest::addColumn<QString>("signal");
        QTest::addColumn<int>("attempts");
        QTest::newRow("healthy") << u"/healthy"_qs << u"ok"_qs << QString() << 1;
        // A one-shot run (`--check`) does not retry a timeout: the verdict is S1 already (docs/CLI.md "--check").
        QTest::newRow("hang times out, not retried") << u"/hang"_qs << u"timeout"_qs << u"S1"_qs << 1;
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
        Engine engine(simulated());
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
        Engine engine(simulated());
        AppConfig config;
        EndpointConfig e = endpoint(u"hang"_qs, u"/hang"_qs, 300ms);
        config.endpoints.append(e);
        const auto [results, statuses] = runOnce(config, engine);
        QCOMPARE(results.size(), 1);
        QCOMPARE(results.at(0).outcome, Outcome::Timeout);
        // Ended by its own deadline, not by Qt's transfer timeout, the backup, 1 s after it (the bound is
        // that second, not a guess at how fast the machine is).
        QVERIFY2(results.at(0).latencyUs >= 300'000 && results.at(0).latencyUs < 1'300'000,
            qPrintable(QString::number(results.at(0).latencyUs)));
    }

    void bodyOverTheCapIsCutAndCounted()
    {
        Engine engine(simulated());
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
        Engine engine(simulated());
        AppConfig config;
        config.endpoints.append(endpoint(u"throttled"_qs, u"/throttle/always"_qs)); // Retry-After: 3, interval 1 s
        engine.setConfig(config);
        engine.start();
        const auto count = [this] { return m_sim.requestCount(u"/throttle/always"_qs); };
        QVERIFY2(m_clock->advanceUntil([&] { return count() == 1; }, 5s), qPrintable(m_clock->errorString()));
        const auto first = m_clock->elapsed();
        QCOMPARE(engine.statuses().at(0).nextReason, NextProbeReason::RetryAfter);
        QVERIFY2(m_clock->advanceUntil([&] { return count() == 2; }, 10s), qPrintable(m_clock->errorString()));
        // Not one probe in the three seconds the server asked for, though the interval is one second.
        const auto waited = m_clock->elapsed() - first;
        QVERIFY2(waited >= 3s && waited < 4s, qPrintable(QString::number(waited.count())));
        engine.stop();
    }

    void perHostCapHolds()
    {
        EngineOptions options = simulated();
        options.perHostLimit = 3;
        Engine engine(options);
        AppConfig config;
        for (int i = 0; i < 30; ++i)
            config.endpoints.append(endpoint(u"h%1"_qs.arg(i), u"/healthy?delay=40"_qs));
        QElapsedTimer run;
        run.start();
        const auto [results, statuses] = runOnce(config, engine);
        const qint64 runUs = run.nsecsElapsed() / 1000;
        QCOMPARE(results.size(), 30);
        qint64 latencySumUs = 0;
        for (const ProbeResult& r : results) {
            QCOMPARE(r.outcome, Outcome::Ok);
            QVERIFY2(r.latencyUs >= 30'000, qPrintable(QString::number(r.latencyUs))); // the server's 40 ms
            latencySumUs += r.latencyUs;
        }
        // The per-host queue is before the clock: a latency spans only the time its request was out, and at
        // most 3 were out at once, so the 30 latencies add up to at most 3 times the run, however slow the
        // machine. Were the queue counted, each of the 10 rounds of 3 would carry the rounds before it: about
        // 16 times the run (3 x (1 + 2 + ... + 10) rounds in a run of 10).
        QVERIFY2(latencySumUs <= 3 * runUs,
            qPrintable(u"latencies sum to %1 ms in a run of %2 ms"_qs.arg(latencySumUs / 1000).arg(runUs / 1000)));
        QVERIFY(engine.stats().peakInFlightPerHost <= 3);
        QVERIFY(m_sim.acceptedConnections() <= 3);
    }

    // Issue 12: the operator's cap holds and is shared fairly. 20 endpoints at 1 s under a cap of 10/s:
    // every interval becomes 2 s, every endpoint is probed on that cadence, none is starved or doubled.
    void capFromConfigStretchesEveryIntervalAlike()
    {
        Engine engine(simulated());
        AppConfig config;
        for (int i = 0; i < 20; ++i)
            config.endpoints.append(endpoint(u"c%1"_qs.arg(i), u"/healthy"_qs));
        config.limits.maxProbesPerSecond = 10.0;
        engine.setConfig(config);
        engine.start();
        const EngineStats stats = engine.stats();
        QCOMPARE(stats.maxProbesPerSecond, 10.0);
        QCOMPARE(stats.demandPerSecond, 20.0);
        QCOMPARE(stats.intervalFactor, 2.0);
        QCOMPARE(stats.rateNote, u"demand 20/s over the cap of 10/s: intervals ×2"_qs);
        // A minute of probing: every endpoint on the stretched 2 s cadence, none starved or doubled.
        QVERIFY2(m_clock->advance(60s), qPrintable(m_clock->errorString()));
        const EndpointStatuses all = engine.statuses();
        engine.stop();
        for (const EndpointStatus& s : all)
            QVERIFY2(
                s.probes >= 30 && s.probes <= 31, qPrintable(u"%1: %2 probes in 60 s"_qs.arg(s.name).arg(s.probes)));
        const int requests = m_sim.requestCount(u"/healthy"_qs);
        QVERIFY2(requests <= 10 * 60 + 20, qPrintable(u"%1 requests in 60 s"_qs.arg(requests)));
    }

    // A healthy endpoint at 1 s for a simulated minute: exactly its cadence, every probe ok.
    void aMinuteOfProbingKeepsTheCadence()
    {
        Engine engine(simulated());
        AppConfig config;
        for (int i = 0; i < 3; ++i)
            config.endpoints.append(endpoint(u"m%1"_qs.arg(i), u"/healthy"_qs));
        ProbeResults results;
        connect(&engine, &Engine::batchReady, this, [&results](const EngineBatch& b) { results += b.results; });
        engine.setConfig(config);
        engine.start();
        QVERIFY2(m_clock->advance(60s), qPrintable(m_clock->errorString()));
        engine.stop();
        for (const EndpointStatus& s : engine.statuses()) {
            // Staggered first probes in the first second, then one a second: 60, or 61 for the one at 0 s.
            QVERIFY2(s.probes >= 60 && s.probes <= 61, qPrintable(u"%1: %2 probes"_qs.arg(s.name).arg(s.probes)));
            QCOMPARE(s.overall, SignalState::Ok);
        }
        QCOMPARE(results.size(), m_sim.requestCount(u"/healthy"_qs));
        QVERIFY(std::all_of(
            results.cbegin(), results.cend(), [](const ProbeResult& r) { return r.outcome == Outcome::Ok; }));
    }

    void openCircuitLeavesAHangingRouteAlone()
    {
        // Probed every second, a route that never answers would get 60 cycles x 3 attempts in a minute from a
        // naive prober; retries, then the open circuit (30 s, doubling), keep it to a handful. The deadline is
        // short because it is real time: the network is not simulated.
        Engine engine(simulated());
        AppConfig config;
        config.endpoints.append(endpoint(u"hang"_qs, u"/hang"_qs, 200ms));
        QList<EngineEvent> circuitEvents;
        connect(&engine, &Engine::batchReady, this, [&circuitEvents](const EngineBatch& b) {
            for (const EngineEvent& e : b.events) {
                if (e.kind == EngineEvent::Kind::Circuit)
                    circuitEvents.append(e);
            }
        });
        engine.setConfig(config);
        engine.start();
        QVERIFY2(m_clock->advance(60s), qPrintable(m_clock->errorString()));
        const int received = m_sim.requestCount(u"/hang"_qs);
        const EndpointStatuses statuses = engine.statuses();
        engine.stop();
        // Five attempts open it, one half-open probe after 30 s re-opens it (for 60 s).
        QVERIFY2(received >= 5 && received <= 8, qPrintable(QString::number(received)));
        QVERIFY(circuitEvents.size() >= 3);
        QCOMPARE(circuitEvents.at(0).to, u"open"_qs);
        QCOMPARE(circuitEvents.at(1).to, u"half-open"_qs);
        QCOMPARE(circuitEvents.at(2).to, u"open"_qs);
        QCOMPARE(statuses.at(0).circuit, CircuitState::Open);
        QCOMPARE(statuses.at(0).nextReason, NextProbeReason::CircuitOpen);
    }

    void probeNowRefusedWhileRetryAfterInForce()
    {
        Engine engine(simulated());
        AppConfig config;
        config.endpoints.append(endpoint(u"throttled"_qs, u"/throttle/always"_qs));
        engine.setConfig(config);
        engine.start();
        QVERIFY2(m_clock->advanceUntil([this] { return m_sim.requestCount(u"/throttle/always"_qs) == 1; }, 5s),
            qPrintable(m_clock->errorString()));
        QCOMPARE(engine.statuses().at(0).nextReason, NextProbeReason::RetryAfter);
        QVERIFY(m_clock->advance(1s)); // a second later the Retry-After (3 s) is still in force
        QSignalSpy answered(&engine, &Engine::probeNowAnswered);
        engine.probeNow(0);
        QVERIFY(answered.wait(3000));
        QVERIFY2(
            answered.at(0).at(1).toString().contains(u"Retry-After"_qs), qPrintable(answered.at(0).at(1).toString()));
        QVERIFY(m_clock->settle());
        QCOMPARE(m_sim.requestCount(u"/throttle/always"_qs), 1);
    }

    // The one test on the system clock: real timers, real cadence, a few hundred milliseconds.
    void realTimeSmoke()
    {
        Engine engine;
        AppConfig config;
        for (int i = 0; i < 2; ++i) {
            EndpointConfig e = endpoint(u"r%1"_qs.arg(i), u"/healthy"_qs);
            e.interval = 300ms;
            config.endpoints.append(e);
        }
        const auto latest = track(engine, this);
        engine.setConfig(config);
        engine.start();
        QTRY_VERIFY_WITH_TIMEOUT(latest->value(u"r0"_qs).probes >= 2 && latest->value(u"r1"_qs).probes >= 2, 5000);
        engine.stop();
        QCOMPARE(latest->value(u"r0"_qs).overall, SignalState::Ok);
        QCOMPARE(latest->value(u"r1"_qs).overall, SignalState::Ok);
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
