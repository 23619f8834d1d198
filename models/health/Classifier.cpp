// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/Classifier.h"

#include "health/JsonPointer.h"
#include "health/RateLimit.h"
#include "health/RetryAfter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace sd {

namespace {

using std::chrono::milliseconds;

/// Longest piece of server-provided text (a message, a TLS error) quoted in a reason.
constexpr qsizetype kMaxQuoted = 160;

struct Verdict {
    Outcome outcome = Outcome::Ok;
    FailureSignal signal = FailureSignal::None;
    QString reason;
};

Verdict verdict(Outcome outcome, const QString& reason)
{
    return { outcome, defaultSignalFor(outcome), reason };
}

/// The response body parsed as JSON on first use: most probes never need it.
class LazyJson {
public:
    explicit LazyJson(const QByteArray& body)
        : m_body(body)
    {
    }
    const std::optional<QJsonValue>& value()
    {
        if (!m_parsed) {
            m_parsed = true;
            if (!m_body.trimmed().isEmpty())
                m_value = parseJsonValue(m_body);
        }
        return m_value;
    }

private:
    const QByteArray& m_body;
    bool m_parsed = false;
    std::optional<QJsonValue> m_value;
};

QString http(int status)
{
    return QStringLiteral("HTTP %1").arg(status);
}

QString join(const QString& head, const QString& detail)
{
    return detail.isEmpty() ? head : head % QLatin1StringView(": ") % detail;
}

QString shorten(const QString& text, qsizetype max = kMaxQuoted)
{
    QString out = text.simplified();
    if (out.size() > max) {
        out.truncate(max - 1);
        out.append(QChar(0x2026));
    }
    return out;
}

QString statusPhrase(int status)
{
    switch (status) {
    case 400:
        return QStringLiteral("bad request");
    case 404:
        return QStringLiteral("not found");
    case 405:
        return QStringLiteral("method not allowed");
    case 406:
        return QStringLiteral("not acceptable");
    case 409:
        return QStringLiteral("conflict");
    case 410:
        return QStringLiteral("gone");
    case 411:
        return QStringLiteral("length required");
    case 412:
        return QStringLiteral("precondition failed");
    case 413:
        return QStringLiteral("content too large");
    case 414:
        return QStringLiteral("URI too long");
    case 415:
        return QStringLiteral("unsupported media type");
    case 422:
        return QStringLiteral("unprocessable content");
    case 431:
        return QStringLiteral("request header fields too large");
    case 500:
        return QStringLiteral("internal server error");
    case 501:
        return QStringLiteral("not implemented");
    case 502:
        return QStringLiteral("bad gateway");
    case 503:
        return QStringLiteral("service unavailable");
    case 504:
        return QStringLiteral("gateway timeout");
    case 505:
        return QStringLiteral("HTTP version not supported");
    case 507:
        return QStringLiteral("insufficient storage");
    default:
        break;
    }
    return {};
}

QString delayText(milliseconds delay)
{
    const qint64 seconds = (delay.count() + 999) / 1000;
    if (seconds < 120)
        return QStringLiteral("%1 s").arg(seconds);
    return QStringLiteral("%1 min").arg((seconds + 59) / 60);
}

QString retryAfterText(const Classification& c)
{
    return c.retryAfter ? QStringLiteral(", retry after ") % delayText(*c.retryAfter) : QString();
}

QString cutNote(const ProbeFacts& facts)
{
    return facts.bodyTruncated ? QStringLiteral(" (body cut at %1 bytes)").arg(facts.body.size()) : QString();
}

QString renderJson(const QJsonValue& value)
{
    if (value.isUndefined())
        return QStringLiteral("nothing");
    const QByteArray array = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return shorten(QString::fromUtf8(array.sliced(1, array.size() - 2)), 60);
}

QString stringAt(const QJsonValue& document, QStringView pointer)
{
    const auto value = jsonPointerResolve(document, pointer);
    return value && value->isString() ? shorten(value->toString()) : QString();
}

/// The human message of an error body, from the places common APIs put it (OpenAI, OAuth 2,
/// RFC 9457 problem details, plain `message`).
QString bodyMessage(LazyJson& json)
{
    const auto& document = json.value();
    if (!document)
        return {};
    for (QStringView pointer : { u"/error/message", u"/error_description", u"/message", u"/detail", u"/title",
             u"/error", u"/errors/0/message" }) {
        QString message = stringAt(*document, pointer);
        if (!message.isEmpty())
            return message;
    }
    return {};
}

/// Auth-params of `WWW-Authenticate` (RFC 9110 §11.2), from every challenge: `error`, `scope`, ...
QByteArray authParam(const ProbeFacts& facts, QByteArrayView wanted)
{
    for (const auto& header : facts.headers) {
        if (header.first.compare("WWW-Authenticate", Qt::CaseInsensitive) != 0)
            continue;
        // Not a structured binding: skipSpace captures `value`, and clang (unlike GCC 12) rejects capturing one.
        const QByteArray& value = header.second;
        qsizetype i = 0;
        const qsizetype n = value.size();
        const auto skipSpace = [&] {
            while (i < n && (value[i] == ' ' || value[i] == '\t'))
                ++i;
        };
        while (i < n) {
            while (i < n && (value[i] == ' ' || value[i] == '\t' || value[i] == ','))
                ++i;
            const qsizetype start = i;
            while (i < n && value[i] != '=' && value[i] != ' ' && value[i] != ',')
                ++i;
            const QByteArray key = value.sliced(start, i - start);
            skipSpace();
            if (i >= n || value[i] != '=')
                continue; // a scheme name ("Bearer")
            ++i;
            skipSpace();
            QByteArray param;
            if (i < n && value[i] == '"') {
                for (++i; i < n && value[i] != '"'; ++i) {
                    if (value[i] == '\\' && i + 1 < n)
                        ++i;
                    param.append(value[i]);
                }
                ++i;
            } else {
                while (i < n && value[i] != ',' && value[i] != ' ')
                    param.append(value[i++]);
            }
            if (key.compare(wanted, Qt::CaseInsensitive) == 0)
                return param;
        }
    }
    return {};
}

QString unauthorizedReason(const EndpointConfig& endpoint, const ProbeFacts& facts)
{
    const QString head = http(facts.httpStatus);
    const QString error = QString::fromUtf8(authParam(facts, "error"));
    const QString description = shorten(QString::fromUtf8(authParam(facts, "error_description")));
    if (error == u"invalid_token")
        return join(head % QStringLiteral(": token invalid or expired (invalid_token)"), description);
    if (error == u"insufficient_scope")
        return join(head % QStringLiteral(": insufficient scope"), description);
    if (!error.isEmpty())
        return join(head % QStringLiteral(": credential rejected (") % shorten(error, 40) % u')', description);
    if (endpoint.credential.isEmpty())
        return head % QStringLiteral(": authentication required, no credential configured");
    return head % QStringLiteral(": credential rejected");
}

QString forbiddenReason(const ProbeFacts& facts)
{
    const QString head = http(facts.httpStatus);
    if (authParam(facts, "error") == "insufficient_scope") {
        const QString scope = shorten(QString::fromUtf8(authParam(facts, "scope")), 60);
        return head % QStringLiteral(": insufficient scope")
            % (scope.isEmpty() ? QString() : QStringLiteral(" (needs ") % scope % u')');
    }
    return head % QStringLiteral(": permission denied");
}

/// An error code as an integer: a JSON number without a fraction, or a string of digits.
std::optional<qint64> integerCode(const QJsonValue& value)
{
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (std::trunc(d) != d || std::abs(d) > 9.0e15)
            return std::nullopt;
        return static_cast<qint64>(d);
    }
    if (value.isString()) {
        bool ok = false;
        const qint64 code = value.toString().trimmed().toLongLong(&ok);
        if (ok)
            return code;
    }
    return std::nullopt;
}

