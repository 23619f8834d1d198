// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>

#include <chrono>

namespace sd {

/// When an OAuth2 access token is renewed, as pure decisions with the time passed in. A token is refreshed
/// at `refreshFraction` (80 %) of the lifetime it has left when obtained, never sooner than
/// `minimumRefreshDelay`; a failed fetch is retried after an exponential backoff (`backoffBase` doubling up
/// to `backoffCap`, with jitter that keeps between half and all of it so that many SignalDeck instances do
/// not hammer a recovering identity provider in step), but never later than the expiry of a token still held.
struct OAuth2RefreshPolicy {
    double refreshFraction = 0.8;
    std::chrono::milliseconds minimumRefreshDelay { 1'000 };
    /// Lifetime assumed when the token endpoint gives no `expires_in`: a token that ends sooner is renewed on
    /// the first 401 instead.
    std::chrono::seconds assumedLifetime { 3'600 };
    /// A token kept from an earlier run is reused only when it has at least this long left.
    std::chrono::milliseconds reuseMargin { 30'000 };
    std::chrono::milliseconds backoffBase { 2'000 };
    std::chrono::milliseconds backoffCap { 300'000 };

    /// How long after `nowUtc` to refresh a token valid until `expiresUtc`.
    std::chrono::milliseconds refreshDelay(const QDateTime& nowUtc, const QDateTime& expiresUtc) const;
    /// Whether a stored token valid until `expiresUtc` (invalid = unknown) may be used at `nowUtc`.
    bool reusable(const QDateTime& nowUtc, const QDateTime& expiresUtc) const;
    /// The wait after the `failures`-th failure in a row (1 = the first); `jitter` in [0, 1) picks a point
    /// between half and all of the nominal backoff.
    std::chrono::milliseconds retryDelay(int failures, double jitter) const;
    /// retryDelay, but no later than the expiry of the token still held (`tokenExpiresUtc` invalid = none),
    /// so that the moment it stops being usable is noticed.
    std::chrono::milliseconds nextAttemptDelay(
        int failures, double jitter, const QDateTime& nowUtc, const QDateTime& tokenExpiresUtc) const;
};

} // namespace sd
