// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/HistoryQuery.h"
#include "history/HistorySchema.h"
#include "history/HistoryStore.h"
#include "history/HistoryTestData.h"
#include "history/SampleBlock.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;
using namespace sd;
using sd::testdata::baseMs;
using sd::testdata::probe;

namespace {

constexpr qint64 kMinute = 60'000;
constexpr qint64 kHour = 3'600'000;
constexpr qint64 kDay = 24 * kHour;

HistoryOptions optionsFor(const QString& dir)
{
    HistoryOptions o;
    o.directory = dir;
    o.maintenanceInterval = std::chrono::milliseconds(0); // tests trigger retention themselves
    o.retryInterval = std::chrono::milliseconds(100);
    o.busyTimeout = std::chrono::milliseconds(50);
    return o;
}

/// A plain connection to inspect the file the way another tool would.
class Inspector {
public:
    explicit Inspector(const QString& path)
        : m_name(u"inspector-%1"_s.arg(reinterpret_cast<quintptr>(this)))
    {
        auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_name);
        db.setDatabaseName(path);
        db.open();
    }
    ~Inspector() { QSqlDatabase::removeDatabase(m_name); }
    QVariant scalar(const QString& sql)
    {
        QSqlQuery q(QSqlDatabase::database(m_name));
        if (!q.exec(sql) || !q.next()) {
            qWarning() << sql << q.lastError().text();
            return {};
        }
        return q.value(0);
    }
    QSqlDatabase db() { return QSqlDatabase::database(m_name); }

private:
    QString m_name;
};

} // namespace

class TestHistoryStore : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void roundTripKeepsEveryField();
    void storesStringsOnceAndIntegersInRows();
    void rollupMatchesHandComputedValues_data();
    void rollupMatchesHandComputedValues();
    void statsAddRollupsAndRawEdges();
    void retentionDeletesOldRawAndRollups();
    void retentionIsConfigurable();
    void chartUsesRawForShortRangesAndRollupsForLong();
    void chartP95FromRawAndFromRollupHistograms();
    void restartShowsEarlierHistory();
    void corruptFileIsSetAsideAndFreshOneWorks_data();
    void corruptFileIsSetAsideAndFreshOneWorks();
    void damagedPagesAreNotANewerSchema_data();
    void damagedPagesAreNotANewerSchema();
    void lockedDatabaseIsRetriedNotMoved();
    void databaseLockedAtStartIsLeftAlone();
    void fullDiskKeepsStoredHistoryAndBoundsMemory();
    void unwritableDirectoryReportsAndKeepsProbing();
    void sameMillisecondKeepsBothSamples();
    void appendFromManyThreads();
    void lastSamplesPerEndpointForRestart();
    void directAndQtSqlReadsAgree();
    void version1FileIsMigratedKeepingEverySample();
    void outOfOrderSamplesKeepTimeOrderAcrossBlocks();
    void retentionTrimsInsideABlock();
    void realisticProbeCostsAtMost32Bytes();
    void blockCodecKeepsOddValuesAndRejectsDamage();
    void damagedBlockIsReportedAndTheFileSetAside();
};

