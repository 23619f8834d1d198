// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/TimeRange.h"

#include <QTest>

#include <limits>

using namespace sd;

class TestTimeRange : public QObject {
    Q_OBJECT
private slots:
    void presetsCoverFiveMinutesToNinetyDays()
    {
        QStringList labels;
        for (const TimeRange& r : TimeRange::presets())
            labels << r.label();
        QCOMPARE(labels, (QStringList { u"5 min"_qs, u"1 h"_qs, u"24 h"_qs, u"7 d"_qs, u"30 d"_qs, u"90 d"_qs }));
    }

    void keysRoundTrip()
    {
        for (const TimeRange& r : TimeRange::presets())
            QCOMPARE(TimeRange::fromKey(r.key()), r);
        const TimeRange custom = TimeRange::custom(1'000, 90'000);
        QCOMPARE(TimeRange::fromKey(custom.key()), custom);
        QCOMPARE(TimeRange::fromKey(u"nonsense"_qs), TimeRange::lastSpan(3'600'000));
        QCOMPARE(TimeRange::fromKey(u"custom:9-3"_qs), TimeRange::lastSpan(3'600'000));
    }

    void resolvesAgainstNow()
    {
        const TimeRange day = TimeRange::presets().at(2);
        QCOMPARE(day.resolvedTo(100'000'000), 100'000'000);
        QCOMPARE(day.resolvedFrom(100'000'000), 100'000'000 - 86'400'000);
        const TimeRange custom = TimeRange::custom(5, 10);
        QCOMPARE(custom.resolvedFrom(1'000'000), 5);
        QCOMPARE(custom.resolvedTo(1'000'000), 10);
        QVERIFY(custom.isCustom());
    }

    // The parts of a range an uptime counts when maintenance windows (which may overlap, reach past the
    // range or be open-ended) are left out of it.
    void spansOutsideLeaveTheWindowsOut()
    {
        constexpr qint64 kMax = std::numeric_limits<qint64>::max();
        constexpr qint64 kMin = std::numeric_limits<qint64>::min();
        QCOMPARE(spansOutside(0, 100, {}), (TimeSpans { { 0, 100 } }));
        QCOMPARE(spansOutside(0, 100, { { 20, 30 } }), (TimeSpans { { 0, 20 }, { 30, 100 } }));
        QCOMPARE(spansOutside(0, 100, { { 50, 70 }, { 20, 30 }, { 25, 40 } }),
            (TimeSpans { { 0, 20 }, { 40, 50 }, { 70, 100 } }));
        QCOMPARE(spansOutside(0, 100, { { kMin, 10 }, { 90, kMax } }), (TimeSpans { { 10, 90 } }));
        QCOMPARE(spansOutside(0, 100, { { -50, 200 } }), TimeSpans {});
        QCOMPARE(spansOutside(0, 100, { { 200, 300 }, { -20, -10 }, { 60, 60 } }), (TimeSpans { { 0, 100 } }));
        QCOMPARE(spansOutside(100, 100, {}), TimeSpans {});
    }
};

QTEST_GUILESS_MAIN(TestTimeRange)
#include "tst_timerange.moc"
