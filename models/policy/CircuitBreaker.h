// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/CircuitState.h"
#include "core/FailureSignal.h"
#include "core/MonotonicTime.h"

#include <QList>
#include <QMetaType>
#include <QString>

#include <chrono>
#include <deque>
#include <optional>

namespace sd {

/// One change of a circuit breaker's state, for the event list and the logs.
struct CircuitTransition {
    CircuitState from = CircuitState::Closed;
    CircuitState to = CircuitState::Closed;
    MonotonicTime time; ///< the `now` passed to the call that caused it
    QString reason; ///< "6 of the last 10 attempts failed: opening for 30 s"
    bool operator==(const CircuitTransition&) const = default;
};
using CircuitTransitions = QList<CircuitTransition>;

/// Tunables of CircuitBreaker; the defaults are those of docs/SIGNALS.md.
struct CircuitBreakerConfig {
    int window = 10; ///< the last N attempts are judged
    int minAttempts = 5; ///< never opens on fewer attempts than this
    double failureRatio = 0.5; ///< opens when failures / attempts >= this
    std::chrono::milliseconds initialWait { 30'000 }; ///< first open period; doubles on each re-open
    std::chrono::milliseconds maxWait { 600'000 };
    bool operator==(const CircuitBreakerConfig&) const = default;
};

/// The circuit breaker of one endpoint (docs/SIGNALS.md "Probing politely"). Closed: every probe goes out and
/// each attempt, retries included, enters a window of the last 10; when at least 5 are in it and at least
/// half failed, the circuit opens. Open: no probe for a wait of 30 s that doubles (up to 10 min) each
/// time a half-open probe fails. Half-Open: exactly one probe is let through; its success closes the
/// circuit (wait back to 30 s, window cleared), its failure re-opens it.
///
/// What counts as a failure: S1 (the server is unreachable or too slow), S4 (it asks us to back off) and
/// server errors with no signal (5xx: it is unwell). S2 and S3 do not: a bad credential or a rejected
/// request is the caller's problem, and the prompt, deliberate answer is evidence that the server is up,
/// so those attempts count as successes (and close a half-open circuit). Assertion failures count as
/// successes for the same reason: the server answered, only the content differs from what is expected.
///
/// The caller asks allowProbe() before every attempt, retries included, and records the result of each
/// attempt it sent. Results recorded while the circuit is open (attempts that were already in flight)
/// are ignored. Every state change is queued as a CircuitTransition, collected with takeTransitions().
/// Pure state: time is passed in, no timers.
class CircuitBreaker {
public:
    explicit CircuitBreaker(CircuitBreakerConfig config = {});

    /// The rule above: true for S1, S4, and for ServerError when no signal (S2/S3) overrides it.
    static bool countsAsFailure(Outcome outcome, FailureSignal signal);

    /// May an attempt be sent at `now`? Closed: always. Open: no, until the wait has elapsed, then the
    /// circuit turns half-open and this returns true exactly once. Half-open: false while the one probe
    /// is outstanding.
    bool allowProbe(MonotonicTime now);

    /// The result of an attempt that allowProbe() let through.
    void recordAttempt(Outcome outcome, FailureSignal signal, MonotonicTime now);
    void recordAttempt(bool failed, MonotonicTime now);

    /// The state as of the last call; an open circuit whose wait has elapsed turns half-open in allowProbe().
    CircuitState state() const { return m_state; }
    /// When an open circuit lets its half-open probe through; nullopt unless open.
    std::optional<MonotonicTime> halfOpenAt() const;
    /// The wait the circuit uses (or used) for its current or next open period.
    std::chrono::milliseconds currentWait() const { return m_wait; }
    int attemptsInWindow() const { return static_cast<int>(m_window.size()); }
    int failuresInWindow() const;

    /// The transitions since the last call, oldest first.
    CircuitTransitions takeTransitions();

    const CircuitBreakerConfig& config() const { return m_config; }

private:
    void transition(CircuitState to, MonotonicTime now, QString reason);
    void open(MonotonicTime now, const QString& cause);

    CircuitBreakerConfig m_config;
    CircuitState m_state = CircuitState::Closed;
    std::deque<bool> m_window; ///< true = failed, newest at the back
    std::chrono::milliseconds m_wait;
    MonotonicTime m_openedAt;
    bool m_halfOpenProbeOut = false;
    CircuitTransitions m_transitions;
};

} // namespace sd

Q_DECLARE_METATYPE(sd::CircuitState)
Q_DECLARE_METATYPE(sd::CircuitTransition)
