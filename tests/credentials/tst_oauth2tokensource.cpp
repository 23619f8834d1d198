// SPDX-License-Identifier: GPL-3.0-or-later
// OAuth2 client credentials end to end: the simulator's token endpoint, the token source and the engine on
// loopback. A token is fetched and the endpoint goes OK; it is refreshed before it expires (the API never
// answers 401); a revoked token is refreshed exactly once on the 401; an identity-provider outage raises S2
// with the token endpoint's error and heals by itself; a wrong client secret says invalid_client. Logic runs
// on the in-memory store, one case on the real OS keychain. No secret or token may reach a log.
//
// On simulated time (issue 13.5): the engine, the token source and the simulator's token lifetimes share one
// SimulatedClock, so lifetimes, refreshes and backoffs are the product's own (an hour, 80 %, 2 s doubling)
// and asserted to the millisecond; the HTTP round trips stay real. One smoke test runs on the real clock.
#include "TestSecrets.h"
#include "controller/CredentialLoading.h"
#include "credentials/CredentialSecret.h"
#include "credentials/CredentialStoreWait.h"
#include "credentials/InMemoryCredentialStore.h"
#include "credentials/KeychainCredentialStore.h"
#include "credentials/OAuth2TokenSource.h"
#include "schedule/Engine.h"
#include "simulator/Simulator.h"
#include "support/SimulatedClock.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace sd;
using namespace sd::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

QMutex g_logMutex;
QStringList g_log;
QtMessageHandler g_previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    {
        QMutexLocker lock(&g_logMutex);
        g_log.append(message);
    }
    if ((type == QtWarningMsg || type == QtCriticalMsg || type == QtFatalMsg) && g_previousHandler)
        g_previousHandler(type, context, message);
}

struct Answer {
    int status = 0;
    QByteArray body;
    QByteArray header(const QByteArray& name) const { return headers.value(name.toLower()); }
    QHash<QByteArray, QByteArray> headers;
};

constexpr std::size_t kS2 = 1;

} // namespace

class TestOAuth2TokenSource : public QObject {
    Q_OBJECT
private:
    Simulator m_sim;
    QByteArray m_clientSecret;
    QList<QByteArray> m_secretsSeen; ///< every client secret and token a test used, searched for in the log
    std::shared_ptr<SimulatedClock> m_clock; ///< a fresh one per test, shared by engine, source and simulator

    // The product's policy (refresh at 80 %, backoff 2 s doubling to 5 min) on the test's clock, with a fixed
    // jitter (all of the nominal backoff) so that every wait is known to the millisecond.
    OAuth2TokenSource::Options simulated() const
    {
        OAuth2TokenSource::Options options;
        options.requestTimeout = 2s;
        options.random = [] { return 1.0; };
        options.clock = m_clock;
        return options;
    }
    // The engine on the same clock, its first probes not staggered.
    EngineOptions simulatedEngine() const
    {
        EngineOptions options;
        options.clock = m_clock;
        options.stagger = false;
        return options;
    }
    // Moves simulated time until `done` (or fails the test after `limit` of it, or a real-time bound).
    [[nodiscard]] bool advanceUntil(const std::function<bool()>& done, std::chrono::milliseconds limit)
    {
        const bool ok = m_clock->advanceUntil(done, limit);
        if (!ok)
            qWarning().noquote() << "simulated clock:" << m_clock->errorString();
        return ok;
    }
    // What is due now, without moving the clock, until `done`: the token source and the engine hand work to
    // each other through queued calls (a token to the engine, a 401 back), one hop per round.
    [[nodiscard]] bool atOnce(const std::function<bool()>& done)
    {
        for (int round = 0; round < 8; ++round) {
            if (!m_clock->advance(0ms)) {
                qWarning().noquote() << "simulated clock:" << m_clock->errorString();
                return false;
            }
            if (done())
                return true;
        }
        return false;
    }
    qint64 nowMs() const { return m_clock->elapsed().count(); }

    CredentialConfig oauthCredential(const QString& id, const QString& route = u"/oauth/token"_s) const
    {
        CredentialConfig c;
        c.id = id;
        c.label = u"Health API (OAuth2)"_s;
        c.oauth2 = OAuth2Config { m_sim.url(route), u"signaldeck-test"_s, u"health:read"_s };
        return c;
    }