void TestHistoryStore::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestHistoryStore::roundTripKeepsEveryField()
{
    QTemporaryDir dir;
    ProbeResult full
        = probe(u"chat"_s, baseMs(1234), 187'654, Outcome::Auth, 401, FailureSignal::S2, u"HTTP 401: invalid_token"_s);
    full.url = u"https://user:pw@api.example.com/v1/chat?model=m&api_key=sk-123&token=abc"_s;
    full.phases = { 10, 2000, 2100, 150'000, 37'000 };
    full.connectionReused = true;
    full.bodyTruncated = true;
    full.bytesRead = 70'000;
    full.attempts = 3;
    full.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    ProbeResult minimal = probe(u"chat"_s, baseMs(5000), 1'000'000, Outcome::Timeout, 0, FailureSignal::S1);
    minimal.phases = {};
    {
        HistoryStore store(optionsFor(dir.path()));
        store.append({ full, minimal });
        QVERIFY(store.flushNow());
        QCOMPARE(store.storedSamples(), 2);
    }
    HistoryQuery query(dir.filePath(u"history.sqlite"_s));
    const ProbeResults back = query.lastSamples(u"chat"_s, 10);
    QCOMPARE(back.size(), 2);
    const ProbeResult& a = back.at(0);
    QCOMPARE(a.endpoint, u"chat"_s);
    QCOMPARE(a.url, u"https://api.example.com/v1/chat?model=m&api_key=REDACTED&token=REDACTED"_s);
    QCOMPARE(a.startUtc, full.startUtc);
    QCOMPARE(a.latencyUs, full.latencyUs);
    QCOMPARE(a.phases, full.phases);
    QVERIFY(a.connectionReused);
    QVERIFY(a.bodyTruncated);
    QCOMPARE(a.bytesRead, 70'000);
    QCOMPARE(a.httpStatus, 401);
    QCOMPARE(a.outcome, Outcome::Auth);
    QCOMPARE(a.signal, FailureSignal::S2);
    QCOMPARE(a.reason, full.reason);
    QCOMPARE(a.attempts, 3);
    QCOMPARE(a.traceId, full.traceId);
    const ProbeResult& b = back.at(1);
    QCOMPARE(b.phases, ProbePhases {});
    QCOMPARE(b.httpStatus, 0);
    QCOMPARE(b.outcome, Outcome::Timeout);
    QCOMPARE(b.signal, FailureSignal::S1);
    QVERIFY(b.reason.isEmpty());
    QVERIFY(b.traceId.isEmpty());
}

void TestHistoryStore::storesStringsOnceAndIntegersInRows()
{
    QTemporaryDir dir;
    {
        HistoryStore store(optionsFor(dir.path()));
        ProbeResults batch;
        for (int i = 0; i < 100; ++i)
            batch.append(probe(u"payments"_s, baseMs(qint64 { i } * 1000), 50'000, Outcome::Throttled, 429,
                FailureSignal::S4, u"HTTP 429, Retry-After 30 s"_s));
        store.append(batch);
        QVERIFY(store.flushNow());
    }
    Inspector db(dir.filePath(u"history.sqlite"_s));
    QCOMPARE(db.scalar(u"SELECT sum(n) FROM sample_blocks"_s).toInt(), 100);
    QCOMPARE(db.scalar(u"SELECT count(*) FROM endpoints"_s).toInt(), 1);
    QCOMPARE(db.scalar(u"SELECT count(*) FROM urls"_s).toInt(), 1);
    QCOMPARE(db.scalar(u"SELECT count(*) FROM reasons"_s).toInt(), 1);
    QCOMPARE(db.scalar(u"SELECT count(*) FROM sample_blocks WHERE typeof(endpoint_id) <> 'integer' OR "
                       "typeof(first_ms) <> 'integer' OR typeof(data) <> 'blob'"_s)
                 .toInt(),
        0);
    // Repeated fields cost nothing per sample: 100 identical throttled probes 1 s apart, no trace id.
    QVERIFY2(db.scalar(u"SELECT sum(length(data)) FROM sample_blocks"_s).toInt() <= 100 * 6,
        qPrintable(db.scalar(u"SELECT sum(length(data)) FROM sample_blocks"_s).toString()));
    QCOMPARE(db.scalar(u"PRAGMA journal_mode"_s).toString(), u"wal"_s);
    QCOMPARE(db.scalar(u"SELECT max(version) FROM schema_migrations"_s).toInt(), HistorySchema::kCurrentVersion);
}

void TestHistoryStore::rollupMatchesHandComputedValues_data()
{
    QTest::addColumn<int>("batches");
    QTest::newRow("one batch") << 1;
    QTest::newRow("one sample per batch (rollup merged each time)") << 6;
}

void TestHistoryStore::rollupMatchesHandComputedValues()
{
    QFETCH(int, batches);
    QTemporaryDir dir;
    // One minute of an endpoint: four answers of 10..40 ms, a 401 after 15 ms, and a 5 s timeout.
    const qint64 m = baseMs(7 * kMinute);
    const ProbeResults minute {
        probe(u"e"_s, m + 1000, 10'000),
        probe(u"e"_s, m + 11'000, 40'000),
        probe(u"e"_s, m + 21'000, 20'000),
        probe(u"e"_s, m + 31'000, 15'000, Outcome::Auth, 401, FailureSignal::S2),
        probe(u"e"_s, m + 41'000, 5'000'000, Outcome::Timeout, 0, FailureSignal::S1),
        probe(u"e"_s, m + 59'999, 30'000),
    };
    {
        HistoryStore store(optionsFor(dir.path()));
        const qsizetype per = minute.size() / batches;
        for (qsizetype i = 0; i < minute.size(); i += per) {
            store.append(minute.mid(i, per));
            QVERIFY(store.flushNow());
        }
    }
    Inspector db(dir.filePath(u"history.sqlite"_s));
    QSqlQuery q(db.db());
    QVERIFY(q.exec(u"SELECT minute, probes, ok, timeout, auth, s1, s2, s3, s4, lat_n, lat_min_us, lat_max_us, "
                   "lat_sum_us, p50_us, p95_us, p99_us FROM rollups"_s));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toLongLong(), m / kMinute);
    QCOMPARE(q.value(1).toInt(), 6);
    QCOMPARE(q.value(2).toInt(), 4);
    QCOMPARE(q.value(3).toInt(), 1);
    QCOMPARE(q.value(4).toInt(), 1);
    QCOMPARE(q.value(5).toInt(), 1);
    QCOMPARE(q.value(6).toInt(), 1);
    QCOMPARE(q.value(7).toInt(), 0);
    QCOMPARE(q.value(8).toInt(), 0);
    // Latency covers the five probes with an HTTP answer: 10, 15, 20, 30, 40 ms (not the timeout).
    QCOMPARE(q.value(9).toInt(), 5);
    QCOMPARE(q.value(10).toLongLong(), 10'000);
    QCOMPARE(q.value(11).toLongLong(), 40'000);
    QCOMPARE(q.value(12).toLongLong(), 115'000);
    // Nearest rank: p50 is the 3rd of 5 (20 ms), p95 and p99 the 5th (40 ms, exact through the max clamp).
    QVERIFY2(std::abs(q.value(13).toDouble() - 20'000.0) <= 0.022 * 20'000.0, qPrintable(q.value(13).toString()));
    QCOMPARE(q.value(14).toLongLong(), 40'000);
    QCOMPARE(q.value(15).toLongLong(), 40'000);
    QVERIFY(!q.next());

    HistoryQuery query(dir.filePath(u"history.sqlite"_s));
    const ProbeAggregate s = query.stats(u"e"_s, m, m + kMinute);
    QCOMPARE(s.probes(), 6);
    QCOMPARE(s.uptimePercent(), 4.0 / 6.0 * 100.0);
    QCOMPARE(s.latencyMeanMs(), 23.0);
    QCOMPARE(s.latencyMinUs(), 10'000);
    QCOMPARE(s.latencyMaxUs(), 40'000);
}

void TestHistoryStore::statsAddRollupsAndRawEdges()
{
    QTemporaryDir dir;
    // Ten minutes, one probe every 10 s; every 6th fails with 503 (S4). Latency 1..60 ms by position.
    ProbeResults all;
    for (int i = 0; i < 60; ++i) {
        const bool fail = i % 6 == 5;
        all.append(probe(u"e"_s, baseMs(qint64 { i } * 10'000), qint64 { i + 1 } * 1000,
            fail ? Outcome::Throttled : Outcome::Ok, fail ? 503 : 200, fail ? FailureSignal::S4 : FailureSignal::None));
    }
    {
        HistoryStore store(optionsFor(dir.path()));
        store.append(all);
        QVERIFY(store.flushNow());
    }
    HistoryQuery query(dir.filePath(u"history.sqlite"_s));
    // Whole minutes only: 60 probes, 10 of them throttled.
    const ProbeAggregate whole = query.stats(u"e"_s, baseMs(0), baseMs(10 * kMinute));
    QCOMPARE(whole.probes(), 60);
    QCOMPARE(whole.signalCount(FailureSignal::S4), 10);
    QCOMPARE(whole.outcomeCount(Outcome::Throttled), 10);
    QCOMPARE(whole.latencyMinUs(), 1000);
    QCOMPARE(whole.latencyMaxUs(), 60'000);
    QCOMPARE(whole.latencyMeanMs(), 30.5);

    // 00:35 to 09:25: the probes at 40 s .. 9 min 20 s, i.e. index 4..56 = 53 probes, exact at the edges.
    const ProbeAggregate partial = query.stats(u"e"_s, baseMs(35'000), baseMs(9 * kMinute + 25'000));
    QCOMPARE(partial.probes(), 53);
    QCOMPARE(partial.latencyMinUs(), 5000);
    QCOMPARE(partial.latencyMaxUs(), 57'000);
    // Failures at index 5, 11, ..., 53: nine of them.
    QCOMPARE(partial.signalCount(FailureSignal::S4), 9);
    QCOMPARE(partial.latencyMeanMs(), 31.0);
    const double p95 = partial.latencyPercentileMs(95);
    // Nearest rank 51 of the 53 sorted latencies 5..57 ms is 55 ms.
    QVERIFY2(std::abs(p95 - 55.0) <= 0.022 * 55.0, qPrintable(QString::number(p95)));

    // Less than a minute, inside one minute: raw only.
    const ProbeAggregate tiny = query.stats(u"e"_s, baseMs(60'000), baseMs(90'000));
    QCOMPARE(tiny.probes(), 3);
    QCOMPARE(query.stats(u"nope"_s, baseMs(0), baseMs(kHour)).probes(), 0);
}

void TestHistoryStore::retentionDeletesOldRawAndRollups()
{
    QTemporaryDir dir;
    const qint64 now = baseMs(100 * kDay);
    HistoryStore store(optionsFor(dir.path()));
    store.append({
        probe(u"e"_s, now - 95 * kDay, 1000, Outcome::ServerError, 500, FailureSignal::None, u"old reason"_s),
        probe(u"e"_s, now - 89 * kDay, 2000),
        probe(u"e"_s, now - 8 * kDay, 3000),
        probe(u"e"_s, now - 6 * kDay, 4000, Outcome::Input, 422, FailureSignal::S3, u"kept reason"_s),
        probe(u"e"_s, now - kHour, 5000),
    });
    QVERIFY(store.flushNow());
    QSignalSpy finished(&store, &HistoryStore::maintenanceFinished);
    const MaintenanceReport report = store.runMaintenanceNow(QDateTime::fromMSecsSinceEpoch(now, Qt::UTC));
    QVERIFY(report.ok);
    QCOMPARE(report.rawDeleted, 3); // 95, 89 and 8 days old
    QCOMPARE(report.rollupsDeleted, 1); // 95 days old
    QCOMPARE(report.reasonsDeleted, 1); // "old reason" belonged only to a deleted sample
    QCOMPARE(report.rawHorizonMs, now - 7 * kDay);
    QTRY_COMPARE(finished.size(), 1);

    HistoryQuery query(store.databasePath());
    QCOMPARE(query.rawHorizonMs(), now - 7 * kDay);
    QCOMPARE(query.countSamples({}, 0, now), 2);
    // The 89- and 8-day-old probes still count through their rollups; the 95-day-old one is gone.
    QCOMPARE(query.stats(u"e"_s, now - 100 * kDay, now).probes(), 4);
    QCOMPARE(query.stats(u"e"_s, now - 90 * kDay, now - 88 * kDay).probes(), 1);
    const ChartSeries old = query.chart(u"e"_s, now - 9 * kDay, now - 7 * kDay, 1000);
    QVERIFY(old.fromRollups);
    QCOMPARE(old.buckets.size(), 1);
    QCOMPARE(old.buckets.first().probes, 1);
    QCOMPARE(query.lastSamples(u"e"_s, 10).first().reason, u"kept reason"_s);
    // A second run finds nothing more to do.
    QCOMPARE(store.runMaintenanceNow(QDateTime::fromMSecsSinceEpoch(now, Qt::UTC)).rawDeleted, 0);
}

void TestHistoryStore::retentionIsConfigurable()
{
    QTemporaryDir dir;
    HistoryOptions o = optionsFor(dir.path());
    o.rawRetention = std::chrono::hours(1);
    o.rollupRetention = std::chrono::hours(2);
    const qint64 now = baseMs(10 * kDay);
    HistoryStore store(o);
    store.append({ probe(u"e"_s, now - 3 * kHour, 1000), probe(u"e"_s, now - 90 * kMinute, 1000),
        probe(u"e"_s, now - 30 * kMinute, 1000) });
    QVERIFY(store.flushNow());
    const MaintenanceReport report = store.runMaintenanceNow(QDateTime::fromMSecsSinceEpoch(now, Qt::UTC));
    QCOMPARE(report.rawDeleted, 2);
    QCOMPARE(report.rollupsDeleted, 1);
}

void TestHistoryStore::chartUsesRawForShortRangesAndRollupsForLong()
{
    QTemporaryDir dir;
    // Two hours of 1 s probes; latency rises 1 ms per minute; every 100th probe is a 502 (S1).
    ProbeResults all;
    for (int i = 0; i < 7200; ++i) {
        const bool fail = i % 100 == 99;
        all.append(probe(u"e"_s, baseMs(qint64 { i } * 1000), qint64 { 1 + i / 60 } * 1000,
            fail ? Outcome::Connection : Outcome::Ok, fail ? 502 : 200,
            fail ? FailureSignal::S1 : FailureSignal::None));
    }
    HistoryStore store(optionsFor(dir.path()));
    store.append(all);
    QVERIFY(store.flushNow());
    HistoryQuery query(store.databasePath());

    const ChartSeries longRange = query.chart(u"e"_s, baseMs(0), baseMs(2 * kHour), 100);
    QVERIFY(longRange.fromRollups);
    QCOMPARE(longRange.bucketMs, 2 * kMinute); // 72 s rounded up to whole minutes
    QCOMPARE(longRange.buckets.size(), 60);
    qint64 probes = 0;
    qint64 errors = 0;
    qint64 s1 = 0;
    for (const ChartBucket& b : longRange.buckets) {
        probes += b.probes;
        errors += b.errors;
        s1 += b.signalCounts[0];
    }
    QCOMPARE(probes, 7200);
    QCOMPARE(errors, 72);
    QCOMPARE(s1, 72);
    // Bucket 3 holds minutes 6 and 7: latencies 7 and 8 ms.
    const ChartBucket& third = longRange.buckets.at(3);
    QCOMPARE(third.startMs, baseMs(6 * kMinute));
    QCOMPARE(third.minLatencyMs, 7.0);
    QCOMPARE(third.maxLatencyMs, 8.0);
    QCOMPARE(third.meanLatencyMs, 7.5);

    const ChartSeries shortRange = query.chart(u"e"_s, baseMs(10 * kMinute), baseMs(20 * kMinute), 100);
    QVERIFY(!shortRange.fromRollups);
    QCOMPARE(shortRange.bucketMs, 6000);
    QCOMPARE(shortRange.buckets.size(), 100);
    for (const ChartBucket& b : shortRange.buckets)
        QCOMPARE(b.probes, 6);
    QCOMPARE(shortRange.buckets.first().minLatencyMs, 11.0);
    QCOMPARE(shortRange.buckets.last().maxLatencyMs, 20.0);

    // Never more than maxBuckets, whatever the range.
    for (int n : { 1, 7, 333, 2000 }) {
        QVERIFY(query.chart(u"e"_s, baseMs(-kDay), baseMs(kDay), n).buckets.size() <= n);
        QVERIFY(query.chart(u"e"_s, baseMs(12'345), baseMs(12'345 + 5 * kMinute), n).buckets.size() <= n);
    }
    QVERIFY(query.chart(u"unknown"_s, baseMs(0), baseMs(kHour), 10).buckets.isEmpty());
}

void TestHistoryStore::chartP95FromRawAndFromRollupHistograms()
{
    QTemporaryDir dir;
    // Minute A: 20 probes of 1..20 ms; minute B: 20 probes of 21..40 ms (every 3 s).
    ProbeResults all;
    for (int i = 0; i < 40; ++i)
        all.append(probe(u"e"_s, baseMs(qint64 { i } * 3000), qint64 { i + 1 } * 1000));
    {
        HistoryStore store(optionsFor(dir.path()));
        store.append(all);
        QVERIFY(store.flushNow());
    }
    const QString path = dir.filePath(u"history.sqlite"_s);
    auto near = [](double actual, double expected) { return std::abs(actual - expected) <= 0.022 * expected; };
    {
        HistoryQuery query(path);
        // A bucket shorter than a minute comes from raw samples: nearest rank 19 of 1..20 ms.
        const ChartSeries raw = query.chart(u"e"_s, baseMs(0), baseMs(kMinute - 1), 1);
        QVERIFY(!raw.fromRollups);
        QCOMPARE(raw.buckets.size(), 1);
        QCOMPARE(raw.buckets.first().meanLatencyMs, 10.5);
        QVERIFY2(near(raw.buckets.first().p95LatencyMs, 19.0),
            qPrintable(QString::number(raw.buckets.first().p95LatencyMs)));
        // Two minutes in one rollup bucket: the histograms merge, rank 38 of 1..40 ms.
        const ChartSeries merged = query.chart(u"e"_s, baseMs(0), baseMs(2 * kMinute), 1);
        QVERIFY(merged.fromRollups);
        QCOMPARE(merged.buckets.size(), 1);
        QCOMPARE(merged.buckets.first().maxLatencyMs, 40.0);
        QVERIFY2(near(merged.buckets.first().p95LatencyMs, 38.0),
            qPrintable(QString::number(merged.buckets.first().p95LatencyMs)));
        // The maximum is exact (nearest rank 20 of 20 is clamped to the observed max).
        QCOMPARE(query.chart(u"e"_s, baseMs(0), baseMs(kMinute - 1), 1).buckets.first().maxLatencyMs, 20.0);
    }
    // Without minute B's histogram the bucket falls back to the largest stored per-minute p95 (≈ 39 ms).
    {
        Inspector db(path);
        QSqlQuery q(db.db());
        QVERIFY(q.exec(u"UPDATE rollups SET hist = NULL WHERE minute = %1"_s.arg(baseMs(kMinute) / kMinute)));
    }
    HistoryQuery query(path);
    const ChartSeries fallback = query.chart(u"e"_s, baseMs(0), baseMs(2 * kMinute), 1);
    QCOMPARE(fallback.buckets.size(), 1);
    QVERIFY2(near(fallback.buckets.first().p95LatencyMs, 39.0),
        qPrintable(QString::number(fallback.buckets.first().p95LatencyMs)));
    QCOMPARE(fallback.buckets.first().probes, 40);
}

void TestHistoryStore::restartShowsEarlierHistory()
{
    QTemporaryDir dir;
    {
        HistoryStore store(optionsFor(dir.path()));
        store.append({ probe(u"e"_s, baseMs(0), 10'000), probe(u"e"_s, baseMs(1000), 11'000) });
    } // destroyed without flushNow(): the destructor writes what is queued
    {
        HistoryStore store(optionsFor(dir.path()));
        QSignalSpy opened(&store, &HistoryStore::opened);
        QVERIFY(opened.wait());
        store.append({ probe(u"e"_s, baseMs(2000), 12'000, Outcome::ServerError, 500) });
        QVERIFY(store.flushNow());
        HistoryQuery query(store.databasePath());
        const ProbeResults last = query.lastSamples(u"e"_s, 10);
        QCOMPARE(last.size(), 3);
        QCOMPARE(last.at(0).latencyUs, 10'000);
        QCOMPARE(last.at(2).outcome, Outcome::ServerError);
        const ProbeAggregate s = query.stats(u"e"_s, baseMs(0), baseMs(kMinute));
        QCOMPARE(s.probes(), 3);
        QCOMPARE(s.uptimePercent(), 200.0 / 3.0);
    }
}

void TestHistoryStore::corruptFileIsSetAsideAndFreshOneWorks_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<bool>("damageValidFile");
    QTest::newRow("text file") << QByteArray("this is not a database\n") << false;
    QTest::newRow("short file") << QByteArray("SQLite format 3") << false;
    QTest::newRow("damaged schema page") << QByteArray() << true;
}

void TestHistoryStore::corruptFileIsSetAsideAndFreshOneWorks()
{
    QFETCH(QByteArray, content);
    QFETCH(bool, damageValidFile);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"history.sqlite"_s);
    if (damageValidFile) {
        {
            HistoryStore store(optionsFor(dir.path()));
            store.append({ probe(u"e"_s, baseMs(0), 1000) });
            QVERIFY(store.flushNow());
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        content = f.readAll();
        // Keep the 100-byte header, scribble over the rest of page 1 (the schema).
        f.seek(100);
        f.write(QByteArray(4000, '\x5a'));
        f.close();
        f.open(QIODevice::ReadOnly);
        content = f.readAll();
    } else {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }

    HistoryStore store(optionsFor(dir.path()));
    QSignalSpy errors(&store, &HistoryStore::errorOccurred);
    QSignalSpy reset(&store, &HistoryStore::databaseReset);
    QSignalSpy opened(&store, &HistoryStore::opened);
    QVERIFY(opened.wait());
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().at(0).value<HistoryError>(), HistoryError::Corrupt);
    QCOMPARE(store.lastErrorKind(), HistoryError::Corrupt);
    QCOMPARE(reset.size(), 1);
    const QString aside = reset.first().at(0).toString();
    QVERIFY2(aside.startsWith(path + u".corrupt-"_s), qPrintable(aside));
    QVERIFY(store.lastError().contains(aside));
    QVERIFY(store.lastError().contains(u"nothing was deleted"_s));
    // The bad file is kept byte for byte.
    QFile kept(aside);
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), content);

    QSignalSpy recovered(&store, &HistoryStore::recovered);
    store.append({ probe(u"fresh"_s, baseMs(0), 2000) });
    QVERIFY(store.flushNow());
    QTRY_COMPARE(recovered.size(), 1);
    QCOMPARE(store.currentError(), HistoryError::None);
    HistoryQuery query(path);
    QCOMPARE(query.endpoints(), QStringList { u"fresh"_s });
}

void TestHistoryStore::damagedPagesAreNotANewerSchema_data()
{
    QTest::addColumn<int>("version");
    QTest::addColumn<bool>("damagePages");
    QTest::addColumn<bool>("damaged");
    // Issue 11: a file damaged inside its pages read as "schema version 97" and was left alone.
    QTest::newRow("version 97 read from a damaged file") << 97 << true << true;
    QTest::newRow("plausible version, damaged file (quick_check)")
        << HistorySchema::kCurrentVersion + 1 << true << true;
    QTest::newRow("implausible version, intact file") << 1'000'000 << false << true;
    QTest::newRow("newer schema, intact file") << HistorySchema::kCurrentVersion + 1 << false << false;
}

void TestHistoryStore::damagedPagesAreNotANewerSchema()
{
    QFETCH(int, version);
    QFETCH(bool, damagePages);
    QFETCH(bool, damaged);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"history.sqlite"_s);
    {
        HistoryStore store(optionsFor(dir.path()));
        QList<ProbeResult> many;
        for (int i = 0; i < 400; ++i)
            many.append(probe(u"endpoint-%1"_s.arg(i % 7), baseMs(qint64 { i } * 1000), 1000 + i));
        store.append(many);
        QVERIFY(store.flushNow());
    }
    int samplesRoot = 0;
    int pageSize = 0;
    {
        Inspector inspect(path);
        QSqlQuery q(inspect.db());
        QVERIFY(q.exec(u"INSERT INTO schema_migrations (version, applied_ms) VALUES (%1, 0)"_s.arg(version)));
        samplesRoot = inspect.scalar(u"SELECT rootpage FROM sqlite_master WHERE name = 'sample_blocks'"_s).toInt();
        pageSize = inspect.scalar(u"PRAGMA page_size"_s).toInt();
        QVERIFY(inspect.scalar(u"PRAGMA wal_checkpoint(TRUNCATE)"_s).isValid());
    }
    QVERIFY(samplesRoot > 1 && pageSize > 0);
    if (damagePages) {
        // Scribble over the sample table's root page; the page holding the version stays readable.
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.seek(qint64(samplesRoot - 1) * pageSize));
        f.write(QByteArray(pageSize, '\x5a'));
    }

    HistoryStore store(optionsFor(dir.path()));
    QSignalSpy errors(&store, &HistoryStore::errorOccurred);
    QSignalSpy reset(&store, &HistoryStore::databaseReset);
    if (damaged) {
        QSignalSpy opened(&store, &HistoryStore::opened);
        QVERIFY(opened.wait());
        QCOMPARE(store.lastErrorKind(), HistoryError::Corrupt);
        QCOMPARE(reset.size(), 1);
        const QString aside = reset.first().at(0).toString();
        QVERIFY2(aside.startsWith(path + u".corrupt-"_s), qPrintable(aside));
        QVERIFY2(store.lastError().contains(aside), qPrintable(store.lastError()));
        QVERIFY2(!store.lastError().contains(u"newer"_s), qPrintable(store.lastError()));
        // The run's samples are stored in the fresh file.
        store.append({ probe(u"fresh"_s, baseMs(0), 2000) });
        QVERIFY(store.flushNow());
        QCOMPARE(HistoryQuery(path).endpoints(), QStringList { u"fresh"_s });
    } else {
        QTRY_COMPARE(errors.size(), 1);
        QCOMPARE(store.lastErrorKind(), HistoryError::Incompatible);
        QVERIFY2(store.lastError().contains(u"newer"_s), qPrintable(store.lastError()));
        QVERIFY(reset.isEmpty());
        QVERIFY(QDir(dir.path()).entryList({ u"*.corrupt-*"_s }).isEmpty()); // a newer file is left alone
        // Nothing of the run is dropped: the samples wait in memory.
        store.append({ probe(u"waiting"_s, baseMs(0), 2000) });
        QTRY_COMPARE(store.pendingSamples(), 1);
    }
}

void TestHistoryStore::lockedDatabaseIsRetriedNotMoved()
{
    QTemporaryDir dir;
    HistoryStore store(optionsFor(dir.path()));
    store.append({ probe(u"e"_s, baseMs(0), 1000) });
    QVERIFY(store.flushNow());

    // Another process (here: another connection) holds the write lock.
    auto locker = std::make_unique<Inspector>(store.databasePath());
    QSqlQuery lock(locker->db());
    QVERIFY(lock.exec(u"BEGIN IMMEDIATE"_s));
    QVERIFY(lock.exec(u"INSERT INTO meta (key, value) VALUES ('held', 1)"_s));

    QSignalSpy errors(&store, &HistoryStore::errorOccurred);
    store.append({ probe(u"e"_s, baseMs(1000), 2000), probe(u"e"_s, baseMs(2000), 3000) });
    QVERIFY(!store.flushNow());
    QCOMPARE(store.currentError(), HistoryError::Locked);
    QVERIFY(store.lastError().contains(u"locked by another process"_s));
    QVERIFY(store.lastError().contains(store.databasePath()));
    QCOMPARE(store.pendingSamples(), 2);
    QTRY_COMPARE(errors.size(), 1);
    QVERIFY(QFile::exists(store.databasePath()));
    QVERIFY(QDir(dir.path()).entryList({ u"*.corrupt-*"_s }).isEmpty());

    QSignalSpy recovered(&store, &HistoryStore::recovered);
    QVERIFY(lock.exec(u"ROLLBACK"_s));
    // The writer retries by itself (retryInterval 100 ms).
    QVERIFY(recovered.wait(5000));
    QCOMPARE(store.pendingSamples(), 0);
    QCOMPARE(store.currentError(), HistoryError::None);
    HistoryQuery query(store.databasePath());
    QCOMPARE(query.countSamples({}, 0, baseMs(kDay)), 3);
    QCOMPARE(errors.size(), 1); // retries that fail the same way are not reported again
}

void TestHistoryStore::databaseLockedAtStartIsLeftAlone()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"history.sqlite"_s);
    {
        HistoryStore store(optionsFor(dir.path()));
        store.append({ probe(u"e"_s, baseMs(0), 1000) });
        QVERIFY(store.flushNow());
    }
    // Another program holds the file exclusively, even against readers.
    auto locker = std::make_unique<Inspector>(path);
    QSqlQuery lock(locker->db());
    QVERIFY(lock.exec(u"PRAGMA locking_mode = EXCLUSIVE"_s));
    QVERIFY(lock.exec(u"BEGIN EXCLUSIVE"_s));
    QVERIFY(lock.exec(u"INSERT INTO meta (key, value) VALUES ('held', 1)"_s));

    HistoryStore store(optionsFor(dir.path()));
    QSignalSpy errors(&store, &HistoryStore::errorOccurred);
    QVERIFY(errors.wait());
    QCOMPARE(errors.first().at(0).value<HistoryError>(), HistoryError::Locked);
    QVERIFY(!store.isOpen());
    store.append({ probe(u"e"_s, baseMs(1000), 2000) });
    QVERIFY(QDir(dir.path()).entryList({ u"*.corrupt-*"_s }).isEmpty()); // a locked file is never moved

    QSignalSpy opened(&store, &HistoryStore::opened);
    QVERIFY(lock.exec(u"ROLLBACK"_s));
    lock.finish();
    locker.reset(); // closing the connection ends exclusive locking mode
    QVERIFY(opened.wait(5000));
    QVERIFY(store.flushNow());
    HistoryQuery query(path);
    QCOMPARE(query.countSamples({}, 0, baseMs(kDay)), 2);
}

void TestHistoryStore::fullDiskKeepsStoredHistoryAndBoundsMemory()
{
    QTemporaryDir dir;
    HistoryOptions o = optionsFor(dir.path());
    o.maxDatabaseBytes = qint64 { 160 } * 1024; // SQLite's max_page_count fails writes exactly like a full disk
    o.maxPendingSamples = 500;
    o.retryInterval = std::chrono::milliseconds(60'000);
    HistoryStore store(o);
    QSignalSpy errors(&store, &HistoryStore::errorOccurred);
    qint64 appended = 0;
    for (int batch = 0; batch < 200 && store.currentError() == HistoryError::None; ++batch) {
        ProbeResults results;
        for (int i = 0; i < 100; ++i, ++appended) {
            auto r = probe(u"e%1"_s.arg(i % 7), baseMs(appended * 1000), 1000 + appended, Outcome::Ok, 200,
                FailureSignal::None, u"reason %1"_s.arg(appended));
            r.traceId = QByteArray::number(appended, 16).rightJustified(32, '0');
            results.append(r);
        }
        store.append(results);
        store.flushNow();
    }
    QCOMPARE(store.currentError(), HistoryError::DiskFull);
    QTRY_COMPARE(errors.size(), 1);
    QCOMPARE(errors.first().at(0).value<HistoryError>(), HistoryError::DiskFull);
    QVERIFY(store.lastError().contains(u"full"_s));
    const qint64 stored = store.storedSamples();
    QVERIFY(stored > 0);

    // Probing goes on: memory stays bounded, the oldest waiting samples are dropped and counted.
    const qint64 waiting = store.pendingSamples();
    QVERIFY(waiting > 0);
    for (int i = 0; i < 10; ++i) {
        ProbeResults more;
        for (int j = 0; j < 100; ++j)
            more.append(probe(u"e"_s, baseMs(kDay + qint64 { i * 100 + j } * 1000), 1000));
        store.append(more);
    }
    QCOMPARE(store.pendingSamples(), 500);
    QCOMPARE(store.droppedSamples(), waiting + 1000 - 500);

    HistoryQuery query(store.databasePath());
    QCOMPARE(query.countSamples({}, 0, baseMs(2 * kDay)), stored);
    QCOMPARE(query.lastSamples(u"e0"_s, 1).size(), 1);
}

void TestHistoryStore::unwritableDirectoryReportsAndKeepsProbing()
{
    QTemporaryDir dir;
    QFile blocker(dir.filePath(u"not-a-dir"_s));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    HistoryOptions o = optionsFor(dir.filePath(u"not-a-dir/history"_s));
    o.maxPendingSamples = 10;
    HistoryStore store(o);
    QSignalSpy errors(&store, &HistoryStore::errorOccurred);
    QVERIFY(errors.wait());
    QCOMPARE(errors.first().at(0).value<HistoryError>(), HistoryError::Unwritable);
    const QString message = errors.first().at(1).toString();
    QVERIFY2(message.contains(dir.filePath(u"not-a-dir/history"_s)), qPrintable(message));
    QVERIFY(!store.isOpen());
    ProbeResults results;
    for (int i = 0; i < 25; ++i)
        results.append(probe(u"e"_s, baseMs(qint64 { i } * 1000), 1000));
    store.append(results);
    QVERIFY(!store.flushNow());
    QCOMPARE(store.pendingSamples(), 10);
    QCOMPARE(store.droppedSamples(), 15);
}

void TestHistoryStore::sameMillisecondKeepsBothSamples()
{
    QTemporaryDir dir;
    HistoryStore store(optionsFor(dir.path()));
    store.append(
        { probe(u"e"_s, baseMs(0), 1000), probe(u"e"_s, baseMs(0), 2000), probe(u"other"_s, baseMs(0), 3000) });
    QVERIFY(store.flushNow());
    HistoryQuery query(store.databasePath());
    const ProbeResults e = query.lastSamples(u"e"_s, 10);
    QCOMPARE(e.size(), 2);
    QCOMPARE(e.at(0).startUtc.toMSecsSinceEpoch(), baseMs(0));
    QCOMPARE(e.at(1).startUtc.toMSecsSinceEpoch(), baseMs(1));
    QCOMPARE(query.lastSamples(u"other"_s, 10).size(), 1);
}

void TestHistoryStore::appendFromManyThreads()
{
    QTemporaryDir dir;
    HistoryStore store(optionsFor(dir.path()));
    QList<QThread*> threads;
    for (int t = 0; t < 4; ++t) {
        threads.append(QThread::create([&store, t] {
            for (int i = 0; i < 50; ++i) {
                ProbeResults batch;
                for (int j = 0; j < 20; ++j)
                    batch.append(probe(u"t%1"_s.arg(t), baseMs(qint64 { i * 20 + j } * 1000), 1000));
                store.append(batch);
            }
        }));
        threads.last()->start();
    }
    for (QThread* t : threads) {
        QVERIFY(t->wait(10'000));
        delete t;
    }
    QVERIFY(store.flushNow());
    HistoryQuery query(store.databasePath());
    QCOMPARE(query.countSamples({}, 0, baseMs(kDay)), 4000);
    QCOMPARE(query.endpoints().size(), 4);
}

void TestHistoryStore::lastSamplesPerEndpointForRestart()
{
    QTemporaryDir dir;
    {
        HistoryStore store(optionsFor(dir.path()));
        ProbeResults batch;
        for (int i = 0; i < 30; ++i) {
            batch.append(probe(u"a"_s, baseMs(qint64 { i } * 1000), i));
            batch.append(probe(u"b"_s, baseMs(i * 1000 + 500), 100 + i));
        }
        store.append(batch);
    }
    HistoryQuery query(dir.filePath(u"history.sqlite"_s));
    const auto last = query.lastSamplesPerEndpoint(20);
    QCOMPARE(last.size(), 2);
    QCOMPARE(last.value(u"a"_s).size(), 20);
    QCOMPARE(last.value(u"a"_s).first().latencyUs, 10);
    QCOMPARE(last.value(u"a"_s).last().latencyUs, 29);
    QCOMPARE(last.value(u"b"_s).last().latencyUs, 129);
}

void TestHistoryStore::directAndQtSqlReadsAgree()
{
    QTemporaryDir dir;
    {
        HistoryStore store(optionsFor(dir.path()));
        ProbeResults batch;
        for (int i = 0; i < 3000; ++i) {
            const bool fail = i % 13 == 0;
            auto r = probe(i % 3 ? u"a"_s : u"b"_s, baseMs(qint64 { i } * 700), 1000 + (i * 7919) % 90'000,
                fail ? Outcome::Timeout : Outcome::Ok, fail ? 0 : 200, fail ? FailureSignal::S1 : FailureSignal::None,
                fail ? u"deadline"_s : QString());
            if (i % 2)
                r.phases = { i, -1, i + 1, i + 2, -1 };
            if (i % 5)
                r.traceId = QByteArray::number(i, 16).rightJustified(32, 'a');
            batch.append(r);
        }
        store.append(batch);
        QVERIFY(store.flushNow());
    }
    const QString path = dir.filePath(u"history.sqlite"_s);
    HistoryQuery fast(path);
    HistoryQuery qt(path, HistoryQuery::ReadPath::QtSqlOnly);
    const qint64 from = baseMs(12'345);
    const qint64 to = baseMs(3000 * 700 - 4321);
    for (int buckets : { 50, 2000 }) {
        const ChartSeries f = fast.chart(u"a"_s, from, to, buckets);
        QVERIFY(!f.buckets.isEmpty());
        QCOMPARE(f, qt.chart(u"a"_s, from, to, buckets));
    }
    QVERIFY(fast.stats(u"b"_s, from, to) == qt.stats(u"b"_s, from, to));
    QCOMPARE(fast.longestOutage(u"a"_s, from, to), qt.longestOutage(u"a"_s, from, to));
    QList<StoredSample> viaFast;
    QList<StoredSample> viaQt;
    QVERIFY(fast.forEachSample({}, from, to, [&viaFast](const StoredSample& s) {
        viaFast.append(s);
        return true;
    }));
    QVERIFY(qt.forEachSample({}, from, to, [&viaQt](const StoredSample& s) {
        viaQt.append(s);
        return true;
    }));
    QCOMPARE(viaFast.size(), fast.countSamples({}, from, to));
    QVERIFY(viaFast == viaQt);
    QVERIFY(!qt.usesDirectReads());
    qInfo() << "direct SQLite reads in use:" << fast.usesDirectReads();
}

void TestHistoryStore::version1FileIsMigratedKeepingEverySample()
{
    // Issue 12.5: schema 2 stores samples in blocks. A file written with schema 1 (its tables created here
    // by the same SQL SignalDeck 0.1 ran, rows of every shape inserted as it wrote them) is migrated when
    // the writer opens it, and every sample reads back as it was written.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"history.sqlite"_s);
    QList<StoredSample> expectedApi;
    QList<StoredSample> expectedDb;
    {
        Inspector db(path);
        QSqlQuery q(db.db());
        QVERIFY(q.exec(u"PRAGMA journal_mode=WAL"_s));
        QVERIFY(q.exec(u"CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)"_s));
        for (const QString& sql : HistorySchema::migrationStatements(1))
            QVERIFY2(q.exec(sql), qPrintable(q.lastError().text()));
        QVERIFY(q.exec(u"INSERT INTO schema_migrations VALUES (1, 0)"_s));
        QVERIFY(q.exec(u"INSERT INTO endpoints VALUES (1, 'api'), (2, 'db')"_s));
        QVERIFY(q.exec(u"INSERT INTO urls VALUES (1, 'https://api.example.com/a'), (2, 'https://db.example.com/')"_s));
        QVERIFY(q.exec(u"INSERT INTO reasons VALUES (1, 'HTTP 500: boom'), (3, 'no answer within 10 s')"_s));
        QVERIFY(q.prepare(u"INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s));
        QVERIFY(db.db().transaction());
        for (int i = 0; i < 1300; ++i) {
            StoredSample s;
            s.endpointId = i % 10 == 9 ? 2 : 1;
            s.urlId = s.endpointId;
            s.startMs = baseMs(i * 1000 + (i * 37) % 400 - (i % 10 == 3 ? 999 : 0));
            const int kind = i % 11;
            s.outcome = kind == 4 ? Outcome::ServerError : kind == 7 ? Outcome::Timeout : Outcome::Ok;
            s.signal = kind == 4 ? FailureSignal::S4 : kind == 7 ? FailureSignal::S1 : FailureSignal::None;
            s.httpStatus = kind == 4 ? 500 : kind == 7 ? 0 : 200;
            s.reasonId = kind == 4 ? 1 : kind == 7 ? 3 : 0;
            s.latencyUs = kind == 7 ? 10'000'000 : 20'000 + (i * 7919) % 400'000;
            s.attempts = kind == 7 ? 3 : 1;
            s.connectionReused = i % 4 != 0;
            s.bodyTruncated = i % 97 == 0;
            s.bytesRead = kind == 7 ? 0 : 612 + (i % 3);
            s.phases = i % 5 == 0 ? ProbePhases {}
                                  : ProbePhases { i % 50, i % 4 ? -1 : 3000 + i, 120, s.latencyUs - 900, 900 };
            if (i % 3 == 1)
                s.traceId = QByteArray::number(i * 104729LL, 16).rightJustified(32, 'f');
            else if (i % 3 == 2)
                s.traceId = "Trace-Text-" + QByteArray::number(i);
            auto nullable = [](qint64 v) { return v >= 0 ? QVariant(v) : QVariant(); };
            const QVariant values[] = { s.endpointId, s.startMs, s.urlId, s.latencyUs, s.httpStatus,
                HistorySchema::outcomeToStored(s.outcome), static_cast<int>(s.signal), s.attempts,
                (s.connectionReused ? 1 : 0) | (s.bodyTruncated ? 2 : 0), s.bytesRead,
                s.reasonId ? QVariant(s.reasonId) : QVariant(), nullable(s.phases.queueUs),
                nullable(s.phases.connectUs), nullable(s.phases.sentUs), nullable(s.phases.ttfbUs),
                nullable(s.phases.downloadUs),
                s.traceId.isEmpty() ? QVariant()
                    : i % 3 == 1    ? QVariant(QByteArray::fromHex(s.traceId))
                                    : QVariant(QString::fromLatin1(s.traceId)) };
            for (int c = 0; c < 17; ++c)
                q.bindValue(c, values[c]);
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
            (s.endpointId == 1 ? expectedApi : expectedDb).append(s);
        }
        QVERIFY(db.db().commit());
    }
    auto byTime = [](const StoredSample& a, const StoredSample& b) { return a.startMs < b.startMs; };
    std::sort(expectedApi.begin(), expectedApi.end(), byTime);
    std::sort(expectedDb.begin(), expectedDb.end(), byTime);
    {
        HistoryQuery early(path);
        QVERIFY(!early.open());
        QVERIFY2(early.awaitingSchema(), qPrintable(early.lastError())); // waits for the writer, no error shown
    }

    HistoryStore store(optionsFor(dir.path()));
    store.append({ probe(u"api"_s, baseMs(2'000'000), 4242) });
    QVERIFY(store.flushNow());
    QCOMPARE(store.lastErrorKind(), HistoryError::None);
    Inspector db(path);
    QCOMPARE(db.scalar(u"SELECT max(version) FROM schema_migrations"_s).toInt(), HistorySchema::kCurrentVersion);
    QCOMPARE(db.scalar(u"SELECT count(*) FROM sqlite_master WHERE name = 'samples'"_s).toInt(), 0);
    QVERIFY(db.scalar(u"SELECT count(*) FROM sample_blocks WHERE endpoint_id = 1"_s).toInt() > 1);
    QCOMPARE(db.scalar(u"PRAGMA freelist_count"_s).toInt(), 0); // the v1 rows' pages went back to the disk

    HistoryQuery query(path);
    for (const auto& [name, expected] : { std::pair { u"api"_s, expectedApi }, std::pair { u"db"_s, expectedDb } }) {
        QList<StoredSample> back;
        QVERIFY2(query.forEachSample({ name }, 0, baseMs(1'900'000),
                     [&back](const StoredSample& s) {
                         back.append(s);
                         return true;
                     }),
            qPrintable(query.lastError()));
        QCOMPARE(back.size(), expected.size());
        for (qsizetype i = 0; i < back.size(); ++i) {
            if (!(back.at(i) == expected.at(i)))
                QFAIL(qPrintable(u"%1 sample %2 at %3 ms differs"_s.arg(name).arg(i).arg(expected.at(i).startMs)));
        }
    }
    const ProbeResults last = query.lastSamples(u"api"_s, 2);
    QCOMPARE(last.size(), 2);
    QCOMPARE(last.at(0).traceId, expectedApi.last().traceId);
    QCOMPARE(last.at(0).reason, query.reasonText(expectedApi.last().reasonId));
    QCOMPARE(last.at(1).latencyUs, 4242); // written after the migration, appended after the migrated ones
}

void TestHistoryStore::outOfOrderSamplesKeepTimeOrderAcrossBlocks()
{
    QTemporaryDir dir;
    HistoryStore store(optionsFor(dir.path()));
    auto traced = [](qint64 i) {
        ProbeResult r = probe(u"e"_s, baseMs(i * 1000), 1000 + i);
        r.traceId = QByteArray::number(i * 7919 + 1, 16).rightJustified(32, '0');
        return r;
    };
    ProbeResults even;
    for (int i = 0; i < 1200; i += 2)
        even.append(traced(i));
    store.append(even);
    QVERIFY(store.flushNow());
    // Late arrivals: every odd second newest first, one older than all, one in the same ms as another.
    ProbeResults late;
    for (int i = 1199; i > 0; i -= 2)
        late.append(traced(i));
    late.append(probe(u"e"_s, baseMs(-5000), 77));
    late.append(probe(u"e"_s, baseMs(0), 78));
    store.append(late);
    QVERIFY(store.flushNow());
    QCOMPARE(store.lastErrorKind(), HistoryError::None);

    HistoryQuery query(store.databasePath());
    QList<StoredSample> back;
    QVERIFY(query.forEachSample({}, baseMs(-kHour), baseMs(kHour), [&back](const StoredSample& s) {
        back.append(s);
        return true;
    }));
    QCOMPARE(back.size(), 1202);
    QCOMPARE(query.countSamples({}, baseMs(-kHour), baseMs(kHour)), 1202);
    QCOMPARE(back.at(0).startMs, baseMs(-5000));
    QCOMPARE(back.at(1).startMs, baseMs(0));
    QCOMPARE(back.at(2).startMs, baseMs(1)); // same millisecond as another: kept, nudged by 1 ms
    QCOMPARE(back.at(2).latencyUs, 78);
    for (int i = 1; i < 1200; ++i) {
        const StoredSample& s = back.at(i + 2);
        QCOMPARE(s.startMs, baseMs(qint64 { i } * 1000));
        QCOMPARE(s.latencyUs, 1000 + i);
        QCOMPARE(s.traceId, QByteArray::number(i * 7919LL + 1, 16).rightJustified(32, '0'));
    }
    QCOMPARE(query.countSamples({}, baseMs(100'000), baseMs(200'500)), 101);
    QCOMPARE(query.lastSamples(u"e"_s, 3).first().latencyUs, 1000 + 1197);
}

void TestHistoryStore::retentionTrimsInsideABlock()
{
    QTemporaryDir dir;
    HistoryOptions o = optionsFor(dir.path());
    o.rawRetention = std::chrono::hours(1);
    const qint64 now = baseMs(10 * kDay);
    HistoryStore store(o);
    ProbeResults batch;
    for (int i = 0; i < 7200; ++i) {
        ProbeResult r = probe(u"e"_s, now - 2 * kHour + qint64 { i } * 1000 + 250, 2000 + i);
        r.traceId = QByteArray::number(i + 1, 16).rightJustified(32, 'c');
        batch.append(r);
    }
    store.append(batch);
    QVERIFY(store.flushNow());
    const MaintenanceReport report = store.runMaintenanceNow(QDateTime::fromMSecsSinceEpoch(now, Qt::UTC));
    QVERIFY(report.ok);
    QCOMPARE(report.rawDeleted, 3600); // to the sample, though the horizon falls inside a block
    HistoryQuery query(store.databasePath());
    QCOMPARE(query.countSamples({}, 0, now + kDay), 3600);
    QList<StoredSample> first;
    query.forEachSample({}, 0, now + kDay, [&first](const StoredSample& s) {
        first.append(s);
        return false;
    });
    QCOMPARE(first.size(), 1);
    QCOMPARE(first.first().startMs, now - kHour + 250);
    QCOMPARE(first.first().latencyUs, 2000 + 3600);
    // The writer continues the trimmed history.
    store.append({ probe(u"e"_s, now + 1000, 1) });
    QVERIFY(store.flushNow());
    QCOMPARE(query.countSamples({}, 0, now + kDay), 3601);
    QCOMPARE(store.runMaintenanceNow(QDateTime::fromMSecsSinceEpoch(now, Qt::UTC)).rawDeleted, 0);
}

void TestHistoryStore::realisticProbeCostsAtMost32Bytes()
{
    // Issue 12.5: a raw probe cost 64-66 bytes in schema 1. A realistic mix (1 s interval with a few ms of
    // jitter, lognormal latency, phases, a random 16-byte trace id each, 2 % failures with reasons), as
    // the file grows: pages of the sample table and its index over samples, freelist included.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"history.sqlite"_s);
    constexpr int kSamples = 20'000;
    {
        HistoryStore store(optionsFor(dir.path()));
        quint64 x = 88172645463325252ULL;
        auto next = [&x] {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            return x;
        };
        for (int chunk = 0; chunk < kSamples; chunk += 250) {
            ProbeResults batch;
            for (int i = chunk; i < chunk + 250; ++i) {
                const int p = static_cast<int>(next() % 100);
                const qint64 latency = 40'000 + static_cast<qint64>(next() % 120'000);
                ProbeResult r = p == 0 ? probe(u"api"_s, 0, latency, Outcome::Throttled, 429, FailureSignal::S4,
                                    u"HTTP 429 Too Many Requests, Retry-After 30 s"_s)
                    : p == 1
                    ? probe(u"api"_s, 0, 10'000'000, Outcome::Timeout, 0, FailureSignal::S1, u"no answer within 10 s"_s)
                    : probe(u"api"_s, 0, latency);
                r.startUtc
                    = QDateTime::fromMSecsSinceEpoch(baseMs(i * 1000LL + static_cast<qint64>(next() % 9)), Qt::UTC);
                r.connectionReused = true;
                r.bytesRead = p > 1 ? 612 : 0;
                r.phases = { static_cast<qint64>(next() % 200), -1, 120, r.latencyUs - 900, 900 };
                r.traceId = QByteArray::number(next(), 16).rightJustified(16, '0')
                    + QByteArray::number(next(), 16).rightJustified(16, '0');
                batch.append(r);
            }
            store.append(batch);
            QVERIFY(store.flushNow());
        }
    }
    Inspector db(path);
    QVERIFY(db.scalar(u"PRAGMA wal_checkpoint(TRUNCATE)"_s).isValid());
    QCOMPARE(db.scalar(u"SELECT sum(n) FROM sample_blocks"_s).toInt(), kSamples);
    const qint64 pageSize = db.scalar(u"PRAGMA page_size"_s).toLongLong();
    const qint64 pages = db.scalar(u"SELECT count(*) FROM dbstat WHERE name IN ('sample_blocks', "
                                   "'sample_blocks_by_time')"_s)
                             .toLongLong();
    const qint64 freePages = db.scalar(u"PRAGMA freelist_count"_s).toLongLong();
    QVERIFY2(pages > 0, "dbstat is not available");
    const double perSample = static_cast<double>((pages + freePages) * pageSize) / kSamples;
    qInfo("%.1f bytes per raw sample (%lld pages of %lld bytes, %lld free)", perSample, static_cast<long long>(pages),
        static_cast<long long>(pageSize), static_cast<long long>(freePages));
    QVERIFY2(perSample <= 32.0, qPrintable(QString::number(perSample)));
}

void TestHistoryStore::blockCodecKeepsOddValuesAndRejectsDamage()
{
    QList<StoredSample> in;
    StoredSample s;
    s.endpointId = 9;
    s.startMs = -5000; // before the epoch
    s.latencyUs = -3;
    s.phases = { -7, 0, std::numeric_limits<qint64>::max(), 5, -1 };
    s.httpStatus = 599;
    s.attempts = 0;
    s.bytesRead = std::numeric_limits<qint64>::max();
    s.reasonId = 2'000'000'000;
    s.urlId = 7;
    s.outcome = Outcome::AssertionFailed;
    s.signal = FailureSignal::S4;
    s.connectionReused = true;
    s.traceId = "4BF92F3577B34DA6A3CE929D0E0E4736"; // upper case: read back lower case, as in schema 1
    in.append(s);
    s.startMs = 1'000'000'000'000'000LL; // a huge jump
    s.latencyUs = 0;
    s.phases = { 1, 2, 3, 0, 4 }; // ttfb 0 <= latency: stored relative
    s.traceId = QByteArray(64, 'x');
    s.bodyTruncated = true;
    in.append(s);
    s.startMs += 1;
    s.traceId = "not hex but 32 characters long!!";
    in.append(s);
    SampleBlock::Encoder e;
    for (const StoredSample& x : std::as_const(in))
        e.append(x);
    QList<StoredSample> out;
    QString error;
    QVERIFY2(SampleBlock::decode(e.data(), e.firstMs(), 9, &out, true, &error), qPrintable(error));
    in[0].traceId = in[0].traceId.toLower();
    QCOMPARE(out.size(), 3);
    for (int i = 0; i < 3; ++i)
        QVERIFY2(out.at(i) == in.at(i), qPrintable(QString::number(i)));
    QCOMPARE(SampleBlock::decodeReasonIds(e.reasonIds()), QList<int> { 2'000'000'000 });
    // Every truncation and a scribbled byte: an error, never a crash or an endless loop.
    for (qsizetype n = 0; n < e.data().size(); ++n) {
        QList<StoredSample> partial;
        SampleBlock::decode(QByteArrayView(e.data()).first(n), e.firstMs(), 9, &partial, true, &error);
    }
    QByteArray bad = e.data();
    bad[0] = 'Z';
    QVERIFY(!SampleBlock::decode(bad, e.firstMs(), 9, &out, true, &error));
    QVERIFY(!error.isEmpty());
}

void TestHistoryStore::damagedBlockIsReportedAndTheFileSetAside()
{
    // SQLite has no checksums: a scribbled block reads back as garbage. Readers say so (no crash, no
    // invented samples); the writer treats the file as damaged like any other damage: set aside, nothing
    // deleted, a fresh file started, and the samples of the run stored there.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"history.sqlite"_s);
    {
        HistoryStore store(optionsFor(dir.path()));
        store.append({ probe(u"e"_s, baseMs(0), 1000), probe(u"e"_s, baseMs(1000), 2000) });
        QVERIFY(store.flushNow());
    }
    {
        Inspector db(path);
        QSqlQuery q(db.db());
        QVERIFY(q.exec(u"UPDATE sample_blocks SET data = x'01ff07ff07ff07'"_s));
    }
    {
        HistoryQuery query(path);
        QList<StoredSample> back;
        QVERIFY(!query.forEachSample({}, 0, baseMs(kDay), [&back](const StoredSample& s) {
            back.append(s);
            return true;
        }));
        QVERIFY2(query.lastError().contains(u"sample block"_s), qPrintable(query.lastError()));
        QVERIFY(back.isEmpty());
        QVERIFY(query.lastSamples(u"e"_s, 5).isEmpty());
        QVERIFY(!query.lastError().isEmpty());
    }
    HistoryStore store(optionsFor(dir.path()));
    QSignalSpy reset(&store, &HistoryStore::databaseReset);
    store.append({ probe(u"e"_s, baseMs(2000), 3000) });
    store.flushNow();
    QTRY_COMPARE(reset.size(), 1);
    QCOMPARE(store.lastErrorKind(), HistoryError::Corrupt);
    const QString aside = reset.first().at(0).toString();
    QVERIFY(QFile::exists(aside));
    QVERIFY(store.flushNow());
    const ProbeResults fresh = HistoryQuery(path).lastSamples(u"e"_s, 5);
    QCOMPARE(fresh.size(), 1);
    QCOMPARE(fresh.first().latencyUs, 3000);
}

QTEST_GUILESS_MAIN(TestHistoryStore)
#include "tst_historystore.moc"
