// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/CircuitState.h"
#include "core/FailureSignal.h"
#include "core/ProbeResult.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

#include <array>
#include <chrono>
#include <functional>
#include <memory>

namespace sd {

class ProbeClock;

/// How an Engine probes (its defaults are the application's; tests and benchmarks change them).
struct EngineOptions {
    /// The global cap on attempts per second; 0: the config's `limits.maxProbesPerSecond` or its default
    /// (RateBudget). Over the cap every endpoint's interval is stretched by the same factor.
    double ratePerSecond = 0.0;
    int burst = 0; ///< attempts that may go out at once; 0: a tenth of a second of the cap, at least 50
    int perHostLimit = 4; ///< in-flight attempts per host (Qt queues beyond 6)
    std::chrono::milliseconds flushInterval { 200 };
    /// Uniform in [0, 1) for the retry jitter; empty = QRandomGenerator.
    std::function<double()> random;
    bool stagger = true; ///< spread first probes over each interval
    bool retries = true; ///< S1 retries within a cycle (off for a naive comparison prober)
    bool politeness = true; ///< Retry-After, throttle backoff and circuit breaker (off = naive)
    /// Network threads, each with its own HTTP implementation (libcurl or Qt Network, the config's
    /// `transport`); a host belongs to one, so a hostile host stalls only its own. 4 measured best on 2 cores
    /// (docs/PERFORMANCE.md).
    int transportShards = 4;
    /// Where the engine's time comes from (core/ProbeClock.h); empty = systemClock(). The engine tests
    /// pass a simulated clock.
    std::shared_ptr<ProbeClock> clock;
};

/// Why an endpoint's next probe is when it is (shown in the table and the headless summary).
enum class NextProbeReason : quint8 {
    Interval, ///< its normal interval
    Retry, ///< an S1 retry within the cycle, after jittered backoff
    Backoff, ///< throttled without Retry-After: the interval is multiplied
    RetryAfter, ///< the server's Retry-After is in force
    CircuitOpen, ///< the circuit breaker suspends probing until its half-open probe
    RateLimit, ///< the global token bucket delays it
    InFlight, ///< a probe is under way
    Paused, ///< probing is paused
};
QString nextProbeReasonText(NextProbeReason reason);

/// A snapshot of one endpoint's scheduling and health, sent with every batch for the endpoints that changed.
struct EndpointStatus {
    int id = -1; ///< the engine's handle: stable while the engine runs, across config changes
    QString key; ///< endpointKey() of its config (its id): stable across restarts too
    QString name;
    QDateTime nextProbeUtc; ///< invalid while paused or in flight
    NextProbeReason nextReason = NextProbeReason::Interval;
    qint64 timeoutMs = 0; ///< the deadline the next attempt gets
    bool adaptiveTimeout = false;
    CircuitState circuit = CircuitState::Closed;
    int consecutiveFailures = 0;
    int throttleMultiplier = 1;
    qint64 probes = 0; ///< finished probe cycles
    qint64 attempts = 0; ///< attempts sent, retries included
    std::array<qint64, 8> outcomeCounts {}; ///< indexed by Outcome
    std::array<SignalState, kSignalCount> states {};
    std::array<QString, kSignalCount> reasons;
    SignalState overall = SignalState::Unknown;
    double errorRate = 0.0; ///< over the state window
    double averageLatencyMs = 0.0; ///< over the state window
    /// Non-empty while the endpoint is not probed because its credential cannot be used, and why
    /// ("credential unavailable: no OS keychain"); S2 is Critical with the same reason meanwhile.
    QString pausedBecause;
};
using EndpointStatuses = QList<EndpointStatus>;

/// One entry of the event stream: a signal transition, a circuit-breaker transition, or a config change of
/// one endpoint (Config: `reason` says what changed, "added", "removed", "interval 30s → 10s", …).
struct EngineEvent {
    enum class Kind : quint8 { Signal, Circuit, Config };
    Kind kind = Kind::Signal;
    QDateTime time; ///< UTC
    int endpointId = -1;
    QString endpointKey; ///< endpointKey() of its config (its id)
    QString endpoint;
    FailureSignal signal = FailureSignal::None; ///< Signal kind: None = the endpoint's overall state
    QString from; ///< "ok", "warning", "critical" / "closed", "open", "half-open"
    QString to;
    QString reason;
    /// A state a user would call "worse or better": Critical for signal transitions to critical, etc.
    SignalState toState = SignalState::Unknown;
};
using EngineEvents = QList<EngineEvent>;
/// "signal", "circuit" or "config".
QString eventKindCode(EngineEvent::Kind kind);

/// Engine-wide figures for the status bar and the benchmarks.
struct EngineStats {
    qint64 probesFinished = 0;
    qint64 attemptsSent = 0;
    double probesPerSecond = 0.0; ///< over the last few seconds
    int inFlight = 0;
    int waiting = 0; ///< waiting for a per-host slot
    qint64 lagP50Us = 0; ///< scheduling lag: actual send time minus planned time, recent samples
    qint64 lagP99Us = 0;
    qint64 lagMaxUs = 0;
    int peakInFlightPerHost = 0;
    double demandPerSecond = 0.0; ///< the config's demand, Σ 1 / interval
    double maxProbesPerSecond = 0.0; ///< the global cap in force (`limits.maxProbesPerSecond` or its default)
    double intervalFactor = 1.0; ///< every interval is stretched by this when the demand is over the cap
    QString rateNote; ///< "demand 1,000/s over the cap of 200/s: intervals ×5" (RateBudget)
};

/// What one flush of the engine delivers to the other threads: results, events, and fresh statuses.
struct EngineBatch {
    ProbeResults results;
    EngineEvents events;
    EndpointStatuses statuses;
    EngineStats stats;
};

} // namespace sd

Q_DECLARE_METATYPE(sd::EndpointStatus)
Q_DECLARE_METATYPE(sd::EngineEvent)
Q_DECLARE_METATYPE(sd::EngineStats)
Q_DECLARE_METATYPE(sd::EngineBatch)