Outcome naturalOutcome(FailureSignal signal)
{
    switch (signal) {
    case FailureSignal::S1:
        return Outcome::Connection;
    case FailureSignal::S2:
        return Outcome::Auth;
    case FailureSignal::S3:
        return Outcome::Input;
    case FailureSignal::S4:
        return Outcome::Throttled;
    case FailureSignal::None:
        break;
    }
    return Outcome::Ok;
}

/// The operator's error-code map; it overrides everything the status or JSON-RPC code would say.
std::optional<Verdict> errorCodeVerdict(
    const EndpointConfig& endpoint, const ProbeFacts& facts, const Classification& c, LazyJson& json)
{
    const ErrorCodeMap& map = endpoint.errorCodes;
    if (map.pointer.isEmpty() || map.rules.isEmpty() || !json.value())
        return std::nullopt;
    const auto value = jsonPointerResolve(*json.value(), map.pointer);
    const auto code = value ? integerCode(*value) : std::nullopt;
    if (!code)
        return std::nullopt;
    for (const ErrorCodeRule& rule : map.rules) {
        if (*code < rule.from || *code > rule.to || rule.signal == FailureSignal::None)
            continue;
        QString reason
            = http(facts.httpStatus) % QStringLiteral(": error code %1 (%2)").arg(*code).arg(signalCode(rule.signal));
        if (rule.signal == FailureSignal::S4)
            reason += retryAfterText(c);
        // The message next to the code ("/error/message" beside "/error/code"); never for auth
        // errors, whose messages may echo the credential.
        if (rule.signal != FailureSignal::S2) {
            const QString parent = map.pointer.left(map.pointer.lastIndexOf(u'/'));
            reason = join(reason, stringAt(*json.value(), QString(parent % QStringLiteral("/message"))));
        }
        return Verdict { naturalOutcome(rule.signal), rule.signal, reason };
    }
    return std::nullopt;
}

