// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 11.6: one hostile endpoint must not raise false alarms on healthy ones. Five healthy endpoints on
// nginx at a 250 ms interval run for 2 s beside a hostile neighbour on another host (port) served by
// tests/support/fault_server.py: a 10 MiB header line, or an endless chunked body read up to a 64 MiB cap.
// The healthy endpoints must stay ok, be probed on time, and keep their loopback latencies.
#include "schedule/Engine.h"
#include "support/LoopbackServer.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>

using namespace sd;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

class TestHostileNeighbour : public QObject {
    Q_OBJECT
private:
    static constexpr int kHealthy = 5;
    static constexpr int kRunMs = 2000; ///< real time: a hostile attempt is in flight for most of it
    static constexpr std::chrono::milliseconds kInterval { 250 };
    test::LoopbackServer m_nginx;
    test::LoopbackServer m_faults;

private slots:
    void initTestCase()
    {
        QVERIFY2(m_nginx.startNginx(u"    location / { return 200 \"ok\\n\"; }"_s), qPrintable(m_nginx.errorString()));
    }
    // A fault server of its own for each row: the row stops it (see below).
    void init()
    {
        QVERIFY2(m_faults.start(test::LoopbackServer::python(),
                     { test::LoopbackServer::supportFile(u"fault_server.py"_s), u"{port}"_s }),
            qPrintable(m_faults.errorString()));
    }
    void cleanup() { m_faults.stop(); }

    void healthyEndpointsStayOkBesideAHostileOne_data()
    {
        QTest::addColumn<QString>("hostile"); ///< path on the fault server; empty = no hostile neighbour
        QTest::newRow("alone") << QString();
        QTest::newRow("10 MiB header line") << u"/big-header"_s;
        QTest::newRow("endless chunked body, 64 MiB cap") << u"/endless"_s;
    }
    void healthyEndpointsStayOkBesideAHostileOne()
    {
        QFETCH(QString, hostile);
        AppConfig config;
        for (int i = 0; i < kHealthy; ++i) {
            EndpointConfig e;
            e.name = u"healthy-%1"_s.arg(i);
            e.url = m_nginx.url(u"/healthy/%1"_s.arg(i));
            e.interval = kInterval;
            config.endpoints.append(e);
        }
        if (!hostile.isEmpty()) {
            EndpointConfig e;
            e.name = u"hostile"_s;
            e.url = m_faults.url(hostile);
            e.interval = kInterval;
            e.maxBodyBytes = qint64 { 64 } * 1024 * 1024;
            config.endpoints.append(e);
        }
        Engine engine;
        ProbeResults results;
        connect(&engine, &Engine::batchReady, this, [&results](const EngineBatch& b) { results.append(b.results); });
        engine.setConfig(config);
        engine.start();
        // The run itself is the measurement: real servers, real time.
        QTest::qWait(kRunMs);
        engine.stop();
        const EndpointStatuses statuses = engine.statuses();
        // The hostile server goes before the engine does: Qt 6.4 would otherwise go on reading its header line
        // or endless body after the abort, and the engine's end would wait for that (up to Qt's 5 s), all CPU.
        m_faults.stop();

        int hostileProbes = 0;
        for (const ProbeResult& r : results)
            hostileProbes += r.endpoint == u"hostile"_s ? 1 : 0;
        for (int i = 0; i < kHealthy; ++i) {
            const QString name = u"healthy-%1"_s.arg(i);
            std::vector<qint64> latencies;
            for (const ProbeResult& r : results) {
                if (r.endpoint != name)
                    continue;
                QVERIFY2(
                    r.outcome == Outcome::Ok, qPrintable(name + u": "_s + outcomeCode(r.outcome) + u" "_s + r.reason));
                latencies.push_back(r.latencyUs);
            }
            std::sort(latencies.begin(), latencies.end());
            const qint64 medianUs = latencies.empty() ? -1 : latencies[latencies.size() / 2];
            const qint64 maxUs = latencies.empty() ? -1 : latencies.back();
            qInfo("%s: %zu probes, latency median %.2f ms, max %.2f ms (hostile probes: %d)", qPrintable(name),
                latencies.size(), static_cast<double>(medianUs) / 1000.0, static_cast<double>(maxUs) / 1000.0,
                hostileProbes);
            // 2 s at a 250 ms interval, the first probe staggered within the first interval: 7 or 8 are due. A
            // neighbour that held this endpoint's thread would leave it one or two (Qt parses the 10 MiB line
            // for seconds, and the latency bounds below would fail too); a loaded machine delays a few (6 seen
            // under strace at ctest -j6, session 7). At least half of them, then: starvation, not load.
            QVERIFY2(latencies.size() >= 4, qPrintable(u"%1: only %2 probes"_s.arg(name).arg(latencies.size())));
            // What an operator would see: a median under the 200 ms Warning line and no probe over the 800 ms
            // Critical line. (How much a neighbour costs is measured in bench_hostile, not asserted here.)
            QVERIFY2(medianUs < 200'000, qPrintable(u"%1: median latency %2 us"_s.arg(name).arg(medianUs)));
            QVERIFY2(maxUs < 800'000, qPrintable(u"%1: max latency %2 us"_s.arg(name).arg(maxUs)));
            const EndpointStatus& s = statuses.at(i);
            QVERIFY2(s.overall == SignalState::Ok,
                qPrintable(name + u": "_s + stateCode(s.overall) + u" "_s + s.reasons.at(3) + s.reasons.at(0)));
        }
        // The neighbour was really there: its attempts were sent (one may still have been in flight at the end).
        if (!hostile.isEmpty())
            QVERIFY(statuses.at(kHealthy).attempts >= 1);
    }
};

QTEST_GUILESS_MAIN(TestHostileNeighbour)
#include "tst_hostileneighbour.moc"
