// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/CircuitBreaker.h"

#include <algorithm>
#include <utility>

namespace sd {

using std::chrono::milliseconds;

namespace {

QString formatWait(milliseconds wait)
{
    if (wait.count() % 1000 == 0)
        return QStringLiteral("%1 s").arg(wait.count() / 1000);
    return QStringLiteral("%1 ms").arg(wait.count());
}

} // namespace

CircuitBreaker::CircuitBreaker(CircuitBreakerConfig config)
    : m_config(config)
{
    m_config.window = std::max(1, m_config.window);
    m_config.minAttempts = std::clamp(m_config.minAttempts, 1, m_config.window);
    m_config.initialWait = std::max(milliseconds(1), m_config.initialWait);
    m_config.maxWait = std::max(m_config.initialWait, m_config.maxWait);
    m_wait = m_config.initialWait;
}

bool CircuitBreaker::countsAsFailure(Outcome outcome, FailureSignal signal)
{
    // The signal wins when there is one: an error-code map may turn a 500 into S3, or a 200 into S1.
    switch (signal) {
    case FailureSignal::S1:
    case FailureSignal::S4:
        return true;
    case FailureSignal::S2:
    case FailureSignal::S3:
        return false;
    case FailureSignal::None:
        break;
    }
    return outcome == Outcome::ServerError;
}

bool CircuitBreaker::allowProbe(MonotonicTime now)
{
    switch (m_state) {
    case CircuitState::Closed:
        return true;
    case CircuitState::Open:
        if (now < m_openedAt + m_wait)
            return false;
        transition(CircuitState::HalfOpen, now,
            QStringLiteral("waited %1: letting one probe through").arg(formatWait(m_wait)));
        m_halfOpenProbeOut = true;
        return true;
    case CircuitState::HalfOpen:
        if (m_halfOpenProbeOut)
            return false;
        m_halfOpenProbeOut = true;
        return true;
    }
    return false;
}

void CircuitBreaker::recordAttempt(Outcome outcome, FailureSignal signal, MonotonicTime now)
{
    recordAttempt(countsAsFailure(outcome, signal), now);
}

void CircuitBreaker::recordAttempt(bool failed, MonotonicTime now)
{
    switch (m_state) {
    case CircuitState::Open:
        return;
    case CircuitState::HalfOpen:
        m_halfOpenProbeOut = false;
        if (failed) {
            m_wait = std::min(m_wait * 2, m_config.maxWait);
            open(now, QStringLiteral("half-open probe failed"));
        } else {
            m_wait = m_config.initialWait;
            m_window.clear();
            transition(CircuitState::Closed, now, QStringLiteral("half-open probe succeeded: closing"));
        }
        return;
    case CircuitState::Closed:
        break;
    }

    m_window.push_back(failed);
    while (static_cast<int>(m_window.size()) > m_config.window)
        m_window.pop_front();

    const int attempts = attemptsInWindow();
    const int failures = failuresInWindow();
    // Division is correctly rounded, so 5 / 10 compares equal to a configured 0.5 exactly.
    if (attempts >= m_config.minAttempts
        && static_cast<double>(failures) / static_cast<double>(attempts) >= m_config.failureRatio)
        open(now, QStringLiteral("%1 of the last %2 attempts failed").arg(failures).arg(attempts));
}

std::optional<MonotonicTime> CircuitBreaker::halfOpenAt() const
{
    if (m_state != CircuitState::Open)
        return std::nullopt;
    return m_openedAt + m_wait;
}

int CircuitBreaker::failuresInWindow() const
{
    return static_cast<int>(std::count(m_window.begin(), m_window.end(), true));
}

CircuitTransitions CircuitBreaker::takeTransitions()
{
    return std::exchange(m_transitions, {});
}

void CircuitBreaker::open(MonotonicTime now, const QString& cause)
{
    m_openedAt = now;
    const QString verb = m_state == CircuitState::HalfOpen ? QStringLiteral("reopening") : QStringLiteral("opening");
    transition(
        CircuitState::Open, now, cause % QStringLiteral(": ") % verb % QStringLiteral(" for ") % formatWait(m_wait));
}

void CircuitBreaker::transition(CircuitState to, MonotonicTime now, QString reason)
{
    m_transitions.append(CircuitTransition { m_state, to, now, std::move(reason) });
    m_state = to;
}

} // namespace sd
