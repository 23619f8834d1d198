// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"

#include <QString>

namespace sd {

/// Checks a request before it is sent (docs/SIGNALS.md, S3 "Pre-validation"). Returns
/// an empty string when the request may go out, otherwise a short reason why it is not sent:
/// - a JSON-RPC endpoint that does not use POST or has no body;
/// - a POST body that claims to be JSON (a Content-Type containing "json", or kind jsonrpc) but does not
///   parse; an empty body is accepted for plain HTTP, since nothing that is not JSON is sent;
/// - a JSON-RPC body that is not a request envelope `{"jsonrpc": "2.0", "method": string, "id": string |
///   number | null}` (with `params`, when present, an object or array), or a non-empty batch array of
///   such. A notification (no `id`) is rejected: the server sends no answer to judge.
/// The transport reports a non-empty result as TransportError::InvalidRequest with this text as detail.
QString validateRequest(const EndpointConfig& endpoint);

} // namespace sd
