// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/charts/ChartColumns.h"

#include <algorithm>
#include <cmath>

namespace sd {

namespace {

void mergeInto(ChartColumn& column, const ChartBucket& b)
{
    ChartBucket& m = column.merged;
    if (column.bucketCount == 0) {
        column.startMs = b.startMs;
        m = b;
    } else {
        m.probes += b.probes;
        m.errors += b.errors;
        for (size_t i = 0; i < m.signalCounts.size(); ++i)
            m.signalCounts[i] += b.signalCounts[i];
        if (b.latencyCount > 0) {
            if (m.latencyCount == 0) {
                m.minLatencyMs = b.minLatencyMs;
                m.maxLatencyMs = b.maxLatencyMs;
                m.p95LatencyMs = b.p95LatencyMs;
            } else {
                m.minLatencyMs = std::min(m.minLatencyMs, b.minLatencyMs);
                m.maxLatencyMs = std::max(m.maxLatencyMs, b.maxLatencyMs);
                m.p95LatencyMs = std::max(m.p95LatencyMs, b.p95LatencyMs);
            }
            const auto total = static_cast<double>(m.latencyCount + b.latencyCount);
            m.meanLatencyMs = (m.meanLatencyMs * static_cast<double>(m.latencyCount)
                                  + b.meanLatencyMs * static_cast<double>(b.latencyCount))
                / total;
            m.latencyCount += b.latencyCount;
        }
    }
    m.startMs = column.startMs;
    m.endMs = b.endMs;
    column.endMs = b.endMs;
    ++column.bucketCount;
}

qint64 medianSpacing(const QList<ChartBucket>& buckets)
{
    if (buckets.size() < 2)
        return 0;
    std::vector<qint64> steps;
    steps.reserve(static_cast<size_t>(buckets.size() - 1));
    for (qsizetype i = 1; i < buckets.size(); ++i)
        steps.push_back(buckets.at(i).startMs - buckets.at(i - 1).startMs);
    const auto mid = steps.begin() + static_cast<std::ptrdiff_t>(steps.size() / 2);
    std::nth_element(steps.begin(), mid, steps.end());
    return *mid;
}

} // namespace

ChartColumns groupIntoColumns(const ChartSeries& series, qint64 fromMs, qint64 toMs, int pixelColumns)
{
    ChartColumns out;
    out.fromMs = fromMs;
    out.toMs = toMs;
    if (toMs <= fromMs || pixelColumns < 1)
        return out;
    const qint64 span = toMs - fromMs;
    out.columnMs = static_cast<double>(span) / pixelColumns;
    qint64 currentIndex = -1;
    for (const ChartBucket& b : series.buckets) {
        if (b.probes <= 0)
            continue;
        const qint64 index = std::clamp<qint64>((b.startMs - fromMs) * pixelColumns / span, 0, pixelColumns - 1);
        if (index != currentIndex || out.columns.isEmpty()) {
            out.columns.append(ChartColumn {});
            currentIndex = index;
        }
        mergeInto(out.columns.last(), b);
    }

    const auto columnMs = static_cast<qint64>(std::ceil(out.columnMs));
    const qint64 spacing = medianSpacing(series.buckets);
    const qint64 threshold = std::max({ 3 * spacing, 2 * columnMs, 2 * series.bucketMs, qint64(1) });
    out.snapMs = std::max(columnMs, spacing / 2 + 1);
    if (out.columns.isEmpty())
        return out;
    auto addGap = [&out, threshold](qint64 start, qint64 end) {
        if (end - start > threshold)
            out.gaps.append({ start, end });
    };
    addGap(fromMs, out.columns.first().startMs);
    for (qsizetype i = 1; i < out.columns.size(); ++i)
        addGap(out.columns.at(i - 1).endMs, out.columns.at(i).startMs);
    addGap(out.columns.last().endMs, toMs);
    return out;
}

const ChartColumn* ChartColumns::columnNear(qint64 ms) const
{
    if (columns.isEmpty() || gapAt(ms))
        return nullptr;
    // First column that ends after ms; the one before it is the other candidate.
    const auto it = std::upper_bound(
        columns.cbegin(), columns.cend(), ms, [](qint64 t, const ChartColumn& c) { return t < c.endMs; });
    const ChartColumn* best = nullptr;
    qint64 bestDistance = snapMs + 1;
    auto consider = [&](const ChartColumn& c) {
        const qint64 d = ms < c.startMs ? c.startMs - ms : (ms >= c.endMs ? ms - c.endMs + 1 : 0);
        if (d < bestDistance) {
            best = &c;
            bestDistance = d;
        }
    };
    if (it != columns.cend())
        consider(*it);
    if (it != columns.cbegin())
        consider(*std::prev(it));
    return best;
}

const ChartGap* ChartColumns::gapAt(qint64 ms) const
{
    for (const ChartGap& g : gaps) {
        if (ms >= g.startMs && ms < g.endMs)
            return &g;
    }
    return nullptr;
}

} // namespace sd
