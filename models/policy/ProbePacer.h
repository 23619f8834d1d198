// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/MonotonicTime.h"

#include <chrono>
#include <optional>

namespace sd {

/// The global rate limit on probe attempts as a booking: every attempt asks once and gets the time its
/// slot comes (now when the budget has room). Slots are `1 / ratePerSecond` apart; up to `burst` may be
/// taken at once after a quiet spell (the generic cell rate algorithm, equivalent to a token bucket of
/// that rate and burst). Because every call books a slot, attempts held back are served in the order they
/// asked, each exactly once: nobody is re-queued again and again while others take the tokens. Pure
/// state; the caller passes `now`. Time going backwards books from the latest time seen.
class ProbePacer {
public:
    /// A non-positive rate is taken as 1 per second, a burst below 1 as 1.
    explicit ProbePacer(double ratePerSecond = 200.0, int burst = 50);

    /// Books one attempt asking at `now` and returns when it may go out (`now` or later).
    MonotonicTime book(MonotonicTime now);
    /// When an attempt asking at `now` would go out, without booking it.
    MonotonicTime peek(MonotonicTime now) const;

    double ratePerSecond() const { return m_rate; }
    int burst() const { return m_burst; }

    /// The next cycle of an endpoint planned for `planned`: one (stretched) interval later. A cycle
    /// that fell behind (a slow cycle with retries) starts at `now` rather than bursting to catch up.
    static MonotonicTime nextCycleStart(MonotonicTime planned, std::chrono::milliseconds interval, MonotonicTime now);

private:
    double m_rate;
    int m_burst;
    std::chrono::nanoseconds m_spacing;
    std::chrono::nanoseconds m_tolerance;
    std::optional<MonotonicTime> m_theoretical; ///< when the next slot is due if nobody bursts
};

} // namespace sd
