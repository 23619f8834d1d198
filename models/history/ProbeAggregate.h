// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/FailureSignal.h"
#include "history/HistorySchema.h"
#include "history/LatencyHistogram.h"

#include <array>
#include <limits>

namespace sd {

/// Counts and latency statistics of a set of probes: one rollup minute, a chart bucket, or a whole
/// report range. Everything in it merges exactly (counts and sums add, min/max combine, histograms add),
/// so a range answered from per-minute rollups equals the same range computed from raw samples, except
/// that percentiles come from the LatencyHistogram (relative error ≤ 2.2 %). Latency statistics cover
/// only probes that received an HTTP status (see HistorySchema). Uptime is the share of Ok probes.
class ProbeAggregate {
public:
    void add(Outcome outcome, FailureSignal signal, int httpStatus, qint64 latencyUs);
    void merge(const ProbeAggregate& other);
    /// Adds a stored rollup row's counts; the histogram blob is merged separately via histogram().
    void addCounts(qint64 probes, const std::array<qint64, HistorySchema::kOutcomeCount>& outcomes,
        const std::array<qint64, kSignalCount>& perSignal, qint64 latencyCount, qint64 latencyMinUs,
        qint64 latencyMaxUs, qint64 latencySumUs);

    qint64 probes() const { return m_probes; }
    qint64 outcomeCount(Outcome o) const;
    const std::array<qint64, HistorySchema::kOutcomeCount>& outcomeCounts() const { return m_outcomes; }
    qint64 signalCount(FailureSignal s) const;
    const std::array<qint64, kSignalCount>& signalCounts() const { return m_signals; }
    qint64 okCount() const { return m_outcomes[0]; }
    qint64 errorCount() const { return m_probes - okCount(); }
    /// 100 × Ok / probes; 0 with no probes.
    double uptimePercent() const;

    qint64 latencyCount() const { return m_latencyCount; }
    qint64 latencyMinUs() const { return m_latencyCount ? m_latencyMinUs : 0; }
    qint64 latencyMaxUs() const { return m_latencyCount ? m_latencyMaxUs : 0; }
    qint64 latencySumUs() const { return m_latencySumUs; }
    double latencyMeanUs() const;
    /// Nearest-rank percentile from the histogram, clamped to [min, max]; 0 with no latencies.
    double latencyPercentileUs(double p) const;
    double latencyMeanMs() const { return latencyMeanUs() / 1000.0; }
    double latencyPercentileMs(double p) const { return latencyPercentileUs(p) / 1000.0; }

    LatencyHistogram& histogram() { return m_histogram; }
    const LatencyHistogram& histogram() const { return m_histogram; }

    bool operator==(const ProbeAggregate&) const = default;

private:
    qint64 m_probes = 0;
    std::array<qint64, HistorySchema::kOutcomeCount> m_outcomes {};
    std::array<qint64, kSignalCount> m_signals {};
    qint64 m_latencyCount = 0;
    qint64 m_latencyMinUs = std::numeric_limits<qint64>::max();
    qint64 m_latencyMaxUs = std::numeric_limits<qint64>::min();
    qint64 m_latencySumUs = 0;
    LatencyHistogram m_histogram;
};

} // namespace sd