    EndpointConfig endpoint(
        const QString& name, const QString& credential, const QString& route = u"/oauth/protected"_s) const
    {
        EndpointConfig e;
        e.name = name;
        e.url = m_sim.url(route);
        e.credential = credential;
        e.interval = 1s;
        e.adaptiveTimeout = false;
        e.timeout = 2s;
        return e;
    }

    AppConfig configFor(const CredentialConfig& credential, const QList<EndpointConfig>& endpoints) const
    {
        AppConfig config;
        config.credentials = { credential };
        config.endpoints = endpoints;
        return config;
    }

    static EndpointStatus statusOf(Engine& engine, const QString& name)
    {
        for (const EndpointStatus& s : engine.statuses()) {
            if (s.name == name)
                return s;
        }
        return {};
    }
    static SignalState s2(Engine& engine, const QString& name) { return statusOf(engine, name).states[kS2]; }
    static QString s2Reason(Engine& engine, const QString& name) { return statusOf(engine, name).reasons[kS2]; }

    // Remembers every token the source hands out, so the log check can look for them.
    void collectTokens(OAuth2TokenSource& source)
    {
        connect(&source, &OAuth2TokenSource::tokenReady, this,
            [this](const QString&, const QByteArray& token) { m_secretsSeen.append(token); });
    }

    static QList<ProbeResult> results(const QSignalSpy& batches)
    {
        QList<ProbeResult> all;
        for (const QList<QVariant>& batch : batches)
            all += batch.at(0).value<EngineBatch>().results;
        return all;
    }

