// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/RetryPolicy.h"
#include "policy/TestTime.h"

#include <QTest>

#include <array>
#include <limits>
#include <random>

using namespace std::chrono_literals;
using sd::FailureSignal;
using sd::RetryPolicy;
using sd::RetryPolicyConfig;
using sd::test::msOf;

class TestRetryPolicy : public QObject {
    Q_OBJECT

private slots:
    void onlyS1IsRetried_data()
    {
        QTest::addColumn<FailureSignal>("signal");
        QTest::addColumn<bool>("retried");
        QTest::newRow("S1 timeout or connection") << FailureSignal::S1 << true;
        QTest::newRow("S2 auth") << FailureSignal::S2 << false;
        QTest::newRow("S3 input rejected") << FailureSignal::S3 << false;
        QTest::newRow("S4 throttled") << FailureSignal::S4 << false;
        // ServerError and AssertionFailed raise no signal.
        QTest::newRow("no signal (server error, assertion)") << FailureSignal::None << false;
    }
    void onlyS1IsRetried()
    {
        QFETCH(FailureSignal, signal);
        QFETCH(bool, retried);
        int draws = 0;
        RetryPolicy policy({}, [&draws] {
            ++draws;
            return 0.5;
        });
        QCOMPARE(RetryPolicy::isRetryable(signal), retried);
        QCOMPARE(policy.retryDelay(signal, 1).has_value(), retried);
        QCOMPARE(policy.retryDelay(signal, 2).has_value(), retried);
        // A refused retry must not consume randomness (keeps seeded sequences reproducible).
        QCOMPARE(draws, retried ? 2 : 0);
    }

    void atMostTwoRetries_data()
    {
        QTest::addColumn<int>("attemptsSoFar");
        QTest::addColumn<bool>("retried");
        QTest::newRow("nonsense 0 attempts") << 0 << false;
        QTest::newRow("after 1st attempt") << 1 << true;
        QTest::newRow("after 2nd attempt") << 2 << true;
        QTest::newRow("after 3rd attempt") << 3 << false;
        QTest::newRow("after 10th attempt") << 10 << false;
    }
    void atMostTwoRetries()
    {
        QFETCH(int, attemptsSoFar);
        QFETCH(bool, retried);
        RetryPolicy policy({}, [] { return 0.0; });
        QCOMPARE(policy.retryDelay(FailureSignal::S1, attemptsSoFar).has_value(), retried);
    }

    void ceilingDoublesUpToCap_data()
    {
        QTest::addColumn<qint64>("baseMs");
        QTest::addColumn<qint64>("capMs");
        QTest::addColumn<int>("attemptsSoFar");
        QTest::addColumn<qint64>("ceilingMs");
        QTest::newRow("defaults, 1st retry: base") << qint64(1000) << qint64(16000) << 1 << qint64(1000);
        QTest::newRow("defaults, 2nd retry: 2 base") << qint64(1000) << qint64(16000) << 2 << qint64(2000);
        QTest::newRow("defaults, 4th: 8 s") << qint64(1000) << qint64(16000) << 4 << qint64(8000);
        QTest::newRow("defaults, 5th: cap reached") << qint64(1000) << qint64(16000) << 5 << qint64(16000);
        QTest::newRow("defaults, 6th: stays at cap") << qint64(1000) << qint64(16000) << 6 << qint64(16000);
        QTest::newRow("defaults, 200th: no overflow") << qint64(1000) << qint64(16000) << 200 << qint64(16000);
        QTest::newRow("cap not a power of two") << qint64(500) << qint64(3000) << 4 << qint64(3000);
        QTest::newRow("base above cap") << qint64(5000) << qint64(2000) << 1 << qint64(2000);
    }
    void ceilingDoublesUpToCap()
    {
        QFETCH(qint64, baseMs);
        QFETCH(qint64, capMs);
        QFETCH(int, attemptsSoFar);
        QFETCH(qint64, ceilingMs);
        const RetryPolicy policy(
            { .maxRetries = 1000, .base = std::chrono::milliseconds(baseMs), .cap = std::chrono::milliseconds(capMs) });
        QCOMPARE(msOf(policy.delayCeiling(attemptsSoFar)), ceilingMs);
    }

