// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/Duration.h"

#include <array>
#include <limits>

namespace sd {

namespace {

struct DurationUnit {
    QStringView suffix;
    Millis::rep millis;
};

// Largest first: formatDuration() takes the first unit that divides the value exactly.
constexpr std::array<DurationUnit, 4> kUnits { {
    { u"h", 3'600'000 },
    { u"m", 60'000 },
    { u"s", 1'000 },
    { u"ms", 1 },
} };

} // namespace

std::optional<Millis> parseDuration(QStringView text)
{
    constexpr Millis::rep kMax = std::numeric_limits<Millis::rep>::max();
    Millis::rep value = 0;
    qsizetype digits = 0;
    while (digits < text.size() && text[digits] >= u'0' && text[digits] <= u'9') {
        const int digit = text[digits].unicode() - u'0';
        if (value > (kMax - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
        ++digits;
    }
    if (digits == 0)
        return std::nullopt;

    const QStringView suffix = text.sliced(digits);
    for (const DurationUnit& unit : kUnits) {
        if (suffix != unit.suffix)
            continue;
        if (value > kMax / unit.millis)
            return std::nullopt;
        return Millis { value * unit.millis };
    }
    return std::nullopt;
}

QString formatDuration(Millis duration)
{
    const Millis::rep value = duration.count();
    if (value == 0)
        return QStringLiteral("0s");
    // The last unit, ms, divides everything, so the loop always returns.
    for (const DurationUnit& unit : kUnits) {
        if (value % unit.millis == 0)
            return QString::number(value / unit.millis) + unit.suffix;
    }
    return {};
}

} // namespace sd
