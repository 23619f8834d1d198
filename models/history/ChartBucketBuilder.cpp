// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/ChartBucketBuilder.h"

#include <algorithm>

namespace sd {

void ChartBucketBuilder::start(qint64 startMs, qint64 endMs)
{
    m_bucket.startMs = startMs;
    m_bucket.endMs = endMs;
    m_open = true;
}

void ChartBucketBuilder::addLatencyAggregate(qint64 n, qint64 lo, qint64 hi, qint64 sum)
{
    if (n <= 0)
        return;
    m_minUs = m_bucket.latencyCount ? std::min(m_minUs, lo) : lo;
    m_maxUs = m_bucket.latencyCount ? std::max(m_maxUs, hi) : hi;
    m_bucket.latencyCount += n;
    m_latencySumUs += sum;
}

void ChartBucketBuilder::addProbe(bool ok, FailureSignal signal, int httpStatus, qint64 latencyUs)
{
    ++m_bucket.probes;
    if (!ok)
        ++m_bucket.errors;
    if (const int s = signalIndex(signal); s >= 0)
        ++m_bucket.signalCounts[static_cast<size_t>(s)];
    if (httpStatus > 0) {
        addLatencyAggregate(1, latencyUs, latencyUs, latencyUs);
        m_histogram.add(latencyUs);
    }
}

void ChartBucketBuilder::addRollup(qint64 probes, qint64 okCount, const std::array<qint64, kSignalCount>& signalCounts,
    qint64 latencyCount, qint64 latencyMinUs, qint64 latencyMaxUs, qint64 latencySumUs, QByteArrayView histogram,
    qint64 storedP95Us)
{
    m_bucket.probes += probes;
    m_bucket.errors += probes - okCount;
    for (size_t i = 0; i < signalCounts.size(); ++i)
        m_bucket.signalCounts[i] += signalCounts[i];
    if (latencyCount <= 0)
        return;
    addLatencyAggregate(latencyCount, latencyMinUs, latencyMaxUs, latencySumUs);
    m_maxStoredP95Us = std::max(m_maxStoredP95Us, storedP95Us);
    if (m_histogramComplete && (histogram.isEmpty() || !m_histogram.mergeEncoded(histogram)))
        m_histogramComplete = false;
}

void ChartBucketBuilder::finishInto(QList<ChartBucket>& out)
{
    if (!m_open)
        return;
    if (m_bucket.latencyCount > 0) {
        m_bucket.minLatencyMs = static_cast<double>(m_minUs) / 1000.0;
        m_bucket.maxLatencyMs = static_cast<double>(m_maxUs) / 1000.0;
        m_bucket.meanLatencyMs
            = static_cast<double>(m_latencySumUs) / 1000.0 / static_cast<double>(m_bucket.latencyCount);
        double p95Us = 0;
        if (m_histogramComplete)
            p95Us = m_histogram.percentileUs(95.0, static_cast<double>(m_minUs), static_cast<double>(m_maxUs));
        else
            p95Us = static_cast<double>(m_maxStoredP95Us >= 0 ? m_maxStoredP95Us : m_maxUs);
        m_bucket.p95LatencyMs = p95Us / 1000.0;
    }
    out.append(m_bucket);
    *this = {};
}

} // namespace sd
