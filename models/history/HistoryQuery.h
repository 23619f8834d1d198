// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ProbeResult.h"
#include "history/HistoryTypes.h"
#include "history/ProbeAggregate.h"
#include "history/TimeRange.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

class QSqlQuery;

namespace sd {

class HistoryConnection;
class SqlCursor;

/// Synchronous reads of the history database through a read-only (query_only) connection of its own.
/// Qt Sql connections belong to one thread: create, use and destroy a HistoryQuery on the same thread
/// (the GUI runs its queries in a worker, e.g. QtConcurrent::run with an instance created inside). WAL
/// lets it read while the store writes. Times are UTC ms since the epoch and ranges are half-open
/// [fromMs, toMs). Failures return empty results and set lastError().
///
/// Where answers come from: raw samples exist from rawHorizonMs() on (retention deletes older ones);
/// 1-minute rollups cover the whole rollup retention. chart() uses raw samples when a bucket is shorter
/// than a minute and the range is within the raw horizon, rollups otherwise (buckets then are whole
/// minutes, aligned to minutes, so the first and last may reach up to a minute beyond the range).
/// stats() adds up rollups for the whole minutes inside the range and raw samples for the partial
/// minutes at its edges, so counts, min, max and mean are exact wherever raw samples exist; percentiles
/// always come from the LatencyHistogram (≤ 2.2 % relative error).
///
/// Loops over many rows read through SqlCursor, directly with the SQLite C API where that is safe
/// (ReadPath::Fastest), else through QSqlQuery; ReadPath::QtSqlOnly forces the latter.
class HistoryQuery {
public:
    enum class ReadPath { Fastest, QtSqlOnly };

    explicit HistoryQuery(QString databasePath, ReadPath readPath = ReadPath::Fastest);
    ~HistoryQuery();
    HistoryQuery(const HistoryQuery&) = delete;
    HistoryQuery& operator=(const HistoryQuery&) = delete;

    bool isOpen() const;
    /// Opens the connection now (queries open it on first use); false with lastError() when it cannot.
    bool open();
    /// True after an open failed because the database has no schema yet (no file, or a file the writer
    /// has not migrated yet): a state a reader started before the writer should wait out, not report.
    bool awaitingSchema() const { return m_awaitingSchema; }
    /// True when row loops use the SQLite C API (known after the first query).
    bool usesDirectReads() const;
    QString lastError() const { return m_error; }
    QString databasePath() const { return m_path; }

    /// Names of all endpoints with stored history, sorted.
    QStringList endpoints();
    /// Raw samples older than this are gone (0 when retention never deleted any).
    qint64 rawHorizonMs();

    /// At most maxBuckets buckets covering [fromMs, toMs), only the non-empty ones.
    ChartSeries chart(const QString& endpoint, qint64 fromMs, qint64 toMs, int maxBuckets);
    /// Counts, uptime, latency min/max/mean and percentiles over a range.
    ProbeAggregate stats(const QString& endpoint, qint64 fromMs, qint64 toMs);
    /// stats() over the parts of the range outside `excluded` (the uptime of an endpoint whose maintenance
    /// windows are left out of it): the sum of stats() over spansOutside(), so exactly as stats() counts.
    ProbeAggregate statsOutside(const QString& endpoint, qint64 fromMs, qint64 toMs, const TimeSpans& excluded);
    /// The longest outage in the range, nullopt when every probe succeeded. From raw samples within the
    /// raw horizon; before it from rollups, to the minute (a minute without an Ok probe counts as down).
    std::optional<Outage> longestOutage(const QString& endpoint, qint64 fromMs, qint64 toMs);
    /// The most recent `count` samples, oldest first (for charts and signal states after a restart).
    /// endpointId, retryAfter and rateLimitRemaining are not stored and come back as defaults.
    ProbeResults lastSamples(const QString& endpoint, int count);
    QHash<QString, ProbeResults> lastSamplesPerEndpoint(int count);

    /// Raw samples in the range for the endpoints (all when empty).
    qint64 countSamples(const QStringList& endpoints, qint64 fromMs, qint64 toMs);
    /// Streams raw samples in time order (ties by endpoint name), one row in memory per endpoint.
    /// `visit` returns false to stop early; returns false on stop or error.
    bool forEachSample(const QStringList& endpoints, qint64 fromMs, qint64 toMs,
        const std::function<bool(const StoredSample&)>& visit);

    QString endpointName(int endpointId);
    QString urlText(int urlId);
    QString reasonText(int reasonId);
    ProbeResult toProbeResult(const StoredSample& sample);

private:
    bool ensureOpen();
    std::optional<int> endpointId(const QString& name);
    QList<int> endpointIdsFor(const QStringList& names);
    QString lookupText(QHash<int, QString>& cache, const QString& table, const QString& column, int id);
    bool addRaw(ProbeAggregate& agg, int id, qint64 fromMs, qint64 toMs);
    bool addRollups(ProbeAggregate& agg, int id, qint64 fromMinute, qint64 toMinute);
    bool setError(const QSqlQuery& q);

    class SampleStream;
    std::unique_ptr<SampleStream> samples(int endpointId, qint64 fromMs, qint64 toMs, bool withTraceIds);
    std::unique_ptr<SqlCursor> cursor(const QString& sql);

    QString m_path;
    ReadPath m_readPath;
    bool m_direct = false;
    bool m_awaitingSchema = false;
    std::unique_ptr<HistoryConnection> m_connection;
    QString m_error;
    QHash<QString, int> m_endpointIds;
    QHash<int, QString> m_endpointNames;
    QHash<int, QString> m_urls;
    QHash<int, QString> m_reasons;
};

} // namespace sd
