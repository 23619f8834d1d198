// SPDX-License-Identifier: GPL-3.0-or-later
// Applying a changed config to a running engine (issue 13.1), against the simulator on loopback: endpoints are
// matched by id; what a change does not invalidate stays (states, circuit, counts), a new URL starts over, a
// removed endpoint stops, and every change is one event of kind Config. On simulated time (issue 13.5).
#include "schedule/Engine.h"
#include "simulator/Simulator.h"
#include "support/SimulatedClock.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using namespace sd;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestConfigApply : public QObject {
    Q_OBJECT
private:
    Simulator m_sim;
    std::shared_ptr<test::SimulatedClock> m_clock = std::make_shared<test::SimulatedClock>();
    std::unique_ptr<Engine> m_engine;
    AppConfig m_config; ///< what m_engine runs now
    QHash<QString, EndpointStatus> m_latest; ///< by key
    QList<ProbeResult> m_results;
    EngineEvents m_events;

    EndpointConfig endpoint(const QString& id, const QString& name, const QUrl& url)
    {
        EndpointConfig e;
        e.id = id;
        e.name = name;
        e.url = url;
        e.adaptiveTimeout = false;
        e.timeout = 1s;
        e.interval = 1s;
        return e;
    }

    AppConfig baseConfig()
    {
        AppConfig c;
        c.endpoints = { endpoint(u"ok"_s, u"healthy"_s, m_sim.url(u"/healthy"_s)),
            endpoint(u"down"_s, u"resetting"_s, m_sim.rawBaseUrl().resolved(QUrl(u"/reset"_s))),
            endpoint(u"auth"_s, u"refused"_s, m_sim.url(u"/auth/invalid"_s)) };
        return c;
    }

    void connectEngine(Engine& engine)
    {
        connect(&engine, &Engine::batchReady, this, [this](const EngineBatch& batch) {
            for (const EndpointStatus& s : batch.statuses)
                m_latest.insert(s.key, s);
            m_results += batch.results;
            m_events += batch.events;
        });
    }

    SignalState state(const QString& key, FailureSignal signal) const
    {
        return m_latest.value(key).states[static_cast<std::size_t>(signalIndex(signal))];
    }

    /// Runs until the three endpoints show what they raise: S1 with an open circuit, S2, and OK.
    bool settle(Engine& engine)
    {
        engine.setConfig(m_config);
        engine.start();
        return m_clock->advanceUntil(
            [this] {
                return m_latest.value(u"down"_s).circuit == CircuitState::Open
                    && state(u"down"_s, FailureSignal::S1) == SignalState::Critical
                    && state(u"auth"_s, FailureSignal::S2) == SignalState::Critical
                    && m_latest.value(u"ok"_s).overall == SignalState::Ok;
            },
            15s);
    }

    QList<EngineEvent> configEvents(const QString& key) const
    {
        QList<EngineEvent> out;
        for (const EngineEvent& e : m_events)
            if (e.kind == EngineEvent::Kind::Config && e.endpointKey == key)
                out << e;
        return out;
    }

