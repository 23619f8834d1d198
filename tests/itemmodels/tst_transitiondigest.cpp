// SPDX-License-Identifier: GPL-3.0-or-later
// Desktop notifications are grouped: the first transition after a quiet spell at once, then one summary
// per cooldown, and only turning critical or recovering from critical counts.
#include "itemmodels/TransitionDigest.h"

#include <QTest>

using namespace sd;

namespace {

EngineEvent transition(const QString& endpoint, FailureSignal signal, SignalState from, SignalState to)
{
    EngineEvent e;
    e.kind = EngineEvent::Kind::Signal;
    e.endpoint = endpoint;
    e.signal = signal;
    e.from = stateCode(from);
    e.to = stateCode(to);
    e.toState = to;
    e.reason = u"reason of "_qs + endpoint;
    return e;
}

} // namespace

class TestTransitionDigest : public QObject {
    Q_OBJECT
private slots:
    void firstCriticalIsShownAtOnce()
    {
        TransitionDigest digest(10'000);
        QCOMPARE(digest.add({ transition(u"api"_qs, FailureSignal::S1, SignalState::Ok, SignalState::Critical) }), 1);
        const auto notice = digest.take(1'000);
        QVERIFY(notice);
        QCOMPARE(notice->worst, SignalState::Critical);
        QVERIFY2(notice->title.contains(u"api"_qs) && notice->title.contains(u"S1"_qs), qPrintable(notice->title));
        QVERIFY(notice->body.contains(u"reason of api"_qs));
        QVERIFY(notice->body.contains(signalAction(FailureSignal::S1)));
        QVERIFY(!digest.take(1'001));
    }

    void onlyCriticalAndRecoveryCount()
    {
        TransitionDigest digest;
        const EngineEvents noise { transition(u"a"_qs, FailureSignal::S4, SignalState::Ok, SignalState::Warning),
            transition(u"b"_qs, FailureSignal::S4, SignalState::Unknown, SignalState::Ok),
            transition(u"c"_qs, FailureSignal::S4, SignalState::Warning, SignalState::Ok),
            transition(u"d"_qs, FailureSignal::S1, SignalState::Critical, SignalState::Warning) };
        QCOMPARE(digest.add(noise), 0);
        QVERIFY(!digest.take(0));
        EngineEvent circuit = transition(u"e"_qs, FailureSignal::S1, SignalState::Ok, SignalState::Critical);
        circuit.kind = EngineEvent::Kind::Circuit;
        QCOMPARE(digest.add({ circuit }), 0);
        QCOMPARE(digest.add({ transition(u"f"_qs, FailureSignal::S2, SignalState::Critical, SignalState::Ok) }), 1);
        const auto notice = digest.take(0);
        QVERIFY(notice);
        QCOMPARE(notice->worst, SignalState::Ok);
        QVERIFY2(notice->title.contains(u"recovered"_qs), qPrintable(notice->title));
    }

    // The endpoint's overall transition rides with its signal's: one endpoint turning critical is one
    // transition ("api: S1 … is critical"), not "2 turned critical: api (—), api (S1)".
    void theOverallTransitionIsNotCountedTwice()
    {
        TransitionDigest digest;
        QCOMPARE(digest.add({ transition(u"api"_qs, FailureSignal::S1, SignalState::Ok, SignalState::Critical),
                     transition(u"api"_qs, FailureSignal::None, SignalState::Ok, SignalState::Critical) }),
            1);
        const auto notice = digest.take(0);
        QVERIFY(notice);
        QCOMPARE(notice->transitions, 1);
        QVERIFY2(notice->title.startsWith(u"api: S1"_qs), qPrintable(notice->title));
    }

    void aStormBecomesOneSummaryPerCooldown()
    {
        TransitionDigest digest(10'000, 3);
        digest.add({ transition(u"first"_qs, FailureSignal::S1, SignalState::Ok, SignalState::Critical) });
        QVERIFY(digest.take(0));
        EngineEvents storm;
        for (int i = 0; i < 200; ++i)
            storm << transition(
                u"ep"_qs + QString::number(i), FailureSignal::S1, SignalState::Ok, SignalState::Critical);
        storm << transition(u"back"_qs, FailureSignal::S2, SignalState::Critical, SignalState::Ok);
        QCOMPARE(digest.add(storm), 201);
        QVERIFY2(!digest.take(5'000), "nothing within the cooldown");
        QCOMPARE(digest.cooldownRemaining(5'000), 5'000);
        const auto summary = digest.take(10'000);
        QVERIFY(summary);
        QCOMPARE(summary->transitions, 201);
        QCOMPARE(summary->worst, SignalState::Critical);
        QVERIFY2(summary->title.contains(u"200 turned critical"_qs), qPrintable(summary->title));
        QVERIFY2(summary->title.contains(u"1 recovered"_qs), qPrintable(summary->title));
        QVERIFY2(summary->body.contains(u"and 197 more"_qs), qPrintable(summary->body));
        QVERIFY(!summary->body.contains(u"ep3 "_qs));
        QVERIFY(!digest.hasPending());
    }
};

QTEST_GUILESS_MAIN(TestTransitionDigest)
#include "tst_transitiondigest.moc"
