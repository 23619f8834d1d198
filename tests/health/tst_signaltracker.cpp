// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/SignalTracker.h"

#include <QTest>

using namespace sd;

class TestSignalTracker : public QObject {
    Q_OBJECT

private slots:
    void script_data();
    void script();
    void unknownUntilTheFirstProbe();
    void transitionsCarryEndpointTimeAndReason();
    void reasonsSayWhy();
    void windowStatistics();
    void smallOrInvalidWindow();
    void summarizeAcrossEndpoints();
    void summarizeNothing();
};

namespace {

const QDateTime kStart(QDate(2024, 5, 1), QTime(12, 0, 0), Qt::UTC);

QDateTime at(int step)
{
    return kStart.addSecs(step);
}

/// One probe of a fixture script: `kind[@latencyMs]`, e.g. `ok`, `ok@900`, `timeout`, `401`, `429`, `rl0`.
ProbeResult probe(QStringView token)
{
    struct Kind {
        const char* name;
        Outcome outcome;
        FailureSignal signal;
        int status;
        const char* reason;
        int latencyMs;
    };
    static const Kind kinds[] {
        { "ok", Outcome::Ok, FailureSignal::None, 200, "HTTP 200", 100 },
        { "rl0", Outcome::Ok, FailureSignal::None, 200, "HTTP 200: rate limit exhausted (0 remaining)", 100 },
        { "assert", Outcome::AssertionFailed, FailureSignal::None, 200, "HTTP 200: expected 201", 100 },
        { "timeout", Outcome::Timeout, FailureSignal::S1, 0, "no answer within 2000 ms", 2000 },
        { "refused", Outcome::Connection, FailureSignal::S1, 0, "connection refused", 1 },
        { "502", Outcome::Connection, FailureSignal::S1, 502, "HTTP 502: bad gateway", 100 },
        { "401", Outcome::Auth, FailureSignal::S2, 401, "HTTP 401: credential rejected", 100 },
        { "403", Outcome::Auth, FailureSignal::S2, 403, "HTTP 403: permission denied", 100 },
        { "400", Outcome::Input, FailureSignal::S3, 400, "HTTP 400: bad request", 100 },
        { "422", Outcome::Input, FailureSignal::S3, 422, "HTTP 422: unprocessable content", 100 },
        { "invalid", Outcome::Input, FailureSignal::S3, 0, "request not sent: JSON-RPC batch is empty", 0 },
        { "429", Outcome::Throttled, FailureSignal::S4, 429, "HTTP 429: rate limited", 100 },
        { "503", Outcome::Throttled, FailureSignal::S4, 503, "HTTP 503: service unavailable", 100 },
        { "500", Outcome::ServerError, FailureSignal::None, 500, "HTTP 500: internal server error", 100 },
    };
    const auto parts = token.split(u'@');
    for (const Kind& k : kinds) {
        if (parts.front() != QLatin1StringView(k.name))
            continue;
        ProbeResult r;
        r.endpoint = QStringLiteral("api");
        r.outcome = k.outcome;
        r.signal = k.signal;
        r.httpStatus = k.status;
        r.reason = QString::fromLatin1(k.reason);
        r.latencyUs = qint64(parts.size() > 1 ? parts[1].toInt() : k.latencyMs) * 1000;
        if (parts.front() == u"rl0")
            r.rateLimitRemaining = 0;
        return r;
    }
    qFatal("unknown probe kind in fixture: %s", qPrintable(token.toString()));
}

QChar stateLetter(SignalState s)
{
    return QChar::fromLatin1("UOWC"[int(s)]);
}

/// "3:warning>critical" for a transition at step 3.
QString describe(const SignalTransition& t, int step)
{
    return QString::number(step) % u':' % stateCode(t.from) % u'>' % stateCode(t.to);
}

std::optional<FailureSignal> signalFromColumn(const QString& code)
{
    if (code == u"*")
        return FailureSignal::None;
    return signalFromCode(code);
}

Thresholds thresholdsWithWindow(int window)
{
    Thresholds t;
    t.window = window;
    return t;
}

} // namespace

