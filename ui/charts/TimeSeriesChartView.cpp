// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/charts/TimeSeriesChartView.h"

#include "core/FailureSignal.h"
#include "ui/charts/SignalColors.h"

#include <QAreaSeries>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QGraphicsLayout>
#include <QGraphicsLineItem>
#include <QGraphicsSimpleTextItem>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QTimer>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace sd {

namespace {
// Below this height the time axis keeps its labels and drops its title ("since the first probe").
constexpr int kTimeTitleMinHeight = 160;

constexpr qint64 kHourMs = 3'600'000;
constexpr qint64 kDayMs = 24 * kHourMs;

QColor mix(const QColor& a, const QColor& b, double t)
{
    return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
        static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
        static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

/// 1, 2, 2.5 or 5 times a power of ten: the step of a value axis with about four intervals. 2.5 only from
/// 25 up: below, its ticks need a decimal more than the others (0.25, 2.5) and a one-decimal label would
/// read "0.3".
double niceStep(double roughStep)
{
    const double magnitude = std::pow(10.0, std::floor(std::log10(roughStep)));
    for (double f : { 1.0, 2.0, 2.5, 5.0 }) {
        if (f == 2.5 && magnitude < 10.0)
            continue;
        if (f * magnitude >= roughStep)
            return f * magnitude;
    }
    return 10.0 * magnitude;
}

int decimalsOf(double step)
{
    return step >= 1.0 ? 0 : std::clamp(static_cast<int>(std::ceil(-std::log10(step) - 1e-9)), 1, 3);
}

/// Round durations for the time axis' step: 10 min over an hour, 3 h over a day, a day over a week.
constexpr qint64 kSteps[] = { 1000, 2000, 5000, 10'000, 15'000, 30'000, 60'000, qint64(2) * 60'000, qint64(5) * 60'000,
    qint64(10) * 60'000, qint64(15) * 60'000, qint64(30) * 60'000, kHourMs, 2 * kHourMs, 3 * kHourMs, 6 * kHourMs,
    12 * kHourMs, kDayMs, 2 * kDayMs, 7 * kDayMs, 14 * kDayMs, 30 * kDayMs };

/// The smallest round step that splits `span` into at most `maxIntervals` intervals.
qint64 roundStep(qint64 span, qint64 maxIntervals)
{
    for (qint64 candidate : kSteps) {
        if (span / candidate <= maxIntervals)
            return candidate;
    }
    return kSteps[std::size(kSteps) - 1];
}

QString timeAxisFormat(qint64 spanMs)
{
    if (spanMs <= qint64(20) * 60'000)
        return u"HH:mm:ss"_s;
    if (spanMs <= 36 * kHourMs)
        return u"HH:mm"_s;
    if (spanMs <= 8 * kDayMs)
        return u"ddd HH:mm"_s;
    return u"d MMM"_s;
}

} // namespace

TimeSeriesChartView::TimeSeriesChartView(QWidget* parent)
    : QChartView(parent)
{
    m_chart = new QChart;
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->setBackgroundRoundness(0);
    m_chart->setMargins(QMargins(2, 2, 6, 2));
    // QChart's own layout adds about 9 px on every side: on a 124 px chart (1024×700 with the detail pane)
    // that space is what the time labels need, which Qt otherwise elides to "…".
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->legend()->setAlignment(Qt::AlignTop);
    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.9);
    m_chart->legend()->setFont(legendFont);

    m_timeAxis = new QDateTimeAxis;
    m_valueAxis = new QValueAxis;
    m_valueAxis->setRange(0, 1);
    m_valueAxis->setLabelFormat(u"%.0f"_s);
    m_valueAxis->setMinorTickCount(0);
    QFont titleFont = font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 0.9);
    m_valueAxis->setTitleFont(titleFont);
    m_timeAxis->setTitleFont(titleFont);
    // The unit is on every tick ("250 ms"): a vertical title along a short chart was cut ("errors (% of p…").
    m_valueAxis->setTitleVisible(false);
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_chart->addAxis(m_valueAxis, Qt::AlignLeft);

