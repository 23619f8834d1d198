// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/ThrottleBackoff.h"

#include <algorithm>

namespace sd {

using std::chrono::milliseconds;

ThrottleBackoff::ThrottleBackoff(ThrottleBackoffConfig config)
    : m_config(config)
{
    m_config.maxRetryAfter = std::max(milliseconds::zero(), m_config.maxRetryAfter);
    m_config.maxMultiplier = std::max(1, m_config.maxMultiplier);
}

void ThrottleBackoff::onThrottled(std::optional<milliseconds> retryAfter, MonotonicTime now)
{
    // Saturate instead of overflowing on an endpoint that stays throttled for weeks.
    if (m_consecutive < 64)
        ++m_consecutive;

    if (retryAfter) {
        m_lastRetryAfter = std::clamp(*retryAfter, milliseconds::zero(), m_config.maxRetryAfter);
        const MonotonicTime until = now + *m_lastRetryAfter;
        // A longer Retry-After received earlier still stands.
        m_notBefore = m_notBefore ? std::max(*m_notBefore, until) : until;
    } else {
        m_lastRetryAfter.reset();
        if (m_notBefore && *m_notBefore <= now)
            m_notBefore.reset();
    }
}

void ThrottleBackoff::onSuccess()
{
    m_consecutive = 0;
    m_lastRetryAfter.reset();
    m_notBefore.reset();
}

int ThrottleBackoff::multiplier() const
{
    int factor = 1;
    for (int i = 0; i < m_consecutive && factor < m_config.maxMultiplier; ++i)
        factor = std::min(factor * 2, m_config.maxMultiplier);
    return factor;
}

milliseconds ThrottleBackoff::nextDelay(milliseconds interval) const
{
    if (m_lastRetryAfter)
        return std::max(interval, *m_lastRetryAfter);
    return interval * multiplier();
}

} // namespace sd
