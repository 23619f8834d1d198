// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/SecretPatterns.h"

#include <QRegularExpression>
#include <QString>

#include <algorithm>
#include <array>

namespace sd {

namespace {

bool isTokenChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'-' || c == u'_';
}

bool isKeyLike(QStringView value)
{
    return std::all_of(value.begin(), value.end(), isTokenChar);
}

// Long values made only of base64/base64url/hex-ish characters that mix upper case, lower case and
// digits. Requiring all three keeps UUIDs, hex digests, words and version strings out.
bool looksRandom(QStringView value)
{
    if (value.size() < 32)
        return false;
    bool upper = false;
    bool lower = false;
    bool digit = false;
    for (QChar c : value) {
        if (c >= u'A' && c <= u'Z')
            upper = true;
        else if (c >= u'a' && c <= u'z')
            lower = true;
        else if (c >= u'0' && c <= u'9')
            digit = true;
        else if (c != u'-' && c != u'_' && c != u'+' && c != u'/' && c != u'=' && c != u'.' && c != u'~')
            return false;
    }
    return upper && lower && digit;
}

} // namespace

bool isSecretFieldName(QStringView name)
{
    QString normalized = name.toString().toLower();
    normalized.replace(u'_', u'-');
    static constexpr std::array<QStringView, 6> kExact { u"authorization", u"proxy-authorization", u"cookie", u"key",
        u"sig", u"signature" };
    static constexpr std::array<QStringView, 12> kParts { u"token", u"secret", u"password", u"passwd", u"api-key",
        u"apikey", u"access-key", u"private-key", u"subscription-key", u"session", u"credential", u"x-auth" };
    for (QStringView exact : kExact) {
        if (normalized == exact)
            return true;
    }
    for (QStringView part : kParts) {
        if (normalized.contains(part))
            return true;
    }
    return false;
}

bool looksLikeSecret(QStringView raw)
{
    const QStringView value = raw.trimmed();
    static constexpr std::array<QStringView, 4> kAuthSchemes { u"bearer ", u"basic ", u"token ", u"digest " };
    for (QStringView scheme : kAuthSchemes) {
        if (value.startsWith(scheme, Qt::CaseInsensitive) && value.size() > scheme.size())
            return true;
    }

    static const QRegularExpression kJwt(QStringLiteral("^eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$"));
    if (kJwt.match(value).hasMatch())
        return true;

    // Prefixes of widely used API keys; the length and character checks keep "sk-SK" and the like out.
    static constexpr std::array<QStringView, 17> kKeyPrefixes { u"sk-", u"sk_live_", u"sk_test_", u"rk_live_", u"ghp_",
        u"gho_", u"ghu_", u"ghs_", u"github_pat_", u"glpat-", u"xoxb-", u"xoxp-", u"xapp-", u"AKIA", u"ASIA", u"AIza",
        u"hf_" };
    if (value.size() >= 20 && isKeyLike(value)) {
        for (QStringView prefix : kKeyPrefixes) {
            if (value.startsWith(prefix))
                return true;
        }
    }
    return looksRandom(value);
}

} // namespace sd
