// SPDX-License-Identifier: GPL-3.0-or-later
// Benchmark driver for the history store (not a pass/fail test): insert throughput, bytes per raw sample
// and per rollup row, chart and stats query times for 7 days of 1 s samples of one endpoint, and CSV
// export rows/s; with many endpoints the export merges their streams. Each figure has its baseline in the
// same repetition (the store against a bare prepared INSERT, the export against streaming the same rows),
// the two run in an order rotated every repetition; --json appends one line per repetition for
// tools/perf-report.py (min / median over the repetitions).
// Usage: bench_history [--days 7] [--endpoints 1] [--interval SECONDS] [--reps 3] [--json FILE]
#include "history/HistoryQuery.h"
#include "history/HistoryStore.h"
#include "report/CsvExport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <random>

using namespace Qt::StringLiterals;
using namespace sd;

namespace {

QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

/// Median wall time of `runs` calls, in ms.
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

ProbeResults makeSamples(qint64 startMs, qint64 count, int endpoints, qint64 intervalMs, std::mt19937_64& rng)
{
    std::lognormal_distribution<double> latency(std::log(80'000.0), 0.4);
    std::uniform_int_distribution<int> percent(0, 99);
    ProbeResults results;
    results.reserve(count);
    for (qint64 i = 0; i < count; ++i) {
        ProbeResult r;
        const qint64 endpoint = i % endpoints;
        r.endpoint = endpoint == 0 ? u"chat-completions"_s : u"endpoint-%1"_s.arg(endpoint);
        r.url = u"https://api.example.com/v1/%1"_s.arg(r.endpoint);
        // Endpoints are staggered evenly over the interval, as the scheduler does.
        r.startUtc = QDateTime::fromMSecsSinceEpoch(
            startMs + (i / endpoints) * intervalMs + endpoint * intervalMs / endpoints, Qt::UTC);
        r.latencyUs = static_cast<qint64>(latency(rng));
        r.connectionReused = true;
        r.phases = { 40, -1, 120, r.latencyUs - 900, 900 };
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
            r.reason = u"no answer within 10 s"_s;
        }
        r.traceId = QByteArray::number(static_cast<qulonglong>(rng()), 16).rightJustified(16, '0')
            + QByteArray::number(static_cast<qulonglong>(rng()), 16).rightJustified(16, '0');
        results.append(r);
    }
    return results;
}

/// One repetition: a fresh store and baseline, written in an order that depends on `rep`; the figures
/// printed as text and returned for the JSON line.
QJsonObject runRep(int days, int endpoints, qint64 intervalMs, int rep)
{
    QJsonObject fig;
    const qint64 samples = static_cast<qint64>(days) * 86'400'000 / intervalMs * endpoints;
    QTemporaryDir dir;
    const qint64 endMs = QDateTime::currentMSecsSinceEpoch() / 60'000 * 60'000;
    const qint64 startMs = endMs - static_cast<qint64>(days) * 86'400'000;
    std::mt19937_64 rng(7);

    HistoryOptions options;
    options.directory = dir.path();
    options.maintenanceInterval = std::chrono::milliseconds(0);
    options.maxPendingSamples = samples;
    double insertSeconds = 0;
    QString path;
    const std::function<void()> insertStore = [&] {
        HistoryStore store(options);
        path = store.databasePath();
        constexpr qint64 kChunk = 86'400;
        for (qint64 done = 0; done < samples; done += kChunk) {
            const ProbeResults batch = makeSamples(
                startMs + done / endpoints * intervalMs, std::min(kChunk, samples - done), endpoints, intervalMs, rng);
            QElapsedTimer t;
            t.start();
            store.append(batch);
            store.flushNow();
            insertSeconds += static_cast<double>(t.nsecsElapsed()) / 1e9;
        }
    };
    // Baseline, same run and disk: the same samples into a bare table of the same columns with one prepared
    // INSERT per row and one transaction per chunk (no lookup tables, no rollups, no writer thread).
    double bareSeconds = 0;
    const std::function<void()> insertBare = [&] {
        {
            auto bare = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"bare"_s);
            bare.setDatabaseName(dir.filePath(u"bare.sqlite"_s));
            bare.open();
            QSqlQuery q(bare);
            q.exec(u"PRAGMA journal_mode=WAL"_s);
            q.exec(u"PRAGMA synchronous=NORMAL"_s);
            q.exec(u"CREATE TABLE samples(endpoint TEXT, url TEXT, t_ms INTEGER, latency_us INTEGER, phases TEXT, "
                   "status INTEGER, bytes INTEGER, outcome INTEGER, signal INTEGER, reason TEXT, attempts INTEGER, "
                   "trace BLOB)"_s);
            std::mt19937_64 bareRng(7);
            constexpr qint64 kChunk = 86'400;
            for (qint64 done = 0; done < samples; done += kChunk) {
                const ProbeResults batch = makeSamples(startMs + done / endpoints * intervalMs,
                    std::min(kChunk, samples - done), endpoints, intervalMs, bareRng);
                QElapsedTimer t;
                t.start();
                bare.transaction();
                q.prepare(u"INSERT INTO samples VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"_s);
                for (const ProbeResult& r : batch) {
                    q.bindValue(0, r.endpoint);
                    q.bindValue(1, r.url);
                    q.bindValue(2, r.startUtc.toMSecsSinceEpoch());
                    q.bindValue(3, r.latencyUs);
                    q.bindValue(4,
                        u"%1,%2,%3,%4,%5"_s.arg(r.phases.queueUs)
                            .arg(r.phases.connectUs)
                            .arg(r.phases.sentUs)
                            .arg(r.phases.ttfbUs)
                            .arg(r.phases.downloadUs));
                    q.bindValue(5, r.httpStatus);
                    q.bindValue(6, r.bytesRead);
                    q.bindValue(7, static_cast<int>(r.outcome));
                    q.bindValue(8, static_cast<int>(r.signal));
                    q.bindValue(9, r.reason);
                    q.bindValue(10, r.attempts);
                    q.bindValue(11, r.traceId);
                    q.exec();
                }
                bare.commit();
                bareSeconds += static_cast<double>(t.nsecsElapsed()) / 1e9;
            }
            q.finish();
        }
        QSqlDatabase::removeDatabase(u"bare"_s);
    };
    // Rotated: even repetitions write the store first, odd ones the baseline first.
    if (rep % 2 == 0) {
        insertStore();
        insertBare();
    } else {
        insertBare();
        insertStore();
    }
    fig.insert(u"samples"_s, static_cast<double>(samples));
    fig.insert(u"insertPerS"_s, static_cast<double>(samples) / insertSeconds);
    fig.insert(u"bareInsertPerS"_s, static_cast<double>(samples) / bareSeconds);

    out() << "samples: " << samples << " (" << days << " days, " << endpoints << " endpoint(s) every "
          << intervalMs / 1000 << " s)\n";
    out() << "insert: " << qRound64(static_cast<double>(samples) / insertSeconds) << " samples/s (" << insertSeconds
          << " s, batched transactions incl. rollups)\n";
    out() << "insert baseline (bare prepared INSERT, one table, same transactions): "
          << qRound64(static_cast<double>(samples) / bareSeconds) << " samples/s; store/baseline = "
          << (static_cast<double>(samples) / insertSeconds) / (static_cast<double>(samples) / bareSeconds) << "\n";

    {
        auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"bench"_s);
        db.setDatabaseName(path);
        db.open();
        QSqlQuery q(db);
        q.exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
        auto scalar = [&q](const QString& sql) { return q.exec(sql) && q.next() ? q.value(0).toDouble() : -1.0; };
        const double rawRows = scalar(u"SELECT sum(n) FROM sample_blocks"_s);
        const double rollupRows = scalar(u"SELECT count(*) FROM rollups"_s);
        const double rawBytes
            = scalar(u"SELECT sum(pgsize) FROM dbstat WHERE name IN ('sample_blocks', 'sample_blocks_by_time')"_s);
        const double rollupBytes = scalar(u"SELECT sum(pgsize) FROM dbstat WHERE name = 'rollups'"_s);
        const double fileBytes = static_cast<double>(QFileInfo(path).size());
        fig.insert(u"fileBytesPerSample"_s, fileBytes / rawRows);
        fig.insert(u"blockBytesPerSample"_s, rawBytes / rawRows);
        fig.insert(u"rollupBytesPerRow"_s, rollupBytes / rollupRows);
        out() << "file: " << qRound64(fileBytes / 1048576.0) << " MiB, " << qRound64(fileBytes / rawRows)
              << " bytes per raw sample overall\n";
        if (rawBytes > 0) {
            out() << "sample blocks (table and index): " << qRound64(rawBytes / rawRows)
                  << " bytes per raw sample (pages incl. fill)\n";
            out() << "rollups table: " << qRound64(rollupBytes / rollupRows) << " bytes per rollup row ("
                  << qint64(rollupRows) << " rows)\n";
        } else {
            out() << "(dbstat not available: table sizes not measured)\n";
        }
        q.finish();
    }
    QSqlDatabase::removeDatabase(u"bench"_s);

