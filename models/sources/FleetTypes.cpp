// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/FleetTypes.h"

namespace sd {

QString sourceStateCode(SourceState state)
{
    switch (state) {
    case SourceState::Connecting:
        return QStringLiteral("connecting");
    case SourceState::Up:
        return QStringLiteral("up");
    case SourceState::Down:
        return QStringLiteral("down");
    case SourceState::Failed:
        return QStringLiteral("error");
    }
    return {};
}

QString sourceDisplayName(const SourceConfig& source)
{
    if (!source.name.isEmpty())
        return source.name;
    const int port = source.url.port(source.url.scheme() == u"https" ? 443 : 80);
    return source.url.host() + u':' + QString::number(port);
}

} // namespace sd