/// One JSON-RPC response object: the error object when it carries one; an empty object for a result;
/// nullopt when it is not a JSON-RPC 2.0 response at all.
std::optional<QJsonObject> jsonRpcError(const QJsonValue& response)
{
    const QJsonObject object = response.toObject();
    if (!response.isObject() || object.value(u"jsonrpc") != QJsonValue(QStringLiteral("2.0")))
        return std::nullopt;
    if (object.contains(u"error")) {
        const QJsonValue error = object.value(u"error");
        return error.isObject() ? error.toObject() : QJsonObject { { QStringLiteral("code"), QJsonValue() } };
    }
    if (object.contains(u"result"))
        return QJsonObject {};
    return std::nullopt;
}

QString jsonRpcCodeName(qint64 code)
{
    switch (code) {
    case -32700:
        return QStringLiteral("parse error");
    case -32600:
        return QStringLiteral("invalid request");
    case -32601:
        return QStringLiteral("method not found");
    case -32602:
        return QStringLiteral("invalid params");
    case -32603:
        return QStringLiteral("internal error");
    default:
        break;
    }
    return code >= -32099 && code <= -32000 ? QStringLiteral("server error") : QStringLiteral("application error");
}

/// JSON-RPC answers errors inside HTTP 200 (and some servers inside 500): the error code decides.
std::optional<Verdict> jsonRpcVerdict(const EndpointConfig& endpoint, const ProbeFacts& facts, LazyJson& json)
{
    const int status = facts.httpStatus;
    const bool success = status >= 200 && status < 300;
    if (endpoint.kind != EndpointKind::JsonRpc || (!success && status != 500))
        return std::nullopt;

    const auto& document = json.value();
    std::optional<QJsonObject> error;
    if (document && document->isArray()) {
        // A batch: the first failed call speaks for it.
        const QJsonArray batch = document->toArray();
        for (const auto& response : batch) {
            error = jsonRpcError(response);
            if (!error || !error->isEmpty())
                break;
        }
        if (batch.isEmpty())
            error.reset();
    } else if (document) {
        error = jsonRpcError(*document);
    }

    if (!error) {
        if (!success)
            return std::nullopt;
        return verdict(
            Outcome::AssertionFailed, http(status) % QStringLiteral(": not a JSON-RPC 2.0 response") % cutNote(facts));
    }
    if (error->isEmpty())
        return std::nullopt;

    const auto code = integerCode(error->value(u"code"));
    if (!code)
        return verdict(
            Outcome::AssertionFailed, http(status) % QStringLiteral(": JSON-RPC error without a numeric code"));
    QString message = shorten(error->value(u"message").toString());
    if (message.isEmpty())
        message = jsonRpcCodeName(*code);
    const QString reason = QStringLiteral("JSON-RPC error %1: ").arg(*code) % message;
    switch (*code) {
    case -32700:
    case -32600:
    case -32601:
    case -32602:
        return verdict(Outcome::Input, reason);
    case -32603:
        return verdict(Outcome::ServerError, reason);
    default:
        break;
    }
    if (*code >= -32099 && *code <= -32000)
        return verdict(Outcome::ServerError, reason);
    // An application-defined code: the call did not succeed, but nothing says whose fault it is.
    // The error-code map is where an operator gives such codes a signal.
    return verdict(Outcome::AssertionFailed, reason);
}

