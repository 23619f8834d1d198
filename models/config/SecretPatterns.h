// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringView>

namespace sd {

/// Heuristics that keep secrets out of the config file (they belong in a credential, whose secret lives
/// in the OS keychain). isSecretFieldName() is true for header or query-parameter names that carry
/// secrets: `Authorization`, `Proxy-Authorization`, `Cookie`, `Key`, `Sig` and `Signature`, and any name containing
/// `token`, `secret`, `password`, `passwd`, `api-key`, `apikey`, `access-key`, `private-key`, `subscription-key`,
/// `session`, `credential` or `x-auth` (case-insensitive; `_` counts as `-`). looksLikeSecret() is true
/// for values that look like one: an HTTP auth scheme prefix (`Bearer …`, `Basic …`, `Token …`,
/// `Digest …`), a JWT, a well-known API key prefix (`sk-`, `ghp_`, `xoxb-`, `AKIA`, `AIza`, …) on a long
/// token, or a long random-looking token (32+ characters mixing upper case, lower case and digits).
bool isSecretFieldName(QStringView name);
bool looksLikeSecret(QStringView value);

} // namespace sd
