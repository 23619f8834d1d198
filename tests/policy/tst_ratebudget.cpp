// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/ProbePacer.h"
#include "policy/RateBudget.h"
#include "policy/TestTime.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <queue>
#include <vector>

using namespace std::chrono;
using namespace std::chrono_literals;
using sd::AppConfig;
using sd::EndpointConfig;
using sd::MonotonicTime;
using sd::ProbePacer;
using sd::RateBudget;
using sd::test::at;

namespace {

AppConfig configOf(int endpoints, milliseconds interval, std::optional<double> cap = {})
{
    AppConfig config;
    for (int i = 0; i < endpoints; ++i) {
        EndpointConfig e;
        e.name = QStringLiteral("e%1").arg(i);
        e.interval = interval;
        config.endpoints.append(e);
    }
    config.limits.maxProbesPerSecond = cap;
    return config;
}

double stagger(int index)
{
    double whole = 0;
    return std::modf(index * 0.6180339887498949, &whole);
}

/// The probe times of every endpoint over `span` of simulated time, planned the way ProbeScheduler plans
/// them: staggered first probes over the stretched interval, a heap of due times, the global cap asked
/// once per cycle (a cycle held back books its slot and its plan moves with it), the next cycle one
/// stretched interval after the plan. Each probe takes `latency`; the timer fires up to 1 ms late.
std::vector<std::vector<MonotonicTime>> simulate(
    const AppConfig& config, const RateBudget& budget, nanoseconds span, milliseconds latency = 5ms)
{
    struct Due {
        MonotonicTime at;
        int id;
        bool operator>(const Due& o) const { return at > o.at || (at == o.at && id > o.id); }
    };
    struct Endpoint {
        milliseconds interval;
        MonotonicTime planned;
        bool booked = false;
    };
    const MonotonicTime t0 = at(100s);
    ProbePacer pacer(budget.maxProbesPerSecond, std::max(50, static_cast<int>(budget.maxProbesPerSecond / 10.0)));
    std::vector<Endpoint> endpoints;
    std::priority_queue<Due, std::vector<Due>, std::greater<>> heap;
    for (int i = 0; i < config.endpoints.size(); ++i) {
        const milliseconds interval = sd::stretchedInterval(config.endpoints.at(i).interval, budget);
        const auto offset = milliseconds(static_cast<qint64>(stagger(i) * static_cast<double>(interval.count())));
        endpoints.push_back({ interval, t0 + offset });
        heap.push({ t0 + offset, i });
    }
    std::vector<std::vector<MonotonicTime>> probes(endpoints.size());
    while (!heap.empty() && heap.top().at < t0 + span) {
        const Due due = heap.top();
        heap.pop();
        Endpoint& e = endpoints[static_cast<std::size_t>(due.id)];
        const MonotonicTime now = due.at + microseconds((due.id * 7919) % 1000); // timer jitter < 1 ms
        if (!e.booked) {
            const MonotonicTime slot = pacer.book(now);
            if (slot > now) {
                e.booked = true;
                e.planned = slot;
                heap.push({ slot, due.id });
                continue;
            }
        }
        e.booked = false;
        probes[static_cast<std::size_t>(due.id)].push_back(now);
        e.planned = ProbePacer::nextCycleStart(e.planned, e.interval, now + latency);
        heap.push({ e.planned, due.id });
    }
    return probes;
}

struct Cadence {
    qint64 minProbes = 0;
    qint64 maxProbes = 0;
    qint64 total = 0;
    double minGapMs = 0;
    double gapP99Ms = 0;
    double maxGapMs = 0;
};

Cadence cadenceOf(const std::vector<std::vector<MonotonicTime>>& probes)
{
    Cadence c;
    c.minProbes = std::numeric_limits<qint64>::max();
    std::vector<double> gaps;
    for (const auto& times : probes) {
        const auto n = static_cast<qint64>(times.size());
        c.minProbes = std::min(c.minProbes, n);
        c.maxProbes = std::max(c.maxProbes, n);
        c.total += n;
        for (std::size_t i = 1; i < times.size(); ++i)
            gaps.push_back(duration<double, std::milli>(times[i] - times[i - 1]).count());
    }
    if (!gaps.empty()) {
        std::sort(gaps.begin(), gaps.end());
        c.minGapMs = gaps.front();
        c.maxGapMs = gaps.back();
        c.gapP99Ms = gaps[static_cast<std::size_t>(0.99 * static_cast<double>(gaps.size() - 1))];
    }
    return c;
}

QByteArray describe(const Cadence& c)
{
    return QStringLiteral("probes per endpoint %1–%2, total %3, gaps %4–%5 ms, p99 %6 ms")
        .arg(c.minProbes)
        .arg(c.maxProbes)
        .arg(c.total)
        .arg(c.minGapMs, 0, 'f', 1)
        .arg(c.maxGapMs, 0, 'f', 1)
        .arg(c.gapP99Ms, 0, 'f', 1)
        .toUtf8();
}

} // namespace