void TestSignalTracker::script_data()
{
    QTest::addColumn<int>("window");
    QTest::addColumn<QString>("script");
    QTest::addColumn<QString>("signal"); // S1..S4, or * for the overall state
    QTest::addColumn<QString>("states"); // the state after each step: U(nknown) O(k) W(arning) C(ritical)
    QTest::addColumn<QString>("transitions"); // step:from>to for that signal

    const auto row = [](const char* tag, int window, const char* script, const char* signal, const char* states,
                         const char* transitions) {
        QTest::newRow(tag) << window << QString::fromLatin1(script) << QString::fromLatin1(signal)
                           << QString::fromLatin1(states) << QString::fromLatin1(transitions);
    };

    // S1: Warning on one failure, Critical on 3 in a row or >= 50 % (2+), Ok after 3 clean probes.
    row("S1 single timeout warns", 20, "ok timeout", "S1", "O W", "2:ok>warning");
    row("S1 three in a row, three to clear", 20, "ok ok ok ok timeout timeout timeout ok ok ok", "S1",
        "O O O O W W C C C O", "5:ok>warning 7:warning>critical 10:critical>ok");
    row("S1 half of the window", 20, "ok timeout ok timeout", "S1", "O W W C", "2:ok>warning 4:warning>critical");
    row("S1 two successes do not clear", 20, "timeout ok ok timeout ok ok ok", "S1", "W W W C C C O",
        "1:unknown>warning 4:warning>critical 7:critical>ok");
    row("S1 flapping holds warning", 20, "ok ok ok ok ok ok timeout ok timeout ok ok ok", "S1",
        "O O O O O O W W W W W O", "7:ok>warning 12:warning>ok");
    row("S1 flapping in a small window", 4, "ok ok ok ok timeout ok timeout ok ok ok", "S1", "O O O O W W C C C O",
        "5:ok>warning 7:warning>critical 10:critical>ok");
    row("S1 outage and recovery", 20, "refused refused refused refused ok ok ok", "S1", "W C C C C C O",
        "1:unknown>warning 2:warning>critical 7:critical>ok");
    row("S1 502 counts, a 401 proves the connection", 20, "502 401 401 401", "S1", "W W W O",
        "1:unknown>warning 4:warning>ok");
    row("S1 never flaps to ok between failures", 20, "timeout ok timeout ok timeout ok", "S1", "W W C C C C",
        "1:unknown>warning 3:warning>critical");

    // S2 and S3: Critical at once, Ok on the next answer without them; S1 probes leave them alone.
    row("S2 401 at once, ok on next answer", 20, "ok 401 401 ok", "S2", "O C C O", "2:ok>critical 4:critical>ok");
    row("S2 timeout says nothing about the token", 20, "401 timeout ok", "S2", "C C O",
        "1:unknown>critical 3:critical>ok");
    row("S2 403 cleared by a 500", 20, "403 500", "S2", "C O", "1:unknown>critical 2:critical>ok");
    row("S2 first probe a timeout", 20, "timeout 401", "S2", "O C", "2:ok>critical");
    row("S3 400 422 ok", 20, "400 422 ok", "S3", "C C O", "1:unknown>critical 3:critical>ok");
    row("S3 pre-validation failure", 20, "ok invalid ok", "S3", "O C O", "2:ok>critical 3:critical>ok");
    row("S3 not raised by 401", 20, "ok 401", "S3", "O O", "");

    // S4: throttling, error rate and latency over the window, with a 10 % hysteresis margin.
    row("S4 one throttle warns, two are critical", 5, "ok 429 429 ok ok ok ok ok", "S4", "O W C C W W W O",
        "2:ok>warning 3:warning>critical 5:critical>warning 8:warning>ok");
    row("S4 503 is throttling", 20, "503", "S4", "W", "1:unknown>warning");
    row("S4 rate limit exhausted warns", 20, "ok rl0 ok", "S4", "O W O", "2:ok>warning 3:warning>ok");
    row("S4 latency critical with margin", 4,
        "ok@850 ok@850 ok@850 ok@750 ok@700 ok@700 ok@650 ok@100 ok@100 ok@100 ok@100", "S4", "O O C C C C W W W W O",
        "3:ok>critical 7:critical>warning 11:warning>ok");
    row("S4 latency warning with margin", 3, "ok@250 ok@250 ok@250 ok@190 ok@190 ok@190 ok@150", "S4", "O O W W W W O",
        "3:ok>warning 7:warning>ok");
    row("S4 latency under warn never warns", 3, "ok@190 ok@190 ok@190 ok@190", "S4", "O O O O", "");
    row("S4 one cold slow probe is no alarm", 20, "ok@2000 ok@100 ok@100", "S4", "O O W", "3:ok>warning");
    row("S4 error rate over warn", 10, "ok ok ok ok ok ok ok ok ok 500", "S4", "O O O O O O O O O W", "10:ok>warning");
    row("S4 error rate at warn is ok", 20, "ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok assert", "S4",
        "O O O O O O O O O O O O O O O O O O O O", "");
    row("S4 error rate critical with margin", 10, "500 500 500 500 500 500 ok ok ok ok ok ok ok", "S4",
        "O O C C C C C C C C C W W", "3:ok>critical 12:critical>warning");
    // Failures S1, S2 and S3 stand for do not also raise S4: one incident, one signal.
    row("S4 leaves timeouts to S1", 20, "timeout timeout timeout", "S4", "O O O", "");
    row("S4 leaves auth failures to S2", 20, "401 401 401 401", "S4", "O O O O", "");
    row("S4 server errors count", 20, "500 500 500", "S4", "O O C", "3:ok>critical");

    // Overall: the worst of the four.
    row("overall worst of four", 20, "ok timeout 401 ok ok ok", "*", "O W C W O O",
        "2:ok>warning 3:warning>critical 4:critical>warning 5:warning>ok");
    row("overall clears when the auth failure is fixed", 20, "401 401 ok", "*", "C C O",
        "1:unknown>critical 3:critical>ok");
    row("overall clears with the last signal", 20, "ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok 401 ok",
        "*", "O O O O O O O O O O O O O O O O O O O C O", "20:ok>critical 21:critical>ok");
}

