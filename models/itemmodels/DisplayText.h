// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/CircuitState.h"
#include "core/FailureSignal.h"
#include "schedule/EngineTypes.h"

#include <QDateTime>
#include <QString>
#include <QUrl>

#include <functional>

namespace sd {

/// The texts the item models show to a user, in one place so that every view words things alike
/// ("123 ms", "12.5 %", "Critical", "half-open"). Formatting is locale-independent (the numbers use the C
/// locale) so that tests and screenshots read the same everywhere. Functions that depend on "now" take
/// it as a parameter; the models get it from a Clock they are given.

/// Where the models take "now" (UTC) from; tests pass a fixed one.
using Clock = std::function<QDateTime()>;

/// "OK", "Warning", "Critical", "Unknown".
QString stateText(SignalState state);
/// "closed", "open", "half-open".
QString circuitText(CircuitState state);
/// How a circuit state reads as a health state: closed = Ok, half-open = Warning, open = Critical.
SignalState circuitHealth(CircuitState state);
/// "123 ms"; one decimal below 10 ms ("9.5 ms").
QString latencyText(double ms);
/// `percent` is 0..100: "12.5 %".
QString percentText(double percent);
/// host[:port] of a URL; IPv6 hosts in brackets.
QString hostText(const QUrl& url);
/// Local wall-clock time "HH:mm:ss".
QString clockTimeText(const QDateTime& time);
/// "in 12 s", "in 5 min", "due"; plus " (Retry-After)", " (circuit open)", … when the next probe is not
/// at its normal interval; "paused" / "in flight" when no time is planned; empty before any status.
QString nextProbeText(const EndpointStatus& status, const QDateTime& nowUtc);

} // namespace sd
