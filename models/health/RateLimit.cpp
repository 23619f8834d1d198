// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/RateLimit.h"

#include <QByteArrayList>

#include <algorithm>

namespace sd {

namespace {

/// A non-negative integer; -1 otherwise.
qint64 count(QByteArrayView text)
{
    const QByteArrayView t = text.trimmed();
    if (t.isEmpty() || t.size() > 18)
        return -1;
    for (char c : t) {
        if (c < '0' || c > '9')
            return -1;
    }
    return t.toLongLong();
}

qint64 tighter(qint64 a, qint64 b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return std::min(a, b);
}

/// `RateLimit: limit=100, remaining=7, reset=30` or `RateLimit: "default";r=7;t=30, "burst";r=2;t=1`.
qint64 structuredRemaining(const QByteArray& value)
{
    qint64 remaining = -1;
    for (const QByteArray& member : value.split(',')) {
        for (const QByteArray& param : member.split(';')) {
            const qsizetype eq = param.indexOf('=');
            if (eq < 0)
                continue;
            const QByteArray key = param.first(eq).trimmed().toLower();
            if (key == "remaining" || key == "r")
                remaining = tighter(remaining, count(param.sliced(eq + 1)));
        }
    }
    return remaining;
}

qint64 plainRemaining(const QByteArray& value)
{
    qint64 remaining = -1;
    for (const QByteArray& item : value.split(','))
        remaining = tighter(remaining, count(item));
    return remaining;
}

} // namespace

qint64 parseRateLimitRemaining(const QList<std::pair<QByteArray, QByteArray>>& headers)
{
    qint64 remaining = -1;
    for (const auto& [name, value] : headers) {
        const QByteArray lower = name.trimmed().toLower();
        if (lower == "ratelimit")
            remaining = tighter(remaining, structuredRemaining(value));
        else if (lower.contains("ratelimit") && lower.contains("remaining"))
            remaining = tighter(remaining, plainRemaining(value));
    }
    return remaining;
}

} // namespace sd