    void fullJitterExactValues_data()
    {
        QTest::addColumn<double>("random");
        QTest::addColumn<int>("attemptsSoFar");
        QTest::addColumn<qint64>("delayMs");
        QTest::newRow("random 0 -> no wait") << 0.0 << 1 << qint64(0);
        QTest::newRow("1st retry, random 0.5 -> 500 ms") << 0.5 << 1 << qint64(500);
        QTest::newRow("2nd retry, random 0.5 -> 1000 ms") << 0.5 << 2 << qint64(1000);
        QTest::newRow("2nd retry, random 0.9995 -> 1999 ms") << 0.9995 << 2 << qint64(1999);
        QTest::newRow("source returns 1 -> clamped to ceiling") << 1.0 << 2 << qint64(2000);
        QTest::newRow("source returns 7 -> clamped to ceiling") << 7.0 << 1 << qint64(1000);
        QTest::newRow("source returns negative -> 0") << -0.5 << 2 << qint64(0);
    }
    void fullJitterExactValues()
    {
        QFETCH(double, random);
        QFETCH(int, attemptsSoFar);
        QFETCH(qint64, delayMs);
        RetryPolicy policy({}, [random] { return random; });
        const auto delay = policy.retryDelay(FailureSignal::S1, attemptsSoFar);
        QVERIFY(delay);
        QCOMPARE(msOf(*delay), delayMs);
    }

    void capReachedWithMoreRetries()
    {
        RetryPolicy policy({ .maxRetries = 8 }, [] { return 0.75; });
        const qint64 expected[] = { 750, 1500, 3000, 6000, 12000, 12000, 12000, 12000 };
        for (int attempt = 1; attempt <= 8; ++attempt) {
            const auto delay = policy.retryDelay(FailureSignal::S1, attempt);
            QVERIFY(delay);
            QCOMPARE(msOf(*delay), expected[attempt - 1]);
        }
        QVERIFY(!policy.retryDelay(FailureSignal::S1, 9));
    }

    void manySeedsStayInBoundsAndSpreadOut()
    {
        // Full jitter must stay in [0, ceiling] and actually use that range (not collapse to 0 or the cap).
        constexpr int kRetries = 6;
        std::array<qint64, kRetries> lowest;
        std::array<qint64, kRetries> highest {};
        lowest.fill(std::numeric_limits<qint64>::max());
        for (unsigned seed = 0; seed < 500; ++seed) {
            std::mt19937 engine(seed);
            std::uniform_real_distribution<double> unit(0.0, 1.0);
            RetryPolicy policy({ .maxRetries = kRetries }, [&] { return unit(engine); });
            for (int attempt = 1; attempt <= kRetries; ++attempt) {
                const qint64 ceiling = msOf(policy.delayCeiling(attempt));
                const auto delay = policy.retryDelay(FailureSignal::S1, attempt);
                QVERIFY(delay);
                const qint64 ms = msOf(*delay);
                QVERIFY2(ms >= 0 && ms <= ceiling,
                    qPrintable(QStringLiteral("seed %1 attempt %2: %3 ms outside [0, %4]")
                                   .arg(seed)
                                   .arg(attempt)
                                   .arg(ms)
                                   .arg(ceiling)));
                lowest[attempt - 1] = std::min(lowest[attempt - 1], ms);
                highest[attempt - 1] = std::max(highest[attempt - 1], ms);
            }
        }
        for (int attempt = 1; attempt <= kRetries; ++attempt) {
            const qint64 ceiling = msOf(RetryPolicy({ .maxRetries = kRetries }).delayCeiling(attempt));
            QVERIFY2(lowest[attempt - 1] < ceiling / 10, qPrintable(QString::number(attempt)));
            QVERIFY2(highest[attempt - 1] > ceiling * 9 / 10, qPrintable(QString::number(attempt)));
        }
    }

    void defaultRandomSourceStaysInBounds()
    {
        RetryPolicy policy;
        for (int i = 0; i < 200; ++i) {
            const auto delay = policy.retryDelay(FailureSignal::S1, 2);
            QVERIFY(delay);
            QVERIFY(msOf(*delay) >= 0 && msOf(*delay) <= 2000);
        }
    }
};

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "tst_retrypolicy.moc"
