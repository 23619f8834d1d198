// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/ProbeResult.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <array>
#include <deque>

namespace sd {

/// A change of one signal's state (or of the endpoint's overall state, when signal is None) for one endpoint.
struct SignalTransition {
    int endpointId = -1;
    QString endpoint;
    FailureSignal signal = FailureSignal::None; ///< None = the endpoint's overall state
    SignalState from = SignalState::Unknown;
    SignalState to = SignalState::Unknown;
    QDateTime time; ///< UTC
    QString reason;
    bool operator==(const SignalTransition&) const = default;
};
using SignalTransitions = QList<SignalTransition>;

/// The state machines of the four signals for one endpoint, over a sliding window of recent probes
/// with hysteresis (DESIGN.md "The four failure signals"). Time is passed in; no clocks inside.
class SignalTracker {
public:
    SignalTracker(int endpointId, QString endpointName, Thresholds thresholds);

    /// Feeds one finished probe; returns the transitions it caused (possibly none).
    SignalTransitions add(const ProbeResult& result, const QDateTime& nowUtc);

    SignalState state(FailureSignal signal) const;
    /// The worst of the four signals, Unknown before the first probe.
    SignalState overall() const;
    /// The reason behind the current state of a signal (empty when Ok).
    QString reason(FailureSignal signal) const;

    /// Window statistics the dashboard shows.
    double errorRate() const; ///< share of non-Ok probes in the window, 0..1
    double averageLatencyMs() const; ///< over the window
    int windowSize() const;

private:
    // Implementation detail, owned by the health area.
    struct Sample {
        Outcome outcome;
        FailureSignal signal;
        qint64 latencyUs;
    };
    int m_endpointId;
    QString m_endpoint;
    Thresholds m_thresholds;
    std::deque<Sample> m_window;
    std::array<SignalState, kSignalCount> m_states {};
    std::array<QString, kSignalCount> m_reasons;
    int m_consecutiveS1 = 0;
    int m_consecutiveOk = 0;
};

/// Dashboard-wide state of one signal: the worst over endpoints, with counts.
struct SignalSummary {
    FailureSignal signal = FailureSignal::None;
    SignalState worst = SignalState::Unknown;
    int warningCount = 0;
    int criticalCount = 0;
    QString latestReason;
};

/// Aggregates the trackers of all endpoints (pure, no Qt objects).
std::array<SignalSummary, kSignalCount> summarize(const QList<const SignalTracker*>& trackers);

} // namespace sd