    // The gap shading is added last so that it covers whatever the other series draw across a gap.
    m_gapUpper = new QLineSeries(m_chart);
    m_gapArea = new QAreaSeries;
    m_gapArea->setUpperSeries(m_gapUpper);
    m_gapArea->setName(tr("no probes"));
    m_chart->addSeries(m_gapArea);
    m_gapArea->attachAxis(m_timeAxis);
    m_gapArea->attachAxis(m_valueAxis);

    m_hoverLine = new QGraphicsLineItem(m_chart);
    m_hoverLine->setZValue(1000);
    m_hoverLine->hide();

    // setChart() releases the chart QChartView's constructor made without deleting it (an ASan leak).
    QChart* const defaultChart = chart();
    setChart(m_chart);
    delete defaultChart;
    setRenderHint(QPainter::Antialiasing);
    setFrameShape(QFrame::NoFrame);
    setMinimumSize(240, 160);
    viewport()->setMouseTracking(true);
    setMouseTracking(true);

    m_emptyLabel = new QLabel(tr("No probes in this range"), this);
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_emptyLabel->hide();

    // The plot width is known only once the chart is laid out; redraw when it changes.
    connect(m_chart, &QChart::plotAreaChanged, this, [this](const QRectF& area) {
        placeEmptyState();
        placeThresholds();
        if (m_hasRange && static_cast<int>(area.width()) != m_plotColumns && area.width() >= 20)
            QTimer::singleShot(0, this, [this] {
                if (plotWidthPx() != m_plotColumns)
                    rebuild();
            });
    });
    applyPalette();
}

void TimeSeriesChartView::addSeriesOnAxes(QAbstractSeries* series)
{
    m_chart->removeSeries(m_gapArea);
    m_chart->addSeries(series);
    series->attachAxis(m_timeAxis);
    series->attachAxis(m_valueAxis);
    m_chart->addSeries(m_gapArea);
    m_gapArea->attachAxis(m_timeAxis);
    m_gapArea->attachAxis(m_valueAxis);
}

void TimeSeriesChartView::setSeries(const ChartSeries& series, qint64 fromMs, qint64 toMs)
{
    if (fromMs <= 0 && toMs <= 0) {
        showNothing(tr("No data"));
        return;
    }
    leaveLineMode();
    m_series = series;
    m_fromMs = fromMs;
    m_toMs = std::max(toMs, fromMs + 1);
    m_hasRange = true;
    m_timeAxis->setLabelsVisible(true);
    m_emptyLabel->setText(tr("No probes in this range"));
    rebuild();
}

void TimeSeriesChartView::showNothing(const QString& text)
{
    // No range at all: an epoch-based axis would read "00:00:00 00:00:00 …".
    leaveLineMode();
    m_series = {};
    m_hasRange = false;
    m_fromMs = 0;
    m_toMs = 1;
    m_shownFromMs = 0;
    m_columns = {};
    fillSeries(m_columns);
    m_gapUpper->clear();
    m_timeAxis->setLabelsVisible(false);
    m_timeAxis->setTitleVisible(false);
    m_valueAxis->setRange(0, 1);
    m_valueAxis->setLabelsVisible(false);
    for (ThresholdItem& t : m_thresholds) {
        t.shown = false;
        t.line->setVisible(false);
        t.text->setVisible(false);
    }
    m_emptyLabel->setText(text);
    m_emptyLabel->show();
    placeEmptyState();
}

void TimeSeriesChartView::setThresholds(const QList<Threshold>& thresholds)
{
    for (ThresholdItem& t : m_thresholds) {
        m_chart->removeSeries(t.line);
        delete t.line;
        delete t.text;
    }
    m_thresholds.clear();
    QList<Threshold> sorted = thresholds;
    std::sort(sorted.begin(), sorted.end(), [](const Threshold& a, const Threshold& b) { return a.value < b.value; });
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    for (const Threshold& threshold : std::as_const(sorted)) {
        if (!(threshold.value > 0) || !std::isfinite(threshold.value))
            continue;
        ThresholdItem item;
        item.threshold = threshold;
        item.line = new QLineSeries;
        item.line->setName(threshold.label);
        addSeriesOnAxes(item.line);
        for (QLegendMarker* marker : m_chart->legend()->markers(item.line))
            marker->setVisible(false); // labelled on the line itself: the legend has no room for it
        item.text = new QGraphicsSimpleTextItem(threshold.label, m_chart);
        item.text->setFont(small);
        item.text->setZValue(900);
        item.line->setVisible(false);
        item.text->setVisible(false);
        m_thresholds.append(item);
    }
    applyPalette();
    if (m_hasRange)
        rebuild();
}

