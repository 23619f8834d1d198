// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/FailureSignal.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace sd {

/// Why the transport ended a request without a complete HTTP answer. The classifier maps these to S1.
enum class TransportError : quint8 {
    None,
    DeadlineExpired, ///< our own total deadline fired (a timeout, never a "cancel")
    ConnectionRefused,
    ConnectionClosed, ///< remote closed before/while answering
    ConnectionReset,
    HostNotFound,
    TlsFailed,
    ProtocolError, ///< garbage instead of HTTP, malformed headers
    InvalidRequest, ///< pre-validation failed: the request was never sent
    Other,
};

/// Phase times in microseconds, -1 where Qt did not report the phase (a reused connection has no connect).
struct ProbePhases {
    qint64 queueUs = -1; ///< from issuing the request to the socket connecting (or the request being sent)
    qint64 connectUs = -1; ///< connect + TLS
    qint64 sentUs = -1; ///< request written
    qint64 ttfbUs = -1; ///< time to first byte (headers received), from the start
    qint64 downloadUs = -1; ///< from first byte to the end of the body
    bool operator==(const ProbePhases&) const = default;
};

/// Why a TLS handshake failed, as far as the transport can tell (TransportError::TlsFailed; docs/SIGNALS.md).
/// ClientCertificateRequired/Refused are S2 (the credential is missing or refused), every other one S1.
enum class TlsFailure : quint8 {
    None,
    Untrusted, ///< the issuer is not in the trust store (unknown or private CA, self-signed)
    Expired,
    NotYetValid,
    HostMismatch, ///< the certificate does not name the host (or tls.serverName)
    Revoked,
    Protocol, ///< no common protocol version or cipher
    ClientCertificateRequired, ///< the server wants a client certificate and none was sent
    ClientCertificateRefused, ///< the server refused the client certificate that was sent
    Other,
};

/// What the transport saw of the TLS session of one attempt (https only; `present` false otherwise).
struct TlsFacts {
    bool present = false;
    QString protocol; ///< negotiated, e.g. "TLSv1.3"
    QDateTime leafExpiresAt; ///< notAfter of the server's certificate (UTC)
    QDateTime earliestExpiresAt; ///< the earliest notAfter in the presented chain (UTC)
    QString leafSubject; ///< the leaf's subject (CN or the whole DN)
    QString leafIssuer;
    QStringList chain; ///< one line per presented certificate: "subject · issuer · notAfter ISO"
    TlsFailure failure = TlsFailure::None; ///< with TransportError::TlsFailed (None there = not told)
    bool operator==(const TlsFacts&) const = default;
};

/// What the transport observed for one attempt: the facts the classifier judges. Plain data.
struct ProbeFacts {
    TransportError transportError = TransportError::None;
    QString transportDetail; ///< Qt's error string, for the reason text
    int httpStatus = 0; ///< 0 = no HTTP status received
    QList<std::pair<QByteArray, QByteArray>> headers; ///< response headers (names as received)
    QByteArray body; ///< at most maxBodyBytes
    bool bodyTruncated = false;
    qint64 bytesRead = 0; ///< bytes of body received (may exceed body.size() when truncated)
    qint64 latencyUs = 0; ///< total, monotonic clock
    ProbePhases phases;
    bool connectionReused = false;
    TlsFacts tls;

    /// First value of a header, case-insensitive; empty when absent.
    QByteArray header(QByteArrayView name) const;
};

/// One finished probe (after retries), as recorded and shown. A value type sent across threads in batches.
struct ProbeResult {
    int endpointId = -1; ///< the engine's handle of the endpoint (EndpointStatus::id), stable while it runs
    QString endpointKey; ///< endpointKey() of its config (its id): stable across config changes and restarts
    QString endpoint; ///< endpoint name
    QString url; ///< without credentials
    QDateTime startUtc;
    qint64 latencyUs = 0;
    ProbePhases phases;
    bool connectionReused = false;
    int httpStatus = 0; ///< 0 = none
    qint64 bytesRead = 0;
    bool bodyTruncated = false;
    Outcome outcome = Outcome::Ok;
    FailureSignal signal = FailureSignal::None;
    QString reason;
    int attempts = 1;
    QByteArray traceId; ///< 32 hex digits of the W3C traceparent sent
    std::optional<std::chrono::milliseconds> retryAfter; ///< from Retry-After, when present and valid
    qint64 rateLimitRemaining = -1; ///< RateLimit-Remaining / X-RateLimit-Remaining, -1 when absent
    TlsFacts tls; ///< of the last attempt

    double latencyMs() const { return static_cast<double>(latencyUs) / 1000.0; }
};

using ProbeResults = QList<ProbeResult>;

} // namespace sd

Q_DECLARE_METATYPE(sd::ProbeFacts)
Q_DECLARE_METATYPE(sd::ProbeResult)
Q_DECLARE_METATYPE(sd::ProbeResults)