std::optional<Verdict> statusVerdict(
    const EndpointConfig& endpoint, const ProbeFacts& facts, const Classification& c, LazyJson& json)
{
    const int status = facts.httpStatus;
    // A status the operator listed is the expected answer (a probe that asserts "401 without a token").
    if (endpoint.expectStatus.contains(status))
        return std::nullopt;
    const QString head = join(http(status), statusPhrase(status));
    switch (status) {
    case 502:
    case 504:
        return verdict(Outcome::Connection, head);
    case 408:
        return verdict(
            Outcome::Timeout, http(status) % QStringLiteral(": the server timed out waiting for the request"));
    case 401:
        return verdict(Outcome::Auth, unauthorizedReason(endpoint, facts));
    case 403:
        return verdict(Outcome::Auth, forbiddenReason(facts));
    case 407:
        return verdict(Outcome::Auth, http(status) % QStringLiteral(": proxy authentication required"));
    case 495: // nginx's own codes, sent as 400 unless an error_page keeps them
        return verdict(Outcome::Auth, http(status) % QStringLiteral(": the server refused the client certificate"));
    case 496:
        return verdict(
            Outcome::Auth, http(status) % QStringLiteral(": the server requires a client certificate; none was sent"));
    case 400:
        // A server that asks for a client certificate after the handshake (nginx ssl_verify_client) answers 400.
        if (facts.body.contains("No required SSL certificate was sent"))
            return verdict(Outcome::Auth,
                http(status) % QStringLiteral(": the server requires a client certificate; none was sent"));
        if (facts.body.contains("The SSL certificate error"))
            return verdict(Outcome::Auth, http(status) % QStringLiteral(": the server refused the client certificate"));
        break;
    case 429:
        return verdict(Outcome::Throttled, http(status) % QStringLiteral(": rate limited") % retryAfterText(c));
    case 503:
        return verdict(Outcome::Throttled, head % retryAfterText(c));
    default:
        break;
    }
    if (status >= 400 && status < 500)
        return verdict(Outcome::Input, join(head, bodyMessage(json)));
    if (status >= 500 && status < 600)
        return verdict(Outcome::ServerError, join(head, bodyMessage(json)));
    return std::nullopt;
}

QString expectedStatusText(const QList<int>& expected)
{
    if (expected.isEmpty())
        return QStringLiteral("2xx");
    if (expected.size() == 1)
        return QString::number(expected.front());
    if (expected.size() == 2)
        return QStringLiteral("%1 or %2").arg(expected[0]).arg(expected[1]);
    QStringList all;
    for (int s : expected)
        all.append(QString::number(s));
    return QStringLiteral("one of ") % all.join(QStringLiteral(", "));
}

/// Why one body check fails; empty when it passes.
QString checkProblem(const BodyCheck& check, const ProbeFacts& facts, LazyJson& json)
{
    if (check.kind == BodyCheck::Kind::Contains) {
        if (facts.body.contains(check.contains.toUtf8()))
            return {};
        return QStringLiteral("body does not contain \"") % shorten(check.contains, 60) % u'"' % cutNote(facts);
    }
    const auto& document = json.value();
    if (!document)
        return check.jsonPointer % QStringLiteral(": body is not JSON") % cutNote(facts);
    const auto actual = jsonPointerResolve(*document, check.jsonPointer);
    if (!actual)
        return check.jsonPointer % QStringLiteral(" is missing") % cutNote(facts);
    if (*actual == check.equals)
        return {};
    return check.jsonPointer % QStringLiteral(" is ") % renderJson(*actual) % QStringLiteral(", expected ")
        % renderJson(check.equals);
}

