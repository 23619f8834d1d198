// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/CircuitBreaker.h"
#include "policy/TestTime.h"

#include <QTest>

using namespace std::chrono_literals;
using sd::CircuitBreaker;
using sd::CircuitState;
using sd::CircuitTransition;
using sd::CircuitTransitions;
using sd::FailureSignal;
using sd::Outcome;
using sd::test::at;
using sd::test::msOf;

namespace {

/// Plays a script against a breaker, one space-separated step at a time:
///   F / S      an attempt failed / succeeded (recordAttempt)
///   F*5        the same attempt five times
///   +30        thirty seconds pass
///   allow      allowProbe() must say yes; deny: it must say no
/// Transitions come back as "closed>open @0s 5 of the last 5 attempts failed: opening for 30 s".
struct ScriptRun {
    CircuitState state = CircuitState::Closed;
    QStringList transitions;
    QString error;
};

ScriptRun play(CircuitBreaker& breaker, const QString& script)
{
    ScriptRun run;
    std::chrono::seconds now { 0 };
    const auto record = [&](const CircuitTransitions& list) {
        for (const CircuitTransition& t : list) {
            const auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.time - at(0s)).count();
            run.transitions << sd::circuitStateCode(t.from) % u'>' % sd::circuitStateCode(t.to) % u" @"
                    % QString::number(secs) % u"s " % t.reason;
        }
    };
    const QStringList steps = script.split(u' ', Qt::SkipEmptyParts);
    for (const QString& step : steps) {
        if (step.startsWith(u'+')) {
            now += std::chrono::seconds(step.mid(1).toInt());
        } else if (step == u"allow" || step == u"deny") {
            const bool expected = step == u"allow";
            if (breaker.allowProbe(at(now)) != expected && run.error.isEmpty())
                run.error = QStringLiteral("step '%1' at %2 s did not hold").arg(step).arg(now.count());
        } else {
            const QStringList parts = step.split(u'*');
            const int times = parts.size() > 1 ? parts.at(1).toInt() : 1;
            for (int i = 0; i < times; ++i)
                breaker.recordAttempt(parts.at(0) == u"F", at(now));
        }
        record(breaker.takeTransitions());
    }
    run.state = breaker.state();
    return run;
}

} // namespace

class TestCircuitBreaker : public QObject {
    Q_OBJECT

private slots:
    void stateNames()
    {
        QCOMPARE(sd::circuitStateCode(CircuitState::Closed), u"closed"_qs);
        QCOMPARE(sd::circuitStateCode(CircuitState::Open), u"open"_qs);
        QCOMPARE(sd::circuitStateCode(CircuitState::HalfOpen), u"half-open"_qs);
    }

    void whichResultsCountAsFailures_data()
    {
        QTest::addColumn<Outcome>("outcome");
        QTest::addColumn<FailureSignal>("signal");
        QTest::addColumn<bool>("failure");
        QTest::newRow("ok") << Outcome::Ok << FailureSignal::None << false;
        QTest::newRow("timeout S1") << Outcome::Timeout << FailureSignal::S1 << true;
        QTest::newRow("connection S1") << Outcome::Connection << FailureSignal::S1 << true;
        QTest::newRow("throttled S4") << Outcome::Throttled << FailureSignal::S4 << true;
        QTest::newRow("server error") << Outcome::ServerError << FailureSignal::None << true;
        QTest::newRow("auth S2: caller's problem") << Outcome::Auth << FailureSignal::S2 << false;
        QTest::newRow("input S3: caller's problem") << Outcome::Input << FailureSignal::S3 << false;
        QTest::newRow("assertion failed: server answered") << Outcome::AssertionFailed << FailureSignal::None << false;
        QTest::newRow("error-code map turns a 500 into S3") << Outcome::ServerError << FailureSignal::S3 << false;
        QTest::newRow("error-code map turns a 200 into S1") << Outcome::Ok << FailureSignal::S1 << true;
    }
    void whichResultsCountAsFailures()
    {
        QFETCH(Outcome, outcome);
        QFETCH(FailureSignal, signal);
        QFETCH(bool, failure);
        QCOMPARE(CircuitBreaker::countsAsFailure(outcome, signal), failure);

        // Five of them in a row open the circuit exactly when they count as failures.
        CircuitBreaker breaker;
        for (int i = 0; i < 5; ++i)
            breaker.recordAttempt(outcome, signal, at(std::chrono::seconds(i)));
        QCOMPARE(breaker.state(), failure ? CircuitState::Open : CircuitState::Closed);
    }

    void transitions_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<CircuitState>("state");
        QTest::addColumn<QStringList>("transitions");

        const QString openAt0 = u"closed>open @0s 5 of the last 5 attempts failed: opening for 30 s"_qs;

