// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/ConfigError.h"

#include <QStringList>

namespace sd {

QString ConfigError::toString() const
{
    if (path.isEmpty())
        return message;
    return path + u": " + message;
}

QString ConfigParseResult::errorText() const
{
    QStringList lines;
    lines.reserve(errors.size());
    for (const ConfigError& error : errors)
        lines.append(error.toString());
    return lines.join(u'\n');
}

} // namespace sd
