// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "history/HistoryTypes.h"
#include "ui/charts/ChartColumns.h"

#include <QChartView>

class QAreaSeries;
class QDateTimeAxis;
class QGraphicsLineItem;
class QGraphicsSimpleTextItem;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace sd {

/// What the latency and error-rate charts share: a chart over a time range with a local-time axis whose
/// format follows the range, a value axis starting at zero, the system palette (light or dark), hatched
/// "no probes" shading over gaps, an empty-state text, and hover with the exact values of the pixel column
/// under the mouse (tooltip and a vertical marker). setSeries() reduces the series to one column per
/// horizontal pixel of the plot area (see groupIntoColumns) and subclasses turn columns into points, each
/// series filled with a single replace() per refresh. A resize that changes the plot width redraws from
/// the kept series. No OpenGL (it crashes on the offscreen platform and buys nothing at ~2 points per pixel).
///
/// What it explains: value ticks are round (1, 2, 2.5 or 5 times a power of ten; 2.5 only from 25 up, so
/// no tick reads "0.3") and carry the unit ("250 ms", "25 %"); threshold lines (dashed, labelled on the
/// chart) are drawn when they are within reach of the data (the axis grows to show a threshold up to twice
/// the largest value); until the data fills the chosen range, the time axis starts shortly before the first
/// probe (its title says so); with nothing to show (no endpoint selected) the axes carry no labels and the
/// chart says why.
class TimeSeriesChartView : public QChartView {
    Q_OBJECT
public:
    /// A horizontal line at `value` (in the value axis' unit), e.g. the latency warning threshold.
    struct Threshold {
        double value = 0;
        QString label; ///< "warning 200 ms"
        bool critical = false; ///< the critical colour, else the warning one
    };

    /// Replaces what the chart shows. `series` may hold any number of buckets; [fromMs, toMs) is the
    /// time axis (UTC ms since the epoch, shown in local time).
    void setSeries(const ChartSeries& series, qint64 fromMs, qint64 toMs);
    const ChartSeries& series() const { return m_series; }
    /// Shows no data, no time labels and `text` in the middle (e.g. "Select an endpoint …").
    void showNothing(const QString& text);

    /// One line of a chart that shows lines instead of buckets (a remote endpoint, one line per location):
    /// x in UTC ms since the epoch, y in the value axis' unit.
    struct Line {
        QString name;
        QList<QPointF> points;
    };
    /// Replaces what the chart shows with `lines` over [fromMs, toMs) (one colour each, in order, named in the
    /// legend); a line is broken where two points are more than `gapMs` apart. Thresholds, the value axis and
    /// the time axis as with setSeries(); `emptyText` is shown when no line has a point. setSeries() or
    /// showNothing() go back to the buckets.
    void setLines(const QList<Line>& lines, qint64 fromMs, qint64 toMs, qint64 gapMs, const QString& emptyText);
    bool showsLines() const { return m_lineMode; }
    /// The lines as given to setLines() (empty when the chart shows buckets).
    const QList<Line>& lines() const { return m_lines; }
    /// The colour a line at `index` is drawn in.
    QColor lineColor(int index) const;
    /// The threshold lines, any order; kept across setSeries().
    void setThresholds(const QList<Threshold>& thresholds);
    /// The thresholds drawn with the current data (those within reach of it).
    QList<Threshold> shownThresholds() const;
    /// The value-axis tick labels as drawn ("0 ms", "250 ms", …).
    QStringList valueTickLabels() const;
    /// The start of the time axis as drawn: later than the range's start while the data does not fill it.
    qint64 shownFromMs() const { return m_shownFromMs; }

    /// The number of buckets worth asking HistoryQuery::chart() or bucketizeSamples() for: one per pixel
    /// column of the plot area.
    int preferredBucketCount() const;
    /// Width in pixels of the plot area the current columns were built for.
    int plotColumns() const { return m_plotColumns; }
    const ChartColumns& columns() const { return m_columns; }
    /// What hovering at time `ms` shows; empty outside the data.
    QString hoverTextAt(qint64 ms) const;
    /// The hatched areas: start/end pairs of the gaps, as drawn.
    QList<QPointF> gapPoints() const;
    bool isEmptyStateShown() const;
    QValueAxis* valueAxis() const { return m_valueAxis; }
    QDateTimeAxis* timeAxis() const { return m_timeAxis; }
    QString emptyStateText() const;

protected:
    explicit TimeSeriesChartView(QWidget* parent = nullptr);

    /// Fills the subclass's series from the columns (one replace() each) and returns the largest value
    /// to show on the value axis.
    virtual double fillSeries(const ChartColumns& columns) = 0;
    /// The lines of the hover text below the time span for one column.
    virtual QString describeColumn(const ChartColumn& column) const = 0;
    /// Applies palette-dependent colours to the subclass's series.
    virtual void applySeriesColors(const QPalette& palette) = 0;
    /// Bounds of the value axis top, which otherwise follows the largest value in nice steps from zero.
    virtual double minimumValueTop() const;
    virtual double maximumValueTop() const;
    /// The unit the value tick labels carry (" ms", " %").
    virtual QString valueUnit() const { return {}; }

    /// Rebuilds from the kept series (a subclass whose own extra data changed).
    void redraw();
    /// Adds a series to the chart on both axes (before the gap shading, which stays on top).
    void addSeriesOnAxes(QAbstractSeries* series);
    /// A time span as shown in hover texts.
    QString spanText(qint64 startMs, qint64 endMs) const;

    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void rebuild();
    void rebuildLines();
    void clearLineSeries();
    void leaveLineMode();
    /// The start of the time axis for data starting at `dataStart`: shortly before it while the data does not
    /// fill the range.
    qint64 scaledStart(qint64 dataStart) const;
    /// Value axis, ticks and threshold lines for data whose largest value is `largest`.
    void applyValueAxis(double largest, bool hasData);
    void applyPalette();
    void updateTimeAxis();
    void placeEmptyState();
    void placeThresholds();
    qint64 dataStartMs() const;
    int plotWidthPx() const;

    QChart* m_chart = nullptr;
    QDateTimeAxis* m_timeAxis = nullptr;
    QValueAxis* m_valueAxis = nullptr;
    QLineSeries* m_gapUpper = nullptr;
    QAreaSeries* m_gapArea = nullptr;
    QGraphicsLineItem* m_hoverLine = nullptr;
    QLabel* m_emptyLabel = nullptr;
    ChartSeries m_series;
    ChartColumns m_columns;
    struct ThresholdItem {
        Threshold threshold;
        QLineSeries* line = nullptr;
        QGraphicsSimpleTextItem* text = nullptr;
        bool shown = false;
    };
    QList<ThresholdItem> m_thresholds;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 0;
    qint64 m_shownFromMs = 0;
    double m_top = 1;
    double m_step = 1;
    int m_plotColumns = 0;
    bool m_hasRange = false;
    bool m_lineMode = false;
    bool m_bucketAntialiasing = true; ///< the render hint the buckets were drawn with (lines are antialiased)
    qint64 m_lineGapMs = 0;
    QList<Line> m_lines;
    QList<QLineSeries*> m_lineSeries; ///< one or more per line (broken at gaps); the first carries the legend
    QList<int> m_lineSeriesOwner; ///< index into m_lines of each m_lineSeries entry
};

} // namespace sd
