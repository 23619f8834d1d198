// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/HistoryWriter.h"

#include "core/Redaction.h"
#include "history/HistoryConnection.h"
#include "history/HistorySchema.h"
#include "history/ProbeAggregate.h"
#include "history/SampleQueue.h"
#include "history/SqliteErrors.h"

#include <QDateTime>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QTimer>
#include <QUrl>
#include <QVariant>

#include <cmath>
#include <filesystem>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHistory, "signaldeck.history", QtInfoMsg)

namespace sd {

namespace {

constexpr qsizetype kBatchSize = 10'000;
constexpr int kDeleteChunk = 5'000;
constexpr qint64 kFirstMaintenanceDelayMs = 2'000;
constexpr qint64 kReasonGcIntervalMs = 6 * 3'600'000LL;

qint64 startMsOf(const ProbeResult& r)
{
    return r.startUtc.isValid() ? r.startUtc.toMSecsSinceEpoch() : QDateTime::currentMSecsSinceEpoch();
}

} // namespace

HistoryWriter::HistoryWriter(HistoryOptions options, QString path, std::shared_ptr<SampleQueue> queue)
    : m_options(std::move(options))
    , m_path(std::move(path))
    , m_queue(std::move(queue))
{
    m_endpoints.table = u"endpoints"_s;
    m_endpoints.column = u"name"_s;
    m_urls.table = u"urls"_s;
    m_urls.column = u"url"_s;
    m_reasons.table = u"reasons"_s;
    m_reasons.column = u"text"_s;
}

HistoryWriter::~HistoryWriter()
{
    closeConnection();
}

HistoryError HistoryWriter::currentError() const
{
    QMutexLocker lock(&m_statusMutex);
    return m_currentError;
}

HistoryError HistoryWriter::lastErrorKind() const
{
    QMutexLocker lock(&m_statusMutex);
    return m_lastErrorKind;
}

QString HistoryWriter::lastError() const
{
    QMutexLocker lock(&m_statusMutex);
    return m_lastError;
}

bool HistoryWriter::isOpen() const
{
    QMutexLocker lock(&m_statusMutex);
    return m_open;
}

qint64 HistoryWriter::storedSamples() const
{
    QMutexLocker lock(&m_statusMutex);
    return m_stored;
}

void HistoryWriter::start()
{
    m_clock.start();
    m_timer = new QTimer(this);
    m_timer->setInterval(m_options.flushInterval);
    connect(m_timer, &QTimer::timeout, this, &HistoryWriter::tick);
    m_timer->start();
    tryOpen();
}

void HistoryWriter::shutdown()
{
    if (m_timer)
        m_timer->stop();
    if (!m_connection)
        tryOpen();
    if (m_connection) {
        m_retryAtMs = 0;
        flushPending();
    }
    if (m_queue->size() > 0)
        qCWarning(lcHistory) << m_queue->size() << "samples could not be written before shutdown";
    closeConnection();
}

void HistoryWriter::tick()
{
    const qint64 now = m_clock.elapsed();
    if (!m_connection) {
        if (now < m_nextOpenAttemptMs || !tryOpen())
            return;
    }
    if (m_queue->size() > 0 && now >= m_retryAtMs)
        flushPending();
    if (m_connection && m_options.maintenanceInterval.count() > 0 && now >= m_nextMaintenanceMs) {
        m_nextMaintenanceMs = now + m_options.maintenanceInterval.count();
        runMaintenance(QDateTime::currentMSecsSinceEpoch());
    }
}

QString HistoryWriter::pendingNote() const
{
    return u"New samples are kept in memory (up to %1, the oldest dropped first) and writing is retried every "
           "%2 s; the history already stored is untouched."_s.arg(m_options.maxPendingSamples)
               .arg(static_cast<double>(m_options.retryInterval.count()) / 1000.0);
}

bool HistoryWriter::tryOpen()
{
    m_nextOpenAttemptMs = m_clock.elapsed() + m_options.retryInterval.count();
    const QString dir = QFileInfo(m_path).absolutePath();
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(dir.toStdU16String()), ec);
    if (ec) {
        reportError(HistoryError::Unwritable,
            u"Cannot create the history directory %1: %2. %3"_s.arg(
                dir, QString::fromLocal8Bit(ec.message().c_str()), pendingNote()));
        return false;
    }

