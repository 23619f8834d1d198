// SPDX-License-Identifier: GPL-3.0-or-later
#include "../credentials/TestSecrets.h"
#include "config/ConfigLoader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace sd;

namespace {

// The example of docs/CONFIG.md, verbatim.
const QByteArray kDesignExample = R"json({
  "version": 1,
  "thresholds": { "latencyWarn": "200ms", "latencyCritical": "800ms",
                  "errorRateWarn": 0.05, "errorRateCritical": 0.5, "window": 20 },
  "credentials": [
    { "id": "llm-prod", "label": "LLM API (prod)", "scheme": "bearer", "rotationDays": 90 }
  ],
  "endpoints": [
    { "name": "chat-completions",
      "url": "https://api.example.com/v1/chat/completions",
      "method": "POST",
      "kind": "http",
      "headers": { "Content-Type": "application/json" },
      "body": "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}",
      "interval": "10s",
      "timeout": "adaptive", "timeoutMin": "1s", "timeoutMax": "10s",
      "expectStatus": [200],
      "checks": [ { "jsonPointer": "/object", "equals": "chat.completion" }, { "contains": "choices" } ],
      "errorCodes": { "pointer": "/error/code",
                      "map": [ { "from": 500100, "to": 500199, "signal": "S1" } ] },
      "credential": "llm-prod",
      "maxBodyBytes": 65536,
      "freshConnection": false,
      "tags": ["prod", "llm"] }
  ]
})json";

// A config with one endpoint "a" and the given extra fields (each starting with a comma).
QByteArray endpointWith(const char* fields)
{
    return QByteArrayLiteral(R"({"version": 1, "endpoints": [{"name": "a", "url": "https://api.example.com/")") + fields
        + QByteArrayLiteral("}]}");
}

// A config with one credential "c" and the given extra fields (each starting with a comma).
QByteArray credentialWith(const char* fields)
{
    return QByteArrayLiteral(R"({"version": 1, "credentials": [{"id": "c")") + fields + QByteArrayLiteral("}]}");
}

QStringList errorLines(const ConfigParseResult& result)
{
    QStringList lines;
    for (const ConfigError& error : result.errors)
        lines.append(error.toString());
    return lines;
}

EndpointConfig endpoint(const QString& name, const QString& url)
{
    EndpointConfig endpoint;
    endpoint.name = name;
    endpoint.url = QUrl(url);
    return endpoint;
}

// Every field away from its default, so that a writer that drops or mangles any of them is caught.
AppConfig richConfig()
{
    AppConfig config;
    config.location = u"eu-west \"dc1\""_s;
    config.thresholds.latencyWarn = 150ms;
    config.thresholds.latencyCritical = 1500ms;
    config.thresholds.errorRateWarn = 0.1;
    config.thresholds.errorRateCritical = 0.75;
    config.thresholds.window = 50;

    CredentialConfig bearer;
    bearer.id = u"llm-prod"_s;
    bearer.label = u"LLM API (prod)"_s;
    bearer.created = QDateTime(QDate(2025, 1, 31), QTime(12, 0, 5), Qt::UTC);
    bearer.rotated = QDateTime(QDate(2025, 3, 1), QTime(8, 30), Qt::UTC);
    bearer.fingerprint = u"0a1b2c3d"_s;
    bearer.expires = QDateTime(QDate(2025, 6, 1), QTime(0, 0), Qt::UTC);
    config.credentials.append(bearer);

    CredentialConfig apiKey;
    apiKey.id = u"pay-key"_s;
    apiKey.scheme = u"header:X-Api-Key"_s;
    apiKey.rotationDays = 30;
    config.credentials.append(apiKey);

    CredentialConfig oauth;
    oauth.id = u"oauth"_s;
    oauth.scheme = u"basic"_s;
    oauth.oauth2 = OAuth2Config { QUrl(u"https://auth.example.com/oauth/token"_s), u"signaldeck"_s, u"read probe"_s };
    config.credentials.append(oauth);

    EndpointConfig chat = endpoint(u"chat"_s, u"https://api.example.com/v1/chat/completions?stream=false"_s);
    chat.method = "POST";
    // Sorted by name: JSON objects come back sorted.
    chat.headers = { { "Accept", "application/json" }, { "Content-Type", "application/json" },
        { "X-Client", "SignalDeck \xC3\xBC" } };
    chat.body = R"({"model":"m","messages":[]})";
    chat.interval = 10s;
    chat.timeoutMin = 500ms;
    chat.timeoutMax = 20s;
    chat.expectStatus = { 200, 201 };
    BodyCheck equalsString { BodyCheck::Kind::JsonPointerEquals, {}, u"/object"_s, u"chat.completion"_s };
    BodyCheck equalsNumber { BodyCheck::Kind::JsonPointerEquals, {}, u"/choices/0/index"_s, 0 };
    BodyCheck equalsNull { BodyCheck::Kind::JsonPointerEquals, {}, u"/error"_s, QJsonValue(QJsonValue::Null) };
    BodyCheck equalsObject { BodyCheck::Kind::JsonPointerEquals, {}, u""_s,
        QJsonObject { { u"ok"_s, true }, { u"list"_s, QJsonArray { 1, u"two"_s } } } };
    BodyCheck contains { BodyCheck::Kind::Contains, u"choices"_s, {}, {} };
    chat.checks = { equalsString, equalsNumber, equalsNull, equalsObject, contains };
    chat.errorCodes.pointer = u"/error/code"_s;
    chat.errorCodes.rules = { { 500100, 500199, FailureSignal::S1 }, { 401001, 401001, FailureSignal::S2 },
        { -32602, -32602, FailureSignal::S3 }, { 429000, 429999, FailureSignal::S4 } };
    chat.credential = u"llm-prod"_s;
    chat.maxBodyBytes = qint64 { 1024 } * 1024;
    chat.freshConnection = true;
    chat.tags = { u"prod"_s, u"llm"_s };
    config.endpoints.append(chat);

    EndpointConfig rpc = endpoint(u"rpc"_s, u"http://127.0.0.1:8545/"_s);
    rpc.kind = EndpointKind::JsonRpc;
    rpc.method = "POST";
    rpc.body = R"({"jsonrpc":"2.0","method":"eth_blockNumber","params":[],"id":1})";
    rpc.adaptiveTimeout = false;
    rpc.timeout = 1500ms;
    rpc.credential = u"pay-key"_s;
    config.endpoints.append(rpc);

    EndpointConfig head = endpoint(u"health head"_s, u"https://status.example.com/a%20b/health"_s);
    head.method = "HEAD";
    head.interval = 24h;
    head.adaptiveTimeout = false;
    head.timeout = 10min;
    config.endpoints.append(head);

    SourceConfig prometheus;
    prometheus.url = QUrl(u"http://prometheus.example.net:9090"_s);
    prometheus.match = uR"({job="signaldeck",env=~"prod|staging"})"_s;
    config.sources.append(prometheus);
    SourceConfig blackbox;
    blackbox.kind = SourceConfig::Kind::Blackbox;
    blackbox.url = QUrl(u"https://prom.example.net/prometheus"_s);
    blackbox.name = u"blackbox fleet"_s;
    blackbox.interval = 30s;
    blackbox.timeout = 2500ms;
    blackbox.locationLabel = u"region"_s;
    blackbox.endpointLabel = u"target"_s;
    config.sources.append(blackbox);
    return config;
}

ino_t inodeOf(const QString& path)
{
    struct stat info { };
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return 0;
    return info.st_ino;
}

void writeFile(const QString& path, const QByteArray& contents)
{
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(file.errorString()));
    QCOMPARE(file.write(contents), contents.size());
}

QByteArray readFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

class TestConfigLoader : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void designExampleParses();
    void credentialMetadataIsUtcWithWholeSeconds();
    void minimalConfigGetsTheDefaults();
    void jsonRpcWithoutMethodIsPosted();
    void validationRule_data();
    void validationRule();
    void collectsEveryError();
    void invalidDocumentsAreErrorsNotCrashes_data();
    void invalidDocumentsAreErrorsNotCrashes();
    void secretHeaders_data();
    void secretHeaders();

    void roundTrip_data();
    void roundTrip();
    void writesOnlyNonDefaultFields();
    void tlsMergesGlobalIntoEndpointsAndWritesBackWhereSet();
    void certificateFileMustHoldACertificateAndNoKey();
    void endpointIdsAreKeptOrDerivedFromTheName();

    void saveCreatesTheDirectoryAndLoadsBack();
    void saveReplacesTheFileAtomically();
    void saveToUnwritablePathFailsNamingThePath_data();
    void saveToUnwritablePathFailsNamingThePath();
    void saveRefusesAnInvalidConfig();

    void loadMissingFile();
    void loadDirectoryOrEmptyFile();
    void loadSyntaxErrorGivesLineAndColumn_data();
    void loadSyntaxErrorGivesLineAndColumn();
    void loadNeverWrites();
    void defaultConfigPathIsInAppConfigLocation();
};

