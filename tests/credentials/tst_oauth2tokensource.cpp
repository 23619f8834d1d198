// SPDX-License-Identifier: GPL-3.0-or-later
// OAuth2 client credentials end to end: the simulator's token endpoint, the token source and the engine on
// loopback. A token is fetched and the endpoint goes OK; it is refreshed before it expires (the API never
// answers 401); a revoked token is refreshed exactly once on the 401; an identity-provider outage raises S2
// with the token endpoint's error and heals by itself; a wrong client secret says invalid_client. Logic runs
// on the in-memory store, one case on the real OS keychain. No secret or token may reach a log.
#include "TestSecrets.h"
#include "controller/CredentialLoading.h"
#include "credentials/CredentialSecret.h"
#include "credentials/CredentialStoreWait.h"
#include "credentials/InMemoryCredentialStore.h"
#include "credentials/KeychainCredentialStore.h"
#include "credentials/OAuth2TokenSource.h"
#include "schedule/Engine.h"
#include "simulator/Simulator.h"

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

    // Fast backoff and a fixed jitter, so that an outage test takes seconds, not minutes.
    static OAuth2TokenSource::Options fastOptions()
    {
        OAuth2TokenSource::Options options;
        options.policy.backoffBase = 200ms;
        options.policy.backoffCap = 800ms;
        options.requestTimeout = 2s;
        options.random = [] { return 1.0; };
        return options;
    }

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
        e.interval = 300ms;
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
        verifyNothingSecretInTheLog();
        qInstallMessageHandler(g_previousHandler);
    }

    void init()
    {
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
        Engine engine;
        OAuth2TokenSource source(&store, fastOptions());
        collectTokens(source);
        QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        const QDateTime before = QDateTime::currentDateTimeUtc();
        source.setCredentials({ oauthCredential(u"idp"_s) });

        QVERIFY(ready.wait(5'000));
        const QByteArray token = ready.at(0).at(1).toByteArray();
        QCOMPARE(ready.at(0).at(0).toString(), u"idp"_s);
        QTRY_VERIFY_WITH_TIMEOUT(statusOf(engine, u"health"_s).probes >= 2, 10'000);
        QCOMPARE(s2(engine, u"health"_s), SignalState::Ok);
        QCOMPARE(statusOf(engine, u"health"_s).overall, SignalState::Ok);
        QCOMPARE(m_sim.requestCount(u"/oauth/token"_s), 1);

        // The token is kept in the store under the credential id, its expiry beside it.
        QTRY_VERIFY_WITH_TIMEOUT(store.entries().contains(OAuth2TokenSource::expiryKey(u"idp"_s)), 5'000);
        QCOMPARE(store.entries().value(u"idp"_s), token);
        const QDateTime expires = QDateTime::fromString(
            QString::fromLatin1(store.entries().value(OAuth2TokenSource::expiryKey(u"idp"_s))), Qt::ISODate);
        QVERIFY(qAbs(before.addSecs(3600).secsTo(expires)) <= 5);

        const OAuth2TokenSource::Status status = source.status(u"idp"_s);
        QVERIFY(status.managed && status.hasToken);
        QCOMPARE(status.fingerprint, credentialFingerprint(token));
        QCOMPARE(status.failures, 0);
        // Refresh at 80 % of the hour.
        QVERIFY(qAbs(before.addSecs(2880).secsTo(status.nextAttemptUtc)) <= 5);
        QCOMPARE(source.status(u"other"_s).managed, false);
    }

    void refreshedBeforeExpirySoTheApiNeverSays401()
    {
        m_sim.setOAuthClient(u"signaldeck-test"_s, m_clientSecret, 3s);
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        Engine engine;
        QSignalSpy batches(&engine, &Engine::batchReady);
        QSignalSpy rejected(&engine, &Engine::credentialRejected);
        OAuth2TokenSource source(&store, fastOptions());
        collectTokens(source);
        QElapsedTimer clock;
        QList<qint64> readyAtMs;
        connect(&source, &OAuth2TokenSource::tokenReady, this, [&] { readyAtMs.append(clock.elapsed()); });
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        clock.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });

        // Three tokens: the first and two refreshes, each at about 80 % of 3 s.
        QTRY_VERIFY_WITH_TIMEOUT(readyAtMs.size() >= 3, 12'000);
        for (int i = 1; i < readyAtMs.size(); ++i) {
            const qint64 gap = readyAtMs[i] - readyAtMs[i - 1];
            QVERIFY2(gap >= 2'200 && gap <= 2'900, qPrintable(u"refresh after %1 ms"_s.arg(gap)));
        }
        QTRY_VERIFY_WITH_TIMEOUT(batches.size() >= 2, 2'000);
        const QList<ProbeResult> all = results(batches);
        QVERIFY2(all.size() >= 10, qPrintable(QString::number(all.size())));
        for (const ProbeResult& r : all)
            QVERIFY2(r.outcome == Outcome::Ok, qPrintable(u"HTTP %1: %2"_s.arg(r.httpStatus).arg(r.reason)));
        QCOMPARE(rejected.size(), 0);
        QCOMPARE(s2(engine, u"health"_s), SignalState::Ok);
    }

    void revokedTokenRefreshedExactlyOnceOn401()
    {
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        Engine engine;
        QSignalSpy batches(&engine, &Engine::batchReady);
        QSignalSpy rejected(&engine, &Engine::credentialRejected);
        OAuth2TokenSource source(&store, fastOptions());
        collectTokens(source);
        QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
        attachTokenSource(source, engine);
        engine.setConfig(
            configFor(oauthCredential(u"idp"_s), { endpoint(u"chat"_s, u"idp"_s), endpoint(u"models"_s, u"idp"_s) }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });
        QVERIFY(ready.wait(5'000));
        QTRY_VERIFY_WITH_TIMEOUT(
            statusOf(engine, u"chat"_s).probes >= 2 && statusOf(engine, u"models"_s).probes >= 2, 10'000);
        QCOMPARE(m_sim.oauthTokensIssued(), 1);

        // The identity provider revokes the token: the next probe gets 401, the source fetches one new token,
        // the engine probes with it at once and S2 is Ok again.
        m_sim.revokeOAuthTokens();
        QTRY_VERIFY_WITH_TIMEOUT(rejected.size() >= 1, 5'000);
        QCOMPARE(rejected.at(0).at(0).toString(), u"idp"_s);
        QCOMPARE(rejected.at(0).at(1).toString(), credentialFingerprint(ready.at(0).at(1).toByteArray()));
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 2, 5'000);
        QTRY_COMPARE_WITH_TIMEOUT(s2(engine, u"chat"_s), SignalState::Ok, 5'000);
        QTRY_COMPARE_WITH_TIMEOUT(s2(engine, u"models"_s), SignalState::Ok, 5'000);

        // And it stays at one refresh while probing goes on.
        const qint64 probesThen = statusOf(engine, u"chat"_s).probes;
        QTRY_VERIFY_WITH_TIMEOUT(statusOf(engine, u"chat"_s).probes >= probesThen + 4, 10'000);
        QCOMPARE(m_sim.oauthTokensIssued(), 2);
        QCOMPARE(ready.size(), 2);
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
        Engine engine;
        QSignalSpy rejected(&engine, &Engine::credentialRejected);
        OAuth2TokenSource source(&store, fastOptions());
        collectTokens(source);
        attachTokenSource(source, engine);
        // /auth/invalid answers 401 invalid_token to every token.
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"strict"_s, u"idp"_s, u"/auth/invalid"_s) }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });
        QTRY_VERIFY_WITH_TIMEOUT(statusOf(engine, u"strict"_s).probes >= 5, 15'000);
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
        Engine engine;
        OAuth2TokenSource source(&store, fastOptions());
        collectTokens(source);
        QSignalSpy failed(&source, &OAuth2TokenSource::tokenFailed);
        QElapsedTimer clock;
        QList<qint64> attemptsAtMs;
        QObject listening; // ends the connection with this test
        connect(&m_sim, &Simulator::requestReceived, &listening, [&](const QString& route) {
            if (route == u"/oauth/token")
                attemptsAtMs.append(clock.elapsed());
        });
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        clock.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });

        const QString expected = u"OAuth2 token endpoint: temporarily_unavailable the identity provider is down "
                                 "(HTTP 503) at "_s
            + m_sim.url(u"/oauth/token"_s).toString();
        QTRY_COMPARE_WITH_TIMEOUT(s2Reason(engine, u"health"_s), expected, 5'000);
        QCOMPARE(s2(engine, u"health"_s), SignalState::Critical);
        QCOMPARE(failed.at(0).at(1).toString(), expected);

        // It keeps trying, further apart each time (200, 400, 800, 800 ms with this policy), and sends nothing
        // to the API meanwhile.
        QTRY_VERIFY_WITH_TIMEOUT(attemptsAtMs.size() >= 5, 10'000);
        const QList<qint64> at = attemptsAtMs;
        const qint64 firstGap = at[1] - at[0];
        const qint64 thirdGap = at[3] - at[2];
        QVERIFY2(firstGap >= 150 && firstGap < 700, qPrintable(QString::number(firstGap)));
        QVERIFY2(thirdGap >= 700 && thirdGap < 2'000, qPrintable(QString::number(thirdGap)));
        QCOMPARE(statusOf(engine, u"health"_s).attempts, 0); // nothing sent to the API without a token
        const OAuth2TokenSource::Status down = source.status(u"idp"_s);
        QVERIFY(!down.hasToken);
        QVERIFY(down.failures >= 4);
        QCOMPARE(down.lastError, expected);

        // The identity provider is back: the next attempt gets a token and S2 clears without anyone acting.
        m_sim.setTokenEndpointDown(false);
        QTRY_COMPARE_WITH_TIMEOUT(s2(engine, u"health"_s), SignalState::Ok, 5'000);
        QTRY_VERIFY_WITH_TIMEOUT(m_sim.requestCount(u"/oauth/protected"_s) >= 1, 5'000);
        QCOMPARE(source.status(u"idp"_s).failures, 0);
        QVERIFY(source.status(u"idp"_s).lastError.isEmpty());
    }

    void heldTokenStaysInUseThroughAnOutageUntilItExpires()
    {
        m_sim.setOAuthClient(u"signaldeck-test"_s, m_clientSecret, 2s);
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        Engine engine;
        OAuth2TokenSource source(&store, fastOptions());
        collectTokens(source);
        QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
        QSignalSpy failed(&source, &OAuth2TokenSource::tokenFailed);
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });
        QVERIFY(ready.wait(5'000));
        m_sim.setTokenEndpointDown(true);

        // The refresh at 1.6 s fails, but the token has 0.4 s left: it stays in use, S2 stays Ok.
        QTRY_VERIFY_WITH_TIMEOUT(source.status(u"idp"_s).failures >= 1, 5'000);
        if (failed.isEmpty()) {
            QVERIFY(source.status(u"idp"_s).hasToken);
            QCOMPARE(s2(engine, u"health"_s), SignalState::Ok);
        }
        // At expiry it is dropped and S2 says why.
        QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), 5'000);
        QTRY_VERIFY_WITH_TIMEOUT(s2Reason(engine, u"health"_s).startsWith(u"OAuth2 token endpoint: "_s), 5'000);
        QCOMPARE(s2(engine, u"health"_s), SignalState::Critical);
        QVERIFY(!source.status(u"idp"_s).hasToken);

        m_sim.setTokenEndpointDown(false);
        QTRY_COMPARE_WITH_TIMEOUT(s2(engine, u"health"_s), SignalState::Ok, 5'000);
    }

    void wrongClientSecretSaysInvalidClient()
    {
        const QByteArray wrong = randomToken("wrong-secret", 16);
        m_secretsSeen.append(wrong);
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), wrong } });
        Engine engine;
        OAuth2TokenSource source(&store, fastOptions());
        QSignalSpy failed(&source, &OAuth2TokenSource::tokenFailed);
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });
        const QString expected = u"OAuth2 token endpoint: invalid_client client authentication failed (HTTP 401) at "_s
            + m_sim.url(u"/oauth/token"_s).toString();
        QTRY_COMPARE_WITH_TIMEOUT(s2Reason(engine, u"health"_s), expected, 5'000);
        QCOMPARE(s2(engine, u"health"_s), SignalState::Critical);
        // Nothing was sent to the API without a token. (Asked of this engine: the simulator's count can still
        // receive a straggler from the previous test's engine.)
        QCOMPARE(statusOf(engine, u"health"_s).attempts, 0);

        // The operator stores the right client secret; the next attempt (or refreshNow) picks it up.
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        source.refreshNow(u"idp"_s);
        QTRY_COMPARE_WITH_TIMEOUT(s2(engine, u"health"_s), SignalState::Ok, 5'000);
        for (const QList<QVariant>& f : std::as_const(failed))
            QVERIFY(!f.at(1).toString().toUtf8().contains(wrong));
    }

    void missingClientSecretIsNamedAndNothingIsSent()
    {
        InMemoryCredentialStore store;
        Engine engine;
        OAuth2TokenSource source(&store, fastOptions());
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });
        QTRY_COMPARE_WITH_TIMEOUT(s2Reason(engine, u"health"_s),
            u"credential unavailable: not in the keychain (OAuth2 client secret, key \"idp.client-secret\")"_s, 5'000);
        QCOMPARE(m_sim.requestCount(u"/oauth/token"_s), 0);
        QCOMPARE(statusOf(engine, u"health"_s).attempts, 0); // nothing sent to the API without a token
    }

    void tokenRequestHasADeadline()
    {
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        OAuth2TokenSource::Options options = fastOptions();
        options.requestTimeout = 500ms;
        OAuth2TokenSource source(&store, options);
        QSignalSpy failed(&source, &OAuth2TokenSource::tokenFailed);
        QElapsedTimer clock;
        clock.start();
        source.setCredentials({ oauthCredential(u"idp"_s, u"/hang"_s) }); // accepts, never answers
        QVERIFY(failed.wait(5'000));
        QVERIFY2(clock.elapsed() >= 450 && clock.elapsed() < 3'000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(failed.at(0).at(1).toString(),
            u"OAuth2 token endpoint: no answer within 0.5 s at "_s + m_sim.url(u"/hang"_s).toString());
    }

    void restartReusesTheStoredTokenUntilNearExpiry_data()
    {
        QTest::addColumn<int>("lifetimeSeconds");
        QTest::addColumn<bool>("reused");
        QTest::newRow("an hour left: reused") << 3600 << true;
        QTest::newRow("20 s left: fetched anew") << 20 << false;
    }
    void restartReusesTheStoredTokenUntilNearExpiry()
    {
        QFETCH(int, lifetimeSeconds);
        QFETCH(bool, reused);
        m_sim.setOAuthClient(u"signaldeck-test"_s, m_clientSecret, std::chrono::seconds(lifetimeSeconds));
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"idp"_s), m_clientSecret } });
        QByteArray first;
        {
            OAuth2TokenSource source(&store, fastOptions());
            collectTokens(source);
            QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
            source.setCredentials({ oauthCredential(u"idp"_s) });
            QVERIFY(ready.wait(5'000));
            first = ready.at(0).at(1).toByteArray();
            QTRY_VERIFY_WITH_TIMEOUT(store.entries().contains(OAuth2TokenSource::expiryKey(u"idp"_s)), 5'000);
        }
        // The next start, with an engine attached before the credentials are set, as the app does it.
        Engine engine;
        OAuth2TokenSource source(&store, fastOptions());
        collectTokens(source);
        QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
        attachTokenSource(source, engine);
        engine.setConfig(configFor(oauthCredential(u"idp"_s), { endpoint(u"health"_s, u"idp"_s) }));
        engine.start();
        source.setCredentials({ oauthCredential(u"idp"_s) });
        QVERIFY(ready.wait(5'000));
        QCOMPARE(ready.at(0).at(1).toByteArray() == first, reused);
        QCOMPARE(m_sim.oauthTokensIssued(), reused ? 1 : 2);
        QTRY_COMPARE_WITH_TIMEOUT(s2(engine, u"health"_s), SignalState::Ok, 5'000);
    }

    void removedCredentialIsDroppedAndUnchangedOneKept()
    {
        InMemoryCredentialStore store;
        store.setEntries({ { OAuth2TokenSource::clientSecretKey(u"a"_s), m_clientSecret },
            { OAuth2TokenSource::clientSecretKey(u"b"_s), m_clientSecret } });
        OAuth2TokenSource source(&store, fastOptions());
        collectTokens(source);
        QSignalSpy ready(&source, &OAuth2TokenSource::tokenReady);
        CredentialConfig plain;
        plain.id = u"plain"_s; // no oauth2: not this source's business
        source.setCredentials({ oauthCredential(u"a"_s), oauthCredential(u"b"_s), plain });
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 2, 5'000);
        QCOMPARE(source.credentialIds(), (QStringList { u"a"_s, u"b"_s }));

        CredentialConfig relabelled = oauthCredential(u"a"_s);
        relabelled.label = u"renamed"_s;
        source.setCredentials({ relabelled });
        QCOMPARE(source.credentialIds(), QStringList { u"a"_s });
        QVERIFY(source.status(u"a"_s).hasToken); // same oauth2 settings: the token is kept, nothing fetched
        QTest::qWait(100); // nothing asynchronous is expected; give a stray fetch the chance to show
        QCOMPARE(ready.size(), 2);
        QCOMPARE(m_sim.oauthTokensIssued(), 2);
    }

    void endToEndOnTheRealKeychain()
    {
        KeychainCredentialStore store;
        const QString id = u"tst-oauth2-"_s + QString::fromLatin1(randomToken("id", 4));
        {
            const CredentialReply probe = readAndWait(store, id);
            if (probe.error != CredentialError::None && probe.error != CredentialError::NotFound)
                QSKIP("no Secret Service here; run under tools/run-tests.sh (dbus-run-session + gnome-keyring)");
        }
        QVERIFY(writeAndWait(store, OAuth2TokenSource::clientSecretKey(id), m_clientSecret).ok());
        Engine engine;
        OAuth2TokenSource source(&store, fastOptions());
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
            OAuth2TokenSource restarted(&store, fastOptions());
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
