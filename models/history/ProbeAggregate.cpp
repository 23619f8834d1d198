// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/ProbeAggregate.h"

#include <algorithm>

namespace sd {

void ProbeAggregate::add(Outcome outcome, FailureSignal signal, int httpStatus, qint64 latencyUs)
{
    ++m_probes;
    ++m_outcomes[static_cast<size_t>(HistorySchema::outcomeToStored(outcome))];
    if (const int s = signalIndex(signal); s >= 0)
        ++m_signals[static_cast<size_t>(s)];
    if (httpStatus > 0) {
        ++m_latencyCount;
        m_latencyMinUs = std::min(m_latencyMinUs, latencyUs);
        m_latencyMaxUs = std::max(m_latencyMaxUs, latencyUs);
        m_latencySumUs += latencyUs;
        m_histogram.add(latencyUs);
    }
}

void ProbeAggregate::addCounts(qint64 probes, const std::array<qint64, HistorySchema::kOutcomeCount>& outcomes,
    const std::array<qint64, kSignalCount>& perSignal, qint64 latencyCount, qint64 latencyMinUs, qint64 latencyMaxUs,
    qint64 latencySumUs)
{
    m_probes += probes;
    for (size_t i = 0; i < m_outcomes.size(); ++i)
        m_outcomes[i] += outcomes[i];
    for (size_t i = 0; i < m_signals.size(); ++i)
        m_signals[i] += perSignal[i];
    if (latencyCount > 0) {
        m_latencyCount += latencyCount;
        m_latencyMinUs = std::min(m_latencyMinUs, latencyMinUs);
        m_latencyMaxUs = std::max(m_latencyMaxUs, latencyMaxUs);
        m_latencySumUs += latencySumUs;
    }
}

void ProbeAggregate::merge(const ProbeAggregate& other)
{
    addCounts(other.m_probes, other.m_outcomes, other.m_signals, other.m_latencyCount, other.m_latencyMinUs,
        other.m_latencyMaxUs, other.m_latencySumUs);
    m_histogram.merge(other.m_histogram);
}

qint64 ProbeAggregate::outcomeCount(Outcome o) const
{
    return m_outcomes[static_cast<size_t>(HistorySchema::outcomeToStored(o))];
}

qint64 ProbeAggregate::signalCount(FailureSignal s) const
{
    const int i = signalIndex(s);
    return i >= 0 ? m_signals[static_cast<size_t>(i)] : 0;
}

double ProbeAggregate::uptimePercent() const
{
    return m_probes ? 100.0 * static_cast<double>(okCount()) / static_cast<double>(m_probes) : 0.0;
}

double ProbeAggregate::latencyMeanUs() const
{
    return m_latencyCount ? static_cast<double>(m_latencySumUs) / static_cast<double>(m_latencyCount) : 0.0;
}

double ProbeAggregate::latencyPercentileUs(double p) const
{
    if (m_latencyCount == 0)
        return 0.0;
    return m_histogram.percentileUs(p, static_cast<double>(m_latencyMinUs), static_cast<double>(m_latencyMaxUs));
}

} // namespace sd