    for (int attempt = 0; attempt < 2; ++attempt) {
        HistoryConnection::Settings settings;
        settings.busyTimeoutMs = static_cast<int>(m_options.busyTimeout.count());
        settings.maxDatabaseBytes = m_options.maxDatabaseBytes;
        m_connection = std::make_unique<HistoryConnection>(m_path, settings);
        HistoryError kind = HistoryError::None;
        QString text;
        if (!m_connection->open()) {
            kind = m_connection->errorKind();
            text = m_connection->errorText();
        } else if (const auto failed
            = HistorySchema::migrate(m_connection->database(), QDateTime::currentMSecsSinceEpoch())) {
            kind = failed->sqliteCode == 0 ? HistoryError::Incompatible : classifySqliteCode(failed->sqliteCode);
            if (kind == HistoryError::None)
                kind = HistoryError::Other;
            text = failed->message;
        } else if (!prepareStatements(&text)) {
            kind = HistoryError::Other;
        }
        if (kind == HistoryError::None) {
            {
                QMutexLocker lock(&m_statusMutex);
                m_open = true;
            }
            m_retryAtMs = 0;
            m_nextMaintenanceMs = m_clock.elapsed() + kFirstMaintenanceDelayMs;
            qCInfo(lcHistory) << "history database open:" << m_path;
            emit opened(m_path);
            return true;
        }
        closeConnection();
        if (kind != HistoryError::Corrupt || attempt > 0) {
            QString message;
            switch (kind) {
            case HistoryError::Locked:
                message = u"The history database %1 is locked by another process (is a second SignalDeck "
                          "running?). It is left alone, not moved: another program is using it. %2"_s.arg(
                              m_path, pendingNote());
                break;
            case HistoryError::Incompatible:
                message = u"Cannot use the history database %1: %2. It is left alone. %3"_s.arg(
                    m_path, text, pendingNote());
                break;
            default:
                message = u"Cannot open the history database %1: %2. %3"_s.arg(m_path, text, pendingNote());
                break;
            }
            reportError(kind, message);
            return false;
        }
        QString moveError;
        const QString aside = HistoryConnection::setAside(m_path, QDateTime::currentDateTimeUtc(), &moveError);
        if (aside.isEmpty()) {
            reportError(HistoryError::Corrupt,
                u"The history database %1 is damaged (%2) and could not be set aside: %3. %4"_s.arg(
                    m_path, text, moveError, pendingNote()));
            return false;
        }
        reportError(HistoryError::Corrupt,
            u"The history database %1 was damaged (%2). It was moved to %3 (nothing was deleted) and a new, "
            "empty history was started."_s.arg(m_path, text, aside));
        emit databaseReset(aside);
    }
    return false;
}

