// SPDX-License-Identifier: GPL-3.0-or-later
// When an OAuth2 access token is renewed: at 80 % of its lifetime, after failures with a jittered exponential
// backoff that never outlasts a token still held, and when a token kept from an earlier run may be reused.
#include "credentials/OAuth2RefreshPolicy.h"

#include <QTest>

using namespace sd;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

class TestOAuth2RefreshPolicy : public QObject {
    Q_OBJECT
private:
    const QDateTime m_now { QDate(2030, 5, 1), QTime(12, 0), Qt::UTC };

private slots:
    void refreshAtEightyPercentOfWhatIsLeft_data()
    {
        QTest::addColumn<qint64>("lifetimeMs");
        QTest::addColumn<qint64>("expectedMs");
        QTest::newRow("1 h token: after 48 min") << qint64(3'600'000) << qint64(2'880'000);
        QTest::newRow("3 s token: after 2.4 s") << qint64(3'000) << qint64(2'400);
        QTest::newRow("1 s token: not sooner than 1 s") << qint64(1'000) << qint64(1'000);
        QTest::newRow("already expired: not sooner than 1 s") << qint64(-5'000) << qint64(1'000);
    }
    void refreshAtEightyPercentOfWhatIsLeft()
    {
        QFETCH(qint64, lifetimeMs);
        QFETCH(qint64, expectedMs);
        const OAuth2RefreshPolicy policy;
        QCOMPARE(policy.refreshDelay(m_now, m_now.addMSecs(lifetimeMs)).count(), expectedMs);
    }

    void backoffDoublesToTheCapWithJitter_data()
    {
        QTest::addColumn<int>("failures");
        QTest::addColumn<double>("jitter");
        QTest::addColumn<qint64>("expectedMs");
        QTest::newRow("1st failure, most jitter: 1 s") << 1 << 0.0 << qint64(1'000);
        QTest::newRow("1st failure, no jitter: 2 s") << 1 << 1.0 << qint64(2'000);
        QTest::newRow("2nd failure, middle: 3 s") << 2 << 0.5 << qint64(3'000);
        QTest::newRow("4th failure, no jitter: 16 s") << 4 << 1.0 << qint64(16'000);
        QTest::newRow("9th failure: capped at 5 min") << 9 << 1.0 << qint64(300'000);
        QTest::newRow("1000th failure: capped, no overflow") << 1000 << 1.0 << qint64(300'000);
        QTest::newRow("1000th failure, most jitter: half the cap") << 1000 << 0.0 << qint64(150'000);
    }
    void backoffDoublesToTheCapWithJitter()
    {
        QFETCH(int, failures);
        QFETCH(double, jitter);
        QFETCH(qint64, expectedMs);
        const OAuth2RefreshPolicy policy;
        QCOMPARE(policy.retryDelay(failures, jitter).count(), expectedMs);
    }

    void retryNoLaterThanTheHeldTokenExpires()
    {
        const OAuth2RefreshPolicy policy;
        // 10 s of the token left, a 16 s backoff: the next attempt comes when the token ends.
        QCOMPARE(policy.nextAttemptDelay(4, 1.0, m_now, m_now.addSecs(10)), milliseconds(10'000));
        // 10 min left: the backoff decides.
        QCOMPARE(policy.nextAttemptDelay(4, 1.0, m_now, m_now.addSecs(600)), milliseconds(16'000));
        // No token held, or one already expired: the backoff decides.
        QCOMPARE(policy.nextAttemptDelay(4, 1.0, m_now, QDateTime()), milliseconds(16'000));
        QCOMPARE(policy.nextAttemptDelay(4, 1.0, m_now, m_now.addSecs(-1)), milliseconds(16'000));
    }

    void storedTokenReusedOnlyWithTimeLeft_data()
    {
        QTest::addColumn<QDateTime>("expires");
        QTest::addColumn<bool>("reusable");
        QTest::newRow("an hour left") << m_now.addSecs(3600) << true;
        QTest::newRow("31 s left") << m_now.addSecs(31) << true;
        QTest::newRow("30 s left: too close") << m_now.addSecs(30) << false;
        QTest::newRow("expired") << m_now.addSecs(-60) << false;
        QTest::newRow("expiry unknown") << QDateTime() << false;
    }
    void storedTokenReusedOnlyWithTimeLeft()
    {
        QFETCH(QDateTime, expires);
        QFETCH(bool, reusable);
        QCOMPARE(OAuth2RefreshPolicy {}.reusable(m_now, expires), reusable);
    }
};

QTEST_GUILESS_MAIN(TestOAuth2RefreshPolicy)
#include "tst_oauth2refreshpolicy.moc"
