// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/TimeRange.h"

#include <QTest>

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
};

QTEST_GUILESS_MAIN(TestTimeRange)
#include "tst_timerange.moc"
