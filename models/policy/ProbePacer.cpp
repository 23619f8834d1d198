// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/ProbePacer.h"

#include <algorithm>
#include <cmath>

namespace sd {

using namespace std::chrono;

ProbePacer::ProbePacer(double ratePerSecond, int burst)
    : m_rate(ratePerSecond > 0.0 ? ratePerSecond : 1.0)
    , m_burst(std::max(1, burst))
    , m_spacing(nanoseconds(std::llround(1e9 / m_rate)))
    , m_tolerance(m_spacing * (m_burst - 1))
{
}

MonotonicTime ProbePacer::peek(MonotonicTime now) const
{
    const MonotonicTime theoretical = m_theoretical ? std::max(*m_theoretical, now) : now;
    return std::max(now, theoretical - m_tolerance);
}

MonotonicTime ProbePacer::book(MonotonicTime now)
{
    const MonotonicTime theoretical = m_theoretical ? std::max(*m_theoretical, now) : now;
    m_theoretical = theoretical + m_spacing;
    return std::max(now, theoretical - m_tolerance);
}

MonotonicTime ProbePacer::nextCycleStart(MonotonicTime planned, milliseconds interval, MonotonicTime now)
{
    return std::max(planned + interval, now);
}

} // namespace sd
