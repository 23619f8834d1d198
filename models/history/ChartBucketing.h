// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ProbeResult.h"
#include "history/HistoryTypes.h"

namespace sd {

/// Decimates probes held in memory (the live window of an endpoint) into at most maxBuckets chart buckets over
/// [fromMs, toMs), with the semantics of HistoryQuery::chart() on raw samples: buckets of equal width
/// ceil((toMs − fromMs) / maxBuckets) ms starting at fromMs (the last one cut at toMs), latency min / max /
/// mean / p95 over the probes that received an HTTP status, errors and counts per signal, and only the
/// buckets that hold probes. Probes outside the range are skipped; `samplesSortedByTime` must be in
/// ascending start time. Pure and thread-safe; costs one pass over the samples.
ChartSeries bucketizeSamples(const ProbeResults& samplesSortedByTime, qint64 fromMs, qint64 toMs, int maxBuckets);

} // namespace sd
