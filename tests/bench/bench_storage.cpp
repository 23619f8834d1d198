// SPDX-License-Identifier: GPL-3.0-or-later
// Benchmark (not a pass/fail test) of how raw samples are stored, issue 12.5: the same realistic probes
// written, interleaved and with the order rotated, into
//   v1    the schema-1 layout (one WITHOUT ROWID row per sample), SQL only: HistorySchema's own v1 tables
//         and the prepared INSERT the v1 writer ran, batches of 10,000 in one transaction each;
//   v2    the schema-2 layout (blocks, SampleBlock::Encoder), SQL only, the same batches;
//   store HistoryStore itself (schema 2 with its writer thread, lookups and 1-minute rollups).
// For each: bytes per sample (the file after a checkpoint, and the sample table's pages incl. its index,
// with the page size and the freelist), CPU and wall time per sample written. Then query times: the 24 h
// raw chart read the v1 way (the v1 reader's SQL over the v1 file) and the v2 way (HistoryQuery over the
// store), checked identical; the 7-day chart (HistoryQuery, from rollups) and a 7-day raw scan.
// Usage: bench_storage [--days 7] [--endpoints 1] [--interval SECONDS] [--reps 3] [--batch 10000] [--json FILE]
#include "history/ChartBucketBuilder.h"
#include "history/HistoryQuery.h"
#include "history/HistorySchema.h"
#include "history/HistoryStore.h"
#include "history/SampleBlock.h"
#include "history/SqlCursor.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <random>

using namespace Qt::StringLiterals;
using namespace sd;