std::optional<Verdict> expectationVerdict(const EndpointConfig& endpoint, const ProbeFacts& facts, LazyJson& json)
{
    const int status = facts.httpStatus;
    const bool statusOk
        = endpoint.expectStatus.isEmpty() ? (status >= 200 && status < 300) : endpoint.expectStatus.contains(status);
    if (!statusOk) {
        return verdict(Outcome::AssertionFailed,
            http(status) % QStringLiteral(": expected ") % expectedStatusText(endpoint.expectStatus));
    }
    for (const BodyCheck& check : endpoint.checks) {
        const QString problem = checkProblem(check, facts, json);
        if (!problem.isEmpty())
            return verdict(Outcome::AssertionFailed, http(status) % QStringLiteral(": check failed: ") % problem);
    }
    return std::nullopt;
}

// The precise reason of a failed handshake (docs/SIGNALS.md "TLS"): the certificate problems and a
// protocol mismatch are S1; a client certificate missing or refused is the credential's fault, S2.
Verdict tlsVerdict(const EndpointConfig& endpoint, const ProbeFacts& facts, const QString& detail)
{
    const QString host = endpoint.tls.serverName.isEmpty() ? endpoint.url.host() : endpoint.tls.serverName;
    const auto connection = [&](const QString& what) {
        return verdict(Outcome::Connection, join(QStringLiteral("TLS: ") % what, detail));
    };
    switch (facts.tls.failure) {
    case TlsFailure::Untrusted:
        return connection(endpoint.tls.caFile.isEmpty()
                ? QStringLiteral("certificate issuer not trusted (a private CA needs tls.caFile)")
                : QStringLiteral("certificate issuer not trusted (not in tls.caFile %1)").arg(endpoint.tls.caFile));
    case TlsFailure::Expired:
        return connection(QStringLiteral("certificate expired"));
    case TlsFailure::NotYetValid:
        return connection(QStringLiteral("certificate not yet valid"));
    case TlsFailure::HostMismatch:
        return connection(QStringLiteral("certificate does not match the host name %1").arg(host));
    case TlsFailure::Revoked:
        return connection(QStringLiteral("certificate revoked"));
    case TlsFailure::Protocol:
        return connection(endpoint.tls.minVersion.isEmpty()
                ? QStringLiteral("no common protocol version or cipher")
                : QStringLiteral("no common protocol version or cipher (tls.minVersion %1)")
                      .arg(endpoint.tls.minVersion));
    case TlsFailure::ClientCertificateRequired:
        return verdict(Outcome::Auth,
            join(QStringLiteral("TLS: the server requires a client certificate; none was sent"), detail));
    case TlsFailure::ClientCertificateRefused:
        return verdict(Outcome::Auth, join(QStringLiteral("TLS: the server refused the client certificate"), detail));
    case TlsFailure::Other:
    case TlsFailure::None:
        break;
    }
    return verdict(Outcome::Connection, join(QStringLiteral("TLS handshake failed"), detail));
}

Verdict transportVerdict(const EndpointConfig& endpoint, const ProbeFacts& facts)
{
    const QString detail = shorten(facts.transportDetail);
    switch (facts.transportError) {
    case TransportError::DeadlineExpired:
        if (facts.latencyUs <= 0)
            return verdict(Outcome::Timeout, QStringLiteral("no answer within the deadline"));
        return verdict(Outcome::Timeout, QStringLiteral("no answer within %1 ms").arg((facts.latencyUs + 500) / 1000));
    case TransportError::ConnectionRefused:
        return verdict(Outcome::Connection, QStringLiteral("connection refused"));
    case TransportError::ConnectionClosed:
        // The transport names how far the body came ("after 418 of 1000 bytes (HTTP 200)") when it knows.
        if (detail.startsWith(u"after "))
            return verdict(Outcome::Connection, QStringLiteral("connection closed ") % detail);
        return verdict(Outcome::Connection, QStringLiteral("connection closed before the answer was complete"));
    case TransportError::ConnectionReset:
        if (detail.startsWith(u"after "))
            return verdict(Outcome::Connection, QStringLiteral("connection reset ") % detail);
        return verdict(Outcome::Connection, QStringLiteral("connection reset"));
    case TransportError::HostNotFound:
        return verdict(Outcome::Connection, join(QStringLiteral("host not found"), endpoint.url.host()));
    case TransportError::TlsFailed:
        return tlsVerdict(endpoint, facts, detail);
    case TransportError::ProtocolError:
        if (detail.startsWith(u"body could not be decoded"))
            return verdict(Outcome::Connection, detail);
        return verdict(Outcome::Connection, join(QStringLiteral("not a valid HTTP answer"), detail));
    case TransportError::InvalidRequest:
        return verdict(Outcome::Input,
            join(QStringLiteral("request not sent"), detail.isEmpty() ? QStringLiteral("invalid request") : detail));
    case TransportError::Other:
    case TransportError::None:
        break;
    }
    return verdict(Outcome::Connection, join(QStringLiteral("network error"), detail));
}

} // namespace

