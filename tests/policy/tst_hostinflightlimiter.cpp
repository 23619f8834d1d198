// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/HostInFlightLimiter.h"

#include <QTest>

using sd::HostInFlightLimiter;

class TestHostInFlightLimiter : public QObject {
    Q_OBJECT

private slots:
    void capPerHost_data()
    {
        QTest::addColumn<int>("cap");
        QTest::addColumn<int>("effectiveCap");
        QTest::newRow("default 4") << -1 << 4;
        QTest::newRow("1") << 1 << 1;
        QTest::newRow("6, Qt's own connection limit") << 6 << 6;
        QTest::newRow("0 is taken as 1") << 0 << 1;
    }
    void capPerHost()
    {
        QFETCH(int, cap);
        QFETCH(int, effectiveCap);
        HostInFlightLimiter limiter = cap < 0 ? HostInFlightLimiter() : HostInFlightLimiter(cap);
        QCOMPARE(limiter.capPerHost(), effectiveCap);
        const QString host = QStringLiteral("api.example.com");
        for (int i = 0; i < effectiveCap; ++i)
            QVERIFY(limiter.tryAcquire(host));
        QVERIFY2(!limiter.tryAcquire(host), "one over the cap");
        QCOMPARE(limiter.inFlight(host), effectiveCap);
        limiter.release(host);
        QCOMPARE(limiter.inFlight(host), effectiveCap - 1);
        QVERIFY(limiter.tryAcquire(host));
        QVERIFY(!limiter.tryAcquire(host));
    }

    void hostsAreIndependent()
    {
        HostInFlightLimiter limiter(2);
        const QString a = QStringLiteral("a.example.com");
        const QString b = QStringLiteral("b.example.com");
        QVERIFY(limiter.tryAcquire(a));
        QVERIFY(limiter.tryAcquire(a));
        QVERIFY(!limiter.tryAcquire(a));
        QVERIFY(limiter.tryAcquire(b));
        QCOMPARE(limiter.inFlight(a), 2);
        QCOMPARE(limiter.inFlight(b), 1);
        QCOMPARE(limiter.inFlight(QStringLiteral("c.example.com")), 0);
        QCOMPARE(limiter.totalInFlight(), 3);
    }

    void extraReleaseDoesNotRaiseTheCap()
    {
        HostInFlightLimiter limiter(2);
        const QString host = QStringLiteral("127.0.0.1:8080");
        QVERIFY(limiter.tryAcquire(host));
        limiter.release(host);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("release without acquire")));
        limiter.release(host);
        QCOMPARE(limiter.inFlight(host), 0);
        // A counter gone negative would let 3 through.
        QVERIFY(limiter.tryAcquire(host));
        QVERIFY(limiter.tryAcquire(host));
        QVERIFY(!limiter.tryAcquire(host));
        QCOMPARE(limiter.totalInFlight(), 2);
    }
};

QTEST_GUILESS_MAIN(TestHostInFlightLimiter)
#include "tst_hostinflightlimiter.moc"
