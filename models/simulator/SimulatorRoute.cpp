// SPDX-License-Identifier: GPL-3.0-or-later
#include "simulator/SimulatorRoute.h"

namespace sd {

const QList<SimulatorRoute>& SimulatorRoute::all()
{
    static const QList<SimulatorRoute> routes {
        { QStringLiteral("/healthy"),
            QStringLiteral("200 chat.completion \"pong\" after the configured healthy latency") },
        { QStringLiteral("/slow"), QStringLiteral("200 after 1500 ms (or ?delay=MS)") },
        { QStringLiteral("/auth/invalid"),
            QStringLiteral("401 with WWW-Authenticate: Bearer error=\"invalid_token\" (S2)") },
        { QStringLiteral("/auth/forbidden"), QStringLiteral("403 insufficient scope (S2)") },
        { QStringLiteral("/auth/bearer"),
            QStringLiteral("200 only with Authorization: Bearer <an accepted token>, else 401 (S2); tokens are set by "
                           "the embedding program") },
        { QStringLiteral("/auth/api-key"),
            QStringLiteral("200 only with X-Api-Key: <an accepted token>, else 401 (S2)") },
        { QStringLiteral("/oauth/token"),
            QStringLiteral("POST OAuth2 client credentials grant (Basic or form client auth): a random access token "
                           "for the client the embedding program set; 401 invalid_client, 503 when switched down") },
        { QStringLiteral("/oauth/protected"),
            QStringLiteral("200 only with Authorization: Bearer <a token /oauth/token issued, unexpired and not "
                           "revoked>, else 401 invalid_token (S2)") },
        { QStringLiteral("/redirect"), QStringLiteral("302 (or ?status=301/303/307/308) to ?to=URL") },
        { QStringLiteral("/input/400"), QStringLiteral("400 malformed request (S3)") },
        { QStringLiteral("/input/422"), QStringLiteral("422 validation error (S3)") },
        { QStringLiteral("/jsonrpc"),
            QStringLiteral("POST JSON-RPC 2.0: ping -> \"pong\"; -32700/-32600/-32601/-32602 inside HTTP 200") },
        { QStringLiteral("/jsonrpc/invalid-params"),
            QStringLiteral("JSON-RPC error -32602 inside HTTP 200, always (S3)") },
        { QStringLiteral("/throttle"),
            QStringLiteral("token bucket 5 req/s, burst 5: then 429 + Retry-After; RateLimit-* on every answer (S4)") },
        { QStringLiteral("/throttle/always"), QStringLiteral("429 with Retry-After: 3, always (S4)") },
        { QStringLiteral("/unavailable"), QStringLiteral("503 with Retry-After: 5 (S4)") },
        { QStringLiteral("/flaky"), QStringLiteral("500 with probability ?rate= (default 0.3), else 200") },
        { QStringLiteral("/server-error"), QStringLiteral("500, always") },
        { QStringLiteral("/gateway/502"), QStringLiteral("502 Bad Gateway (S1)") },
        { QStringLiteral("/gateway/504"), QStringLiteral("504 Gateway Timeout (S1)") },
        { QStringLiteral("/status/{code}"), QStringLiteral("any status 200-599 with {\"status\":code}") },
        { QStringLiteral("/big"), QStringLiteral("200 with a 1 MiB JSON body") },
        { QStringLiteral("/scenario"),
            QStringLiteral("60 s cycle: healthy 0-10 s, S1 10-20, S2 20-30, S3 30-40, S4 40-50, healthy 50-60") },
        { QStringLiteral("/business"), QStringLiteral("200 with business error {\"error\":{\"code\":500102}}") },
        { QStringLiteral("/hang"), QStringLiteral("reads the request, never answers (S1 timeout)"), true },
        { QStringLiteral("/close"), QStringLiteral("sends half a response, then closes (S1)"), true },
        { QStringLiteral("/reset"), QStringLiteral("aborts the connection with a TCP RST (S1)"), true },
        { QStringLiteral("/garbage"), QStringLiteral("answers bytes that are not HTTP, then closes (S1)"), true },
    };
    return routes;
}

bool SimulatorRoute::isRawFault(QStringView path)
{
    const QStringView bare = path.left(path.indexOf(u'?'));
    return bare == u"/hang" || bare == u"/close" || bare == u"/reset" || bare == u"/garbage";
}

} // namespace sd
