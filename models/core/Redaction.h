// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>
#include <QUrl>

namespace sd {

/// Removes secrets from text before it is logged or shown: the values of Authorization,
/// Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key and any configured secret header ("Name: value" or
/// "Name=value" forms), Bearer/Basic credentials wherever they appear, and userinfo in URLs.
/// Each secret is replaced by "<redacted>". Header names are matched case-insensitively.
QString redactSecrets(const QString& text, const QStringList& extraSecretHeaders = {});

/// A URL safe to show: no userinfo, and the values of secret-looking query items (token, key, apikey,
/// api_key, access_token, secret, password, sig, signature) replaced by "REDACTED".
QString redactedUrl(const QUrl& url);

/// The header names redacted by default, lower case.
QStringList defaultSecretHeaderNames();

} // namespace sd
