// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/ChartBucketing.h"

#include "history/ChartBucketBuilder.h"

#include <algorithm>

namespace sd {

ChartSeries bucketizeSamples(const ProbeResults& samplesSortedByTime, qint64 fromMs, qint64 toMs, int maxBuckets)
{
    ChartSeries series;
    if (toMs <= fromMs || maxBuckets < 1)
        return series;
    const qint64 span = toMs - fromMs;
    const qint64 width = std::max<qint64>((span + maxBuckets - 1) / maxBuckets, 1);
    series.bucketMs = width;
    // Skip what lies before the range without touching every sample.
    auto it = std::lower_bound(samplesSortedByTime.cbegin(), samplesSortedByTime.cend(), fromMs,
        [](const ProbeResult& r, qint64 ms) { return r.startUtc.toMSecsSinceEpoch() < ms; });
    ChartBucketBuilder builder;
    qint64 current = -1;
    for (; it != samplesSortedByTime.cend(); ++it) {
        const qint64 t = it->startUtc.toMSecsSinceEpoch();
        if (t >= toMs)
            break;
        const qint64 index = (t - fromMs) / width;
        if (index != current) {
            builder.finishInto(series.buckets);
            builder.start(fromMs + index * width, std::min(fromMs + (index + 1) * width, toMs));
            current = index;
        }
        builder.addProbe(it->outcome == Outcome::Ok, it->signal, it->httpStatus, it->latencyUs);
    }
    builder.finishInto(series.buckets);
    return series;
}

} // namespace sd
