// SPDX-License-Identifier: GPL-3.0-or-later
// Chart refresh benchmark (see docs/PERFORMANCE.md): 1 h, 24 h and 7 days of 1 s samples drawn into a
// latency chart with an 800 px plot area, decimated (bucketizeSamples to one bucket per pixel column, then
// LatencyChartView::setSeries: min/max band + p95, one replace() per series) side by side with replace() of
// every raw point into a QLineSeries, each followed by a forced repaint (grab()). All on the GUI thread.
// The decimated and the replace-all refresh run interleaved: 3 rounds, the order swapped every round, the
// ratio taken round by round (min / median).
// Usage: bench_charts [--reps N] [--width PX]
#include "history/ChartBucketing.h"
#include "ui/charts/ErrorRateChartView.h"
#include "ui/charts/LatencyChartView.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QElapsedTimer>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace sd;
using namespace Qt::StringLiterals;

namespace {

double ms(const QElapsedTimer& t)
{
    return static_cast<double>(t.nsecsElapsed()) / 1e6;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
    return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

double median(const std::vector<double>& v)
{
    return percentile(v, 50);
}

/// 1 s samples: 20–60 ms with a slow drift, a spike every ~50 min, a failure every 97 s. With `flapping`,
/// every other pixel column's worth of samples fails (S1 and S4 alternating): the worst case for the
/// stacked error-rate areas.
ProbeResults makeSamples(qint64 fromMs, int count, bool flapping = false)
{
    const int block = std::max(1, count / 800);
    ProbeResults out;
    out.reserve(count);
    const QString name = u"bench"_s;
    for (int i = 0; i < count; ++i) {
        ProbeResult r;
        r.endpoint = name;
        r.startUtc = QDateTime::fromMSecsSinceEpoch(fromMs + qint64(i) * 1000, Qt::UTC);
        r.latencyUs = 20'000 + (qint64(i) * 7919) % 30'000 + qint64(i / 600 % 10) * 1000;
        if (i % 3001 == 1500)
            r.latencyUs = 900'000;
        r.httpStatus = 200;
        if (i % 97 == 0 || (flapping && (i / block) % 2 == 1)) {
            const bool throttled = flapping && (i / block) % 4 == 3;
            r.outcome = throttled ? Outcome::Throttled : Outcome::Timeout;
            r.signal = throttled ? FailureSignal::S4 : FailureSignal::S1;
            r.httpStatus = throttled ? 429 : 0;
        }
        out.append(r);
    }
    return out;
}

/// Waits until the chart's plot area is laid out, and returns its width.
int settledPlotWidth(QChartView& view)
{
    for (int i = 0; i < 50; ++i) {
        QApplication::processEvents();
        if (view.chart()->plotArea().width() > 100)
            break;
    }
    QApplication::processEvents();
    return static_cast<int>(view.chart()->plotArea().width());
}

/// Resizes the view until its plot area is `plotWidth` px wide.
void fitPlotWidth(QChartView& view, int plotWidth)
{
    for (int i = 0; i < 5; ++i) {
        const int have = settledPlotWidth(view);
        if (have == plotWidth)
            return;
        view.resize(view.width() + plotWidth - have, view.height());
    }
}

struct Timings {
    std::vector<double> total;
    std::vector<double> prepare; ///< bucketize (decimated) or building the QList<QPointF> (replace-all)
    std::vector<double> gui; ///< setSeries / replace() + event processing + grab()
    qsizetype points = 0;
};

void append(Timings& into, const Timings& more)
{
    into.total.insert(into.total.end(), more.total.begin(), more.total.end());
    into.prepare.insert(into.prepare.end(), more.prepare.begin(), more.prepare.end());
    into.gui.insert(into.gui.end(), more.gui.begin(), more.gui.end());
    into.points = more.points;
}

Timings runDecimated(
    TimeSeriesChartView& view, const ProbeResults& samples, qint64 from, qint64 to, int reps, bool warmUp = true)
{
    Timings t;
    for (int r = warmUp ? -1 : 0; r < reps; ++r) { // r = -1 warms up
        QElapsedTimer all;
        all.start();
        const ChartSeries series = bucketizeSamples(samples, from, to, view.preferredBucketCount());
        const double prepared = ms(all);
        QElapsedTimer gui;
        gui.start();
        view.setSeries(series, from, to);
        QApplication::processEvents();
        const QPixmap frame = view.grab();
        if (r < 0 || frame.isNull())
            continue;
        t.gui.push_back(ms(gui));
        t.prepare.push_back(prepared);
        t.total.push_back(ms(all));
    }
    if (const auto* latency = qobject_cast<const LatencyChartView*>(&view))
        t.points = latency->bandPoints().size() + latency->p95Points().size();
    if (const auto* errors = qobject_cast<const ErrorRateChartView*>(&view)) {
        for (int l = 0; l < ErrorRateChartView::kLayerCount; ++l)
            t.points += errors->drawnPoints(l).size();
    }
    return t;
}

Timings runReplaceAll(QChartView& view, QLineSeries* line, QDateTimeAxis* time, QValueAxis* value,
    const ProbeResults& samples, qint64 from, qint64 to, int reps, bool warmUp = true)
{
    Timings t;
    for (int r = warmUp ? -1 : 0; r < reps; ++r) {
        QElapsedTimer all;
        all.start();
        QList<QPointF> points;
        points.reserve(samples.size());
        double top = 0;
        for (const ProbeResult& s : samples) {
            if (s.httpStatus <= 0)
                continue;
            points.append(QPointF(static_cast<qreal>(s.startUtc.toMSecsSinceEpoch()), s.latencyMs()));
            top = std::max(top, s.latencyMs());
        }
        const double prepared = ms(all);
        QElapsedTimer gui;
        gui.start();
        line->replace(points);
        time->setRange(QDateTime::fromMSecsSinceEpoch(from), QDateTime::fromMSecsSinceEpoch(to));
        value->setRange(0, top * 1.05);
        QApplication::processEvents();
        const QPixmap frame = view.grab();
        if (r < 0 || frame.isNull())
            continue;
        t.gui.push_back(ms(gui));
        t.prepare.push_back(prepared);
        t.total.push_back(ms(all));
        t.points = points.size();
    }
    return t;
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Chart refresh: decimated vs replace() of all raw points"_s);
    parser.addHelpOption();
    const QCommandLineOption repsOption(u"reps"_s, u"Timed repetitions per case (default 15)."_s, u"N"_s, u"15"_s);
    const QCommandLineOption widthOption(u"width"_s, u"Plot area width in px (default 800)."_s, u"PX"_s, u"800"_s);
    parser.addOptions({ repsOption, widthOption });
    parser.process(app);
    const int reps = std::max(1, parser.value(repsOption).toInt());
    const int plotWidth = std::max(100, parser.value(widthOption).toInt());
    constexpr int kRounds = 3;

    LatencyChartView decimated;
    decimated.resize(plotWidth + 100, 360);
    decimated.show();
    fitPlotWidth(decimated, plotWidth);

    auto* chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->hide();
    auto* line = new QLineSeries;
    auto* time = new QDateTimeAxis;
    auto* value = new QValueAxis;
    chart->addSeries(line);
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(value, Qt::AlignLeft);
    line->attachAxis(time);
    line->attachAxis(value);
    // Like the decimated views, without antialiasing: a like-for-like baseline.
    QChartView raw(chart);
    raw.setRenderHint(QPainter::Antialiasing, false);
    raw.resize(plotWidth + 100, 360);
    raw.show();
    fitPlotWidth(raw, plotWidth);

    const qint64 from = QDateTime(QDate(2026, 3, 2), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    struct Case {
        const char* name;
        int samples;
        int rawReps;
    };
    // replace() of 604,800 points takes seconds per run: fewer repetitions there.
    const Case cases[] = { { "1 h", 3600, reps }, { "24 h", 86'400, std::max(1, reps / 3) },
        { "7 d", 604'800, std::max(1, reps / 5) } };

    // The floor: repainting the whole widget (background, axes, labels, legend, the current series) with
    // nothing changed.
    std::vector<double> repaint;
    for (int r = 0; r < reps; ++r) {
        QElapsedTimer t;
        t.start();
        decimated.chart()->update();
        QApplication::processEvents();
        if (!decimated.grab().isNull())
            repaint.push_back(ms(t));
    }

    std::printf("Chart refresh on the GUI thread, %d px plot (decimated: %d px; replace-all: %d px), offscreen, "
                "no antialiasing; median / p95 in ms\n\n",
        plotWidth, settledPlotWidth(decimated), settledPlotWidth(raw));
    std::printf("| samples | decimated total | of which bucketize | of which setSeries + paint | points drawn | "
                "replace-all total | of which replace + paint | points drawn | total ratio, min / median over the "
                "%d rounds |\n",
        kRounds);
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    for (const Case& c : cases) {
        const ProbeResults samples = makeSamples(from, c.samples);
        const qint64 to = from + qint64(c.samples) * 1000;
        // Interleaved: kRounds rounds, the order of the two swapped every round, warm-up in the first only.
        Timings d;
        Timings r;
        std::vector<double> ratios;
        for (int round = 0; round < kRounds; ++round) {
            const int dReps = std::max(1, (reps + kRounds - 1) / kRounds);
            const int rReps = std::max(1, (c.rawReps + kRounds - 1) / kRounds);
            Timings dr;
            Timings rr;
            if (round % 2 == 0) {
                dr = runDecimated(decimated, samples, from, to, dReps, round == 0);
                rr = runReplaceAll(raw, line, time, value, samples, from, to, rReps, round == 0);
            } else {
                rr = runReplaceAll(raw, line, time, value, samples, from, to, rReps, false);
                dr = runDecimated(decimated, samples, from, to, dReps, false);
            }
            if (!dr.total.empty() && !rr.total.empty())
                ratios.push_back(median(rr.total) / median(dr.total));
            append(d, dr);
            append(r, rr);
        }
        std::sort(ratios.begin(), ratios.end());
        std::printf(
            "| %s (%d) | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %lld | %.1f / %.1f (%zu runs) | %.1f / %.1f | "
            "%lld | %.1f× / %.1f× faster |\n",
            c.name, c.samples, median(d.total), percentile(d.total, 95), median(d.prepare), percentile(d.prepare, 95),
            median(d.gui), percentile(d.gui, 95), static_cast<long long>(d.points), median(r.total),
            percentile(r.total, 95), r.total.size(), median(r.gui), percentile(r.gui, 95),
            static_cast<long long>(r.points), ratios.empty() ? 0.0 : ratios.front(), median(ratios));
        std::fflush(stdout);
    }

    ErrorRateChartView errorRate;
    errorRate.resize(plotWidth + 100, 360);
    errorRate.show();
    fitPlotWidth(errorRate, plotWidth);
    std::printf("\nRepainting the latency chart with nothing changed (the floor of every refresh above): "
                "%.2f / %.2f ms\n",
        median(repaint), percentile(repaint, 95));
    std::printf("\nError-rate chart (stacked S1..S4 + other), decimated the same way; median / p95 in ms\n\n");
    std::printf("| samples | failures | total | of which bucketize | of which setSeries + paint | points drawn |\n");
    std::printf("|---|---|---|---|---|---|\n");
    for (const Case& c : cases) {
        for (bool flapping : { false, true }) {
            const ProbeResults samples = makeSamples(from, c.samples, flapping);
            const qint64 to = from + qint64(c.samples) * 1000;
            const Timings d = runDecimated(errorRate, samples, from, to, reps);
            std::printf("| %s (%d) | %s | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %lld |\n", c.name, c.samples,
                flapping ? "every other column fails" : "1 in 97", median(d.total), percentile(d.total, 95),
                median(d.prepare), percentile(d.prepare, 95), median(d.gui), percentile(d.gui, 95),
                static_cast<long long>(d.points));
            std::fflush(stdout);
        }
    }
    std::printf("\nTarget: decimated refresh <= 16 ms at every length.\n");
    return 0;
}