        QTest::newRow("4 failures: below 5 attempts never opens")
            << u"F F F F allow"_qs << CircuitState::Closed << QStringList {};
        QTest::newRow("5 failures open") << u"F*5 deny"_qs << CircuitState::Open << QStringList { openAt0 };
        QTest::newRow("exactly 50 % of 10 opens")
            << u"S*5 F*5"_qs << CircuitState::Open
            << QStringList { u"closed>open @0s 5 of the last 10 attempts failed: opening for 30 s"_qs };
        QTest::newRow("exactly 50 % of 6 opens")
            << u"S S S F F F"_qs << CircuitState::Open
            << QStringList { u"closed>open @0s 3 of the last 6 attempts failed: opening for 30 s"_qs };
        QTest::newRow("2 of 5 stays closed") << u"S S S F F"_qs << CircuitState::Closed << QStringList {};
        QTest::newRow("4 of 10 stays closed") << u"S*6 F*4"_qs << CircuitState::Closed << QStringList {};
        QTest::newRow("old successes slide out of the window")
            << u"S*20 F*5"_qs << CircuitState::Open
            << QStringList { u"closed>open @0s 5 of the last 10 attempts failed: opening for 30 s"_qs };
        QTest::newRow("alternating results open at the 6th attempt")
            << u"S F S F S F"_qs << CircuitState::Open
            << QStringList { u"closed>open @0s 3 of the last 6 attempts failed: opening for 30 s"_qs };
        QTest::newRow("open waits 30 s, then lets exactly one probe through")
            << u"F*5 +29 deny +1 allow deny deny +600 deny"_qs << CircuitState::HalfOpen
            << QStringList { openAt0, u"open>half-open @30s waited 30 s: letting one probe through"_qs };
        QTest::newRow("half-open success closes and clears the window")
            << u"F*5 +30 allow S allow allow F F F F allow"_qs << CircuitState::Closed
            << QStringList { openAt0, u"open>half-open @30s waited 30 s: letting one probe through"_qs,
                   u"half-open>closed @30s half-open probe succeeded: closing"_qs };
        QTest::newRow("half-open failure reopens with the wait doubled")
            << u"F*5 +30 allow F +59 deny +1 allow"_qs << CircuitState::HalfOpen
            << QStringList { openAt0, u"open>half-open @30s waited 30 s: letting one probe through"_qs,
                   u"half-open>open @30s half-open probe failed: reopening for 60 s"_qs,
                   u"open>half-open @90s waited 60 s: letting one probe through"_qs };
        QTest::newRow("results of attempts still in flight while open are ignored")
            << u"F*5 S*10 F +29 deny +1 allow"_qs << CircuitState::HalfOpen
            << QStringList { openAt0, u"open>half-open @30s waited 30 s: letting one probe through"_qs };
        QTest::newRow("flapping: recovers for one probe, fails again, wait starts over at 30 s")
            << u"F*5 +30 allow S F*5 +29 deny +1 allow F +60 allow S"_qs << CircuitState::Closed
            << QStringList { openAt0, u"open>half-open @30s waited 30 s: letting one probe through"_qs,
                   u"half-open>closed @30s half-open probe succeeded: closing"_qs,
                   u"closed>open @30s 5 of the last 5 attempts failed: opening for 30 s"_qs,
                   u"open>half-open @60s waited 30 s: letting one probe through"_qs,
                   u"half-open>open @60s half-open probe failed: reopening for 60 s"_qs,
                   u"open>half-open @120s waited 60 s: letting one probe through"_qs,
                   u"half-open>closed @120s half-open probe succeeded: closing"_qs };
    }
    void transitions()
    {
        QFETCH(QString, script);
        QFETCH(CircuitState, state);
        QFETCH(QStringList, transitions);
        CircuitBreaker breaker;
        const ScriptRun run = play(breaker, script);
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        QCOMPARE(run.transitions, transitions);
        QCOMPARE(run.state, state);
    }

    void waitDoublesUpToTenMinutesAndResetsOnClose()
    {
        CircuitBreaker breaker;
        for (int i = 0; i < 5; ++i)
            breaker.recordAttempt(true, at(0s));
        auto now = at(0s);
        const qint64 expectedWaits[] = { 30'000, 60'000, 120'000, 240'000, 480'000, 600'000, 600'000 };
        for (const qint64 wait : expectedWaits) {
            QCOMPARE(breaker.state(), CircuitState::Open);
            QCOMPARE(msOf(breaker.currentWait()), wait);
            QVERIFY(breaker.halfOpenAt() && *breaker.halfOpenAt() == now + std::chrono::milliseconds(wait));
            QVERIFY(!breaker.allowProbe(now + std::chrono::milliseconds(wait - 1)));
            now += std::chrono::milliseconds(wait);
            QVERIFY(breaker.allowProbe(now));
            QVERIFY(!breaker.halfOpenAt());
            breaker.recordAttempt(true, now);
        }
        QVERIFY(breaker.allowProbe(now + 600s));
        breaker.recordAttempt(false, now + 600s);
        QCOMPARE(breaker.state(), CircuitState::Closed);
        QCOMPARE(breaker.attemptsInWindow(), 0);
        for (int i = 0; i < 5; ++i)
            breaker.recordAttempt(true, now + 700s);
        QCOMPARE(breaker.state(), CircuitState::Open);
        QCOMPARE(msOf(breaker.currentWait()), qint64(30'000));
    }

    void configurableThresholds()
    {
        CircuitBreaker breaker(
            { .window = 4, .minAttempts = 2, .failureRatio = 0.75, .initialWait = 5s, .maxWait = 8s });
        breaker.recordAttempt(true, at(0s));
        breaker.recordAttempt(false, at(0s));
        breaker.recordAttempt(true, at(0s));
        QCOMPARE(breaker.state(), CircuitState::Closed); // 2 of 3 < 75 %
        breaker.recordAttempt(true, at(0s));
        QCOMPARE(breaker.state(), CircuitState::Open); // 3 of 4
        QVERIFY(breaker.allowProbe(at(5s)));
        breaker.recordAttempt(true, at(5s));
        QCOMPARE(msOf(breaker.currentWait()), qint64(8'000)); // doubled 10 s, capped at 8 s
    }
};

QTEST_GUILESS_MAIN(TestCircuitBreaker)
#include "tst_circuitbreaker.moc"
