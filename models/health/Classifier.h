// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/ProbeResult.h"
#include "core/Redaction.h"

#include <QDateTime>
#include <QString>

#include <chrono>
#include <optional>

namespace sd {

/// The verdict on one attempt: outcome, the signal it raises, a short human reason, and the
/// throttling facts the scheduler needs (Retry-After, rate-limit remaining).
struct Classification {
    Outcome outcome = Outcome::Ok;
    FailureSignal signal = FailureSignal::None;
    QString reason;
    std::optional<std::chrono::milliseconds> retryAfter;
    qint64 rateLimitRemaining = -1;
    bool operator==(const Classification&) const = default;
};

/// Sorts the facts of one attempt into the four-signal contract of docs/SIGNALS.md. A pure function:
/// `nowUtc` is only used to turn an HTTP-date Retry-After into a delay. The first rule that applies wins:
/// 1. A transport error: our deadline → Timeout (S1); refused, closed, reset, DNS, TLS, garbage, other →
///    Connection (S1); InvalidRequest (pre-validation, see validateRequest()) → Input (S3). A body that did
///    not arrive whole is a transport error even with a status ("connection closed after 418 of 1000 bytes
///    (HTTP 200)", "body could not be decoded (Content-Encoding: gzip, HTTP 200): ..."); otherwise the
///    transport never turns a received status into an error.
/// 2. The endpoint's error-code map: an integer (or a string of digits) at its JSON pointer that falls in
///    a mapped range gives that signal with its natural outcome (S1 Connection, S2 Auth, S3 Input,
///    S4 Throttled), whatever the HTTP status.
/// 3. JSON-RPC endpoints answered with 2xx (or 500, where some servers put every error): error codes
///    -32700, -32600, -32601, -32602 → Input (S3); -32603 and -32000..-32099 → ServerError; any other
///    code → AssertionFailed (map it with the error-code map to give it a signal); a 2xx that is not a
///    JSON-RPC 2.0 response → AssertionFailed.
/// 4. The HTTP status, unless `expectStatus` lists it: 502, 504 → Connection (S1); 408 → Timeout (S1);
///    401, 403, 407 → Auth (S2); 429, 503 → Throttled (S4); every other 4xx → Input (S3); every other
///    5xx → ServerError.
/// 5. Expectations: a status outside `expectStatus` (outside 2xx when empty), then the body checks in
///    order → AssertionFailed naming the check. A truncated body is checked as far as it was read.
/// 6. Otherwise Ok. Retry-After and the rate-limit headers are reported whatever the verdict; a success
///    with rateLimitRemaining == 0 stays Ok and says so in its reason.
/// Reasons are short and never quote a body or header that may echo a credential (auth answers).
Classification classify(const EndpointConfig& endpoint, const ProbeFacts& facts, const QDateTime& nowUtc);

/// classify() for an attempt sent with secrets, as the engine and the credential verifier call it: a
/// server may echo what it was sent (in an error message, a WWW-Authenticate description, a value a
/// check quotes, an error-code message), so every form of `secrets` is cut out of the answer (body,
/// headers, transport detail) before it is judged and out of the reason after; the reason then goes
/// through redactSecrets() and has its control characters escaped (escapeControlCharacters()). This is
/// the one place server text enters a result: what is stored, shown, logged or printed later is clean.
Classification classify(
    const EndpointConfig& endpoint, const ProbeFacts& facts, const QDateTime& nowUtc, const KnownSecrets& secrets);

/// Control characters (C0 but tab, DEL, C1) written as visible escapes ("\x1b"), so that text a server
/// chose never drives a terminal.
QString escapeControlCharacters(const QString& text);

} // namespace sd
