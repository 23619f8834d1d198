// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/Classifier.h"

#include <QJsonObject>
#include <QTest>

using namespace sd;

// Declared before the fixtures: moc 6.4 misreads raw string literals with an odd number of quotes
// and would not see a class that follows them.
class TestClassifier : public QObject {
    Q_OBJECT

private slots:
    void classify_data();
    void classify();
    void everyDesignRowHasItsSignal();
    void longServerMessagesAreShortened();
};

Q_DECLARE_METATYPE(sd::EndpointConfig)

namespace {

using Headers = QList<std::pair<QByteArray, QByteArray>>;

// Wednesday, 1 May 2024, noon UTC.
const QDateTime kNow(QDate(2024, 5, 1), QTime(12, 0, 0), Qt::UTC);

EndpointConfig httpEndpoint()
{
    EndpointConfig e;
    e.name = QStringLiteral("chat-completions");
    e.url = QUrl(QStringLiteral("https://api.example.com/v1/chat/completions"));
    e.credential = QStringLiteral("llm-prod");
    return e;
}

EndpointConfig withoutCredential()
{
    EndpointConfig e = httpEndpoint();
    e.credential.clear();
    return e;
}

EndpointConfig jsonRpcEndpoint()
{
    EndpointConfig e = httpEndpoint();
    e.name = QStringLiteral("node");
    e.kind = EndpointKind::JsonRpc;
    e.method = "POST";
    return e;
}

EndpointConfig expecting(QList<int> statuses, EndpointConfig e = httpEndpoint())
{
    e.expectStatus = std::move(statuses);
    return e;
}

BodyCheck containsCheck(const QString& text)
{
    BodyCheck c;
    c.kind = BodyCheck::Kind::Contains;
    c.contains = text;
    return c;
}

BodyCheck pointerCheck(const QString& pointer, const QJsonValue& equals)
{
    BodyCheck c;
    c.kind = BodyCheck::Kind::JsonPointerEquals;
    c.jsonPointer = pointer;
    c.equals = equals;
    return c;
}

EndpointConfig checking(QList<BodyCheck> checks, EndpointConfig e = httpEndpoint())
{
    e.checks = std::move(checks);
    return e;
}

EndpointConfig mapping(const QString& pointer, QList<ErrorCodeRule> rules, EndpointConfig e = httpEndpoint())
{
    e.errorCodes.pointer = pointer;
    e.errorCodes.rules = std::move(rules);
    return e;
}

ProbeFacts answer(int status, Headers headers = {}, QByteArray body = {})
{
    ProbeFacts f;
    f.httpStatus = status;
    f.headers = std::move(headers);
    f.body = std::move(body);
    f.bytesRead = f.body.size();
    f.latencyUs = 120'000;
    return f;
}

ProbeFacts truncated(ProbeFacts f, qint64 bytesRead)
{
    f.bodyTruncated = true;
    f.bytesRead = bytesRead;
    return f;
}

ProbeFacts tlsFailure(TlsFailure kind, const QString& detail = {})
{
    ProbeFacts f;
    f.transportError = TransportError::TlsFailed;
    f.transportDetail = detail;
    f.tls.failure = kind;
    f.latencyUs = 3'000;
    return f;
}

ProbeFacts failure(TransportError error, const QString& detail = {}, qint64 latencyUs = 3'000)
{
    ProbeFacts f;
    f.transportError = error;
    f.transportDetail = detail;
    f.latencyUs = latencyUs;
    return f;
}

QByteArray rpcError(int code, const QByteArray& message)
{
    QByteArray body = R"({"jsonrpc":"2.0","id":1,"error":{"code":)" + QByteArray::number(code);
    if (!message.isNull())
        body += R"(,"message":")" + message + '"';
    return body + "}}";
}

void row(const char* tag, const EndpointConfig& endpoint, const ProbeFacts& facts, Outcome outcome,
    FailureSignal signal, const QString& reason, qint64 retryAfterMs = -1, qint64 remaining = -1)
{
    QTest::newRow(tag) << endpoint << facts << outcome << signal << reason << retryAfterMs << remaining;
}

} // namespace

