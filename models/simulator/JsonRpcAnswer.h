// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

/// The simulator's JSON-RPC 2.0 endpoint as pure functions from a request body to a response body. Every
/// answer travels in HTTP 200, as JSON-RPC over HTTP does, so only the body tells a failure apart.
namespace sd::jsonrpc {

inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;

/// Answers `/jsonrpc`: method `ping` (params absent or an object) returns `"pong"`; ping with other params
/// -32602; any other method -32601; an invalid envelope -32600; a body that is not JSON -32700. Batches
/// (arrays) are answered element by element. Notifications (no `id`) get no answer: the result is then
/// empty, which the route sends as 204.
QByteArray answer(QByteArrayView requestBody);

/// Answers `/jsonrpc/invalid-params`: always error -32602, echoing the request's `id` when there is one.
QByteArray answerInvalidParams(QByteArrayView requestBody);

} // namespace sd::jsonrpc
