// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/charts/ErrorRateChartView.h"

#include "ui/charts/SignalColors.h"

#include <QLineSeries>
#include <QLocale>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <vector>

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
    for (int l = 0; l < kLayerCount; ++l) {
        m_series[static_cast<size_t>(l)] = new QLineSeries;
        m_series[static_cast<size_t>(l)]->setName(layerName(l));
        addSeriesOnAxes(m_series[static_cast<size_t>(l)]);
    }
    valueAxis()->setTitleText(tr("errors (% of probes)"));

    // Vertical strokes on pixel centres need no antialiasing, and skipping it halves the paint time.
    setRenderHint(QPainter::Antialiasing, false);
    applySeriesColors(palette());
}

QString ErrorRateChartView::layerName(int layer)
{
    if (layer >= 0 && layer < kSignalCount)
        return signalCode(kAllSignals[static_cast<size_t>(layer)]);
    return tr("other");
}

QString ErrorRateChartView::layerTitle(int layer)
{
    if (layer >= 0 && layer < kSignalCount) {
        const FailureSignal s = kAllSignals[static_cast<size_t>(layer)];
        return signalCode(s) + u" "_s + signalTitle(s);
    }
    return tr("Other errors (5xx, failed checks)");
}

double ErrorRateChartView::fillSeries(const ChartColumns& columns)
{
    const int pixels = std::max(1, plotColumns());
    const double pixelMs = static_cast<double>(columns.toMs - columns.fromMs) / pixels;
    const auto from = static_cast<double>(columns.fromMs);
    const auto to = static_cast<double>(columns.toMs);
    auto pixelOf
        = [&](double ms) { return std::clamp(static_cast<int>(std::floor((ms - from) / pixelMs)), 0, pixels - 1); };
    // Counts per pixel: a bucket wider than a pixel lends its counts to every pixel it covers.
    struct Counts {
        qint64 probes = 0;
        std::array<qint64, kLayerCount> layers {};
    };
    std::vector<Counts> perPixel(static_cast<size_t>(pixels));
    for (const ChartColumn& c : columns.columns) {
        if (c.merged.probes <= 0)
            continue;
        const double x0 = std::clamp(static_cast<double>(c.startMs), from, to);
        const double x1 = std::clamp(static_cast<double>(c.endMs), from, to);
        const auto counts = layerCounts(c.merged);
        const int last = std::max(pixelOf(x0), pixelOf(x1 - 1));
        for (int px = pixelOf(x0); px <= last; ++px) {
            Counts& p = perPixel[static_cast<size_t>(px)];
            p.probes += c.merged.probes;
            for (size_t l = 0; l < counts.size(); ++l)
                p.layers[l] += counts[l];
        }
    }

    // Just below the axis (whose top is at least 1.05 × the largest rate, and at least 5 %), so the clip
    // hides the bottom of every stroke and the joins of pixels without errors.
    // The axis follows the worst bucket, not the worst pixel: pixels depend on the plot width, and an axis
    // that changed with it would change the label width, the plot width, and so on.
    double largestRate = 0;
    for (const ChartBucket& b : series().buckets) {
        if (b.probes > 0 && b.endMs > columns.fromMs && b.startMs < columns.toMs)
            largestRate = std::max(largestRate, 100.0 * static_cast<double>(b.errors) / static_cast<double>(b.probes));
    }
    const double bottom = -0.03 * std::max(largestRate, minimumValueTop());
    std::array<QList<QPointF>, kLayerCount> drawn;
    std::array<bool, kLayerCount> atTop {};
    for (size_t l = 0; l < drawn.size(); ++l) {
        m_layers[l].clear();
        m_layers[l].reserve(pixels);
    }
    m_total.clear();
    m_total.reserve(pixels);
    int previousPx = -2;
    for (int px = 0; px < pixels; ++px) {
        const Counts& p = perPixel[static_cast<size_t>(px)];
        if (p.probes <= 0)
            continue;
        const double x = from + (px + 0.5) * pixelMs;
        const auto percent = [&p](qint64 n) { return 100.0 * static_cast<double>(n) / static_cast<double>(p.probes); };
        // Layer l strokes from below the axis to the top of the stack from "other" up to l, and only where
        // it has failures: elsewhere the next layer would paint over the very same stroke. A series leaves
        // a run of strokes at the bottom, so the join to its next run stays hidden below the axis.
        if (previousPx != px - 1) {
            // A pixel without probes ends every run.
            for (size_t i = 0; i < drawn.size(); ++i) {
                if (atTop[i])
                    drawn[i] << QPointF(drawn[i].last().x(), bottom);
                atTop[i] = false;
            }
        }
        qint64 fromBottom = 0;
        for (int l = kLayerCount - 1; l >= 0; --l) {
            const auto i = static_cast<size_t>(l);
            fromBottom += p.layers[i];
            m_layers[i] << QPointF(x, percent(p.layers[i]));
            QList<QPointF>& d = drawn[i];
            const bool continuesRun = atTop[i];
            if (p.layers[i] == 0) {
                if (atTop[i]) {
                    d << QPointF(d.last().x(), bottom);
                    atTop[i] = false;
                }
                continue;
            }
            const double top = percent(fromBottom);
            if (continuesRun) {
                d << QPointF(x, top) << QPointF(x, bottom);
                atTop[i] = false;
            } else {
                d << QPointF(x, bottom) << QPointF(x, top);
                atTop[i] = true;
            }
        }
        previousPx = px;
        m_total << QPointF(x, percent(fromBottom));
    }
    for (size_t l = 0; l < drawn.size(); ++l) {
        if (atTop[l])
            drawn[l] << QPointF(drawn[l].last().x(), bottom);
    }
    for (size_t l = 0; l < drawn.size(); ++l)
        m_series[l]->replace(drawn[l]);
    return largestRate;
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
            text += u"\n"_s + layerTitle(l) + u": "_s + QString::number(n) + u" ("_s + percent(share(n)) + u")"_s;
    }
    return text;
}

void ErrorRateChartView::applySeriesColors(const QPalette& palette)
{
    Q_UNUSED(palette);
    for (int l = 0; l < kLayerCount; ++l) {
        QPen pen(signalColor(l < kSignalCount ? kAllSignals[static_cast<size_t>(l)] : FailureSignal::None), 1.0);
        pen.setCosmetic(true);
        pen.setCapStyle(Qt::FlatCap);
        m_series[static_cast<size_t>(l)]->setPen(pen);
    }
}

QList<QPointF> ErrorRateChartView::layerPoints(int layer) const
{
    return layer >= 0 && layer < kLayerCount ? m_layers[static_cast<size_t>(layer)] : QList<QPointF>();
}

QList<QPointF> ErrorRateChartView::drawnPoints(int layer) const
{
    return layer >= 0 && layer < kLayerCount ? m_series[static_cast<size_t>(layer)]->points() : QList<QPointF>();
}

} // namespace sd