QList<TimeSeriesChartView::Threshold> TimeSeriesChartView::shownThresholds() const
{
    QList<Threshold> shown;
    for (const ThresholdItem& t : m_thresholds) {
        if (t.shown)
            shown.append(t.threshold);
    }
    return shown;
}

QStringList TimeSeriesChartView::valueTickLabels() const
{
    QStringList labels;
    if (!m_valueAxis->labelsVisible())
        return labels;
    const int decimals = decimalsOf(m_step);
    for (int i = 0; i < m_valueAxis->tickCount(); ++i)
        labels << QString::number(m_valueAxis->min() + i * m_step, 'f', decimals) + valueUnit();
    return labels;
}

qint64 TimeSeriesChartView::dataStartMs() const
{
    qint64 first = std::numeric_limits<qint64>::max();
    for (const ChartBucket& b : m_series.buckets) {
        if (b.probes > 0 && b.endMs > m_fromMs && b.startMs < m_toMs)
            first = std::min(first, b.startMs);
    }
    return first == std::numeric_limits<qint64>::max() ? m_fromMs : std::max(first, m_fromMs);
}

void TimeSeriesChartView::redraw()
{
    if (m_hasRange)
        rebuild();
}

int TimeSeriesChartView::plotWidthPx() const
{
    const qreal w = m_chart->plotArea().width();
    if (w >= 20)
        return static_cast<int>(w);
    // Not laid out yet: estimate from the widget (axis labels take about 70 px).
    return std::max(50, width() - 70);
}

int TimeSeriesChartView::preferredBucketCount() const
{
    return plotWidthPx();
}

qint64 TimeSeriesChartView::scaledStart(qint64 dataStart) const
{
    // Until the data fills the chosen range (a fresh session's 90 s of a 1 h range), the axis starts a
    // little before the first probe, so the data is not squeezed into the right 2 % of the chart.
    const qint64 range = m_toMs - m_fromMs;
    if (dataStart - m_fromMs <= range / 10)
        return m_fromMs;
    const qint64 margin = std::max<qint64>((m_toMs - dataStart) / 20, 1000);
    // A whole number of round steps back from the end, so the ticks are evenly 10 s (1 min, …) apart.
    const qint64 span = m_toMs - (dataStart - margin);
    const qint64 step = roundStep(span, std::clamp(m_plotColumns / 90, 2, 12));
    return std::max(m_fromMs, m_toMs - (span + step - 1) / step * step);
}

void TimeSeriesChartView::rebuild()
{
    m_plotColumns = plotWidthPx();
    if (m_lineMode)
        return rebuildLines();
    m_shownFromMs = scaledStart(dataStartMs());
    const bool scaled = m_shownFromMs > m_fromMs;
    // Short: a longer title was cut on a 300 px chart. The range box names the chosen range.
    m_timeAxis->setTitleText(scaled ? tr("since the first probe") : QString());
    m_timeAxis->setTitleVisible(scaled && height() >= kTimeTitleMinHeight);
    m_columns = groupIntoColumns(m_series, m_shownFromMs, m_toMs, m_plotColumns);
    updateTimeAxis();

    const double largest = fillSeries(m_columns);
    applyValueAxis(largest, !m_columns.columns.isEmpty());

    QList<QPointF> gap;
    gap.reserve(m_columns.gaps.size() * 4);
    for (const ChartGap& g : std::as_const(m_columns.gaps)) {
        // Before the first probe of a range that is not full yet, nothing was meant to run: no shading.
        if (scaled && g.startMs <= m_shownFromMs)
            continue;
        const auto a = static_cast<qreal>(std::max(g.startMs, m_shownFromMs));
        const auto b = static_cast<qreal>(std::min(g.endMs, m_toMs));
        gap << QPointF(a, 0) << QPointF(a, m_top) << QPointF(b, m_top) << QPointF(b, 0);
    }
    m_gapUpper->replace(gap);
    const QList<QLegendMarker*> markers = m_chart->legend()->markers(m_gapArea);
    for (QLegendMarker* marker : markers)
        marker->setVisible(!gap.isEmpty());

    m_emptyLabel->setVisible(m_hasRange && m_columns.columns.isEmpty());
    placeEmptyState();
}

