// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>

namespace sd {

/// The token bucket behind the simulator's `/throttle` route: `capacity` requests at once, refilled at
/// `refillPerSecond`. Time is passed in (any monotonic clock), so tests drive it without sleeping. The
/// verdict carries what the route reports in `RateLimit-*` and `Retry-After` headers, in whole seconds.
class ThrottleBucket {
public:
    struct Verdict {
        bool allowed = false;
        int limit = 0; ///< RateLimit-Limit: the burst size
        int remaining = 0; ///< RateLimit-Remaining: whole tokens left after this request
        int resetSeconds = 0; ///< RateLimit-Reset: seconds until the bucket is full again
        int retryAfterSeconds = 0; ///< Retry-After when refused (at least 1); 0 when allowed
    };

    ThrottleBucket(int capacity, double refillPerSecond);

    /// Takes one token at `now` if there is one.
    Verdict take(std::chrono::nanoseconds now);

private:
    void refill(std::chrono::nanoseconds now);

    int m_capacity;
    double m_refillPerSecond;
    double m_tokens;
    std::chrono::nanoseconds m_lastRefill { 0 };
    bool m_started = false;
};

} // namespace sd
