// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/HistorySchema.h"

#include "history/SampleBlock.h"
#include "history/SqliteErrors.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

using namespace Qt::StringLiterals;

namespace sd::HistorySchema {

int outcomeToStored(Outcome o)
{
    for (int i = 0; i < kOutcomeCount; ++i) {
        if (kStoredOutcomes[static_cast<size_t>(i)] == o)
            return i;
    }
    return 0;
}

std::optional<Outcome> outcomeFromStored(qint64 code)
{
    if (code < 0 || code >= kOutcomeCount)
        return std::nullopt;
    return kStoredOutcomes[static_cast<size_t>(code)];
}

std::optional<FailureSignal> signalFromStored(qint64 code)
{
    if (code < 0 || code > kSignalCount)
        return std::nullopt;
    return static_cast<FailureSignal>(code);
}

QStringList migrationStatements(int version)
{
    switch (version) {
    case 1:
        return {
            u"CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID"_s,
            u"CREATE TABLE endpoints (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"_s,
            u"CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE)"_s,
            u"CREATE TABLE reasons (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL UNIQUE)"_s,
            u"CREATE TABLE samples ("
            "endpoint_id INTEGER NOT NULL, t_ms INTEGER NOT NULL, url_id INTEGER NOT NULL, "
            "latency_us INTEGER NOT NULL, http_status INTEGER NOT NULL, outcome INTEGER NOT NULL, "
            "signal INTEGER NOT NULL, attempts INTEGER NOT NULL, flags INTEGER NOT NULL, "
            "bytes_read INTEGER NOT NULL, reason_id INTEGER, queue_us INTEGER, connect_us INTEGER, "
            "sent_us INTEGER, ttfb_us INTEGER, download_us INTEGER, trace_id BLOB, "
            "PRIMARY KEY (endpoint_id, t_ms)) WITHOUT ROWID"_s,
            u"CREATE TABLE rollups ("
            "endpoint_id INTEGER NOT NULL, minute INTEGER NOT NULL, probes INTEGER NOT NULL, "
            "ok INTEGER NOT NULL, timeout INTEGER NOT NULL, connection INTEGER NOT NULL, auth INTEGER NOT NULL, "
            "input INTEGER NOT NULL, throttled INTEGER NOT NULL, server_error INTEGER NOT NULL, "
            "assertion_failed INTEGER NOT NULL, s1 INTEGER NOT NULL, s2 INTEGER NOT NULL, s3 INTEGER NOT NULL, "
            "s4 INTEGER NOT NULL, lat_n INTEGER NOT NULL, lat_min_us INTEGER, lat_max_us INTEGER, "
            "lat_sum_us INTEGER NOT NULL, p50_us INTEGER, p95_us INTEGER, p99_us INTEGER, hist BLOB, "
            "PRIMARY KEY (endpoint_id, minute)) WITHOUT ROWID"_s,
        };
    case 2:
        // Raw samples move into blocks (see SampleBlock.h); convertSamplesToBlocks() copies every v1 row.
        return {
            u"CREATE TABLE sample_blocks (id INTEGER PRIMARY KEY, endpoint_id INTEGER NOT NULL, "
            "first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, n INTEGER NOT NULL, reasons BLOB, "
            "data BLOB NOT NULL)"_s,
            u"CREATE UNIQUE INDEX sample_blocks_by_time ON sample_blocks (endpoint_id, first_ms)"_s,
        };
    default:
        return {};
    }
}

std::optional<MigrationError> convertSamplesToBlocks(QSqlDatabase& db)
{
    QSqlQuery read(db);
    QSqlQuery write(db);
    auto failed = [](const QSqlQuery& q) {
        return MigrationError { sqlitePrimaryCode(q.lastError()), q.lastError().text() };
    };
    read.setForwardOnly(true);
    if (!read.exec(u"SELECT endpoint_id, t_ms, url_id, latency_us, http_status, outcome, signal, attempts, flags, "
                   "bytes_read, coalesce(reason_id, 0), coalesce(queue_us, -1), coalesce(connect_us, -1), "
                   "coalesce(sent_us, -1), coalesce(ttfb_us, -1), coalesce(download_us, -1), trace_id "
                   "FROM samples ORDER BY endpoint_id, t_ms"_s))
        return failed(read);
    if (!write.prepare(u"INSERT INTO sample_blocks (endpoint_id, first_ms, last_ms, n, reasons, data) "
                       "VALUES (?, ?, ?, ?, ?, ?)"_s))
        return failed(write);
    SampleBlock::Encoder block;
    int blockEndpoint = 0;
    auto flush = [&]() {
        if (block.isEmpty())
            return true;
        const QByteArray reasons = block.reasonIds();
        write.bindValue(0, blockEndpoint);
        write.bindValue(1, block.firstMs());
        write.bindValue(2, block.lastMs());
        write.bindValue(3, block.count());
        write.bindValue(4, reasons.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(reasons));
        write.bindValue(5, block.data());
        block = SampleBlock::Encoder();
        return write.exec();
    };
    while (read.next()) {
        StoredSample s;
        s.endpointId = read.value(0).toInt();
        s.startMs = read.value(1).toLongLong();
        s.urlId = read.value(2).toInt();
        s.latencyUs = read.value(3).toLongLong();
        s.httpStatus = read.value(4).toInt();
        s.outcome = outcomeFromStored(read.value(5).toLongLong()).value_or(Outcome::Ok);
        s.signal = signalFromStored(read.value(6).toLongLong()).value_or(FailureSignal::None);
        s.attempts = read.value(7).toInt();
        const int flags = read.value(8).toInt();
        s.connectionReused = flags & kFlagConnectionReused;
        s.bodyTruncated = flags & kFlagBodyTruncated;
        s.bytesRead = read.value(9).toLongLong();
        s.reasonId = read.value(10).toInt();
        s.phases = { read.value(11).toLongLong(), read.value(12).toLongLong(), read.value(13).toLongLong(),
            read.value(14).toLongLong(), read.value(15).toLongLong() };
        const QVariant trace = read.value(16);
        if (trace.isNull())
            s.traceId.clear();
        else if (trace.typeId() == QMetaType::QByteArray)
            s.traceId = trace.toByteArray().toHex();
        else
            s.traceId = trace.toString().toUtf8();
        if (s.endpointId != blockEndpoint || block.isFull()) {
            if (!flush())
                return failed(write);
            blockEndpoint = s.endpointId;
        }
        block.append(s);
    }
    if (read.lastError().isValid())
        return failed(read);
    if (!flush())
        return failed(write);
    read.finish();
    if (!read.exec(u"DROP TABLE samples"_s))
        return failed(read);
    return std::nullopt;
}

std::optional<int> storedVersion(QSqlDatabase& db, MigrationError* error)
{
    QSqlQuery q(db);
    if (!q.exec(u"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"_s)
        || !q.next()) {
        if (error)
            *error = { sqlitePrimaryCode(q.lastError()), q.lastError().text() };
        return std::nullopt;
    }
    if (q.value(0).toInt() == 0)
        return 0;
    if (!q.exec(u"SELECT coalesce(max(version), 0) FROM schema_migrations"_s) || !q.next()) {
        if (error)
            *error = { sqlitePrimaryCode(q.lastError()), q.lastError().text() };
        return std::nullopt;
    }
    return q.value(0).toInt();
}

QString quickCheck(QSqlDatabase& db)
{
    QSqlQuery q(db);
    if (!q.exec(u"PRAGMA quick_check(5)"_s))
        return q.lastError().text();
    QStringList problems;
    while (q.next())
        problems.append(q.value(0).toString());
    if (problems.isEmpty())
        return u"no answer"_s;
    return problems.join(u"; "_s).simplified().left(300);
}

std::optional<MigrationError> migrate(QSqlDatabase& db, qint64 nowMs)
{
    MigrationError error;
    const auto version = storedVersion(db, &error);
    if (!version)
        return error;
    if (*version < 0 || *version > kCurrentVersion) {
        // A damaged page can read as any number: only an intact file with a plausible version is "newer".
        QString damage;
        if (*version < 0 || *version > kCurrentVersion + kPlausibleNewerVersions)
            damage = u"schema version reads %1, which no SignalDeck writes"_s.arg(*version);
        else if (const QString check = quickCheck(db); check != u"ok")
            damage = u"schema version reads %1, and quick_check says: %2"_s.arg(*version).arg(check);
        if (!damage.isEmpty())
            return MigrationError { SqliteCode::Corrupt, damage };
        return MigrationError { 0,
            u"the history database has schema version %1, newer than this SignalDeck understands (%2)"_s.arg(*version)
                .arg(kCurrentVersion) };
    }
    QSqlQuery q(db);
    auto failed = [&q] { return MigrationError { sqlitePrimaryCode(q.lastError()), q.lastError().text() }; };
    if (*version == 0) {
        if (!q.exec(u"CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                    "applied_ms INTEGER NOT NULL)"_s))
            return failed();
    }
    for (int v = *version + 1; v <= kCurrentVersion; ++v) {
        if (!q.exec(u"BEGIN IMMEDIATE"_s))
            return failed();
        bool ok = true;
        for (const QString& statement : migrationStatements(v)) {
            if (!q.exec(statement)) {
                ok = false;
                break;
            }
        }
        if (ok && v == 2) {
            if (auto e = convertSamplesToBlocks(db)) {
                QSqlQuery(db).exec(u"ROLLBACK"_s);
                return e;
            }
        }
        if (ok) {
            ok = q.prepare(u"INSERT INTO schema_migrations (version, applied_ms) VALUES (?, ?)"_s);
            q.addBindValue(v);
            q.addBindValue(nowMs);
            ok = ok && q.exec();
        }
        if (!ok) {
            const MigrationError e = failed();
            QSqlQuery(db).exec(u"ROLLBACK"_s);
            return e;
        }
        if (!q.exec(u"COMMIT"_s))
            return failed();
    }
    // The schema-1 sample rows took about twice the pages the blocks do: give them back to the file system
    // once (best effort: VACUUM needs room for a copy; without it the freed pages are reused by new samples).
    if (*version == 1)
        q.exec(u"VACUUM"_s);
    return std::nullopt;
}

} // namespace sd::HistorySchema