namespace {

QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

double cpuSeconds()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
        + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

template <typename F> double medianMs(int runs, F&& f)
{
    QList<double> times;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        f();
        times.append(static_cast<double>(t.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return times.at(times.size() / 2);
}

struct Setup {
    int days = 7;
    int endpoints = 1;
    qint64 intervalMs = 1000;
    int reps = 3;
    qint64 startMs = 0;
    qint64 endMs = 0;
    qint64 samples() const { return static_cast<qint64>(days) * 86'400'000 / intervalMs * endpoints; }
};

/// The realistic mix: endpoints staggered over the interval with 0-8 ms of start jitter, lognormal
/// latency around 80 ms with its phases, a random trace id each, 1 % 429 and 1 % timeouts with reasons.
ProbeResults makeSamples(const Setup& setup, qint64 first, qint64 count, std::mt19937_64& rng)
{
    std::lognormal_distribution<double> latency(std::log(80'000.0), 0.4);
    std::uniform_int_distribution<int> percent(0, 99);
    std::uniform_int_distribution<int> jitter(0, 8);
    std::uniform_int_distribution<int> queue(20, 300);
    ProbeResults results;
    results.reserve(count);
    for (qint64 i = first; i < first + count; ++i) {
        ProbeResult r;
        const qint64 endpoint = i % setup.endpoints;
        r.endpoint = endpoint == 0 ? u"chat-completions"_s : u"endpoint-%1"_s.arg(endpoint);
        r.url = u"https://api.example.com/v1/%1"_s.arg(r.endpoint);
        r.startUtc = QDateTime::fromMSecsSinceEpoch(setup.startMs + (i / setup.endpoints) * setup.intervalMs
                + endpoint * setup.intervalMs / setup.endpoints + jitter(rng),
            Qt::UTC);
        r.latencyUs = static_cast<qint64>(latency(rng));
        r.connectionReused = true;
        r.phases = { queue(rng), -1, 120, r.latencyUs - 900, 900 };
        r.bytesRead = 612;
        r.httpStatus = 200;
        const int p = percent(rng);
        if (p == 0) {
            r.outcome = Outcome::Throttled;
            r.signal = FailureSignal::S4;
            r.httpStatus = 429;
            r.reason = u"HTTP 429 Too Many Requests, Retry-After 30 s"_s;
        } else if (p == 1) {
            r.outcome = Outcome::Timeout;
            r.signal = FailureSignal::S1;
            r.httpStatus = 0;
            r.bytesRead = 0;
            r.latencyUs = 10'000'000;
            r.phases = { 40, -1, -1, -1, -1 };
            r.reason = u"no answer within 10 s"_s;
        }
        r.traceId = QByteArray::number(static_cast<qulonglong>(rng()), 16).rightJustified(16, '0')
            + QByteArray::number(static_cast<qulonglong>(rng()), 16).rightJustified(16, '0');
        results.append(r);
    }
    return results;
}

qint64 g_batchSize = 10'000; // --batch: the writer's largest transaction; 250 ms of probes is the realistic one

struct Written {
    QString layout;
    QString path;
    double cpuS = 0;
    double wallS = 0;
};

/// Writes the samples with `write(batch)` in batches, timing only the writes.
template <typename F> Written writeAll(const Setup& setup, const QString& layout, const QString& path, F&& write)
{
    Written w { layout, path };
    std::mt19937_64 rng(7);
    for (qint64 done = 0; done < setup.samples(); done += g_batchSize) {
        const ProbeResults batch = makeSamples(setup, done, std::min(g_batchSize, setup.samples() - done), rng);
        const double cpu0 = cpuSeconds();
        QElapsedTimer t;
        t.start();
        write(batch);
        w.wallS += static_cast<double>(t.nsecsElapsed()) / 1e9;
        w.cpuS += cpuSeconds() - cpu0;
    }
    return w;
}

QSqlDatabase openSql(const QString& name, const QString& path)
{
    auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
    db.setDatabaseName(path);
    db.open();
    QSqlQuery q(db);
    q.exec(u"PRAGMA journal_mode=WAL"_s);
    q.exec(u"PRAGMA synchronous=NORMAL"_s);
    return db;
}

/// Lookup ids the SQL-only layouts use (the interned endpoint/url/reason tables, cached as the writer does).
struct Ids {
    QHash<QString, int> endpoints;
    QHash<QString, int> urls;
    QHash<QString, int> reasons;
    QSqlDatabase db;
    int id(QHash<QString, int>& cache, const QString& table, const QString& column, const QString& value)
    {
        if (value.isEmpty())
            return 0;
        if (const auto it = cache.constFind(value); it != cache.constEnd())
            return *it;
        QSqlQuery q(db);
        q.prepare(u"INSERT INTO %1 (%2) VALUES (?)"_s.arg(table, column));
        q.addBindValue(value);
        q.exec();
        const int id = q.lastInsertId().toInt();
        cache.insert(value, id);
        return id;
    }
    StoredSample sample(const ProbeResult& r)
    {
        StoredSample s;
        s.endpointId = id(endpoints, u"endpoints"_s, u"name"_s, r.endpoint);
        s.urlId = id(urls, u"urls"_s, u"url"_s, r.url);
        s.reasonId = id(reasons, u"reasons"_s, u"text"_s, r.reason);
        s.startMs = r.startUtc.toMSecsSinceEpoch();
        s.latencyUs = r.latencyUs;
        s.phases = r.phases;
        s.httpStatus = r.httpStatus;
        s.bytesRead = r.bytesRead;
        s.connectionReused = r.connectionReused;
        s.bodyTruncated = r.bodyTruncated;
        s.outcome = r.outcome;
        s.signal = r.signal;
        s.attempts = r.attempts;
        s.traceId = r.traceId;
        return s;
    }
};

void createSchema(QSqlDatabase& db, int version)
{
    QSqlQuery q(db);
    for (int v = 1; v <= version; ++v) {
        for (const QString& sql : HistorySchema::migrationStatements(v))
            q.exec(sql);
    }
    if (version >= 2)
        q.exec(u"DROP TABLE samples"_s);
}

Written writeV1(const Setup& setup, const QString& path)
{
    Written w;
    {
        Ids ids;
        ids.db = openSql(u"v1"_s, path);
        createSchema(ids.db, 1);
        QSqlQuery insert(ids.db);
        insert.prepare(u"INSERT OR IGNORE INTO samples (endpoint_id, t_ms, url_id, latency_us, http_status, outcome, "
                       "signal, attempts, flags, bytes_read, reason_id, queue_us, connect_us, sent_us, ttfb_us, "
                       "download_us, trace_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
        auto nullable = [](qint64 us) { return us >= 0 ? QVariant(us) : QVariant(); };
        w = writeAll(setup, u"v1"_s, path, [&](const ProbeResults& batch) {
            ids.db.transaction();
            for (const ProbeResult& r : batch) {
                const StoredSample s = ids.sample(r);
                insert.bindValue(0, s.endpointId);
                insert.bindValue(1, s.startMs);
                insert.bindValue(2, s.urlId);
                insert.bindValue(3, s.latencyUs);
                insert.bindValue(4, s.httpStatus);
                insert.bindValue(5, HistorySchema::outcomeToStored(s.outcome));
                insert.bindValue(6, static_cast<int>(s.signal));
                insert.bindValue(7, s.attempts);
                insert.bindValue(8, (s.connectionReused ? 1 : 0) | (s.bodyTruncated ? 2 : 0));
                insert.bindValue(9, s.bytesRead);
                insert.bindValue(10, s.reasonId ? QVariant(s.reasonId) : QVariant());
                insert.bindValue(11, nullable(s.phases.queueUs));
                insert.bindValue(12, nullable(s.phases.connectUs));
                insert.bindValue(13, nullable(s.phases.sentUs));
                insert.bindValue(14, nullable(s.phases.ttfbUs));
                insert.bindValue(15, nullable(s.phases.downloadUs));
                insert.bindValue(16, QByteArray::fromHex(s.traceId));
                insert.exec();
            }
            ids.db.commit();
        });
        insert.finish();
        ids.db.close();
    }
    QSqlDatabase::removeDatabase(u"v1"_s);
    return w;
}

Written writeV2(const Setup& setup, const QString& path)
{
    Written w;
    {
        Ids ids;
        ids.db = openSql(u"v2"_s, path);
        createSchema(ids.db, 2);
        QSqlQuery insert(ids.db);
        insert.prepare(u"INSERT INTO sample_blocks (endpoint_id, first_ms, last_ms, n, reasons, data) "
                       "VALUES (?, ?, ?, ?, ?, ?)"_s);
        QSqlQuery update(ids.db);
        update.prepare(u"UPDATE sample_blocks SET last_ms = ?, n = ?, reasons = ?, data = ? WHERE id = ?"_s);
        struct Open {
            qint64 rowId = 0;
            SampleBlock::Encoder encoder;
        };
        QHash<int, Open> open;
        auto store = [&](int endpointId, Open& o) {
            const QByteArray reasons = o.encoder.reasonIds();
            const QVariant r = reasons.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(reasons);
            if (o.rowId == 0) {
                insert.bindValue(0, endpointId);
                insert.bindValue(1, o.encoder.firstMs());
                insert.bindValue(2, o.encoder.lastMs());
                insert.bindValue(3, o.encoder.count());
                insert.bindValue(4, r);
                insert.bindValue(5, o.encoder.data());
                insert.exec();
                o.rowId = insert.lastInsertId().toLongLong();
            } else {
                update.bindValue(0, o.encoder.lastMs());
                update.bindValue(1, o.encoder.count());
                update.bindValue(2, r);
                update.bindValue(3, o.encoder.data());
                update.bindValue(4, o.rowId);
                update.exec();
            }
        };
        w = writeAll(setup, u"v2"_s, path, [&](const ProbeResults& batch) {
            ids.db.transaction();
            for (const ProbeResult& r : batch) {
                const StoredSample s = ids.sample(r);
                Open& o = open[s.endpointId];
                if (o.encoder.isFull()) {
                    store(s.endpointId, o);
                    o = Open();
                }
                o.encoder.append(s);
            }
            for (auto it = open.begin(); it != open.end(); ++it)
                store(it.key(), it.value());
            ids.db.commit();
        });
        insert.finish();
        update.finish();
        ids.db.close();
    }
    QSqlDatabase::removeDatabase(u"v2"_s);
    return w;
}

Written writeStore(const Setup& setup, const QString& dir)
{
    HistoryOptions options;
    options.directory = dir;
    options.maintenanceInterval = std::chrono::milliseconds(0);
    options.maxPendingSamples = g_batchSize * 2;
    HistoryStore store(options);
    // The writer thread's CPU counts too: getrusage(RUSAGE_SELF) covers every thread of the process.
    return writeAll(setup, u"store"_s, store.databasePath(), [&store](const ProbeResults& batch) {
        store.append(batch);
        store.flushNow();
    });
}

struct Size {
    double fileBytes = 0;
    double tableBytes = 0; ///< pages of the sample table and its index
    double rollupBytes = 0;
    qint64 freePages = 0;
    qint64 pageSize = 0;
    qint64 rows = 0;
};

Size measure(const QString& path, bool v1)
{
    Size size;
    {
        auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"measure"_s);
        db.setDatabaseName(path);
        db.open();
        QSqlQuery q(db);
        q.exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
        auto scalar = [&q](const QString& sql) { return q.exec(sql) && q.next() ? q.value(0).toDouble() : -1.0; };
        size.rows = static_cast<qint64>(
            scalar(v1 ? u"SELECT count(*) FROM samples"_s : u"SELECT coalesce(sum(n), 0) FROM sample_blocks"_s));
        size.tableBytes = scalar(v1 ? u"SELECT sum(pgsize) FROM dbstat WHERE name = 'samples'"_s
                                    : u"SELECT sum(pgsize) FROM dbstat WHERE name IN ('sample_blocks', "
                                      "'sample_blocks_by_time')"_s);
        size.rollupBytes = scalar(u"SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = 'rollups'"_s);
        size.freePages = static_cast<qint64>(scalar(u"PRAGMA freelist_count"_s));
        size.pageSize = static_cast<qint64>(scalar(u"PRAGMA page_size"_s));
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(u"measure"_s);
    size.fileBytes = static_cast<double>(QFileInfo(path).size());
    return size;
}

/// The 24 h raw chart as the schema-1 reader built it: its SQL over `samples`, the same bucket builder.
ChartSeries chartV1(const QString& path, int endpointId, qint64 fromMs, qint64 toMs, int maxBuckets)
{
    ChartSeries series;
    {
        auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v1read"_s);
        db.setDatabaseName(path);
        db.open();
        {
            const auto backend
                = SqlCursor::directAvailable(db) ? SqlCursor::Backend::Direct : SqlCursor::Backend::QtSql;
            SqlCursor c(db,
                u"SELECT t_ms, outcome, signal, http_status, latency_us FROM samples "
                "WHERE endpoint_id = ? AND t_ms >= ? AND t_ms < ?"_s,
                backend);
            c.bind(0, endpointId);
            c.bind(1, fromMs);
            c.bind(2, toMs);
            c.exec();
            const qint64 width = std::max<qint64>((toMs - fromMs + maxBuckets - 1) / maxBuckets, 1);
            series.bucketMs = width;
            ChartBucketBuilder b;
            qint64 current = -1;
            while (c.next()) {
                const qint64 index = (c.integer(0) - fromMs) / width;
                if (index != current) {
                    b.finishInto(series.buckets);
                    b.start(fromMs + index * width, std::min(fromMs + (index + 1) * width, toMs));
                    current = index;
                }
                b.addProbe(c.integer(1) == 0,
                    HistorySchema::signalFromStored(c.integer(2)).value_or(FailureSignal::None),
                    static_cast<int>(c.integer(3)), c.integer(4));
            }
            b.finishInto(series.buckets);
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(u"v1read"_s);
    return series;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    Setup setup;
    QString jsonPath;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        const QString& k = args.at(i);
        const QString& v = args.at(i + 1);
        if (k == u"--days"_s)
            setup.days = std::max(v.toInt(), 1);
        else if (k == u"--endpoints"_s)
            setup.endpoints = std::max(v.toInt(), 1);
        else if (k == u"--interval"_s)
            setup.intervalMs = std::max(v.toInt(), 1) * 1000LL;
        else if (k == u"--reps"_s)
            setup.reps = std::max(v.toInt(), 1);
        else if (k == u"--batch"_s)
            g_batchSize = std::max(v.toLongLong(), 1LL);
        else if (k == u"--json"_s)
            jsonPath = v;
    }
    setup.endMs = QDateTime::currentMSecsSinceEpoch() / 60'000 * 60'000;
    setup.startMs = setup.endMs - static_cast<qint64>(setup.days) * 86'400'000;
    QFile json(jsonPath);
    if (!jsonPath.isEmpty())
        json.open(QIODevice::Append);
    auto emitJson = [&json](const QJsonObject& o) {
        if (json.isOpen()) {
            json.write(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
            json.flush();
        }
    };

    out() << "samples: " << setup.samples() << " (" << setup.days << " days, " << setup.endpoints
          << " endpoint(s) every " << setup.intervalMs / 1000 << " s), " << setup.reps
          << " interleaved repetitions, batches of " << g_batchSize << "\n";
    const QStringList layouts { u"v1"_s, u"v2"_s, u"store"_s };
    for (int rep = 0; rep < setup.reps; ++rep) {
        QTemporaryDir dir;
        QHash<QString, Written> written;
        for (int k = 0; k < layouts.size(); ++k) {
            const QString& layout = layouts.at((k + rep) % layouts.size()); // rotated order
            if (layout == u"v1"_s)
                written.insert(layout, writeV1(setup, dir.filePath(u"v1.sqlite"_s)));
            else if (layout == u"v2"_s)
                written.insert(layout, writeV2(setup, dir.filePath(u"v2.sqlite"_s)));
            else
                written.insert(layout, writeStore(setup, dir.filePath(u"store"_s)));
        }
        for (const QString& layout : layouts) {
            const Written& w = written.value(layout);
            const Size size = measure(w.path, layout == u"v1"_s);
            const double n = static_cast<double>(std::max<qint64>(size.rows, 1));
            out() << "rep " << rep + 1 << " " << layout << ": " << size.rows << " rows, file "
                  << qRound64(size.fileBytes / n * 10) / 10.0 << " B/sample, sample table + index "
                  << qRound64(size.tableBytes / n * 10) / 10.0 << " B/sample, rollups "
                  << qRound64(size.rollupBytes / n * 10) / 10.0 << " B/sample, " << size.freePages << " free pages of "
                  << size.pageSize << " B; write " << qRound64(w.cpuS / n * 1e7) / 10.0 << " µs CPU, "
                  << qRound64(w.wallS / n * 1e7) / 10.0 << " µs wall per sample\n";
            emitJson(QJsonObject { { u"bench"_s, u"storage"_s }, { u"phase"_s, u"write"_s }, { u"layout"_s, layout },
                { u"rep"_s, rep + 1 }, { u"days"_s, setup.days }, { u"endpoints"_s, setup.endpoints },
                { u"intervalS"_s, setup.intervalMs / 1000 }, { u"batch"_s, g_batchSize }, { u"rows"_s, size.rows },
                { u"fileBytesPerSample"_s, size.fileBytes / n }, { u"tableBytesPerSample"_s, size.tableBytes / n },
                { u"rollupBytesPerSample"_s, size.rollupBytes / n }, { u"freePages"_s, size.freePages },
                { u"pageSize"_s, size.pageSize }, { u"writeCpuUsPerSample"_s, w.cpuS / n * 1e6 },
                { u"writeWallUsPerSample"_s, w.wallS / n * 1e6 } });
        }

        // Reads, old way and new way, over the same samples.
        const QString ep = u"chat-completions"_s;
        const qint64 dayFrom = setup.endMs - 86'400'000LL;
        HistoryQuery query(written.value(u"store"_s).path);
        ChartSeries v2Chart;
        ChartSeries v1Chart;
        QList<std::pair<QString, double>> reads;
        // Interleaved: old and new reader alternate.
        const bool v1First = rep % 2 == 0;
        for (int k = 0; k < 2; ++k) {
            if ((k == 0) == v1First)
                reads.append({ u"chart24hV1Ms"_s, medianMs(5, [&] {
                                  v1Chart = chartV1(written.value(u"v1"_s).path, 1, dayFrom, setup.endMs, 2000);
                              }) });
            else
                reads.append(
                    { u"chart24hV2Ms"_s, medianMs(5, [&] { v2Chart = query.chart(ep, dayFrom, setup.endMs, 2000); }) });
        }
        ChartSeries week;
        reads.append({ u"chart7dMs"_s,
            medianMs(9, [&] { week = query.chart(ep, setup.endMs - 7 * 86'400'000LL, setup.endMs, 2000); }) });
        qint64 scanned = 0;
        reads.append({ u"scan7dMs"_s, medianMs(3, [&] {
                          scanned = 0;
                          query.forEachSample({ ep }, setup.startMs, setup.endMs + 60'000,
                              [&scanned](const StoredSample&) { return ++scanned > 0; });
                      }) });
        const bool same = v1Chart == v2Chart && !v2Chart.buckets.isEmpty();
        QJsonObject o { { u"bench"_s, u"storage"_s }, { u"phase"_s, u"read"_s }, { u"rep"_s, rep + 1 },
            { u"days"_s, setup.days }, { u"endpoints"_s, setup.endpoints }, { u"chart24hIdentical"_s, same },
            { u"chart7dBuckets"_s, week.buckets.size() }, { u"chart7dFromRollups"_s, week.fromRollups },
            { u"scanned"_s, scanned } };
        out() << "rep " << rep + 1 << " reads:";
        for (const auto& [name, ms] : reads) {
            o.insert(name, ms);
            out() << " " << name << " " << ms;
        }
        out() << " (24 h raw chart v1 == v2: " << (same ? "identical" : "DIFFERENT") << ", 7 d chart "
              << week.buckets.size() << " buckets from " << (week.fromRollups ? "rollups" : "raw") << ", scan "
              << scanned << " samples)\n";
        out().flush();
        emitJson(o);
    }
    return 0;
}