void TestSignalTracker::script()
{
    QFETCH(int, window);
    QFETCH(QString, script);
    QFETCH(QString, signal);
    QFETCH(QString, states);
    QFETCH(QString, transitions);
    const auto which = signalFromColumn(signal);
    QVERIFY(which);

    SignalTracker tracker(3, QStringLiteral("api"), thresholdsWithWindow(window));
    QStringList seenStates;
    QStringList seenTransitions;
    int step = 0;
    for (QStringView token : QStringView(script).split(u' ', Qt::SkipEmptyParts)) {
        ++step;
        const SignalTransitions emitted = tracker.add(probe(token), at(step));
        for (const SignalTransition& t : emitted) {
            QCOMPARE(t.endpointId, 3);
            QCOMPARE(t.time, at(step));
            QVERIFY(t.from != t.to);
            QVERIFY2(!t.reason.isEmpty(), qPrintable(describe(t, step)));
            if (t.signal == *which)
                seenTransitions.append(describe(t, step));
        }
        seenStates.append(stateLetter(tracker.state(*which)));
    }
    QCOMPARE(seenStates.join(u' '), states);
    QCOMPARE(seenTransitions.join(u' '), transitions);
}

void TestSignalTracker::unknownUntilTheFirstProbe()
{
    SignalTracker tracker(0, QStringLiteral("api"), Thresholds {});
    QCOMPARE(tracker.overall(), SignalState::Unknown);
    for (FailureSignal s : kAllSignals)
        QCOMPARE(tracker.state(s), SignalState::Unknown);
    QCOMPARE(tracker.windowSize(), 0);
    QCOMPARE(tracker.errorRate(), 0.0);

    // Settling to Ok is not news: no transitions, but every state is known now.
    QVERIFY(tracker.add(probe(u"ok"), at(1)).isEmpty());
    QCOMPARE(tracker.overall(), SignalState::Ok);
    for (FailureSignal s : kAllSignals) {
        QCOMPARE(tracker.state(s), SignalState::Ok);
        QVERIFY(tracker.reason(s).isEmpty());
    }
}