void TimeSeriesChartView::applyValueAxis(double largest, bool hasData)
{
    const double floorTop = minimumValueTop();
    double top = std::max(largest * 1.05, floorTop);
    // A threshold within reach of the data (up to twice its largest value) is drawn, the axis grown to it.
    for (ThresholdItem& t : m_thresholds) {
        const double v = t.threshold.value;
        t.shown = hasData && v <= maximumValueTop() && (v <= top || v <= 2.0 * largest);
        if (t.shown)
            top = std::max(top, v * 1.1);
    }
    const double step = niceStep(top / 4.0);
    top = std::ceil(top / step - 1e-9) * step;
    if (top > maximumValueTop()) {
        top = maximumValueTop();
    }
    m_top = top;
    m_step = step;
    const int ticks = static_cast<int>(std::lround(top / step)) + 1;
    m_valueAxis->setRange(0, top);
    m_valueAxis->setTickCount(std::clamp(ticks, 2, 11));
    QString unit = valueUnit();
    unit.replace(u"%"_s, u"%%"_s); // the format is printf's
    m_valueAxis->setLabelFormat(u"%."_s + QString::number(decimalsOf(step)) + u"f"_s + unit);
    // No data: ticks such as "0.5 ms" would only suggest a reading; the empty-state text says why.
    m_valueAxis->setLabelsVisible(hasData);
    for (ThresholdItem& t : m_thresholds) {
        const auto a = static_cast<qreal>(m_shownFromMs);
        const auto b = static_cast<qreal>(m_toMs);
        t.line->replace({ QPointF(a, t.threshold.value), QPointF(b, t.threshold.value) });
        t.line->setVisible(t.shown);
        t.text->setVisible(t.shown);
        // A series made visible shows its legend marker again; the line is labelled on the chart instead.
        for (QLegendMarker* marker : m_chart->legend()->markers(t.line))
            marker->setVisible(false);
    }
    placeThresholds();
}

void TimeSeriesChartView::setLines(
    const QList<Line>& lines, qint64 fromMs, qint64 toMs, qint64 gapMs, const QString& emptyText)
{
    if (fromMs <= 0 && toMs <= 0) {
        showNothing(tr("No data"));
        return;
    }
    m_series = {};
    m_lines = lines;
    if (!m_lineMode) {
        // The buckets' vertical strokes need no antialiasing; sloped lines do.
        m_bucketAntialiasing = renderHints().testFlag(QPainter::Antialiasing);
        setRenderHint(QPainter::Antialiasing, true);
    }
    m_lineMode = true;
    m_lineGapMs = std::max<qint64>(gapMs, 1);
    m_fromMs = fromMs;
    m_toMs = std::max(toMs, fromMs + 1);
    m_hasRange = true;
    m_timeAxis->setLabelsVisible(true);
    m_emptyLabel->setText(emptyText);
    rebuild();
}

void TimeSeriesChartView::clearLineSeries()
{
    for (QLineSeries* series : std::as_const(m_lineSeries)) {
        m_chart->removeSeries(series);
        delete series;
    }
    m_lineSeries.clear();
    m_lineSeriesOwner.clear();
}

