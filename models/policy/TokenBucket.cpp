// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/TokenBucket.h"

#include <algorithm>
#include <cmath>

namespace sd {

namespace {

// Refill is floating point: a token that is 1 - 1e-12 "full" after waiting the advertised delay is full.
constexpr double kEpsilon = 1e-9;

} // namespace

TokenBucket::TokenBucket(double ratePerSecond, int burst)
    : m_rate(ratePerSecond > 0.0 ? ratePerSecond : 1.0)
    , m_burst(std::max(1, burst))
    , m_tokens(m_burst)
{
}

double TokenBucket::available(MonotonicTime now) const
{
    if (!m_last || now <= *m_last)
        return m_tokens;
    const double elapsedSeconds = std::chrono::duration<double>(now - *m_last).count();
    return std::min(static_cast<double>(m_burst), m_tokens + elapsedSeconds * m_rate);
}

bool TokenBucket::tryTake(MonotonicTime now)
{
    m_tokens = available(now);
    if (!m_last || now > *m_last)
        m_last = now;
    if (m_tokens + kEpsilon < 1.0)
        return false;
    m_tokens = std::max(0.0, m_tokens - 1.0);
    return true;
}

std::chrono::milliseconds TokenBucket::delayUntilAvailable(MonotonicTime now) const
{
    const double missing = 1.0 - available(now);
    if (missing <= kEpsilon)
        return std::chrono::milliseconds::zero();
    const double ms = std::ceil(missing / m_rate * 1'000.0 - kEpsilon);
    return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(std::max(0.0, ms)));
}

} // namespace sd
