// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "history/HistoryTypes.h"

#include <QList>

namespace sd {

/// The buckets of a ChartSeries that fall into one horizontal pixel column of a chart, merged: counts add,
/// min and max combine, the mean is weighted by latencyCount, and the p95 is the largest p95 of the merged
/// buckets (an upper bound of the column's true p95 when bucketCount > 1, exact when it is 1).
struct ChartColumn {
    qint64 startMs = 0; ///< start of its first bucket
    qint64 endMs = 0; ///< end of its last bucket
    int bucketCount = 0;
    ChartBucket merged;
};

/// A stretch of the range in which no probe ran (longer than the usual spacing between probes).
struct ChartGap {
    qint64 startMs = 0;
    qint64 endMs = 0;
};

/// A ChartSeries reduced to at most one entry per pixel column, which is what the charts draw: min/max per
/// column keeps every spike visible however many buckets there were. Columns that hold no probe are left
/// out; runs without probes that are clearly longer than the usual spacing between buckets (three times
/// the median spacing, and at least two columns) become gaps, including at the start and end of the range.
struct ChartColumns {
    qint64 fromMs = 0;
    qint64 toMs = 0;
    double columnMs = 0;
    /// How far hover looks for the nearest column, so that sparse probes (one every 30 s on a 2 s column)
    /// can still be hovered between their columns.
    qint64 snapMs = 0;
    QList<ChartColumn> columns;
    QList<ChartGap> gaps;

    /// The column under `ms` or the nearest within snapMs; nullptr in a gap or when there is none.
    const ChartColumn* columnNear(qint64 ms) const;
    /// The gap containing `ms`, nullptr when there is none.
    const ChartGap* gapAt(qint64 ms) const;
};

/// Groups `series` into `pixelColumns` equal columns over [fromMs, toMs) (buckets outside the range are
/// clamped into the first or last column). Pure; linear in the number of buckets.
ChartColumns groupIntoColumns(const ChartSeries& series, qint64 fromMs, qint64 toMs, int pixelColumns);

} // namespace sd