void TimeSeriesChartView::leaveLineMode()
{
    if (!m_lineMode)
        return;
    m_lineMode = false;
    m_lines.clear();
    clearLineSeries();
    setRenderHint(QPainter::Antialiasing, m_bucketAntialiasing);
    // The buckets' own series are named in the legend again (the thresholds and the gap shading stay as they are).
    for (QAbstractSeries* series : m_chart->series()) {
        const bool threshold = std::any_of(
            m_thresholds.cbegin(), m_thresholds.cend(), [series](const ThresholdItem& t) { return t.line == series; });
        if (threshold || series == m_gapArea)
            continue;
        for (QLegendMarker* marker : m_chart->legend()->markers(series))
            marker->setVisible(true);
    }
}

QColor TimeSeriesChartView::lineColor(int index) const
{
    // Okabe–Ito: told apart with the common colour-vision deficiencies; lighter hues on a dark base.
    static const QColor kLight[] = { QColor(0x00, 0x72, 0xb2), QColor(0xd5, 0x5e, 0x00), QColor(0x00, 0x9e, 0x73),
        QColor(0xcc, 0x79, 0xa7), QColor(0xe6, 0x9f, 0x00), QColor(0x56, 0xb4, 0xe9) };
    static const QColor kDark[] = { QColor(0x56, 0xb4, 0xe9), QColor(0xff, 0x8c, 0x42), QColor(0x3d, 0xd6, 0xa8),
        QColor(0xe6, 0xa3, 0xc8), QColor(0xf0, 0xe4, 0x42), QColor(0x9e, 0xcf, 0xf0) };
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    const auto i = static_cast<std::size_t>(std::max(index, 0)) % std::size(kLight);
    return dark ? kDark[i] : kLight[i];
}

void TimeSeriesChartView::rebuildLines()
{
    qint64 dataStart = std::numeric_limits<qint64>::max();
    double largest = 0;
    bool hasData = false;
    for (const Line& line : std::as_const(m_lines)) {
        for (const QPointF& p : line.points) {
            if (p.x() < static_cast<double>(m_fromMs) || p.x() >= static_cast<double>(m_toMs))
                continue;
            dataStart = std::min(dataStart, static_cast<qint64>(p.x()));
            largest = std::max(largest, p.y());
            hasData = true;
        }
    }
    m_shownFromMs = scaledStart(hasData ? dataStart : m_fromMs);
    const bool scaled = m_shownFromMs > m_fromMs;
    m_timeAxis->setTitleText(scaled ? tr("since the first sample") : QString());
    m_timeAxis->setTitleVisible(scaled && height() >= kTimeTitleMinHeight);
    m_columns = {};
    fillSeries(m_columns); // the buckets' own series stay empty
    updateTimeAxis();
    applyValueAxis(largest, hasData);
    m_gapUpper->clear();
    for (QLegendMarker* marker : m_chart->legend()->markers(m_gapArea))
        marker->setVisible(false);

    clearLineSeries();
    // Only the lines are named in the legend: the buckets' own series are empty here.
    for (QAbstractSeries* series : m_chart->series())
        for (QLegendMarker* marker : m_chart->legend()->markers(series))
            marker->setVisible(false);
    for (int i = 0; i < m_lines.size(); ++i) {
        QPen pen(lineColor(i), 2.0);
        pen.setCosmetic(true);
        // A segment per run of points no more than the gap apart: a missing stretch is not drawn across.
        QList<QList<QPointF>> segments(1);
        for (const QPointF& p : m_lines[i].points) {
            if (!segments.last().isEmpty() && p.x() - segments.last().last().x() > static_cast<double>(m_lineGapMs))
                segments.append(QList<QPointF>());
            segments.last().append(p);
        }
        for (qsizetype s = 0; s < segments.size(); ++s) {
            auto* series = new QLineSeries;
            series->setName(m_lines[i].name);
            series->setPen(pen);
            // A lone point still shows as a dot.
            series->setPointsVisible(segments[s].size() == 1);
            series->replace(segments[s]);
            addSeriesOnAxes(series);
            for (QLegendMarker* marker : m_chart->legend()->markers(series))
                marker->setVisible(s == 0);
            m_lineSeries.append(series);
            m_lineSeriesOwner.append(i);
        }
    }
    // Adding a series re-added the gap shading, and with it its legend marker: nothing is shaded here.
    for (QLegendMarker* marker : m_chart->legend()->markers(m_gapArea))
        marker->setVisible(false);
    m_emptyLabel->setVisible(!hasData);
    placeEmptyState();
}