void TestSignalTracker::transitionsCarryEndpointTimeAndReason()
{
    // Error-rate thresholds out of reach, so S1 alone drives the overall state.
    Thresholds thresholds;
    thresholds.errorRateWarn = 1.0;
    thresholds.errorRateCritical = 1.0;
    SignalTracker tracker(7, QStringLiteral("payments"), thresholds);
    tracker.add(probe(u"ok"), at(1));
    const SignalTransitions t = tracker.add(probe(u"refused"), at(2));
    QCOMPARE(t.size(), 2);
    QCOMPARE(t[0],
        (SignalTransition { 7, QStringLiteral("payments"), FailureSignal::S1, SignalState::Ok, SignalState::Warning,
            at(2), QStringLiteral("connection refused") }));
    QCOMPARE(t[1],
        (SignalTransition { 7, QStringLiteral("payments"), FailureSignal::None, SignalState::Ok, SignalState::Warning,
            at(2), QStringLiteral("S1: connection refused") }));
    QCOMPARE(tracker.changedAt(FailureSignal::S1), at(2));

    tracker.add(probe(u"ok"), at(3));
    tracker.add(probe(u"ok"), at(4));
    const SignalTransitions back = tracker.add(probe(u"ok"), at(5));
    QCOMPARE(back.size(), 2);
    QCOMPARE(back[0].reason, QStringLiteral("recovered: 3 probes in a row without a timeout or connection failure"));
    QCOMPARE(back[1].signal, FailureSignal::None);
    QCOMPARE(back[1].to, SignalState::Ok);
    QCOMPARE(back[1].reason, QStringLiteral("all signals ok"));
}

void TestSignalTracker::reasonsSayWhy()
{
    SignalTracker runs(0, QStringLiteral("api"), Thresholds {});
    for (int i = 1; i <= 3; ++i)
        runs.add(probe(u"refused"), at(i));
    QCOMPARE(runs.reason(FailureSignal::S1), QStringLiteral("connection refused (3 in a row)"));
    QVERIFY2(runs.reason(FailureSignal::S4).isEmpty(), "refused connections are S1's, not S4's");
    QVERIFY(runs.reason(FailureSignal::S2).isEmpty());

    SignalTracker share(0, QStringLiteral("api"), Thresholds {});
    for (QStringView token : { u"ok", u"timeout", u"ok", u"timeout" })
        share.add(probe(token), at(1));
    QCOMPARE(share.reason(FailureSignal::S1), QStringLiteral("no answer within 2000 ms (2 of the last 4 probes)"));

    SignalTracker slow(0, QStringLiteral("api"), thresholdsWithWindow(3));
    for (int i = 1; i <= 3; ++i)
        slow.add(probe(u"ok@900"), at(i));
    QCOMPARE(slow.reason(FailureSignal::S4), QStringLiteral("average latency 900 ms over the last 3 probes"));

    SignalTracker throttled(0, QStringLiteral("api"), Thresholds {});
    throttled.add(probe(u"429"), at(1));
    throttled.add(probe(u"429"), at(2));
    QCOMPARE(throttled.reason(FailureSignal::S4), QStringLiteral("HTTP 429: rate limited (2 in a row)"));
    const SignalTransitions t = throttled.add(probe(u"ok"), at(3));
    // 2 of 3 probes failed: still Critical, now because of the error rate.
    QVERIFY(t.isEmpty());
    QCOMPARE(throttled.reason(FailureSignal::S4), QStringLiteral("error rate 67 % over the last 3 probes"));
}

void TestSignalTracker::windowStatistics()
{
    SignalTracker tracker(0, QStringLiteral("api"), thresholdsWithWindow(4));
    for (QStringView token : { u"ok@100", u"ok@300", u"timeout@5000", u"500@200" })
        tracker.add(probe(token), at(1));
    QCOMPARE(tracker.windowSize(), 4);
    QCOMPARE(tracker.errorRate(), 0.5);
    // The timeout got no answer; its latency says nothing about the server.
    QCOMPARE(tracker.averageLatencyMs(), 200.0);

    tracker.add(probe(u"ok@500"), at(2)); // pushes ok@100 out
    QCOMPARE(tracker.windowSize(), 4);
    QCOMPARE(tracker.errorRate(), 0.5);
    QCOMPARE(tracker.averageLatencyMs(), 1000.0 / 3.0);
}

