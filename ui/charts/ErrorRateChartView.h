// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/charts/TimeSeriesChartView.h"

#include <array>

class QLineSeries;

namespace sd {

/// Error rate of one endpoint over time in percent of probes, stacked by cause: the errors that raise no
/// signal (5xx server errors, failed checks) at the bottom, then S4, S3, S2 and S1 on top, so the top of the
/// stack is the error rate itself. The legend names each signal with its code and title; hovering shows the
/// column's probes, failures and the count and share per cause. Same data as LatencyChartView.
///
/// Drawn per pixel column, like the latency band: each layer is one line series that strokes, in every
/// pixel column, from below the axis up to the top of that layer, and the layers are drawn tallest first so
/// each one paints over the lower part of the previous. Stacked QAreaSeries would be the obvious choice,
/// but Qt's raster engine fills such many-edged polygons so slowly that a flapping endpoint took 1.4 s per
/// refresh (see docs/PERFORMANCE.md); strokes take a few milliseconds.
class ErrorRateChartView : public TimeSeriesChartView {
    Q_OBJECT
public:
    /// S1, S2, S3, S4, then "other errors" (legend order; the stack is drawn in the reverse order).
    static constexpr int kLayerCount = kSignalCount + 1;

    explicit ErrorRateChartView(QWidget* parent = nullptr);

    /// One point per pixel column holding probes, at its middle: the share of probes in percent that
    /// failed with this layer's cause.
    QList<QPointF> layerPoints(int layer) const;
    /// One point per pixel column holding probes: the error rate in percent (the sum of the layers).
    QList<QPointF> totalPoints() const { return m_total; }
    /// What the layer's series holds: two points per pixel column (the bottom, below the axis, and the top).
    QList<QPointF> drawnPoints(int layer) const;
    /// The legend text of a layer: short ("S1", "other"), so that a legend over a 300 px chart is not cut.
    static QString layerName(int layer);
    /// The layer's full name for hover texts ("S1 Timeout & connection").
    static QString layerTitle(int layer);

protected:
    double fillSeries(const ChartColumns& columns) override;
    QString describeColumn(const ChartColumn& column) const override;
    void applySeriesColors(const QPalette& palette) override;
    double minimumValueTop() const override { return 10.0; }
    QString valueUnit() const override { return QStringLiteral(" %"); }
    double maximumValueTop() const override { return 100.0; }

private:
    std::array<QLineSeries*, kLayerCount> m_series {};
    std::array<QList<QPointF>, kLayerCount> m_layers;
    QList<QPointF> m_total;
};

} // namespace sd
