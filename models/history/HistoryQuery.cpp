// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/HistoryQuery.h"

#include "history/HistoryConnection.h"
#include "history/HistorySchema.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <queue>

using namespace Qt::StringLiterals;

namespace sd {

namespace {

constexpr qint64 kMinute = HistorySchema::kMinuteMs;

const QString kSampleColumns = u"endpoint_id, t_ms, url_id, latency_us, http_status, outcome, signal, attempts, "
                               "flags, bytes_read, reason_id, queue_us, connect_us, sent_us, ttfb_us, "
                               "download_us, trace_id"_s;

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

qint64 ceilDiv(qint64 a, qint64 b)
{
    return -floorDiv(-a, b);
}

qint64 phase(const QVariant& v)
{
    return v.isNull() ? -1 : v.toLongLong();
}

StoredSample readSample(const QSqlQuery& q)
{
    StoredSample s;
    s.endpointId = q.value(0).toInt();
    s.startMs = q.value(1).toLongLong();
    s.urlId = q.value(2).toInt();
    s.latencyUs = q.value(3).toLongLong();
    s.httpStatus = q.value(4).toInt();
    s.outcome = HistorySchema::outcomeFromStored(q.value(5).toLongLong()).value_or(Outcome::Ok);
    s.signal = HistorySchema::signalFromStored(q.value(6).toLongLong()).value_or(FailureSignal::None);
    s.attempts = q.value(7).toInt();
    const int flags = q.value(8).toInt();
    s.connectionReused = flags & HistorySchema::kFlagConnectionReused;
    s.bodyTruncated = flags & HistorySchema::kFlagBodyTruncated;
    s.bytesRead = q.value(9).toLongLong();
    s.reasonId = q.value(10).toInt();
    s.phases.queueUs = phase(q.value(11));
    s.phases.connectUs = phase(q.value(12));
    s.phases.sentUs = phase(q.value(13));
    s.phases.ttfbUs = phase(q.value(14));
    s.phases.downloadUs = phase(q.value(15));
    const QVariant trace = q.value(16);
    if (trace.typeId() == QMetaType::QByteArray)
        s.traceId = trace.toByteArray().toHex();
    else if (!trace.isNull())
        s.traceId = trace.toString().toLatin1();
    return s;
}

} // namespace

HistoryQuery::HistoryQuery(const QString& databasePath)
    : m_path(databasePath)
{
}

HistoryQuery::~HistoryQuery() = default;

bool HistoryQuery::isOpen() const
{
    return m_connection != nullptr;
}

bool HistoryQuery::ensureOpen()
{
    if (m_connection)
        return true;
    HistoryConnection::Settings settings;
    settings.mode = HistoryConnection::Mode::Reader;
    auto connection = std::make_unique<HistoryConnection>(m_path, settings);
    if (!connection->open()) {
        m_error = connection->errorText();
        return false;
    }
    const auto version = HistorySchema::storedVersion(connection->database());
    if (!version || *version != HistorySchema::kCurrentVersion) {
        m_error = version
            ? u"%1 has history schema version %2, this SignalDeck reads version %3"_s.arg(m_path).arg(*version).arg(
                HistorySchema::kCurrentVersion)
            : u"cannot read the schema of %1"_s.arg(m_path);
        return false;
    }
    m_connection = std::move(connection);
    return true;
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
    const qint64 width = std::max<qint64>(ceilDiv(toMs - fromMs, maxBuckets), 1);
    QSqlQuery q(m_connection->database());
    q.setForwardOnly(true);
    qint64 origin = 0;
    if (width < kMinute && fromMs >= rawHorizonMs()) {
        series.bucketMs = width;
        origin = fromMs;
        q.prepare(u"SELECT (t_ms - ?) / ? AS b, count(*), sum(outcome != 0), sum(signal = 1), sum(signal = 2), "
                  "sum(signal = 3), sum(signal = 4), sum(http_status > 0), "
                  "min(CASE WHEN http_status > 0 THEN latency_us END), "
                  "max(CASE WHEN http_status > 0 THEN latency_us END), "
                  "sum(CASE WHEN http_status > 0 THEN latency_us ELSE 0 END) "
                  "FROM samples WHERE endpoint_id = ? AND t_ms >= ? AND t_ms < ? GROUP BY b ORDER BY b"_s);
        q.addBindValue(fromMs);
        q.addBindValue(width);
        q.addBindValue(*id);
        q.addBindValue(fromMs);
        q.addBindValue(toMs);
    } else {
        const qint64 firstMinute = floorDiv(fromMs, kMinute);
        const qint64 endMinute = ceilDiv(toMs, kMinute);
        const qint64 minutes = std::max<qint64>(ceilDiv(endMinute - firstMinute, maxBuckets), 1);
        series.fromRollups = true;
        series.bucketMs = minutes * kMinute;
        origin = firstMinute * kMinute;
        q.prepare(u"SELECT (minute - ?) / ? AS b, sum(probes), sum(probes - ok), sum(s1), sum(s2), sum(s3), "
                  "sum(s4), sum(lat_n), min(lat_min_us), max(lat_max_us), sum(lat_sum_us) "
                  "FROM rollups WHERE endpoint_id = ? AND minute >= ? AND minute < ? GROUP BY b ORDER BY b"_s);
        q.addBindValue(firstMinute);
        q.addBindValue(minutes);
        q.addBindValue(*id);
        q.addBindValue(firstMinute);
        q.addBindValue(endMinute);
    }
    if (!q.exec()) {
        setError(q);
        return series;
    }
    while (q.next()) {
        ChartBucket b;
        b.startMs = origin + q.value(0).toLongLong() * series.bucketMs;
        b.endMs = series.fromRollups ? b.startMs + series.bucketMs : std::min(b.startMs + series.bucketMs, toMs);
        b.probes = q.value(1).toLongLong();
        b.errors = q.value(2).toLongLong();
        for (int i = 0; i < kSignalCount; ++i)
            b.signalCounts[static_cast<size_t>(i)] = q.value(3 + i).toLongLong();
        b.latencyCount = q.value(7).toLongLong();
        if (b.latencyCount > 0) {
            b.minLatencyMs = q.value(8).toDouble() / 1000.0;
            b.maxLatencyMs = q.value(9).toDouble() / 1000.0;
            b.meanLatencyMs = q.value(10).toDouble() / 1000.0 / static_cast<double>(b.latencyCount);
        }
        series.buckets.append(b);
    }
    return series;
}

bool HistoryQuery::addRaw(ProbeAggregate& agg, int id, qint64 fromMs, qint64 toMs)
{
    if (toMs <= fromMs)
        return true;
    QSqlQuery q(m_connection->database());
    q.setForwardOnly(true);
    q.prepare(u"SELECT outcome, signal, http_status, latency_us FROM samples "
              "WHERE endpoint_id = ? AND t_ms >= ? AND t_ms < ?"_s);
    q.addBindValue(id);
    q.addBindValue(fromMs);
    q.addBindValue(toMs);
    if (!q.exec())
        return setError(q);
    while (q.next()) {
        agg.add(HistorySchema::outcomeFromStored(q.value(0).toLongLong()).value_or(Outcome::Ok),
            HistorySchema::signalFromStored(q.value(1).toLongLong()).value_or(FailureSignal::None), q.value(2).toInt(),
            q.value(3).toLongLong());
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

    q.prepare(u"SELECT hist FROM rollups WHERE endpoint_id = ? AND minute >= ? AND minute < ? AND lat_n > 0"_s);
    q.addBindValue(id);
    q.addBindValue(fromMinute);
    q.addBindValue(toMinute);
    if (!q.exec())
        return setError(q);
    while (q.next()) {
        if (!agg.histogram().mergeEncoded(q.value(0).toByteArray())) {
            m_error = u"a rollup histogram in %1 is damaged"_s.arg(m_path);
            return false;
        }
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
    const bool fromRaw = fromMs >= rawHorizonMs();
    QSqlQuery q(m_connection->database());
    q.setForwardOnly(true);
    if (fromRaw) {
        q.prepare(u"SELECT t_ms, outcome = 0, latency_us / 1000 FROM samples "
                  "WHERE endpoint_id = ? AND t_ms >= ? AND t_ms < ? ORDER BY t_ms"_s);
        q.addBindValue(*id);
        q.addBindValue(fromMs);
        q.addBindValue(toMs);
    } else {
        q.prepare(u"SELECT minute * 60000, ok > 0, 60000 FROM rollups "
                  "WHERE endpoint_id = ? AND minute >= ? AND minute < ? ORDER BY minute"_s);
        q.addBindValue(*id);
        q.addBindValue(floorDiv(fromMs, kMinute));
        q.addBindValue(ceilDiv(toMs, kMinute));
    }
    if (!q.exec()) {
        setError(q);
        return std::nullopt;
    }
    std::optional<Outage> longest;
    qint64 runStart = -1;
    qint64 lastFailureEnd = 0;
    auto offer = [&longest](const Outage& o) {
        if (!longest || o.durationMs > longest->durationMs)
            longest = o;
    };
    while (q.next()) {
        const qint64 t = q.value(0).toLongLong();
        if (!q.value(1).toBool()) {
            if (runStart < 0)
                runStart = t;
            lastFailureEnd = t + q.value(2).toLongLong();
        } else if (runStart >= 0) {
            offer({ runStart, t - runStart, false });
            runStart = -1;
        }
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
    QSqlQuery q(m_connection->database());
    q.setForwardOnly(true);
    q.prepare(u"SELECT %1 FROM samples WHERE endpoint_id = ? ORDER BY t_ms DESC LIMIT ?"_s.arg(kSampleColumns));
    q.addBindValue(*id);
    q.addBindValue(count);
    if (!q.exec()) {
        setError(q);
        return out;
    }
    while (q.next())
        out.append(toProbeResult(readSample(q)));
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
    struct Cursor {
        std::unique_ptr<QSqlQuery> query;
        StoredSample current;
        int rank = 0;
    };
    std::vector<Cursor> cursors;
    const QList<int> ids = endpointIdsFor(endpoints);
    for (int rank = 0; rank < ids.size(); ++rank) {
        Cursor c;
        c.rank = rank;
        c.query = std::make_unique<QSqlQuery>(m_connection->database());
        c.query->setForwardOnly(true);
        c.query->prepare(u"SELECT %1 FROM samples WHERE endpoint_id = ? AND t_ms >= ? AND t_ms < ? ORDER BY t_ms"_s.arg(
            kSampleColumns));
        c.query->addBindValue(ids.at(rank));
        c.query->addBindValue(fromMs);
        c.query->addBindValue(toMs);
        if (!c.query->exec())
            return setError(*c.query);
        if (c.query->next()) {
            c.current = readSample(*c.query);
            cursors.push_back(std::move(c));
        } else if (c.query->lastError().isValid()) {
            return setError(*c.query);
        }
    }
    auto later = [&cursors](size_t a, size_t b) {
        const Cursor& x = cursors[a];
        const Cursor& y = cursors[b];
        return x.current.startMs != y.current.startMs ? x.current.startMs > y.current.startMs : x.rank > y.rank;
    };
    std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
    for (size_t i = 0; i < cursors.size(); ++i)
        heap.push(i);
    while (!heap.empty()) {
        const size_t i = heap.top();
        heap.pop();
        Cursor& c = cursors[i];
        if (!visit(c.current))
            return false;
        if (c.query->next()) {
            c.current = readSample(*c.query);
            heap.push(i);
        } else if (c.query->lastError().isValid()) {
            return setError(*c.query);
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
