// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/charts/LatencyChartView.h"

#include <QAreaSeries>
#include <QLineSeries>
#include <QLocale>
#include <QValueAxis>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sd {

namespace {

QString ms(double value)
{
    return QLocale().toString(value, 'f', 1) + u" ms"_s;
}

} // namespace

LatencyChartView::LatencyChartView(QWidget* parent)
    : TimeSeriesChartView(parent)
{
    m_upper = new QLineSeries(chart());
    m_lower = new QLineSeries(chart());
    m_band = new QAreaSeries;
    m_band->setUpperSeries(m_upper);
    m_band->setLowerSeries(m_lower);
    m_band->setName(tr("min \u2013 max"));
    addSeriesOnAxes(m_band);
    m_p95 = new QLineSeries;
    m_p95->setName(tr("p95"));
    addSeriesOnAxes(m_p95);
    valueAxis()->setTitleText(tr("latency (ms)"));
    applySeriesColors(palette());
}

double LatencyChartView::fillSeries(const ChartColumns& columns)
{
    QList<QPointF> upper;
    QList<QPointF> lower;
    QList<QPointF> p95;
    upper.reserve(columns.columns.size() * 2);
    lower.reserve(columns.columns.size() * 2);
    p95.reserve(columns.columns.size());
    double largest = 0;
    const auto from = static_cast<qreal>(columns.fromMs);
    const auto to = static_cast<qreal>(columns.toMs);
    for (const ChartColumn& c : columns.columns) {
        const ChartBucket& m = c.merged;
        if (m.latencyCount <= 0)
            continue;
        const qreal x0 = std::clamp(static_cast<qreal>(c.startMs), from, to);
        const qreal x1 = std::clamp(static_cast<qreal>(c.endMs), from, to);
        upper << QPointF(x0, m.maxLatencyMs) << QPointF(x1, m.maxLatencyMs);
        lower << QPointF(x0, m.minLatencyMs) << QPointF(x1, m.minLatencyMs);
        p95 << QPointF((x0 + x1) / 2, m.p95LatencyMs);
        largest = std::max(largest, m.maxLatencyMs);
    }
    m_upper->replace(upper);
    m_lower->replace(lower);
    m_p95->replace(p95);
    return largest;
}

QString LatencyChartView::describeColumn(const ChartColumn& column) const
{
    const ChartBucket& m = column.merged;
    const QString failed = m.errors > 0 ? tr(", %1 failed").arg(m.errors) : QString();
    const QString probes = (m.probes == 1 ? tr("1 probe") : tr("%1 probes").arg(m.probes)) + failed;
    if (m.latencyCount <= 0)
        return probes + u"\n"_s + tr("no answer with an HTTP status, so no latency");
    // Several buckets in one pixel column: their largest p95 bounds the column's p95 from above.
    const QString p95Label = column.bucketCount > 1 ? tr("p95 \u2264 %1") : tr("p95 %1");
    return tr("min %1 \u00b7 max %2").arg(ms(m.minLatencyMs), ms(m.maxLatencyMs)) + u"\n"_s
        + tr("mean %1").arg(ms(m.meanLatencyMs)) + u" \u00b7 "_s + p95Label.arg(ms(m.p95LatencyMs)) + u"\n"_s + probes;
}

void LatencyChartView::applySeriesColors(const QPalette& palette)
{
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    const QColor band = dark ? QColor(0x56, 0xb4, 0xe9) : QColor(0x1f, 0x6f, 0xb4);
    QColor fill = band;
    fill.setAlphaF(dark ? 0.45f : 0.35f);
    m_band->setBrush(fill);
    // The outline keeps a column with min == max (one probe) and one-pixel spikes visible.
    m_band->setPen(QPen(band, 1.0));
    const QColor p95 = dark ? QColor(0xff, 0xb0, 0x4d) : QColor(0xc4, 0x3e, 0x00);
    m_p95->setPen(QPen(p95, 1.6));
}

QList<QPointF> LatencyChartView::bandUpperPoints() const
{
    return m_upper->points();
}

QList<QPointF> LatencyChartView::bandLowerPoints() const
{
    return m_lower->points();
}

QList<QPointF> LatencyChartView::p95Points() const
{
    return m_p95->points();
}

} // namespace sd
