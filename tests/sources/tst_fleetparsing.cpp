// SPDX-License-Identifier: GPL-3.0-or-later
// What a `sources` entry makes of Prometheus's answers (models/sources): the query answer parsed with its limits,
// the signaldeck_* series turned into one state per endpoint and location, and blackbox_exporter's probe_*
// series classified with the local rules (docs/SCALING.md "blackbox_exporter's series, classified").
#include "sources/BlackboxFleet.h"
#include "sources/FleetRange.h"
#include "sources/PromQuery.h"
#include "sources/SignalDeckSeries.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace sd;
using namespace Qt::StringLiterals;

namespace {

PromSample sample(const QString& name, QHash<QString, QString> labels, double value)
{
    labels.insert(u"__name__"_s, name);
    return PromSample { labels, value, 1.7e9 };
}

QByteArray vectorAnswer(const QJsonArray& result)
{
    return QJsonDocument(QJsonObject { { u"status"_s, u"success"_s },
                             { u"data"_s, QJsonObject { { u"resultType"_s, u"vector"_s }, { u"result"_s, result } } } })
        .toJson(QJsonDocument::Compact);
}

QList<PromSample> blackboxSamples(const QString& target, double success, double status, double duration,
    double regex = 0, const QString& location = u"eu"_s)
{
    const QHash<QString, QString> labels { { u"instance"_s, target }, { u"location"_s, location } };
    return { sample(u"probe_success"_s, labels, success), sample(u"probe_http_status_code"_s, labels, status),
        sample(u"probe_duration_seconds"_s, labels, duration), sample(u"probe_failed_due_to_regex"_s, labels, regex) };
}

QList<PromSample> timesOf(const QString& target, double time, const QString& location = u"eu"_s)
{
    return { PromSample { { { u"instance"_s, target }, { u"location"_s, location } }, time, time } };
}

} // namespace

class TestFleetParsing : public QObject {
    Q_OBJECT
private slots:
    void parsesAVector();
    void refusesWhatIsNotAQueryAnswer_data();
    void refusesWhatIsNotAQueryAnswer();
    void selectorNarrowsByMatch();
    void signalDeckSeriesGiveOneStatePerEndpointAndLocation();
    void blackboxClassifiesLikeTheLocalClassifier_data();
    void blackboxClassifiesLikeTheLocalClassifier();
    void blackboxStatesFollowTheSameStateMachines();
    void blackboxCertificateExpiryIsS2();
    void rangeStepKeepsAFewHundredPoints();
    void rangeQueriesNarrowToTheEndpointAndMatch();
    void rangeAnswerBecomesOneLinePerLocation();
};

void TestFleetParsing::parsesAVector()
{
    const QJsonArray result { QJsonObject {
        { u"metric"_s, QJsonObject { { u"__name__"_s, u"up"_s }, { u"job"_s, u"a"_s } } },
        { u"value"_s, QJsonArray { 1700000000.5, u"1"_s } } } };
    const PromVectorReply reply = parsePromVectorReply(vectorAnswer(result), 200);
    QVERIFY2(reply.ok(), qPrintable(reply.error));
    QCOMPARE(reply.samples.size(), 1);
    QCOMPARE(reply.samples[0].labels.value(u"job"_s), u"a"_s);
    QCOMPARE(reply.samples[0].value, 1.0);
    QCOMPARE(reply.samples[0].timestamp, 1700000000.5);
}

