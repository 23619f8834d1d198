// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Redaction.h"

#include <QRegularExpression>
#include <QUrlQuery>

namespace sd {

QStringList defaultSecretHeaderNames()
{
    return { QStringLiteral("authorization"), QStringLiteral("proxy-authorization"), QStringLiteral("cookie"),
        QStringLiteral("set-cookie"), QStringLiteral("x-api-key"), QStringLiteral("api-key"),
        QStringLiteral("x-auth-token") };
}

QString redactSecrets(const QString& text, const QStringList& extraSecretHeaders)
{
    QString out = text;
    static const QRegularExpression scheme(
        QStringLiteral(R"((\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=\-]+)"), QRegularExpression::CaseInsensitiveOption);
    out.replace(scheme, QStringLiteral("\\1<redacted>"));

    QStringList names = defaultSecretHeaderNames();
    for (const QString& h : extraSecretHeaders)
        names.append(QRegularExpression::escape(h.toLower()));
    const QRegularExpression headers(
        QStringLiteral(R"((\b(?:%1)\b["']?\s*[:=]\s*["']?)(?!<redacted>)[^\r\n"',;]+)").arg(names.join(u'|')),
        QRegularExpression::CaseInsensitiveOption);
    out.replace(headers, QStringLiteral("\\1<redacted>"));

    static const QRegularExpression userinfo(
        QStringLiteral(R"(([a-z][a-z0-9+.\-]*://)[^/\s@]+@)"), QRegularExpression::CaseInsensitiveOption);
    out.replace(userinfo, QStringLiteral("\\1<redacted>@"));
    return out;
}

QString redactedUrl(const QUrl& url)
{
    static const QStringList secretKeys { QStringLiteral("token"), QStringLiteral("key"), QStringLiteral("apikey"),
        QStringLiteral("api_key"), QStringLiteral("access_token"), QStringLiteral("secret"), QStringLiteral("password"),
        QStringLiteral("sig"), QStringLiteral("signature") };
    QUrl clean = url.adjusted(QUrl::RemoveUserInfo);
    if (clean.hasQuery()) {
        QUrlQuery query(clean);
        auto items = query.queryItems(QUrl::FullyEncoded);
        for (auto& [key, value] : items) {
            if (secretKeys.contains(key.toLower()))
                value = QStringLiteral("REDACTED");
        }
        query.setQueryItems(items);
        clean.setQuery(query);
    }
    return clean.toString(QUrl::FullyEncoded);
}

} // namespace sd
