// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/FailureSignal.h"

#include <QTest>

using namespace sd;

class TestFailureSignal : public QObject {
    Q_OBJECT
private slots:
    void signalCodesRoundTrip()
    {
        for (FailureSignal s : kAllSignals) {
            QCOMPARE(signalFromCode(signalCode(s)), std::optional(s));
            QVERIFY(!signalTitle(s).isEmpty());
            QVERIFY(!signalAction(s).isEmpty());
        }
        QCOMPARE(signalFromCode(u"s3"), std::optional(FailureSignal::S3));
        QCOMPARE(signalFromCode(u"S5"), std::nullopt);
        QCOMPARE(signalCode(FailureSignal::None), QString());
    }

    void outcomeCodesArePublicVocabulary_data()
    {
        QTest::addColumn<int>("outcome");
        QTest::addColumn<QString>("code");
        QTest::addColumn<int>("signal");
        QTest::newRow("ok") << int(Outcome::Ok) << u"ok"_qs << int(FailureSignal::None);
        QTest::newRow("timeout") << int(Outcome::Timeout) << u"timeout"_qs << int(FailureSignal::S1);
        QTest::newRow("connection") << int(Outcome::Connection) << u"connection"_qs << int(FailureSignal::S1);
        QTest::newRow("auth") << int(Outcome::Auth) << u"auth"_qs << int(FailureSignal::S2);
        QTest::newRow("input") << int(Outcome::Input) << u"input"_qs << int(FailureSignal::S3);
        QTest::newRow("throttled") << int(Outcome::Throttled) << u"throttled"_qs << int(FailureSignal::S4);
        QTest::newRow("server_error") << int(Outcome::ServerError) << u"server_error"_qs << int(FailureSignal::None);
        QTest::newRow("assertion_failed")
            << int(Outcome::AssertionFailed) << u"assertion_failed"_qs << int(FailureSignal::None);
    }
    void outcomeCodesArePublicVocabulary()
    {
        QFETCH(int, outcome);
        QFETCH(QString, code);
        QFETCH(int, signal);
        const auto o = static_cast<Outcome>(outcome);
        QCOMPARE(outcomeCode(o), code);
        QCOMPARE(outcomeFromCode(code), std::optional(o));
        QCOMPARE(defaultSignalFor(o), static_cast<FailureSignal>(signal));
    }

    void nagiosCodes()
    {
        QCOMPARE(nagiosExitCode(SignalState::Ok), 0);
        QCOMPARE(nagiosExitCode(SignalState::Warning), 1);
        QCOMPARE(nagiosExitCode(SignalState::Critical), 2);
        QCOMPARE(nagiosExitCode(SignalState::Unknown), 3);
        QCOMPARE(worse(SignalState::Warning, SignalState::Critical), SignalState::Critical);
        QCOMPARE(worse(SignalState::Ok, SignalState::Unknown), SignalState::Ok);
    }
};

QTEST_GUILESS_MAIN(TestFailureSignal)
#include "tst_failuresignal.moc"
