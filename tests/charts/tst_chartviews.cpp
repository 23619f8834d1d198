// SPDX-License-Identifier: GPL-3.0-or-later
#include "charts/ChartTestData.h"
#include "history/ChartBucketing.h"
#include "ui/charts/ErrorRateChartView.h"
#include "ui/charts/LatencyChartView.h"

#include <QAreaSeries>
#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLegend>
#include <QLegendMarker>
#include <QLocale>
#include <QSet>
#include <QTest>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;
using namespace sd;
using sd::testdata::baseMs;
using sd::testdata::probe;

namespace {

constexpr qint64 kMinute = 60'000;
constexpr qint64 kHour = 60 * kMinute;

double maxY(const QList<QPointF>& points)
{
    double m = 0;
    for (const QPointF& p : points)
        m = std::max(m, p.y());
    return m;
}

double minY(const QList<QPointF>& points)
{
    double m = std::numeric_limits<double>::max();
    for (const QPointF& p : points)
        m = std::min(m, p.y());
    return m;
}

/// Shows the view at a fixed size and waits until its plot area is laid out.
bool showLaidOut(TimeSeriesChartView& view, int width, int height)
{
    view.resize(width, height);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view))
        return false;
    return QTest::qWaitFor([&view] { return view.chart()->plotArea().width() > 100; }, 5000);
}

int plotWidth(const TimeSeriesChartView& view)
{
    return static_cast<int>(view.chart()->plotArea().width());
}

void save(QWidget& widget, const QString& name)
{
    const QString path = QDir(sd::testdata::screenshotDir()).filePath(name);
    QVERIFY2(widget.grab().save(path), qPrintable(path));
    qInfo() << "screenshot:" << path;
}

QString localTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(u"HH:mm:ss"_s);
}

} // namespace

class TestChartViews : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void latencyKeepsSpikesWithTwoPointsPerPixel_data();
    void latencyKeepsSpikesWithTwoPointsPerPixel();
    void latencyDrawsEachBucketWhenThereAreFewerThanPixels();
    void gapIsShadedAndHoverSaysNoProbes();
    void latencyHoverShowsExactValues();
    void emptyRangeShowsEmptyState();
    void resizeRedrawsForTheNewWidth();
    void errorRateStackSumsToTheErrorRate();
    void errorRateHoverAndLegend();
    void ticksAreRoundAndCarryTheUnit();
    void thresholdsOnlyWithinReachOfTheData();
    void axisFollowsTheDataUntilTheRangeIsFull();
    void nothingSelectedShowsNoTimeLabels();
    void legendsFitAChartOf300Pixels();
    void followsADarkPalette();
    void screenshots();
};

void TestChartViews::initTestCase()
{
    QLocale::setDefault(QLocale::c());
}

void TestChartViews::latencyKeepsSpikesWithTwoPointsPerPixel_data()
{
    QTest::addColumn<qint64>("span");
    QTest::addColumn<int>("maxBuckets");
    QTest::newRow("1 h, one bucket per second (3600 > pixels)") << kHour << 3600;
    QTest::newRow("1 h, asked for the preferred count") << kHour << 0;
    QTest::newRow("24 h around the hour, 1 ms buckets") << 24 * kHour << 86'400'000;
}