void TimeSeriesChartView::placeThresholds()
{
    const QRectF area = m_chart->plotArea();
    if (area.width() < 20)
        return;
    for (ThresholdItem& t : m_thresholds) {
        if (!t.shown)
            continue;
        const QPointF at
            = m_chart->mapToPosition(QPointF(static_cast<qreal>(m_shownFromMs), t.threshold.value), t.line);
        const QRectF box = t.text->boundingRect();
        // Above the line at the left, inside the plot area (below it when the line is at the top).
        qreal y = at.y() - box.height() - 1;
        if (y < area.top())
            y = at.y() + 1;
        t.text->setPos(area.left() + 4, y);
    }
}

void TimeSeriesChartView::updateTimeAxis()
{
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(m_shownFromMs), QDateTime::fromMSecsSinceEpoch(m_toMs));
    m_timeAxis->setFormat(timeAxisFormat(m_toMs - m_shownFromMs));
    // QDateTimeAxis spaces its ticks evenly over the range: choose their number so that the step is a round
    // duration (10 min over an hour, 3 h over a day, a day over a week), about one label per 90 px.
    const qint64 span = m_toMs - m_shownFromMs;
    const qint64 maxIntervals = std::clamp(m_plotColumns / 90, 2, 12);
    const qint64 step = roundStep(span, maxIntervals);
    const auto intervals = std::clamp<qint64>(qRound64(static_cast<double>(span) / static_cast<double>(step)), 2, 12);
    m_timeAxis->setTickCount(static_cast<int>(intervals) + 1);
}

double TimeSeriesChartView::minimumValueTop() const
{
    return 1.0;
}

double TimeSeriesChartView::maximumValueTop() const
{
    return std::numeric_limits<double>::max();
}

QList<QPointF> TimeSeriesChartView::gapPoints() const
{
    return m_gapUpper->points();
}

bool TimeSeriesChartView::isEmptyStateShown() const
{
    return !m_emptyLabel->isHidden();
}

QString TimeSeriesChartView::emptyStateText() const
{
    return m_emptyLabel->text();
}

QString TimeSeriesChartView::spanText(qint64 startMs, qint64 endMs) const
{
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(startMs);
    const QDateTime end = QDateTime::fromMSecsSinceEpoch(endMs);
    const bool short_ = m_toMs - m_fromMs <= 36 * kHourMs;
    const QString timeFormat = endMs - startMs < 120'000 ? u"HH:mm:ss"_s : u"HH:mm"_s;
    const QString startText = short_ ? start.toString(timeFormat) : start.toString(u"yyyy-MM-dd "_s + timeFormat);
    const QString endText = (short_ || start.date() == end.date()) ? end.toString(timeFormat)
                                                                   : end.toString(u"yyyy-MM-dd "_s + timeFormat);
    return startText + u" \u2013 "_s + endText;
}

QString TimeSeriesChartView::hoverTextAt(qint64 ms) const
{
    if (!m_hasRange || ms < m_shownFromMs || ms >= m_toMs)
        return {};
    if (m_lineMode) {
        // Each line's value nearest to the pointer, within half the gap that breaks a line.
        QStringList rows;
        for (const Line& line : m_lines) {
            const QPointF* nearest = nullptr;
            for (const QPointF& p : line.points) {
                const double distance = std::abs(p.x() - static_cast<double>(ms));
                if (distance <= static_cast<double>(m_lineGapMs) / 2
                    && (!nearest || distance < std::abs(nearest->x() - static_cast<double>(ms))))
                    nearest = &p;
            }
            if (nearest)
                rows << line.name + u": "_s + QLocale().toString(nearest->y(), 'f', 1) + valueUnit();
        }
        if (rows.isEmpty())
            return {};
        return QDateTime::fromMSecsSinceEpoch(ms).toString(u"HH:mm:ss"_s) + u"\n"_s + rows.join(u'\n');
    }
    if (const ChartGap* gap = m_columns.gapAt(ms))
        return tr("No probes") + u"\n"_s + spanText(gap->startMs, gap->endMs);
    if (const ChartColumn* column = m_columns.columnNear(ms))
        return spanText(column->startMs, column->endMs) + u"\n"_s + describeColumn(*column);
    return {};
}

