// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/HistoryQuery.h"

#include "history/ChartBucketBuilder.h"
#include "history/HistoryConnection.h"
#include "history/HistorySchema.h"
#include "history/SqlCursor.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <queue>

using namespace Qt::StringLiterals;

namespace sd {

namespace {

constexpr qint64 kMinute = HistorySchema::kMinuteMs;

// NULLs become -1/0 inside SQLite: one C API call per cell instead of two.
const QString kSampleColumns = u"endpoint_id, t_ms, url_id, latency_us, http_status, outcome, signal, attempts, "
                               "flags, bytes_read, coalesce(reason_id, 0), coalesce(queue_us, -1), "
                               "coalesce(connect_us, -1), coalesce(sent_us, -1), coalesce(ttfb_us, -1), "
                               "coalesce(download_us, -1), trace_id"_s;

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

qint64 ceilDiv(qint64 a, qint64 b)
{
    return -floorDiv(-a, b);
}

Outcome outcomeOf(qint64 stored)
{
    return HistorySchema::outcomeFromStored(stored).value_or(Outcome::Ok);
}

FailureSignal signalOf(qint64 stored)
{
    return HistorySchema::signalFromStored(stored).value_or(FailureSignal::None);
}

void readSample(SqlCursor& c, StoredSample& s)
{
    s.endpointId = static_cast<int>(c.integer(0));
    s.startMs = c.integer(1);
    s.urlId = static_cast<int>(c.integer(2));
    s.latencyUs = c.integer(3);
    s.httpStatus = static_cast<int>(c.integer(4));
    s.outcome = outcomeOf(c.integer(5));
    s.signal = signalOf(c.integer(6));
    s.attempts = static_cast<int>(c.integer(7));
    const qint64 flags = c.integer(8);
    s.connectionReused = flags & HistorySchema::kFlagConnectionReused;
    s.bodyTruncated = flags & HistorySchema::kFlagBodyTruncated;
    s.bytesRead = c.integer(9);
    s.reasonId = static_cast<int>(c.integer(10));
    s.phases.queueUs = c.integer(11);
    s.phases.connectUs = c.integer(12);
    s.phases.sentUs = c.integer(13);
    s.phases.ttfbUs = c.integer(14);
    s.phases.downloadUs = c.integer(15);
    const bool binary = c.isBlob(16);
    const QByteArrayView raw = c.blob(16);
    if (raw.isEmpty()) {
        s.traceId.clear();
    } else if (binary) {
        s.traceId.resize(raw.size() * 2);
        static constexpr char kHex[] = "0123456789abcdef";
        for (qsizetype i = 0; i < raw.size(); ++i) {
            const auto byte = static_cast<quint8>(raw[i]);
            s.traceId[2 * i] = kHex[byte >> 4];
            s.traceId[2 * i + 1] = kHex[byte & 0xf];
        }
    } else {
        s.traceId = raw.toByteArray();
    }
}

} // namespace

HistoryQuery::HistoryQuery(const QString& databasePath, ReadPath readPath)
    : m_path(databasePath)
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
        auto c = cursor(u"SELECT t_ms, outcome, signal, http_status, latency_us FROM samples "
                        "WHERE endpoint_id = ? AND t_ms >= ? AND t_ms < ?"_s);
        c->bind(0, *id);
        c->bind(1, fromMs);
        c->bind(2, toMs);
        if (!c->exec()) {
            m_error = c->errorText();
            return series;
        }
        while (c->next()) {
            const qint64 index = (c->integer(0) - fromMs) / width;
            if (index != current) {
                b.finishInto(series.buckets);
                b.start(fromMs + index * width, std::min(fromMs + (index + 1) * width, toMs));
                current = index;
            }
            b.addProbe(c->integer(1) == 0, signalOf(c->integer(2)), static_cast<int>(c->integer(3)), c->integer(4));
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
    auto c = cursor(u"SELECT outcome, signal, http_status, latency_us FROM samples "
                    "WHERE endpoint_id = ? AND t_ms >= ? AND t_ms < ?"_s);
    c->bind(0, id);
    c->bind(1, fromMs);
    c->bind(2, toMs);
    if (!c->exec()) {
        m_error = c->errorText();
        return false;
    }
    while (c->next())
        agg.add(outcomeOf(c->integer(0)), signalOf(c->integer(1)), static_cast<int>(c->integer(2)), c->integer(3));
    if (c->hasError()) {
        m_error = c->errorText();
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

std::optional<Outage> HistoryQuery::longestOutage(const QString& endpoint, qint64 fromMs, qint64 toMs)
{
    if (toMs <= fromMs || !ensureOpen())
        return std::nullopt;
    const auto id = endpointId(endpoint);
    if (!id)
        return std::nullopt;
    std::unique_ptr<SqlCursor> c;
    if (fromMs >= rawHorizonMs()) {
        c = cursor(u"SELECT t_ms, outcome = 0, latency_us / 1000 FROM samples "
                   "WHERE endpoint_id = ? AND t_ms >= ? AND t_ms < ?"_s);
        c->bind(0, *id);
        c->bind(1, fromMs);
        c->bind(2, toMs);
    } else {
        c = cursor(u"SELECT minute * 60000, ok > 0, 60000 FROM rollups "
                   "WHERE endpoint_id = ? AND minute >= ? AND minute < ?"_s);
        c->bind(0, *id);
        c->bind(1, floorDiv(fromMs, kMinute));
        c->bind(2, ceilDiv(toMs, kMinute));
    }
    if (!c->exec()) {
        m_error = c->errorText();
        return std::nullopt;
    }
    std::optional<Outage> longest;
    qint64 runStart = -1;
    qint64 lastFailureEnd = 0;
    auto offer = [&longest](const Outage& o) {
        if (!longest || o.durationMs > longest->durationMs)
            longest = o;
    };
    while (c->next()) {
        const qint64 t = c->integer(0);
        if (c->integer(1) == 0) {
            if (runStart < 0)
                runStart = t;
            lastFailureEnd = t + c->integer(2);
        } else if (runStart >= 0) {
            offer({ runStart, t - runStart, false });
            runStart = -1;
        }
    }
    if (runStart >= 0)
        offer({ runStart, std::max<qint64>(lastFailureEnd - runStart, 0), true });
    if (c->hasError())
        m_error = c->errorText();
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
    auto c = cursor(u"SELECT %1 FROM samples WHERE endpoint_id = ? ORDER BY t_ms DESC LIMIT ?"_s.arg(kSampleColumns));
    c->bind(0, *id);
    c->bind(1, count);
    if (!c->exec()) {
        m_error = c->errorText();
        return out;
    }
    StoredSample s;
    while (c->next()) {
        readSample(*c, s);
        out.append(toProbeResult(s));
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
    QSqlQuery q(m_connection->database());
    q.prepare(u"SELECT count(*) FROM samples WHERE endpoint_id = ? AND t_ms >= ? AND t_ms < ?"_s);
    for (int id : endpointIdsFor(endpoints)) {
        q.bindValue(0, id);
        q.bindValue(1, fromMs);
        q.bindValue(2, toMs);
        if (!q.exec() || !q.next()) {
            setError(q);
            return total;
        }
        total += q.value(0).toLongLong();
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
        std::unique_ptr<SqlCursor> cursor;
        StoredSample current;
        int rank = 0;
    };
    std::vector<Source> sources;
    const QList<int> ids = endpointIdsFor(endpoints);
    const QString sql = u"SELECT %1 FROM samples WHERE endpoint_id = ? AND t_ms >= ? AND t_ms < ? ORDER BY t_ms"_s.arg(
        kSampleColumns);
    for (int rank = 0; rank < ids.size(); ++rank) {
        Source s;
        s.rank = rank;
        s.cursor = cursor(sql);
        s.cursor->bind(0, ids.at(rank));
        s.cursor->bind(1, fromMs);
        s.cursor->bind(2, toMs);
        if (!s.cursor->exec()) {
            m_error = s.cursor->errorText();
            return false;
        }
        if (s.cursor->next()) {
            readSample(*s.cursor, s.current);
            sources.push_back(std::move(s));
        } else if (s.cursor->hasError()) {
            m_error = s.cursor->errorText();
            return false;
        }
    }
    if (sources.size() == 1) {
        // The common case needs no merge.
        Source& s = sources.front();
        do {
            if (!visit(s.current))
                return false;
            if (!s.cursor->next())
                break;
            readSample(*s.cursor, s.current);
        } while (true);
        if (s.cursor->hasError()) {
            m_error = s.cursor->errorText();
            return false;
        }
        return true;
    }
    auto later = [&sources](size_t a, size_t b) {
        const Source& x = sources[a];
        const Source& y = sources[b];
        return x.current.startMs != y.current.startMs ? x.current.startMs > y.current.startMs : x.rank > y.rank;
    };
    std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
    for (size_t i = 0; i < sources.size(); ++i)
        heap.push(i);
    while (!heap.empty()) {
        const size_t i = heap.top();
        heap.pop();
        Source& s = sources[i];
        if (!visit(s.current))
            return false;
        if (s.cursor->next()) {
            readSample(*s.cursor, s.current);
            heap.push(i);
        } else if (s.cursor->hasError()) {
            m_error = s.cursor->errorText();
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
