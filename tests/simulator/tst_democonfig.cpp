// SPDX-License-Identifier: GPL-3.0-or-later
// The demo config against the running simulator: it loads with the real config reader, and the first probe
// of its endpoints, judged by the real classifier, raises every one of the four signals. Its one credential
// names no secret: the endpoint that uses it is refused until it presents the token the simulator accepts.
#include "HttpFetch.h"

#include "config/ConfigLoader.h"
#include "health/Classifier.h"
#include "simulator/Simulator.h"

#include <QFile>
#include <QSet>
#include <QTest>

using namespace sd;
using namespace sd::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class tst_DemoConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void loadsWithThePlaceholdersReplaced();
    void firstProbesRaiseEverySignal();
    void credentialEndpointWantsTheAcceptedToken_data();
    void credentialEndpointWantsTheAcceptedToken();

private:
    std::optional<AppConfig> load();

    Simulator m_sim;
    QByteArray m_text;
};

void tst_DemoConfig::initTestCase()
{
    QVERIFY2(m_sim.start(), qPrintable(m_sim.errorString()));
    QFile file(QStringLiteral(SIGNALDECK_DEMO_CONFIG));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    m_text = file.readAll();
}

std::optional<AppConfig> tst_DemoConfig::load()
{
    const ConfigParseResult parsed = parseConfig(m_sim.expandPlaceholders(m_text));
    if (!parsed.ok())
        qWarning().noquote() << parsed.errorText();
    return parsed.config;
}

void tst_DemoConfig::loadsWithThePlaceholdersReplaced()
{
    // The file names no port: the loader substitutes the running simulator's addresses.
    QVERIFY(m_text.contains("${SIMULATOR}/"));
    QVERIFY(m_text.contains("${SIMULATOR_RAW}/"));
    QVERIFY(!m_text.contains("127.0.0.1"));

    const auto config = load();
    QVERIFY(config);
    QCOMPARE(config->version, 1);
    // One credential to rotate in the demo: metadata only, no fingerprint before the operator stores a secret.
    QCOMPARE(config->credentials.size(), 1);
    const CredentialConfig& credential = config->credentials.constFirst();
    QCOMPARE(credential.id, u"demo-llm"_s);
    QCOMPARE(credential.scheme, u"bearer"_s);
    QVERIFY(credential.fingerprint.isEmpty() && !credential.rotated.isValid() && !credential.oauth2);
    QVERIFY(config->endpoints.size() >= 10);
    int usingTheCredential = 0;
    for (const EndpointConfig& endpoint : config->endpoints) {
        QVERIFY2(endpoint.interval >= 5s && endpoint.interval <= 10s, qPrintable(endpoint.name));
        if (!endpoint.credential.isEmpty()) {
            ++usingTheCredential;
            QCOMPARE(endpoint.credential, credential.id);
            QCOMPARE(endpoint.url.path(), u"/auth/bearer"_s);
            QVERIFY2(endpoint.tags.contains(u"S2"_s), qPrintable(endpoint.name));
        }
        QVERIFY2(endpoint.tags.contains(u"demo"_s), qPrintable(endpoint.name));
        const QString path = endpoint.url.path();
        const bool known = std::any_of(Simulator::routes().cbegin(), Simulator::routes().cend(),
            [&](const SimulatorRoute& route) { return route.path == path; });
        QVERIFY2(known, qPrintable(endpoint.name + u": "_s + path));
        QCOMPARE(endpoint.url.port(), int(SimulatorRoute::isRawFault(path) ? m_sim.rawPort() : m_sim.port()));
        // Endpoints that hang must not wait for the adaptive default of up to 10 s: `--demo --check` waits one
        // timeout of theirs (docs/CLI.md "--check"), a user trying the demo a second.
        if (path == u"/hang")
            QVERIFY(!endpoint.adaptiveTimeout && endpoint.timeout <= 1s);
    }
    QCOMPARE(usingTheCredential, 2); // so that Verify shows more than one answer
}

