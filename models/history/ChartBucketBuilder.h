// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "history/HistoryTypes.h"
#include "history/LatencyHistogram.h"

#include <QByteArrayView>

namespace sd {

/// Accumulates one ChartBucket from probes or 1-minute rollup rows that arrive in time order. Shared by
/// HistoryQuery::chart() (raw samples and rollups) and bucketizeSamples() (in-memory samples) so that every
/// chart computes its numbers the same way: latency statistics over the probes that received an HTTP status,
/// errors = probes whose outcome is not Ok, p95 from a LatencyHistogram (nearest rank, ≤ 2.2 % relative
/// error, exact at the extremes because it is clamped to the observed min and max).
///
/// Rollups: their stored histograms merge exactly, so a rollup bucket's p95 is the p95 of all its probes.
/// Only when a rollup row with latencies has no valid histogram does the bucket fall back to the largest
/// stored p95 of its rows (an upper bound of the true p95).
class ChartBucketBuilder {
public:
    bool isOpen() const { return m_open; }
    /// Starts a new bucket; call finishInto() for the previous one first.
    void start(qint64 startMs, qint64 endMs);
    void addProbe(bool ok, FailureSignal signal, int httpStatus, qint64 latencyUs);
    /// One rollup row. `histogram` is the stored LatencyHistogram blob (empty when NULL), `storedP95Us` the
    /// stored p95 column (negative when NULL).
    void addRollup(qint64 probes, qint64 okCount, const std::array<qint64, kSignalCount>& signalCounts,
        qint64 latencyCount, qint64 latencyMinUs, qint64 latencyMaxUs, qint64 latencySumUs, QByteArrayView histogram,
        qint64 storedP95Us);
    /// Appends the open bucket (if any) to `out` and resets the builder.
    void finishInto(QList<ChartBucket>& out);

private:
    void addLatencyAggregate(qint64 n, qint64 lo, qint64 hi, qint64 sum);

    ChartBucket m_bucket;
    qint64 m_latencySumUs = 0;
    qint64 m_minUs = 0;
    qint64 m_maxUs = 0;
    LatencyHistogram m_histogram;
    bool m_histogramComplete = true;
    qint64 m_maxStoredP95Us = -1;
    bool m_open = false;
};

} // namespace sd