void TestFleetParsing::refusesWhatIsNotAQueryAnswer_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    QTest::newRow("html") << QByteArray("<html>login</html>") << 200
                          << u"HTTP 200: not a Prometheus query answer (illegal value at byte 1)"_s;
    QTest::newRow("empty") << QByteArray() << 200 << u"HTTP 200 with an empty body: not a Prometheus query API"_s;
    QTest::newRow("prometheus error")
        << QByteArray(R"({"status":"error","errorType":"bad_data","error":"parse error at char 3: \u001b[31m"})") << 400
        << u"HTTP 400: Prometheus refused the query: parse error at char 3: \\x1b[31m (bad_data)"_s;
    QTest::newRow("matrix") << QByteArray(R"({"status":"success","data":{"resultType":"matrix","result":[]}})") << 200
                            << u"result type \"matrix\" where an instant vector was expected"_s;
    QTest::newRow("value not a pair") << QByteArray(
        R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1]}]}})")
                                      << 200 << u"data.result[0]: \"value\" is not [time, \"number\"]"_s;
    QTest::newRow("value not a number") << QByteArray(
        R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"lots"]}]}})")
                                        << 200 << u"data.result[0]: the value \"lots\" is not a number"_s;
    QTest::newRow("label not a string") << QByteArray(
        R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":[1]},"value":[1,"1"]}]}})")
                                        << 200 << u"data.result[0]: label a is not a string"_s;
    QTest::newRow("no status") << QByteArray(R"({"data":{}})") << 200
                               << u"HTTP 200: not a Prometheus query answer (no \"status\": \"success\")"_s;
    QByteArray longLabel = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":")";
    longLabel += QByteArray(5000, 'x') + R"("},"value":[1,"1"]}]}})";
    QTest::newRow("label too long") << longLabel << 200 << u"data.result[0]: label a is longer than 4096 characters"_s;
}

void TestFleetParsing::refusesWhatIsNotAQueryAnswer()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, error);
    const PromVectorReply reply = parsePromVectorReply(body, status);
    QCOMPARE(reply.error, error);
    QVERIFY(reply.samples.isEmpty());
}

void TestFleetParsing::selectorNarrowsByMatch()
{
    QCOMPARE(promSelector({ u"a"_s, u"b"_s }, uR"({job="signaldeck"})"_s), uR"({__name__=~"a|b",job="signaldeck"})"_s);
    QCOMPARE(promSelector({ u"a"_s }, {}), uR"({__name__=~"a"})"_s);
    QCOMPARE(promSelector({ u"a"_s }, u"{ }"_s), uR"({__name__=~"a"})"_s);
}

void TestFleetParsing::signalDeckSeriesGiveOneStatePerEndpointAndLocation()
{
    const auto at = [](const QString& endpoint, const QString& location) {
        return QHash<QString, QString> { { u"endpoint"_s, endpoint }, { u"location"_s, location },
            { u"url"_s, u"http://api/"_s + endpoint } };
    };
    auto withSignal = [&](const QString& e, const QString& l, const QString& s) {
        auto labels = at(e, l);
        labels.insert(u"signal"_s, s);
        return labels;
    };
    auto withOutcome = at(u"checkout"_s, u"b"_s);
    withOutcome.insert(u"outcome"_s, u"connection"_s);
    const QList<PromSample> samples {
        sample(u"signaldeck_endpoint_state"_s, at(u"checkout"_s, u"a"_s), 0),
        sample(u"signaldeck_signal_state"_s, withSignal(u"checkout"_s, u"a"_s, u"S1"_s), 0),
        sample(u"signaldeck_last_probe_duration_seconds"_s, at(u"checkout"_s, u"a"_s), 0.012),
        sample(u"signaldeck_last_probe_http_status"_s, at(u"checkout"_s, u"a"_s), 200),
        sample(u"signaldeck_endpoint_state"_s, at(u"checkout"_s, u"b"_s), 2),
        sample(u"signaldeck_signal_state"_s, withSignal(u"checkout"_s, u"b"_s, u"S1"_s), 2),
        sample(u"signaldeck_signal_state"_s, withSignal(u"checkout"_s, u"b"_s, u"S2"_s), 0),
        sample(u"signaldeck_last_probe_http_status"_s, at(u"checkout"_s, u"b"_s), 0),
        sample(u"signaldeck_last_probe_outcome"_s, withOutcome, 1),
        sample(u"signaldeck_circuit_state"_s, at(u"checkout"_s, u"b"_s), 2),
        sample(u"signaldeck_signal_state"_s, withSignal(u"login"_s, u"a"_s, u"S2"_s), 2), // no endpoint_state yet
        sample(u"signaldeck_signal_state"_s, withSignal(u"login"_s, u"a"_s, u"S9"_s), 2), // ignored
        sample(u"signaldeck_endpoints"_s, { { u"location"_s, u"a"_s } }, 3), // no endpoint label: ignored
    };
    const QList<RemoteEndpoint> endpoints = buildSignalDeckEndpoints(samples);
    QCOMPARE(endpoints.size(), 3);
    QCOMPARE(endpoints[0].endpoint, u"checkout"_s);
    QCOMPARE(endpoints[0].location, u"a"_s);
    QCOMPARE(endpoints[0].overall, SignalState::Ok);
    QCOMPARE(endpoints[0].latencyMs, 12.0);
    QCOMPARE(endpoints[0].httpStatus, 200);
    QCOMPARE(endpoints[0].url, u"http://api/checkout"_s);
    QCOMPARE(endpoints[1].location, u"b"_s);
    QCOMPARE(endpoints[1].overall, SignalState::Critical);
    QCOMPARE(endpoints[1].states[0], SignalState::Critical);
    QCOMPARE(endpoints[1].states[1], SignalState::Ok);
    QCOMPARE(endpoints[1].states[2], SignalState::Unknown);
    QCOMPARE(endpoints[1].httpStatus, 0);
    QCOMPARE(endpoints[1].outcome, u"connection"_s);
    QCOMPARE(endpoints[1].circuit, 2);
    QCOMPARE(endpoints[2].endpoint, u"login"_s);
    QCOMPARE(endpoints[2].overall, SignalState::Critical); // the worst signal when the overall gauge is absent
}