void TestConfigLoader::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestConfigLoader::credentialMetadataIsUtcWithWholeSeconds()
{
    const ConfigParseResult result = parseConfig(credentialWith(
        R"(, "created": "2025-01-31T14:00:00.750+02:00", "rotated": "2025-02-01T00:00:00Z", "fingerprint": "deadbeef")"));
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
    const CredentialConfig& c = result.config->credentials.first();
    QCOMPARE(c.created, QDateTime(QDate(2025, 1, 31), QTime(12, 0), Qt::UTC));
    QCOMPARE(c.created.timeSpec(), Qt::UTC);
    QCOMPARE(c.rotated, QDateTime(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC));
    QCOMPARE(c.fingerprint, u"deadbeef"_s);
    QVERIFY(!c.expires.isValid());
    // Written back in UTC, the form an operator reads in the file.
    const QByteArray json = configToJson(*result.config);
    QVERIFY2(json.contains(R"("created": "2025-01-31T12:00:00Z")"), json.constData());
    QVERIFY(!json.contains("expires"));
}

void TestConfigLoader::designExampleParses()
{
    const ConfigParseResult result = parseConfig(kDesignExample);
    QVERIFY2(result.ok(), qPrintable(result.errorText()));

    AppConfig expected;
    CredentialConfig credential;
    credential.id = u"llm-prod"_s;
    credential.label = u"LLM API (prod)"_s;
    credential.scheme = u"bearer"_s;
    credential.rotationDays = 90;
    expected.credentials.append(credential);

    EndpointConfig chat = endpoint(u"chat-completions"_s, u"https://api.example.com/v1/chat/completions"_s);
    chat.method = "POST";
    chat.kind = EndpointKind::Http;
    chat.headers = { { "Content-Type", "application/json" } };
    chat.body = R"({"model":"m","messages":[{"role":"user","content":"ping"}]})";
    chat.interval = 10s;
    chat.adaptiveTimeout = true;
    chat.timeoutMin = 1s;
    chat.timeoutMax = 10s;
    chat.expectStatus = { 200 };
    chat.checks = { { BodyCheck::Kind::JsonPointerEquals, {}, u"/object"_s, u"chat.completion"_s },
        { BodyCheck::Kind::Contains, u"choices"_s, {}, {} } };
    chat.errorCodes = { u"/error/code"_s, { { 500100, 500199, FailureSignal::S1 } } };
    chat.credential = u"llm-prod"_s;
    chat.maxBodyBytes = 65536;
    chat.freshConnection = false;
    chat.tags = { u"prod"_s, u"llm"_s };
    chat.id = endpointIdFromName(chat.name); // no `id` in the file: derived from the name
    expected.endpoints.append(chat);

    const AppConfig& actual = *result.config;
    QCOMPARE(actual.version, 1);
    QVERIFY(actual.thresholds == expected.thresholds);
    QCOMPARE(actual.credentials.size(), 1);
    QVERIFY(actual.credentials.first() == credential);
    QCOMPARE(actual.endpoints.size(), 1);
    const EndpointConfig& parsed = actual.endpoints.first();
    QCOMPARE(parsed.url, chat.url);
    QCOMPARE(parsed.body, chat.body);
    QCOMPARE(parsed.headers, chat.headers);
    QCOMPARE(parsed.checks.size(), 2);
    QVERIFY(parsed.checks == chat.checks);
    QVERIFY(parsed.errorCodes == chat.errorCodes);
    QVERIFY(parsed == chat);
    QVERIFY(actual == expected);
}

