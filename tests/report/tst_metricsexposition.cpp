// SPDX-License-Identifier: GPL-3.0-or-later
// The `/metrics` exposition (docs/METRICS.md) from a registry fed with hand-made batches: the whole text
// against golden fixtures in both formats, then the rules a scraper relies on, one by one.
#include "report/MetricsExposition.h"
#include "report/MetricsRegistry.h"

#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace sd;

namespace {

const QDateTime kNow = QDateTime::fromString(u"2026-12-05T09:00:00.250Z"_s, Qt::ISODateWithMs);

AppConfig fixtureConfig()
{
    AppConfig config;
    CredentialConfig token;
    token.id = u"orders-token"_s;
    token.expires = QDateTime::fromString(u"2027-01-01T00:00:00Z"_s, Qt::ISODate);
    config.credentials.append(token);
    EndpointConfig orders;
    orders.name = u"orders"_s;
    orders.url = QUrl(u"https://user:pw@api.example.com/orders?x=1"_s);
    orders.tags = { u"prod"_s, u"eu"_s };
    orders.credential = token.id;
    config.endpoints.append(orders);
    // Every character the exposition must escape, in a name, a URL and a tag.
    EndpointConfig odd;
    odd.name = u"say \"hi\"\\\nbye"_s;
    odd.url = QUrl(u"http://127.0.0.1:8080/odd"_s);
    odd.tags = { u"a\"b"_s };
    config.endpoints.append(odd);
    EndpointConfig idle;
    idle.name = u"idle"_s;
    idle.url = QUrl(u"http://127.0.0.1:8080/idle"_s);
    config.endpoints.append(idle);
    return config;
}

ProbeResult result(const QString& endpoint, Outcome outcome, FailureSignal signal, qint64 latencyUs, int status)
{
    ProbeResult r;
    r.endpoint = endpoint;
    r.outcome = outcome;
    r.signal = signal;
    r.latencyUs = latencyUs;
    r.httpStatus = status;
    r.startUtc = kNow.addSecs(-1);
    r.reason = u"free text that must never become a label"_s;
    return r;
}

EndpointStatus status(const QString& endpoint)
{
    EndpointStatus s;
    s.name = endpoint;
    s.nextProbeUtc = kNow.addSecs(30);
    s.probes = 3;
    for (SignalState& state : s.states)
        state = SignalState::Ok;
    s.overall = SignalState::Ok;
    return s;
}

EngineBatch fixtureBatch()
{
    EngineBatch batch;
    const QString odd = u"say \"hi\"\\\nbye"_s;
    batch.results = { result(u"orders"_s, Outcome::Ok, FailureSignal::None, 150'000, 200),
        result(u"orders"_s, Outcome::Ok, FailureSignal::None, 200'000, 200),
        result(u"orders"_s, Outcome::Auth, FailureSignal::S2, 800'001, 401),
        // An error-code map can send an outcome to a signal other than its usual one.
        result(odd, Outcome::Input, FailureSignal::S4, 4'000, 200),
        result(odd, Outcome::Timeout, FailureSignal::S1, 10'000'000, 0),
        result(u"not in the config"_s, Outcome::Ok, FailureSignal::None, 1'000, 200) };
    batch.results[0].tls.present = true; // a later probe without a handshake keeps the expiry known
    batch.results[0].tls.earliestExpiresAt = QDateTime::fromString(u"2027-01-10T00:00:00Z"_s, Qt::ISODate);
    batch.results[2].attempts = 1;
    batch.results[4].attempts = 3;
    EndpointStatus orders = status(u"orders"_s);
    orders.states[1] = SignalState::Critical;
    orders.overall = SignalState::Critical;
    orders.errorRate = 1.0 / 3.0;
    orders.circuit = CircuitState::HalfOpen;
    orders.nextReason = NextProbeReason::RetryAfter;
    EndpointStatus oddStatus = status(odd);
    oddStatus.states[0] = SignalState::Warning;
    oddStatus.states[3] = SignalState::Unknown;
    oddStatus.overall = SignalState::Warning;
    oddStatus.nextProbeUtc = QDateTime();
    oddStatus.nextReason = NextProbeReason::InFlight;
    oddStatus.circuit = CircuitState::Open;
    batch.statuses = { orders, oddStatus };
    return batch;
}

MetricsRegistry fixtureRegistry()
{
    MetricsRegistry registry;
    registry.setConfig(fixtureConfig(), u"eu-west-1"_s);
    registry.addBatch(fixtureBatch());
    return registry;
}

QByteArray readFixture(const QString& name)
{
    QFile file(QStringLiteral(SOURCE_DIR "/fixtures/") + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

/// The sample lines of a family (no comments), for the focused tests.
QList<QByteArray> samples(const QByteArray& text, const QByteArray& name)
{
    QList<QByteArray> lines;
    for (const QByteArray& line : text.split('\n')) {
        if (line.startsWith(QByteArray(name + '{')) || line.startsWith(QByteArray(name + ' ')))
            lines.append(line);
    }
    return lines;
}

} // namespace

class TestMetricsExposition : public QObject {
    Q_OBJECT

private slots:
    void goldenText_data();
    void goldenText();
    void histogramResolvesTheThresholds_data();
    void histogramResolvesTheThresholds();
    void negotiation_data();
    void negotiation();
    void reloadKeepsTheCountersOfKeptEndpoints();
    void readyOnceEveryEndpointProbedOrPaused();
    void noFreeTextInLabels();
};

void TestMetricsExposition::goldenText_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<QString>("fixture");
    QTest::newRow("Prometheus text 0.0.4") << int(ExpositionFormat::PrometheusText) << u"metrics.prom"_s;
    QTest::newRow("OpenMetrics 1.0.0") << int(ExpositionFormat::OpenMetrics) << u"metrics.om"_s;
}

void TestMetricsExposition::goldenText()
{
    QFETCH(int, format);
    QFETCH(QString, fixture);
    const QByteArray text = renderMetrics(fixtureRegistry(), static_cast<ExpositionFormat>(format), u"1.2.3"_s);
    if (qEnvironmentVariableIsSet("SIGNALDECK_WRITE_FIXTURES")) {
        QFile out(QStringLiteral(SOURCE_DIR "/fixtures/") + fixture);
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(text);
    }
    const QByteArray expected = readFixture(fixture);
    QVERIFY2(!expected.isEmpty(), "fixture missing");
    if (text != expected) {
        const QList<QByteArray> got = text.split('\n');
        const QList<QByteArray> want = expected.split('\n');
        for (qsizetype i = 0; i < std::max(got.size(), want.size()); ++i)
            QCOMPARE(got.value(i), want.value(i));
    }
}

void TestMetricsExposition::histogramResolvesTheThresholds_data()
{
    QTest::addColumn<qint64>("latencyUs");
    QTest::addColumn<QByteArray>("lowestBucket");
    QTest::newRow("1 ms") << qint64(1'000) << QByteArray("0.005");
    QTest::newRow("exactly 200 ms: at the warning threshold") << qint64(200'000) << QByteArray("0.2");
    QTest::newRow("200.001 ms: over it") << qint64(200'001) << QByteArray("0.4");
    QTest::newRow("exactly 800 ms: at the critical threshold") << qint64(800'000) << QByteArray("0.8");
    QTest::newRow("800.001 ms: over it") << qint64(800'001) << QByteArray("1.6");
    QTest::newRow("a minute") << qint64(60'000'000) << QByteArray("+Inf");
}

void TestMetricsExposition::histogramResolvesTheThresholds()
{
    QFETCH(qint64, latencyUs);
    QFETCH(QByteArray, lowestBucket);
    AppConfig config;
    EndpointConfig e;
    e.name = u"e"_s;
    e.url = QUrl(u"http://127.0.0.1/"_s);
    config.endpoints.append(e);
    MetricsRegistry registry;
    registry.setConfig(config, u"here"_s);
    EngineBatch batch;
    batch.results.append(result(u"e"_s, Outcome::Ok, FailureSignal::None, latencyUs, 200));
    registry.addBatch(batch);
    const QByteArray text = renderMetrics(registry, ExpositionFormat::PrometheusText, u"1"_s);
    // Cumulative: 0 below the lowest bucket that holds the probe, 1 from there on.
    bool reached = false;
    const QList<QByteArray> buckets = samples(text, "signaldeck_probe_duration_seconds_bucket");
    QCOMPARE(buckets.size(), 12);
    for (const QByteArray& line : buckets) {
        reached = reached || line.contains(QByteArray("le=\"" + lowestBucket + '"'));
        QVERIFY2(line.endsWith(reached ? " 1" : " 0"), line.constData());
    }
    QVERIFY(reached);
}

void TestMetricsExposition::negotiation_data()
{
    QTest::addColumn<QByteArray>("accept");
    QTest::addColumn<int>("format");
    const int text = int(ExpositionFormat::PrometheusText);
    const int om = int(ExpositionFormat::OpenMetrics);
    QTest::newRow("none") << QByteArray() << text;
    QTest::newRow("curl") << QByteArray("*/*") << text;
    QTest::newRow("Prometheus 2.42") << QByteArray("application/openmetrics-text;version=1.0.0,application/"
                                                   "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;"
                                                   "q=0.5,*/*;q=0.1")
                                     << om;
    QTest::newRow("text only") << QByteArray("text/plain;version=0.0.4") << text;
    QTest::newRow("case and spaces") << QByteArray("text/plain, Application/OpenMetrics-Text ; version=1.0.0") << om;
    QTest::newRow("refused with q=0") << QByteArray("application/openmetrics-text; q=0, text/plain") << text;
}

void TestMetricsExposition::negotiation()
{
    QFETCH(QByteArray, accept);
    QFETCH(int, format);
    QCOMPARE(int(negotiateExposition(accept)), format);
    QCOMPARE(expositionContentType(static_cast<ExpositionFormat>(format)),
        format == int(ExpositionFormat::OpenMetrics)
            ? QByteArray("application/openmetrics-text; version=1.0.0; charset=utf-8")
            : QByteArray("text/plain; version=0.0.4; charset=utf-8"));
}

void TestMetricsExposition::reloadKeepsTheCountersOfKeptEndpoints()
{
    MetricsRegistry registry = fixtureRegistry();
    AppConfig next = fixtureConfig();
    next.endpoints.removeAt(1);
    next.endpoints[0].url = QUrl(u"https://api.example.com/v2/orders"_s);
    registry.setConfig(next, u"eu-west-2"_s);
    const QByteArray text = renderMetrics(registry, ExpositionFormat::PrometheusText, u"1"_s);
    QVERIFY(!text.contains("say"));
    QVERIFY(text.contains("signaldeck_endpoints{location=\"eu-west-2\"} 2\n"));
    QVERIFY2(text.contains("signaldeck_probes_total{endpoint=\"orders\",location=\"eu-west-2\",url=\"https://"
                           "api.example.com/v2/orders\",tags=\"eu,prod\",outcome=\"ok\",signal=\"none\"} 2\n"),
        text.constData());
}

void TestMetricsExposition::readyOnceEveryEndpointProbedOrPaused()
{
    MetricsRegistry registry;
    QVERIFY(registry.allProbedOnce());
    registry.setConfig(fixtureConfig(), u"x"_s);
    QVERIFY(!registry.allProbedOnce());
    registry.addBatch(fixtureBatch());
    QVERIFY(!registry.allProbedOnce()); // "idle" has not been probed
    EngineBatch paused;
    EndpointStatus idle = status(u"idle"_s);
    idle.pausedBecause = u"credential unavailable: no OS keychain"_s;
    paused.statuses.append(idle);
    registry.addBatch(paused);
    QVERIFY(registry.allProbedOnce());
}

void TestMetricsExposition::noFreeTextInLabels()
{
    const QByteArray text = renderMetrics(fixtureRegistry(), ExpositionFormat::OpenMetrics, u"1"_s);
    QVERIFY(!text.contains("free text"));
    QVERIFY(!text.contains("pw@")); // user info of a URL
    QVERIFY(!text.contains("not in the config"));
}

QTEST_GUILESS_MAIN(TestMetricsExposition)
#include "tst_metricsexposition.moc"