void TestFleetParsing::blackboxClassifiesLikeTheLocalClassifier_data()
{
    QTest::addColumn<bool>("success");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("regex");
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<FailureSignal>("signal");
    QTest::newRow("200 success") << true << 200 << false << Outcome::Ok << FailureSignal::None;
    QTest::newRow("401") << false << 401 << false << Outcome::Auth << FailureSignal::S2;
    QTest::newRow("403") << false << 403 << false << Outcome::Auth << FailureSignal::S2;
    QTest::newRow("400") << false << 400 << false << Outcome::Input << FailureSignal::S3;
    QTest::newRow("422") << false << 422 << false << Outcome::Input << FailureSignal::S3;
    QTest::newRow("429") << false << 429 << false << Outcome::Throttled << FailureSignal::S4;
    QTest::newRow("503") << false << 503 << false << Outcome::Throttled << FailureSignal::S4;
    QTest::newRow("502") << false << 502 << false << Outcome::Connection << FailureSignal::S1;
    QTest::newRow("500") << false << 500 << false << Outcome::ServerError << FailureSignal::None;
    QTest::newRow("no answer") << false << 0 << false << Outcome::Connection << FailureSignal::S1;
    QTest::newRow("regex failed") << false << 200 << true << Outcome::AssertionFailed << FailureSignal::None;
    QTest::newRow("401 the module expects") << true << 401 << false << Outcome::Ok << FailureSignal::None;
    QTest::newRow("tcp module success") << true << 0 << false << Outcome::Ok << FailureSignal::None;
}

void TestFleetParsing::blackboxClassifiesLikeTheLocalClassifier()
{
    QFETCH(bool, success);
    QFETCH(int, status);
    QFETCH(bool, regex);
    QFETCH(Outcome, outcome);
    QFETCH(FailureSignal, signal);
    BlackboxProbe probe;
    probe.success = success;
    probe.httpStatus = status;
    probe.durationSeconds = 0.05;
    probe.failedDueToRegex = regex;
    const ProbeResult result = classifyBlackboxProbe(probe, u"http://api.example/x"_s, QDateTime::currentDateTimeUtc());
    QCOMPARE(result.outcome, outcome);
    QCOMPARE(result.signal, signal);
    if (outcome != Outcome::Ok)
        QVERIFY(!result.reason.isEmpty());
}