    Answer post(const QString& route, const QByteArray& body, const QByteArray& authorization, bool get = false)
    {
        QNetworkAccessManager network;
        QNetworkRequest request(m_sim.url(route));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
        if (!authorization.isEmpty())
            request.setRawHeader("Authorization", authorization);
        QNetworkReply* reply = get ? network.get(request) : network.post(request, body);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        Answer answer;
        if (!finished.wait(5'000))
            return answer;
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.body = reply->readAll();
        for (const auto& [name, value] : reply->rawHeaderPairs())
            answer.headers.insert(name.toLower(), value);
        reply->deleteLater();
        return answer;
    }

    void verifyNothingSecretInTheLog()
    {
        QStringList log;
        {
            QMutexLocker lock(&g_logMutex);
            log = g_log;
        }
        const QByteArray text = log.join(u'\n').toUtf8();
        QVERIFY(text.contains("signaldeck-test") || text.contains("access token")); // there is a log to search
        for (const QByteArray& secret : std::as_const(m_secretsSeen)) {
            QVERIFY2(!text.contains(secret), "a client secret or access token reached the log");
            QVERIFY2(!text.contains(secret.toBase64()), "a secret reached the log in base64");
        }
        QVERIFY2(
            !text.contains(basicClientAuthorizationFor(m_clientSecret)), "the Basic client header reached the log");
    }

    static QByteArray basicClientAuthorizationFor(const QByteArray& secret)
    {
        return QByteArray(QByteArrayLiteral("signaldeck-test:") + secret).toBase64();
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLoggingCategory::setFilterRules(u"signaldeck.*.debug=true"_s);
        g_previousHandler = qInstallMessageHandler(captureMessage);
        QVERIFY2(m_sim.start(), qPrintable(m_sim.errorString()));
        // Built at run time, never committed; unreserved characters only, so the Basic form is plain.
        m_clientSecret = randomToken("client-secret", 16);
        m_secretsSeen.append(m_clientSecret);
    }

    void cleanupTestCase()
    {
        m_sim.setOAuthClock({});
        verifyNothingSecretInTheLog();
        qInstallMessageHandler(g_previousHandler);
    }

    void init()
    {
        m_clock = std::make_shared<SimulatedClock>();
        m_sim.setOAuthClock([clock = m_clock] { return clock->now(); });
        m_sim.setOAuthClient(u"signaldeck-test"_s, m_clientSecret, 3600s);
        m_sim.setTokenEndpointDown(false);
        m_sim.revokeOAuthTokens();
        m_sim.resetCounts();
    }

    void simulatorTokenEndpoint_data()
    {
        QTest::addColumn<QString>("client");
        QTest::addColumn<bool>("basic"); // Basic client authentication, else client_secret in the form
        QTest::addColumn<QString>("grant");
        QTest::addColumn<bool>("down");
        QTest::addColumn<bool>("get");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        QTest::newRow("Basic client auth: token")
            << u"good"_s << true << u"client_credentials"_s << false << false << 200 << QString();
        QTest::newRow("form client auth: token")
            << u"good"_s << false << u"client_credentials"_s << false << false << 200 << QString();
        QTest::newRow("wrong secret: invalid_client")
            << u"wrong"_s << true << u"client_credentials"_s << false << false << 401 << u"invalid_client"_s;
        QTest::newRow("no client auth: invalid_client")
            << u"none"_s << false << u"client_credentials"_s << false << false << 401 << u"invalid_client"_s;
        QTest::newRow("other grant: unsupported_grant_type")
            << u"good"_s << true << u"password"_s << false << false << 400 << u"unsupported_grant_type"_s;
        QTest::newRow("down: 503 temporarily_unavailable")
            << u"good"_s << true << u"client_credentials"_s << true << false << 503 << u"temporarily_unavailable"_s;
        QTest::newRow("GET: 405") << u"good"_s << true << u"client_credentials"_s << false << true << 405
                                  << u"invalid_request"_s;
    }
    void simulatorTokenEndpoint()
    {
        QFETCH(QString, client);
        QFETCH(bool, basic);
        QFETCH(QString, grant);
        QFETCH(bool, down);
        QFETCH(bool, get);
        QFETCH(int, status);
        QFETCH(QString, error);
        m_sim.setOAuthClient(u"signaldeck-test"_s, m_clientSecret, 90s);
        m_sim.setTokenEndpointDown(down);
        const QByteArray secret = client == u"good" ? m_clientSecret : randomToken("wrong");
        QByteArray body = "grant_type=" + grant.toLatin1() + "&scope=health%3Aread";
        QByteArray authorization;
        if (client != u"none") {
            if (basic)
                authorization = "Basic " + QByteArray("signaldeck-test:" + secret).toBase64();
            else
                body += "&client_id=signaldeck-test&client_secret=" + secret;
        }
        const Answer answer = post(u"/oauth/token"_s, body, authorization, get);
        QCOMPARE(answer.status, status);
        const QJsonObject json = QJsonDocument::fromJson(answer.body).object();
        QVERIFY2(!answer.body.contains(secret), "the token endpoint echoed the client secret");
        QCOMPARE(answer.header("Cache-Control"), QByteArray("no-store"));
        if (status != 200) {
            QCOMPARE(json.value(u"error").toString(), error);
            if (status == 401 && basic)
                QVERIFY(answer.header("WWW-Authenticate").startsWith("Basic"));
            return;
        }
        const QByteArray token = json.value(u"access_token").toString().toLatin1();
        QVERIFY(token.size() >= 32);
        m_secretsSeen.append(token);
        QCOMPARE(json.value(u"token_type").toString(), u"Bearer"_s);
        QCOMPARE(json.value(u"expires_in").toInt(), 90);
        QCOMPARE(json.value(u"scope").toString(), u"health:read"_s);
        QCOMPARE(m_sim.oauthTokensIssued(), 1);

        // The protected route takes that token, and nothing else; revoked, it is refused.
        QCOMPARE(post(u"/oauth/protected"_s, {}, "Bearer " + token, true).status, 200);
        QCOMPARE(post(u"/oauth/protected"_s, {}, "Bearer " + randomToken("forged"), true).status, 401);
        QCOMPARE(post(u"/oauth/protected"_s, {}, {}, true).status, 401);
        m_sim.revokeOAuthTokens();
        const Answer revoked = post(u"/oauth/protected"_s, {}, "Bearer " + token, true);
        QCOMPARE(revoked.status, 401);
        QVERIFY(revoked.header("WWW-Authenticate").contains("invalid_token"));
    }

    void tokenFetchedStoredAndEndpointGoesOk()
    {
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        Engine engine(simulatedEngine());
        OAuth2TokenSource source(&store, simulated());
        collectTokens(source);
        QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        const QDateTime start = m_clock->utcNow();
        source.setCredentials({ oauthCredential(u"idp"_s) });

        // Time stands still while the keychain and the token endpoint answer.
        QVERIFY2(m_clock->settle(), qPrintable(m_clock->errorString()));
        QCOMPARE(ready.size(), 1);
        QCOMPARE(ready.at(0).at(0).toString(), u"idp"_s);
        const QByteArray token = ready.at(0).at(1).toByteArray();
        QCOMPARE(m_sim.requestCount(u"/oauth/token"_s), 1);
        const OAuth2TokenSource::Status status = source.status(u"idp"_s);
        QVERIFY(status.managed && status.hasToken);
        QCOMPARE(status.fingerprint, credentialFingerprint(token));
        QCOMPARE(status.failures, 0);
        QCOMPARE(status.expiresUtc, start.addSecs(3600));
        QCOMPARE(status.nextAttemptUtc, start.addSecs(2880)); // refresh at 80 % of the hour
        QCOMPARE(source.status(u"other"_s).managed, false);

        // The token is kept in the store under the credential id, its expiry beside it (ISO 8601, seconds).
        QCOMPARE(store.entries().value(u"idp"_s), token);
        const QDateTime expires = QDateTime::fromString(
            QString::fromLatin1(store.entries().value(OAuth2TokenSource::expiryKey(u"idp"_s))), Qt::ISODate);
        QVERIFY2(qAbs(start.addSecs(3600).msecsTo(expires)) < 1'000, qPrintable(expires.toString(Qt::ISODateWithMs)));

        QVERIFY(advanceUntil([&] { return statusOf(engine, u"health"_s).probes >= 2; }, 10s));
        QCOMPARE(s2(engine, u"health"_s), SignalState::Ok);
        QCOMPARE(statusOf(engine, u"health"_s).overall, SignalState::Ok);
        QCOMPARE(m_sim.requestCount(u"/oauth/token"_s), 1);
    }

    void refreshedBeforeExpirySoTheApiNeverSays401()
    {
        m_sim.setOAuthClient(u"signaldeck-test"_s, m_clientSecret, 30s);
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        Engine engine(simulatedEngine());
        QSignalSpy batches(&engine, &Engine::batchReady);
        QSignalSpy rejected(&engine, &Engine::credentialRejected);
        OAuth2TokenSource source(&store, simulated());
        collectTokens(source);
        QList<qint64> readyAtMs;
        QList<QByteArray> tokens;
        connect(&source, &OAuth2TokenSource::tokenReady, this, [&](const QString&, const QByteArray& token) {
            readyAtMs.append(nowMs());
            tokens.append(token);
        });
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });

        // A minute of probing every second with 30 s tokens: each is replaced at 80 % of its life, 24 s.
        QVERIFY(m_clock->advance(60s));
        QCOMPARE(readyAtMs, (QList<qint64> { 0, 24'000, 48'000 }));
        QCOMPARE(m_sim.oauthTokensIssued(), 3);
        const QList<ProbeResult> all = results(batches);
        QVERIFY2(all.size() >= 58, qPrintable(QString::number(all.size())));
        for (const ProbeResult& r : all)
            QVERIFY2(r.outcome == Outcome::Ok, qPrintable(u"HTTP %1: %2"_s.arg(r.httpStatus).arg(r.reason)));
        QCOMPARE(rejected.size(), 0);
        QCOMPARE(s2(engine, u"health"_s), SignalState::Ok);
        // The tokens do run out on this time: the first (30 s old) is refused now, the last is not.
        QCOMPARE(post(u"/oauth/protected"_s, {}, "Bearer " + tokens.first(), true).status, 401);
        QCOMPARE(post(u"/oauth/protected"_s, {}, "Bearer " + tokens.last(), true).status, 200);
    }

    void revokedTokenRefreshedExactlyOnceOn401()
    {
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        Engine engine(simulatedEngine());
        QSignalSpy batches(&engine, &Engine::batchReady);
        OAuth2TokenSource source(&store, simulated());
        collectTokens(source);
        QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
        QList<qint64> rejectedAtMs;
        QList<QList<QVariant>> rejected;
        connect(&engine, &Engine::credentialRejected, this, [&](const QString& id, const QString& fingerprint) {
            rejectedAtMs.append(nowMs());
            rejected.append({ id, fingerprint });
        });
        QList<qint64> readyAtMs;
        connect(&source, &OAuth2TokenSource::tokenReady, this, [&] { readyAtMs.append(nowMs()); });
        attachTokenSource(source, engine);
        engine.setConfig(
            configFor(oauthCredential(u"idp"_s), { endpoint(u"chat"_s, u"idp"_s), endpoint(u"models"_s, u"idp"_s) }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });
        QVERIFY(advanceUntil(
            [&] { return statusOf(engine, u"chat"_s).probes >= 2 && statusOf(engine, u"models"_s).probes >= 2; }, 10s));
        QCOMPARE(m_sim.oauthTokensIssued(), 1);

        // The identity provider revokes the token: the next probe gets 401, the source fetches one new token
        // at that very moment, the engine probes with it at once and S2 is Ok again.
        m_sim.revokeOAuthTokens();
        QVERIFY(advanceUntil([&] { return ready.size() >= 2; }, 10s));
        QVERIFY(!rejected.isEmpty() && rejected.size() <= 2); // both endpoints were probed with it at once
        for (const QList<QVariant>& r : std::as_const(rejected)) {
            QCOMPARE(r.at(0).toString(), u"idp"_s);
            QCOMPARE(r.at(1).toString(), credentialFingerprint(ready.at(0).at(1).toByteArray()));
        }
        QCOMPARE(readyAtMs.last(), rejectedAtMs.first());
        QVERIFY(atOnce(
            [&] { return s2(engine, u"chat"_s) == SignalState::Ok && s2(engine, u"models"_s) == SignalState::Ok; }));
        QCOMPARE(nowMs(), readyAtMs.last());
        const qsizetype rejections = rejected.size();

        // And it stays at one refresh while probing goes on.
        QVERIFY(m_clock->advance(10s));
        QVERIFY(statusOf(engine, u"chat"_s).probes >= 12);
        QCOMPARE(m_sim.oauthTokensIssued(), 2);
        QCOMPARE(ready.size(), 2);
        QCOMPARE(rejected.size(), rejections);
        int refused = 0;
        for (const ProbeResult& r : results(batches))
            refused += r.httpStatus == 401 ? 1 : 0;
        QVERIFY2(refused >= 1 && refused <= 2, qPrintable(QString::number(refused))); // one per endpoint at most
        QCOMPARE(s2(engine, u"chat"_s), SignalState::Ok);
    }

    void anApiThatRefusesEveryTokenGetsOneRefreshNotALoop()
    {
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        Engine engine(simulatedEngine());
        QSignalSpy rejected(&engine, &Engine::credentialRejected);
        OAuth2TokenSource source(&store, simulated());
        collectTokens(source);
        attachTokenSource(source, engine);
        // /auth/invalid answers 401 invalid_token to every token.
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"strict"_s, u"idp"_s, u"/auth/invalid"_s) }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });
        QVERIFY(m_clock->advance(30s));
        QVERIFY(statusOf(engine, u"strict"_s).probes >= 25);
        QCOMPARE(m_sim.oauthTokensIssued(), 2); // the first token, and one refresh for the whole 401 streak
        QCOMPARE(rejected.size(), 1);
        QCOMPARE(s2(engine, u"strict"_s), SignalState::Critical);
        QVERIFY2(s2Reason(engine, u"strict"_s).contains(u"401"_s), qPrintable(s2Reason(engine, u"strict"_s)));
    }

    void tokenEndpointDownRaisesS2AndRecoversByItself()
    {
        m_sim.setTokenEndpointDown(true);
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        Engine engine(simulatedEngine());
        OAuth2TokenSource source(&store, simulated());
        collectTokens(source);
        QSignalSpy failed(&source, &OAuth2TokenSource::tokenFailed);
        QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
        QList<qint64> attemptsAtMs;
        QObject listening; // ends the connection with this test
        connect(&m_sim, &Simulator::requestReceived, &listening, [&](const QString& route) {
            if (route == u"/oauth/token")
                attemptsAtMs.append(nowMs());
        });
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });

        const QString expected = u"OAuth2 token endpoint: temporarily_unavailable the identity provider is down "
                                 "(HTTP 503) at "_s
            + m_sim.url(u"/oauth/token"_s).toString();
        QVERIFY(atOnce([&] { return !s2Reason(engine, u"health"_s).isEmpty(); }));
        QCOMPARE(s2Reason(engine, u"health"_s), expected);
        QCOMPARE(s2(engine, u"health"_s), SignalState::Critical);
        QCOMPARE(failed.at(0).at(1).toString(), expected);

        // It keeps trying, further apart each time (2, 4, 8, 16, 32 s), and sends nothing to the API meanwhile.
        QVERIFY(m_clock->advance(61s));
        QCOMPARE(attemptsAtMs, (QList<qint64> { 0, 2'000, 6'000, 14'000, 30'000 }));
        QCOMPARE(failed.size(), 5);
        QCOMPARE(statusOf(engine, u"health"_s).attempts, 0); // nothing sent to the API without a token
        const OAuth2TokenSource::Status down = source.status(u"idp"_s);
        QVERIFY(!down.hasToken);
        QCOMPARE(down.failures, 5);
        QCOMPARE(down.lastError, expected);
        QCOMPARE(down.nextAttemptUtc, m_clock->utcNow().addMSecs(1'000)); // 30 s + 32 s

        // The identity provider is back: the next attempt gets a token and S2 clears without anyone acting.
        m_sim.setTokenEndpointDown(false);
        QVERIFY(advanceUntil([&] { return !ready.isEmpty(); }, 5s));
        QCOMPARE(nowMs(), 62'000);
        QVERIFY(advanceUntil([&] { return m_sim.requestCount(u"/oauth/protected"_s) >= 1; }, 5s));
        QCOMPARE(s2(engine, u"health"_s), SignalState::Ok);
        QCOMPARE(source.status(u"idp"_s).failures, 0);
        QVERIFY(source.status(u"idp"_s).lastError.isEmpty());
    }

    void heldTokenStaysInUseThroughAnOutageUntilItExpires()
    {
        m_sim.setOAuthClient(u"signaldeck-test"_s, m_clientSecret, 10s);
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        Engine engine(simulatedEngine());
        OAuth2TokenSource source(&store, simulated());
        collectTokens(source);
        QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
        QSignalSpy failed(&source, &OAuth2TokenSource::tokenFailed);
        attachTokenSource(source, engine);
        EndpointConfig health = endpoint(u"health"_s, u"idp"_s);
        health.interval = 3s; // probes at 0, 3, 6 and 9 s: none at the instant the token ends
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { health }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });
        QVERIFY(m_clock->settle());
        QCOMPARE(ready.size(), 1);
        m_sim.setTokenEndpointDown(true);

        // The refresh at 8 s fails, but the token has 2 s left: it stays in use, S2 stays Ok.
        QVERIFY(advanceUntil([&] { return source.status(u"idp"_s).failures >= 1; }, 20s));
        QCOMPARE(nowMs(), 8'000);
        QVERIFY(failed.isEmpty());
        QVERIFY(source.status(u"idp"_s).hasToken);
        QCOMPARE(source.status(u"idp"_s).nextAttemptUtc, source.status(u"idp"_s).expiresUtc); // not past it
        QCOMPARE(s2(engine, u"health"_s), SignalState::Ok);

        // At expiry (10 s) it is dropped and S2 says why.
        QVERIFY(advanceUntil([&] { return !failed.isEmpty(); }, 20s));
        QCOMPARE(nowMs(), 10'000);
        QVERIFY(atOnce([&] { return s2(engine, u"health"_s) == SignalState::Critical; }));
        QVERIFY2(s2Reason(engine, u"health"_s).startsWith(u"OAuth2 token endpoint: "_s),
            qPrintable(s2Reason(engine, u"health"_s)));
        QCOMPARE(s2(engine, u"health"_s), SignalState::Critical);
        QVERIFY(!source.status(u"idp"_s).hasToken);
        const qint64 attempts = statusOf(engine, u"health"_s).attempts;
        QCOMPARE(attempts, 4); // 0, 3, 6, 9 s: every one with a live token

        // The second failure waits 4 s: the identity provider back, a token comes at 14 s.
        m_sim.setTokenEndpointDown(false);
        QVERIFY(advanceUntil([&] { return ready.size() >= 2; }, 20s));
        QCOMPARE(nowMs(), 14'000);
        QVERIFY(atOnce([&] { return s2(engine, u"health"_s) == SignalState::Ok; }));
    }

    void wrongClientSecretSaysInvalidClient()
    {
        const QByteArray wrong = randomToken("wrong-secret", 16);
        m_secretsSeen.append(wrong);
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), wrong } });
        Engine engine(simulatedEngine());
        OAuth2TokenSource source(&store, simulated());
        QSignalSpy failed(&source, &OAuth2TokenSource::tokenFailed);
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });
        const QString expected = u"OAuth2 token endpoint: invalid_client client authentication failed (HTTP 401) at "_s
            + m_sim.url(u"/oauth/token"_s).toString();
        QVERIFY(atOnce([&] { return !s2Reason(engine, u"health"_s).isEmpty(); }));
        QCOMPARE(s2Reason(engine, u"health"_s), expected);
        QCOMPARE(s2(engine, u"health"_s), SignalState::Critical);
        // Nothing was sent to the API without a token. (Asked of this engine: the simulator's count can still
        // receive a straggler from the previous test's engine.)
        QCOMPARE(statusOf(engine, u"health"_s).attempts, 0);

        // The operator stores the right client secret; refreshNow picks it up at once.
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        source.refreshNow(u"idp"_s);
        QVERIFY(atOnce([&] { return s2(engine, u"health"_s) == SignalState::Ok; }));
        QCOMPARE(nowMs(), 0);
        for (const QList<QVariant>& f : std::as_const(failed))
            QVERIFY(!f.at(1).toString().toUtf8().contains(wrong));
    }

    void missingClientSecretIsNamedAndNothingIsSent()
    {
        InMemoryCredentialStore store;
        Engine engine(simulatedEngine());
        OAuth2TokenSource source(&store, simulated());
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });
        QVERIFY(atOnce([&] { return !s2Reason(engine, u"health"_s).isEmpty(); }));
        QCOMPARE(s2Reason(engine, u"health"_s),
            u"credential unavailable: not in the keychain (OAuth2 client secret, key \"idp.client-secret\")"_s);
        QCOMPARE(m_sim.requestCount(u"/oauth/token"_s), 0);
        QCOMPARE(statusOf(engine, u"health"_s).attempts, 0); // nothing sent to the API without a token
    }

    void tokenRequestHasADeadline()
    {
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        OAuth2TokenSource::Options options = simulated();
        options.requestTimeout = 200ms; // real time, as every network deadline: the server is real
        OAuth2TokenSource source(&store, options);
        QSignalSpy failed(&source, &OAuth2TokenSource::tokenFailed);
        QElapsedTimer clock;
        clock.start();
        source.setCredentials({ oauthCredential(u"idp"_s, u"/hang"_s) }); // accepts, never answers
        QVERIFY2(m_clock->settle(), qPrintable(m_clock->errorString())); // ends when the deadline aborts it
        QCOMPARE(failed.size(), 1);
        QVERIFY2(clock.elapsed() >= 180, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(nowMs(), 0); // simulated time stood still while the request was out
        QCOMPARE(failed.at(0).at(1).toString(),
            u"OAuth2 token endpoint: no answer within 0.2 s at "_s + m_sim.url(u"/hang"_s).toString());
        QCOMPARE(source.status(u"idp"_s).nextAttemptUtc, m_clock->utcNow().addSecs(2));
    }

    void restartReusesTheStoredTokenUntilNearExpiry_data()
    {
        QTest::addColumn<int>("downSeconds"); // between the two runs
        QTest::addColumn<bool>("reused");
        QTest::newRow("restarted at once: reused") << 0 << true;
        QTest::newRow("31 s before expiry: reused") << 3569 << true;
        QTest::newRow("25 s before expiry: fetched anew") << 3575 << false;
    }
    void restartReusesTheStoredTokenUntilNearExpiry()
    {
        QFETCH(int, downSeconds);
        QFETCH(bool, reused);
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        QByteArray first;
        {
            OAuth2TokenSource source(&store, simulated());
            collectTokens(source);
            QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
            source.setCredentials({ oauthCredential(u"idp"_s) });
            QVERIFY(m_clock->settle());
            QCOMPARE(ready.size(), 1);
            first = ready.at(0).at(1).toByteArray();
            QVERIFY(store.entries().contains(OAuth2TokenSource::expiryKey(u"idp"_s)));
        }
        QVERIFY(m_clock->advance(std::chrono::seconds(downSeconds))); // SignalDeck is not running meanwhile

        // The next start, with an engine attached before the credentials are set, as the app does it.
        Engine engine(simulatedEngine());
        OAuth2TokenSource source(&store, simulated());
        collectTokens(source);
        QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });
        QVERIFY(atOnce([&] { return s2(engine, u"health"_s) == SignalState::Ok; }));
        QCOMPARE(ready.size(), 1);
        QCOMPARE(ready.at(0).at(1).toByteArray() == first, reused);
        QCOMPARE(m_sim.oauthTokensIssued(), reused ? 1 : 2);
    }

    void removedCredentialIsDroppedAndUnchangedOneKept()
    {
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"a"_s), m_clientSecret },
            { OAuth2TokenSource::clientSecretKey(u"b"_s), m_clientSecret } });
        OAuth2TokenSource source(&store, simulated());
        collectTokens(source);
        QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
        CredentialConfig plain;
        plain.id = u"plain"_s; // no oauth2: not this source's business
        source.setCredentials({ oauthCredential(u"a"_s), oauthCredential(u"b"_s), plain });
        QVERIFY(m_clock->settle());
        QCOMPARE(ready.size(), 2);
        QCOMPARE(source.credentialIds(), (QStringList { u"a"_s, u"b"_s }));

        CredentialConfig relabelled = oauthCredential(u"a"_s);
        relabelled.label = u"renamed"_s;
        source.setCredentials({ relabelled });
        QCOMPARE(source.credentialIds(), QStringList { u"a"_s });
        QVERIFY(source.status(u"a"_s).hasToken); // same oauth2 settings: the token is kept, nothing fetched
        QVERIFY(m_clock->settle()); // a stray fetch would be waited for here
        QCOMPARE(ready.size(), 2);
        QCOMPARE(m_sim.oauthTokensIssued(), 2);
    }

    // The one run on the real clock (systemClock(), QTimers): a 1 s token refreshed at 20 % of its life is
    // replaced after 200 ms of wall time, and the endpoint stays Ok.
    void realTimeSmoke()
    {
        m_sim.setOAuthClock({});
        m_sim.setOAuthClient(u"signaldeck-test"_s, m_clientSecret, 1s);
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        Engine engine;
        OAuth2TokenSource::Options options;
        options.policy.refreshFraction = 0.2;
        options.policy.minimumRefreshDelay = 100ms;
        OAuth2TokenSource source(&store, options);
        collectTokens(source);
        QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        QElapsedTimer clock;
        clock.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 2, 10'000);
        QVERIFY2(clock.elapsed() >= 180, qPrintable(QString::number(clock.elapsed()))); // not before its timer
        QTRY_COMPARE_WITH_TIMEOUT(s2(engine, u"health"_s), SignalState::Ok, 10'000);
    }

    void endToEndOnTheRealKeychain()
    {
        m_sim.setOAuthClock({}); // the system clock here: no waits on time, the keychain's D-Bus round trips
        KeychainCredentialStore store;
        const QString id = u"tst-oauth2-"_s + QString::fromLatin1(randomToken("id", 4));
        {
            const CredentialReply probe = readAndWait(store, id);
            if (probe.error != CredentialError::None && probe.error != CredentialError::NotFound)
                QSKIP("no Secret Service here; run under tools/run-tests.sh (dbus-run-session + gnome-keyring)");
        }
        QVERIFY(writeAndWait(store, OAuth2TokenSource::clientSecretKey(id), m_clientSecret).ok());
        Engine engine;
        OAuth2TokenSource source(&store);
        collectTokens(source);
        QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(id), { endpoint(u"health"_s, id) }));
        engine.start();
        source.setCredentials({ oauthCredential(id) });
        QVERIFY(ready.wait(10'000));
        QTRY_COMPARE_WITH_TIMEOUT(s2(engine, u"health"_s), SignalState::Ok, 10'000);
        const QByteArray token = ready.at(0).at(1).toByteArray();

        // The access token is in the OS keychain under the credential id, and its expiry beside it.
        QTRY_VERIFY_WITH_TIMEOUT(readAndWait(store, OAuth2TokenSource::expiryKey(id)).ok(), 10'000);
        QCOMPARE(readAndWait(store, id).secret, token);
        engine.stop();

        // A restart reads it back from the keychain instead of asking the identity provider again.
        {
            OAuth2TokenSource restarted(&store);
            QSignalSpy again(&restarted, &OAuth2TokenSource::tokenReady);
            restarted.setCredentials({ oauthCredential(id) });
            QVERIFY(again.wait(10'000));
            QCOMPARE(again.at(0).at(1).toByteArray(), token);
            QCOMPARE(m_sim.oauthTokensIssued(), 1);
        }

        for (const QString& key : { id, OAuth2TokenSource::expiryKey(id), OAuth2TokenSource::clientSecretKey(id) })
            QVERIFY(removeAndWait(store, key).ok());
        QCOMPARE(readAndWait(store, id).error, CredentialError::NotFound);
    }
};

QTEST_GUILESS_MAIN(TestOAuth2TokenSource)
#include "tst_oauth2tokensource.moc"
