// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/ChartBucketing.h"
#include "history/HistoryQuery.h"
#include "history/HistoryStore.h"
#include "history/HistoryTestData.h"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace sd;
using sd::testdata::baseMs;
using sd::testdata::probe;

class TestChartBucketing : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void handComputedBuckets();
    void bucketBoundsCoverTheRange_data();
    void bucketBoundsCoverTheRange();
    void p95IsNearestRank();
    void emptyAndInvalidInput();
    void agreesWithTheHistoryQuery();
};

void TestChartBucketing::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestChartBucketing::handComputedBuckets()
{
    const qint64 from = baseMs(0);
    const ProbeResults samples {
        probe(u"e"_s, from - 1, 999'000), // before the range
        probe(u"e"_s, from, 10'000), probe(u"e"_s, from + 500, 30'000),
        probe(u"e"_s, from + 1999, 20'000, Outcome::ServerError, 500),
        // nothing in [2 s, 4 s): that bucket is left out
        probe(u"e"_s, from + 4000, 5'000'000, Outcome::Timeout, 0, FailureSignal::S1),
        probe(u"e"_s, from + 4100, 15'000, Outcome::Auth, 401, FailureSignal::S2), probe(u"e"_s, from + 9999, 100'000),
        probe(u"e"_s, from + 10'000, 999'000), // toMs is exclusive
    };
    const ChartSeries s = bucketizeSamples(samples, from, from + 10'000, 5);
    QCOMPARE(s.bucketMs, 2000);
    QVERIFY(!s.fromRollups);
    QCOMPARE(s.buckets.size(), 3);

    const ChartBucket& a = s.buckets.at(0);
    QCOMPARE(a.startMs, from);
    QCOMPARE(a.endMs, from + 2000);
    QCOMPARE(a.probes, 3);
    QCOMPARE(a.errors, 1); // the 500 counts as an error but raises no signal
    QCOMPARE(a.signalCounts, (std::array<qint64, kSignalCount> { 0, 0, 0, 0 }));
    QCOMPARE(a.latencyCount, 3);
    QCOMPARE(a.minLatencyMs, 10.0);
    QCOMPARE(a.maxLatencyMs, 30.0);
    QCOMPARE(a.meanLatencyMs, 20.0);
    QCOMPARE(a.p95LatencyMs, 30.0); // rank 3 of 3 is the maximum, exact

    // The timeout has no HTTP status: it counts as a probe and an S1 error, not as a latency.
    const ChartBucket& b = s.buckets.at(1);
    QCOMPARE(b.startMs, from + 4000);
    QCOMPARE(b.probes, 2);
    QCOMPARE(b.errors, 2);
    QCOMPARE(b.signalCounts, (std::array<qint64, kSignalCount> { 1, 1, 0, 0 }));
    QCOMPARE(b.latencyCount, 1);
    QCOMPARE(b.minLatencyMs, 15.0);
    QCOMPARE(b.maxLatencyMs, 15.0);
    QCOMPARE(b.meanLatencyMs, 15.0);
    QCOMPARE(b.p95LatencyMs, 15.0);

    const ChartBucket& c = s.buckets.at(2);
    QCOMPARE(c.startMs, from + 8000);
    QCOMPARE(c.endMs, from + 10'000);
    QCOMPARE(c.probes, 1);
    QCOMPARE(c.maxLatencyMs, 100.0);
}

void TestChartBucketing::bucketBoundsCoverTheRange_data()
{
    QTest::addColumn<int>("maxBuckets");
    QTest::addColumn<qint64>("expectedWidth");
    QTest::newRow("10 s in 3: width rounds up, last bucket cut at the end") << 3 << qint64(3334);
    QTest::newRow("10 s in 10'000: one ms each") << 10'000 << qint64(1);
    QTest::newRow("10 s in 20'000: never below 1 ms") << 20'000 << qint64(1);
    QTest::newRow("10 s in 1") << 1 << qint64(10'000);
}

void TestChartBucketing::bucketBoundsCoverTheRange()
{
    QFETCH(int, maxBuckets);
    QFETCH(qint64, expectedWidth);
    const qint64 from = baseMs(123);
    ProbeResults samples;
    for (int i = 0; i < 100; ++i)
        samples.append(probe(u"e"_s, from + qint64(i) * 100, 1000 + i));
    samples.append(probe(u"e"_s, from + 9999, 5000));
    const ChartSeries s = bucketizeSamples(samples, from, from + 10'000, maxBuckets);
    QCOMPARE(s.bucketMs, expectedWidth);
    QVERIFY(s.buckets.size() <= maxBuckets);
    qint64 probes = 0;
    for (const ChartBucket& b : s.buckets) {
        QVERIFY(b.startMs >= from);
        QVERIFY(b.endMs <= from + 10'000);
        QCOMPARE((b.startMs - from) % expectedWidth, 0);
        probes += b.probes;
    }
    QCOMPARE(probes, 101);
    QCOMPARE(s.buckets.last().endMs, std::min(s.buckets.last().startMs + expectedWidth, from + 10'000));
}

void TestChartBucketing::p95IsNearestRank()
{
    // 100 answers of 1..100 ms, shuffled in time: nearest rank 95 is 95 ms (histogram error ≤ 2.2 %).
    const qint64 from = baseMs(0);
    ProbeResults samples;
    for (int i = 0; i < 100; ++i)
        samples.append(probe(u"e"_s, from + qint64(i) * 10, qint64((i * 37) % 100 + 1) * 1000));
    const ChartSeries s = bucketizeSamples(samples, from, from + 1000, 1);
    QCOMPARE(s.buckets.size(), 1);
    const double p95 = s.buckets.first().p95LatencyMs;
    QVERIFY2(std::abs(p95 - 95.0) <= 0.022 * 95.0, qPrintable(QString::number(p95)));
    QCOMPARE(s.buckets.first().meanLatencyMs, 50.5);
}

void TestChartBucketing::emptyAndInvalidInput()
{
    const ProbeResults one { probe(u"e"_s, baseMs(0), 1000) };
    QVERIFY(bucketizeSamples({}, baseMs(0), baseMs(1000), 10).buckets.isEmpty());
    QVERIFY(bucketizeSamples(one, baseMs(1000), baseMs(0), 10).buckets.isEmpty());
    QVERIFY(bucketizeSamples(one, baseMs(0), baseMs(1000), 0).buckets.isEmpty());
    QVERIFY(bucketizeSamples(one, baseMs(1), baseMs(1000), 10).buckets.isEmpty());
    QCOMPARE(bucketizeSamples(one, baseMs(0), baseMs(1000), 10).buckets.size(), 1);
}

void TestChartBucketing::agreesWithTheHistoryQuery()
{
    // The live window (in memory) and the stored history (SQL) must draw the same chart.
    QTemporaryDir dir;
    ProbeResults samples;
    for (int i = 0; i < 3000; ++i) {
        const int kind = (i * 7919) % 31;
        const Outcome outcome = kind == 0 ? Outcome::Timeout
            : kind == 1                   ? Outcome::Throttled
            : kind == 2                   ? Outcome::ServerError
                                          : Outcome::Ok;
        const int status = outcome == Outcome::Timeout ? 0
            : outcome == Outcome::Throttled            ? 429
            : outcome == Outcome::Ok                   ? 200
                                                       : 500;
        samples.append(probe(u"e"_s, baseMs(i * 700 + (i % 3)), 1000 + (i * 104'729) % 400'000, outcome, status,
            defaultSignalFor(outcome)));
    }
    HistoryOptions options;
    options.directory = dir.path();
    options.maintenanceInterval = std::chrono::milliseconds(0);
    HistoryStore store(options);
    store.append(samples);
    QVERIFY(store.flushNow());
    HistoryQuery query(store.databasePath());
    const qint64 from = baseMs(12'345);
    const qint64 to = baseMs(20 * 60'000 - 77);
    for (int maxBuckets : { 25, 100, 800, 5000 }) {
        const ChartSeries fromDisk = query.chart(u"e"_s, from, to, maxBuckets);
        QVERIFY(!fromDisk.fromRollups);
        QVERIFY(!fromDisk.buckets.isEmpty());
        QCOMPARE(bucketizeSamples(samples, from, to, maxBuckets), fromDisk);
    }
}

QTEST_GUILESS_MAIN(TestChartBucketing)
#include "tst_chartbucketing.moc"
