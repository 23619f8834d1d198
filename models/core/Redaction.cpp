// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Redaction.h"

#include <QHash>
#include <QMutex>
#include <QRegularExpression>
#include <QUrlQuery>

#include <algorithm>

namespace sd {

namespace {

constexpr qsizetype kMinSecretLength = 4;
constexpr auto kRedacted = "<redacted>";

QRegularExpression compileHeaderPattern(const QStringList& extraSecretHeaders)
{
    QStringList names = defaultSecretHeaderNames();
    for (const QString& h : extraSecretHeaders)
        names.append(QRegularExpression::escape(h.toLower()));
    QRegularExpression re(
        QStringLiteral(R"((\b(?:%1)\b["']?\s*[:=]\s*["']?)(?!<redacted>)[^\r\n"',;]+)").arg(names.join(u'|')),
        QRegularExpression::CaseInsensitiveOption);
    re.optimize();
    return re;
}

/// The header pattern for a list of extra names, compiled on first use and kept (the lists in use are
/// few: the defaults, and the config's header:NAME credentials).
QRegularExpression headerPattern(const QStringList& extraSecretHeaders)
{
    if (extraSecretHeaders.isEmpty()) {
        static const QRegularExpression defaults = compileHeaderPattern({});
        return defaults;
    }
    static QMutex mutex;
    static QHash<QStringList, QRegularExpression> cache;
    QMutexLocker lock(&mutex);
    const auto it = cache.constFind(extraSecretHeaders);
    if (it != cache.cend())
        return *it;
    if (cache.size() > 32)
        cache.clear();
    return *cache.insert(extraSecretHeaders, compileHeaderPattern(extraSecretHeaders));
}

/// Replaces `needle` in `haystack`, ASCII case-insensitively when asked (percent-encoded hex digits).
void replaceAll(QByteArray& haystack, const QByteArray& needle, bool caseInsensitive)
{
    if (!caseInsensitive) {
        haystack.replace(needle, kRedacted);
        return;
    }
    const QByteArray lowerHaystack = haystack.toLower();
    const QByteArray lowerNeedle = needle.toLower();
    if (!lowerHaystack.contains(lowerNeedle))
        return;
    QByteArray out;
    qsizetype from = 0;
    for (qsizetype at = lowerHaystack.indexOf(lowerNeedle); at >= 0; at = lowerHaystack.indexOf(lowerNeedle, from)) {
        out += QByteArrayView(haystack).sliced(from, at - from);
        out += kRedacted;
        from = at + needle.size();
    }
    out += QByteArrayView(haystack).sliced(from);
    haystack = out;
}

bool isPercentForm(const QByteArray& form)
{
    return form.contains('%');
}

} // namespace

QList<QByteArray> KnownSecrets::formsOf(const QByteArray& secret)
{
    QList<QByteArray> forms;
    const auto add = [&forms](const QByteArray& form) {
        if (form.size() >= kMinSecretLength && !forms.contains(form))
            forms.append(form);
    };
    const auto addEncodings = [&add](const QByteArray& value) {
        add(value);
        add(value.toBase64());
        add(value.toBase64(QByteArray::OmitTrailingEquals));
        add(value.toBase64(QByteArray::Base64UrlEncoding));
        add(value.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        add(QUrl::toPercentEncoding(QString::fromUtf8(value)));
        QByteArray json = value;
        json.replace('\\', "\\\\").replace('"', "\\\"").replace('/', "\\/");
        add(json);
    };
    if (secret.size() < kMinSecretLength)
        return forms;
    addEncodings(secret);
    // "user:password" (basic): the password alone may be echoed too.
    if (const qsizetype colon = secret.indexOf(':'); colon > 0 && secret.size() - colon - 1 >= kMinSecretLength)
        addEncodings(secret.mid(colon + 1));
    return forms;
}

KnownSecrets::KnownSecrets(const QList<QByteArray>& secrets)
{
    for (const QByteArray& secret : secrets) {
        for (const QByteArray& form : formsOf(secret)) {
            if (!m_forms.contains(form))
                m_forms.append(form);
        }
    }
    std::stable_sort(
        m_forms.begin(), m_forms.end(), [](const QByteArray& a, const QByteArray& b) { return a.size() > b.size(); });
}

bool KnownSecrets::occursIn(QByteArrayView bytes) const
{
    if (bytes.isEmpty())
        return false;
    const QByteArray lower = bytes.toByteArray().toLower();
    return std::any_of(m_forms.cbegin(), m_forms.cend(), [&](const QByteArray& form) {
        return isPercentForm(form) ? lower.contains(form.toLower()) : bytes.contains(form);
    });
}

QByteArray KnownSecrets::redact(const QByteArray& bytes) const
{
    if (m_forms.isEmpty() || !occursIn(bytes))
        return bytes;
    QByteArray out = bytes;
    for (const QByteArray& form : m_forms)
        replaceAll(out, form, isPercentForm(form));
    return out;
}

QString KnownSecrets::redact(const QString& text) const
{
    if (m_forms.isEmpty() || text.isEmpty())
        return text;
    const QByteArray utf8 = text.toUtf8();
    if (!occursIn(utf8))
        return text;
    return QString::fromUtf8(redact(utf8));
}

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
    out.replace(headerPattern(extraSecretHeaders), QStringLiteral("\\1<redacted>"));

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
