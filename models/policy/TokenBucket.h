// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/MonotonicTime.h"

#include <chrono>
#include <optional>

namespace sd {

/// The global rate limit on outgoing probes (docs/SIGNALS.md "Probing politely": SignalDeck must not become
/// the load problem). Tokens refill continuously at `ratePerSecond`, computed from the time elapsed
/// since the last call, and never exceed `burst`; each attempt takes one. The bucket starts full, so
/// the first `burst` attempts go out at once. Time going backwards refills nothing. Pure state: the
/// caller passes `now` and arms its own timer from delayUntilAvailable().
class TokenBucket {
public:
    /// A non-positive rate is taken as 1 per second, a burst below 1 as 1.
    explicit TokenBucket(double ratePerSecond = 200.0, int burst = 50);

    /// Takes one token if one is available at `now`.
    bool tryTake(MonotonicTime now);
    /// How long from `now` until a token is available: zero when one is, otherwise rounded up to whole
    /// milliseconds so that tryTake() succeeds once that delay has passed. Never negative.
    std::chrono::milliseconds delayUntilAvailable(MonotonicTime now) const;
    /// Tokens available at `now` (fractional), at most burst().
    double available(MonotonicTime now) const;

    double ratePerSecond() const { return m_rate; }
    int burst() const { return m_burst; }

private:
    double m_rate;
    int m_burst;
    double m_tokens;
    std::optional<MonotonicTime> m_last; ///< when m_tokens was computed; unset until the first call
};

} // namespace sd