void TestSignalTracker::smallOrInvalidWindow()
{
    SignalTracker tracker(0, QStringLiteral("api"), thresholdsWithWindow(0));
    tracker.add(probe(u"500"), at(1));
    tracker.add(probe(u"ok"), at(2));
    QCOMPARE(tracker.windowSize(), 1);
    QCOMPARE(tracker.errorRate(), 0.0);

    // With a window of 1 the averages count from the first probe.
    SignalTracker one(0, QStringLiteral("api"), thresholdsWithWindow(1));
    one.add(probe(u"ok@900"), at(1));
    QCOMPARE(one.state(FailureSignal::S4), SignalState::Critical);
}

void TestSignalTracker::summarizeAcrossEndpoints()
{
    SignalTracker down(0, QStringLiteral("down"), Thresholds {});
    SignalTracker flaky(1, QStringLiteral("flaky"), Thresholds {});
    SignalTracker fine(2, QStringLiteral("fine"), Thresholds {});
    SignalTracker locked(3, QStringLiteral("locked"), Thresholds {});
    for (int i = 1; i <= 3; ++i)
        down.add(probe(u"refused"), at(i));
    for (QStringView token : { u"ok", u"ok", u"ok", u"timeout" })
        flaky.add(probe(token), at(10));
    fine.add(probe(u"ok"), at(1));
    locked.add(probe(u"401"), at(5));

    // Same state, the more recent change wins the reason.
    SignalTracker alsoDown(4, QStringLiteral("also-down"), Thresholds {});
    for (int i = 1; i <= 3; ++i)
        alsoDown.add(probe(u"timeout"), at(20 + i));

    SignalTracker erroring(5, QStringLiteral("erroring"), Thresholds {});
    for (int i = 1; i <= 3; ++i)
        erroring.add(probe(u"500"), at(i));
    SignalTracker wobbly(6, QStringLiteral("wobbly"), Thresholds {});
    for (QStringView token : { u"ok", u"ok", u"ok", u"500" })
        wobbly.add(probe(token), at(10));

    const auto summary = summarize({ &down, &flaky, nullptr, &fine, &locked, &alsoDown, &erroring, &wobbly });
    const SignalSummary& s1 = summary[0];
    QCOMPARE(s1.signal, FailureSignal::S1);
    QCOMPARE(s1.worst, SignalState::Critical);
    QCOMPARE(s1.criticalCount, 2);
    QCOMPARE(s1.warningCount, 1);
    QCOMPARE(s1.latestReason, QStringLiteral("also-down: no answer within 2000 ms (3 in a row)"));

    const SignalSummary& s2 = summary[1];
    QCOMPARE(s2.signal, FailureSignal::S2);
    QCOMPARE(s2.worst, SignalState::Critical);
    QCOMPARE(s2.criticalCount, 1);
    QCOMPARE(s2.warningCount, 0);
    QCOMPARE(s2.latestReason, QStringLiteral("locked: HTTP 401: credential rejected"));

    const SignalSummary& s3 = summary[2];
    QCOMPARE(s3.worst, SignalState::Ok);
    QCOMPARE(s3.criticalCount + s3.warningCount, 0);
    QVERIFY(s3.latestReason.isEmpty());

    // S4: erroring has 100 % server errors over 3 probes, wobbly 25 % over 4; the S1 failures of down,
    // also-down and flaky are S1's alone.
    const SignalSummary& s4 = summary[3];
    QCOMPARE(s4.worst, SignalState::Critical);
    QCOMPARE(s4.criticalCount, 1);
    QCOMPARE(s4.warningCount, 1);
}

void TestSignalTracker::summarizeNothing()
{
    const auto summary = summarize({});
    for (int i = 0; i < kSignalCount; ++i) {
        QCOMPARE(summary[size_t(i)].signal, kAllSignals[size_t(i)]);
        QCOMPARE(summary[size_t(i)].worst, SignalState::Unknown);
        QCOMPARE(summary[size_t(i)].warningCount + summary[size_t(i)].criticalCount, 0);
    }
}

QTEST_GUILESS_MAIN(TestSignalTracker)
#include "tst_signaltracker.moc"
