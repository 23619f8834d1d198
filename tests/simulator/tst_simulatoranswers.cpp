// SPDX-License-Identifier: GPL-3.0-or-later
// The simulator's pure parts: JSON-RPC answers, the throttle bucket, the scenario timetable and the canned
// answers. No sockets, no clocks: time is passed in.
#include "simulator/CannedAnswers.h"
#include "simulator/JsonRpcAnswer.h"
#include "simulator/ScenarioTimetable.h"
#include "simulator/SimulatorRoute.h"
#include "simulator/ThrottleBucket.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

using namespace sd;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class tst_SimulatorAnswers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void jsonRpc_data();
    void jsonRpc();
    void jsonRpcBatch();
    void jsonRpcInvalidParamsRoute_data();
    void jsonRpcInvalidParamsRoute();

    void throttleBucketAllowsBurstThenRefuses();
    void throttleBucketRefillsAtItsRate();

    void scenarioPhase_data();
    void scenarioPhase();
    void scenarioTimetableCoversTheCycle();
    void scenarioAnswers_data();
    void scenarioAnswers();

    void requestedDelay_data();
    void requestedDelay();
    void statusRoute_data();
    void statusRoute();
    void bigBodyIsOneMebibyteOfJson();
    void routeTableIsConsistent();
};

void tst_SimulatorAnswers::jsonRpc_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("errorCode"); // 0 = a result is expected
    QTest::addColumn<QJsonValue>("id");

    QTest::newRow("ping") << QByteArray(R"({"jsonrpc":"2.0","method":"ping","id":1})") << 0 << QJsonValue(1);
    QTest::newRow("ping with object params")
        << QByteArray(R"({"jsonrpc":"2.0","method":"ping","params":{"a":1},"id":"abc"})") << 0 << QJsonValue(u"abc"_s);
    QTest::newRow("ping with array params") << QByteArray(R"({"jsonrpc":"2.0","method":"ping","params":[1],"id":2})")
                                            << jsonrpc::kInvalidParams << QJsonValue(2);
    QTest::newRow("unknown method") << QByteArray(R"({"jsonrpc":"2.0","method":"shutdown","id":3})")
                                    << jsonrpc::kMethodNotFound << QJsonValue(3);
    QTest::newRow("wrong version") << QByteArray(R"({"jsonrpc":"1.0","method":"ping","id":4})")
                                   << jsonrpc::kInvalidRequest << QJsonValue(4);
    QTest::newRow("method not a string") << QByteArray(R"({"jsonrpc":"2.0","method":7,"id":5})")
                                         << jsonrpc::kInvalidRequest << QJsonValue(5);
    QTest::newRow("scalar params") << QByteArray(R"({"jsonrpc":"2.0","method":"ping","params":3,"id":6})")
                                   << jsonrpc::kInvalidRequest << QJsonValue(6);
    QTest::newRow("object id") << QByteArray(R"({"jsonrpc":"2.0","method":"ping","id":{}})") << jsonrpc::kInvalidRequest
                               << QJsonValue(QJsonValue::Null);
    QTest::newRow("bare number") << QByteArray("42") << jsonrpc::kInvalidRequest << QJsonValue(QJsonValue::Null);
    QTest::newRow("empty batch") << QByteArray("[]") << jsonrpc::kInvalidRequest << QJsonValue(QJsonValue::Null);
    QTest::newRow("not json") << QByteArray("{\"jsonrpc\":") << jsonrpc::kParseError << QJsonValue(QJsonValue::Null);
    QTest::newRow("two documents") << QByteArray("{},{}") << jsonrpc::kParseError << QJsonValue(QJsonValue::Null);
    QTest::newRow("empty body") << QByteArray() << jsonrpc::kParseError << QJsonValue(QJsonValue::Null);
}