void TestChartViews::latencyKeepsSpikesWithTwoPointsPerPixel()
{
    QFETCH(qint64, span);
    QFETCH(int, maxBuckets);
    LatencyChartView view;
    QVERIFY(showLaidOut(view, 900, 360));
    const qint64 from = baseMs(0);
    const ProbeResults samples = sd::testdata::operatorHour(from);
    const ChartSeries series
        = bucketizeSamples(samples, from, from + span, maxBuckets > 0 ? maxBuckets : view.preferredBucketCount());
    view.setSeries(series, from, from + span);

    // Axis labels change with the data, and with them the plot width: the chart follows.
    QTRY_COMPARE(view.plotColumns(), plotWidth(view));
    const int width = plotWidth(view);
    const QList<QPointF> band = view.bandPoints();
    QVERIFY2(band.size() <= 2 * width + 4, qPrintable(u"%1 points for %2 px"_s.arg(band.size()).arg(width)));
    QVERIFY(view.p95Points().size() <= width + 2);
    // Data cover 55 of the 60 minutes of the hour: well over one point per pixel of that.
    QVERIFY(band.size() >= (span == kHour ? width : width / 24));
    // The single 950 ms probe among 3,300 survives decimation, and so does the fastest answer.
    QCOMPARE(maxY(band), 950.0);
    double fastest = std::numeric_limits<double>::max();
    for (const ProbeResult& r : samples) {
        if (r.httpStatus > 0)
            fastest = std::min(fastest, r.latencyMs());
    }
    QCOMPARE(minY(band), fastest);
    // Two points per pixel column, one above the other (a vertical stroke from min to max).
    for (qsizetype i = 0; i + 1 < band.size(); i += 2)
        QCOMPARE(band.at(i).x(), band.at(i + 1).x());
    // Every point stays inside the time axis.
    for (const QPointF& p : band)
        QVERIFY(p.x() >= static_cast<double>(from) && p.x() <= static_cast<double>(from + span));
}

void TestChartViews::latencyDrawsEachBucketWhenThereAreFewerThanPixels()
{
    LatencyChartView view;
    QVERIFY(showLaidOut(view, 900, 360));
    const qint64 from = baseMs(0);
    // 5 minutes in 300 one-second buckets on ~800 px: one column per bucket, values exact.
    const ChartSeries series = bucketizeSamples(sd::testdata::operatorHour(from), from, from + 5 * kMinute, 300);
    QCOMPARE(series.buckets.size(), 300);
    view.setSeries(series, from, from + 5 * kMinute);
    const QList<QPointF> band = view.bandPoints();
    const QList<QPointF> p95 = view.p95Points();
    QCOMPARE(p95.size(), 300);
    QVERIFY(band.size() <= qsizetype(2) * plotWidth(view));
    const double pixelMs = static_cast<double>(5 * kMinute) / view.plotColumns();
    for (qsizetype i = 0; i < series.buckets.size(); ++i) {
        const ChartBucket& b = series.buckets.at(i);
        QCOMPARE(p95.at(i).y(), b.p95LatencyMs);
        QCOMPARE(p95.at(i).x(), static_cast<double>(b.startMs + b.endMs) / 2);
        // Every pixel wholly under the bucket strokes exactly from its min to its max.
        QSet<double> ys;
        for (const QPointF& p : band) {
            if (p.x() - pixelMs / 2 >= static_cast<double>(b.startMs)
                && p.x() + pixelMs / 2 <= static_cast<double>(b.endMs))
                ys.insert(p.y());
        }
        QCOMPARE(ys, (QSet<double> { b.minLatencyMs, b.maxLatencyMs }));
    }
    QVERIFY(view.gapPoints().isEmpty());
}

void TestChartViews::gapIsShadedAndHoverSaysNoProbes()
{
    LatencyChartView view;
    QVERIFY(showLaidOut(view, 900, 360));
    const qint64 from = baseMs(0);
    view.setSeries(bucketizeSamples(sd::testdata::operatorHour(from), from, from + kHour, view.preferredBucketCount()),
        from, from + kHour);
    // Exactly one shaded gap: the five minutes without probes (a column or so of rounding at its edges).
    const QList<QPointF> gap = view.gapPoints();
    QCOMPARE(gap.size(), 4);
    const double columnMs = view.columns().columnMs;
    QVERIFY(std::abs(gap.at(0).x() - static_cast<double>(from + 40 * kMinute)) <= 2 * columnMs + 1000);
    QVERIFY(std::abs(gap.at(2).x() - static_cast<double>(from + 45 * kMinute)) <= 2 * columnMs + 1000);
    QCOMPARE(gap.at(1).y(), view.valueAxis()->max());
    const QString inGap = view.hoverTextAt(from + 42 * kMinute);
    QVERIFY2(inGap.startsWith(u"No probes"_s), qPrintable(inGap));
    QVERIFY(!view.hoverTextAt(from + 38 * kMinute).startsWith(u"No probes"_s));
}

