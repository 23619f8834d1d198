// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/RtoEstimator.h"

#include <algorithm>
#include <cmath>

namespace sd {

using std::chrono::microseconds;
using std::chrono::milliseconds;

namespace {

constexpr double kAlpha = 1.0 / 8.0;
constexpr double kBeta = 1.0 / 4.0;
constexpr double kK = 4.0;
constexpr double kGranularityUs = 1'000.0;

} // namespace

RtoEstimator::RtoEstimator(milliseconds minRto, milliseconds maxRto, std::optional<milliseconds> initialRto)
    : m_min(std::max(milliseconds::zero(), std::min(minRto, maxRto)))
    , m_max(std::max(m_min, std::max(minRto, maxRto)))
    , m_rto(clamp(initialRto.value_or(m_max)))
{
}

bool RtoEstimator::addSample(microseconds rtt, bool fromRetriedAttempt)
{
    if (fromRetriedAttempt || rtt.count() < 0)
        return false;
    const auto r = static_cast<double>(rtt.count());
    if (!m_hasSample) {
        m_srttUs = r;
        m_rttvarUs = r / 2.0;
        m_hasSample = true;
    } else {
        // RTTVAR first: it uses the SRTT from before this sample (RFC 6298 section 2.3).
        m_rttvarUs = (1.0 - kBeta) * m_rttvarUs + kBeta * std::abs(m_srttUs - r);
        m_srttUs = (1.0 - kAlpha) * m_srttUs + kAlpha * r;
    }
    const double rtoUs = m_srttUs + std::max(kGranularityUs, kK * m_rttvarUs);
    // Round up: a timeout a fraction of a millisecond too short would cut off the answers we expect.
    const double rtoMs = std::ceil(rtoUs / 1'000.0);
    const auto maxMs = static_cast<double>(m_max.count());
    m_rto = clamp(milliseconds(static_cast<milliseconds::rep>(std::min(rtoMs, maxMs))));
    return true;
}

void RtoEstimator::onTimeout()
{
    m_rto = clamp(std::min(m_rto * 2, m_max));
}

std::optional<double> RtoEstimator::srttUs() const
{
    if (!m_hasSample)
        return std::nullopt;
    return m_srttUs;
}

std::optional<double> RtoEstimator::rttvarUs() const
{
    if (!m_hasSample)
        return std::nullopt;
    return m_rttvarUs;
}

milliseconds RtoEstimator::clamp(milliseconds rto) const
{
    return std::clamp(rto, m_min, m_max);
}

} // namespace sd
