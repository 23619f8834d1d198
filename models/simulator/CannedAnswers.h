// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "simulator/SimulatedAnswer.h"

#include <QUrlQuery>

#include <chrono>
#include <optional>

/// The fixed answers of the simulator's HTTP routes, as pure functions: each returns exactly what a route
/// sends, so tests and the route table agree on one definition. Bodies are compact JSON shaped like the
/// errors of real APIs (an `error` object with `code` and `message`).
namespace sd::canned {

/// Longest `?delay=` honoured (10 minutes); larger values are clamped.
inline constexpr std::chrono::milliseconds kMaxDelay { 600'000 };
/// Delay of `/slow` without `?delay=`.
inline constexpr std::chrono::milliseconds kSlowDelay { 1'500 };

/// `?delay=MS` as a duration, clamped to [0, kMaxDelay]; nullopt when absent or not a number.
std::optional<std::chrono::milliseconds> requestedDelay(const QUrlQuery& query);
/// `?rate=` for `/flaky` clamped to [0, 1]; `fallback` when absent or not a number.
double requestedRate(const QUrlQuery& query, double fallback);

/// 200 `{"object":"chat.completion","choices":[{"message":{"content":"pong"}}]}`.
SimulatedAnswer healthy();
/// 401 with `WWW-Authenticate: Bearer error="invalid_token", error_description="The access token expired"`.
SimulatedAnswer authInvalid();
/// 401 for a route that accepts only the simulator's current tokens: `presented` false means no token
/// came (`WWW-Authenticate: Bearer realm="simulator"`), true a token that is not accepted
/// (`error="invalid_token"`). The body never echoes the token.
SimulatedAnswer tokenRejected(bool presented);
/// 302 to the `to` query item (an absolute http(s) URL; `status=307` etc. picks another 3xx); 400 without one.
SimulatedAnswer redirect(const QUrlQuery& query);
/// 403 insufficient scope.
SimulatedAnswer authForbidden();
/// 400 malformed request body.
SimulatedAnswer input400();
/// 422 validation error with field details.
SimulatedAnswer input422();
/// 429 with `Retry-After: retryAfterSeconds` and exhausted `RateLimit-*` headers.
SimulatedAnswer throttled(int retryAfterSeconds);
/// 503 with `Retry-After: 5`.
SimulatedAnswer unavailable();
/// 500 internal error.
SimulatedAnswer serverError();
/// 502 or 504 from a gateway (any other code is answered as 502).
SimulatedAnswer gateway(int status);
/// Any status in 200..599 with `{"status":code}` (no body for 204, 205 and 304); 400 for other codes.
SimulatedAnswer status(int code);
/// 200 with a JSON body of exactly kBigBodyBytes.
SimulatedAnswer big();
inline constexpr qsizetype kBigBodyBytes = qsizetype { 1024 } * 1024;
/// 200 carrying the business error `{"error":{"code":500102,"message":"upstream model busy"}}`.
SimulatedAnswer business();
/// 404 for an unknown path; `hint` (may be empty) says where the route lives instead.
SimulatedAnswer notFound(const QString& path, const QString& hint);

} // namespace sd::canned
