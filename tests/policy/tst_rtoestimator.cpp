// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/RtoEstimator.h"
#include "policy/TestTime.h"

#include <QTest>

using namespace std::chrono_literals;
using sd::RtoEstimator;
using sd::test::msOf;

class TestRtoEstimator : public QObject {
    Q_OBJECT

private slots:
    void beforeAnySample_data()
    {
        QTest::addColumn<qint64>("initialMs"); // -1 = none given
        QTest::addColumn<qint64>("rtoMs");
        QTest::newRow("no initial: the upper bound") << qint64(-1) << qint64(10'000);
        QTest::newRow("initial 3 s") << qint64(3'000) << qint64(3'000);
        QTest::newRow("initial above the bound: clamped") << qint64(30'000) << qint64(10'000);
        QTest::newRow("initial below the bound: clamped") << qint64(100) << qint64(1'000);
    }
    void beforeAnySample()
    {
        QFETCH(qint64, initialMs);
        QFETCH(qint64, rtoMs);
        const RtoEstimator estimator(
            1s, 10s, initialMs < 0 ? std::nullopt : std::optional(std::chrono::milliseconds(initialMs)));
        QCOMPARE(msOf(estimator.rto()), rtoMs);
        QVERIFY(!estimator.hasSample());
        QVERIFY(!estimator.srttUs());
    }

    void rfc6298Arithmetic()
    {
        RtoEstimator estimator(0ms, 60s);
        QVERIFY(estimator.addSample(100ms, false));
        // First sample: SRTT = R, RTTVAR = R/2, RTO = R + 4 * R/2.
        QCOMPARE(*estimator.srttUs(), 100'000.0);
        QCOMPARE(*estimator.rttvarUs(), 50'000.0);
        QCOMPARE(msOf(estimator.rto()), qint64(300));
        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5;
        // RTO = 112.5 + 250 = 362.5, rounded up.
        QVERIFY(estimator.addSample(200ms, false));
        QCOMPARE(*estimator.rttvarUs(), 62'500.0);
        QCOMPARE(*estimator.srttUs(), 112'500.0);
        QCOMPARE(msOf(estimator.rto()), qint64(363));
    }

    void convergesOnConstantRtt_data()
    {
        QTest::addColumn<qint64>("rttUs");
        QTest::addColumn<qint64>("firstRtoMs");
        QTest::addColumn<qint64>("convergedRtoMs");
        // Converged: RTTVAR decays to ~0, so RTO = SRTT + G (1 ms), rounded up.
        QTest::newRow("50 ms") << qint64(50'000) << qint64(150) << qint64(51);
        QTest::newRow("250 ms") << qint64(250'000) << qint64(750) << qint64(251);
        QTest::newRow("800 us: the granularity dominates") << qint64(800) << qint64(3) << qint64(2);
    }
    void convergesOnConstantRtt()
    {
        QFETCH(qint64, rttUs);
        QFETCH(qint64, firstRtoMs);
        QFETCH(qint64, convergedRtoMs);
        RtoEstimator estimator(0ms, 60s);
        estimator.addSample(std::chrono::microseconds(rttUs), false);
        QCOMPARE(msOf(estimator.rto()), firstRtoMs);
        auto previous = estimator.rto();
        for (int i = 0; i < 100; ++i) {
            estimator.addSample(std::chrono::microseconds(rttUs), false);
            QVERIFY2(estimator.rto() <= previous, "a steady RTT only ever shrinks the timeout");
            previous = estimator.rto();
        }
        QCOMPARE(msOf(estimator.rto()), convergedRtoMs);
        QVERIFY(qAbs(*estimator.srttUs() - static_cast<double>(rttUs)) < 1.0);
    }

    void clampedAtBothBounds_data()
    {
        QTest::addColumn<qint64>("rttMs");
        QTest::addColumn<qint64>("rtoMs");
        QTest::newRow("10 ms: raised to the 1 s minimum") << qint64(10) << qint64(1'000);
        QTest::newRow("300 ms: 900 ms raised to 1 s") << qint64(300) << qint64(1'000);
        QTest::newRow("2 s: 6 s inside the bounds") << qint64(2'000) << qint64(6'000);
        QTest::newRow("5 s: 15 s cut to the 10 s maximum") << qint64(5'000) << qint64(10'000);
        QTest::newRow("an hour: cut to the maximum") << qint64(3'600'000) << qint64(10'000);
    }
    void clampedAtBothBounds()
    {
        QFETCH(qint64, rttMs);
        QFETCH(qint64, rtoMs);
        RtoEstimator estimator(1s, 10s);
        estimator.addSample(std::chrono::milliseconds(rttMs), false);
        QCOMPARE(msOf(estimator.rto()), rtoMs);
    }

    void boundsGivenTheWrongWayRound()
    {
        RtoEstimator estimator(10s, 1s);
        QCOMPARE(msOf(estimator.minRto()), qint64(1'000));
        QCOMPARE(msOf(estimator.maxRto()), qint64(10'000));
        QCOMPARE(msOf(estimator.rto()), qint64(10'000));
    }

    void karnsRuleIgnoresRetriedAttempts()
    {
        RtoEstimator estimator(0ms, 60s);
        QVERIFY(!estimator.addSample(5s, true));
        QVERIFY(!estimator.hasSample());
        QCOMPARE(msOf(estimator.rto()), qint64(60'000));

        QVERIFY(estimator.addSample(100ms, false));
        QVERIFY(!estimator.addSample(9s, true));
        QCOMPARE(*estimator.srttUs(), 100'000.0);
        QCOMPARE(*estimator.rttvarUs(), 50'000.0);
        QCOMPARE(msOf(estimator.rto()), qint64(300));
    }

    void negativeSampleIgnored()
    {
        RtoEstimator estimator(1s, 10s);
        QVERIFY(!estimator.addSample(-5ms, false));
        QVERIFY(!estimator.hasSample());
    }

    void timeoutDoublesThenNextSampleRecomputes()
    {
        RtoEstimator estimator(1s, 10s);
        estimator.addSample(500ms, false); // 500 + 4 * 250 = 1500
        QCOMPARE(msOf(estimator.rto()), qint64(1'500));
        const qint64 backedOff[] = { 3'000, 6'000, 10'000, 10'000 };
        for (const qint64 expected : backedOff) {
            estimator.onTimeout();
            QCOMPARE(msOf(estimator.rto()), expected);
        }
        // A retried attempt's sample does not undo the back-off (Karn).
        estimator.addSample(500ms, true);
        QCOMPARE(msOf(estimator.rto()), qint64(10'000));
        // A valid one does: RTTVAR = 3/4 * 250 = 187.5, SRTT = 500, RTO = 500 + 750.
        estimator.addSample(500ms, false);
        QCOMPARE(msOf(estimator.rto()), qint64(1'250));
    }

    void timeoutBeforeAnySample()
    {
        RtoEstimator estimator(1s, 10s, 2s);
        estimator.onTimeout();
        QCOMPARE(msOf(estimator.rto()), qint64(4'000));
        RtoEstimator atMax(1s, 10s);
        atMax.onTimeout();
        QCOMPARE(msOf(atMax.rto()), qint64(10'000));
    }
};

QTEST_GUILESS_MAIN(TestRtoEstimator)
#include "tst_rtoestimator.moc"
