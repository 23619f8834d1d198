// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace sd {

/// The state of an endpoint's circuit breaker (policy/CircuitBreaker.h runs it; the engine's statuses,
/// the table and the metrics show it).
enum class CircuitState : quint8 { Closed, Open, HalfOpen };

/// "closed", "open", "half-open".
QString circuitStateCode(CircuitState state);

} // namespace sd