private slots:
    // One engine for the three config tests, settled once (about 3 s of simulated time); each test changes the
    // config it left.
    void initTestCase()
    {
        QVERIFY2(m_sim.start(), qPrintable(m_sim.errorString()));
        EngineOptions options;
        options.clock = m_clock;
        m_engine = std::make_unique<Engine>(options);
        connectEngine(*m_engine);
        m_config = baseConfig();
        QVERIFY2(settle(*m_engine), qPrintable(m_clock->errorString()));
    }
    void cleanupTestCase() { m_engine.reset(); }
    void init()
    {
        m_results.clear();
        m_events.clear();
    }

    void unchangedEndpointsKeepEverything()
    {
        Engine& engine = *m_engine;
        const EndpointStatuses before = engine.statuses();

        // One endpoint's interval changes and another is renamed; nothing else.
        AppConfig next = m_config;
        next.endpoints[0].interval = 2s;
        next.endpoints[2].name = u"refused-renamed"_s;
        engine.applyConfig(next);
        m_config = next;
        const EndpointStatuses after = engine.statuses();
        QCOMPARE(after.size(), before.size());
        for (qsizetype i = 0; i < after.size(); ++i) {
            QCOMPARE(after[i].key, before[i].key);
            QCOMPARE(after[i].id, before[i].id); // the engine's handle stays too
            QCOMPARE(after[i].states, before[i].states);
            QCOMPARE(after[i].circuit, before[i].circuit);
            QVERIFY(after[i].probes >= before[i].probes);
        }
        QCOMPARE(after[2].name, u"refused-renamed"_s);
        QCOMPARE(after[1].circuit, CircuitState::Open);
        QCOMPARE(after[1].nextReason, NextProbeReason::CircuitOpen); // the open circuit's wait is kept

        // In the next batch (one flush interval).
        QVERIFY(m_clock->advance(200ms));
        QCOMPARE(configEvents(u"ok"_s).size(), 1);
        QCOMPARE(configEvents(u"ok"_s).first().reason, u"interval 1s \u2192 2s"_s);
        QCOMPARE(configEvents(u"auth"_s).size(), 1);
        QCOMPARE(configEvents(u"auth"_s).first().reason, u"renamed from refused"_s);
        QVERIFY(configEvents(u"down"_s).isEmpty());
        // The renamed endpoint's next results carry the new name; its S2 stays critical meanwhile.
        const qsizetype seen = m_results.size();
        QVERIFY2(m_clock->advanceUntil(
                     [&] {
                         return std::any_of(m_results.cbegin() + seen, m_results.cend(),
                             [](const ProbeResult& r) { return r.endpointKey == u"auth"_s; });
                     },
                     2s),
            qPrintable(m_clock->errorString()));
        for (auto it = m_results.cbegin() + seen; it != m_results.cend(); ++it)
            if (it->endpointKey == u"auth"_s)
                QCOMPARE(it->endpoint, u"refused-renamed"_s);
        QCOMPARE(state(u"auth"_s, FailureSignal::S2), SignalState::Critical);
    }

    void removedStopsAndAddedIsProbed()
    {
        Engine& engine = *m_engine;
        const EndpointStatuses before = engine.statuses();
        AppConfig next = m_config;
        next.endpoints.removeAt(0);
        EndpointConfig added = endpoint(u"new"_s, u"added"_s, m_sim.url(u"/healthy?added=1"_s));
        added.interval = 24h;
        next.endpoints.prepend(added); // a reorder too
        engine.applyConfig(next);
        m_config = next;
        const EndpointStatuses after = engine.statuses();
        QCOMPARE(after.size(), 3);
        QCOMPARE(after[0].key, u"new"_s);
        QCOMPARE(after[1].key, u"down"_s);
        QCOMPARE(after[1].states, before[1].states);
        QCOMPARE(after[1].circuit, CircuitState::Open);
        QCOMPARE(after[2].states, before[2].states);
        QVERIFY(after[0].id != before[0].id); // a new handle, never the removed one's
        // Probed at once: by the next flush.
        QVERIFY(m_clock->advance(200ms));
        QCOMPARE(m_latest.value(u"new"_s).overall, SignalState::Ok);
        QCOMPARE(configEvents(u"ok"_s).size(), 1);
        QCOMPARE(configEvents(u"ok"_s).first().reason, u"removed"_s);
        QCOMPARE(configEvents(u"new"_s).first().reason, u"added"_s);
        // The removed endpoint (every 2 s) is probed no more.
        const qsizetype seen = m_results.size();
        const int healthyBefore = m_sim.requestCount(u"/healthy"_s);
        QVERIFY(m_clock->advance(10s));
        for (auto it = m_results.cbegin() + seen; it != m_results.cend(); ++it)
            QVERIFY(it->endpointKey != u"ok"_s);
        QCOMPARE(m_sim.requestCount(u"/healthy"_s), healthyBefore); // "new" has a 24 h interval
    }

    void newUrlStartsOverAndIsProbedAtOnce()
    {
        Engine& engine = *m_engine;
        AppConfig next = m_config;
        next.endpoints[1].url = m_sim.url(u"/healthy?fixed"_s);
        next.endpoints[1].interval = 24h; // so that the probe seen below is the one the change asked for
        engine.applyConfig(next);
        m_config = next;
        const EndpointStatuses after = engine.statuses();
        QCOMPARE(after[1].key, u"down"_s);
        QCOMPARE(after[1].circuit, CircuitState::Closed);
        QVERIFY(after[1].probes <= 1);
        // Probed at once: by the next flush.
        QVERIFY(m_clock->advance(200ms));
        QCOMPARE(m_latest.value(u"down"_s).overall, SignalState::Ok);
        QCOMPARE(configEvents(u"down"_s).size(), 1);
        QCOMPARE(configEvents(u"down"_s).first().reason, u"URL changed: states start over"_s);
        // The others were not touched.
        QCOMPARE(engine.statuses()[2].states[1], SignalState::Critical);
    }

    void batchObserverRunsInTheEngineThreadWhileTheGuiIsBusy()
    {
        // The history append hangs on this hook (recordHistory): it must not wait for this thread's event loop.
        // On the system clock: the engine's time must pass while this thread sleeps.
        EngineOptions options;
        options.retries = false;
        options.politeness = false;
        options.flushInterval = 50ms;
        Engine engine(options);
        std::atomic<int> calls { 0 };
        std::atomic<QThread*> thread { nullptr };
        engine.setBatchObserver([&](const EngineBatch& batch) {
            if (batch.results.isEmpty())
                return;
            thread = QThread::currentThread();
            ++calls;
        });
        // Not the simulator: it answers in this thread, which is about to be busy. A closed loopback port
        // answers from the kernel (connection refused), every second, without retries or a circuit.
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            closedPort = probe.serverPort();
        }
        AppConfig config;
        config.endpoints = { endpoint(u"refused"_s, u"refused"_s, QUrl(u"http://127.0.0.1:%1/"_s.arg(closedPort))) };
        config.endpoints[0].interval = 100ms;
        engine.setConfig(config);
        engine.start();
        QTRY_VERIFY_WITH_TIMEOUT(calls > 0, 3000);
        const int before = calls;
        QThread::msleep(500); // this (the GUI) thread is busy: no event loop runs here meanwhile
        QVERIFY2(calls > before, "no batch reached the observer while the GUI thread was busy");
        QVERIFY(thread.load() != QThread::currentThread());
        QCOMPARE(thread.load()->objectName(), u"signaldeck-engine"_s);
        engine.setBatchObserver({});
        engine.stop();
    }
};

QTEST_GUILESS_MAIN(TestConfigApply)
#include "tst_configapply.moc"
