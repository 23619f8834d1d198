// SPDX-License-Identifier: GPL-3.0-or-later
#include "simulator/ThrottleBucket.h"

#include <algorithm>
#include <cmath>

namespace sd {

namespace {

int wholeSecondsUp(double seconds)
{
    return static_cast<int>(std::ceil(std::max(0.0, seconds) - 1e-9));
}

} // namespace

ThrottleBucket::ThrottleBucket(int capacity, double refillPerSecond)
    : m_capacity(std::max(1, capacity))
    , m_refillPerSecond(std::max(1e-6, refillPerSecond))
    , m_tokens(m_capacity)
{
}

void ThrottleBucket::refill(std::chrono::nanoseconds now)
{
    if (!m_started) {
        m_started = true;
        m_lastRefill = now;
        return;
    }
    if (now <= m_lastRefill)
        return;
    const double elapsed = std::chrono::duration<double>(now - m_lastRefill).count();
    m_tokens = std::min<double>(m_capacity, m_tokens + elapsed * m_refillPerSecond);
    m_lastRefill = now;
}

ThrottleBucket::Verdict ThrottleBucket::take(std::chrono::nanoseconds now)
{
    refill(now);
    Verdict verdict;
    verdict.limit = m_capacity;
    verdict.allowed = m_tokens >= 1.0;
    if (verdict.allowed)
        m_tokens -= 1.0;
    else
        verdict.retryAfterSeconds = std::max(1, wholeSecondsUp((1.0 - m_tokens) / m_refillPerSecond));
    verdict.remaining = static_cast<int>(std::floor(m_tokens));
    verdict.resetSeconds = wholeSecondsUp((m_capacity - m_tokens) / m_refillPerSecond);
    return verdict;
}

} // namespace sd