void TestChartViews::latencyHoverShowsExactValues()
{
    LatencyChartView view;
    QVERIFY(showLaidOut(view, 900, 360));
    const qint64 from = baseMs(0);
    const qint64 to = from + 10 * kMinute;
    const ProbeResults samples {
        probe(u"api"_s, from + 60'000, 12'000),
        probe(u"api"_s, from + 61'000, 85'000),
        probe(u"api"_s, from + 62'000, 20'000, Outcome::ServerError, 500),
        probe(u"api"_s, from + 63'000, 9'000'000, Outcome::Timeout, 0, FailureSignal::S1),
        probe(u"api"_s, from + 300'000, 30'000),
    };
    // Ten-second buckets: the first four probes share one.
    view.setSeries(bucketizeSamples(samples, from, to, 60), from, to);
    const QString text = view.hoverTextAt(from + 65'000);
    QVERIFY2(text.contains(localTime(from + 60'000) + u" \u2013 "_s + localTime(from + 70'000)), qPrintable(text));
    QVERIFY2(text.contains(u"min 12.0 ms"_s), qPrintable(text));
    QVERIFY2(text.contains(u"max 85.0 ms"_s), qPrintable(text));
    QVERIFY2(text.contains(u"mean 39.0 ms"_s), qPrintable(text));
    QVERIFY2(text.contains(u"p95 85.0 ms"_s), qPrintable(text));
    QVERIFY2(text.contains(u"4 probes, 2 failed"_s), qPrintable(text));
    QVERIFY(view.hoverTextAt(from + 300'500).contains(u"max 30.0 ms"_s));
    // Outside the range there is nothing to say.
    QVERIFY(view.hoverTextAt(to + 1).isEmpty());
}

void TestChartViews::emptyRangeShowsEmptyState()
{
    LatencyChartView latency;
    ErrorRateChartView errors;
    QVERIFY(showLaidOut(latency, 600, 300));
    QVERIFY(showLaidOut(errors, 600, 300));
    QVERIFY(!latency.isEmptyStateShown()); // nothing asked yet
    const qint64 from = baseMs(0);
    latency.setSeries({}, from, from + kHour);
    errors.setSeries({}, from, from + kHour);
    QVERIFY(latency.isEmptyStateShown());
    QVERIFY(errors.isEmptyStateShown());
    QCOMPARE(latency.emptyStateText(), u"No probes in this range"_s);
    QVERIFY(latency.bandPoints().isEmpty());
    QVERIFY(errors.totalPoints().isEmpty());
    QVERIFY(latency.gapPoints().isEmpty());
    save(latency, u"latency-empty.png"_s);

    latency.setSeries(
        bucketizeSamples({ probe(u"api"_s, from + 1000, 5000) }, from, from + kHour, 100), from, from + kHour);
    QVERIFY(!latency.isEmptyStateShown());
}

void TestChartViews::resizeRedrawsForTheNewWidth()
{
    LatencyChartView view;
    QVERIFY(showLaidOut(view, 1200, 360));
    const qint64 from = baseMs(0);
    // More buckets than pixels at either width.
    view.setSeries(bucketizeSamples(sd::testdata::operatorHour(from), from, from + kHour, 3600), from, from + kHour);
    const qsizetype wide = view.bandPoints().size();
    view.resize(500, 360);
    QTRY_VERIFY(plotWidth(view) < 500);
    QTRY_COMPARE(view.plotColumns(), plotWidth(view));
    QVERIFY(view.bandPoints().size() <= 2 * plotWidth(view) + 4);
    QVERIFY(view.bandPoints().size() < wide);
    QCOMPARE(maxY(view.bandPoints()), 950.0);
}

void TestChartViews::errorRateStackSumsToTheErrorRate()
{
    ErrorRateChartView view;
    QVERIFY(showLaidOut(view, 900, 360));
    const qint64 from = baseMs(0);
    // 200 buckets of 18 s: fewer than pixels, so each bucket covers a few pixel columns.
    const ChartSeries series = bucketizeSamples(sd::testdata::operatorHour(from), from, from + kHour, 200);
    view.setSeries(series, from, from + kHour);
    const QList<QPointF> total = view.totalPoints();
    QVERIFY(total.size() >= series.buckets.size());
    const double pixelMs = static_cast<double>(kHour) / view.plotColumns();
    // The bucket a pixel lies wholly in; pixels on a bucket boundary merge two buckets.
    auto bucketAt = [&series, pixelMs](double x) -> const ChartBucket* {
        for (const ChartBucket& b : series.buckets) {
            if (x - pixelMs / 2 >= static_cast<double>(b.startMs) && x + pixelMs / 2 <= static_cast<double>(b.endMs))
                return &b;
        }
        return nullptr;
    };
    double worst = 0;
    int checked = 0;
    for (qsizetype i = 0; i < total.size(); ++i) {
        const ChartBucket* b = bucketAt(total.at(i).x());
        if (!b)
            continue;
        ++checked;
        const double rate = 100.0 * static_cast<double>(b->errors) / static_cast<double>(b->probes);
        QCOMPARE(total.at(i).y(), rate);
        worst = std::max(worst, rate);
        // The layers add up to the error rate; each signal's layer is its share.
        double sum = 0;
        for (int l = 0; l < ErrorRateChartView::kLayerCount; ++l) {
            QCOMPARE(view.layerPoints(l).at(i).x(), total.at(i).x());
            sum += view.layerPoints(l).at(i).y();
        }
        QVERIFY(std::abs(sum - rate) < 1e-9);
        for (int l = 0; l < kSignalCount; ++l)
            QCOMPARE(view.layerPoints(l).at(i).y(),
                100.0 * static_cast<double>(b->signalCounts[static_cast<size_t>(l)]) / static_cast<double>(b->probes));
    }
    QVERIFY(checked > total.size() / 2);
    // In the S4 window two of every three probes are throttled.
    QCOMPARE(worst, 100.0 * 12.0 / 18.0);
    QVERIFY(view.valueAxis()->max() >= worst);
    QVERIFY(view.valueAxis()->max() <= 100.0);
    // What is drawn reaches the error rate and no higher; nothing is drawn where no probe failed.
    double drawnTop = 0;
    for (int l = 0; l < ErrorRateChartView::kLayerCount; ++l)
        drawnTop = std::max(drawnTop, maxY(view.drawnPoints(l)));
    QCOMPARE(drawnTop, worst);
    QVERIFY(view.drawnPoints(2).isEmpty()); // no S3 in this hour

    // More buckets than pixels: still two points per pixel column, rates merged per column.
    view.setSeries(bucketizeSamples(sd::testdata::operatorHour(from), from, from + kHour, 3600), from, from + kHour);
    for (int l = 0; l < ErrorRateChartView::kLayerCount; ++l)
        QVERIFY(view.drawnPoints(l).size() <= 2 * plotWidth(view) + 4);
    QVERIFY(maxY(view.totalPoints()) >= 50.0);
}

void TestChartViews::errorRateHoverAndLegend()
{
    ErrorRateChartView view;
    QVERIFY(showLaidOut(view, 900, 360));
    const qint64 from = baseMs(0);
    const ProbeResults samples {
        probe(u"api"_s, from + 1000, 10'000),
        probe(u"api"_s, from + 2000, 10'000, Outcome::Timeout, 0, FailureSignal::S1),
        probe(u"api"_s, from + 3000, 10'000, Outcome::Auth, 401, FailureSignal::S2),
        probe(u"api"_s, from + 4000, 10'000, Outcome::ServerError, 500),
    };
    view.setSeries(bucketizeSamples(samples, from, from + 10 * kMinute, 10), from, from + 10 * kMinute);
    const QString text = view.hoverTextAt(from + 2500);
    QVERIFY2(text.contains(u"4 probes, 3 failed (75.0 %)"_s), qPrintable(text));
    QVERIFY2(text.contains(u"S1 Timeout & connection: 1 (25.0 %)"_s), qPrintable(text));
    QVERIFY2(text.contains(u"S2 Auth & credentials: 1 (25.0 %)"_s), qPrintable(text));
    QVERIFY2(text.contains(u"Other errors (5xx, failed checks): 1 (25.0 %)"_s), qPrintable(text));
    QVERIFY(!text.contains(u"S3"_s));
    QCOMPARE(maxY(view.totalPoints()), 75.0);

    QStringList names;
    for (QAbstractSeries* s : view.chart()->series())
        names << s->name();
    // The legend names are short (the chart is 300 px wide at 1024×700); the hover text has the titles.
    for (FailureSignal s : kAllSignals)
        QVERIFY2(names.contains(signalCode(s)), qPrintable(names.join(u", "_s)));
}

void TestChartViews::ticksAreRoundAndCarryTheUnit()
{
    LatencyChartView latency;
    QVERIFY(showLaidOut(latency, 600, 300));
    const qint64 from = baseMs(0);
    const qint64 to = from + 10 * kMinute;
    // Sub-millisecond latencies: once 0.0/0.3/0.5/0.8/1.0 (a 0.25 step printed with one decimal).
    latency.setSeries(bucketizeSamples({ probe(u"api"_s, from + 1000, 950) }, from, to, 60), from, to);
    QCOMPARE(latency.valueTickLabels(), (QStringList { u"0.0 ms"_s, u"0.5 ms"_s, u"1.0 ms"_s }));
    QCOMPARE(latency.valueAxis()->labelFormat(), u"%.1f ms"_s);
    // With the 200/800 ms thresholds in reach of a 450 ms spike: both drawn, ticks of 250 ms.
    latency.setThresholds({ { 200, u"warning 200 ms"_s, false }, { 800, u"critical 800 ms"_s, true } });
    latency.setSeries(bucketizeSamples({ probe(u"api"_s, from + 1000, 450'000) }, from, to, 60), from, to);
    QCOMPARE(
        latency.valueTickLabels(), (QStringList { u"0 ms"_s, u"250 ms"_s, u"500 ms"_s, u"750 ms"_s, u"1000 ms"_s }));
    QCOMPARE(latency.shownThresholds().size(), 2);

    ErrorRateChartView errors;
    QVERIFY(showLaidOut(errors, 600, 300));
    errors.setThresholds({ { 5, u"warning 5 %"_s, false }, { 50, u"critical 50 %"_s, true } });
    ProbeResults samples;
    for (int i = 0; i < 10; ++i)
        samples.append(i < 3 ? probe(u"api"_s, from + 1000 + i, 10'000, Outcome::Timeout, 0, FailureSignal::S1)
                             : probe(u"api"_s, from + 1000 + i, 10'000));
    errors.setSeries(bucketizeSamples(samples, from, to, 60), from, to);
    const QStringList labels = errors.valueTickLabels();
    QVERIFY2(labels.size() >= 3, qPrintable(labels.join(u" / "_s)));
    for (const QString& label : labels) {
        QVERIFY2(label.endsWith(u" %"_s), qPrintable(label));
        const double v = label.chopped(2).toDouble();
        QVERIFY2(std::fmod(v, 5.0) == 0.0, qPrintable(labels.join(u" / "_s))); // round: 0/20/40/60
    }
    QCOMPARE(errors.valueAxis()->labelFormat(), u"%.0f %%"_s);
    QCOMPARE(errors.shownThresholds().size(), 2); // 30 % is within reach of the 50 % line
    QCOMPARE(errors.valueAxis()->titleText().isEmpty() || !errors.valueAxis()->isTitleVisible(), true);
}

void TestChartViews::thresholdsOnlyWithinReachOfTheData()
{
    LatencyChartView latency;
    QVERIFY(showLaidOut(latency, 600, 300));
    latency.setThresholds({ { 200, u"warning 200 ms"_s, false }, { 800, u"critical 800 ms"_s, true } });
    const qint64 from = baseMs(0);
    const qint64 to = from + 10 * kMinute;
    // A 30 ms endpoint: the 200 ms line would squash it to the bottom; not drawn.
    latency.setSeries(bucketizeSamples({ probe(u"api"_s, from + 1000, 30'000) }, from, to, 60), from, to);
    QVERIFY(latency.shownThresholds().isEmpty());
    QVERIFY(latency.valueAxis()->max() < 200);
    // A 150 ms endpoint: the warning line is drawn (the axis grows to it), the critical one is not.
    latency.setSeries(bucketizeSamples({ probe(u"api"_s, from + 1000, 150'000) }, from, to, 60), from, to);
    QCOMPARE(latency.shownThresholds().size(), 1);
    QCOMPARE(latency.shownThresholds().first().value, 200.0);
    QVERIFY(latency.valueAxis()->max() > 200);
}

void TestChartViews::axisFollowsTheDataUntilTheRangeIsFull()
{
    LatencyChartView latency;
    QVERIFY(showLaidOut(latency, 600, 300));
    const qint64 from = baseMs(0);
    const qint64 to = from + kHour;
    // A fresh session: 90 s of probes at the end of a 1 h range.
    ProbeResults samples;
    for (qint64 t = to - 90'000; t < to; t += 5000)
        samples.append(probe(u"api"_s, t, 20'000));
    latency.setSeries(bucketizeSamples(samples, from, to, 600), from, to);
    QVERIFY2(latency.shownFromMs() >= to - 3 * kMinute, qPrintable(localTime(latency.shownFromMs())));
    QVERIFY(latency.timeAxis()->min().toMSecsSinceEpoch() == latency.shownFromMs());
    QVERIFY(latency.timeAxis()->isTitleVisible());
    QVERIFY(latency.gapPoints().isEmpty()); // the empty 58 minutes are not "no probes" shading
    // A full range: the axis is the range.
    latency.setSeries(
        bucketizeSamples(sd::testdata::operatorHour(from), from, to, latency.preferredBucketCount()), from, to);
    QCOMPARE(latency.shownFromMs(), from);
    QVERIFY(!latency.timeAxis()->isTitleVisible());
}

void TestChartViews::nothingSelectedShowsNoTimeLabels()
{
    LatencyChartView latency;
    QVERIFY(showLaidOut(latency, 600, 300));
    latency.showNothing(u"Select an endpoint to see its latency"_s);
    QVERIFY(latency.isEmptyStateShown());
    QCOMPARE(latency.emptyStateText(), u"Select an endpoint to see its latency"_s);
    QVERIFY(!latency.timeAxis()->labelsVisible()); // not "00:00:00 00:00:00 00:00:00"
    QVERIFY(latency.valueTickLabels().isEmpty());
    // The old call with no range does the same.
    latency.setSeries({}, 0, 0);
    QVERIFY(!latency.timeAxis()->labelsVisible());
    const qint64 from = baseMs(0);
    latency.setSeries(
        bucketizeSamples({ probe(u"api"_s, from + 1000, 5000) }, from, from + kHour, 100), from, from + kHour);
    QVERIFY(latency.timeAxis()->labelsVisible());
    QCOMPARE(latency.emptyStateText(), u"No probes in this range"_s);
}

void TestChartViews::legendsFitAChartOf300Pixels()
{
    // At 1024×700 each chart is about 300 px wide: every legend entry must show whole ("S1 Time…" was cut).
    LatencyChartView latency;
    ErrorRateChartView errors;
    const qint64 from = baseMs(0);
    for (TimeSeriesChartView* view :
        { static_cast<TimeSeriesChartView*>(&latency), static_cast<TimeSeriesChartView*>(&errors) }) {
        QVERIFY(showLaidOut(*view, 300, 220));
        // Threshold lines are labelled on the chart, never in the legend (which had no room for them).
        view->setThresholds({ { 200, u"warning 200 ms"_s, false }, { 800, u"critical 800 ms"_s, true } });
        if (view == &errors)
            view->setThresholds({ { 5, u"warning 5 %"_s, false }, { 50, u"critical 50 %"_s, true } });
        view->setSeries(
            bucketizeSamples(sd::testdata::operatorHour(from), from, from + kHour, 300), from, from + kHour);
        const QFontMetrics metrics(view->chart()->legend()->font());
        int needed = 0;
        for (QLegendMarker* marker : view->chart()->legend()->markers()) {
            if (marker->isVisible())
                needed += metrics.horizontalAdvance(marker->label()) + metrics.height() + 12; // box + spacing
        }
        QVERIFY2(needed <= view->width() - 8, qPrintable(QString::number(needed)));
        QVERIFY(!view->shownThresholds().isEmpty());
        // And the time axis title (while the range is not full) fits, too.
        const QString title = view->timeAxis()->titleText();
        QVERIFY(QFontMetrics(view->timeAxis()->titleFont()).horizontalAdvance(title) <= view->width() - 60);
    }
}

void TestChartViews::followsADarkPalette()
{
    LatencyChartView view;
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    view.setPalette(dark);
    QVERIFY(showLaidOut(view, 900, 360));
    QCOMPARE(view.chart()->backgroundBrush().color(), dark.color(QPalette::Window));
    QCOMPARE(view.chart()->plotAreaBackgroundBrush().color(), dark.color(QPalette::Base));
    const auto axes = view.chart()->axes();
    for (QAbstractAxis* axis : axes)
        QCOMPARE(axis->labelsColor(), dark.color(QPalette::WindowText));
    // Grid lines are subdued: between the background and the text, closer to the background.
    const QColor grid = axes.first()->gridLineColor();
    QVERIFY(grid.lightness() > dark.color(QPalette::Base).lightness());
    QVERIFY(grid.lightness() < 0x80);
    QCOMPARE(view.chart()->legend()->labelColor(), dark.color(QPalette::WindowText));
}

void TestChartViews::screenshots()
{
    const qint64 from = baseMs(0);
    const ProbeResults hour = sd::testdata::operatorHour(from);
    {
        LatencyChartView view;
        QVERIFY(showLaidOut(view, 900, 320));
        view.setSeries(bucketizeSamples(hour, from, from + kHour, view.preferredBucketCount()), from, from + kHour);
        QTRY_COMPARE(view.plotColumns(), plotWidth(view));
        save(view, u"latency-1h.png"_s);
    }
    {
        ErrorRateChartView view;
        QVERIFY(showLaidOut(view, 900, 320));
        view.setSeries(bucketizeSamples(hour, from, from + kHour, view.preferredBucketCount()), from, from + kHour);
        QTRY_COMPARE(view.plotColumns(), plotWidth(view));
        save(view, u"errorrate-1h.png"_s);
    }
    {
        // A day with the hour near its middle: long gaps before and after.
        LatencyChartView view;
        QVERIFY(showLaidOut(view, 900, 320));
        view.setSeries(bucketizeSamples(hour, from - 12 * kHour, from + 12 * kHour, view.preferredBucketCount()),
            from - 12 * kHour, from + 12 * kHour);
        save(view, u"latency-24h.png"_s);
    }
    {
        LatencyChartView view;
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
        dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
        dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
        view.setPalette(dark);
        QVERIFY(showLaidOut(view, 900, 320));
        view.setSeries(bucketizeSamples(hour, from, from + kHour, view.preferredBucketCount()), from, from + kHour);
        save(view, u"latency-1h-dark.png"_s);
        ErrorRateChartView errors;
        errors.setPalette(dark);
        QVERIFY(showLaidOut(errors, 900, 320));
        errors.setSeries(bucketizeSamples(hour, from, from + kHour, errors.preferredBucketCount()), from, from + kHour);
        save(errors, u"errorrate-1h-dark.png"_s);
    }
}

QTEST_MAIN(TestChartViews)
#include "tst_chartviews.moc"
