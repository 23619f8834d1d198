// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace sd {

/// Removes secrets from text before it is logged or shown: the values of Authorization,
/// Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key and any configured secret header ("Name: value" or
/// "Name=value" forms), Bearer/Basic credentials wherever they appear, and userinfo in URLs.
/// Each secret is replaced by "<redacted>". Header names are matched case-insensitively. The patterns are
/// compiled once (per list of extra header names), not per call.
QString redactSecrets(const QString& text, const QStringList& extraSecretHeaders = {});

/// The secret values themselves (credential secrets, OAuth2 tokens, client secrets), in every form a
/// server may echo them back in: raw, base64 (standard and URL-safe, with and without padding),
/// percent-encoded (either case), JSON-escaped, and the password of a "user:password" secret. Patterns
/// cannot know what an arbitrary token looks like; this can. Text that came from a server goes through
/// redact() before it is stored, shown, logged or printed. Secrets shorter than 4 bytes are ignored
/// (they would redact ordinary words). A value type: cheap to copy, safe to use from any thread.
class KnownSecrets {
public:
    KnownSecrets() = default;
    explicit KnownSecrets(const QList<QByteArray>& secrets);

    bool isEmpty() const { return m_forms.isEmpty(); }
    /// Every form of every secret replaced by "<redacted>".
    QString redact(const QString& text) const;
    QByteArray redact(const QByteArray& bytes) const;
    /// Whether any form of any secret occurs in `bytes`.
    bool occursIn(QByteArrayView bytes) const;
    /// The forms searched for, longest first (tests grep outputs for all of them).
    const QList<QByteArray>& forms() const { return m_forms; }

    /// The forms of one secret, as above.
    static QList<QByteArray> formsOf(const QByteArray& secret);

private:
    QList<QByteArray> m_forms; ///< longest first, so that a form never hides a longer one
};

/// A URL safe to show: no userinfo, and the values of secret-looking query items (token, key, apikey,
/// api_key, access_token, secret, password, sig, signature) replaced by "REDACTED".
QString redactedUrl(const QUrl& url);

/// The header names redacted by default, lower case.
QStringList defaultSecretHeaderNames();

} // namespace sd
