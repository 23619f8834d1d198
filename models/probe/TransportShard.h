// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/ProbeResult.h"
#include "policy/HostInFlightLimiter.h"
#include "probe/ProbeTransport.h"
#include "probe/TransportBackend.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>

#include <atomic>
#include <deque>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace sd {

class BodyDecoder;

/// One shard of ProbeTransport: a QNetworkAccessManager in its own thread that sends one attempt per
/// request and records the facts the classifier judges (docs/SIGNALS.md "What one probe records"). ProbeTransport
/// gives every host to exactly one shard, so whatever one host's replies cost (a 10 MiB header line parsed
/// by Qt, a body read up to a large cap) stalls only the hosts of that shard, and every latency is measured
/// on the thread that did the work, never inflated by someone else's parsing.
///
/// Lives in its shard thread and must only be used from there; the counters are atomics and may be read
/// from anywhere. Each attempt gets its own
/// total deadline (Qt's transfer timeout is an inactivity timer that ends as a "cancel"); the abort reason
/// is kept so a deadline is reported as DeadlineExpired, never as a cancel. Bodies are read as they arrive
/// (Qt buffers at most 256 KiB per reply) and kept up to the endpoint's cap, then the transfer is cut.
/// gzip and deflate are decoded here, not by Qt, so that the bytes on the wire can be held against
/// Content-Length and a stream cut short is seen: an answer that did not arrive whole is a connection
/// failure ("connection closed after 418 of 1000 bytes"), never "ok". Requests per host are capped
/// (default 4, below Qt's 6 connections per host) and the rest wait here, before the clock starts, so that
/// Qt's own connection queue never inflates a measured latency.
///
/// Redirects are followed (at most 5, never from https to http). Qt would replay every header of the
/// original request, credentials included, to whatever origin a redirect names; requests that carry
/// `extraHeaders` therefore follow redirects here, and send those headers only to the original origin
/// (scheme, host and port).
class TransportShard : public TransportBackend {
    Q_OBJECT
public:
    explicit TransportShard(QObject* parent = nullptr);
    ~TransportShard() override;

    void abortAll() override;

protected:
    void send(const ProbeRequest& request) override;
    int activeCount() const override { return static_cast<int>(m_active.size()); }

private:
    enum class AbortReason : quint8 { None, Deadline, BodyCap, Undecodable };
    struct Active {
        quint64 ticket = 0;
        QString hostKey;
        QElapsedTimer clock;
        QDateTime startUtc;
        QByteArray traceId;
        /// The body kept so far, as it arrived: joined once at the end, so that a body near a large cap
        /// never exists twice (a growing QByteArray would copy itself at every doubling).
        QByteArrayList pieces;
        qint64 kept = 0;
        qint64 bytesRead = 0; ///< body bytes as the checks see them (decoded)
        qint64 rawBytes = 0; ///< body bytes as they came over the wire (what Content-Length counts)
        std::shared_ptr<BodyDecoder> decoder; ///< created when the first body bytes arrive
        qint64 maxBody = 0;
        qint64 deadlineMs = 0;
        bool truncated = false;
        AbortReason abort = AbortReason::None;
        qint64 connectingAt = -1;
        qint64 encryptedAt = -1;
        qint64 sentAt = -1;
        qint64 headersAt = -1;
        QTimer* deadlineTimer = nullptr;
        /// Kept for requests with credentials, which follow redirects here (see the class comment).
        std::optional<ProbeRequest> redirectable;
        QUrl origin; ///< where the credentials may go
        int redirects = 0;
    };

    QNetworkReply* issue(const ProbeRequest& request, const QUrl& url, const QByteArray& method, bool withCredentials,
        const QByteArray& traceId);
    void watch(QNetworkReply* reply, Active active);
    /// When `reply` is a redirect this transport follows itself: follows it and returns true.
    bool followRedirect(QNetworkReply* reply, Active& active, ProbeFacts& facts);
    void onReadyRead(QNetworkReply* reply);
    static void keep(Active& a, const QByteArray& piece);
    void onFinished(QNetworkReply* reply);

    QNetworkAccessManager* m_nam = nullptr;
    QHash<QNetworkReply*, Active> m_active;
};

} // namespace sd
