// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"

#include <QString>

#include <chrono>
#include <optional>

namespace sd {

/// The global probe budget of one config (issue 12): the demand its endpoints make, the cap on probe
/// attempts per second, and the factor by which every endpoint's interval is stretched when the demand is
/// over the cap. Stretching every interval by the same factor keeps the probes of all endpoints evenly
/// spaced under the cap: nobody starves and nobody bunches, where a token bucket alone would serve
/// whoever asks first. The cap is `limits.maxProbesPerSecond` when the config sets it; otherwise it fits
/// the config's demand (demand × kDemandHeadroom, at least kDefaultRateFloor) within kDefaultRateCeiling.
struct RateBudget {
    double demandPerSecond = 0.0; ///< Σ 1 / interval over the endpoints
    double maxProbesPerSecond = 0.0; ///< the cap in force
    bool capFromConfig = false; ///< the cap is `limits.maxProbesPerSecond`, not the default
    double intervalFactor = 1.0; ///< ≥ 1: demand / cap when the demand is over the cap
    bool operator==(const RateBudget&) const = default;
};

/// Headroom of the default cap over the demand: S1 retries, probe-now and timer jitter must not be
/// shaped by the cap in normal operation.
inline constexpr double kDemandHeadroom = 1.25;
/// The default cap is at least this, so that a small config can still retry and probe now freely.
inline constexpr double kDefaultRateFloor = 20.0;
/// The default cap is at most this: about one core of CPU at ~0.5 ms per probe. Beyond it the operator
/// must say so (`limits.maxProbesPerSecond`).
inline constexpr double kDefaultRateCeiling = 2000.0;

/// The demand of `endpoints` (Σ 1 / interval).
double probeDemandPerSecond(const QList<EndpointConfig>& endpoints);
/// The budget of `config`: its demand, the configured or default cap, and the stretch factor.
RateBudget rateBudgetFor(const AppConfig& config);
/// The interval an endpoint gets under `budget`: `interval` × the budget's factor, rounded to milliseconds.
std::chrono::milliseconds stretchedInterval(std::chrono::milliseconds interval, const RateBudget& budget);
/// One line for operators: "demand 1,000/s over the cap of 200/s: intervals ×5", or "demand 12/s within
/// the cap of 20/s (default)" when nothing is stretched.
QString rateBudgetNote(const RateBudget& budget);

} // namespace sd
