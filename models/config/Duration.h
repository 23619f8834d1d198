// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"

#include <QString>
#include <QStringView>

#include <optional>

namespace sd {

/// Durations as the config file writes them: a non-negative integer followed by a unit, `ms`, `s`, `m`
/// or `h` (`250ms`, `10s`, `2m`, `1h`), with no sign, spaces, fractions or upper case. parseDuration()
/// returns nullopt for anything else, including values that do not fit in Millis. formatDuration()
/// writes the shortest exact form (the largest unit that divides the value: 90000 ms is `90s`, 1500 ms
/// is `1500ms`, zero is `0s`); parseDuration(formatDuration(d)) == d for every d >= 0.
std::optional<Millis> parseDuration(QStringView text);
QString formatDuration(Millis duration);

} // namespace sd