void TimeSeriesChartView::applyPalette()
{
    const QPalette pal = palette();
    const QColor window = pal.color(QPalette::Window);
    const QColor base = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::WindowText);
    m_chart->setBackgroundBrush(window);
    m_chart->setBackgroundPen(Qt::NoPen);
    m_chart->setPlotAreaBackgroundBrush(base);
    m_chart->setPlotAreaBackgroundPen(QPen(mix(base, text, 0.3), 1));
    m_chart->setPlotAreaBackgroundVisible(true);
    m_chart->legend()->setLabelColor(text);
    setBackgroundBrush(window);

    const QColor grid = mix(base, text, 0.12);
    for (QAbstractAxis* axis : { static_cast<QAbstractAxis*>(m_timeAxis), static_cast<QAbstractAxis*>(m_valueAxis) }) {
        axis->setLabelsColor(text);
        axis->setTitleBrush(text);
        axis->setGridLineColor(grid);
        axis->setLinePenColor(mix(base, text, 0.4));
    }

    // Hatched, opaque: a gap reads as "nothing ran here", not as zero latency or zero errors.
    QPixmap hatch(6, 6);
    hatch.fill(base);
    {
        QPainter p(&hatch);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(mix(base, text, 0.35), 1.2));
        p.drawLine(QPointF(-1, 7), QPointF(7, -1));
        p.drawLine(QPointF(-1, 1), QPointF(1, -1));
        p.drawLine(QPointF(5, 7), QPointF(7, 5));
    }
    m_gapArea->setBrush(QBrush(hatch));
    m_gapArea->setPen(Qt::NoPen);

    m_hoverLine->setPen(QPen(mix(base, text, 0.55), 1, Qt::DashLine));
    for (ThresholdItem& t : m_thresholds) {
        const QColor c = stateColor(t.threshold.critical ? SignalState::Critical : SignalState::Warning, pal);
        QPen pen(c, 1.5, Qt::DashLine);
        pen.setCosmetic(true);
        t.line->setPen(pen);
        t.text->setBrush(mix(c, text, 0.35));
    }
    QPalette labelPalette = m_emptyLabel->palette();
    labelPalette.setColor(QPalette::WindowText, mix(base, text, 0.6));
    m_emptyLabel->setPalette(labelPalette);
}

void TimeSeriesChartView::placeEmptyState()
{
    QRectF area = m_chart->plotArea();
    if (area.width() < 20)
        area = rect();
    const QRect r = mapFromScene(m_chart->mapToScene(area).boundingRect()).boundingRect();
    m_emptyLabel->setGeometry(r);
}

void TimeSeriesChartView::changeEvent(QEvent* event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) {
        applyPalette();
        applySeriesColors(palette());
        if (m_lineMode)
            redraw(); // the lines' colours follow the palette
    }
}

void TimeSeriesChartView::resizeEvent(QResizeEvent* event)
{
    QChartView::resizeEvent(event);
    placeEmptyState();
}

void TimeSeriesChartView::mouseMoveEvent(QMouseEvent* event)
{
    QChartView::mouseMoveEvent(event);
    const QPointF chartPos = m_chart->mapFromScene(mapToScene(event->position().toPoint()));
    const QRectF area = m_chart->plotArea();
    const QString text
        = area.contains(chartPos) ? hoverTextAt(qRound64(m_chart->mapToValue(chartPos, m_gapArea).x())) : QString();
    if (text.isEmpty()) {
        m_hoverLine->hide();
        QToolTip::hideText();
        return;
    }
    m_hoverLine->setLine(chartPos.x(), area.top(), chartPos.x(), area.bottom());
    m_hoverLine->show();
    QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void TimeSeriesChartView::leaveEvent(QEvent* event)
{
    QChartView::leaveEvent(event);
    m_hoverLine->hide();
    QToolTip::hideText();
}

} // namespace sd
