// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/SignalTracker.h"

#include <algorithm>

namespace sd {

namespace {

constexpr int kS1CriticalRun = 3; ///< consecutive S1 probes that make S1 Critical
constexpr int kS1CriticalMinFailures = 2; ///< S1 probes the 50 % share rule needs
constexpr int kS1RecoveryRun = 3; ///< consecutive probes without S1 that clear it
constexpr int kS4ThrottledCriticalRun = 2;
constexpr int kMinSamplesForAverages = 3;
constexpr double kHysteresisFactor = 0.9;

FailureSignal signalAt(int index)
{
    return kAllSignals[static_cast<size_t>(index)];
}

QString reasonOf(const ProbeResult& result)
{
    return result.reason.isEmpty() ? outcomeCode(result.outcome) : result.reason;
}

/// Strictly above the threshold to enter a state; above 90 % of it to stay in the state.
bool above(double measure, double threshold, bool holding)
{
    return measure > (holding ? threshold * kHysteresisFactor : threshold);
}

QString percent(double share)
{
    return QStringLiteral("%1 %").arg(qRound(share * 100.0));
}

} // namespace

SignalTracker::SignalTracker(int endpointId, QString endpointName, Thresholds thresholds)
    : m_endpointId(endpointId)
    , m_endpoint(std::move(endpointName))
    , m_thresholds(thresholds)
{
    m_thresholds.window = std::max(1, m_thresholds.window);
}

SignalTransitions SignalTracker::add(const ProbeResult& result, const QDateTime& nowUtc)
{
    m_window.push_back({ result.outcome, result.signal, result.latencyUs, result.httpStatus > 0 });
    while (std::ssize(m_window) > m_thresholds.window)
        m_window.pop_front();

    if (result.signal == FailureSignal::S1) {
        ++m_consecutiveS1;
        m_consecutiveWithoutS1 = 0;
    } else {
        m_consecutiveS1 = 0;
        ++m_consecutiveWithoutS1;
    }
    m_consecutiveThrottled = result.signal == FailureSignal::S4 ? m_consecutiveThrottled + 1 : 0;

    // Decide all four from the same state before applying any of them.
    const std::array<Change, kSignalCount> changes { nextS1(result), nextS2S3(FailureSignal::S2, result),
        nextS2S3(FailureSignal::S3, result), nextS4(result) };
    SignalTransitions out;
    for (int i = 0; i < kSignalCount; ++i)
        apply(signalAt(i), changes[static_cast<size_t>(i)], nowUtc, out);

    appendOverallTransition(m_overall, nowUtc, out);
    return out;
}

SignalTransitions SignalTracker::setCredentialCondition(
    SignalState state, const QString& reason, const QDateTime& nowUtc)
{
    const SignalState condition = state == SignalState::Ok ? SignalState::Unknown : state;
    const QString conditionReason = condition == SignalState::Unknown ? QString() : reason;
    SignalTransitions out;
    if (condition == m_credentialState && conditionReason == m_credentialReason)
        return out;
    const int index = signalIndex(FailureSignal::S2);
    const SignalState from = effectiveState(index);
    m_credentialState = condition;
    m_credentialReason = conditionReason;
    const SignalState to = effectiveState(index);
    if (from != to) {
        m_changedAt[static_cast<size_t>(index)] = nowUtc;
        if (!(from == SignalState::Unknown && to == SignalState::Ok)) {
            const QString why = to == SignalState::Ok
                ? QStringLiteral("recovered: ") % (reason.isEmpty() ? QStringLiteral("credential ok") : reason)
                : this->reason(FailureSignal::S2);
            out.append({ m_endpointId, m_endpoint, FailureSignal::S2, from, to, nowUtc, why });
        }
    }
    appendOverallTransition(m_overall, nowUtc, out);
    return out;
}

void SignalTracker::appendOverallTransition(SignalState previous, const QDateTime& nowUtc, SignalTransitions& out)
{
    m_overall = overall();
    if (previous != m_overall && !(previous == SignalState::Unknown && m_overall == SignalState::Ok)) {
        QString why = QStringLiteral("all signals ok");
        for (FailureSignal s : kAllSignals) {
            if (m_overall != SignalState::Ok && state(s) == m_overall) {
                why = signalCode(s) % QStringLiteral(": ") % reason(s);
                break;
            }
        }
        out.append({ m_endpointId, m_endpoint, FailureSignal::None, previous, m_overall, nowUtc, why });
    }
}

SignalState SignalTracker::effectiveState(int index) const
{
    const SignalState probed = m_states[static_cast<size_t>(index)];
    return index == signalIndex(FailureSignal::S2) ? worse(probed, m_credentialState) : probed;
}

SignalTracker::Change SignalTracker::nextS1(const ProbeResult& result) const
{
    const SignalState current = m_states[0];
    if (result.signal == FailureSignal::S1) {
        if (m_consecutiveS1 >= kS1CriticalRun)
            return { SignalState::Critical, reasonOf(result) % QStringLiteral(" (%1 in a row)").arg(m_consecutiveS1) };
        const auto failures = std::count_if(
            m_window.begin(), m_window.end(), [](const Sample& s) { return s.signal == FailureSignal::S1; });
        const auto size = std::ssize(m_window);
        if (failures >= kS1CriticalMinFailures && 2 * failures >= size) {
            return { SignalState::Critical,
                reasonOf(result) % QStringLiteral(" (%1 of the last %2 probes)").arg(failures).arg(size) };
        }
        return { current == SignalState::Critical ? SignalState::Critical : SignalState::Warning, reasonOf(result) };
    }
    if (current == SignalState::Unknown)
        return { SignalState::Ok, {} };
    if (current != SignalState::Ok && m_consecutiveWithoutS1 >= kS1RecoveryRun) {
        return { SignalState::Ok,
            QStringLiteral("recovered: %1 probes in a row without a timeout or connection failure")
                .arg(m_consecutiveWithoutS1) };
    }
    return { current, m_reasons[0] };
}

SignalTracker::Change SignalTracker::nextS2S3(FailureSignal signal, const ProbeResult& result) const
{
    const auto index = static_cast<size_t>(signalIndex(signal));
    const SignalState current = m_states[index];
    if (result.signal == signal)
        return { SignalState::Critical, reasonOf(result) };
    if (result.signal == FailureSignal::S1 && current != SignalState::Unknown)
        return { current, m_reasons[index] };
    return { SignalState::Ok, QStringLiteral("recovered: ") % reasonOf(result) };
}

SignalTracker::Change SignalTracker::nextS4(const ProbeResult& result) const
{
    const SignalState current = m_states[3];
    const bool holdCritical = current == SignalState::Critical;
    const bool holdWarning = current >= SignalState::Warning;
    const int minSamples = std::min(kMinSamplesForAverages, m_thresholds.window);
    const int size = windowSize();
    const int answered = answeredCount();
    const bool rateCounts = size >= minSamples;
    const bool latencyCounts = answered >= minSamples;
    const double rate = degradedErrorRate();
    const double latency = averageLatencyMs();
    const auto latencyWarn = static_cast<double>(m_thresholds.latencyWarn.count());
    const auto latencyCritical = static_cast<double>(m_thresholds.latencyCritical.count());

    const QString rateText
        = QStringLiteral("error rate ") % percent(rate) % QStringLiteral(" over the last %1 probes").arg(size);
    const QString latencyText
        = QStringLiteral("average latency %1 ms over the last %2 probes").arg(qRound(latency)).arg(answered);

    if (m_consecutiveThrottled >= kS4ThrottledCriticalRun) {
        return { SignalState::Critical,
            reasonOf(result) % QStringLiteral(" (%1 in a row)").arg(m_consecutiveThrottled) };
    }
    if (rateCounts && above(rate, m_thresholds.errorRateCritical, holdCritical))
        return { SignalState::Critical, rateText };
    if (latencyCounts && above(latency, latencyCritical, holdCritical))
        return { SignalState::Critical, latencyText };
    if (m_consecutiveThrottled == 1)
        return { SignalState::Warning, reasonOf(result) };
    if (rateCounts && above(rate, m_thresholds.errorRateWarn, holdWarning))
        return { SignalState::Warning, rateText };
    if (latencyCounts && above(latency, latencyWarn, holdWarning))
        return { SignalState::Warning, latencyText };
    if (result.rateLimitRemaining == 0)
        return { SignalState::Warning, QStringLiteral("rate limit exhausted (0 remaining)") };
    return { SignalState::Ok,
        QStringLiteral("recovered: error rate ") % percent(rate)
            % QStringLiteral(", average latency %1 ms").arg(qRound(latency)) };
}

void SignalTracker::apply(FailureSignal signal, const Change& change, const QDateTime& nowUtc, SignalTransitions& out)
{
    const int i = signalIndex(signal);
    const auto index = static_cast<size_t>(i);
    const SignalState from = effectiveState(i);
    m_reasons[index] = change.to == SignalState::Ok ? QString() : change.reason;
    m_states[index] = change.to;
    const SignalState to = effectiveState(i);
    if (from == to)
        return;
    m_changedAt[index] = nowUtc;
    // Settling from Unknown to Ok on the first probe is not news.
    if (from == SignalState::Unknown && to == SignalState::Ok)
        return;
    out.append(
        { m_endpointId, m_endpoint, signal, from, to, nowUtc, to == change.to ? change.reason : reason(signal) });
}

SignalState SignalTracker::state(FailureSignal signal) const
{
    const int index = signalIndex(signal);
    return index < 0 ? overall() : effectiveState(index);
}

SignalState SignalTracker::overall() const
{
    SignalState worst = SignalState::Unknown;
    for (int i = 0; i < kSignalCount; ++i)
        worst = worse(worst, effectiveState(i));
    return worst;
}

QString SignalTracker::reason(FailureSignal signal) const
{
    const int index = signalIndex(signal);
    if (index < 0)
        return {};
    const QString& probed = m_reasons[static_cast<size_t>(index)];
    if (signal != FailureSignal::S2 || m_credentialState == SignalState::Unknown)
        return probed;
    const SignalState probedState = m_states[static_cast<size_t>(index)];
    if (m_credentialState > probedState || probed.isEmpty())
        return m_credentialReason;
    if (m_credentialState == probedState)
        return probed % QStringLiteral("; ") % m_credentialReason;
    return probed;
}

QDateTime SignalTracker::changedAt(FailureSignal signal) const
{
    const int index = signalIndex(signal);
    return index < 0 ? QDateTime() : m_changedAt[static_cast<size_t>(index)];
}

double SignalTracker::errorRate() const
{
    if (m_window.empty())
        return 0.0;
    const auto failures
        = std::count_if(m_window.begin(), m_window.end(), [](const Sample& s) { return s.outcome != Outcome::Ok; });
    return static_cast<double>(failures) / static_cast<double>(m_window.size());
}

double SignalTracker::degradedErrorRate() const
{
    if (m_window.empty())
        return 0.0;
    const auto failures = std::count_if(m_window.begin(), m_window.end(), [](const Sample& s) {
        return s.outcome != Outcome::Ok && (s.signal == FailureSignal::None || s.signal == FailureSignal::S4);
    });
    return static_cast<double>(failures) / static_cast<double>(m_window.size());
}

double SignalTracker::averageLatencyMs() const
{
    qint64 sumUs = 0;
    int count = 0;
    for (const Sample& s : m_window) {
        if (s.answered) {
            sumUs += s.latencyUs;
            ++count;
        }
    }
    return count == 0 ? 0.0 : static_cast<double>(sumUs) / 1000.0 / count;
}

int SignalTracker::windowSize() const
{
    return static_cast<int>(m_window.size());
}

int SignalTracker::answeredCount() const
{
    return static_cast<int>(
        std::count_if(m_window.begin(), m_window.end(), [](const Sample& s) { return s.answered; }));
}

std::array<SignalSummary, kSignalCount> summarize(const QList<const SignalTracker*>& trackers)
{
    std::array<SignalSummary, kSignalCount> summaries;
    for (int i = 0; i < kSignalCount; ++i) {
        SignalSummary& summary = summaries[static_cast<size_t>(i)];
        summary.signal = signalAt(i);
        const SignalTracker* latest = nullptr;
        for (const SignalTracker* tracker : trackers) {
            if (!tracker)
                continue;
            const SignalState s = tracker->state(summary.signal);
            if (s == SignalState::Warning)
                ++summary.warningCount;
            else if (s == SignalState::Critical)
                ++summary.criticalCount;
            if (s > summary.worst) {
                summary.worst = s;
                latest = tracker;
            } else if (s == summary.worst && latest
                && tracker->changedAt(summary.signal) > latest->changedAt(summary.signal)) {
                latest = tracker;
            }
        }
        if (latest && summary.worst >= SignalState::Warning)
            summary.latestReason = latest->endpointName() % QStringLiteral(": ") % latest->reason(summary.signal);
    }
    return summaries;
}

} // namespace sd