void tst_DemoConfig::firstProbesRaiseEverySignal()
{
    const auto config = load();
    QVERIFY(config);
    QNetworkAccessManager nam;
    QList<FetchRequest> requests;
    for (const EndpointConfig& endpoint : config->endpoints) {
        FetchRequest request
            = getRequest(nam, endpoint.url, endpoint.adaptiveTimeout ? 10'000 : int(endpoint.timeout.count()));
        request.method = endpoint.method;
        request.body = endpoint.body;
        request.headers = endpoint.headers;
        requests.append(request);
    }
    FetchBatch batch(requests);
    QVERIFY(batch.wait(15'000));

    QSet<FailureSignal> raised;
    for (qsizetype i = 0; i < requests.size(); ++i) {
        const EndpointConfig& endpoint = config->endpoints[i];
        const Fetched& answer = batch.results()[i];
        ProbeFacts facts;
        facts.httpStatus = answer.status;
        facts.body = answer.body;
        facts.bytesRead = answer.body.size();
        facts.latencyUs = static_cast<qint64>(answer.elapsedMs * 1000.0);
        for (const auto& header : answer.headers)
            facts.headers.append(header);
        // Network-layer errors only; an HTTP error status is the classifier's to judge.
        if (answer.error == QNetworkReply::OperationCanceledError)
            facts.transportError = TransportError::DeadlineExpired; // our transfer timeout
        else if (answer.error == QNetworkReply::RemoteHostClosedError)
            facts.transportError = TransportError::ConnectionClosed;
        else if (answer.error != QNetworkReply::NoError && answer.status == 0)
            facts.transportError = TransportError::Other;

        const Classification verdict = classify(endpoint, facts, QDateTime::currentDateTimeUtc());
        const QString what = endpoint.name + u": "_s + verdict.reason;
        if (endpoint.tags.contains(u"healthy"_s))
            QVERIFY2(verdict.outcome == Outcome::Ok, qPrintable(what));
        for (FailureSignal signal : kAllSignals) {
            if (endpoint.tags.contains(signalCode(signal)))
                QVERIFY2(verdict.signal == signal, qPrintable(what));
        }
        if (verdict.signal != FailureSignal::None)
            raised.insert(verdict.signal);
    }
    for (FailureSignal signal : kAllSignals)
        QVERIFY2(raised.contains(signal), qPrintable(signalCode(signal)));
}

void tst_DemoConfig::credentialEndpointWantsTheAcceptedToken_data()
{
    QTest::addColumn<QByteArray>("presented"); // "accepted" stands for the token the simulator accepts
    QTest::addColumn<bool>("ok");
    QTest::newRow("no token") << QByteArray() << false;
    QTest::newRow("another token") << QByteArray("not-the-demo-token") << false;
    QTest::newRow("the accepted token") << QByteArray("accepted") << true;
}

void tst_DemoConfig::credentialEndpointWantsTheAcceptedToken()
{
    QFETCH(QByteArray, presented);
    QFETCH(bool, ok);
    const auto config = load();
    QVERIFY(config);
    const auto endpoint = std::find_if(config->endpoints.cbegin(), config->endpoints.cend(),
        [](const EndpointConfig& e) { return !e.credential.isEmpty(); });
    QVERIFY(endpoint != config->endpoints.cend());
    // Every S2 endpoint of the demo uses the credential, so that one rotation turns the S2 tile OK.
    for (const EndpointConfig& e : config->endpoints)
        QVERIFY2(!e.tags.contains(u"S2"_s) || e.credential == endpoint->credential, qPrintable(e.name));
    // DemoEnvironment makes up the accepted token at start; here the test plays that part.
    const QByteArray accepted = QByteArray("demo-") + QByteArray::number(QDateTime::currentMSecsSinceEpoch());
    m_sim.setAcceptedTokens({ accepted });
    QNetworkAccessManager nam;
    FetchRequest request = getRequest(nam, endpoint->url);
    if (!presented.isEmpty())
        request.headers.append({ "Authorization", "Bearer " + (presented == "accepted" ? accepted : presented) });
    const Fetched answer = fetch(request);
    m_sim.setAcceptedTokens({});
    QVERIFY(answer.finished);

    ProbeFacts facts;
    facts.httpStatus = answer.status;
    facts.body = answer.body;
    for (const auto& header : answer.headers)
        facts.headers.append(header);
    const Classification verdict = classify(*endpoint, facts, QDateTime::currentDateTimeUtc());
    QVERIFY2((verdict.outcome == Outcome::Ok) == ok, qPrintable(verdict.reason));
    if (!ok)
        QCOMPARE(verdict.signal, FailureSignal::S2);
}

QTEST_GUILESS_MAIN(tst_DemoConfig)
#include "tst_democonfig.moc"
