// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/ProbeTransport.h"

#include "probe/CurlShard.h"
#include "probe/TransportShard.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QThread>

Q_DECLARE_LOGGING_CATEGORY(lcProbe)

namespace sd {

namespace {
QByteArray randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    auto* rng = QRandomGenerator::system();
    for (char& c : raw)
        c = static_cast<char>(rng->bounded(256));
    QByteArray hex = raw.toHex();
    // The W3C spec forbids an all-zero id; astronomically unlikely, but cheap to rule out.
    if (hex.count('0') == hex.size())
        hex[hex.size() - 1] = '1';
    return hex;
}
} // namespace

ProbeTransport::ProbeTransport(QObject* parent)
    : QObject(parent)
    , m_kind(effectiveKind(AppConfig {}.transport))
{
    qRegisterMetaType<ProbeFacts>();
    qRegisterMetaType<ProbeRequest>();
    CurlShard::globalInit(); // here, before any shard thread runs
}

ProbeTransport::~ProbeTransport()
{
    stopShards();
}

void ProbeTransport::stopShards()
{
    for (Shard& s : m_shards) {
        // Deleted in its own thread (its replies, sockets and timers live there), then the thread ends.
        QMetaObject::invokeMethod(
            s.transport, [t = s.transport] { delete t; }, Qt::BlockingQueuedConnection);
        s.thread->quit();
        s.thread->wait();
        delete s.thread;
    }
    m_shards.clear();
    m_hostShard.clear();
    m_outstanding.clear();
}

TransportKind ProbeTransport::effectiveKind(TransportKind configured)
{
    const QByteArray env = qgetenv("SIGNALDECK_TRANSPORT").trimmed().toLower();
    if (env == "curl")
        return TransportKind::Curl;
    if (env == "qt")
        return TransportKind::Qt;
    if (!env.isEmpty())
        qCWarning(lcProbe) << R"(SIGNALDECK_TRANSPORT must be "qt" or "curl", not)" << env << "- ignored";
    return configured;
}

QString ProbeTransport::kindName(TransportKind kind)
{
    return kind == TransportKind::Curl ? QStringLiteral("curl") : QStringLiteral("qt");
}

void ProbeTransport::setKind(TransportKind configured)
{
    const TransportKind kind = effectiveKind(configured);
    if (kind == m_kind)
        return;
    stopShards();
    m_kind = kind;
    qCDebug(lcProbe) << "transport:" << kindName(kind);
}

void ProbeTransport::setShardCount(int count)
{
    m_shardCount = std::max(1, count);
}

void ProbeTransport::setPerHostLimit(int limit)
{
    m_perHostLimit = limit;
    for (const Shard& s : m_shards)
        QMetaObject::invokeMethod(
            s.transport, [t = s.transport, limit] { t->setPerHostLimit(limit); }, Qt::QueuedConnection);
}

TransportBackend* ProbeTransport::shardFor(const QString& hostKey)
{
    auto known = m_hostShard.constFind(hostKey);
    if (known != m_hostShard.cend())
        return m_shards[static_cast<std::size_t>(*known)].transport;
    const int index = static_cast<int>(m_hostShard.size() % m_shardCount);
    m_hostShard.insert(hostKey, index);
    while (static_cast<int>(m_shards.size()) <= index) {
        Shard s;
        s.thread = new QThread;
        s.thread->setObjectName(QStringLiteral("signaldeck-net-%1").arg(m_shards.size()));
        if (m_kind == TransportKind::Curl)
            s.transport = new CurlShard;
        else
            s.transport = new TransportShard;
        s.transport->setPerHostLimit(m_perHostLimit);
        s.transport->moveToThread(s.thread);
        connect(s.transport, &TransportBackend::finished, this, &ProbeTransport::onShardFinished, Qt::QueuedConnection);
        s.thread->start();
        m_shards.push_back(s);
        qCDebug(lcProbe) << "transport shard" << m_shards.size() - 1 << "started";
    }
    return m_shards[static_cast<std::size_t>(index)].transport;
}

void ProbeTransport::start(const ProbeRequest& request)
{
    TransportBackend* shard = shardFor(hostKeyOf(request.endpoint.url));
    ++m_outstanding[request.ticket];
    QMetaObject::invokeMethod(
        shard, [shard, request] { shard->start(request); }, Qt::QueuedConnection);
}

void ProbeTransport::onShardFinished(
    quint64 ticket, const ProbeFacts& facts, const QDateTime& startUtc, const QByteArray& traceId)
{
    auto it = m_outstanding.find(ticket);
    if (it == m_outstanding.end())
        return; // aborted meanwhile
    if (--it.value() == 0)
        m_outstanding.erase(it);
    emit finished(ticket, facts, startUtc, traceId);
}

void ProbeTransport::abortAll()
{
    m_outstanding.clear();
    for (const Shard& s : m_shards)
        QMetaObject::invokeMethod(
            s.transport, [t = s.transport] { t->abortAll(); }, Qt::QueuedConnection);
}

int ProbeTransport::inFlight() const
{
    int n = 0;
    for (const Shard& s : m_shards)
        n += s.transport->inFlight();
    return n;
}

int ProbeTransport::queued() const
{
    int n = 0;
    for (const Shard& s : m_shards)
        n += s.transport->queued();
    return n;
}

int ProbeTransport::peakInFlightPerHost() const
{
    int peak = 0;
    for (const Shard& s : m_shards)
        peak = std::max(peak, s.transport->peakInFlightPerHost());
    return peak;
}

QByteArray ProbeTransport::newTraceId()
{
    return randomHex(16);
}

QByteArray ProbeTransport::newSpanId()
{
    return randomHex(8);
}

QString ProbeTransport::hostKeyOf(const QUrl& url)
{
    return url.scheme() + u"://"_qs + url.host().toLower() + u':'
        + QString::number(url.port(url.scheme() == u"https"_qs ? 443 : 80));
}

} // namespace sd
