// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/CircuitState.h"

namespace sd {

QString circuitStateCode(CircuitState state)
{
    switch (state) {
    case CircuitState::Closed:
        return QStringLiteral("closed");
    case CircuitState::Open:
        return QStringLiteral("open");
    case CircuitState::HalfOpen:
        return QStringLiteral("half-open");
    }
    return {};
}

} // namespace sd
