// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/ProbeResult.h"
#include "policy/HostInFlightLimiter.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>

#include <deque>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace sd {

class BodyDecoder;

/// One HTTP attempt to send: the endpoint, its deadline for this attempt, and the extra headers
/// (credentials) to attach. `ticket` is the caller's handle, echoed back in ProbeTransport::finished.
struct ProbeRequest {
    quint64 ticket = 0;
    EndpointConfig endpoint;
    Millis deadline { 10'000 };
    QList<std::pair<QByteArray, QByteArray>> extraHeaders; ///< never logged
};

/// The network side of a probe: owns a QNetworkAccessManager and sends one attempt per request,
/// recording the facts the classifier judges (DESIGN.md "What one probe records").
///
/// It lives in the engine's worker thread and must only be used from there. Each attempt gets its own
/// total deadline (Qt's transfer timeout is an inactivity timer that ends as a "cancel"); the abort reason
/// is kept so a deadline is reported as DeadlineExpired, never as a cancel. Bodies are read as they arrive
/// (Qt buffers at most 256 KiB per reply) and kept up to the endpoint's cap, then the transfer is cut.
/// gzip and deflate are decoded here, not by Qt, so that the bytes on the wire can be held against
/// Content-Length and a stream cut short is seen: an answer that did not arrive whole is a connection
/// failure ("connection closed after 418 of 1000 bytes"), never "ok". Requests per host are capped (default 4, below
/// Qt's 6 connections per host) and the rest wait here, before the clock starts, so that Qt's own connection queue
/// never inflates a measured latency.
///
/// Redirects are followed (at most 5, never from https to http). Qt would replay every header of the
/// original request, credentials included, to whatever origin a redirect names; requests that carry
/// `extraHeaders` therefore follow redirects here, and send those headers only to the original origin
/// (scheme, host and port).
class ProbeTransport : public QObject {
    Q_OBJECT
public:
    explicit ProbeTransport(QObject* parent = nullptr);
    ~ProbeTransport() override;

    void setPerHostLimit(int limit);
    int perHostLimit() const { return m_limiter.capPerHost(); }

    /// Queues or starts one attempt. `finished` is emitted exactly once for it, also on failure.
    void start(const ProbeRequest& request);
    /// Aborts every attempt in flight and drops the queue (no `finished` for dropped ones).
    void abortAll();

    int inFlight() const { return static_cast<int>(m_active.size()); }
    int queued() const;
    /// The largest number of attempts that were in flight at once to one host since construction.
    int peakInFlightPerHost() const { return m_peakPerHost; }

    /// A fresh W3C trace id (32 lowercase hex digits) and span id (16).
    static QByteArray newTraceId();
    static QByteArray newSpanId();

signals:
    /// `startUtc` is when the request was handed to the network; `traceId` the id sent in `traceparent`.
    void finished(quint64 ticket, const sd::ProbeFacts& facts, const QDateTime& startUtc, const QByteArray& traceId);

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

    static QString hostKeyOf(const QUrl& url);
    void send(const ProbeRequest& request);
    QNetworkReply* issue(const ProbeRequest& request, const QUrl& url, const QByteArray& method, bool withCredentials,
        const QByteArray& traceId);
    void watch(QNetworkReply* reply, Active active);
    /// When `reply` is a redirect this transport follows itself: follows it and returns true.
    bool followRedirect(QNetworkReply* reply, Active& active, ProbeFacts& facts);
    void onReadyRead(QNetworkReply* reply);
    static void keep(Active& a, const QByteArray& piece);
    void onFinished(QNetworkReply* reply);
    void drainQueue(const QString& hostKey);

    QNetworkAccessManager* m_nam = nullptr;
    int m_peakPerHost = 0;
    QHash<QNetworkReply*, Active> m_active;
    HostInFlightLimiter m_limiter;
    QHash<QString, std::deque<ProbeRequest>> m_waiting;
};

} // namespace sd

Q_DECLARE_METATYPE(sd::ProbeRequest)
