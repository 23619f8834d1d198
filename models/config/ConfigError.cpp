// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/ConfigError.h"

#include <QStringList>

namespace sd {

namespace {
bool isPlainKey(QStringView key)
{
    if (key.isEmpty())
        return false;
    for (QChar c : key) {
        if (!((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_'
                || c == u'-'))
            return false;
    }
    return true;
}
} // namespace

QString configKeyPath(const QString& parent, QStringView key)
{
    if (isPlainKey(key))
        return parent.isEmpty() ? key.toString() : parent + u'.' + key;
    QString escaped = key.toString();
    escaped.replace(u'\\', QStringLiteral("\\\\"));
    escaped.replace(u'"', QStringLiteral("\\\""));
    return parent + QStringLiteral("[\"") + escaped + QStringLiteral("\"]");
}

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
