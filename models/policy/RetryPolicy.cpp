// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/RetryPolicy.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

namespace sd {

using std::chrono::milliseconds;

RetryPolicy::RetryPolicy(RetryPolicyConfig config, RandomSource random)
    : m_config(config)
    , m_random(std::move(random))
{
    m_config.maxRetries = std::max(0, m_config.maxRetries);
    m_config.base = std::max(milliseconds::zero(), m_config.base);
    m_config.cap = std::max(milliseconds::zero(), m_config.cap);
    if (!m_random)
        m_random = [] { return QRandomGenerator::global()->generateDouble(); };
}

bool RetryPolicy::isRetryable(FailureSignal signal)
{
    return signal == FailureSignal::S1;
}

milliseconds RetryPolicy::delayCeiling(int attemptsSoFar) const
{
    // Double step by step and stop at the cap: base * 2^n overflows long before n gets large.
    milliseconds ceiling = std::min(m_config.base, m_config.cap);
    for (int attempt = 1; attempt < attemptsSoFar && ceiling < m_config.cap; ++attempt)
        ceiling = std::min(ceiling * 2, m_config.cap);
    return ceiling;
}

std::optional<milliseconds> RetryPolicy::retryDelay(FailureSignal signal, int attemptsSoFar)
{
    if (!isRetryable(signal) || attemptsSoFar < 1 || attemptsSoFar > m_config.maxRetries)
        return std::nullopt;
    const double unit = std::clamp(m_random(), 0.0, 1.0);
    const auto ceiling = delayCeiling(attemptsSoFar).count();
    // floor keeps [0, 1) uniform over whole milliseconds; min() covers a source that returns exactly 1.
    const auto delay = static_cast<milliseconds::rep>(std::floor(unit * static_cast<double>(ceiling)));
    return milliseconds(std::clamp<milliseconds::rep>(delay, 0, ceiling));
}

} // namespace sd
