// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/MonotonicTime.h"

#include <chrono>
#include <optional>

namespace sd {

/// Tunables of ThrottleBackoff; the defaults are those of docs/SIGNALS.md.
struct ThrottleBackoffConfig {
    std::chrono::milliseconds maxRetryAfter { 3'600'000 }; ///< a longer Retry-After is clamped to this
    int maxMultiplier = 16; ///< the interval grows by 2x per consecutive throttle up to this factor
    bool operator==(const ThrottleBackoffConfig&) const = default;
};

/// How long one endpoint waits before its next probe after it was throttled (S4: 429, 503, rate limit
/// exhausted), per docs/SIGNALS.md "Probing politely". A Retry-After from the server is honoured (clamped to
/// maxRetryAfter so a hostile or broken header cannot silence an endpoint for days); without one the
/// probe interval doubles with every consecutive throttled probe, up to 16x. Every throttled probe counts
/// towards the multiplier, with or without Retry-After; a success resets everything. A Retry-After never
/// makes probing faster than the endpoint's normal interval. Pure state: the caller passes the time in
/// and arms its own timer.
class ThrottleBackoff {
public:
    explicit ThrottleBackoff(ThrottleBackoffConfig config = {});

    /// A probe sent at or before `now` was throttled; `retryAfter` is the parsed Retry-After, if any.
    void onThrottled(std::optional<std::chrono::milliseconds> retryAfter, MonotonicTime now);
    /// A probe succeeded (any answer that was not throttling): back to the normal interval.
    void onSuccess();

    /// The delay from the last throttled answer to the next probe for an endpoint probed every
    /// `interval`: max(interval, Retry-After) when the last throttle carried one, otherwise
    /// interval * multiplier(). Just `interval` when not throttled.
    std::chrono::milliseconds nextDelay(std::chrono::milliseconds interval) const;
    /// The time before which no probe may be sent because a Retry-After is still in force; nullopt
    /// when no Retry-After applies. Applies to every probe of the endpoint, hand-triggered ones included.
    std::optional<MonotonicTime> notBefore() const { return m_notBefore; }
    /// True when a probe may be sent at `now` as far as Retry-After is concerned.
    bool allowsProbeAt(MonotonicTime now) const { return !m_notBefore || now >= *m_notBefore; }
    /// 1 when not throttled, then 2, 4, 8, 16 (capped) after 1, 2, 3, 4+ consecutive throttled probes.
    int multiplier() const;
    int consecutiveThrottled() const { return m_consecutive; }
    bool isThrottled() const { return m_consecutive > 0; }

    const ThrottleBackoffConfig& config() const { return m_config; }

private:
    ThrottleBackoffConfig m_config;
    int m_consecutive = 0;
    std::optional<std::chrono::milliseconds> m_lastRetryAfter; ///< clamped, of the latest throttle
    std::optional<MonotonicTime> m_notBefore;
};

} // namespace sd
