// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>
#include <utility>

namespace sd {

/// The header that carries `secret` for a credential `scheme`: `bearer` → `Authorization: Bearer <secret>`;
/// `basic` → `Authorization: Basic <base64 of secret>` (the secret is `user:password`); `header:NAME` →
/// `NAME: <secret>`. nullopt for an unknown scheme. The result holds the secret: never log it.
std::optional<std::pair<QByteArray, QByteArray>> credentialHeader(const QString& scheme, const QByteArray& secret);

} // namespace sd