class TestRateBudget : public QObject {
    Q_OBJECT

private slots:
    void budget_data()
    {
        QTest::addColumn<int>("endpoints");
        QTest::addColumn<qint64>("intervalMs");
        QTest::addColumn<double>("configured"); // 0 = not set
        QTest::addColumn<double>("demand");
        QTest::addColumn<double>("cap");
        QTest::addColumn<double>("factor");
        QTest::addColumn<QString>("note");
        QTest::newRow("the issue's case: 1,000 at 1 s, cap 200")
            << 1000 << qint64(1000) << 200.0 << 1000.0 << 200.0 << 5.0
            << QStringLiteral("demand 1,000/s over the cap of 200/s: intervals ×5");
        QTest::newRow("1,000 at 1 s, default: demand + 25 %")
            << 1000 << qint64(1000) << 0.0 << 1000.0 << 1250.0 << 1.0
            << QStringLiteral("demand 1,000/s within the cap of 1,250/s (default)");
        QTest::newRow("10 at 30 s, default: the floor")
            << 10 << qint64(30'000) << 0.0 << 1.0 / 3.0 << 20.0 << 1.0
            << QStringLiteral("demand 0.33/s within the cap of 20/s (default)");
        QTest::newRow("5,000 at 1 s, default: the ceiling")
            << 5000 << qint64(1000) << 0.0 << 5000.0 << 2000.0 << 2.5
            << QStringLiteral("demand 5,000/s over the cap of 2,000/s: intervals ×2.5");
        QTest::newRow("5,000 at 1 s, the operator raises the cap")
            << 5000 << qint64(1000) << 6000.0 << 5000.0 << 6000.0 << 1.0
            << QStringLiteral("demand 5,000/s within the cap of 6,000/s");
        QTest::newRow("no endpoints") << 0 << qint64(1000) << 0.0 << 0.0 << 20.0 << 1.0
                                      << QStringLiteral("demand 0/s within the cap of 20/s (default)");
    }

    void budget()
    {
        QFETCH(int, endpoints);
        QFETCH(qint64, intervalMs);
        QFETCH(double, configured);
        QFETCH(double, demand);
        QFETCH(double, cap);
        QFETCH(double, factor);
        QFETCH(QString, note);
        const RateBudget b = sd::rateBudgetFor(configOf(
            endpoints, milliseconds(intervalMs), configured > 0 ? std::optional<double>(configured) : std::nullopt));
        QVERIFY(qFuzzyCompare(1.0 + b.demandPerSecond, 1.0 + demand));
        QCOMPARE(b.maxProbesPerSecond, cap);
        QCOMPARE(b.intervalFactor, factor);
        QCOMPARE(b.capFromConfig, configured > 0);
        QCOMPARE(sd::rateBudgetNote(b), note);
        QCOMPARE(sd::stretchedInterval(milliseconds(intervalMs), b).count(), std::llround(intervalMs * factor));
    }

    void pacerLetsTheBurstGoThenSpacesSlots()
    {
        ProbePacer pacer(200.0, 3);
        const MonotonicTime t0 = at(10s);
        QCOMPARE(pacer.book(t0), t0);
        QCOMPARE(pacer.book(t0), t0);
        QCOMPARE(pacer.book(t0), t0);
        // Held back: each caller gets its own slot, 5 ms apart, in the order they asked.
        QCOMPARE(pacer.book(t0), t0 + 5ms);
        QCOMPARE(pacer.peek(t0), t0 + 10ms);
        QCOMPARE(pacer.book(t0), t0 + 10ms);
        QCOMPARE(pacer.book(t0 + 1ms), t0 + 15ms);
        // After a quiet second the whole burst is back.
        const MonotonicTime t1 = t0 + 1s;
        QCOMPARE(pacer.book(t1), t1);
        QCOMPARE(pacer.book(t1), t1);
        QCOMPARE(pacer.book(t1), t1);
        QCOMPARE(pacer.book(t1), t1 + 5ms);
    }

    void pacerNeverExceedsRatePlusBurst()
    {
        ProbePacer pacer(200.0, 50);
        const MonotonicTime t0 = at(10s);
        int sentByTenSeconds = 0;
        for (int i = 0; i < 5000; ++i) {
            if (pacer.book(t0 + microseconds(i * 100)) <= t0 + 10s)
                ++sentByTenSeconds;
        }
        QVERIFY2(sentByTenSeconds <= 50 + 2000 + 1, qPrintable(QString::number(sentByTenSeconds)));
        QVERIFY2(sentByTenSeconds >= 2000, qPrintable(QString::number(sentByTenSeconds)));
    }

    void nextCycleFollowsThePlanAndNeverCatchesUp()
    {
        const MonotonicTime planned = at(10s);
        QCOMPARE(ProbePacer::nextCycleStart(planned, 1000ms, planned + 5ms), planned + 1s);
        // A cycle that took longer than its interval starts the next one now, not in a burst.
        QCOMPARE(ProbePacer::nextCycleStart(planned, 1000ms, planned + 3s), planned + 3s);
    }

    // Under the cap (the shipped default cap): every endpoint on its interval.
    void underTheCapEveryEndpointOnItsInterval_data()
    {
        QTest::addColumn<int>("endpoints");
        QTest::newRow("10") << 10;
        QTest::newRow("100") << 100;
        QTest::newRow("1,000") << 1000;
        QTest::newRow("1,600 (cap 2,000)") << 1600;
    }

    void underTheCapEveryEndpointOnItsInterval()
    {
        QFETCH(int, endpoints);
        const AppConfig config = configOf(endpoints, 1000ms);
        const RateBudget budget = sd::rateBudgetFor(config);
        QCOMPARE(budget.intervalFactor, 1.0);
        const Cadence c = cadenceOf(simulate(config, budget, 60s));
        QVERIFY2(c.minProbes >= 59 && c.maxProbes <= 61, describe(c));
        QVERIFY2(c.gapP99Ms <= 1050.0, describe(c));
        QVERIFY2(c.minGapMs >= 950.0, describe(c));
    }

    // Over the cap: every interval stretched by the same factor; nobody starves, nobody bunches.
    void overTheCapEveryIntervalStretched_data()
    {
        QTest::addColumn<int>("endpoints");
        QTest::addColumn<double>("cap");
        QTest::newRow("1,000 at 1 s, cap 200: ×5") << 1000 << 200.0;
        QTest::newRow("1,000 at 1 s, cap 700: ×1.43") << 1000 << 700.0;
        QTest::newRow("5,000 at 1 s, default cap 2,000: ×2.5") << 5000 << 0.0;
    }

    void overTheCapEveryIntervalStretched()
    {
        QFETCH(int, endpoints);
        QFETCH(double, cap);
        const AppConfig config = configOf(endpoints, 1000ms, cap > 0 ? std::optional<double>(cap) : std::nullopt);
        const RateBudget budget = sd::rateBudgetFor(config);
        QVERIFY(budget.intervalFactor > 1.0);
        const double stretchedMs = 1000.0 * budget.intervalFactor;
        const auto span = 60s;
        const Cadence c = cadenceOf(simulate(config, budget, span));
        const double expected = 60'000.0 / stretchedMs;
        QVERIFY2(c.minProbes >= static_cast<qint64>(std::floor(expected)) - 1, describe(c));
        QVERIFY2(c.maxProbes <= static_cast<qint64>(std::ceil(expected)) + 1, describe(c));
        QVERIFY2(static_cast<double>(c.total) <= budget.maxProbesPerSecond * 60.0 + 50.0 + 1.0, describe(c));
        QVERIFY2(c.minGapMs >= stretchedMs * 0.5, describe(c));
        QVERIFY2(c.gapP99Ms <= stretchedMs * 1.05, describe(c));
    }

    // Even when the intervals are not stretched (a cap the budget did not plan for), the pacer serves the
    // held-back endpoints in turn: none starves, none fires twice in a row.
    void pacerAloneStarvesNobody()
    {
        const AppConfig config = configOf(1000, 1000ms);
        RateBudget unplanned = sd::rateBudgetFor(config);
        unplanned.maxProbesPerSecond = 200.0; // intervals stay 1 s: demand is 5× the cap
        const Cadence c = cadenceOf(simulate(config, unplanned, 60s));
        QVERIFY2(c.minProbes >= 9, describe(c));
        QVERIFY2(c.minGapMs >= 500.0, describe(c));
        QVERIFY2(static_cast<double>(c.total) <= 200.0 * 60.0 + 200.0, describe(c));
    }
};

QTEST_GUILESS_MAIN(TestRateBudget)
#include "tst_ratebudget.moc"
