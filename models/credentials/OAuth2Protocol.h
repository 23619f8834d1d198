// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <chrono>
#include <optional>

/// The client credentials grant of OAuth 2.0 (RFC 6749 §4.4) as pure functions: the request a client sends
/// and what the token endpoint's answer means. No network, no clock, so every case is tested on its own.
namespace sd {

/// What a token endpoint answered. On success `accessToken` is set (it must never be logged) and `error` is
/// empty; otherwise `error` says why in words fit for an S2 reason, never holding a secret:
/// "invalid_client client authentication failed (HTTP 401)".
struct OAuth2TokenResponse {
    QByteArray accessToken;
    std::optional<std::chrono::seconds> expiresIn; ///< nullopt when the answer gave none
    QString error;
    bool ok() const { return error.isEmpty(); }
};

/// `grant_type=client_credentials&client_id=ID[&scope=SCOPE]`, form-urlencoded. The client id is sent in the
/// body as well as in the Basic header because some identity providers want it there.
QByteArray clientCredentialsBody(const QString& clientId, const QString& scope);

/// The `Authorization` value for client authentication with HTTP Basic (RFC 6749 §2.3.1): id and secret
/// each form-urlencoded, then joined with ':' and base64-encoded.
QByteArray basicClientAuthorization(const QString& clientId, const QByteArray& clientSecret);

/// Reads a token endpoint's answer: status `httpStatus`, phrase `reasonPhrase` (may be empty), `body`.
/// A 2xx answer must be a JSON object with a non-empty one-line `access_token`, a `token_type` of Bearer
/// when one is given, and a positive `expires_in` (a number, or a numeric string as some providers send)
/// when one is given. Any other answer is an error built from its `error` and `error_description`
/// (shortened, one line), or from the status when it has none.
OAuth2TokenResponse parseTokenResponse(int httpStatus, const QString& reasonPhrase, const QByteArray& body);

} // namespace sd
