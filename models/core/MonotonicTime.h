// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>

namespace sd {

/// The time convention of the probing engine and every policy in models/policy: a point on the monotonic
/// clock, passed in by the caller. The scheduler reads it from its ProbeClock (core/ProbeClock.h:
/// std::chrono::steady_clock in the application, a simulated clock in the engine tests); policy tests
/// build points as `MonotonicTime {} + 5s`. No policy reads a clock itself, so decisions are reproducible
/// and tests never sleep. Durations are std::chrono::milliseconds unless a finer unit is needed (RTT samples).
using MonotonicTime = std::chrono::steady_clock::time_point;

} // namespace sd
