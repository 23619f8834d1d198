// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/TimeRange.h"

#include <QDateTime>

#include <algorithm>

namespace sd {

namespace {
constexpr qint64 kMinute = qint64(60) * 1000;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;
} // namespace

QList<TimeRange> TimeRange::presets()
{
    return { lastSpan(5 * kMinute), lastSpan(kHour), lastSpan(kDay), lastSpan(7 * kDay), lastSpan(30 * kDay),
        lastSpan(90 * kDay) };
}

QString TimeRange::label() const
{
    if (isCustom()) {
        const auto fmt = u"yyyy-MM-dd HH:mm"_qs;
        return QDateTime::fromMSecsSinceEpoch(fromMs).toLocalTime().toString(fmt) + u" – "_qs
            + QDateTime::fromMSecsSinceEpoch(toMs).toLocalTime().toString(fmt);
    }
    if (spanMs % kDay == 0 && spanMs > kDay)
        return QStringLiteral("%1 d").arg(spanMs / kDay);
    if (spanMs % kHour == 0)
        return QStringLiteral("%1 h").arg(spanMs / kHour);
    return QStringLiteral("%1 min").arg(spanMs / kMinute);
}

QString TimeRange::key() const
{
    if (isCustom())
        return QStringLiteral("custom:%1-%2").arg(fromMs).arg(toMs);
    if (spanMs % kDay == 0 && spanMs > kDay)
        return QStringLiteral("%1d").arg(spanMs / kDay);
    if (spanMs % kHour == 0)
        return QStringLiteral("%1h").arg(spanMs / kHour);
    return QStringLiteral("%1m").arg(spanMs / kMinute);
}

TimeRange TimeRange::fromKey(const QString& key)
{
    if (key.startsWith(u"custom:")) {
        const QStringList parts = key.mid(7).split(u'-');
        bool ok1 = false;
        bool ok2 = false;
        if (parts.size() == 2) {
            const qint64 from = parts[0].toLongLong(&ok1);
            const qint64 to = parts[1].toLongLong(&ok2);
            if (ok1 && ok2 && from < to)
                return custom(from, to);
        }
        return lastSpan(kHour);
    }
    for (const TimeRange& preset : presets())
        if (preset.key() == key)
            return preset;
    return lastSpan(kHour);
}

TimeSpans spansOutside(qint64 fromMs, qint64 toMs, TimeSpans excluded)
{
    TimeSpans out;
    std::sort(excluded.begin(), excluded.end());
    qint64 at = fromMs;
    for (const auto& [from, to] : std::as_const(excluded)) {
        if (to <= at || from >= to)
            continue;
        if (from >= toMs)
            break;
        if (from > at)
            out.append({ at, from });
        at = std::max(at, to);
        if (at >= toMs)
            break;
    }
    if (at < toMs)
        out.append({ at, toMs });
    return out;
}

} // namespace sd
