// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/HistoryQuery.h"

#include "history/ChartBucketBuilder.h"
#include "history/HistoryConnection.h"
#include "history/HistorySchema.h"
#include "history/SampleBlock.h"
#include "history/SqlCursor.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <queue>
#include <utility>

using namespace Qt::StringLiterals;

namespace sd {

namespace {

constexpr qint64 kMinute = HistorySchema::kMinuteMs;

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

qint64 ceilDiv(qint64 a, qint64 b)
{
    return -floorDiv(-a, b);
}

// The blocks that may hold samples in [from, to): the one starting at or before `from` (blocks of an
// endpoint never overlap) and every one starting inside the range. Columns: first_ms, last_ms, n, data.
const QString kBlocksInRange = u"SELECT first_ms, last_ms, n, data FROM sample_blocks WHERE endpoint_id = ? AND "
                               "first_ms >= coalesce((SELECT max(first_ms) FROM sample_blocks WHERE endpoint_id = ? "
                               "AND first_ms <= ?), ?) AND first_ms < ? ORDER BY first_ms"_s;

} // namespace

/// Streams the raw samples of one endpoint in [from, to), in time order, one block in memory.
class HistoryQuery::SampleStream {
public:
    SampleStream(std::unique_ptr<SqlCursor> cursor, int endpointId, qint64 fromMs, qint64 toMs, bool withTraceIds)
        : m_cursor(std::move(cursor))
        , m_endpointId(endpointId)
        , m_from(fromMs)
        , m_to(toMs)
        , m_withTraceIds(withTraceIds)
    {
        m_cursor->bind(0, endpointId);
        m_cursor->bind(1, endpointId);
        m_cursor->bind(2, fromMs);
        m_cursor->bind(3, fromMs);
        m_cursor->bind(4, toMs);
        if (!m_cursor->exec())
            m_error = m_cursor->errorText();
    }
    /// False at the end or on error (see error()).
    bool next()
    {
        while (m_error.isEmpty()) {
            while (m_index < m_block.size()) {
                const StoredSample& s = m_block.at(m_index++);
                if (s.startMs >= m_to)
                    return false;
                if (s.startMs >= m_from)
                    return true;
            }
            if (!m_cursor->next()) {
                if (m_cursor->hasError())
                    m_error = m_cursor->errorText();
                return false;
            }
            m_block.clear();
            m_index = 0;
            if (!SampleBlock::decode(
                    m_cursor->blob(3), m_cursor->integer(0), m_endpointId, &m_block, m_withTraceIds, &m_error))
                m_error
                    = u"%1 (endpoint id %2, block at %3 ms)"_s.arg(m_error).arg(m_endpointId).arg(m_cursor->integer(0));
        }
        return false;
    }
    /// Counts without decoding the blocks that lie wholly inside the range.
    qint64 count()
    {
        qint64 n = 0;
        while (m_error.isEmpty() && m_cursor->next()) {
            if (m_cursor->integer(0) >= m_from && m_cursor->integer(1) < m_to) {
                n += m_cursor->integer(2);
                continue;
            }
            m_block.clear();
            if (!SampleBlock::decode(m_cursor->blob(3), m_cursor->integer(0), m_endpointId, &m_block, false, &m_error))
                break;
            for (const StoredSample& s : std::as_const(m_block))
                n += s.startMs >= m_from && s.startMs < m_to ? 1 : 0;
        }
        if (m_error.isEmpty() && m_cursor->hasError())
            m_error = m_cursor->errorText();
        return n;
    }
    const StoredSample& current() const { return m_block.at(m_index - 1); }
    QString error() const { return m_error; }

private:
    std::unique_ptr<SqlCursor> m_cursor;
    int m_endpointId;
    qint64 m_from;
    qint64 m_to;
    bool m_withTraceIds;
    QList<StoredSample> m_block;
    qsizetype m_index = 0;
    QString m_error;
};

HistoryQuery::HistoryQuery(QString databasePath, ReadPath readPath)
    : m_path(std::move(databasePath))
    , m_readPath(readPath)
{
}

HistoryQuery::~HistoryQuery() = default;

bool HistoryQuery::isOpen() const
{
    return m_connection != nullptr;
}

bool HistoryQuery::usesDirectReads() const
{
    return m_direct;
}

bool HistoryQuery::open()
{
    return ensureOpen();
}

bool HistoryQuery::ensureOpen()
{
    if (m_connection)
        return true;
    m_awaitingSchema = false;
    HistoryConnection::Settings settings;
    settings.mode = HistoryConnection::Mode::Reader;
    auto connection = std::make_unique<HistoryConnection>(m_path, settings);
    if (!connection->open()) {
        m_awaitingSchema = !QFileInfo::exists(m_path);
        m_error = connection->errorText();
        return false;
    }
    const auto version = HistorySchema::storedVersion(connection->database());
    if (version == 0) {
        m_awaitingSchema = true;
        m_error = u"%1 has no history schema yet (the writer has not created it)"_s.arg(m_path);
        return false;
    }
    if (version && *version > 0 && *version < HistorySchema::kCurrentVersion) {
        // An older file the writer migrates when it opens it: wait for it like for a fresh file.
        m_awaitingSchema = true;
        m_error = u"%1 has history schema version %2, the writer has not migrated it to %3 yet"_s.arg(m_path)
                      .arg(*version)
                      .arg(HistorySchema::kCurrentVersion);
        return false;
    }
    if (!version || *version != HistorySchema::kCurrentVersion) {
        m_error = version
            ? u"%1 has history schema version %2, this SignalDeck reads version %3"_s.arg(m_path).arg(*version).arg(
                HistorySchema::kCurrentVersion)
            : u"cannot read the schema of %1"_s.arg(m_path);
        return false;
    }
    m_connection = std::move(connection);
    m_error.clear(); // a failed open before (no schema yet, say) is history now
    m_direct = m_readPath == ReadPath::Fastest && SqlCursor::directAvailable(m_connection->database());
    return true;
}

std::unique_ptr<HistoryQuery::SampleStream> HistoryQuery::samples(int id, qint64 fromMs, qint64 toMs, bool withTraceIds)
{
    return std::make_unique<SampleStream>(cursor(kBlocksInRange), id, fromMs, toMs, withTraceIds);
}

std::unique_ptr<SqlCursor> HistoryQuery::cursor(const QString& sql)
{
    return std::make_unique<SqlCursor>(
        m_connection->database(), sql, m_direct ? SqlCursor::Backend::Direct : SqlCursor::Backend::QtSql);
}

bool HistoryQuery::setError(const QSqlQuery& q)
{
    m_error = q.lastError().text();
    return false;
}

std::optional<int> HistoryQuery::endpointId(const QString& name)
{
    if (!m_endpointIds.contains(name))
        endpoints();
    const auto it = m_endpointIds.constFind(name);
    return it == m_endpointIds.constEnd() ? std::nullopt : std::optional<int>(*it);
}

QList<int> HistoryQuery::endpointIdsFor(const QStringList& names)
{
    QStringList wanted = names.isEmpty() ? endpoints() : names;
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    QList<int> ids;
    for (const QString& name : std::as_const(wanted)) {
        if (const auto id = endpointId(name))
            ids.append(*id);
    }
    return ids;
}

QStringList HistoryQuery::endpoints()
{
    if (!ensureOpen())
        return {};
    QSqlQuery q(m_connection->database());
    if (!q.exec(u"SELECT id, name FROM endpoints ORDER BY name"_s)) {
        setError(q);
        return {};
    }
    QStringList names;
    while (q.next()) {
        const int id = q.value(0).toInt();
        const QString name = q.value(1).toString();
        m_endpointIds.insert(name, id);
        m_endpointNames.insert(id, name);
        names.append(name);
    }
    return names;
}

qint64 HistoryQuery::rawHorizonMs()
{
    if (!ensureOpen())
        return 0;
    QSqlQuery q(m_connection->database());
    if (q.exec(u"SELECT value FROM meta WHERE key = 'raw_horizon_ms'"_s) && q.next())
        return q.value(0).toLongLong();
    return 0;
}

ChartSeries HistoryQuery::chart(const QString& endpoint, qint64 fromMs, qint64 toMs, int maxBuckets)
{
    ChartSeries series;
    if (toMs <= fromMs || maxBuckets < 1 || !ensureOpen())
        return series;
    const auto id = endpointId(endpoint);
    if (!id)
        return series;
    // Rows come in key order, so buckets are built in one pass without a sort.
    ChartBucketBuilder b;
    qint64 current = -1;
    const qint64 width = std::max<qint64>(ceilDiv(toMs - fromMs, maxBuckets), 1);
    if (width < kMinute && fromMs >= rawHorizonMs()) {
        series.bucketMs = width;
        auto c = samples(*id, fromMs, toMs, false);
        while (c->next()) {
            const StoredSample& sample = c->current();
            const qint64 index = (sample.startMs - fromMs) / width;
            if (index != current) {
                b.finishInto(series.buckets);
                b.start(fromMs + index * width, std::min(fromMs + (index + 1) * width, toMs));
                current = index;
            }
            b.addProbe(sample.outcome == Outcome::Ok, sample.signal, sample.httpStatus, sample.latencyUs);
        }
        if (!c->error().isEmpty()) {
            m_error = c->error();
            return series;
        }
    } else {
        const qint64 firstMinute = floorDiv(fromMs, kMinute);
        const qint64 endMinute = ceilDiv(toMs, kMinute);
        const qint64 minutes = std::max<qint64>(ceilDiv(endMinute - firstMinute, maxBuckets), 1);
        series.fromRollups = true;
        series.bucketMs = minutes * kMinute;
        auto c
            = cursor(u"SELECT minute, probes, ok, s1, s2, s3, s4, lat_n, lat_min_us, lat_max_us, lat_sum_us, "
                     "coalesce(p95_us, -1), hist FROM rollups WHERE endpoint_id = ? AND minute >= ? AND minute < ?"_s);
        c->bind(0, *id);
        c->bind(1, firstMinute);
        c->bind(2, endMinute);
        if (!c->exec()) {
            m_error = c->errorText();
            return series;
        }
        while (c->next()) {
            const qint64 index = (c->integer(0) - firstMinute) / minutes;
            if (index != current) {
                b.finishInto(series.buckets);
                const qint64 start = (firstMinute + index * minutes) * kMinute;
                b.start(start, start + series.bucketMs);
                current = index;
            }
            std::array<qint64, kSignalCount> perSignal {};
            for (int i = 0; i < kSignalCount; ++i)
                perSignal[static_cast<size_t>(i)] = c->integer(3 + i);
            const qint64 storedP95 = c->integer(11);
            b.addRollup(c->integer(1), c->integer(2), perSignal, c->integer(7), c->integer(8), c->integer(9),
                c->integer(10), c->isNull(12) ? QByteArrayView() : c->blob(12), storedP95);
        }
        if (c->hasError())
            m_error = c->errorText();
    }
    b.finishInto(series.buckets);
    return series;
}

bool HistoryQuery::addRaw(ProbeAggregate& agg, int id, qint64 fromMs, qint64 toMs)
{
    if (toMs <= fromMs)
        return true;
    auto c = samples(id, fromMs, toMs, false);
    while (c->next())
        agg.add(c->current().outcome, c->current().signal, c->current().httpStatus, c->current().latencyUs);
    if (!c->error().isEmpty()) {
        m_error = c->error();
        return false;
    }
    return true;
}

bool HistoryQuery::addRollups(ProbeAggregate& agg, int id, qint64 fromMinute, qint64 toMinute)
{
    if (toMinute <= fromMinute)
        return true;
    QSqlQuery q(m_connection->database());
    q.setForwardOnly(true);
    q.prepare(u"SELECT count(*), sum(probes), sum(ok), sum(timeout), sum(connection), sum(auth), sum(input), "
              "sum(throttled), sum(server_error), sum(assertion_failed), sum(s1), sum(s2), sum(s3), sum(s4), "
              "sum(lat_n), min(lat_min_us), max(lat_max_us), sum(lat_sum_us) "
              "FROM rollups WHERE endpoint_id = ? AND minute >= ? AND minute < ?"_s);
    q.addBindValue(id);
    q.addBindValue(fromMinute);
    q.addBindValue(toMinute);
    if (!q.exec() || !q.next())
        return setError(q);
    if (q.value(0).toLongLong() == 0)
        return true;
    std::array<qint64, HistorySchema::kOutcomeCount> outcomes {};
    for (int i = 0; i < HistorySchema::kOutcomeCount; ++i)
        outcomes[static_cast<size_t>(i)] = q.value(2 + i).toLongLong();
    std::array<qint64, kSignalCount> perSignal {};
    for (int i = 0; i < kSignalCount; ++i)
        perSignal[static_cast<size_t>(i)] = q.value(10 + i).toLongLong();
    agg.addCounts(q.value(1).toLongLong(), outcomes, perSignal, q.value(14).toLongLong(), q.value(15).toLongLong(),
        q.value(16).toLongLong(), q.value(17).toLongLong());

    auto c = cursor(u"SELECT hist FROM rollups WHERE endpoint_id = ? AND minute >= ? AND minute < ? AND lat_n > 0"_s);
    c->bind(0, id);
    c->bind(1, fromMinute);
    c->bind(2, toMinute);
    if (!c->exec()) {
        m_error = c->errorText();
        return false;
    }
    while (c->next()) {
        if (!agg.histogram().mergeEncoded(c->blob(0))) {
            m_error = u"a rollup histogram in %1 is damaged"_s.arg(m_path);
            return false;
        }
    }
    if (c->hasError()) {
        m_error = c->errorText();
        return false;
    }
    return true;
}

ProbeAggregate HistoryQuery::stats(const QString& endpoint, qint64 fromMs, qint64 toMs)
{
    ProbeAggregate agg;
    if (toMs <= fromMs || !ensureOpen())
        return agg;
    const auto id = endpointId(endpoint);
    if (!id)
        return agg;
    const qint64 horizon = rawHorizonMs();
    const qint64 innerFrom = ceilDiv(fromMs, kMinute);
    const qint64 innerTo = floorDiv(toMs, kMinute);
    if (innerFrom >= innerTo) {
        // Less than a whole minute inside the range.
        if (fromMs >= horizon)
            addRaw(agg, *id, fromMs, toMs);
        else
            addRollups(agg, *id, floorDiv(fromMs, kMinute), ceilDiv(toMs, kMinute));
        return agg;
    }
    bool ok = true;
    if (fromMs < innerFrom * kMinute) {
        ok = fromMs >= horizon ? addRaw(agg, *id, fromMs, innerFrom * kMinute)
                               : addRollups(agg, *id, innerFrom - 1, innerFrom);
    }
    ok = ok && addRollups(agg, *id, innerFrom, innerTo);
    if (ok && innerTo * kMinute < toMs) {
        if (innerTo * kMinute >= horizon)
            addRaw(agg, *id, innerTo * kMinute, toMs);
        else
            addRollups(agg, *id, innerTo, innerTo + 1);
    }
    return agg;
}

ProbeAggregate HistoryQuery::statsOutside(
    const QString& endpoint, qint64 fromMs, qint64 toMs, const TimeSpans& excluded)
{
    ProbeAggregate agg;
    for (const auto& [from, to] : spansOutside(fromMs, toMs, excluded))
        agg.merge(stats(endpoint, from, to));
    return agg;
}

std::optional<Outage> HistoryQuery::longestOutage(const QString& endpoint, qint64 fromMs, qint64 toMs)
{
    if (toMs <= fromMs || !ensureOpen())
        return std::nullopt;
    const auto id = endpointId(endpoint);
    if (!id)
        return std::nullopt;
    std::optional<Outage> longest;
    qint64 runStart = -1;
    qint64 lastFailureEnd = 0;
    auto offer = [&longest](const Outage& o) {
        if (!longest || o.durationMs > longest->durationMs)
            longest = o;
    };
    // ok: the probe (or minute) succeeded; length: how long a failed one lasted.
    auto step = [&](qint64 t, bool ok, qint64 length) {
        if (!ok) {
            if (runStart < 0)
                runStart = t;
            lastFailureEnd = t + length;
        } else if (runStart >= 0) {
            offer({ runStart, t - runStart, false });
            runStart = -1;
        }
    };
    if (fromMs >= rawHorizonMs()) {
        auto c = samples(*id, fromMs, toMs, false);
        while (c->next())
            step(c->current().startMs, c->current().outcome == Outcome::Ok, c->current().latencyUs / 1000);
        if (!c->error().isEmpty())
            m_error = c->error();
    } else {
        auto c = cursor(u"SELECT minute * 60000, ok > 0, 60000 FROM rollups "
                        "WHERE endpoint_id = ? AND minute >= ? AND minute < ?"_s);
        c->bind(0, *id);
        c->bind(1, floorDiv(fromMs, kMinute));
        c->bind(2, ceilDiv(toMs, kMinute));
        if (!c->exec()) {
            m_error = c->errorText();
            return std::nullopt;
        }
        while (c->next())
            step(c->integer(0), c->integer(1) != 0, c->integer(2));
        if (c->hasError())
            m_error = c->errorText();
    }
    if (runStart >= 0)
        offer({ runStart, std::max<qint64>(lastFailureEnd - runStart, 0), true });
    return longest;
}

ProbeResults HistoryQuery::lastSamples(const QString& endpoint, int count)
{
    ProbeResults out;
    if (count <= 0 || !ensureOpen())
        return out;
    const auto id = endpointId(endpoint);
    if (!id)
        return out;
    // Newest blocks first, each decoded and read from its end.
    auto c = cursor(u"SELECT first_ms, data FROM sample_blocks WHERE endpoint_id = ? ORDER BY first_ms DESC"_s);
    c->bind(0, *id);
    if (!c->exec()) {
        m_error = c->errorText();
        return out;
    }
    QList<StoredSample> block;
    while (out.size() < count && c->next()) {
        block.clear();
        QString problem;
        if (!SampleBlock::decode(c->blob(1), c->integer(0), *id, &block, true, &problem)) {
            m_error = problem;
            break;
        }
        for (qsizetype i = block.size() - 1; i >= 0 && out.size() < count; --i)
            out.append(toProbeResult(block.at(i)));
    }
    if (c->hasError())
        m_error = c->errorText();
    std::reverse(out.begin(), out.end());
    return out;
}

QHash<QString, ProbeResults> HistoryQuery::lastSamplesPerEndpoint(int count)
{
    QHash<QString, ProbeResults> out;
    for (const QString& name : endpoints())
        out.insert(name, lastSamples(name, count));
    return out;
}

qint64 HistoryQuery::countSamples(const QStringList& endpoints, qint64 fromMs, qint64 toMs)
{
    if (toMs <= fromMs || !ensureOpen())
        return 0;
    qint64 total = 0;
    for (int id : endpointIdsFor(endpoints)) {
        auto c = samples(id, fromMs, toMs, false);
        total += c->count();
        if (!c->error().isEmpty()) {
            m_error = c->error();
            return total;
        }
    }
    return total;
}

bool HistoryQuery::forEachSample(
    const QStringList& endpoints, qint64 fromMs, qint64 toMs, const std::function<bool(const StoredSample&)>& visit)
{
    if (!ensureOpen())
        return false;
    if (toMs <= fromMs)
        return true;
    // One cursor per endpoint, each already in time order on the clustered key; a heap merges them.
    struct Source {
        std::unique_ptr<SampleStream> stream;
        int rank = 0;
    };
    std::vector<Source> sources;
    const QList<int> ids = endpointIdsFor(endpoints);
    for (int rank = 0; rank < ids.size(); ++rank) {
        Source s { samples(ids.at(rank), fromMs, toMs, true), rank };
        if (s.stream->next()) {
            sources.push_back(std::move(s));
        } else if (!s.stream->error().isEmpty()) {
            m_error = s.stream->error();
            return false;
        }
    }
    if (sources.size() == 1) {
        // The common case needs no merge.
        SampleStream& s = *sources.front().stream;
        do {
            if (!visit(s.current()))
                return false;
        } while (s.next());
        if (!s.error().isEmpty()) {
            m_error = s.error();
            return false;
        }
        return true;
    }
    auto later = [&sources](size_t a, size_t b) {
        const Source& x = sources[a];
        const Source& y = sources[b];
        const qint64 tx = x.stream->current().startMs;
        const qint64 ty = y.stream->current().startMs;
        return tx != ty ? tx > ty : x.rank > y.rank;
    };
    std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
    for (size_t i = 0; i < sources.size(); ++i)
        heap.push(i);
    while (!heap.empty()) {
        const size_t i = heap.top();
        heap.pop();
        Source& s = sources[i];
        if (!visit(s.stream->current()))
            return false;
        if (s.stream->next()) {
            heap.push(i);
        } else if (!s.stream->error().isEmpty()) {
            m_error = s.stream->error();
            return false;
        }
    }
    return true;
}

QString HistoryQuery::lookupText(QHash<int, QString>& cache, const QString& table, const QString& column, int id)
{
    if (id <= 0)
        return {};
    if (const auto it = cache.constFind(id); it != cache.constEnd())
        return *it;
    if (!ensureOpen())
        return {};
    QSqlQuery q(m_connection->database());
    q.prepare(u"SELECT %1 FROM %2 WHERE id = ?"_s.arg(column, table));
    q.addBindValue(id);
    QString text;
    if (q.exec() && q.next())
        text = q.value(0).toString();
    cache.insert(id, text);
    return text;
}

QString HistoryQuery::endpointName(int endpointId)
{
    if (!m_endpointNames.contains(endpointId))
        endpoints();
    return m_endpointNames.value(endpointId);
}

QString HistoryQuery::urlText(int urlId)
{
    return lookupText(m_urls, u"urls"_s, u"url"_s, urlId);
}

QString HistoryQuery::reasonText(int reasonId)
{
    return lookupText(m_reasons, u"reasons"_s, u"text"_s, reasonId);
}

ProbeResult HistoryQuery::toProbeResult(const StoredSample& s)
{
    ProbeResult r;
    r.endpoint = endpointName(s.endpointId);
    r.url = urlText(s.urlId);
    r.startUtc = QDateTime::fromMSecsSinceEpoch(s.startMs, Qt::UTC);
    r.latencyUs = s.latencyUs;
    r.phases = s.phases;
    r.connectionReused = s.connectionReused;
    r.httpStatus = s.httpStatus;
    r.bytesRead = s.bytesRead;
    r.bodyTruncated = s.bodyTruncated;
    r.outcome = s.outcome;
    r.signal = s.signal;
    r.reason = reasonText(s.reasonId);
    r.attempts = s.attempts;
    r.traceId = s.traceId;
    return r;
}

} // namespace sd
