// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/ProbeResult.h"

#include <QDateTime>
#include <QHash>
#include <QObject>

#include <vector>

class QThread;

namespace sd {

class TransportBackend;

/// One HTTP attempt to send: the endpoint, its deadline for this attempt, and the extra headers
/// (credentials) to attach. `ticket` is the caller's handle, echoed back in ProbeTransport::finished.
struct ProbeRequest {
    quint64 ticket = 0;
    EndpointConfig endpoint;
    Millis deadline { 10'000 };
    QList<std::pair<QByteArray, QByteArray>> extraHeaders; ///< never logged
    /// Mutual TLS (credential scheme "clientCert"): the certificate chain (PEM) and its private key (PEM,
    /// from the OS keychain; never logged, never written). Both empty = no client certificate.
    QByteArray clientCertificatePem;
    QByteArray clientKeyPem;
};

/// The network side of a probe. It sends each attempt through one of a few shards (TransportBackend), each
/// an HTTP implementation in its own thread ("signaldeck-net-N"), and reports the facts the classifier
/// judges (see TransportShard and CurlShard for what one attempt records, deadlines, body caps and
/// redirects). The kind of shard is chosen by kind() (config key `transport`; the environment variable
/// SIGNALDECK_TRANSPORT=qt|curl overrides it): Qt Network (TransportShard) or libcurl's multi interface
/// (CurlShard).
///
/// Every host (scheme, host, port) belongs to exactly one shard, given round-robin in the order hosts are
/// first seen, so whatever one host's replies cost (Qt parsing a 10 MiB header line, a body read up to a
/// large cap) stalls only the hosts of its shard: neither the caller's thread nor the other shards, and no
/// latency is measured on a thread busy with someone else's reply. Shard threads start on demand, at most
/// shardCount(). The per-host in-flight cap is kept by the host's shard.
///
/// Use it from one thread (the engine's); `finished` is emitted in that thread. The counters are read
/// from the shards' atomics and may lag a moment behind.
class ProbeTransport : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultShardCount = 4;

    explicit ProbeTransport(QObject* parent = nullptr);
    ~ProbeTransport() override;

    /// The backend chosen by `configured` and the environment (SIGNALDECK_TRANSPORT=qt|curl wins).
    static TransportKind effectiveKind(TransportKind configured);
    /// "qt" or "curl".
    static QString kindName(TransportKind kind);
    /// Chooses the backend (the environment still wins, see effectiveKind). Changing it while shards run
    /// aborts what is in flight and ends those shards; the next start() starts shards of the new kind.
    void setKind(TransportKind configured);
    TransportKind kind() const { return m_kind; }

    /// The most shard threads to start (at least 1). Takes effect for hosts not seen yet.
    void setShardCount(int count);
    int shardCount() const { return m_shardCount; }
    void setPerHostLimit(int limit);
    int perHostLimit() const { return m_perHostLimit; }

    /// Queues or starts one attempt. `finished` is emitted exactly once for it, also on failure.
    void start(const ProbeRequest& request);
    /// Aborts every attempt in flight and drops the queue (no `finished` for dropped ones). Does not wait
    /// for a shard busy with a reply: whatever it reports afterwards is dropped here.
    void abortAll();

    int inFlight() const;
    int queued() const;
    /// The largest number of attempts that were in flight at once to one host since construction.
    int peakInFlightPerHost() const;
    /// Shard threads started so far.
    int shardsStarted() const { return static_cast<int>(m_shards.size()); }

    /// A fresh W3C trace id (32 lowercase hex digits) and span id (16).
    static QByteArray newTraceId();
    static QByteArray newSpanId();
    /// "http://host:port": the unit of the per-host cap and of shard assignment.
    static QString hostKeyOf(const QUrl& url);

signals:
    /// `startUtc` is when the request was handed to the network; `traceId` the id sent in `traceparent`.
    void finished(quint64 ticket, const sd::ProbeFacts& facts, const QDateTime& startUtc, const QByteArray& traceId);

private:
    struct Shard {
        QThread* thread = nullptr;
        TransportBackend* transport = nullptr;
    };
    TransportBackend* shardFor(const QString& hostKey);
    void stopShards();
    void onShardFinished(quint64 ticket, const ProbeFacts& facts, const QDateTime& startUtc, const QByteArray& traceId);

    TransportKind m_kind;
    int m_shardCount = kDefaultShardCount;
    int m_perHostLimit = 4;
    std::vector<Shard> m_shards;
    QHash<QString, int> m_hostShard; ///< host key → index into m_shards
    QHash<quint64, int> m_outstanding; ///< tickets started and not reported (or aborted) yet
};

} // namespace sd

Q_DECLARE_METATYPE(sd::ProbeRequest)
