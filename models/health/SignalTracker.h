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

/// The state machines of the four signals for one endpoint, over a sliding window of the last
/// `thresholds.window` probes with hysteresis (docs/SIGNALS.md "States of an endpoint's signals"). Every signal is
/// Unknown until the first probe; that probe settles each signal that it does not raise to Ok silently
/// (no transition is reported from Unknown to Ok). Then, per probe:
/// - S1: a probe raising S1 makes it Critical when it is the 3rd S1 probe in a row, or when S1 probes are
///   at least 50 % of the window and at least 2 of them (so a single failure is only ever a Warning);
///   otherwise a Warning, or still Critical if it was. It returns to Ok only after 3 consecutive probes
///   that do not raise S1, from Warning as well as from Critical. (A 500 or a 401 proves the connection
///   works, so any probe without S1 counts towards recovery here.)
/// - S2, S3: Critical as soon as the latest probe raises it; Ok on the first later probe that got through
///   without raising it. A probe that raised S1 says nothing about the credential or the request and
///   leaves S2 and S3 as they are.
/// - S4, from the window: "throttled" means the probe raised S4; the error rate counts every non-Ok
///   outcome over the window; the average latency is over the probes that got an HTTP answer. The two
///   averages only count once the window holds at least 3 probes (3 answered ones for latency; fewer when
///   the window itself is smaller), so one cold first probe does not raise an alarm.
///   Critical: 2+ throttled probes in a row, error rate > errorRateCritical, or average latency >
///   latencyCritical. Warning: the latest probe throttled, error rate > errorRateWarn, average latency >
///   latencyWarn, or the latest probe reported rateLimitRemaining == 0. Hysteresis: while S4 is Critical
///   the critical thresholds are 10 % lower, while it is Warning or Critical the warning thresholds are,
///   so a measure has to fall to 90 % of a threshold or below to leave the state it raised. The
///   throttling and rate-limit conditions hold only while they are true.
/// - S2 also has a local part that no probe sets: the credential condition (setCredentialCondition, e.g.
///   "credential unavailable: no OS keychain" or a JWT about to expire). The S2 state reported is the worse
///   of the two; the credential condition stays until it is set again.
/// overall() is the worst of the four; its changes are reported as transitions with signal None.
/// Time is passed in; there are no clocks inside.
class SignalTracker {
public:
    SignalTracker(int endpointId, QString endpointName, Thresholds thresholds);

    /// Feeds one finished probe; returns the transitions it caused (possibly none), S1..S4 then overall.
    SignalTransitions add(const ProbeResult& result, const QDateTime& nowUtc);
    /// Sets what the credential itself says about S2 (Ok clears it): Critical while the secret is
    /// unavailable, Warning or Critical from a CredentialAdvisory. Returns the S2 and overall transitions.
    SignalTransitions setCredentialCondition(SignalState state, const QString& reason, const QDateTime& nowUtc);
    SignalState credentialCondition() const { return m_credentialState; }

    SignalState state(FailureSignal signal) const;
    /// The worst of the four signals, Unknown before the first probe.
    SignalState overall() const;
    /// The reason behind the current state of a signal (empty when Ok).
    QString reason(FailureSignal signal) const;
    /// When the signal last changed state (invalid before the first change).
    QDateTime changedAt(FailureSignal signal) const;

    int endpointId() const { return m_endpointId; }
    QString endpointName() const { return m_endpoint; }
    /// A rename keeps the states; later transitions carry the new name.
    void setEndpointName(const QString& name) { m_endpoint = name; }
    /// New thresholds keep the states; the next probe is judged by them.
    void setThresholds(const Thresholds& thresholds) { m_thresholds = thresholds; }

    /// Window statistics the dashboard shows.
    double errorRate() const; ///< share of non-Ok probes in the window, 0..1
    /// The error rate S4 judges: failures S1, S2 and S3 already stand for are left out, so an endpoint
    /// stuck on a 401 shows S2 Critical, not also "S4 degraded" (docs/SIGNALS.md: ServerError, AssertionFailed and
    /// throttling count, and through them raise S4).
    double degradedErrorRate() const;
    double averageLatencyMs() const; ///< over the probes in the window that got an HTTP answer; 0 if none
    int windowSize() const;

private:
    struct Sample {
        Outcome outcome;
        FailureSignal signal;
        qint64 latencyUs;
        bool answered; ///< an HTTP answer arrived (the latency measures the server)
    };
    struct Change {
        SignalState to;
        QString reason;
    };

    Change nextS1(const ProbeResult& result) const;
    Change nextS2S3(FailureSignal signal, const ProbeResult& result) const;
    Change nextS4(const ProbeResult& result) const;
    void apply(FailureSignal signal, const Change& change, const QDateTime& nowUtc, SignalTransitions& out);
    int answeredCount() const;
    SignalState effectiveState(int index) const;
    void appendOverallTransition(SignalState previous, const QDateTime& nowUtc, SignalTransitions& out);

    int m_endpointId;
    QString m_endpoint;
    Thresholds m_thresholds;
    std::deque<Sample> m_window;
    std::array<SignalState, kSignalCount> m_states {};
    std::array<QString, kSignalCount> m_reasons;
    std::array<QDateTime, kSignalCount> m_changedAt;
    SignalState m_overall = SignalState::Unknown;
    SignalState m_credentialState = SignalState::Unknown; ///< Unknown = the credential raises nothing
    QString m_credentialReason;
    int m_consecutiveS1 = 0;
    int m_consecutiveWithoutS1 = 0;
    int m_consecutiveThrottled = 0;
};

/// Dashboard-wide state of one signal: the worst over endpoints, with counts.
struct SignalSummary {
    FailureSignal signal = FailureSignal::None;
    SignalState worst = SignalState::Unknown;
    int warningCount = 0;
    int criticalCount = 0;
    QString latestReason; ///< "endpoint: reason" of the most recent change among endpoints in the worst state
};

/// Aggregates the trackers of all endpoints (pure, no Qt objects). Null pointers are skipped.
std::array<SignalSummary, kSignalCount> summarize(const QList<const SignalTracker*>& trackers);

} // namespace sd