void TestFleetParsing::blackboxStatesFollowTheSameStateMachines()
{
    BlackboxFleet fleet(u"instance"_s, u"location"_s, u"prom"_s);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString target = u"http://api.example/x"_s;
    // One failed probe without an answer: S1 Warning, as locally; the same sample read again changes nothing.
    QList<RemoteEndpoint> out = fleet.update(blackboxSamples(target, 0, 0, 0.01), timesOf(target, 100), now);
    QCOMPARE(out.size(), 1);
    QCOMPARE(out[0].states[0], SignalState::Warning);
    QCOMPARE(out[0].httpStatus, 0);
    QCOMPARE(out[0].reasons[0], u"network error: blackbox_exporter got no HTTP answer"_s);
    out = fleet.update(blackboxSamples(target, 0, 0, 0.01), timesOf(target, 100), now);
    QCOMPARE(out[0].states[0], SignalState::Warning);
    // The 3rd failed probe in a row: Critical.
    fleet.update(blackboxSamples(target, 0, 0, 0.01), timesOf(target, 101), now);
    out = fleet.update(blackboxSamples(target, 0, 0, 0.01), timesOf(target, 102), now);
    QCOMPARE(out[0].states[0], SignalState::Critical);
    QCOMPARE(out[0].overall, SignalState::Critical);
    // A 401 from another location is its own row: S2 Critical there at once.
    QList<PromSample> both = blackboxSamples(target, 0, 0, 0.01);
    both += blackboxSamples(target, 0, 401, 0.02, 0, u"us"_s);
    QList<PromSample> times = timesOf(target, 103) + timesOf(target, 103, u"us"_s);
    out = fleet.update(both, times, now);
    QCOMPARE(out.size(), 2);
    QCOMPARE(out[1].location, u"us"_s);
    QCOMPARE(out[1].states[1], SignalState::Critical);
    QCOMPARE(out[1].outcome, u"auth"_s);
    QCOMPARE(out[1].latencyMs, 20.0);
    // Without the label the location is the source's name.
    BlackboxFleet unlabelled(u"instance"_s, u"region"_s, u"prom"_s);
    out = unlabelled.update(blackboxSamples(target, 1, 200, 0.01), {}, now);
    QCOMPARE(out[0].location, u"prom"_s);
    QCOMPARE(out[0].overall, SignalState::Ok);
}

void TestFleetParsing::blackboxCertificateExpiryIsS2()
{
    BlackboxFleet fleet(u"instance"_s, u"location"_s, u"prom"_s);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString target = u"https://api.example/x"_s;
    QList<PromSample> samples = blackboxSamples(target, 1, 200, 0.01);
    samples.append(
        sample(u"probe_ssl_earliest_cert_expiry"_s, { { u"instance"_s, target }, { u"location"_s, u"eu"_s } },
            static_cast<double>(now.addDays(2).toSecsSinceEpoch())));
    const QList<RemoteEndpoint> out = fleet.update(samples, timesOf(target, 100), now);
    QCOMPARE(out[0].states[1], SignalState::Critical);
    QVERIFY2(out[0].reasons[1].contains(u"renew the certificate"_s), qPrintable(out[0].reasons[1]));
}

