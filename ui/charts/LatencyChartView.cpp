// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/charts/LatencyChartView.h"

#include <QChart>
#include <QFontMetrics>
#include <QLineSeries>
#include <QLocale>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <vector>

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
    m_band = new QLineSeries;
    m_band->setName(tr("min \u2013 max"));
    addSeriesOnAxes(m_band);
    m_p95 = new QLineSeries;
    // Over the probes that got an answer: a failed probe has no latency (it is not 0 ms).
    m_p95->setName(tr("p95 of answers"));
    addSeriesOnAxes(m_p95);
    valueAxis()->setTitleText(tr("latency (ms)"));
    // The band's strokes sit on pixel centres and need no antialiasing; without it a refresh costs about
    // half (text stays antialiased, that is a separate hint).
    setRenderHint(QPainter::Antialiasing, false);
    applySeriesColors(palette());
}

double LatencyChartView::fillSeries(const ChartColumns& columns)
{
    // Fold the columns into pixels first: a bucket wider than a pixel covers several, and then every
    // pixel it covers gets its stroke, so the band is filled whatever the bucket width.
    const int pixels = std::max(1, plotColumns());
    const double pixelMs = static_cast<double>(columns.toMs - columns.fromMs) / pixels;
    struct Extent {
        double min = 0;
        double max = -1;
    };
    std::vector<Extent> perPixel(static_cast<size_t>(pixels));
    QList<QPointF> p95;
    p95.reserve(columns.columns.size());
    double largest = 0;
    const auto from = static_cast<double>(columns.fromMs);
    const auto to = static_cast<double>(columns.toMs);
    auto pixelOf
        = [&](double ms) { return std::clamp(static_cast<int>(std::floor((ms - from) / pixelMs)), 0, pixels - 1); };
    for (const ChartColumn& c : columns.columns) {
        const ChartBucket& m = c.merged;
        if (m.latencyCount <= 0)
            continue;
        const double x0 = std::clamp(static_cast<double>(c.startMs), from, to);
        const double x1 = std::clamp(static_cast<double>(c.endMs), from, to);
        const int last = std::max(pixelOf(x0), pixelOf(x1 - 1));
        for (int px = pixelOf(x0); px <= last; ++px) {
            Extent& e = perPixel[static_cast<size_t>(px)];
            e.min = e.max < 0 ? m.minLatencyMs : std::min(e.min, m.minLatencyMs);
            e.max = std::max(e.max, m.maxLatencyMs);
        }
        p95 << QPointF((x0 + x1) / 2, m.p95LatencyMs);
        largest = std::max(largest, m.maxLatencyMs);
    }
    QList<QPointF> band;
    band.reserve(qsizetype(2) * pixels);
    bool endedHigh = false;
    for (int px = 0; px < pixels; ++px) {
        const Extent& e = perPixel[static_cast<size_t>(px)];
        if (e.max < 0)
            continue;
        const double x = from + (px + 0.5) * pixelMs;
        // Alternate the direction so that the joins trace the upper and the lower edge.
        if (endedHigh)
            band << QPointF(x, e.max) << QPointF(x, e.min);
        else
            band << QPointF(x, e.min) << QPointF(x, e.max);
        endedHigh = !endedHigh;
    }
    m_band->replace(band);
    m_p95->replace(p95);
    for (Overlay& o : m_overlays) {
        const ChartColumns other = groupIntoColumns(o.series, columns.fromMs, columns.toMs, pixels);
        QList<QPointF> line;
        line.reserve(other.columns.size());
        for (const ChartColumn& c : other.columns) {
            if (c.merged.latencyCount <= 0)
                continue;
            const double x0 = std::clamp(static_cast<double>(c.startMs), from, to);
            const double x1 = std::clamp(static_cast<double>(c.endMs), from, to);
            line << QPointF((x0 + x1) / 2, c.merged.p95LatencyMs);
            largest = std::max(largest, c.merged.p95LatencyMs);
        }
        o.line->replace(line);
    }
    return largest;
}

void LatencyChartView::setOverlay(const QString& endpoint, const ChartSeries& series)
{
    auto found = std::find_if(
        m_overlays.begin(), m_overlays.end(), [&endpoint](const Overlay& o) { return o.endpoint == endpoint; });
    if (found == m_overlays.end()) {
        if (m_overlays.size() >= kMaxOverlays)
            return;
        Overlay o;
        o.endpoint = endpoint;
        o.line = new QLineSeries;
        // Short in the legend (a 300 px chart has little room); the whole name is in the title above.
        o.line->setName(u"p95 "_s + QFontMetrics(font()).elidedText(endpoint, Qt::ElideMiddle, 90));
        addSeriesOnAxes(o.line);
        m_overlays.append(o);
        found = m_overlays.end() - 1;
        applySeriesColors(palette());
    }
    found->series = series;
    redraw();
}

void LatencyChartView::clearOverlays()
{
    for (Overlay& o : m_overlays) {
        chart()->removeSeries(o.line);
        delete o.line;
    }
    m_overlays.clear();
    redraw();
}

QStringList LatencyChartView::overlayNames() const
{
    QStringList names;
    for (const Overlay& o : m_overlays)
        names << o.endpoint;
    return names;
}

QList<QPointF> LatencyChartView::overlayPoints(const QString& endpoint) const
{
    for (const Overlay& o : m_overlays) {
        if (o.endpoint == endpoint)
            return o.line->points();
    }
    return {};
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
    // Opaque: the strokes of neighbouring pixels overlap, and a translucent colour would band unevenly.
    const QColor band = dark ? QColor(0x3d, 0x7e, 0xa6) : QColor(0x8c, 0xb8, 0xde);
    QPen bandPen(band, 1.0);
    bandPen.setCosmetic(true);
    m_band->setPen(bandPen);
    const QColor p95 = dark ? QColor(0xff, 0xb0, 0x4d) : QColor(0xc4, 0x3e, 0x00);
    QPen p95Pen(p95, 2.0);
    p95Pen.setCosmetic(true);
    m_p95->setPen(p95Pen);
    // Overlaid endpoints: distinct hues, dashed, so they read apart from the selected endpoint's own line.
    static const QColor kLight[] = { QColor(0x00, 0x72, 0xb2), QColor(0x00, 0x9e, 0x73), QColor(0xcc, 0x79, 0xa7) };
    static const QColor kDark[] = { QColor(0x56, 0xb4, 0xe9), QColor(0x3d, 0xd6, 0xa8), QColor(0xe6, 0xa3, 0xc8) };
    for (qsizetype i = 0; i < m_overlays.size(); ++i) {
        QPen pen(dark ? kDark[i % 3] : kLight[i % 3], 1.6, Qt::DashLine);
        pen.setCosmetic(true);
        m_overlays[i].line->setPen(pen);
    }
}

QList<QPointF> LatencyChartView::bandPoints() const
{
    return m_band->points();
}

QList<QPointF> LatencyChartView::p95Points() const
{
    return m_p95->points();
}

} // namespace sd