bool HistoryWriter::prepareStatements(QString* error)
{
    QSqlDatabase& db = m_connection->database();
    auto prepare = [&db, error](std::optional<QSqlQuery>& query, const QString& sql) {
        query.emplace(db);
        if (query->prepare(sql))
            return true;
        *error = query->lastError().text();
        return false;
    };
    for (Lookup* lookup : { &m_endpoints, &m_urls, &m_reasons }) {
        lookup->cache.clear();
        if (!prepare(lookup->select, u"SELECT id FROM %1 WHERE %2 = ?"_s.arg(lookup->table, lookup->column))
            || !prepare(lookup->insert, u"INSERT INTO %1 (%2) VALUES (?)"_s.arg(lookup->table, lookup->column)))
            return false;
    }
    m_openBlocks.clear();
    return prepare(m_insertBlock,
               u"INSERT INTO sample_blocks (endpoint_id, first_ms, last_ms, n, reasons, data) "
               "VALUES (?, ?, ?, ?, ?, ?)"_s)
        && prepare(m_updateBlock,
            u"UPDATE sample_blocks SET first_ms = ?, last_ms = ?, n = ?, reasons = ?, data = ? WHERE id = ?"_s)
        && prepare(m_newestBlock,
            u"SELECT id, first_ms, data FROM sample_blocks WHERE endpoint_id = ? ORDER BY first_ms DESC LIMIT 1"_s)
        && prepare(m_selectRollup,
            u"SELECT probes, ok, timeout, connection, auth, input, throttled, server_error, assertion_failed, s1, "
            "s2, s3, s4, lat_n, lat_min_us, lat_max_us, lat_sum_us, hist FROM rollups "
            "WHERE endpoint_id = ? AND minute = ?"_s)
        && prepare(m_replaceRollup,
            u"INSERT OR REPLACE INTO rollups (endpoint_id, minute, probes, ok, timeout, connection, auth, input, "
            "throttled, server_error, assertion_failed, s1, s2, s3, s4, lat_n, lat_min_us, lat_max_us, "
            "lat_sum_us, p50_us, p95_us, p99_us, hist) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
}

void HistoryWriter::closeConnection()
{
    for (Lookup* lookup : { &m_endpoints, &m_urls, &m_reasons }) {
        lookup->cache.clear();
        lookup->select.reset();
        lookup->insert.reset();
    }
    m_openBlocks.clear();
    m_insertBlock.reset();
    m_updateBlock.reset();
    m_newestBlock.reset();
    m_selectRollup.reset();
    m_replaceRollup.reset();
    m_connection.reset();
    QMutexLocker lock(&m_statusMutex);
    m_open = false;
}

bool HistoryWriter::flushPending()
{
    for (int corruptRetries = 0; m_queue->size() > 0;) {
        if (!m_connection && !tryOpen())
            return false;
        const ProbeResults batch = m_queue->take(kBatchSize);
        QSqlError error;
        if (writeBatch(batch, &error)) {
            {
                QMutexLocker lock(&m_statusMutex);
                m_stored += batch.size();
            }
            clearError();
            continue;
        }
        m_queue->pushFront(batch);
        handleWriteError(error);
        if (classifySqliteCode(sqlitePrimaryCode(error)) != HistoryError::Corrupt || ++corruptRetries > 1)
            return false;
    }
    return true;
}

std::optional<int> HistoryWriter::lookupId(Lookup& lookup, const QString& value, QSqlError* error)
{
    if (const auto it = lookup.cache.constFind(value); it != lookup.cache.constEnd())
        return *it;
    lookup.select->bindValue(0, value);
    if (!lookup.select->exec()) {
        *error = lookup.select->lastError();
        return std::nullopt;
    }
    int id = 0;
    if (lookup.select->next()) {
        id = lookup.select->value(0).toInt();
    } else {
        lookup.insert->bindValue(0, value);
        if (!lookup.insert->exec()) {
            *error = lookup.insert->lastError();
            return std::nullopt;
        }
        id = lookup.insert->lastInsertId().toInt();
    }
    lookup.select->finish();
    lookup.cache.insert(value, id);
    return id;
}

namespace {

QSqlError damagedBlockError(const QString& problem, int endpointId, qint64 firstMs)
{
    // Reported like SQLite's own SQLITE_CORRUPT, so the file is set aside the same way.
    return QSqlError(QString(), u"%1 (endpoint id %2, block from %3 ms)"_s.arg(problem).arg(endpointId).arg(firstMs),
        QSqlError::StatementError, QString::number(SqliteCode::Corrupt));
}

QVariant reasonsValue(const SampleBlock::Encoder& block)
{
    const QByteArray ids = block.reasonIds();
    return ids.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(ids);
}

} // namespace

HistoryWriter::OpenBlock* HistoryWriter::openBlock(int endpointId, QSqlError* error)
{
    if (const auto it = m_openBlocks.find(endpointId); it != m_openBlocks.end())
        return &it.value();
    // Continue the endpoint's newest block: re-encoding its samples restores the encoder's state.
    QSqlQuery& q = *m_newestBlock;
    q.bindValue(0, endpointId);
    if (!q.exec()) {
        *error = q.lastError();
        return nullptr;
    }
    OpenBlock block;
    if (q.next()) {
        QList<StoredSample> samples;
        QString problem;
        if (!SampleBlock::decode(
                q.value(2).toByteArray(), q.value(1).toLongLong(), endpointId, &samples, true, &problem)) {
            *error = damagedBlockError(problem, endpointId, q.value(1).toLongLong());
            q.finish();
            return nullptr;
        }
        block.rowId = q.value(0).toLongLong();
        for (const StoredSample& sample : std::as_const(samples))
            block.encoder.append(sample);
    }
    q.finish();
    return &m_openBlocks.insert(endpointId, block).value();
}

bool HistoryWriter::writeBlock(int endpointId, OpenBlock& block, QSqlError* error)
{
    if (!block.dirty || block.encoder.isEmpty())
        return true;
    const SampleBlock::Encoder& e = block.encoder;
    if (block.rowId == 0) {
        QSqlQuery& q = *m_insertBlock;
        q.bindValue(0, endpointId);
        q.bindValue(1, e.firstMs());
        q.bindValue(2, e.lastMs());
        q.bindValue(3, e.count());
        q.bindValue(4, reasonsValue(e));
        q.bindValue(5, e.data());
        if (!q.exec()) {
            *error = q.lastError();
            return false;
        }
        block.rowId = q.lastInsertId().toLongLong();
    } else {
        QSqlQuery& q = *m_updateBlock;
        q.bindValue(0, e.firstMs());
        q.bindValue(1, e.lastMs());
        q.bindValue(2, e.count());
        q.bindValue(3, reasonsValue(e));
        q.bindValue(4, e.data());
        q.bindValue(5, block.rowId);
        if (!q.exec()) {
            *error = q.lastError();
            return false;
        }
    }
    block.dirty = false;
    return true;
}

std::optional<qint64> HistoryWriter::insertOutOfOrder(int endpointId, StoredSample sample, QSqlError* error)
{
    // A sample no later than the endpoint's newest one (a clock step back, two probes in the same ms):
    // it goes into the block whose time range it falls in, re-encoded. Two probes of one endpoint in the
    // same millisecond are both kept, the later one nudged by 1 ms, as in schema version 1.
    QSqlDatabase& db = m_connection->database();
    QSqlQuery q(db);
    qint64 t = sample.startMs;
    for (;;) {
        q.prepare(u"SELECT id, first_ms, data FROM sample_blocks WHERE endpoint_id = ? AND first_ms <= ? "
                  "ORDER BY first_ms DESC LIMIT 1"_s);
        q.bindValue(0, endpointId);
        q.bindValue(1, t);
        if (!q.exec()) {
            *error = q.lastError();
            return std::nullopt;
        }
        if (!q.next()) {
            // Older than every block: the endpoint's first block takes it.
            q.prepare(u"SELECT id, first_ms, data FROM sample_blocks WHERE endpoint_id = ? ORDER BY first_ms "
                      "LIMIT 1"_s);
            q.bindValue(0, endpointId);
            if (!q.exec()) {
                *error = q.lastError();
                return std::nullopt;
            }
            if (!q.next()) {
                sample.startMs = t;
                OpenBlock block;
                block.encoder.append(sample);
                block.dirty = true;
                if (!writeBlock(endpointId, block, error))
                    return std::nullopt;
                return t;
            }
        }
        const qint64 rowId = q.value(0).toLongLong();
        const qint64 firstMs = q.value(1).toLongLong();
        QList<StoredSample> samples;
        QString problem;
        if (!SampleBlock::decode(q.value(2).toByteArray(), firstMs, endpointId, &samples, true, &problem)) {
            *error = damagedBlockError(problem, endpointId, firstMs);
            return std::nullopt;
        }
        q.finish();
        auto at = std::lower_bound(
            samples.begin(), samples.end(), t, [](const StoredSample& s, qint64 value) { return s.startMs < value; });
        while (at != samples.end() && at->startMs == t) {
            ++t;
            ++at;
        }
        // Nudged up to the next block's first sample: that block decides.
        q.prepare(u"SELECT count(*) FROM sample_blocks WHERE endpoint_id = ? AND first_ms > ? AND first_ms <= ?"_s);
        q.bindValue(0, endpointId);
        q.bindValue(1, firstMs);
        q.bindValue(2, t);
        if (!q.exec() || !q.next()) {
            *error = q.lastError();
            return std::nullopt;
        }
        if (q.value(0).toLongLong() > 0)
            continue;
        q.finish();
        sample.startMs = t;
        samples.insert(at, sample);
        OpenBlock block;
        block.rowId = rowId;
        for (const StoredSample& s : std::as_const(samples))
            block.encoder.append(s);
        block.dirty = true;
        if (!writeBlock(endpointId, block, error))
            return std::nullopt;
        return t;
    }
}

bool HistoryWriter::writeBatch(const ProbeResults& batch, QSqlError* error)
{
    QSqlDatabase& db = m_connection->database();
    QSqlQuery control(db);
    if (!control.exec(u"BEGIN IMMEDIATE"_s)) {
        *error = control.lastError();
        return false;
    }
    auto rollback = [&](const QSqlError& e) {
        *error = e;
        QSqlQuery(db).exec(u"ROLLBACK"_s);
        // Ids inserted in the rolled-back transaction no longer exist, nor do the blocks written.
        for (Lookup* lookup : { &m_endpoints, &m_urls, &m_reasons })
            lookup->cache.clear();
        m_openBlocks.clear();
        return false;
    };

    QHash<QPair<int, qint64>, ProbeAggregate> deltas;
    for (const ProbeResult& r : batch) {
        QSqlError e;
        const auto endpointId = lookupId(m_endpoints, r.endpoint, &e);
        const auto urlId = endpointId ? lookupId(m_urls, redactedUrl(QUrl(r.url)), &e) : std::nullopt;
        if (!urlId)
            return rollback(e);
        std::optional<int> reasonId;
        if (!r.reason.isEmpty()) {
            // Reasons are redacted where server text enters a result (classify() with the engine's
            // secrets); redacting again per stored row cost 11-15 % of all CPU (issue 12).
            reasonId = lookupId(m_reasons, r.reason.left(HistorySchema::kReasonMaxChars), &e);
            if (!reasonId)
                return rollback(e);
        }
        StoredSample s;
        s.endpointId = *endpointId;
        s.urlId = *urlId;
        s.reasonId = reasonId.value_or(0);
        s.startMs = startMsOf(r);
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

        OpenBlock* block = openBlock(*endpointId, &e);
        if (!block)
            return rollback(e);
        qint64 t = s.startMs;
        if (block->encoder.isEmpty() || t > block->encoder.lastMs()) {
            if (block->encoder.isFull()) {
                if (!writeBlock(*endpointId, *block, &e))
                    return rollback(e);
                *block = OpenBlock();
            }
            block->encoder.append(s);
            block->dirty = true;
        } else {
            if (!writeBlock(*endpointId, *block, &e))
                return rollback(e);
            m_openBlocks.remove(*endpointId); // reloaded from the file when next needed
            const auto stored = insertOutOfOrder(*endpointId, s, &e);
            if (!stored)
                return rollback(e);
            t = *stored;
        }
        deltas[qMakePair(*endpointId, t / HistorySchema::kMinuteMs)].add(
            r.outcome, r.signal, r.httpStatus, r.latencyUs);
    }
    for (auto it = m_openBlocks.begin(); it != m_openBlocks.end(); ++it) {
        if (!writeBlock(it.key(), it.value(), error))
            return rollback(*error);
    }
    if (!mergeRollups(deltas, error))
        return rollback(*error);
    if (!control.exec(u"COMMIT"_s))
        return rollback(control.lastError());
    return true;
}

bool HistoryWriter::mergeRollups(QHash<QPair<int, qint64>, ProbeAggregate>& deltas, QSqlError* error)
{
    QSqlQuery& select = *m_selectRollup;
    QSqlQuery& replace = *m_replaceRollup;
    for (auto it = deltas.begin(); it != deltas.end(); ++it) {
        ProbeAggregate& agg = it.value();
        select.bindValue(0, it.key().first);
        select.bindValue(1, it.key().second);
        if (!select.exec()) {
            *error = select.lastError();
            return false;
        }
        if (select.next()) {
            std::array<qint64, HistorySchema::kOutcomeCount> outcomes {};
            for (int i = 0; i < HistorySchema::kOutcomeCount; ++i)
                outcomes[static_cast<size_t>(i)] = select.value(1 + i).toLongLong();
            std::array<qint64, kSignalCount> perSignal {};
            for (int i = 0; i < kSignalCount; ++i)
                perSignal[static_cast<size_t>(i)] = select.value(9 + i).toLongLong();
            agg.addCounts(select.value(0).toLongLong(), outcomes, perSignal, select.value(13).toLongLong(),
                select.value(14).toLongLong(), select.value(15).toLongLong(), select.value(16).toLongLong());
            if (const auto stored = LatencyHistogram::decode(select.value(17).toByteArray()))
                agg.histogram().merge(*stored);
        }
        select.finish();

        int col = 0;
        replace.bindValue(col++, it.key().first);
        replace.bindValue(col++, it.key().second);
        replace.bindValue(col++, agg.probes());
        for (qint64 c : agg.outcomeCounts())
            replace.bindValue(col++, c);
        for (qint64 c : agg.signalCounts())
            replace.bindValue(col++, c);
        const bool hasLatency = agg.latencyCount() > 0;
        auto latencyValue = [hasLatency](double us) { return hasLatency ? QVariant(std::llround(us)) : QVariant(); };
        replace.bindValue(col++, agg.latencyCount());
        replace.bindValue(col++, hasLatency ? QVariant(agg.latencyMinUs()) : QVariant());
        replace.bindValue(col++, hasLatency ? QVariant(agg.latencyMaxUs()) : QVariant());
        replace.bindValue(col++, agg.latencySumUs());
        replace.bindValue(col++, latencyValue(agg.latencyPercentileUs(50)));
        replace.bindValue(col++, latencyValue(agg.latencyPercentileUs(95)));
        replace.bindValue(col++, latencyValue(agg.latencyPercentileUs(99)));
        replace.bindValue(col++, hasLatency ? QVariant(agg.histogram().encode()) : QVariant());
        if (!replace.exec()) {
            *error = replace.lastError();
            return false;
        }
    }
    return true;
}

void HistoryWriter::handleWriteError(const QSqlError& error)
{
    const HistoryError kind = classifySqliteCode(sqlitePrimaryCode(error));
    m_retryAtMs = m_clock.elapsed() + m_options.retryInterval.count();
    switch (kind) {
    case HistoryError::Corrupt: {
        closeConnection();
        QString moveError;
        const QString aside = HistoryConnection::setAside(m_path, QDateTime::currentDateTimeUtc(), &moveError);
        if (aside.isEmpty()) {
            reportError(kind,
                u"The history database %1 is damaged (%2) and could not be set aside: %3. %4"_s.arg(
                    m_path, error.text(), moveError, pendingNote()));
            return;
        }
        reportError(kind,
            u"The history database %1 was damaged (%2). It was moved to %3 (nothing was deleted) and a new, "
            "empty history was started."_s.arg(m_path, error.text(), aside));
        emit databaseReset(aside);
        m_retryAtMs = 0;
        tryOpen();
        return;
    }
    case HistoryError::Locked:
        reportError(kind,
            u"The history database %1 is locked by another process (is a second SignalDeck running?). %2"_s.arg(
                m_path, pendingNote()));
        return;
    case HistoryError::DiskFull:
        reportError(kind,
            m_options.maxDatabaseBytes > 0
                ? u"Cannot write the history database %1: the disk is full or the size limit of %2 bytes is "
                  "reached. %3"_s.arg(m_path)
                      .arg(m_options.maxDatabaseBytes)
                      .arg(pendingNote())
                : u"Cannot write the history database %1: the disk is full. %2"_s.arg(m_path, pendingNote()));
        return;
    default:
        reportError(kind == HistoryError::None ? HistoryError::Other : kind,
            u"Cannot write the history database %1: %2. %3"_s.arg(m_path, error.text(), pendingNote()));
        return;
    }
}

void HistoryWriter::reportError(HistoryError kind, const QString& message)
{
    {
        QMutexLocker lock(&m_statusMutex);
        m_currentError = kind;
        m_lastErrorKind = kind;
        m_lastError = message;
    }
    // A retry that fails the same way is not news.
    if (message == m_lastReported)
        return;
    m_lastReported = message;
    qCWarning(lcHistory).noquote() << message;
    emit errorOccurred(kind, message);
}

void HistoryWriter::clearError()
{
    {
        QMutexLocker lock(&m_statusMutex);
        if (m_currentError == HistoryError::None)
            return;
        m_currentError = HistoryError::None;
    }
    m_lastReported.clear();
    qCInfo(lcHistory) << "history database writable again:" << m_path;
    emit recovered();
}

bool HistoryWriter::deleteChunked(const QString& sql, int endpointId, qint64 before, qint64* deleted)
{
    for (;;) {
        if (!m_connection)
            return false;
        QSqlQuery q(m_connection->database());
        if (!q.prepare(sql)) {
            handleWriteError(q.lastError());
            return false;
        }
        q.bindValue(0, endpointId);
        q.bindValue(1, endpointId);
        q.bindValue(2, before);
        q.bindValue(3, kDeleteChunk);
        if (!q.exec()) {
            handleWriteError(q.lastError());
            return false;
        }
        const int n = q.numRowsAffected();
        *deleted += n;
        q.finish();
        // Let samples waiting in the queue in between, so retention never holds them back long.
        if (m_queue->size() > 0)
            flushPending();
        if (n < kDeleteChunk)
            return true;
    }
}

bool HistoryWriter::collectReasonIds(QSet<int>* ids)
{
    QSqlQuery q(m_connection->database());
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT reasons FROM sample_blocks WHERE reasons IS NOT NULL"_s))
        return false;
    while (q.next()) {
        for (int id : SampleBlock::decodeReasonIds(q.value(0).toByteArray()))
            ids->insert(id);
    }
    return !q.lastError().isValid();
}

bool HistoryWriter::trimBlocks(int endpointId, qint64 before, qint64* deleted)
{
    // Whole blocks older than `before` go in chunks (samples waiting are written in between); the one
    // block that straddles `before` is re-encoded without its older samples.
    constexpr int kBlockChunk = 200;
    m_openBlocks.remove(endpointId);
    for (;;) {
        if (!m_connection)
            return false;
        QSqlDatabase& db = m_connection->database();
        QSqlQuery q(db);
        QSqlError error;
        bool more = false;
        bool ok = q.exec(u"BEGIN IMMEDIATE"_s)
            && q.prepare(u"SELECT id, first_ms, last_ms, n, data FROM sample_blocks WHERE endpoint_id = ? AND "
                         "first_ms < ? ORDER BY first_ms LIMIT ?"_s);
        qint64 removed = 0;
        if (ok) {
            q.bindValue(0, endpointId);
            q.bindValue(1, before);
            q.bindValue(2, kBlockChunk);
            ok = q.exec();
        }
        QList<qint64> whole;
        std::optional<std::pair<qint64, QList<StoredSample>>> straddling;
        int rows = 0;
        while (ok && q.next()) {
            ++rows;
            if (q.value(2).toLongLong() < before) {
                whole.append(q.value(0).toLongLong());
                removed += q.value(3).toLongLong();
                continue;
            }
            QList<StoredSample> samples;
            QString problem;
            if (!SampleBlock::decode(
                    q.value(4).toByteArray(), q.value(1).toLongLong(), endpointId, &samples, true, &problem)) {
                error = damagedBlockError(problem, endpointId, q.value(1).toLongLong());
                ok = false;
                break;
            }
            straddling.emplace(q.value(0).toLongLong(), samples);
        }
        if (ok && q.lastError().isValid())
            ok = false;
        more = rows == kBlockChunk;
        q.finish();
        QSqlQuery w(db);
        ok = ok && w.prepare(u"DELETE FROM sample_blocks WHERE id = ?"_s);
        for (qsizetype i = 0; ok && i < whole.size(); ++i) {
            w.bindValue(0, whole.at(i));
            ok = w.exec();
        }
        if (ok && straddling) {
            OpenBlock block;
            block.rowId = straddling->first;
            for (const StoredSample& s : std::as_const(straddling->second)) {
                if (s.startMs >= before)
                    block.encoder.append(s);
                else
                    ++removed;
            }
            block.dirty = true;
            ok = writeBlock(endpointId, block, &error);
        }
        ok = ok && w.exec(u"COMMIT"_s);
        if (!ok) {
            if (!error.isValid())
                error = w.lastError().isValid() ? w.lastError() : q.lastError();
            QSqlQuery(db).exec(u"ROLLBACK"_s);
            m_openBlocks.remove(endpointId);
            handleWriteError(error);
            return false;
        }
        *deleted += removed;
        m_openBlocks.remove(endpointId); // the straddling block changed under the cache
        // Let samples waiting in the queue in between, so retention never holds them back long.
        if (m_queue->size() > 0)
            flushPending();
        if (!more)
            return true;
    }
}

MaintenanceReport HistoryWriter::runMaintenance(qint64 nowMs)
{
    MaintenanceReport report;
    if (!m_connection && !tryOpen()) {
        report.ok = false;
        return report;
    }
    report.rawHorizonMs = nowMs - std::chrono::duration_cast<std::chrono::milliseconds>(m_options.rawRetention).count();
    report.rollupHorizonMs
        = nowMs - std::chrono::duration_cast<std::chrono::milliseconds>(m_options.rollupRetention).count();

    QList<int> endpointIds;
    {
        QSqlQuery q(m_connection->database());
        if (!q.exec(u"SELECT id FROM endpoints"_s)) {
            handleWriteError(q.lastError());
            report.ok = false;
            return report;
        }
        while (q.next())
            endpointIds.append(q.value(0).toInt());
    }
    const QString rollupSql = u"DELETE FROM rollups WHERE endpoint_id = ? AND minute IN (SELECT minute FROM "
                              "rollups WHERE endpoint_id = ? AND minute < ? ORDER BY minute LIMIT ?)"_s;
    const qint64 rollupHorizonMinute = report.rollupHorizonMs / HistorySchema::kMinuteMs;
    for (int id : endpointIds) {
        if (!trimBlocks(id, report.rawHorizonMs, &report.rawDeleted)
            || !deleteChunked(rollupSql, id, rollupHorizonMinute, &report.rollupsDeleted)) {
            report.ok = false;
            emit maintenanceFinished(report);
            return report;
        }
    }

    QSqlQuery q(m_connection->database());
    auto setMeta = [&q](const QString& key, qint64 value) {
        q.prepare(u"INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                  "max(value, excluded.value)"_s);
        q.bindValue(0, key);
        q.bindValue(1, value);
        return q.exec();
    };
    bool ok
        = setMeta(u"raw_horizon_ms"_s, report.rawHorizonMs) && setMeta(u"rollup_horizon_ms"_s, report.rollupHorizonMs);

    // Reasons no sample refers to any more: a full scan, so only now and then.
    qint64 lastGc = 0;
    if (ok && q.exec(u"SELECT value FROM meta WHERE key = 'reasons_gc_ms'"_s) && q.next())
        lastGc = q.value(0).toLongLong();
    if (ok && report.rawDeleted > 0 && nowMs - lastGc >= kReasonGcIntervalMs) {
        QSet<int> used;
        ok = collectReasonIds(&used) && q.exec(u"SELECT id FROM reasons"_s);
        QList<int> unused;
        while (ok && q.next()) {
            if (!used.contains(q.value(0).toInt()))
                unused.append(q.value(0).toInt());
        }
        ok = ok && q.exec(u"BEGIN IMMEDIATE"_s) && q.prepare(u"DELETE FROM reasons WHERE id = ?"_s);
        for (int i = 0; ok && i < unused.size(); ++i) {
            q.bindValue(0, unused.at(i));
            ok = q.exec();
        }
        if (ok) {
            ok = q.exec(u"COMMIT"_s);
        } else {
            const QSqlError e = q.lastError();
            QSqlQuery(m_connection->database()).exec(u"ROLLBACK"_s);
            q = QSqlQuery(m_connection->database());
            handleWriteError(e);
            report.ok = false;
            emit maintenanceFinished(report);
            return report;
        }
        report.reasonsDeleted = unused.size();
        m_reasons.cache.clear();
        ok = ok && q.prepare(u"INSERT OR REPLACE INTO meta (key, value) VALUES ('reasons_gc_ms', ?)"_s);
        q.bindValue(0, nowMs);
        ok = ok && q.exec();
    }
    if (!ok) {
        handleWriteError(q.lastError());
        report.ok = false;
    }
    qCDebug(lcHistory) << "retention: raw" << report.rawDeleted << "rollups" << report.rollupsDeleted << "reasons"
                       << report.reasonsDeleted;
    emit maintenanceFinished(report);
    return report;
}

} // namespace sd
