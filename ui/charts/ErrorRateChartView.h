// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/charts/TimeSeriesChartView.h"

#include <array>

class QAreaSeries;
class QLineSeries;

namespace sd {

/// Error rate of one endpoint over time in percent of probes, stacked by cause: S1..S4, then the errors that
/// raise no signal (5xx server errors, failed checks), so the top of the stack is the error rate itself.
/// The legend names each signal with its code and title; hovering shows the column's probes, failures and
/// the count and share per cause. Same data as LatencyChartView (ChartSeries per pixel column).
class ErrorRateChartView : public TimeSeriesChartView {
    Q_OBJECT
public:
    /// S1, S2, S3, S4, then "other errors".
    static constexpr int kLayerCount = kSignalCount + 1;

    explicit ErrorRateChartView(QWidget* parent = nullptr);

    /// The upper edge of a layer as drawn (cumulative percent): two points per column, at its start and end.
    QList<QPointF> stackedPoints(int layer) const;
    /// The top of the stack, i.e. the error rate in percent.
    QList<QPointF> totalPoints() const { return stackedPoints(kLayerCount - 1); }
    /// The legend text of a layer.
    static QString layerName(int layer);

protected:
    double fillSeries(const ChartColumns& columns) override;
    QString describeColumn(const ChartColumn& column) const override;
    void applySeriesColors(const QPalette& palette) override;
    double minimumValueTop() const override { return 5.0; }
    double maximumValueTop() const override { return 100.0; }

private:
    std::array<QLineSeries*, kLayerCount> m_upper {};
    std::array<QLineSeries*, kLayerCount> m_lower {};
    std::array<QAreaSeries*, kLayerCount> m_areas {};
};

} // namespace sd