void tst_SimulatorAnswers::jsonRpc()
{
    QFETCH(QByteArray, body);
    QFETCH(int, errorCode);
    QFETCH(QJsonValue, id);

    const QJsonObject response = QJsonDocument::fromJson(jsonrpc::answer(body)).object();
    QCOMPARE(response.value(u"jsonrpc"_s), QJsonValue(u"2.0"_s));
    QCOMPARE(response.value(u"id"_s), id);
    if (errorCode == 0) {
        QCOMPARE(response.value(u"result"_s), QJsonValue(u"pong"_s));
        QVERIFY(!response.contains(u"error"_s));
    } else {
        QCOMPARE(response.value(u"error"_s).toObject().value(u"code"_s).toInt(), errorCode);
        QVERIFY(!response.value(u"error"_s).toObject().value(u"message"_s).toString().isEmpty());
        QVERIFY(!response.contains(u"result"_s));
    }
}

void tst_SimulatorAnswers::jsonRpcBatch()
{
    // A notification (no id) gets no answer, alone or in a batch.
    QVERIFY(jsonrpc::answer(R"({"jsonrpc":"2.0","method":"ping"})").isEmpty());
    const QJsonArray answers = QJsonDocument::fromJson(jsonrpc::answer(R"([{"jsonrpc":"2.0","method":"ping","id":1},)"
                                                                       R"({"jsonrpc":"2.0","method":"ping"},)"
                                                                       R"({"jsonrpc":"2.0","method":"nope","id":2}])"))
                                   .array();
    QCOMPARE(answers.size(), 2);
    QCOMPARE(answers.at(0).toObject().value(u"result"_s), QJsonValue(u"pong"_s));
    QCOMPARE(answers.at(1).toObject().value(u"error"_s).toObject().value(u"code"_s).toInt(), jsonrpc::kMethodNotFound);
}

void tst_SimulatorAnswers::jsonRpcInvalidParamsRoute_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QJsonValue>("id");
    QTest::newRow("valid ping") << QByteArray(R"({"jsonrpc":"2.0","method":"ping","id":7})") << QJsonValue(7);
    QTest::newRow("string id") << QByteArray(R"({"jsonrpc":"2.0","method":"x","id":"q"})") << QJsonValue(u"q"_s);
    QTest::newRow("not json") << QByteArray("nope") << QJsonValue(QJsonValue::Null);
}

void tst_SimulatorAnswers::jsonRpcInvalidParamsRoute()
{
    QFETCH(QByteArray, body);
    QFETCH(QJsonValue, id);
    const QJsonObject response = QJsonDocument::fromJson(jsonrpc::answerInvalidParams(body)).object();
    QCOMPARE(response.value(u"error"_s).toObject().value(u"code"_s).toInt(), jsonrpc::kInvalidParams);
    QCOMPARE(response.value(u"id"_s), id);
}

void tst_SimulatorAnswers::throttleBucketAllowsBurstThenRefuses()
{
    ThrottleBucket bucket(5, 5.0);
    const auto t0 = std::chrono::nanoseconds(std::chrono::seconds(100));
    for (int expectedRemaining = 4; expectedRemaining >= 0; --expectedRemaining) {
        const auto verdict = bucket.take(t0);
        QVERIFY(verdict.allowed);
        QCOMPARE(verdict.limit, 5);
        QCOMPARE(verdict.remaining, expectedRemaining);
        QCOMPARE(verdict.retryAfterSeconds, 0);
        QCOMPARE(verdict.resetSeconds, 1);
    }
    const auto refused = bucket.take(t0);
    QVERIFY(!refused.allowed);
    QCOMPARE(refused.remaining, 0);
    QCOMPARE(refused.retryAfterSeconds, 1);
    QCOMPARE(refused.resetSeconds, 1); // 5 tokens at 5/s
}

