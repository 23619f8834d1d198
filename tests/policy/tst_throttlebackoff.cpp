// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/TestTime.h"
#include "policy/ThrottleBackoff.h"

#include <QTest>

using namespace std::chrono_literals;
using sd::ThrottleBackoff;
using sd::test::at;
using sd::test::msOf;

class TestThrottleBackoff : public QObject {
    Q_OBJECT

private slots:
    void notThrottledUsesTheInterval()
    {
        const ThrottleBackoff backoff;
        QCOMPARE(backoff.multiplier(), 1);
        QCOMPARE(msOf(backoff.nextDelay(10s)), qint64(10'000));
        QVERIFY(!backoff.notBefore());
        QVERIFY(backoff.allowsProbeAt(at(0s)));
    }

    void doublesPerConsecutiveThrottleUpTo16x_data()
    {
        QTest::addColumn<int>("throttles");
        QTest::addColumn<int>("maxMultiplier");
        QTest::addColumn<int>("multiplier");
        QTest::newRow("1 throttle: 2x") << 1 << 16 << 2;
        QTest::newRow("2 throttles: 4x") << 2 << 16 << 4;
        QTest::newRow("3 throttles: 8x") << 3 << 16 << 8;
        QTest::newRow("4 throttles: 16x") << 4 << 16 << 16;
        QTest::newRow("5 throttles: stays 16x") << 5 << 16 << 16;
        QTest::newRow("1000 throttles: stays 16x") << 1000 << 16 << 16;
        QTest::newRow("configured cap 8x") << 6 << 8 << 8;
        QTest::newRow("configured cap 10x (not a power of two)") << 6 << 10 << 10;
    }
    void doublesPerConsecutiveThrottleUpTo16x()
    {
        QFETCH(int, throttles);
        QFETCH(int, maxMultiplier);
        QFETCH(int, multiplier);
        ThrottleBackoff backoff({ .maxMultiplier = maxMultiplier });
        for (int i = 0; i < throttles; ++i)
            backoff.onThrottled(std::nullopt, at(std::chrono::seconds(i * 60)));
        QCOMPARE(backoff.multiplier(), multiplier);
        QCOMPARE(msOf(backoff.nextDelay(30s)), qint64(30'000) * multiplier);
        QVERIFY2(!backoff.notBefore(), "no Retry-After was given, so nothing holds the probe back");
    }

    void retryAfterHonouredThenResetOnSuccess()
    {
        ThrottleBackoff backoff;
        backoff.onThrottled(120s, at(1000s));
        QCOMPARE(msOf(backoff.nextDelay(10s)), qint64(120'000));
        QVERIFY(backoff.notBefore());
        QVERIFY(*backoff.notBefore() == at(1120s));
        QVERIFY(!backoff.allowsProbeAt(at(1119s)));
        QVERIFY(backoff.allowsProbeAt(at(1120s)));

        backoff.onSuccess();
        QCOMPARE(backoff.multiplier(), 1);
        QCOMPARE(backoff.consecutiveThrottled(), 0);
        QCOMPARE(msOf(backoff.nextDelay(10s)), qint64(10'000));
        QVERIFY(!backoff.notBefore());
        QVERIFY(backoff.allowsProbeAt(at(1000s)));
    }

    void retryAfterIsClampedAndNeverFasterThanTheInterval_data()
    {
        QTest::addColumn<qint64>("retryAfterMs");
        QTest::addColumn<qint64>("maxRetryAfterMs");
        QTest::addColumn<qint64>("intervalMs");
        QTest::addColumn<qint64>("nextDelayMs");
        QTest::addColumn<qint64>("notBeforeMs");
        QTest::newRow("5 s asked, 30 s interval: the interval")
            << qint64(5'000) << qint64(3'600'000) << qint64(30'000) << qint64(30'000) << qint64(5'000);
        QTest::newRow("3 days asked: clamped to 1 h")
            << qint64(259'200'000) << qint64(3'600'000) << qint64(30'000) << qint64(3'600'000) << qint64(3'600'000);
        QTest::newRow("2 h asked, max 10 min")
            << qint64(7'200'000) << qint64(600'000) << qint64(10'000) << qint64(600'000) << qint64(600'000);
        QTest::newRow("negative asked: 0")
            << qint64(-5'000) << qint64(3'600'000) << qint64(10'000) << qint64(10'000) << qint64(0);
        QTest::newRow("exactly the max") << qint64(3'600'000) << qint64(3'600'000) << qint64(10'000)
                                         << qint64(3'600'000) << qint64(3'600'000);
    }
    void retryAfterIsClampedAndNeverFasterThanTheInterval()
    {
        QFETCH(qint64, retryAfterMs);
        QFETCH(qint64, maxRetryAfterMs);
        QFETCH(qint64, intervalMs);
        QFETCH(qint64, nextDelayMs);
        QFETCH(qint64, notBeforeMs);
        ThrottleBackoff backoff({ .maxRetryAfter = std::chrono::milliseconds(maxRetryAfterMs) });
        backoff.onThrottled(std::chrono::milliseconds(retryAfterMs), at(0s));
        QCOMPARE(msOf(backoff.nextDelay(std::chrono::milliseconds(intervalMs))), nextDelayMs);
        QVERIFY(backoff.notBefore());
        QCOMPARE(
            msOf(std::chrono::duration_cast<std::chrono::milliseconds>(*backoff.notBefore() - at(0s))), notBeforeMs);
    }

    void throttlesWithAndWithoutRetryAfterAllCount()
    {
        ThrottleBackoff backoff;
        backoff.onThrottled(60s, at(0s));
        QCOMPARE(backoff.multiplier(), 2);
        // The next 429 has no Retry-After: fall back to doubling, and the old Retry-After has expired.
        backoff.onThrottled(std::nullopt, at(70s));
        QCOMPARE(backoff.multiplier(), 4);
        QCOMPARE(msOf(backoff.nextDelay(10s)), qint64(40'000));
        QVERIFY(!backoff.notBefore());
    }

    void aLongerEarlierRetryAfterStillStands()
    {
        ThrottleBackoff backoff;
        backoff.onThrottled(600s, at(0s));
        // A hand-triggered probe got throttled again with a shorter Retry-After.
        backoff.onThrottled(10s, at(5s));
        QVERIFY(*backoff.notBefore() == at(600s));
        backoff.onThrottled(std::nullopt, at(6s));
        QVERIFY2(backoff.notBefore() && *backoff.notBefore() == at(600s), "a 429 without Retry-After lifts nothing");
        QVERIFY(!backoff.allowsProbeAt(at(599s)));
    }

    void successAfterDoublingStartsOver()
    {
        ThrottleBackoff backoff;
        for (int i = 0; i < 3; ++i)
            backoff.onThrottled(std::nullopt, at(std::chrono::seconds(i)));
        QCOMPARE(backoff.multiplier(), 8);
        backoff.onSuccess();
        QCOMPARE(msOf(backoff.nextDelay(10s)), qint64(10'000));
        backoff.onThrottled(std::nullopt, at(100s));
        QCOMPARE(backoff.multiplier(), 2);
    }
};

QTEST_GUILESS_MAIN(TestThrottleBackoff)
#include "tst_throttlebackoff.moc"
