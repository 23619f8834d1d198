// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/FailureSignal.h"

#include <chrono>
#include <functional>
#include <optional>

namespace sd {

/// Tunables of RetryPolicy; the defaults are those of docs/SIGNALS.md.
struct RetryPolicyConfig {
    int maxRetries = 2; ///< retries after the first attempt, so at most maxRetries + 1 attempts per cycle
    std::chrono::milliseconds base { 1'000 }; ///< backoff ceiling of the first retry
    std::chrono::milliseconds cap { 16'000 }; ///< the ceiling never grows past this
    bool operator==(const RetryPolicyConfig&) const = default;
};

/// Decides whether a failed attempt is retried within the same probe cycle, and after what delay
/// (docs/SIGNALS.md "Probing politely"). Only S1 (timeout & connection) is retried: an auth failure, a rejected
/// request or a throttled answer does not heal by asking again a second later, and a server error counts
/// in the error rate instead. The delay is "full jitter" (AWS Architecture Blog, "Exponential Backoff And
/// Jitter"): uniform in [0, min(cap, base * 2^(attempt - 1))], which spreads the retries of many probers
/// instead of synchronising them. The random source is injected so that tests are deterministic; the
/// class holds no clock and no timer, the caller schedules the retry.
class RetryPolicy {
public:
    /// Returns a uniformly distributed number in [0, 1); values outside are clamped.
    using RandomSource = std::function<double()>;

    /// An empty `random` uses QRandomGenerator::global().
    explicit RetryPolicy(RetryPolicyConfig config = {}, RandomSource random = {});

    /// True for the signals that are retried within a cycle: S1 only.
    static bool isRetryable(FailureSignal signal);

    /// The upper bound of the jittered delay before the next attempt, after `attemptsSoFar` attempts
    /// (1 after the first attempt): min(cap, base * 2^(attemptsSoFar - 1)).
    std::chrono::milliseconds delayCeiling(int attemptsSoFar) const;

    /// The delay before the next attempt after `attemptsSoFar` attempts of which the last one failed with
    /// `signal`, or nullopt when the cycle ends here (signal not retryable or no retries left).
    /// Consumes one random number only when a retry is granted.
    std::optional<std::chrono::milliseconds> retryDelay(FailureSignal signal, int attemptsSoFar);

    const RetryPolicyConfig& config() const { return m_config; }

private:
    RetryPolicyConfig m_config;
    RandomSource m_random;
};

} // namespace sd