    double scanRowsPerSecond = 0;
    const std::function<void()> queries = [&] {
        HistoryQuery query(path);
        const QString ep = u"chat-completions"_s;
        struct Case {
            const char* name;
            const char* key;
            qint64 rangeMs;
            int buckets;
        };
        for (const Case& c : { Case { "chart 7 d, 2000 buckets", "chart7dMs", 7 * 86'400'000LL, 2000 },
                 Case { "chart 24 h, 2000 buckets", "chart24hMs", 86'400'000LL, 2000 },
                 Case { "chart 1 h, 1000 buckets", "chart1hMs", 3'600'000LL, 1000 },
                 Case { "chart 5 min, 600 buckets", "chart5minMs", 300'000LL, 600 } }) {
            ChartSeries series;
            const double ms = medianMs(9, [&] { series = query.chart(ep, endMs - c.rangeMs, endMs, c.buckets); });
            fig.insert(QLatin1String(c.key), ms);
            out() << c.name << ": " << ms << " ms (" << series.buckets.size() << " buckets, "
                  << (series.fromRollups ? "rollups" : "raw") << ")\n";
        }
        ProbeAggregate stats;
        const double statsMs = medianMs(5, [&] { stats = query.stats(ep, startMs + 12'345, endMs - 6789); });
        out() << "stats 7 d (uptime, p50/p95/p99): " << statsMs << " ms (" << stats.probes() << " probes, p95 "
              << stats.latencyPercentileMs(95) << " ms)\n";
        const double stats1h = medianMs(9, [&] { stats = query.stats(ep, endMs - 3'600'000 - 12'345, endMs); });
        out() << "stats 1 h: " << stats1h << " ms\n";
        fig.insert(u"stats7dMs"_s, statsMs);
        fig.insert(u"stats1hMs"_s, stats1h);
        qint64 scanned = 0;
        const double scanMs = medianMs(3, [&] {
            scanned = 0;
            query.forEachSample({}, startMs, endMs, [&scanned](const StoredSample&) { return ++scanned > 0; });
        });
        scanRowsPerSecond = static_cast<double>(scanned) / scanMs * 1000.0;
        out() << "stream raw samples (no CSV, the export's baseline): " << qRound64(scanRowsPerSecond) << " rows/s\n";
        const double lastMs = medianMs(9, [&] { query.lastSamples(ep, 200); });
        out() << "last 200 samples: " << lastMs << " ms\n";
        fig.insert(u"streamRowsPerS"_s, scanRowsPerSecond);
        fig.insert(u"last200Ms"_s, lastMs);
    };

    struct Exported {
        QString target;
        qint64 rows = 0;
        double seconds = 0, cpuSeconds = 0;
        bool ok = false;
        qint64 bytes = 0;
    };
    std::vector<Exported> exported;
    const std::function<void(const QString&)> exportTo = [&](const QString& target) {
        ExportRequest request;
        request.databasePath = path;
        request.fromMs = startMs;
        request.toMs = endMs;
        CsvExport exporter(request);
        QElapsedTimer t;
        t.start();
        const std::clock_t cpuStart = std::clock();
        bool ok = false;
        if (target == u"/dev/null"_s) {
            QFile devnull(target);
            devnull.open(QIODevice::WriteOnly);
            ok = exporter.writeTo(&devnull);
        } else {
            ok = exporter.writeToFile(target);
        }
        const double seconds = static_cast<double>(t.nsecsElapsed()) / 1e9;
        const double cpuSeconds = static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC;
        exported.push_back({ target, exporter.rowsWritten(), seconds, cpuSeconds, ok,
            target == u"/dev/null"_s ? 0 : QFileInfo(target).size() });
    };
    // Rotated: the stream (the export's baseline) before or after the exports, the two targets swapped.
    const QString file = dir.filePath(u"export.csv"_s);
    const QString devNull = u"/dev/null"_s;
    switch (rep % 3) {
    case 0:
        queries();
        exportTo(file);
        exportTo(devNull);
        break;
    case 1:
        exportTo(devNull);
        queries();
        exportTo(file);
        break;
    default:
        exportTo(file);
        exportTo(devNull);
        queries();
        break;
    }
    std::sort(exported.begin(), exported.end(), [](const Exported& a, const Exported& b) { return a.bytes > b.bytes; });
    for (const Exported& e : exported) {
        const QString& target = e.target;
        const double seconds = e.seconds;
        const double cpuSeconds = e.cpuSeconds;
        const bool ok = e.ok;
        const QString key = target == devNull ? u"exportNull"_s : u"exportFile"_s;
        fig.insert(key + u"RowsPerS"_s, static_cast<double>(e.rows) / seconds);
        fig.insert(key + u"CpuRowsPerS"_s, static_cast<double>(e.rows) / cpuSeconds);
        fig.insert(key + u"Rows"_s, static_cast<double>(e.rows));
        fig.insert(key + u"Ok"_s, ok);
        if (target != devNull)
            fig.insert(u"exportFileMiB"_s, static_cast<double>(e.bytes) / 1048576.0);
        out() << "export raw CSV to " << (target == u"/dev/null"_s ? u"/dev/null"_s : u"a file"_s) << ": "
              << qRound64(static_cast<double>(e.rows) / seconds) << " rows/s (" << e.rows << " rows, " << seconds
              << " s; " << qRound64(static_cast<double>(e.rows) / cpuSeconds) << " rows per CPU second"
              << (ok ? "" : ", FAILED")
              << "); export/stream = " << static_cast<double>(e.rows) / seconds / std::max(scanRowsPerSecond, 1.0);
        if (target != devNull)
            out() << ", " << qRound64(static_cast<double>(e.bytes) / 1048576.0) << " MiB";
        out() << Qt::endl;
    }
    return fig;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    const QCommandLineOption daysOpt(u"days"_s, u"days of samples"_s, u"d"_s, u"7"_s);
    const QCommandLineOption endpointsOpt(u"endpoints"_s, u"endpoints"_s, u"n"_s, u"1"_s);
    const QCommandLineOption intervalOpt(u"interval"_s, u"seconds between probes of one endpoint"_s, u"s"_s, u"1"_s);
    const QCommandLineOption repsOpt(u"reps"_s, u"repetitions, order rotated"_s, u"r"_s, u"1"_s);
    const QCommandLineOption jsonOpt(u"json"_s, u"append a JSON line per repetition to this file"_s, u"file"_s);
    p.addHelpOption();
    p.addOptions({ daysOpt, endpointsOpt, intervalOpt, repsOpt, jsonOpt });
    p.process(app);
    const int days = std::max(p.value(daysOpt).toInt(), 1);
    const int endpoints = std::max(p.value(endpointsOpt).toInt(), 1);
    const qint64 intervalMs = std::max(p.value(intervalOpt).toInt(), 1) * 1000LL;
    const int reps = std::max(p.value(repsOpt).toInt(), 1);
    QFile json(p.value(jsonOpt));
    if (p.isSet(jsonOpt) && !json.open(QIODevice::Append | QIODevice::Text)) {
        std::fprintf(stderr, "bench_history: cannot write %s\n", qPrintable(json.fileName()));
        return 1;
    }
    for (int rep = 0; rep < reps; ++rep) {
        out() << "-- repetition " << rep << Qt::endl;
        QJsonObject fig = runRep(days, endpoints, intervalMs, rep);
        fig.insert(u"bench"_s, u"history"_s);
        fig.insert(u"rep"_s, rep);
        fig.insert(u"days"_s, days);
        fig.insert(u"endpoints"_s, endpoints);
        fig.insert(u"intervalS"_s, static_cast<double>(intervalMs) / 1000.0);
        if (json.isOpen()) {
            json.write(QJsonDocument(fig).toJson(QJsonDocument::Compact) + '\n');
            json.flush();
        }
    }
    return 0;
}
