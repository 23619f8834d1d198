// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/charts/ErrorRateChartView.h"

#include "ui/charts/SignalColors.h"

#include <QAreaSeries>
#include <QLineSeries>
#include <QLocale>
#include <QValueAxis>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sd {

namespace {

std::array<qint64, ErrorRateChartView::kLayerCount> layerCounts(const ChartBucket& b)
{
    std::array<qint64, ErrorRateChartView::kLayerCount> counts {};
    qint64 withSignal = 0;
    for (int i = 0; i < kSignalCount; ++i) {
        counts[static_cast<size_t>(i)] = b.signalCounts[static_cast<size_t>(i)];
        withSignal += b.signalCounts[static_cast<size_t>(i)];
    }
    counts[kSignalCount] = std::max<qint64>(b.errors - withSignal, 0);
    return counts;
}

QString percent(double value)
{
    return QLocale().toString(value, 'f', 1) + u" %"_s;
}

} // namespace

ErrorRateChartView::ErrorRateChartView(QWidget* parent)
    : TimeSeriesChartView(parent)
{
    for (int i = 0; i < kLayerCount; ++i) {
        const auto l = static_cast<size_t>(i);
        m_upper[l] = new QLineSeries(chart());
        m_areas[l] = new QAreaSeries;
        m_areas[l]->setUpperSeries(m_upper[l]);
        // The first layer stands on the axis; each other one on a copy of the previous layer's top.
        if (i > 0) {
            m_lower[l] = new QLineSeries(chart());
            m_areas[l]->setLowerSeries(m_lower[l]);
        }
        m_areas[l]->setName(layerName(i));
        addSeriesOnAxes(m_areas[l]);
    }
    valueAxis()->setTitleText(tr("errors (% of probes)"));
    applySeriesColors(palette());
}

QString ErrorRateChartView::layerName(int layer)
{
    if (layer >= 0 && layer < kSignalCount) {
        const FailureSignal s = kAllSignals[static_cast<size_t>(layer)];
        return signalCode(s) + u" "_s + signalTitle(s);
    }
    return tr("Other errors (5xx, failed checks)");
}

double ErrorRateChartView::fillSeries(const ChartColumns& columns)
{
    std::array<QList<QPointF>, kLayerCount> tops;
    for (auto& points : tops)
        points.reserve(columns.columns.size() * 2);
    double largest = 0;
    const auto from = static_cast<qreal>(columns.fromMs);
    const auto to = static_cast<qreal>(columns.toMs);
    for (const ChartColumn& c : columns.columns) {
        const ChartBucket& m = c.merged;
        if (m.probes <= 0)
            continue;
        const qreal x0 = std::clamp(static_cast<qreal>(c.startMs), from, to);
        const qreal x1 = std::clamp(static_cast<qreal>(c.endMs), from, to);
        const auto counts = layerCounts(m);
        qint64 cumulative = 0;
        for (size_t l = 0; l < counts.size(); ++l) {
            cumulative += counts[l];
            const double y = 100.0 * static_cast<double>(cumulative) / static_cast<double>(m.probes);
            tops[l] << QPointF(x0, y) << QPointF(x1, y);
        }
        largest = std::max(largest, 100.0 * static_cast<double>(cumulative) / static_cast<double>(m.probes));
    }
    for (size_t l = 0; l < tops.size(); ++l) {
        m_upper[l]->replace(tops[l]);
        if (l > 0)
            m_lower[l]->replace(tops[l - 1]);
    }
    return largest;
}

QString ErrorRateChartView::describeColumn(const ChartColumn& column) const
{
    const ChartBucket& m = column.merged;
    const auto share = [&m](qint64 n) { return 100.0 * static_cast<double>(n) / static_cast<double>(m.probes); };
    QString text = (m.probes == 1 ? tr("1 probe") : tr("%1 probes").arg(m.probes)) + u", "_s
        + tr("%1 failed").arg(m.errors) + u" ("_s + percent(share(m.errors)) + u")"_s;
    const auto counts = layerCounts(m);
    for (int l = 0; l < kLayerCount; ++l) {
        const qint64 n = counts[static_cast<size_t>(l)];
        if (n > 0)
            text += u"\n"_s + layerName(l) + u": "_s + QString::number(n) + u" ("_s + percent(share(n)) + u")"_s;
    }
    return text;
}

void ErrorRateChartView::applySeriesColors(const QPalette& palette)
{
    Q_UNUSED(palette);
    for (int l = 0; l < kLayerCount; ++l) {
        // Fill only: an outline would draw every empty layer as a line on top of the stack.
        m_areas[static_cast<size_t>(l)]->setBrush(
            signalColor(l < kSignalCount ? kAllSignals[static_cast<size_t>(l)] : FailureSignal::None));
        m_areas[static_cast<size_t>(l)]->setPen(Qt::NoPen);
    }
}

QList<QPointF> ErrorRateChartView::stackedPoints(int layer) const
{
    if (layer < 0 || layer >= kLayerCount)
        return {};
    return m_upper[static_cast<size_t>(layer)]->points();
}

} // namespace sd
