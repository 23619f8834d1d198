// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/LatencyHistogram.h"
#include "history/ProbeAggregate.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace sd;

class TestLatencyHistogram : public QObject {
    Q_OBJECT

private slots:
    void bucketBoundaries_data();
    void bucketBoundaries();
    void percentileErrorIsBounded_data();
    void percentileErrorIsBounded();
    void percentileUsesNearestRankAndClamps();
    void encodeDecodeRoundTrip();
    void damagedBlobIsRejected_data();
    void damagedBlobIsRejected();
    void aggregateMergeEqualsAddingEverything();
};

void TestLatencyHistogram::bucketBoundaries_data()
{
    QTest::addColumn<qint64>("us");
    QTest::addColumn<int>("bucket");
    QTest::newRow("negative") << qint64(-5) << 0;
    QTest::newRow("zero") << qint64(0) << 0;
    QTest::newRow("99 us") << qint64(99) << 0;
    QTest::newRow("100 us") << qint64(100) << 1;
    QTest::newRow("200 us = one doubling") << qint64(200) << 17;
    QTest::newRow("199 us") << qint64(199) << 16;
    QTest::newRow("1 ms") << qint64(1000) << 54; // 1 + floor(16 * log2(10)) = 1 + 53
    QTest::newRow("huge") << qint64(10'000'000'000) << LatencyHistogram::kBucketCount - 1;
}

void TestLatencyHistogram::bucketBoundaries()
{
    QFETCH(qint64, us);
    QFETCH(int, bucket);
    QCOMPARE(LatencyHistogram::bucketFor(us), bucket);
}

void TestLatencyHistogram::percentileErrorIsBounded_data()
{
    QTest::addColumn<qint64>("us");
    for (qint64 us :
        { 100LL, 101LL, 150LL, 999LL, 1000LL, 4321LL, 20'000LL, 123'457LL, 999'999LL, 9'876'543LL, 300'000'000LL })
        QTest::addRow("%lld us", static_cast<long long>(us)) << us;
}

void TestLatencyHistogram::percentileErrorIsBounded()
{
    QFETCH(qint64, us);
    // The value sits between two much wider ones, so the min/max clamp cannot help: pure bucket error.
    LatencyHistogram h;
    h.add(1);
    h.add(us);
    h.add(us * 1000);
    const double p50 = h.percentileUs(50, 1, static_cast<double>(us * 1000));
    const double bound = std::exp2(1.0 / 32.0) - 1.0;
    QVERIFY2(std::abs(p50 - static_cast<double>(us)) / static_cast<double>(us) <= bound + 1e-12,
        qPrintable(QStringLiteral("%1 reported as %2").arg(us).arg(p50)));
}

void TestLatencyHistogram::percentileUsesNearestRankAndClamps()
{
    LatencyHistogram h;
    for (qint64 ms = 1; ms <= 100; ++ms)
        h.add(ms * 1000);
    // Nearest rank: p50 of 1..100 ms is the 50th value, p99 the 99th, p100 the max (clamped exactly).
    QVERIFY(std::abs(h.percentileUs(50, 1000, 100'000) - 50'000) <= 0.022 * 50'000);
    QVERIFY(std::abs(h.percentileUs(99, 1000, 100'000) - 99'000) <= 0.022 * 99'000);
    QCOMPARE(h.percentileUs(100, 1000, 100'000), 100'000.0);
    QCOMPARE(h.percentileUs(0.001, 1000, 100'000), 1000.0);
    LatencyHistogram same;
    same.add(20'000, 7);
    QCOMPARE(same.percentileUs(50, 20'000, 20'000), 20'000.0);
    QCOMPARE(LatencyHistogram().percentileUs(50, 0, 0), 0.0);
}

void TestLatencyHistogram::encodeDecodeRoundTrip()
{
    std::mt19937 rng(42);
    std::lognormal_distribution<double> latency(std::log(50'000.0), 1.0);
    LatencyHistogram h;
    for (int i = 0; i < 5000; ++i)
        h.add(static_cast<qint64>(latency(rng)));
    const QByteArray blob = h.encode();
    QVERIFY(blob.size() < 400);
    const auto back = LatencyHistogram::decode(blob);
    QVERIFY(back.has_value());
    QVERIFY(*back == h);
    LatencyHistogram one;
    one.add(150);
    QCOMPARE(one.encode().size(), 3); // version, gap, count
    QVERIFY(LatencyHistogram::decode(LatencyHistogram().encode())->isEmpty());
}

void TestLatencyHistogram::damagedBlobIsRejected_data()
{
    QTest::addColumn<QByteArray>("blob");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("wrong version") << QByteArray("\x02\x01\x01", 3);
    QTest::newRow("cut varint") << QByteArray("\x01\x81", 2);
    QTest::newRow("bucket out of range") << QByteArray("\x01\xff\x03\x01", 4);
    QTest::newRow("zero count") << QByteArray("\x01\x05\x00", 3);
}

void TestLatencyHistogram::damagedBlobIsRejected()
{
    QFETCH(QByteArray, blob);
    QVERIFY(!LatencyHistogram::decode(blob).has_value());
    LatencyHistogram h;
    h.add(1000);
    const LatencyHistogram before = h;
    QVERIFY(!h.mergeEncoded(blob));
    QVERIFY(h == before);
}

void TestLatencyHistogram::aggregateMergeEqualsAddingEverything()
{
    ProbeAggregate all;
    ProbeAggregate first;
    ProbeAggregate second;
    for (int i = 0; i < 200; ++i) {
        const Outcome o = i % 7 == 0 ? Outcome::Timeout : (i % 5 == 0 ? Outcome::Throttled : Outcome::Ok);
        const FailureSignal s = o == Outcome::Timeout ? FailureSignal::S1
            : o == Outcome::Throttled                 ? FailureSignal::S4
                                                      : FailureSignal::None;
        const int status = o == Outcome::Timeout ? 0 : (o == Outcome::Throttled ? 429 : 200);
        all.add(o, s, status, 1000 + i * 37);
        (i < 120 ? first : second).add(o, s, status, 1000 + i * 37);
    }
    first.merge(second);
    QVERIFY(first == all);
    QCOMPARE(all.probes(), 200);
    QCOMPARE(all.signalCount(FailureSignal::S1), 29);
    QCOMPARE(all.latencyCount(), 200 - 29);
    QCOMPARE(all.latencyMinUs(), 1000 + 1 * 37);
}

QTEST_GUILESS_MAIN(TestLatencyHistogram)
#include "tst_latencyhistogram.moc"
