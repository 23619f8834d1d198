// SPDX-License-Identifier: GPL-3.0-or-later
// The client credentials grant on the wire: the request body and Basic client authentication of RFC 6749, and
// what each kind of token endpoint answer means (a token and its lifetime, or an error fit for an S2 reason).
#include "TestSecrets.h"
#include "credentials/OAuth2Protocol.h"

#include <QTest>

using namespace sd;
using namespace sd::test;
using namespace Qt::StringLiterals;

class TestOAuth2Protocol : public QObject {
    Q_OBJECT
private slots:
    void requestBody()
    {
        QCOMPARE(clientCredentialsBody(u"signaldeck"_s, {}), "grant_type=client_credentials&client_id=signaldeck");
        QCOMPARE(clientCredentialsBody(u"my app"_s, u"read:health write"_s),
            "grant_type=client_credentials&client_id=my%20app&scope=read%3Ahealth%20write");
    }

    void basicClientAuthenticationIsFormEncodedThenBase64()
    {
        // RFC 6749 §2.3.1: id and secret are form-urlencoded before they become the Basic user and password,
        // so a ':' in either cannot be misread.
        const QByteArray secret = randomToken("cs") + ":+/";
        const QByteArray header = basicClientAuthorization(u"id:1"_s, secret);
        QVERIFY(header.startsWith("Basic "));
        const QByteArray decoded = QByteArray::fromBase64(header.mid(6));
        QCOMPARE(decoded, "id%3A1:" + secret.chopped(3) + "%3A%2B%2F");
    }

    void answers_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("phrase");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<qint64>("expiresIn"); // -1: none given
        QTest::addColumn<QString>("error");

        const QByteArray token = randomToken("at");
        const auto tokenJson
            = [&](const QByteArray& rest) -> QByteArray { return "{\"access_token\":\"" + token + "\"" + rest + "}"; };
        QTest::newRow("token, Bearer, 3600 s")
            << 200 << u"OK"_s << tokenJson(R"(,"token_type":"Bearer","expires_in":3600)") << true << qint64(3600)
            << QString();
        QTest::newRow("token_type in lower case, expires_in as a string")
            << 200 << u"OK"_s << tokenJson(R"(,"token_type":"bearer","expires_in":"120")") << true << qint64(120)
            << QString();
        QTest::newRow("no expires_in") << 200 << u"OK"_s << tokenJson(R"(,"token_type":"Bearer")") << true << qint64(-1)
                                       << QString();
        QTest::newRow("no token_type is tolerated")
            << 200 << u"OK"_s << tokenJson(R"(,"expires_in":60)") << true << qint64(60) << QString();
        QTest::newRow("invalid_client with description")
            << 401 << u"Unauthorized"_s
            << QByteArray(R"({"error":"invalid_client","error_description":"client authentication failed"})") << false
            << qint64(-1) << u"invalid_client client authentication failed (HTTP 401)"_s;
        QTest::newRow("invalid_scope without description")
            << 400 << u"Bad Request"_s << QByteArray(R"({"error":"invalid_scope"})") << false << qint64(-1)
            << u"invalid_scope (HTTP 400)"_s;
        QTest::newRow("multi-line description becomes one line")
            << 400 << QString() << QByteArray(R"({"error":"invalid_request","error_description":"bad\n\n  thing"})")
            << false << qint64(-1) << u"invalid_request bad thing (HTTP 400)"_s;
        QTest::newRow("HTML outage page: the status phrase")
            << 503 << u"Service Unavailable"_s << QByteArray("<html>down</html>") << false << qint64(-1)
            << u"Service Unavailable (HTTP 503)"_s;
        QTest::newRow("no phrase, no body")
            << 502 << QString() << QByteArray() << false << qint64(-1) << u"unexpected answer (HTTP 502)"_s;
        QTest::newRow("redirect is not followed")
            << 302 << u"Found"_s << QByteArray() << false << qint64(-1) << u"Found (HTTP 302)"_s;
        QTest::newRow("200 that is not JSON") << 200 << u"OK"_s << QByteArray("access_token=x") << false << qint64(-1)
                                              << u"the answer is not a JSON object (HTTP 200)"_s;
        QTest::newRow("200 without access_token")
            << 200 << u"OK"_s << QByteArray(R"({"token_type":"Bearer","expires_in":60})") << false << qint64(-1)
            << u"the answer has no access_token (HTTP 200)"_s;
        QTest::newRow("token with a line break") << 200 << u"OK"_s << QByteArray(R"({"access_token":"a\nb"})") << false
                                                 << qint64(-1) << u"the access_token holds a line break (HTTP 200)"_s;
        QTest::newRow("MAC token") << 200 << u"OK"_s << tokenJson(R"(,"token_type":"mac")") << false << qint64(-1)
                                   << u"token_type \"mac\" is not Bearer (HTTP 200)"_s;
        QTest::newRow("negative expires_in")
            << 200 << u"OK"_s << tokenJson(R"(,"expires_in":-5)") << false << qint64(-1)
            << u"expires_in is not a positive number of seconds (HTTP 200)"_s;
        QTest::newRow("expires_in not a number")
            << 200 << u"OK"_s << tokenJson(R"(,"expires_in":"soon")") << false << qint64(-1)
            << u"expires_in is not a positive number of seconds (HTTP 200)"_s;
    }
    void answers()
    {
        QFETCH(int, status);
        QFETCH(QString, phrase);
        QFETCH(QByteArray, body);
        QFETCH(bool, ok);
        QFETCH(qint64, expiresIn);
        QFETCH(QString, error);
        const OAuth2TokenResponse response = parseTokenResponse(status, phrase, body);
        QCOMPARE(response.error, error);
        QCOMPARE(response.ok(), ok);
        QCOMPARE(response.accessToken.isEmpty(), !ok);
        if (ok)
            QVERIFY(body.contains(response.accessToken));
        QCOMPARE(response.expiresIn ? response.expiresIn->count() : qint64(-1), expiresIn);
        QVERIFY(!response.error.toUtf8().contains("at-")); // an error never quotes the token
    }

    void longErrorTextIsBounded()
    {
        const QByteArray body
            = "{\"error\":\"invalid_request\",\"error_description\":\"" + QByteArray(5000, 'x') + "\"}";
        const OAuth2TokenResponse response = parseTokenResponse(400, {}, body);
        QVERIFY2(response.error.size() < 300, qPrintable(QString::number(response.error.size())));
        QVERIFY(response.error.endsWith(u"(HTTP 400)"_s));
    }
};

QTEST_GUILESS_MAIN(TestOAuth2Protocol)
#include "tst_oauth2protocol.moc"
