// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/LatencyWindow.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace sd {

LatencyWindow::LatencyWindow(int capacity)
    : m_capacity(std::max(1, capacity))
{
}

void LatencyWindow::setCapacity(int capacity)
{
    m_capacity = std::max(1, capacity);
    while (size() > m_capacity)
        m_samples.pop_front();
}

LatencyWindow::Sample LatencyWindow::sampleOf(const ProbeResult& result)
{
    return { result.latencyMs(), result.httpStatus > 0, result.outcome == Outcome::Ok };
}

void LatencyWindow::add(const ProbeResult& result)
{
    m_samples.push_back(sampleOf(result));
    if (size() > m_capacity)
        m_samples.pop_front();
}

void LatencyWindow::addOlder(const ProbeResult& result)
{
    if (size() < m_capacity)
        m_samples.push_front(sampleOf(result));
}

WindowFigures LatencyWindow::figures() const
{
    WindowFigures f;
    f.probes = size();
    if (f.probes == 0)
        return f;
    std::vector<double> latencies;
    latencies.reserve(m_samples.size());
    int failed = 0;
    for (const Sample& s : m_samples) {
        if (!s.ok)
            ++failed;
        if (s.answered)
            latencies.push_back(s.latencyMs);
    }
    f.errorRate = static_cast<double>(failed) / static_cast<double>(f.probes);
    f.answered = static_cast<int>(latencies.size());
    if (latencies.empty())
        return f;
    std::sort(latencies.begin(), latencies.end());
    const auto nearestRank = [&latencies](double p) {
        const auto n = static_cast<double>(latencies.size());
        const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n));
        return latencies[std::clamp<std::size_t>(rank, 1, latencies.size()) - 1];
    };
    f.p50Ms = nearestRank(50);
    f.p95Ms = nearestRank(95);
    f.p99Ms = nearestRank(99);
    return f;
}

} // namespace sd