void TestClassifier::classify_data()
{
    QTest::addColumn<EndpointConfig>("endpoint");
    QTest::addColumn<ProbeFacts>("facts");
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<FailureSignal>("signal");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<qint64>("retryAfterMs"); // -1 = none
    QTest::addColumn<qint64>("remaining"); // -1 = none

    const auto e = httpEndpoint();
    const auto rpc = jsonRpcEndpoint();
    using O = Outcome;
    using S = FailureSignal;
    const S none = S::None;

    // S1: transport
    row("deadline 2000 ms", e, failure(TransportError::DeadlineExpired, {}, 2'000'400), O::Timeout, S::S1,
        QStringLiteral("no answer within 2000 ms"));
    row("deadline 1000 ms", e, failure(TransportError::DeadlineExpired, QStringLiteral("Operation canceled"), 999'700),
        O::Timeout, S::S1, QStringLiteral("no answer within 1000 ms"));
    row("connection refused", e, failure(TransportError::ConnectionRefused, QStringLiteral("Connection refused")),
        O::Connection, S::S1, QStringLiteral("connection refused"));
    row("connection closed", e, failure(TransportError::ConnectionClosed), O::Connection, S::S1,
        QStringLiteral("connection closed before the answer was complete"));
    row("connection reset", e, failure(TransportError::ConnectionReset), O::Connection, S::S1,
        QStringLiteral("connection reset"));
    row("host not found", e, failure(TransportError::HostNotFound, QStringLiteral("Host api.example.com not found")),
        O::Connection, S::S1, QStringLiteral("host not found: api.example.com"));
    row("tls failed", e, failure(TransportError::TlsFailed, QStringLiteral("The certificate has expired")),
        O::Connection, S::S1, QStringLiteral("TLS handshake failed: The certificate has expired"));
    // TLS, precisely (issue 16): certificate problems and protocol are S1, a client certificate is S2.
    auto privateCa = e;
    privateCa.tls.caFile = QStringLiteral("/etc/ca.pem");
    auto modern = e;
    modern.tls.minVersion = QStringLiteral("1.3");
    modern.tls.serverName = QStringLiteral("api.internal");
    row("tls untrusted", e, tlsFailure(TlsFailure::Untrusted), O::Connection, S::S1,
        QStringLiteral("TLS: certificate issuer not trusted (a private CA needs tls.caFile)"));
    row("tls untrusted with caFile", privateCa, tlsFailure(TlsFailure::Untrusted), O::Connection, S::S1,
        QStringLiteral("TLS: certificate issuer not trusted (not in tls.caFile /etc/ca.pem)"));
    row("tls expired", e, tlsFailure(TlsFailure::Expired, QStringLiteral("The certificate has expired")), O::Connection,
        S::S1, QStringLiteral("TLS: certificate expired: The certificate has expired"));
    row("tls not yet valid", e, tlsFailure(TlsFailure::NotYetValid), O::Connection, S::S1,
        QStringLiteral("TLS: certificate not yet valid"));
    row("tls host mismatch", e, tlsFailure(TlsFailure::HostMismatch), O::Connection, S::S1,
        QStringLiteral("TLS: certificate does not match the host name api.example.com"));
    row("tls host mismatch, serverName", modern, tlsFailure(TlsFailure::HostMismatch), O::Connection, S::S1,
        QStringLiteral("TLS: certificate does not match the host name api.internal"));
    row("tls revoked", e, tlsFailure(TlsFailure::Revoked), O::Connection, S::S1,
        QStringLiteral("TLS: certificate revoked"));
    row("tls protocol", modern, tlsFailure(TlsFailure::Protocol), O::Connection, S::S1,
        QStringLiteral("TLS: no common protocol version or cipher (tls.minVersion 1.3)"));
    row("tls client certificate required", e, tlsFailure(TlsFailure::ClientCertificateRequired), O::Auth, S::S2,
        QStringLiteral("TLS: the server requires a client certificate; none was sent"));
    row("tls client certificate refused", e, tlsFailure(TlsFailure::ClientCertificateRefused), O::Auth, S::S2,
        QStringLiteral("TLS: the server refused the client certificate"));
    row("nginx: no client certificate", e,
        answer(400, {}, "<html><center>No required SSL certificate was sent</center></html>"), O::Auth, S::S2,
        QStringLiteral("HTTP 400: the server requires a client certificate; none was sent"));
    row("nginx: client certificate refused", e,
        answer(400, {}, "<html><center>The SSL certificate error</center></html>"), O::Auth, S::S2,
        QStringLiteral("HTTP 400: the server refused the client certificate"));
    row("protocol error", e, failure(TransportError::ProtocolError, QStringLiteral("Invalid status line")),
        O::Connection, S::S1, QStringLiteral("not a valid HTTP answer: Invalid status line"));
    row("other transport error", e, failure(TransportError::Other, QStringLiteral("Network unreachable")),
        O::Connection, S::S1, QStringLiteral("network error: Network unreachable"));
    row("no status at all", e, answer(0), O::Connection, S::S1, QStringLiteral("no HTTP answer"));

    // S3: pre-validation
    row("invalid request not sent", e,
        failure(
            TransportError::InvalidRequest, QStringLiteral("body is not valid JSON: unterminated object at byte 9"), 0),
        O::Input, S::S3, QStringLiteral("request not sent: body is not valid JSON: unterminated object at byte 9"));

    // Ok
    row("200", e, answer(200), O::Ok, none, QStringLiteral("HTTP 200"));
    row("204", e, answer(204), O::Ok, none, QStringLiteral("HTTP 204"));

    // S1: gateways and 408
    row("502 bad gateway", e, answer(502), O::Connection, S::S1, QStringLiteral("HTTP 502: bad gateway"));
    row("504 gateway timeout", e, answer(504), O::Connection, S::S1, QStringLiteral("HTTP 504: gateway timeout"));
    row("408 request timeout", e, answer(408), O::Timeout, S::S1,
        QStringLiteral("HTTP 408: the server timed out waiting for the request"));

    // S2
    row("401 invalid_token", e, answer(401, { { "WWW-Authenticate", R"(Bearer realm="api", error="invalid_token")" } }),
        O::Auth, S::S2, QStringLiteral("HTTP 401: token invalid or expired (invalid_token)"));
    row("401 invalid_token with description", e,
        answer(401,
            { { "www-authenticate",
                R"(Bearer realm="api", error="invalid_token", error_description="The access token expired")" } }),
        O::Auth, S::S2, QStringLiteral("HTTP 401: token invalid or expired (invalid_token): The access token expired"));
    row("401 invalid_token in second challenge", e,
        answer(401,
            { { "WWW-Authenticate", R"(Basic realm="x")" },
                { "WWW-Authenticate", R"(Bearer error=invalid_token, error_description="bad \"sig\"")" } }),
        O::Auth, S::S2, QStringLiteral("HTTP 401: token invalid or expired (invalid_token): bad \"sig\""));
    row("401 plain", e, answer(401, { { "WWW-Authenticate", R"(Bearer realm="api")" } }), O::Auth, S::S2,
        QStringLiteral("HTTP 401: credential rejected"));
    row("401 other error", e, answer(401, { { "WWW-Authenticate", R"(Bearer error="invalid_request")" } }), O::Auth,
        S::S2, QStringLiteral("HTTP 401: credential rejected (invalid_request)"));
    row("401 without a configured credential", withoutCredential(), answer(401), O::Auth, S::S2,
        QStringLiteral("HTTP 401: authentication required, no credential configured"));
    row("401 body echoing the key is not quoted", e,
        answer(401, {}, R"({"error":{"message":"Incorrect API key provided: sk-live-1234"}})"), O::Auth, S::S2,
        QStringLiteral("HTTP 401: credential rejected"));
    row("403", e, answer(403, {}, R"({"message":"forbidden for sk-live-1234"})"), O::Auth, S::S2,
        QStringLiteral("HTTP 403: permission denied"));
    row("403 insufficient_scope", e,
        answer(403, { { "WWW-Authenticate", R"(Bearer error="insufficient_scope", scope="models:write")" } }), O::Auth,
        S::S2, QStringLiteral("HTTP 403: insufficient scope (needs models:write)"));
    row("407", e, answer(407), O::Auth, S::S2, QStringLiteral("HTTP 407: proxy authentication required"));

    // S3
    row("400", e, answer(400), O::Input, S::S3, QStringLiteral("HTTP 400: bad request"));
    row("400 with OpenAI error message", e,
        answer(400, {}, R"({"error":{"message":"'model' is a required property","type":"invalid_request_error"}})"),
        O::Input, S::S3, QStringLiteral("HTTP 400: bad request: 'model' is a required property"));
    row("422 problem details", e,
        answer(422, { { "Content-Type", "application/problem+json" } },
            R"({"title":"Unprocessable","detail":"temperature must be <= 2"})"),
        O::Input, S::S3, QStringLiteral("HTTP 422: unprocessable content: temperature must be <= 2"));
    row("404", e, answer(404, {}, "<html>Not Found</html>"), O::Input, S::S3, QStringLiteral("HTTP 404: not found"));
    row("405", e, answer(405), O::Input, S::S3, QStringLiteral("HTTP 405: method not allowed"));
    row("411", e, answer(411), O::Input, S::S3, QStringLiteral("HTTP 411: length required"));
    row("413", e, answer(413), O::Input, S::S3, QStringLiteral("HTTP 413: content too large"));
    row("414", e, answer(414), O::Input, S::S3, QStringLiteral("HTTP 414: URI too long"));
    row("415", e, answer(415), O::Input, S::S3, QStringLiteral("HTTP 415: unsupported media type"));
    row("422", e, answer(422), O::Input, S::S3, QStringLiteral("HTTP 422: unprocessable content"));
    row("409 other 4xx is input", e, answer(409), O::Input, S::S3, QStringLiteral("HTTP 409: conflict"));
    row("418 unnamed 4xx is input", e, answer(418), O::Input, S::S3, QStringLiteral("HTTP 418"));

    // S4
    row("429 Retry-After seconds", e, answer(429, { { "Retry-After", "3" } }), O::Throttled, S::S4,
        QStringLiteral("HTTP 429: rate limited, retry after 3 s"), 3'000);
    row("429 Retry-After HTTP-date", e, answer(429, { { "retry-after", "Wed, 01 May 2024 12:01:30 GMT" } }),
        O::Throttled, S::S4, QStringLiteral("HTTP 429: rate limited, retry after 90 s"), 90'000);
    row("429 Retry-After date in the past", e, answer(429, { { "Retry-After", "Wed, 01 May 2024 11:00:00 GMT" } }),
        O::Throttled, S::S4, QStringLiteral("HTTP 429: rate limited, retry after 0 s"), 0);
    row("429 Retry-After huge", e, answer(429, { { "Retry-After", "86400" } }), O::Throttled, S::S4,
        QStringLiteral("HTTP 429: rate limited, retry after 60 min"), 3'600'000);
    row("429 Retry-After garbage", e, answer(429, { { "Retry-After", "soon-ish" } }), O::Throttled, S::S4,
        QStringLiteral("HTTP 429: rate limited"));
    row("429 without Retry-After", e, answer(429, { { "X-RateLimit-Remaining", "0" } }), O::Throttled, S::S4,
        QStringLiteral("HTTP 429: rate limited"), -1, 0);
    row("503 Retry-After", e, answer(503, { { "Retry-After", "120" } }), O::Throttled, S::S4,
        QStringLiteral("HTTP 503: service unavailable, retry after 2 min"), 120'000);
    row("503 without Retry-After", e, answer(503), O::Throttled, S::S4,
        QStringLiteral("HTTP 503: service unavailable"));

    // Rate-limit headers on success
    row("200 RateLimit-Remaining 0", e, answer(200, { { "RateLimit-Remaining", "0" } }), O::Ok, none,
        QStringLiteral("HTTP 200: rate limit exhausted (0 remaining)"), -1, 0);
    row("200 X-RateLimit-Remaining 42", e, answer(200, { { "X-RateLimit-Remaining", "42" } }), O::Ok, none,
        QStringLiteral("HTTP 200"), -1, 42);
    row("200 IETF RateLimit field", e, answer(200, { { "RateLimit", "limit=100, remaining=7, reset=30" } }), O::Ok,
        none, QStringLiteral("HTTP 200"), -1, 7);
    row("200 Retry-After still reported", e, answer(200, { { "Retry-After", "10" } }), O::Ok, none,
        QStringLiteral("HTTP 200"), 10'000);

    // Server errors
    row("500", e, answer(500), O::ServerError, none, QStringLiteral("HTTP 500: internal server error"));
    row("500 with message", e, answer(500, {}, R"({"message":"database unavailable"})"), O::ServerError, none,
        QStringLiteral("HTTP 500: internal server error: database unavailable"));
    row("501", e, answer(501), O::ServerError, none, QStringLiteral("HTTP 501: not implemented"));
    row("599 unnamed 5xx", e, answer(599), O::ServerError, none, QStringLiteral("HTTP 599"));

    // JSON-RPC
    row("jsonrpc result", rpc, answer(200, {}, R"({"jsonrpc":"2.0","id":1,"result":"0x10"})"), O::Ok, none,
        QStringLiteral("HTTP 200"));
    row("jsonrpc -32700 in 200", rpc, answer(200, {}, rpcError(-32700, "Parse error")), O::Input, S::S3,
        QStringLiteral("JSON-RPC error -32700: Parse error"));
    row("jsonrpc -32600 in 200", rpc, answer(200, {}, rpcError(-32600, "Invalid Request")), O::Input, S::S3,
        QStringLiteral("JSON-RPC error -32600: Invalid Request"));
    row("jsonrpc -32601 in 200", rpc, answer(200, {}, rpcError(-32601, "the method eth_foo does not exist")), O::Input,
        S::S3, QStringLiteral("JSON-RPC error -32601: the method eth_foo does not exist"));
    row("jsonrpc -32602 in 200", rpc, answer(200, {}, rpcError(-32602, "Invalid params")), O::Input, S::S3,
        QStringLiteral("JSON-RPC error -32602: Invalid params"));
    row("jsonrpc -32602 without message", rpc, answer(200, {}, rpcError(-32602, QByteArray())), O::Input, S::S3,
        QStringLiteral("JSON-RPC error -32602: invalid params"));
    row("jsonrpc -32602 in 500", rpc, answer(500, {}, rpcError(-32602, "Invalid params")), O::Input, S::S3,
        QStringLiteral("JSON-RPC error -32602: Invalid params"));
    row("jsonrpc -32603 in 200", rpc, answer(200, {}, rpcError(-32603, "Internal error")), O::ServerError, none,
        QStringLiteral("JSON-RPC error -32603: Internal error"));
    row("jsonrpc -32000 in 200", rpc, answer(200, {}, rpcError(-32000, "header not found")), O::ServerError, none,
        QStringLiteral("JSON-RPC error -32000: header not found"));
    row("jsonrpc -32099 in 200", rpc, answer(200, {}, rpcError(-32099, QByteArray())), O::ServerError, none,
        QStringLiteral("JSON-RPC error -32099: server error"));
    row("jsonrpc -32100 outside server range", rpc, answer(200, {}, rpcError(-32100, "reserved")), O::AssertionFailed,
        none, QStringLiteral("JSON-RPC error -32100: reserved"));
    row("jsonrpc application error 3", rpc, answer(200, {}, rpcError(3, "execution reverted")), O::AssertionFailed,
        none, QStringLiteral("JSON-RPC error 3: execution reverted"));
    row("jsonrpc error without code", rpc, answer(200, {}, R"({"jsonrpc":"2.0","id":1,"error":"boom"})"),
        O::AssertionFailed, none, QStringLiteral("HTTP 200: JSON-RPC error without a numeric code"));
    row("jsonrpc 200 not a response", rpc, answer(200, {}, "<html>maintenance</html>"), O::AssertionFailed, none,
        QStringLiteral("HTTP 200: not a JSON-RPC 2.0 response"));
    row("jsonrpc 200 empty body", rpc, answer(200), O::AssertionFailed, none,
        QStringLiteral("HTTP 200: not a JSON-RPC 2.0 response"));
    row("jsonrpc 200 version 1.0", rpc, answer(200, {}, R"({"jsonrpc":"1.0","id":1,"result":1})"), O::AssertionFailed,
        none, QStringLiteral("HTTP 200: not a JSON-RPC 2.0 response"));
    row("jsonrpc 200 truncated", rpc, truncated(answer(200, {}, R"({"jsonrpc":"2.0","id":1,"res)"), 70'000),
        O::AssertionFailed, none, QStringLiteral("HTTP 200: not a JSON-RPC 2.0 response (body cut at 28 bytes)"));
    row("jsonrpc batch with an error", rpc,
        answer(200, {},
            R"([{"jsonrpc":"2.0","id":1,"result":1},{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"Method not found"}}])"),
        O::Input, S::S3, QStringLiteral("JSON-RPC error -32601: Method not found"));
    row("jsonrpc batch of results", rpc,
        answer(200, {}, R"([{"jsonrpc":"2.0","id":1,"result":1},{"jsonrpc":"2.0","id":2,"result":2}])"), O::Ok, none,
        QStringLiteral("HTTP 200"));
    row("jsonrpc 500 not a response", rpc, answer(500, {}, "oops"), O::ServerError, none,
        QStringLiteral("HTTP 500: internal server error"));
    row("jsonrpc 401", rpc, answer(401, {}, rpcError(-32000, "unauthorized")), O::Auth, S::S2,
        QStringLiteral("HTTP 401: credential rejected"));
    row("jsonrpc 429", rpc, answer(429, { { "Retry-After", "1" } }), O::Throttled, S::S4,
        QStringLiteral("HTTP 429: rate limited, retry after 1 s"), 1'000);
    row("http endpoint ignores a jsonrpc error", e, answer(200, {}, rpcError(-32602, "Invalid params")), O::Ok, none,
        QStringLiteral("HTTP 200"));

    // Error-code map
    const QList<ErrorCodeRule> rules { { 500100, 500199, S::S1 }, { 40100, 40199, S::S2 }, { 40000, 40099, S::S3 },
        { 42900, 42999, S::S4 }, { -32005, -32005, S::S4 } };
    const auto mapped = mapping(QStringLiteral("/error/code"), rules);
    row("error code 500102 in 500 maps to S1", mapped,
        answer(500, {}, R"({"error":{"code":500102,"message":"upstream timeout"}})"), O::Connection, S::S1,
        QStringLiteral("HTTP 500: error code 500102 (S1): upstream timeout"));
    row("error code as string in 200 maps to S2", mapped,
        answer(200, {}, R"({"error":{"code":"40101","message":"token revoked sk-live"}})"), O::Auth, S::S2,
        QStringLiteral("HTTP 200: error code 40101 (S2)"));
    row("error code maps to S3 over 401", mapped, answer(401, {}, R"({"error":{"code":40001}})"), O::Input, S::S3,
        QStringLiteral("HTTP 401: error code 40001 (S3)"));
    row("error code maps to S4 with Retry-After", mapped,
        answer(200, { { "Retry-After", "5" } }, R"({"error":{"code":42901}})"), O::Throttled, S::S4,
        QStringLiteral("HTTP 200: error code 42901 (S4), retry after 5 s"), 5'000);
    row("error code range bounds inclusive", mapped, answer(200, {}, R"({"error":{"code":500199}})"), O::Connection,
        S::S1, QStringLiteral("HTTP 200: error code 500199 (S1)"));
    row("error code outside ranges falls back", mapped,
        answer(500, {}, R"({"error":{"code":500200,"message":"disk full"}})"), O::ServerError, none,
        QStringLiteral("HTTP 500: internal server error: disk full"));
    row("error code with fraction ignored", mapped, answer(200, {}, R"({"error":{"code":500101.5}})"), O::Ok, none,
        QStringLiteral("HTTP 200"));
    row("error code pointer missing", mapped, answer(200, {}, R"({"ok":true})"), O::Ok, none,
        QStringLiteral("HTTP 200"));
    row("error code in non-JSON body", mapped, answer(502, {}, "<html>502</html>"), O::Connection, S::S1,
        QStringLiteral("HTTP 502: bad gateway"));
    row("error code map wins over jsonrpc", mapping(QStringLiteral("/error/code"), rules, rpc),
        answer(200, {}, rpcError(-32005, "limit exceeded")), O::Throttled, S::S4,
        QStringLiteral("HTTP 200: error code -32005 (S4): limit exceeded"));
    row("error code in array by index", mapping(QStringLiteral("/errors/0/code"), rules),
        answer(200, {}, R"({"errors":[{"code":40002,"message":"amount must be positive"}]})"), O::Input, S::S3,
        QStringLiteral("HTTP 200: error code 40002 (S3): amount must be positive"));

    // Expectations: status
    row("expect 201 got 200", expecting({ 201 }), answer(200), O::AssertionFailed, none,
        QStringLiteral("HTTP 200: expected 201"));
    row("expect 200 or 204 got 202", expecting({ 200, 204 }), answer(202), O::AssertionFailed, none,
        QStringLiteral("HTTP 202: expected 200 or 204"));
    row("expect one of three got 206", expecting({ 200, 201, 202 }), answer(206), O::AssertionFailed, none,
        QStringLiteral("HTTP 206: expected one of 200, 201, 202"));
    row("301 with default expectations", e, answer(301, { { "Location", "https://example.com/" } }), O::AssertionFailed,
        none, QStringLiteral("HTTP 301: expected 2xx"));
    row("404 listed in expectStatus", expecting({ 404 }), answer(404), O::Ok, none, QStringLiteral("HTTP 404"));
    row("401 listed in expectStatus", expecting({ 401 }), answer(401), O::Ok, none, QStringLiteral("HTTP 401"));
    row("500 not listed is a server error", expecting({ 200 }), answer(500), O::ServerError, none,
        QStringLiteral("HTTP 500: internal server error"));
    row("429 not listed is throttled", expecting({ 200 }), answer(429), O::Throttled, S::S4,
        QStringLiteral("HTTP 429: rate limited"));

    // Expectations: body checks
    const auto completion = checking({ pointerCheck(QStringLiteral("/object"), QStringLiteral("chat.completion")),
        containsCheck(QStringLiteral("choices")) });
    const QByteArray goodBody(R"({"object":"chat.completion","choices":[{"index":0}]})");
    row("checks pass", completion, answer(200, {}, goodBody), O::Ok, none, QStringLiteral("HTTP 200"));
    row("pointer equals mismatch", completion, answer(200, {}, R"({"object":"text_completion","choices":[]})"),
        O::AssertionFailed, none,
        QStringLiteral("HTTP 200: check failed: /object is \"text_completion\", expected \"chat.completion\""));
    row("pointer missing", completion, answer(200, {}, R"({"choices":[]})"), O::AssertionFailed, none,
        QStringLiteral("HTTP 200: check failed: /object is missing"));
    row("pointer check on a non-JSON body", completion, answer(200, {}, "<html>choices</html>"), O::AssertionFailed,
        none, QStringLiteral("HTTP 200: check failed: /object: body is not JSON"));
    row("second check named when first passes", completion, answer(200, {}, R"({"object":"chat.completion"})"),
        O::AssertionFailed, none, QStringLiteral("HTTP 200: check failed: body does not contain \"choices\""));
    row("pointer check on a truncated body", completion,
        truncated(answer(200, {}, R"({"object":"chat.completion","choi)"), 100'000), O::AssertionFailed, none,
        QStringLiteral("HTTP 200: check failed: /object: body is not JSON (body cut at 33 bytes)"));
    row("contains fails on a truncated body", checking({ containsCheck(QStringLiteral("usage")) }),
        truncated(answer(200, {}, R"({"object":"chat.completion","choi)"), 100'000), O::AssertionFailed, none,
        QStringLiteral("HTTP 200: check failed: body does not contain \"usage\" (body cut at 33 bytes)"));
    row("contains passes on a truncated body", checking({ containsCheck(QStringLiteral("chat.completion")) }),
        truncated(answer(200, {}, R"({"object":"chat.completion","choi)"), 100'000), O::Ok, none,
        QStringLiteral("HTTP 200"));
    row("pointer equals number 1 vs 1.0", checking({ pointerCheck(QStringLiteral("/n"), 1) }),
        answer(200, {}, R"({"n":1.0})"), O::Ok, none, QStringLiteral("HTTP 200"));
    row("pointer equals string vs number", checking({ pointerCheck(QStringLiteral("/n"), QStringLiteral("1")) }),
        answer(200, {}, R"({"n":1})"), O::AssertionFailed, none,
        QStringLiteral("HTTP 200: check failed: /n is 1, expected \"1\""));
    row("pointer equals object",
        checking({ pointerCheck(QStringLiteral("/s"), QJsonObject { { QStringLiteral("up"), true } }) }),
        answer(200, {}, R"({"s":{"up":false}})"), O::AssertionFailed, none,
        QStringLiteral("HTTP 200: check failed: /s is {\"up\":false}, expected {\"up\":true}"));
    row("pointer equals null", checking({ pointerCheck(QStringLiteral("/error"), QJsonValue(QJsonValue::Null)) }),
        answer(200, {}, R"({"error":null})"), O::Ok, none, QStringLiteral("HTTP 200"));
    row("checks run on an expected 404", checking({ containsCheck(QStringLiteral("not found")) }, expecting({ 404 })),
        answer(404, {}, "gone"), O::AssertionFailed, none,
        QStringLiteral("HTTP 404: check failed: body does not contain \"not found\""));
    row("checks not run on a signal", completion, answer(503), O::Throttled, S::S4,
        QStringLiteral("HTTP 503: service unavailable"));
}

void TestClassifier::classify()
{
    QFETCH(EndpointConfig, endpoint);
    QFETCH(ProbeFacts, facts);
    QFETCH(Outcome, outcome);
    QFETCH(FailureSignal, signal);
    QFETCH(QString, reason);
    QFETCH(qint64, retryAfterMs);
    QFETCH(qint64, remaining);

    const Classification c = sd::classify(endpoint, facts, kNow);
    QCOMPARE(c.reason, reason);
    QCOMPARE(outcomeCode(c.outcome), outcomeCode(outcome));
    QCOMPARE(signalCode(c.signal), signalCode(signal));
    QCOMPARE(c.retryAfter.has_value(), retryAfterMs >= 0);
    if (c.retryAfter)
        QCOMPARE(c.retryAfter->count(), retryAfterMs);
    QCOMPARE(c.rateLimitRemaining, remaining);
}

void TestClassifier::everyDesignRowHasItsSignal()
{
    // The docs/SIGNALS.md table, column "raised by", one status per signal.
    const QList<std::pair<int, FailureSignal>> table { { 502, FailureSignal::S1 }, { 504, FailureSignal::S1 },
        { 401, FailureSignal::S2 }, { 403, FailureSignal::S2 }, { 407, FailureSignal::S2 }, { 400, FailureSignal::S3 },
        { 404, FailureSignal::S3 }, { 405, FailureSignal::S3 }, { 411, FailureSignal::S3 }, { 413, FailureSignal::S3 },
        { 414, FailureSignal::S3 }, { 415, FailureSignal::S3 }, { 422, FailureSignal::S3 }, { 429, FailureSignal::S4 },
        { 503, FailureSignal::S4 }, { 500, FailureSignal::None }, { 200, FailureSignal::None } };
    for (const auto& [status, signal] : table) {
        const Classification c = sd::classify(httpEndpoint(), answer(status), kNow);
        QVERIFY2(c.signal == signal, qPrintable(QStringLiteral("HTTP %1 gave %2").arg(status).arg(c.reason)));
        QCOMPARE(defaultSignalFor(c.outcome), signal);
    }
}

void TestClassifier::longServerMessagesAreShortened()
{
    const QByteArray message(500, 'x');
    const Classification c = sd::classify(httpEndpoint(), answer(400, {}, R"({"message":")" + message + R"("})"), kNow);
    QVERIFY2(c.reason.size() < 200, qPrintable(c.reason));
    QVERIFY(c.reason.startsWith(QStringLiteral("HTTP 400: bad request: xxx")));
}

QTEST_GUILESS_MAIN(TestClassifier)
#include "tst_classifier.moc"