void tst_SimulatorAnswers::throttleBucketRefillsAtItsRate()
{
    ThrottleBucket bucket(5, 5.0);
    const auto t0 = std::chrono::nanoseconds(std::chrono::seconds(100));
    for (int i = 0; i < 5; ++i)
        QVERIFY(bucket.take(t0).allowed);
    QVERIFY(!bucket.take(t0 + 150ms).allowed); // 0.75 of a token
    QVERIFY(bucket.take(t0 + 200ms).allowed); // one whole token
    QVERIFY(!bucket.take(t0 + 200ms).allowed);
    // Never above the burst, however long the pause.
    const auto later = bucket.take(t0 + 1h);
    QVERIFY(later.allowed);
    QCOMPARE(later.remaining, 4);
    // A clock that steps back does not mint tokens.
    QVERIFY(bucket.take(t0).allowed);
    QCOMPARE(bucket.take(t0).remaining, 2);
}

void tst_SimulatorAnswers::scenarioPhase_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<int>("phase");
    QTest::newRow("start") << qint64(0) << int(ScenarioPhase::Healthy);
    QTest::newRow("9.999 s") << qint64(9'999) << int(ScenarioPhase::Healthy);
    QTest::newRow("10 s") << qint64(10'000) << int(ScenarioPhase::S1);
    QTest::newRow("19.999 s") << qint64(19'999) << int(ScenarioPhase::S1);
    QTest::newRow("20 s") << qint64(20'000) << int(ScenarioPhase::S2);
    QTest::newRow("35 s") << qint64(35'000) << int(ScenarioPhase::S3);
    QTest::newRow("40 s") << qint64(40'000) << int(ScenarioPhase::S4);
    QTest::newRow("50 s") << qint64(50'000) << int(ScenarioPhase::Recovered);
    QTest::newRow("59.999 s") << qint64(59'999) << int(ScenarioPhase::Recovered);
    QTest::newRow("60 s wraps") << qint64(60'000) << int(ScenarioPhase::Healthy);
    QTest::newRow("second cycle S2") << qint64(85'000) << int(ScenarioPhase::S2);
    QTest::newRow("negative") << qint64(-5'000) << int(ScenarioPhase::Healthy);
}

void tst_SimulatorAnswers::scenarioPhase()
{
    QFETCH(qint64, ms);
    QFETCH(int, phase);
    QCOMPARE(scenarioPhaseAt(std::chrono::milliseconds(ms)), static_cast<ScenarioPhase>(phase));
}

void tst_SimulatorAnswers::scenarioTimetableCoversTheCycle()
{
    const auto& steps = scenarioTimetable();
    QVERIFY(!steps.isEmpty());
    QCOMPARE(steps.first().from, 0ms);
    QCOMPARE(steps.last().to, kScenarioCycle);
    QSet<ScenarioPhase> phases;
    for (qsizetype i = 0; i < steps.size(); ++i) {
        QVERIFY(steps[i].from < steps[i].to);
        QVERIFY(!steps[i].description.isEmpty());
        if (i > 0)
            QCOMPARE(steps[i].from, steps[i - 1].to);
        phases.insert(steps[i].phase);
    }
    for (auto phase : { ScenarioPhase::Healthy, ScenarioPhase::S1, ScenarioPhase::S2, ScenarioPhase::S3,
             ScenarioPhase::S4, ScenarioPhase::Recovered })
        QVERIFY(phases.contains(phase));
}

void tst_SimulatorAnswers::scenarioAnswers_data()
{
    QTest::addColumn<int>("phase");
    QTest::addColumn<int>("status");
    QTest::addColumn<qint64>("delayMs");
    QTest::addColumn<QByteArray>("headerName");
    QTest::addColumn<QByteArray>("headerContains");
    QTest::newRow("healthy") << int(ScenarioPhase::Healthy) << 200 << qint64(0) << QByteArray() << QByteArray();
    QTest::newRow("S1 held then 504") << int(ScenarioPhase::S1) << 504 << qint64(kScenarioHold.count()) << QByteArray()
                                      << QByteArray();
    QTest::newRow("S2") << int(ScenarioPhase::S2) << 401 << qint64(0) << QByteArray("www-authenticate")
                        << QByteArray("error=\"invalid_token\"");
    QTest::newRow("S3") << int(ScenarioPhase::S3) << 422 << qint64(0) << QByteArray() << QByteArray();
    QTest::newRow("S4") << int(ScenarioPhase::S4) << 429 << qint64(0) << QByteArray("Retry-After") << QByteArray("5");
    QTest::newRow("recovered") << int(ScenarioPhase::Recovered) << 200 << qint64(0) << QByteArray() << QByteArray();
}

void tst_SimulatorAnswers::scenarioAnswers()
{
    QFETCH(int, phase);
    QFETCH(int, status);
    QFETCH(qint64, delayMs);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerContains);
    const SimulatedAnswer answer = scenarioAnswer(static_cast<ScenarioPhase>(phase));
    QCOMPARE(answer.status, status);
    QCOMPARE(answer.delay.count(), delayMs);
    if (!headerName.isEmpty())
        QVERIFY2(answer.header(headerName).contains(headerContains), answer.header(headerName).constData());
    // A hold longer than the longest adaptive timeout (10 s) makes S1 a timeout for every default prober.
    QVERIFY(kScenarioHold > 10s);
}

void tst_SimulatorAnswers::requestedDelay_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<qint64>("delayMs"); // -1 = none
    QTest::newRow("absent") << u""_s << qint64(-1);
    QTest::newRow("20") << u"delay=20"_s << qint64(20);
    QTest::newRow("zero") << u"delay=0"_s << qint64(0);
    QTest::newRow("negative clamps") << u"delay=-5"_s << qint64(0);
    QTest::newRow("huge clamps") << u"delay=99999999"_s << qint64(canned::kMaxDelay.count());
    QTest::newRow("not a number") << u"delay=soon"_s << qint64(-1);
    QTest::newRow("among others") << u"rate=1&delay=7"_s << qint64(7);
}

void tst_SimulatorAnswers::requestedDelay()
{
    QFETCH(QString, query);
    QFETCH(qint64, delayMs);
    const auto delay = canned::requestedDelay(QUrlQuery(query));
    QCOMPARE(delay.has_value(), delayMs >= 0);
    if (delay)
        QCOMPARE(delay->count(), delayMs);
}

void tst_SimulatorAnswers::statusRoute_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("418") << 418 << 418 << QByteArray(R"({"status":418})");
    QTest::newRow("599") << 599 << 599 << QByteArray(R"({"status":599})");
    QTest::newRow("204 has no body") << 204 << 204 << QByteArray();
    QTest::newRow("304 has no body") << 304 << 304 << QByteArray();
    QTest::newRow("1xx refused") << 101 << 400 << QByteArray();
    QTest::newRow("600 refused") << 600 << 400 << QByteArray();
}

void tst_SimulatorAnswers::statusRoute()
{
    QFETCH(int, code);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    const SimulatedAnswer answer = canned::status(code);
    QCOMPARE(answer.status, status);
    if (status != 400)
        QCOMPARE(answer.body, body);
}

void tst_SimulatorAnswers::bigBodyIsOneMebibyteOfJson()
{
    const SimulatedAnswer answer = canned::big();
    QCOMPARE(answer.body.size(), 1024 * 1024);
    QJsonParseError error;
    QJsonDocument::fromJson(answer.body, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
}

void tst_SimulatorAnswers::routeTableIsConsistent()
{
    QSet<QString> paths;
    int raw = 0;
    for (const auto& route : SimulatorRoute::all()) {
        QVERIFY2(route.path.startsWith(u'/'), qPrintable(route.path));
        QVERIFY2(!route.description.isEmpty(), qPrintable(route.path));
        QVERIFY2(!paths.contains(route.path), qPrintable(route.path));
        paths.insert(route.path);
        QCOMPARE(SimulatorRoute::isRawFault(route.path), route.rawFault);
        raw += route.rawFault ? 1 : 0;
    }
    QCOMPARE(raw, 4);
    QVERIFY(SimulatorRoute::isRawFault(u"/hang?delay=5"));
    QVERIFY(!SimulatorRoute::isRawFault(u"/hanger"));
}

QTEST_GUILESS_MAIN(tst_SimulatorAnswers)
#include "tst_simulatoranswers.moc"