void TestConfigLoader::minimalConfigGetsTheDefaults()
{
    const ConfigParseResult result
        = parseConfig(R"({"version": 1, "endpoints": [{"name": "status", "url": "https://api.example.com/status"}]})");
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
    const AppConfig& config = *result.config;

    // The defaults of docs/CONFIG.md, spelled out rather than taken from the structs under test.
    QVERIFY(config.location.isEmpty()); // the host name, resolved by the headless prober
    QCOMPARE(config.thresholds.latencyWarn, 200ms);
    QCOMPARE(config.thresholds.latencyCritical, 800ms);
    QCOMPARE(config.thresholds.errorRateWarn, 0.05);
    QCOMPARE(config.thresholds.errorRateCritical, 0.5);
    QCOMPARE(config.thresholds.window, 20);
    QVERIFY(!config.limits.maxProbesPerSecond); // the default cap fits the demand (RateBudget)
    QCOMPARE(config.transport, TransportKind::Curl);
    QVERIFY(config.credentials.isEmpty());
    QCOMPARE(config.endpoints.size(), 1);
    const EndpointConfig& ep = config.endpoints.first();
    QCOMPARE(ep.name, u"status"_s);
    QCOMPARE(ep.url, QUrl(u"https://api.example.com/status"_s));
    QCOMPARE(ep.method, QByteArray("GET"));
    QCOMPARE(ep.kind, EndpointKind::Http);
    QVERIFY(ep.headers.isEmpty());
    QVERIFY(ep.body.isEmpty());
    QCOMPARE(ep.interval, 30s);
    QVERIFY(ep.adaptiveTimeout);
    QCOMPARE(ep.timeoutMin, 1s);
    QCOMPARE(ep.timeoutMax, 10s);
    QVERIFY(ep.expectStatus.isEmpty());
    QVERIFY(ep.checks.isEmpty());
    QVERIFY(ep.errorCodes.pointer.isEmpty());
    QVERIFY(ep.credential.isEmpty());
    QCOMPARE(ep.maxBodyBytes, 65536);
    QCOMPARE(ep.freshConnection, false);
    QVERIFY(ep.tags.isEmpty());

    // Only version is required at the top level.
    const ConfigParseResult empty = parseConfig(R"({"version": 1})");
    QVERIFY2(empty.ok(), qPrintable(empty.errorText()));
    QVERIFY(empty.config->endpoints.isEmpty());
}

void TestConfigLoader::jsonRpcWithoutMethodIsPosted()
{
    const ConfigParseResult result = parseConfig(endpointWith(R"(, "kind": "jsonrpc")"));
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
    QCOMPARE(result.config->endpoints.first().kind, EndpointKind::JsonRpc);
    QCOMPARE(result.config->endpoints.first().method, QByteArray("POST"));

    const ConfigParseResult fixed = parseConfig(endpointWith(R"(, "timeout": "2s")"));
    QVERIFY2(fixed.ok(), qPrintable(fixed.errorText()));
    QVERIFY(!fixed.config->endpoints.first().adaptiveTimeout);
    QCOMPARE(fixed.config->endpoints.first().timeout, 2s);
}

void TestConfigLoader::validationRule_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");

    const QString secret = u"secrets belong in a credential (OS keychain), not in the config"_s;
    const QString required = u"required key is missing"_s;
    const QString durationFormat = u"must be a duration such as \"10s\" (an integer and a unit: ms, s, m or h)"_s;

    // Document and top level
    QTest::newRow("document not an object")
        << QByteArray("[]") << QString() << u"the config must be a JSON object ({ … })"_s;
    QTest::newRow("version missing") << QByteArray("{}") << u"version"_s << required;
    QTest::newRow("version 2") << QByteArray(R"({"version": 2})") << u"version"_s
                               << u"unsupported version 2; this SignalDeck reads version 1"_s;
    QTest::newRow("version as string") << QByteArray(R"({"version": "1"})") << u"version"_s << u"must be an integer"_s;
    QTest::newRow("unknown top-level key")
        << QByteArray(R"({"version": 1, "endpoint": []})") << u"endpoint"_s << u"unknown key"_s;
    QTest::newRow("location empty") << QByteArray(R"({"version": 1, "location": ""})") << u"location"_s
                                    << u"must not be empty"_s;
    QTest::newRow("source without a kind")
        << QByteArray(R"({"version": 1, "sources": [{"match": "{job=\"x\"}"}]})") << u"sources[0]"_s
        << u"needs \"prometheus\" or \"blackbox\" with the Prometheus URL, as in {\"prometheus\": \"http://127.0.0.1:9090\"}"_s;
    QTest::newRow("source with both kinds")
        << QByteArray(R"({"version": 1, "sources": [{"prometheus": "http://a:9090", "blackbox": "http://a:9090"}]})")
        << u"sources[0]"_s << u"has both \"prometheus\" and \"blackbox\": give one kind per source"_s;
    QTest::newRow("source URL not http") << QByteArray(R"({"version": 1, "sources": [{"prometheus": "ftp://a:9090"}]})")
                                         << u"sources[0].prometheus"_s
                                         << u"scheme must be http or https, not \"ftp\""_s;
    QTest::newRow("source URL with a query")
        << QByteArray(R"({"version": 1, "sources": [{"blackbox": "http://a:9090/?x=1"}]})") << u"sources[0].blackbox"_s
        << u"give the Prometheus base URL only, without user info, query or fragment"_s;
    QTest::newRow("source match without braces")
        << QByteArray(R"({"version": 1, "sources": [{"prometheus": "http://a:9090", "match": "job=\"x\""}]})")
        << u"sources[0].match"_s
        << u"must be a series selector in braces, as in {job=\"signaldeck\"}, not \"job=\"x\"\""_s;
    QTest::newRow("source match naming the metric")
        << QByteArray(R"({"version": 1, "sources": [{"prometheus": "http://a:9090", "match": "{__name__=\"up\"}"}]})")
        << u"sources[0].match"_s
        << u"must be one line and must not name the metric (__name__): the source chooses the series it reads"_s;
    QTest::newRow("source interval too short")
        << QByteArray(R"({"version": 1, "sources": [{"prometheus": "http://a:9090", "interval": "100ms"}]})")
        << u"sources[0].interval"_s << u"must be at least 1s"_s;
    QTest::newRow("source locationLabel on a prometheus source")
        << QByteArray(R"({"version": 1, "sources": [{"prometheus": "http://a:9090", "locationLabel": "region"}]})")
        << u"sources[0].locationLabel"_s << u"applies to \"blackbox\" sources only"_s;
    QTest::newRow("source endpointLabel not a label name")
        << QByteArray(R"({"version": 1, "sources": [{"blackbox": "http://a:9090", "endpointLabel": "a-b"}]})")
        << u"sources[0].endpointLabel"_s << u"must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*), not \"a-b\""_s;
    QTest::newRow("source unknown key") << QByteArray(
        R"({"version": 1, "sources": [{"prometheus": "http://a:9090", "query": "up"}]})")
                                        << u"sources[0].query"_s << u"unknown key"_s;
    QTest::newRow("sources not an array") << QByteArray(R"({"version": 1, "sources": {"prometheus": "http://a:9090"}})")
                                          << u"sources"_s << u"must be an array"_s;
    QTest::newRow("location not a string")
        << QByteArray(R"({"version": 1, "location": 3})") << u"location"_s << u"must be a string"_s;
    QTest::newRow("unknown key, odd name")
        << QByteArray(R"({"version": 1, "a.b \"c\"": 1})") << u"[\"a.b \\\"c\\\"\"]"_s << u"unknown key"_s;
    QTest::newRow("limits not an object")
        << QByteArray(R"({"version": 1, "limits": 200})") << u"limits"_s << u"must be an object"_s;
    QTest::newRow("limits: unknown key") << QByteArray(R"({"version": 1, "limits": {"maxProbes": 200}})")
                                         << u"limits.maxProbes"_s << u"unknown key"_s;
    QTest::newRow("maxProbesPerSecond as string")
        << QByteArray(R"({"version": 1, "limits": {"maxProbesPerSecond": "200"}})") << u"limits.maxProbesPerSecond"_s
        << u"must be a number of probes per second"_s;
    QTest::newRow("maxProbesPerSecond zero")
        << QByteArray(R"({"version": 1, "limits": {"maxProbesPerSecond": 0}})") << u"limits.maxProbesPerSecond"_s
        << u"must be between 1/60 (one probe a minute) and 20000"_s;
    QTest::newRow("maxProbesPerSecond too high")
        << QByteArray(R"({"version": 1, "limits": {"maxProbesPerSecond": 1e6}})") << u"limits.maxProbesPerSecond"_s
        << u"must be between 1/60 (one probe a minute) and 20000"_s;
    QTest::newRow("transport unknown") << QByteArray(R"({"version": 1, "transport": "libcurl"})") << u"transport"_s
                                       << u"must be \"qt\" or \"curl\", not \"libcurl\""_s;
    QTest::newRow("transport not a string")
        << QByteArray(R"({"version": 1, "transport": 1})") << u"transport"_s << u"must be a string"_s;
    QTest::newRow("endpoints not an array")
        << QByteArray(R"({"version": 1, "endpoints": {}})") << u"endpoints"_s << u"must be an array"_s;
    QTest::newRow("endpoint not an object")
        << QByteArray(R"({"version": 1, "endpoints": ["a"]})") << u"endpoints[0]"_s << u"must be an object"_s;

    // Duplicate keys: QJsonDocument keeps the last one silently (issue 11).
    const QString duplicate = u"duplicate key"_s;
    QTest::newRow("duplicate url in third endpoint") << QByteArray(R"({"version": 1, "endpoints": [
               {"name": "a", "url": "https://a.example.com/"}, {"name": "b", "url": "https://b.example.com/"},
               {"name": "c", "url": "https://c.example.com/", "url": "https://evil.example.com/"}]})")
                                                     << u"endpoints[2].url"_s << duplicate;
    QTest::newRow("duplicate top-level key")
        << QByteArray(R"({"version": 1, "endpoints": [], "version": 1})") << u"version"_s << duplicate;
    QTest::newRow("duplicate header, escaped spelling")
        << QByteArray(R"({"version": 1, "endpoints": [{"name": "a", "url": "https://a.example.com/",
               "headers": {"X-A": "1", "X\u002dA": "2"}}]})")
        << u"endpoints[0].headers.X-A"_s << duplicate;
    QTest::newRow("duplicate key in a check")
        << QByteArray(R"({"version": 1, "endpoints": [{"name": "a", "url": "https://a.example.com/",
               "checks": [{"contains": "x"}, {"contains": "y", "contains": "z"}]}]})")
        << u"endpoints[0].checks[1].contains"_s << duplicate;

    // Headers the transport owns
    const QString owned = u"set by the HTTP transport itself; not allowed in the config"_s;
    for (const char* header : { "Host", "content-length", "Transfer-Encoding", "CONNECTION" }) {
        QTest::addRow("transport header %s", header)
            << QByteArray(R"({"version": 1, "endpoints": [{"name": "a", "url": "https://a.example.com/",
               "headers": {")")
                + header + R"(": "x"}}]})"
            << u"endpoints[0].headers."_s + QString::fromLatin1(header) << owned;
    }

    // Endpoint: names and URLs
    QTest::newRow("misspelt key in third endpoint") << QByteArray(R"({"version": 1, "endpoints": [
               {"name": "a", "url": "https://a.example.com/"}, {"name": "b", "url": "https://b.example.com/"},
               {"name": "c", "url": "https://c.example.com/", "intervall": "10s"}]})")
                                                    << u"endpoints[2].intervall"_s << u"unknown key"_s;
    QTest::newRow("name missing") << QByteArray(R"({"version": 1, "endpoints": [{"url": "https://a.example.com/"}]})")
                                  << u"endpoints[0].name"_s << required;
    QTest::newRow("name empty") << QByteArray(
        R"({"version": 1, "endpoints": [{"name": "", "url": "https://a.example.com/"}]})")
                                << u"endpoints[0].name"_s << u"must not be empty"_s;
    QTest::newRow("name not a string") << QByteArray(
        R"({"version": 1, "endpoints": [{"name": 7, "url": "https://a.example.com/"}]})")
                                       << u"endpoints[0].name"_s << u"must be a string"_s;
    QTest::newRow("duplicate name") << QByteArray(R"({"version": 1, "endpoints": [
                                           {"name": "a", "url": "https://a.example.com/"},
                                           {"name": "a", "url": "https://b.example.com/"}]})")
                                    << u"endpoints[1].name"_s << u"duplicate name \"a\" (also endpoints[0])"_s;
    QTest::newRow("url missing") << QByteArray(R"({"version": 1, "endpoints": [{"name": "a"}]})")
                                 << u"endpoints[0].url"_s << required;
    QTest::newRow("url empty") << QByteArray(R"({"version": 1, "endpoints": [{"name": "a", "url": ""}]})")
                               << u"endpoints[0].url"_s << u"must not be empty"_s;
    QTest::newRow("url ftp") << QByteArray(
        R"({"version": 1, "endpoints": [{"name": "a", "url": "ftp://files.example.com/"}]})")
                             << u"endpoints[0].url"_s << u"scheme must be http or https, not \"ftp\""_s;
    QTest::newRow("url without scheme") << QByteArray(
        R"({"version": 1, "endpoints": [{"name": "a", "url": "api.example.com/v1"}]})")
                                        << u"endpoints[0].url"_s
                                        << u"needs a scheme: write http:// or https:// in front"_s;
    QTest::newRow("url without host") << QByteArray(
        R"({"version": 1, "endpoints": [{"name": "a", "url": "https://"}]})")
                                      << u"endpoints[0].url"_s << u"needs a host, as in https://api.example.com/"_s;
    QTest::newRow("url malformed") << QByteArray(
        R"({"version": 1, "endpoints": [{"name": "a", "url": "http://exa mple.com/"}]})")
                                   << u"endpoints[0].url"_s
                                   << u"not a valid URL: Invalid hostname (contains invalid characters)"_s;
    QTest::newRow("url with password") << QByteArray(
        R"({"version": 1, "endpoints": [{"name": "a", "url": "https://me:hunter2@api.example.com/"}]})")
                                       << u"endpoints[0].url"_s << secret;
    QTest::newRow("url with api key") << QByteArray(
        R"({"version": 1, "endpoints": [{"name": "a", "url": "https://api.example.com/v1?api_key=abc"}]})")
                                      << u"endpoints[0].url"_s << secret;

    // Endpoint: method, kind, body
    QTest::newRow("method PUT") << endpointWith(R"(, "method": "PUT")") << u"endpoints[0].method"_s
                                << u"must be GET, HEAD or POST, not \"PUT\""_s;
    QTest::newRow("method lower case") << endpointWith(R"(, "method": "get")") << u"endpoints[0].method"_s
                                       << u"must be GET, HEAD or POST, not \"get\""_s;
    QTest::newRow("kind grpc") << endpointWith(R"(, "kind": "grpc")") << u"endpoints[0].kind"_s
                               << u"must be http or jsonrpc, not \"grpc\""_s;
    QTest::newRow("jsonrpc with GET") << endpointWith(R"(, "kind": "jsonrpc", "method": "GET")")
                                      << u"endpoints[0].method"_s << u"must be POST for kind jsonrpc"_s;
    QTest::newRow("body not a string") << endpointWith(R"(, "body": {"a": 1})") << u"endpoints[0].body"_s
                                       << u"must be a string"_s;

    // Endpoint: interval and timeouts
    QTest::newRow("interval too short") << endpointWith(R"(, "interval": "500ms")") << u"endpoints[0].interval"_s
                                        << u"must be at least 1s"_s;
    QTest::newRow("interval too long") << endpointWith(R"(, "interval": "25h")") << u"endpoints[0].interval"_s
                                       << u"must be at most 24h"_s;
    QTest::newRow("interval without unit")
        << endpointWith(R"(, "interval": "10")") << u"endpoints[0].interval"_s << durationFormat;
    QTest::newRow("interval as number") << endpointWith(R"(, "interval": 10)") << u"endpoints[0].interval"_s
                                        << durationFormat;
    QTest::newRow("interval negative") << endpointWith(R"(, "interval": "-10s")") << u"endpoints[0].interval"_s
                                       << durationFormat;
    QTest::newRow("timeout garbage") << endpointWith(R"(, "timeout": "fast")") << u"endpoints[0].timeout"_s
                                     << u"must be \"adaptive\" or a duration such as \"5s\""_s;
    QTest::newRow("timeout too short") << endpointWith(R"(, "timeout": "10ms")") << u"endpoints[0].timeout"_s
                                       << u"must be at least 50ms"_s;
    QTest::newRow("timeout too long") << endpointWith(R"(, "timeout": "11m")") << u"endpoints[0].timeout"_s
                                      << u"must be at most 10m"_s;
    QTest::newRow("timeoutMin too short")
        << endpointWith(R"(, "timeoutMin": "1ms")") << u"endpoints[0].timeoutMin"_s << u"must be at least 50ms"_s;
    QTest::newRow("timeoutMin above timeoutMax")
        << endpointWith(R"(, "timeoutMin": "5s", "timeoutMax": "2s")") << u"endpoints[0].timeoutMin"_s
        << u"must not exceed timeoutMax (2s)"_s;
    QTest::newRow("timeoutMax below default timeoutMin")
        << endpointWith(R"(, "timeoutMax": "500ms")") << u"endpoints[0].timeoutMax"_s
        << u"must not be less than timeoutMin (1s)"_s;

    // Endpoint: expected status, checks, error codes
    QTest::newRow("expectStatus not an array")
        << endpointWith(R"(, "expectStatus": 200)") << u"endpoints[0].expectStatus"_s << u"must be an array"_s;
    QTest::newRow("expectStatus below 100") << endpointWith(R"(, "expectStatus": [200, 99])")
                                            << u"endpoints[0].expectStatus[1]"_s << u"must be at least 100"_s;
    QTest::newRow("expectStatus above 599")
        << endpointWith(R"(, "expectStatus": [600])") << u"endpoints[0].expectStatus[0]"_s << u"must be at most 599"_s;
    QTest::newRow("expectStatus fraction")
        << endpointWith(R"(, "expectStatus": [200.5])") << u"endpoints[0].expectStatus[0]"_s << u"must be an integer"_s;
    QTest::newRow("check with both kinds")
        << endpointWith(R"(, "checks": [{"contains": "x", "jsonPointer": "/a", "equals": 1}])")
        << u"endpoints[0].checks[0]"_s << u"use either contains or jsonPointer + equals, not both"_s;
    QTest::newRow("check with neither") << endpointWith(R"(, "checks": [{}])") << u"endpoints[0].checks[0]"_s
                                        << u"needs contains, or jsonPointer and equals"_s;
    QTest::newRow("check pointer without equals")
        << endpointWith(R"(, "checks": [{"jsonPointer": "/a"}])") << u"endpoints[0].checks[0].equals"_s << required;
    QTest::newRow("check equals without pointer")
        << endpointWith(R"(, "checks": [{"equals": null}])") << u"endpoints[0].checks[0].jsonPointer"_s << required;
    QTest::newRow("check pointer without slash")
        << endpointWith(R"(, "checks": [{"jsonPointer": "object", "equals": 1}])")
        << u"endpoints[0].checks[0].jsonPointer"_s << u"must be \"\" or start with \"/\""_s;
    QTest::newRow("check pointer bad escape")
        << endpointWith(R"(, "checks": [{"jsonPointer": "/a~2b", "equals": 1}])")
        << u"endpoints[0].checks[0].jsonPointer"_s << u"\"~\" must be followed by 0 or 1 (~0 stands for ~, ~1 for /)"_s;
    QTest::newRow("check contains empty") << endpointWith(R"(, "checks": [{"contains": ""}])")
                                          << u"endpoints[0].checks[0].contains"_s << u"must not be empty"_s;
    QTest::newRow("check unknown key") << endpointWith(R"(, "checks": [{"contains": "x", "regex": "y"}])")
                                       << u"endpoints[0].checks[0].regex"_s << u"unknown key"_s;
    QTest::newRow("checks on HEAD") << endpointWith(R"(, "method": "HEAD", "checks": [{"contains": "ok"}])")
                                    << u"endpoints[0].checks"_s
                                    << u"a HEAD response has no body to check; use GET or POST"_s;
    QTest::newRow("errorCodes pointer missing")
        << endpointWith(R"(, "errorCodes": {"map": []})") << u"endpoints[0].errorCodes.pointer"_s << required;
    QTest::newRow("errorCodes pointer empty") << endpointWith(R"(, "errorCodes": {"pointer": "", "map": []})")
                                              << u"endpoints[0].errorCodes.pointer"_s << u"must start with \"/\""_s;
    QTest::newRow("errorCodes map missing")
        << endpointWith(R"(, "errorCodes": {"pointer": "/code"})") << u"endpoints[0].errorCodes.map"_s << required;
    QTest::newRow("error code and range")
        << endpointWith(
               R"(, "errorCodes": {"pointer": "/code", "map": [{"code": 1, "from": 1, "to": 2, "signal": "S1"}]})")
        << u"endpoints[0].errorCodes.map[0]"_s << u"use either code or from + to, not both"_s;
    QTest::newRow("error code missing") << endpointWith(
        R"(, "errorCodes": {"pointer": "/code", "map": [{"signal": "S1"}]})")
                                        << u"endpoints[0].errorCodes.map[0]"_s << u"needs code, or from and to"_s;
    QTest::newRow("error range reversed")
        << endpointWith(R"(, "errorCodes": {"pointer": "/code", "map": [{"from": 9, "to": 5, "signal": "S4"}]})")
        << u"endpoints[0].errorCodes.map[0].from"_s << u"must not exceed to (5)"_s;
    QTest::newRow("error range without to")
        << endpointWith(R"(, "errorCodes": {"pointer": "/code", "map": [{"from": 9, "signal": "S4"}]})")
        << u"endpoints[0].errorCodes.map[0].to"_s << required;
    QTest::newRow("error signal S5") << endpointWith(
        R"(, "errorCodes": {"pointer": "/code", "map": [{"code": 7, "signal": "S5"}]})")
                                     << u"endpoints[0].errorCodes.map[0].signal"_s
                                     << u"must be S1, S2, S3 or S4, not \"S5\""_s;
    QTest::newRow("error signal missing")
        << endpointWith(R"(, "errorCodes": {"pointer": "/code", "map": [{"code": 7}]})")
        << u"endpoints[0].errorCodes.map[0].signal"_s << required;
    QTest::newRow("errorCodes on HEAD") << endpointWith(
        R"(, "method": "HEAD", "errorCodes": {"pointer": "/code", "map": []})")
                                        << u"endpoints[0].errorCodes"_s
                                        << u"a HEAD response has no body to check; use GET or POST"_s;

    // Endpoint: credential reference, body cap, flags, tags
    QTest::newRow("credential not defined") << endpointWith(R"(, "credential": "nope")") << u"endpoints[0].credential"_s
                                            << u"no credential with id \"nope\" in credentials"_s;
    QTest::newRow("maxBodyBytes zero") << endpointWith(R"(, "maxBodyBytes": 0)") << u"endpoints[0].maxBodyBytes"_s
                                       << u"must be at least 1"_s;
    QTest::newRow("maxBodyBytes over 64 MiB") << endpointWith(R"(, "maxBodyBytes": 67108865)")
                                              << u"endpoints[0].maxBodyBytes"_s << u"must be at most 67108864"_s;
    QTest::newRow("maxBodyBytes huge") << endpointWith(R"(, "maxBodyBytes": 1e300)") << u"endpoints[0].maxBodyBytes"_s
                                       << u"must be at most 67108864"_s;
    QTest::newRow("freshConnection as string") << endpointWith(R"(, "freshConnection": "yes")")
                                               << u"endpoints[0].freshConnection"_s << u"must be true or false"_s;
    QTest::newRow("tags not an array") << endpointWith(R"(, "tags": "prod")") << u"endpoints[0].tags"_s
                                       << u"must be an array"_s;
    QTest::newRow("tag empty") << endpointWith(R"(, "tags": ["prod", ""])") << u"endpoints[0].tags[1]"_s
                               << u"must not be empty"_s;

    // Endpoint: headers
    QTest::newRow("headers not an object")
        << endpointWith(R"(, "headers": ["Accept: */*"])") << u"endpoints[0].headers"_s << u"must be an object"_s;
    QTest::newRow("header value not a string") << endpointWith(R"(, "headers": {"X-Retries": 3})")
                                               << u"endpoints[0].headers.X-Retries"_s << u"must be a string"_s;
    QTest::newRow("header name invalid") << endpointWith(R"(, "headers": {"X Trace": "1"})")
                                         << u"endpoints[0].headers[\"X Trace\"]"_s << u"not a valid HTTP header name"_s;
    QTest::newRow("header value with line break") << endpointWith(R"(, "headers": {"X-A": "1\r\nX-B: 2"})")
                                                  << u"endpoints[0].headers.X-A"_s << u"must not contain line breaks"_s;
    QTest::newRow("header twice in different case")
        << endpointWith(R"(, "headers": {"Accept": "text/plain", "accept": "application/json"})")
        << u"endpoints[0].headers.accept"_s
        << u"duplicate header (names are case-insensitive; also endpoints[0].headers.Accept)"_s;
    QTest::newRow("Authorization header") << endpointWith(R"(, "headers": {"Authorization": "Bearer abc"})")
                                          << u"endpoints[0].headers.Authorization"_s << secret;

    // Credentials
    QTest::newRow("credentials not an array")
        << QByteArray(R"({"version": 1, "credentials": {"id": "c"}})") << u"credentials"_s << u"must be an array"_s;
    QTest::newRow("credential id missing")
        << QByteArray(R"({"version": 1, "credentials": [{"label": "x"}]})") << u"credentials[0].id"_s << required;
    QTest::newRow("credential id empty") << QByteArray(R"({"version": 1, "credentials": [{"id": ""}]})")
                                         << u"credentials[0].id"_s << u"must not be empty"_s;
    QTest::newRow("credential id duplicate")
        << QByteArray(R"({"version": 1, "credentials": [{"id": "c"}, {"id": "c"}]})") << u"credentials[1].id"_s
        << u"duplicate id \"c\" (also credentials[0])"_s;
    QTest::newRow("credential secret key")
        << credentialWith(R"(, "secret": "hunter2")") << u"credentials[0].secret"_s << u"unknown key"_s;
    QTest::newRow("scheme unknown") << credentialWith(R"(, "scheme": "oauth")") << u"credentials[0].scheme"_s
                                    << u"must be bearer, basic, header:NAME or clientCert, not \"oauth\""_s;
    QTest::newRow("scheme upper case") << credentialWith(R"(, "scheme": "Bearer")") << u"credentials[0].scheme"_s
                                       << u"must be bearer, basic, header:NAME or clientCert, not \"Bearer\""_s;
    QTest::newRow("scheme header with space")
        << credentialWith(R"(, "scheme": "header:X Key")") << u"credentials[0].scheme"_s
        << u"\"X Key\" is not a valid HTTP header name"_s;
    QTest::newRow("scheme header without name")
        << credentialWith(R"(, "scheme": "header:")") << u"credentials[0].scheme"_s
        << u"\"\" is not a valid HTTP header name"_s;
    QTest::newRow("rotationDays zero") << credentialWith(R"(, "rotationDays": 0)") << u"credentials[0].rotationDays"_s
                                       << u"must be at least 1"_s;
    QTest::newRow("rotationDays fraction")
        << credentialWith(R"(, "rotationDays": 1.5)") << u"credentials[0].rotationDays"_s << u"must be an integer"_s;
    QTest::newRow("created without zone")
        << credentialWith(R"(, "created": "2025-01-31T12:00:00")") << u"credentials[0].created"_s
        << u"must be an ISO 8601 time with a zone, like \"2025-01-31T12:00:00Z\", not \"2025-01-31T12:00:00\""_s;
    QTest::newRow("rotated not a time") << credentialWith(R"(, "rotated": "yesterday")") << u"credentials[0].rotated"_s
                                        << u"must be an ISO 8601 time with a zone, like \"2025-01-31T12:00:00Z\", "
                                           u"not \"yesterday\""_s;
    QTest::newRow("expires a number") << credentialWith(R"(, "expires": 1735689600)") << u"credentials[0].expires"_s
                                      << u"must be a string"_s;
    QTest::newRow("fingerprint too long")
        << credentialWith(R"(, "fingerprint": "0a1b2c3d4e")") << u"credentials[0].fingerprint"_s
        << u"must be 8 lower-case hex digits (the start of the secret's SHA-256)"_s;
    QTest::newRow("fingerprint upper case")
        << credentialWith(R"(, "fingerprint": "0A1B2C3D")") << u"credentials[0].fingerprint"_s
        << u"must be 8 lower-case hex digits (the start of the secret's SHA-256)"_s;
    QTest::newRow("oauth2 not an object") << credentialWith(R"(, "oauth2": "https://auth.example.com/")")
                                          << u"credentials[0].oauth2"_s << u"must be an object"_s;
    QTest::newRow("oauth2 tokenUrl missing")
        << credentialWith(R"(, "oauth2": {"clientId": "sd"})") << u"credentials[0].oauth2.tokenUrl"_s << required;
    QTest::newRow("oauth2 tokenUrl ftp") << credentialWith(
        R"(, "oauth2": {"tokenUrl": "ftp://auth.example.com/", "clientId": "sd"})")
                                         << u"credentials[0].oauth2.tokenUrl"_s
                                         << u"scheme must be http or https, not \"ftp\""_s;
    QTest::newRow("oauth2 clientId missing")
        << credentialWith(R"(, "oauth2": {"tokenUrl": "https://auth.example.com/token"})")
        << u"credentials[0].oauth2.clientId"_s << required;
    QTest::newRow("oauth2 client secret") << credentialWith(
        R"(, "oauth2": {"tokenUrl": "https://auth.example.com/token", "clientId": "sd", "clientSecret": "x"})")
                                          << u"credentials[0].oauth2.clientSecret"_s << u"unknown key"_s;

    // Thresholds
    QTest::newRow("thresholds not an object")
        << QByteArray(R"({"version": 1, "thresholds": 5})") << u"thresholds"_s << u"must be an object"_s;
    QTest::newRow("thresholds unknown key") << QByteArray(R"({"version": 1, "thresholds": {"latencyWarning": "1s"}})")
                                            << u"thresholds.latencyWarning"_s << u"unknown key"_s;
    QTest::newRow("latencyWarn zero") << QByteArray(R"({"version": 1, "thresholds": {"latencyWarn": "0ms"}})")
                                      << u"thresholds.latencyWarn"_s << u"must be at least 1ms"_s;
    QTest::newRow("latencyWarn above default critical")
        << QByteArray(R"({"version": 1, "thresholds": {"latencyWarn": "900ms"}})") << u"thresholds.latencyWarn"_s
        << u"must be less than latencyCritical (800ms)"_s;
    QTest::newRow("latencyWarn equal to critical")
        << QByteArray(R"({"version": 1, "thresholds": {"latencyWarn": "1s", "latencyCritical": "1000ms"}})")
        << u"thresholds.latencyWarn"_s << u"must be less than latencyCritical (1s)"_s;
    QTest::newRow("latencyCritical below default warn")
        << QByteArray(R"({"version": 1, "thresholds": {"latencyCritical": "100ms"}})")
        << u"thresholds.latencyCritical"_s << u"must be greater than latencyWarn (200ms)"_s;
    QTest::newRow("errorRateWarn above 1") << QByteArray(R"({"version": 1, "thresholds": {"errorRateWarn": 1.5}})")
                                           << u"thresholds.errorRateWarn"_s << u"must be between 0 and 1"_s;
    QTest::newRow("errorRateCritical negative")
        << QByteArray(R"({"version": 1, "thresholds": {"errorRateCritical": -0.1}})")
        << u"thresholds.errorRateCritical"_s << u"must be between 0 and 1"_s;
    QTest::newRow("errorRateWarn as string") << QByteArray(R"({"version": 1, "thresholds": {"errorRateWarn": "5%"}})")
                                             << u"thresholds.errorRateWarn"_s << u"must be a number"_s;
    QTest::newRow("errorRateWarn above default critical")
        << QByteArray(R"({"version": 1, "thresholds": {"errorRateWarn": 0.6}})") << u"thresholds.errorRateWarn"_s
        << u"must be less than errorRateCritical (0.5)"_s;
    QTest::newRow("errorRateCritical below default warn")
        << QByteArray(R"({"version": 1, "thresholds": {"errorRateCritical": 0.01}})")
        << u"thresholds.errorRateCritical"_s << u"must be greater than errorRateWarn (0.05)"_s;
    QTest::newRow("window zero") << QByteArray(R"({"version": 1, "thresholds": {"window": 0}})")
                                 << u"thresholds.window"_s << u"must be at least 1"_s;
    QTest::newRow("window over 1000") << QByteArray(R"({"version": 1, "thresholds": {"window": 1001}})")
                                      << u"thresholds.window"_s << u"must be at most 1000"_s;

    // TLS (issue 16)
    QTest::newRow("tls caMode") << QByteArray(R"({"version": 1, "tls": {"caMode": "merge"}})") << u"tls.caMode"_s
                                << u"must be add or replace, not \"merge\""_s;
    QTest::newRow("tls minVersion") << endpointWith(R"(, "tls": {"minVersion": "1.1"})")
                                    << u"endpoints[0].tls.minVersion"_s << u"must be \"1.2\" or \"1.3\", not \"1.1\""_s;
    QTest::newRow("tls unknown key") << endpointWith(R"(, "tls": {"verify": false})") << u"endpoints[0].tls.verify"_s
                                     << u"unknown key"_s;
    QTest::newRow("tls insecureSkipVerify string")
        << endpointWith(R"(, "tls": {"insecureSkipVerify": "yes"})") << u"endpoints[0].tls.insecureSkipVerify"_s
        << u"must be true or false"_s;
    QTest::newRow("tls certCriticalDays over certWarnDays")
        << QByteArray(R"({"version": 1, "tls": {"certCriticalDays": 20}})") << u"tls.certCriticalDays"_s
        << u"must not exceed certWarnDays (14)"_s;
    QTest::newRow("tls serverName with a slash")
        << endpointWith(R"(, "tls": {"serverName": "a/b"})") << u"endpoints[0].tls.serverName"_s
        << u"must be a host name, like api.internal.example, not \"a/b\""_s;
    QTest::newRow("tls caFile missing")
        << endpointWith(R"(, "tls": {"caFile": "/nonexistent/signaldeck-ca.pem"})") << u"endpoints[0].tls.caFile"_s
        << u"cannot read \"/nonexistent/signaldeck-ca.pem\": No such file or directory"_s;
    QTest::newRow("certFile with bearer") << credentialWith(R"(, "certFile": "/nonexistent/c.pem")")
                                          << u"credentials[0].certFile"_s << u"belongs to scheme clientCert only"_s;
    QTest::newRow("clientCert without certFile")
        << credentialWith(R"(, "scheme": "clientCert")") << u"credentials[0].certFile"_s
        << u"required for scheme clientCert: the client certificate (PEM)"_s;
}

void TestConfigLoader::validationRule()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, path);
    QFETCH(QString, message);

    const ConfigParseResult result = parseConfig(json);
    QVERIFY(!result.ok());
    QVERIFY(!result.config.has_value());
    QVERIFY2(result.errors.size() == 1, qPrintable(u"expected one error, got:\n"_s + result.errorText()));
    QCOMPARE(result.errors.first().path, path);
    QCOMPARE(result.errors.first().message, message);
    QCOMPARE(result.errors.first().toString(), path.isEmpty() ? message : path + u": "_s + message);
}

void TestConfigLoader::collectsEveryError()
{
    const QByteArray json = R"({
      "version": 1,
      "thresholds": { "window": 0 },
      "credentials": [ { "id": "prod", "scheme": "digest" } ],
      "endpoints": [
        { "name": "a", "url": "https://a.example.com/", "interval": "500ms", "intervall": "10s" },
        { "name": "a", "url": "gopher://b.example.com/", "credential": "prod" },
        { "url": "https://c.example.com/", "headers": { "Cookie": "session=1" }, "credential": "missing" }
      ]
    })";
    const ConfigParseResult result = parseConfig(json);
    QVERIFY(!result.ok());
    QVERIFY(!result.config.has_value());
    const QStringList expected {
        u"thresholds.window: must be at least 1"_s,
        u"credentials[0].scheme: must be bearer, basic, header:NAME or clientCert, not \"digest\""_s,
        u"endpoints[0].intervall: unknown key"_s,
        u"endpoints[0].interval: must be at least 1s"_s,
        u"endpoints[1].name: duplicate name \"a\" (also endpoints[0])"_s,
        u"endpoints[1].url: scheme must be http or https, not \"gopher\""_s,
        u"endpoints[2].name: required key is missing"_s,
        u"endpoints[2].headers.Cookie: secrets belong in a credential (OS keychain), not in the config"_s,
        u"endpoints[2].credential: no credential with id \"missing\" in credentials"_s,
    };
    QCOMPARE(errorLines(result), expected);
    QCOMPARE(result.errorText(), expected.join(u'\n'));
}

void TestConfigLoader::invalidDocumentsAreErrorsNotCrashes_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("firstError");

    QTest::newRow("empty input") << QByteArray() << u"1:1: JSON syntax error: illegal value"_s;
    QTest::newRow("null") << QByteArray("null") << u"1:1: JSON syntax error: illegal value"_s;
    QTest::newRow("string document") << QByteArray(R"("version")") << u"1:1: JSON syntax error: illegal value"_s;
    QTest::newRow("array document") << QByteArray("[1, 2]") << u"the config must be a JSON object ({ … })"_s;
    QTest::newRow("endpoints of mixed junk")
        << QByteArray(R"({"version": 1, "endpoints": [1, null, "x", [], {"name": []}]})")
        << u"endpoints[0]: must be an object"_s;
    QTest::newRow("deep nesting") << (QByteArray(R"({"version": 1, "x": )") + QByteArray(5000, '[')
        + QByteArray(5000, ']') + "}")
                                  << u"1:1044: JSON syntax error: too deeply nested document"_s;
    QTest::newRow("NUL bytes") << QByteArray("{\"version\"\0: 1}", 15)
                               << u"1:11: JSON syntax error: missing name separator"_s;
    QTest::newRow("huge integer version") << QByteArray(R"({"version": 123456789012345678901234567890})")
                                          << u"version: must be at most 9007199254740991"_s;
}

void TestConfigLoader::invalidDocumentsAreErrorsNotCrashes()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, firstError);
    const ConfigParseResult result = parseConfig(json);
    QVERIFY(!result.ok());
    QVERIFY(!result.errors.isEmpty());
    QCOMPARE(result.errors.first().toString(), firstError);
}

void TestConfigLoader::secretHeaders_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("rejected");

    QTest::newRow("Authorization") << u"Authorization"_s << u"Bearer abc"_s << true;
    QTest::newRow("authorization, lower case, harmless value") << u"authorization"_s << u"x"_s << true;
    QTest::newRow("Proxy-Authorization") << u"PROXY-AUTHORIZATION"_s << u"Basic dTpw"_s << true;
    QTest::newRow("Cookie") << u"Cookie"_s << u"sid=1"_s << true;
    QTest::newRow("X-Api-Key") << u"X-Api-Key"_s << u"123"_s << true;
    QTest::newRow("X-Auth-Token") << u"X-Auth-Token"_s << u"abc"_s << true;
    QTest::newRow("bearer value in a custom header") << u"X-Upstream"_s << u"Bearer 0123456789"_s << true;
    QTest::newRow("JWT value")
        << u"X-Identity"_s
        << u"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"_s << true;
    QTest::newRow("OpenAI-style key") << u"X-Forward"_s << u"sk-proj-abcdefghijklmnopqrstuvwx"_s << true;
    // Assembled at run time so that no token-shaped literal sits in the source (secret scanners flag those).
    QTest::newRow("GitHub token") << u"X-Gh"_s << (u"ghp"_s + u'_' + u"0123456789abcdefghijABCDEFGHIJ012345"_s) << true;
    QTest::newRow("random 40 characters")
        << u"X-Signature-Like"_s << u"Zk9vQmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZg=="_s << true;
    QTest::newRow("Content-Type") << u"Content-Type"_s << u"application/json"_s << false;
    QTest::newRow("Accept-Language sk") << u"Accept-Language"_s << u"sk-SK,en;q=0.8"_s << false;
    QTest::newRow("UUID request id") << u"X-Request-Id"_s << u"123e4567-e89b-12d3-a456-426614174000"_s << false;
    QTest::newRow("user agent") << u"User-Agent"_s << u"SignalDeck/0.1.0 (+https://example.com/about)"_s << false;
    QTest::newRow("hex digest") << u"If-None-Match"_s << u"d41d8cd98f00b204e9800998ecf8427e"_s << false;
}

void TestConfigLoader::secretHeaders()
{
    QFETCH(QString, name);
    QFETCH(QString, value);
    QFETCH(bool, rejected);

    const QByteArray json = QJsonDocument(QJsonObject {
                                              { u"version"_s, 1 },
                                              { u"endpoints"_s,
                                                  QJsonArray { QJsonObject {
                                                      { u"name"_s, u"a"_s },
                                                      { u"url"_s, u"https://api.example.com/"_s },
                                                      { u"headers"_s, QJsonObject { { name, value } } },
                                                  } } },
                                          })
                                .toJson();
    const ConfigParseResult result = parseConfig(json);
    if (!rejected) {
        QVERIFY2(result.ok(), qPrintable(result.errorText()));
        QCOMPARE(result.config->endpoints.first().headers.size(), 1);
        return;
    }
    QVERIFY(!result.ok());
    QCOMPARE(errorLines(result),
        QStringList { u"endpoints[0].headers."_s + name
            + u": secrets belong in a credential (OS keychain), not in the config"_s });
    // The secret is not echoed back in the message, which may end up in a log.
    QVERIFY(!result.errorText().contains(value));
}

void TestConfigLoader::roundTrip_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("CONFIG.md example") << kDesignExample;
    QTest::newRow("every field away from its default") << configToJson(richConfig());
    QTest::newRow("minimal") << QByteArray(R"({"version": 1})");
    QTest::newRow("limits") << QByteArray(R"({"version": 1, "limits": {"maxProbesPerSecond": 200}})");
    QTest::newRow("limits, a fractional cap") << QByteArray(R"({"version": 1, "limits": {"maxProbesPerSecond": 0.5}})");
    QTest::newRow("transport curl") << QByteArray(R"({"version": 1, "transport": "curl"})");
    QTest::newRow("transport qt") << QByteArray(R"({"version": 1, "transport": "qt"})");
}

void TestConfigLoader::roundTrip()
{
    QFETCH(QByteArray, json);
    const ConfigParseResult first = parseConfig(json);
    QVERIFY2(first.ok(), qPrintable(first.errorText()));
    const QByteArray written = configToJson(*first.config);
    const ConfigParseResult second = parseConfig(written);
    QVERIFY2(second.ok(), qPrintable(second.errorText() + u"\n"_s + QString::fromUtf8(written)));
    QVERIFY(*second.config == *first.config);
    // Writing is stable: a second save of the same config gives the same bytes.
    QCOMPARE(configToJson(*second.config), written);
}

void TestConfigLoader::endpointIdsAreKeptOrDerivedFromTheName()
{
    const QByteArray json = R"({"version": 1, "endpoints": [
        {"id": "chat-1", "name": "chat", "url": "https://a.example.com/"},
        {"name": "models", "url": "https://b.example.com/"}]})";
    const ConfigParseResult first = parseConfig(json);
    QVERIFY2(first.ok(), qPrintable(first.errorText()));
    QCOMPARE(first.config->endpoints[0].id, u"chat-1"_s);
    // Without an id: derived from the name, the same at every read (a restart, a reload).
    const QString derived = first.config->endpoints[1].id;
    QVERIFY(derived.startsWith(u"ep-"_s));
    QCOMPARE(parseConfig(json).config->endpoints[1].id, derived);
    QCOMPARE(derived, endpointIdFromName(u"models"_s));
    // Written back, so a later rename keeps it.
    AppConfig renamed = *first.config;
    renamed.endpoints[1].name = u"models-v2"_s;
    const ConfigParseResult reread = parseConfig(configToJson(renamed));
    QCOMPARE(reread.config->endpoints[1].id, derived);
    QCOMPARE(reread.config->endpoints[1].name, u"models-v2"_s);

    // Bad ids are errors with their path; an explicit id that clashes with a derived one pushes the derived.
    const ConfigParseResult bad = parseConfig(R"({"version": 1, "endpoints": [
        {"id": "a b", "name": "x", "url": "https://a.example.com/"},
        {"id": "same", "name": "y", "url": "https://a.example.com/"},
        {"id": "same", "name": "z", "url": "https://a.example.com/"}]})");
    QCOMPARE(bad.errors.size(), 2);
    QCOMPARE(
        bad.errors[0].toString(), u"endpoints[0].id: \"a b\" is not an endpoint id (1 to 64 of A-Z a-z 0-9 . _ -)"_s);
    QCOMPARE(bad.errors[1].toString(), u"endpoints[2].id: duplicate id \"same\" (also endpoints[1])"_s);
    QList<EndpointConfig> clash(2);
    clash[0].id = endpointIdFromName(u"n"_s);
    clash[1].name = u"n"_s;
    ensureEndpointIds(clash);
    QCOMPARE(clash[1].id, endpointIdFromName(u"n"_s) + u"-2"_s);
}

void TestConfigLoader::writesOnlyNonDefaultFields()
{
    // The hand-built config itself survives, not just what a parse made of it.
    AppConfig rich = richConfig();
    ensureEndpointIds(rich.endpoints); // what the loader gives endpoints without an `id`
    const ConfigParseResult reread = parseConfig(configToJson(rich));
    QVERIFY2(reread.ok(), qPrintable(reread.errorText()));
    QVERIFY(*reread.config == rich);

    AppConfig minimal;
    minimal.endpoints.append(endpoint(u"status"_s, u"https://api.example.com/status"_s));
    EndpointConfig rpc = endpoint(u"rpc"_s, u"https://rpc.example.com/"_s);
    rpc.kind = EndpointKind::JsonRpc;
    rpc.method = "POST";
    minimal.endpoints.append(rpc);
    const QJsonObject root = QJsonDocument::fromJson(configToJson(minimal)).object();
    QCOMPARE(root.keys(), (QStringList { u"endpoints"_s, u"version"_s }));
    const QJsonArray endpoints = root.value(u"endpoints").toArray();
    QCOMPARE(endpoints.at(0).toObject().keys(), (QStringList { u"name"_s, u"url"_s }));
    QCOMPARE(endpoints.at(1).toObject().keys(), (QStringList { u"kind"_s, u"name"_s, u"url"_s }));
}

void TestConfigLoader::tlsMergesGlobalIntoEndpointsAndWritesBackWhereSet()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    writeFile(dir.filePath(u"ca.pem"_s), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    writeFile(dir.filePath(u"config.json"_s), R"({"version": 1,
        "tls": {"caFile": "ca.pem", "certWarnDays": 30},
        "endpoints": [
          {"name": "a", "url": "https://a.example/"},
          {"name": "b", "url": "https://b.example/", "tls": {"serverName": "b.internal", "minVersion": "1.3",
                                                             "caMode": "replace", "certCriticalDays": 7}},
          {"name": "c", "url": "https://c.example/", "tls": {"insecureSkipVerify": true, "certWarnDays": 30}}]})");
    const ConfigParseResult result = loadConfigFile(dir.filePath(u"config.json"_s));
    QVERIFY2(result.ok(), qPrintable(result.errorText()));
    const AppConfig& c = *result.config;
    // A relative caFile is the config file's neighbour, kept absolute.
    QCOMPARE(c.tls.caFile, dir.filePath(u"ca.pem"_s));
    QCOMPARE(c.endpoints[0].tls, c.tls);
    QCOMPARE(c.endpoints[1].tls.caFile, c.tls.caFile);
    QCOMPARE(c.endpoints[1].tls.certWarnDays, 30);
    QCOMPARE(c.endpoints[1].tls.certCriticalDays, 7);
    QCOMPARE(c.endpoints[1].tls.serverName, u"b.internal"_s);
    QCOMPARE(c.endpoints[1].tls.minVersion, u"1.3"_s);
    QVERIFY(c.endpoints[1].tls.caMode == TlsConfig::CaMode::Replace);
    QVERIFY(c.endpoints[2].tls.insecureSkipVerify);
    QVERIFY(!c.endpoints[0].tls.insecureSkipVerify);

    const QJsonObject root = QJsonDocument::fromJson(configToJson(c)).object();
    QCOMPARE(root.value(u"tls").toObject().keys(), (QStringList { u"caFile"_s, u"certWarnDays"_s }));
    const QJsonArray endpoints = root.value(u"endpoints").toArray();
    QVERIFY(!endpoints.at(0).toObject().contains(u"tls"));
    QCOMPARE(endpoints.at(1).toObject().value(u"tls").toObject().keys(),
        (QStringList { u"caMode"_s, u"certCriticalDays"_s, u"minVersion"_s, u"serverName"_s }));
    // Equal to the global value: not repeated.
    QCOMPARE(endpoints.at(2).toObject().value(u"tls").toObject().keys(), (QStringList { u"insecureSkipVerify"_s }));
    const ConfigParseResult again = parseConfig(configToJson(c));
    QVERIFY2(again.ok(), qPrintable(again.errorText()));
    QVERIFY(*again.config == c);
}

void TestConfigLoader::certificateFileMustHoldACertificateAndNoKey()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    writeFile(dir.filePath(u"empty.pem"_s), "not a certificate\n");
    writeFile(
        dir.filePath(u"withkey.pem"_s), sd::test::pemBlock("CERTIFICATE", "MIIB") + sd::test::pemBlock("PRIVATE KEY"));
    const QByteArray json = QStringLiteral(R"({"version": 1, "tls": {"caFile": "%1"},
        "credentials": [{"id": "m", "scheme": "clientCert", "certFile": "%2"}]})")
                                .arg(dir.filePath(u"empty.pem"_s), dir.filePath(u"withkey.pem"_s))
                                .toUtf8();
    const ConfigParseResult result = parseConfig(json);
    QCOMPARE(result.errors.size(), 2);
    QCOMPARE(result.errors[0].path, u"tls.caFile"_s);
    QVERIFY2(result.errors[0].message.contains(dir.filePath(u"empty.pem"_s))
            && result.errors[0].message.contains(u"holds no PEM certificate"_s),
        qPrintable(result.errors[0].message));
    QCOMPARE(result.errors[1].path, u"credentials[0].certFile"_s);
    QVERIFY2(result.errors[1].message.contains(u"holds a private key; keys belong in the OS keychain"_s),
        qPrintable(result.errors[1].message));
}

void TestConfigLoader::saveCreatesTheDirectoryAndLoadsBack()
{
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    const QString path = temp.filePath(u"nested/deeper/config.json"_s);
    QString error;
    QVERIFY2(saveConfigFile(path, richConfig(), &error), qPrintable(error));
    QVERIFY(error.isEmpty());
    QVERIFY(QFileInfo(path).isFile());

    const ConfigParseResult loaded = loadConfigFile(path);
    QVERIFY2(loaded.ok(), qPrintable(loaded.errorText()));
    AppConfig expected = richConfig();
    ensureEndpointIds(expected.endpoints); // the loader gives ids to endpoints without one
    QVERIFY(*loaded.config == expected);
}

void TestConfigLoader::saveReplacesTheFileAtomically()
{
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    const QString path = temp.filePath(u"config.json"_s);
    AppConfig config;
    config.endpoints.append(endpoint(u"one"_s, u"https://one.example.com/"_s));
    QVERIFY(saveConfigFile(path, config));
    const ino_t before = inodeOf(path);
    QVERIFY(before != 0);

    config.endpoints.append(endpoint(u"two"_s, u"https://two.example.com/"_s));
    QString error;
    QVERIFY2(saveConfigFile(path, config, &error), qPrintable(error));

    // A new file renamed over the old one (a reader sees the old or the new file, never half of one),
    // and no temporary file left behind.
    QVERIFY(inodeOf(path) != before);
    QCOMPARE(QDir(temp.path()).entryList(QDir::Files | QDir::Hidden), QStringList { u"config.json"_s });
    const ConfigParseResult loaded = loadConfigFile(path);
    QVERIFY2(loaded.ok(), qPrintable(loaded.errorText()));
    QCOMPARE(loaded.config->endpoints.size(), 2);
}

void TestConfigLoader::saveToUnwritablePathFailsNamingThePath_data()
{
    QTest::addColumn<QString>("relativePath");
    QTest::addColumn<QString>("reason");
    // Permissions do not stop root, so the unwritable paths are structural.
    QTest::newRow("directory is a file") << u"blocker/sub/config.json"_s << u": cannot create the directory "_s;
    QTest::newRow("target is a directory") << u"adir"_s << u": cannot write: "_s;
}

void TestConfigLoader::saveToUnwritablePathFailsNamingThePath()
{
    QFETCH(QString, relativePath);
    QFETCH(QString, reason);
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    writeFile(temp.filePath(u"blocker"_s), "not a directory");
    QVERIFY(QDir(temp.path()).mkdir(u"adir"_s));

    const QString path = temp.filePath(relativePath);
    QString error;
    QVERIFY(!saveConfigFile(path, AppConfig {}, &error));
    QVERIFY2(error.startsWith(path + reason), qPrintable(error));
    QCOMPARE(readFile(temp.filePath(u"blocker"_s)), QByteArray("not a directory"));
    QVERIFY(!saveConfigFile(path, AppConfig {})); // no error pointer: still false, no crash
}

void TestConfigLoader::saveRefusesAnInvalidConfig()
{
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    const QString path = temp.filePath(u"config.json"_s);
    writeFile(path, "previous contents");

    AppConfig config;
    config.endpoints.append(endpoint(u"a"_s, u"https://a.example.com/"_s));
    config.endpoints.append(endpoint(u"a"_s, u"https://b.example.com/"_s));
    config.endpoints.last().headers = { { "Authorization", "Bearer x" } };
    QString error;
    QVERIFY(!saveConfigFile(path, config, &error));
    QCOMPARE(error,
        path
            + u": not saved, the config is invalid: endpoints[1].name: duplicate name \"a\" (also endpoints[0])"
              u" (and 1 more)"_s);
    QCOMPARE(readFile(path), QByteArray("previous contents"));
}

void TestConfigLoader::loadMissingFile()
{
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    const QString path = temp.filePath(u"absent/config.json"_s);
    const ConfigParseResult result = loadConfigFile(path);
    QVERIFY(!result.ok());
    QCOMPARE(errorLines(result), QStringList { path + u": file not found"_s });
    QVERIFY(!QFileInfo::exists(temp.filePath(u"absent"_s)));
}

void TestConfigLoader::loadDirectoryOrEmptyFile()
{
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    QCOMPARE(errorLines(loadConfigFile(temp.path())),
        QStringList { temp.path() + u": is a directory, not a config file"_s });

    const QString empty = temp.filePath(u"empty.json"_s);
    writeFile(empty, " \n");
    QCOMPARE(errorLines(loadConfigFile(empty)), QStringList { empty + u": file is empty"_s });
}

void TestConfigLoader::loadSyntaxErrorGivesLineAndColumn_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("location");
    QTest::addColumn<QString>("reason");

    QTest::newRow("bad value on line 3") << QByteArray("{\n  \"version\": 1,\n  \"endpoints\": xyz\n}\n") << u":3:16"_s
                                         << u"illegal number"_s;
    QTest::newRow("missing comma") << QByteArray("{\n  \"version\": 1\n  \"endpoints\": []\n}\n") << u":3:3"_s
                                   << u"unterminated object"_s;
    QTest::newRow("columns count characters, not bytes")
        << QByteArray("{\"version\": 1, \"endpoints\": [{\"name\": \"Z\xC3\xBCrich\", \"url\": xyz}]}") << u":1:56"_s
        << u"illegal number"_s;
}

void TestConfigLoader::loadSyntaxErrorGivesLineAndColumn()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, location);
    QFETCH(QString, reason);
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    const QString path = temp.filePath(u"config.json"_s);
    writeFile(path, contents);

    const ConfigParseResult result = loadConfigFile(path);
    QVERIFY(!result.ok());
    QCOMPARE(errorLines(result), QStringList { path + location + u": JSON syntax error: "_s + reason });
}

void TestConfigLoader::loadNeverWrites()
{
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    const QString path = temp.filePath(u"config.json"_s);
    // Valid but not in canonical form, with an error next to it: neither is "fixed up" on disk.
    writeFile(path, kDesignExample);
    const QString broken = temp.filePath(u"broken.json"_s);
    writeFile(broken, R"({"version": 1, "endpoints": [{"name": "a"}]})");
    const QDateTime modified = QFileInfo(path).lastModified();

    QVERIFY(loadConfigFile(path).ok());
    QVERIFY(!loadConfigFile(broken).ok());
    QCOMPARE(readFile(path), kDesignExample);
    QCOMPARE(readFile(broken), QByteArray(R"({"version": 1, "endpoints": [{"name": "a"}]})"));
    QCOMPARE(QFileInfo(path).lastModified(), modified);
    QCOMPARE(
        QDir(temp.path()).entryList(QDir::Files | QDir::Hidden), (QStringList { u"broken.json"_s, u"config.json"_s }));
}

void TestConfigLoader::defaultConfigPathIsInAppConfigLocation()
{
    const QString expected = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + u"/config.json"_s;
    QCOMPARE(defaultConfigPath(), expected);
    // Test mode keeps the test away from the operator's real config.
    QVERIFY2(expected.contains(u"qttest"_s), qPrintable(expected));
}

QTEST_GUILESS_MAIN(TestConfigLoader)
#include "tst_configloader.moc"
