// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/CredentialHeader.h"

namespace sd {

std::optional<std::pair<QByteArray, QByteArray>> credentialHeader(const QString& scheme, const QByteArray& secret)
{
    if (scheme == u"bearer")
        return std::pair { QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer ") + secret };
    if (scheme == u"basic")
        return std::pair { QByteArrayLiteral("Authorization"), QByteArrayLiteral("Basic ") + secret.toBase64() };
    static constexpr QStringView kHeaderPrefix = u"header:";
    if (scheme.startsWith(kHeaderPrefix) && scheme.size() > kHeaderPrefix.size())
        return std::pair { scheme.sliced(kHeaderPrefix.size()).toLatin1(), secret };
    return std::nullopt;
}

} // namespace sd