void TestFleetParsing::rangeStepKeepsAFewHundredPoints()
{
    constexpr qint64 minute = 60'000;
    constexpr qint64 hour = 60 * minute;
    constexpr qint64 day = 24 * hour;
    QCOMPARE(fleetRangeStepMs(0, 5 * minute, 250), qint64(2000)); // 150 points
    QCOMPARE(fleetRangeStepMs(0, hour, 250), qint64(15'000)); // 240 points
    QCOMPARE(fleetRangeStepMs(0, day, 250), 10 * minute); // 144 points
    QCOMPARE(fleetRangeStepMs(0, 90 * day, 250), 12 * hour); // 180 points
    QCOMPARE(fleetRangeStepMs(0, 1000, 250), qint64(1000)); // never below a second
    for (qint64 span : { 7 * minute, 6 * hour, 7 * day, 400 * day })
        QVERIFY(span / fleetRangeStepMs(0, span, 250) <= 250);
}

void TestFleetParsing::rangeQueriesNarrowToTheEndpointAndMatch()
{
    FleetRangeRequest request;
    request.source.match = uR"({job="signaldeck"})"_s;
    request.endpoint = u"a \"quoted\" \\ name"_s;
    // (Plain literals: moc misreads raw strings holding backslashes or "//".)
    const QString endpoint = u"endpoint=\"a \\\"quoted\\\" \\\\ name\""_s;
    const QStringList prometheus = fleetRangeQueries(request, 15'000);
    QCOMPARE(prometheus.size(), 2);
    QCOMPARE(prometheus[0],
        u"histogram_quantile(0.95, sum by (location, le) (rate(signaldeck_probe_duration_seconds_bucket{"_s + endpoint
            + u",job=\"signaldeck\"}[60s])))"_s);
    QCOMPARE(prometheus[1],
        u"(sum by (location) (rate(signaldeck_probes_total{"_s + endpoint
            + u",outcome!=\"ok\",job=\"signaldeck\"}[60s])) / (sum by (location) (rate(signaldeck_probes_total{"_s
            + endpoint + u",job=\"signaldeck\"}[60s])) > 0)) or max by (location) (signaldeck_error_ratio{"_s + endpoint
            + u",job=\"signaldeck\"})"_s);
    request.source.kind = SourceConfig::Kind::Blackbox;
    request.source.match = uR"({job="blackbox"})"_s;
    request.endpoint = u"http://api/"_s;
    const QStringList blackbox = fleetRangeQueries(request, 5 * qint64 { 60'000 });
    QCOMPARE(blackbox[0],
        u"max by (location) (max_over_time(probe_duration_seconds{instance=\"http://api/\",job=\"blackbox\"}[300s]))"_s);
    QCOMPARE(blackbox[1],
        u"1 - avg by (location) (avg_over_time(probe_success{instance=\"http://api/\",job=\"blackbox\"}[300s]))"_s);
}

void TestFleetParsing::rangeAnswerBecomesOneLinePerLocation()
{
    const auto matrix = [](const QJsonArray& result) {
        return QJsonDocument(
            QJsonObject { { u"status"_s, u"success"_s },
                { u"data"_s, QJsonObject { { u"resultType"_s, u"matrix"_s }, { u"result"_s, result } } } })
            .toJson(QJsonDocument::Compact);
    };
    // (A list of pairs: `{ QJsonArray { … } }` alone would copy the one pair instead of holding it.)
    const auto series = [](const QString& location, const QList<QJsonArray>& pairs) {
        QJsonArray values;
        for (const QJsonArray& pair : pairs)
            values.append(pair);
        return QJsonObject { { u"metric"_s, QJsonObject { { u"location"_s, location } } }, { u"values"_s, values } };
    };
    const QByteArray errors = matrix({ series(u"loc-b"_s,
                                           { QJsonArray { 1700000000, u"1"_s }, QJsonArray { 1700000015, u"NaN"_s },
                                               QJsonArray { 1700000030, u"1"_s } }),
        series(u"loc-a"_s, { QJsonArray { 1700000000, u"0"_s } }) });
    const QByteArray latency = matrix({ series(u"loc-a"_s, { QJsonArray { 1700000000, u"0.0125"_s } }) });
    FleetRangeRequest request;
    request.source.url = QUrl(u"http://prom:9090"_s);
    request.endpoint = u"checkout"_s;
    FleetRangeAnswer answer
        = buildFleetRange(request, 15'000, parsePromMatrixReply(latency, 200), parsePromMatrixReply(errors, 200));
    QVERIFY2(answer.ok(), qPrintable(answer.error));
    QCOMPARE(answer.errorPercent.size(), 2);
    QCOMPARE(answer.errorPercent[0].location, u"loc-a"_s); // sorted
    QCOMPARE(answer.errorPercent[1].points,
        QList<QPointF>({ QPointF(1700000000000.0, 100.0), QPointF(1700000030000.0, 100.0) })); // NaN: no point
    QCOMPARE(answer.latencyMs.size(), 1);
    QCOMPARE(answer.latencyMs[0].points, QList<QPointF> { QPointF(1700000000000.0, 12.5) });
    // Only the locations asked for.
    request.locations = { u"loc-a"_s };
    answer = buildFleetRange(request, 15'000, parsePromMatrixReply(latency, 200), parsePromMatrixReply(errors, 200));
    QCOMPARE(answer.errorPercent.size(), 1);
    // An answer that is not a range is an error, not an empty chart.
    answer = buildFleetRange(
        request, 15'000, parsePromMatrixReply(vectorAnswer({}), 200), parsePromMatrixReply(errors, 200));
    QCOMPARE(answer.state, SourceState::Failed);
    QCOMPARE(answer.error, u"result type \"vector\" where a range matrix was expected"_s);
    const PromMatrixReply bad = parsePromMatrixReply(matrix({ series(u"x"_s, { QJsonArray { 1, 2 } }) }), 200);
    QCOMPARE(bad.error, u"data.result[0]: values[0]: \"value\" is not [time, \"number\"]"_s);
}

QTEST_GUILESS_MAIN(TestFleetParsing)
#include "tst_fleetparsing.moc"
