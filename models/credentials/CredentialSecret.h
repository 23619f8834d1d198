// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"

#include <QByteArrayView>
#include <QDateTime>
#include <QString>

#include <optional>

/// Pure functions about a secret that never reveal it: its fingerprint, its JWT expiry, whether it fits
/// a scheme, and the metadata a new secret gives a credential.
namespace sd {

/// The first 8 hex digits (lower case) of the SHA-256 of `secret`: enough to tell two secrets apart in a
/// list or an audit trail, far too little to recover or guess one.
QString credentialFingerprint(QByteArrayView secret);

/// The `exp` claim of a JWT (three base64url segments; the payload is decoded, the signature never
/// verified), in UTC. nullopt when `secret` is not a JWT or has no numeric `exp`.
std::optional<QDateTime> jwtExpiry(QByteArrayView secret);

/// Why `secret` cannot be used with `scheme` ("bearer", "basic", "header:NAME"), or empty when it can:
/// it must not be empty or hold line breaks (it becomes a header value), and for basic it is
/// `user:password`.
QString secretProblem(const QString& scheme, QByteArrayView secret);

/// Records in `credential` that `secret` became its secret at `nowUtc`: fingerprint, expiry, rotated
/// time (and created time when it had none). Times are kept to whole seconds, as the config stores them.
void recordNewSecret(CredentialConfig& credential, QByteArrayView secret, const QDateTime& nowUtc);

} // namespace sd
