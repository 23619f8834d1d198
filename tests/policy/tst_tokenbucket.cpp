// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/TestTime.h"
#include "policy/TokenBucket.h"

#include <QTest>

using namespace std::chrono_literals;
using sd::TokenBucket;
using sd::test::at;
using sd::test::msOf;

class TestTokenBucket : public QObject {
    Q_OBJECT

private slots:
    void defaultsStartFullWithBurst50()
    {
        TokenBucket bucket;
        QCOMPARE(bucket.ratePerSecond(), 200.0);
        QCOMPARE(bucket.burst(), 50);
        const auto t0 = at(1000s);
        for (int i = 0; i < 50; ++i)
            QVERIFY2(bucket.tryTake(t0), qPrintable(QString::number(i)));
        QVERIFY(!bucket.tryTake(t0));
        // 200/s: one token every 5 ms.
        QCOMPARE(msOf(bucket.delayUntilAvailable(t0)), qint64(5));
        QVERIFY(!bucket.tryTake(t0 + 4ms));
        QVERIFY(bucket.tryTake(t0 + 5ms));
        QVERIFY(!bucket.tryTake(t0 + 5ms));
    }

    void refillFromElapsedTime_data()
    {
        QTest::addColumn<qint64>("elapsedMs");
        QTest::addColumn<int>("tokens");
        QTest::newRow("nothing elapsed") << qint64(0) << 0;
        QTest::newRow("4 ms: not yet one") << qint64(4) << 0;
        QTest::newRow("100 ms: 20") << qint64(100) << 20;
        QTest::newRow("249 ms: 49") << qint64(249) << 49;
        QTest::newRow("250 ms: full") << qint64(250) << 50;
        QTest::newRow("an hour idle: still only the burst") << qint64(3'600'000) << 50;
    }
    void refillFromElapsedTime()
    {
        QFETCH(qint64, elapsedMs);
        QFETCH(int, tokens);
        TokenBucket bucket(200.0, 50);
        const auto t0 = at(10s);
        while (bucket.tryTake(t0)) { }
        const auto later = t0 + std::chrono::milliseconds(elapsedMs);
        int taken = 0;
        while (bucket.tryTake(later))
            ++taken;
        QCOMPARE(taken, tokens);
    }

    void delayUntilAvailableIsExactAndNeverNegative_data()
    {
        QTest::addColumn<double>("rate");
        QTest::addColumn<int>("burst");
        QTest::addColumn<qint64>("delayMs");
        QTest::newRow("200/s") << 200.0 << 50 << qint64(5);
        QTest::newRow("3/s: 333.3 ms rounds up") << 3.0 << 1 << qint64(334);
        QTest::newRow("7/s: 142.9 ms rounds up") << 7.0 << 2 << qint64(143);
        QTest::newRow("1000/s") << 1000.0 << 10 << qint64(1);
        QTest::newRow("3000/s: less than a millisecond rounds up to 1") << 3000.0 << 10 << qint64(1);
        QTest::newRow("0.5/s") << 0.5 << 1 << qint64(2000);
    }
    void delayUntilAvailableIsExactAndNeverNegative()
    {
        QFETCH(double, rate);
        QFETCH(int, burst);
        QFETCH(qint64, delayMs);
        TokenBucket bucket(rate, burst);
        const auto t0 = at(5s);
        QCOMPARE(msOf(bucket.delayUntilAvailable(t0)), qint64(0));
        while (bucket.tryTake(t0)) { }
        const auto delay = bucket.delayUntilAvailable(t0);
        QCOMPARE(msOf(delay), delayMs);
        // The advertised delay is enough, and one millisecond less is not (unless that is zero).
        if (delay > 1ms)
            QVERIFY(!bucket.tryTake(t0 + delay - 1ms));
        QVERIFY(bucket.tryTake(t0 + delay));
        // Drained again, the wait is back, and never negative even when asked about the past.
        while (bucket.tryTake(t0 + delay)) { }
        QVERIFY(msOf(bucket.delayUntilAvailable(t0 + delay)) > 0);
        QVERIFY(msOf(bucket.delayUntilAvailable(t0)) >= 0);
    }

    void partialRefillShortensTheDelay()
    {
        TokenBucket bucket(10.0, 1); // one token per 100 ms
        QVERIFY(bucket.tryTake(at(0ms)));
        QCOMPARE(msOf(bucket.delayUntilAvailable(at(0ms))), qint64(100));
        QCOMPARE(msOf(bucket.delayUntilAvailable(at(30ms))), qint64(70));
        QCOMPARE(msOf(bucket.delayUntilAvailable(at(100ms))), qint64(0));
        QCOMPARE(msOf(bucket.delayUntilAvailable(at(900ms))), qint64(0));
        QCOMPARE(bucket.available(at(900ms)), 1.0);
    }

    void timeGoingBackwardsRefillsNothing()
    {
        TokenBucket bucket(10.0, 2);
        QVERIFY(bucket.tryTake(at(10s)));
        QVERIFY(bucket.tryTake(at(10s)));
        QVERIFY(!bucket.tryTake(at(5s)));
        QCOMPARE(msOf(bucket.delayUntilAvailable(at(5s))), qint64(100));
        QVERIFY(bucket.tryTake(at(10s) + 100ms));
    }

    void invalidConfigIsSanitised()
    {
        TokenBucket bucket(0.0, 0);
        QCOMPARE(bucket.ratePerSecond(), 1.0);
        QCOMPARE(bucket.burst(), 1);
        QVERIFY(bucket.tryTake(at(0s)));
        QVERIFY(!bucket.tryTake(at(0s)));
        QCOMPARE(msOf(bucket.delayUntilAvailable(at(0s))), qint64(1'000));
    }

    void sustainedRateMatchesConfiguredRate()
    {
        // Probing as fast as the bucket allows for 10 s: burst + rate * 10 s attempts, no more.
        TokenBucket bucket(200.0, 50);
        auto now = at(0s);
        const auto end = at(10s);
        int sent = 0;
        while (now <= end) {
            if (bucket.tryTake(now))
                ++sent;
            else
                now += bucket.delayUntilAvailable(now);
        }
        QCOMPARE(sent, 50 + 2000);
    }
};

QTEST_GUILESS_MAIN(TestTokenBucket)
#include "tst_tokenbucket.moc"
