// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "simulator/SimulatedAnswer.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <chrono>

namespace sd {

/// The simulator's OAuth2 identity provider: a client-credentials token endpoint (RFC 6749 §4.4) and the
/// check of the access tokens it issued. One client is known (setClient); it authenticates with HTTP Basic
/// (§2.3.1) or with `client_id` and `client_secret` in the form body. Tokens are random, live `lifetime`
/// and can all be revoked at once; the endpoint can be switched "down" (503). Time is passed in, so what it
/// answers is a pure function of its state and the request. Not thread-safe: the Simulator guards it.
class OAuthTokenIssuer {
public:
    using Clock = std::chrono::steady_clock;

    /// The client that may ask for tokens, and how long its tokens live. An empty id accepts nobody.
    void setClient(const QString& clientId, const QByteArray& clientSecret, std::chrono::seconds lifetime);
    /// true: every token request gets 503 `temporarily_unavailable` (an identity-provider outage).
    void setDown(bool down) { m_down = down; }
    bool isDown() const { return m_down; }
    /// Forgets every issued token: the next request that presents one gets 401 `invalid_token`.
    void revokeAll() { m_tokens.clear(); }
    /// Tokens issued so far (revoked and expired ones included).
    int issuedCount() const { return m_issued; }
    void resetIssuedCount() { m_issued = 0; }

    /// The answer to `POST /oauth/token`: 200 `{"access_token","token_type":"Bearer","expires_in","scope"}`,
    /// 400 `invalid_request`/`unsupported_grant_type`, 401 `invalid_client` (with `WWW-Authenticate: Basic`),
    /// 405 when `post` is false (another method), 503 when down. Never echoes a secret.
    SimulatedAnswer tokenAnswer(
        bool post, const QByteArray& authorization, const QByteArray& body, Clock::time_point now);
    /// The answer of a protected route: 200 for `Authorization: Bearer <an issued, unexpired token>`, else 401.
    SimulatedAnswer protectedAnswer(const QByteArray& authorization, Clock::time_point now) const;

private:
    QString m_clientId;
    QByteArray m_clientSecret;
    std::chrono::seconds m_lifetime { 3600 };
    bool m_down = false;
    int m_issued = 0;
    QHash<QByteArray, Clock::time_point> m_tokens; ///< issued token → expiry
};

} // namespace sd
