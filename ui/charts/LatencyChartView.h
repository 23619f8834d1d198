// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/charts/TimeSeriesChartView.h"

class QLineSeries;

namespace sd {

/// Latency of one endpoint over time: a band from the fastest to the slowest answer in each pixel column
/// (so a single slow probe among thousands still shows as a spike) and a p95 line, over a local-time axis
/// and a millisecond axis. The band is one line series that runs up and down once per pixel column
/// (min → max, then max → min in the next), about two points per horizontal pixel, which paints as a
/// filled band: Qt's raster engine fills a polygon with hundreds of tall spikes about 30 times slower
/// (see docs/PERFORMANCE.md). Only probes that received an HTTP status have a latency; hovering shows the
/// column's time span, min / max / mean / p95 and probe counts. Feed it with HistoryQuery::chart() or
/// bucketizeSamples() asking for preferredBucketCount() buckets.
class LatencyChartView : public TimeSeriesChartView {
    Q_OBJECT
public:
    explicit LatencyChartView(QWidget* parent = nullptr);

    /// The band as drawn: two points per pixel column holding probes, at the column's middle, one at its
    /// min and one at its max (in alternating order).
    QList<QPointF> bandPoints() const;
    /// The p95 line: one point per column, at its middle.
    QList<QPointF> p95Points() const;

    /// Several endpoints selected: the p95 line of another endpoint over the same axes (its own colour,
    /// the legend names it). Up to kMaxOverlays; a later one replaces the series of the same endpoint.
    static constexpr int kMaxOverlays = 3;
    void setOverlay(const QString& endpoint, const ChartSeries& series);
    void clearOverlays();
    QStringList overlayNames() const;
    QList<QPointF> overlayPoints(const QString& endpoint) const;

protected:
    double fillSeries(const ChartColumns& columns) override;
    QString describeColumn(const ChartColumn& column) const override;
    void applySeriesColors(const QPalette& palette) override;
    QString valueUnit() const override { return QStringLiteral(" ms"); }

private:
    struct Overlay {
        QString endpoint;
        ChartSeries series;
        QLineSeries* line = nullptr;
    };
    QList<Overlay> m_overlays;
    QLineSeries* m_band = nullptr;
    QLineSeries* m_p95 = nullptr;
};

} // namespace sd