Classification classify(const EndpointConfig& endpoint, const ProbeFacts& facts, const QDateTime& nowUtc)
{
    Classification c;
    if (facts.transportError != TransportError::None || facts.httpStatus <= 0) {
        const Verdict v = facts.transportError != TransportError::None
            ? transportVerdict(endpoint, facts)
            : verdict(Outcome::Connection, QStringLiteral("no HTTP answer"));
        c.outcome = v.outcome;
        c.signal = v.signal;
        c.reason = v.reason;
        return c;
    }

    const QByteArray retryAfter = facts.header("Retry-After");
    if (!retryAfter.isEmpty())
        c.retryAfter = parseRetryAfter(retryAfter, nowUtc);
    c.rateLimitRemaining = parseRateLimitRemaining(facts.headers);

    LazyJson json(facts.body);
    std::optional<Verdict> v = errorCodeVerdict(endpoint, facts, c, json);
    if (!v)
        v = jsonRpcVerdict(endpoint, facts, json);
    if (!v)
        v = statusVerdict(endpoint, facts, c, json);
    if (!v)
        v = expectationVerdict(endpoint, facts, json);
    if (!v) {
        v = verdict(Outcome::Ok,
            c.rateLimitRemaining == 0 ? http(facts.httpStatus) % QStringLiteral(": rate limit exhausted (0 remaining)")
                                      : http(facts.httpStatus));
    }
    c.outcome = v->outcome;
    c.signal = v->signal;
    c.reason = v->reason;
    return c;
}

QString escapeControlCharacters(const QString& text)
{
    const auto isControl = [](QChar c) {
        const char16_t u = c.unicode();
        return (u < 0x20 && u != u'\t') || (u >= 0x7f && u <= 0x9f);
    };
    if (std::none_of(text.cbegin(), text.cend(), isControl))
        return text;
    QString out;
    out.reserve(text.size() + 8);
    for (QChar c : text) {
        if (isControl(c))
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QChar(u'0'));
        else
            out += c;
    }
    return out;
}

Classification classify(
    const EndpointConfig& endpoint, const ProbeFacts& facts, const QDateTime& nowUtc, const KnownSecrets& secrets)
{
    // JSON may spell any character as \uXXXX, which hides a secret from a byte search: such a body is
    // judged in its re-serialized form (escapes decoded) when that is where a secret shows.
    QByteArray body = facts.body;
    if (!secrets.isEmpty() && body.contains("\\u")) {
        if (const auto parsed = parseJsonValue(body)) {
            const QByteArray array = QJsonDocument(QJsonArray { *parsed }).toJson(QJsonDocument::Compact);
            const QByteArray decoded = array.sliced(1, array.size() - 2);
            if (secrets.occursIn(decoded))
                body = decoded;
        }
    }
    const auto echoed = [&secrets, &body](const ProbeFacts& f) {
        if (secrets.occursIn(body) || secrets.occursIn(f.transportDetail.toUtf8()))
            return true;
        return std::any_of(f.headers.cbegin(), f.headers.cend(),
            [&secrets](const auto& header) { return secrets.occursIn(header.second); });
    };
    Classification c;
    if (!secrets.isEmpty() && echoed(facts)) {
        ProbeFacts clean = facts;
        clean.body = secrets.redact(body);
        clean.transportDetail = secrets.redact(facts.transportDetail);
        for (auto& header : clean.headers)
            header.second = secrets.redact(header.second);
        c = classify(endpoint, clean, nowUtc);
    } else {
        c = classify(endpoint, facts, nowUtc);
    }
    // After parsing too: JSON escapes (\u0074ok...) decode into the secret only now.
    c.reason = escapeControlCharacters(redactSecrets(secrets.redact(c.reason)));
    return c;
}

} // namespace sd
