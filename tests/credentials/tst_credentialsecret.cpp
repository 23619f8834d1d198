// SPDX-License-Identifier: GPL-3.0-or-later
// The pure functions around a secret: fingerprint, JWT expiry, scheme fit, the header it becomes, and the
// S2 advisory its metadata gives.
#include "TestSecrets.h"
#include "credentials/CredentialSecret.h"
#include "health/CredentialAdvisory.h"
#include "probe/CredentialHeader.h"

#include <QCryptographicHash>
#include <QTest>

using namespace sd;
using namespace sd::test;
using namespace Qt::StringLiterals;

class TestCredentialSecret : public QObject {
    Q_OBJECT
private slots:
    void fingerprintIsTheStartOfSha256()
    {
        const QByteArray secret = randomToken();
        const QString fingerprint = credentialFingerprint(secret);
        QCOMPARE(fingerprint.size(), 8);
        QCOMPARE(fingerprint,
            QString::fromLatin1(QCryptographicHash::hash(secret, QCryptographicHash::Sha256).toHex().left(8)));
        QVERIFY(!secret.contains(fingerprint.toLatin1()));
        QVERIFY(credentialFingerprint(randomToken()) != fingerprint);
        // The well-known SHA-256 of the empty string starts with e3b0c442.
        QCOMPARE(credentialFingerprint(QByteArray()), u"e3b0c442"_s);
    }

    void jwtExpiry_data()
    {
        QTest::addColumn<QByteArray>("secret");
        QTest::addColumn<QDateTime>("expected"); // invalid = nullopt
        const QDateTime when(QDate(2030, 5, 1), QTime(12, 0), Qt::UTC);
        QTest::newRow("jwt with exp") << makeJwt(when.toSecsSinceEpoch()) << when;
        QTest::newRow("jwt with a line break after it") << makeJwt(when.toSecsSinceEpoch()) + '\n' << when;
        QTest::newRow("plain token") << randomToken() << QDateTime();
        QTest::newRow("two dots, not base64") << QByteArray("a.b$.c") << QDateTime();
        const QByteArray noExp = QByteArray(R"({"alg":"none"})").toBase64(QByteArray::Base64UrlEncoding) + '.'
            + QByteArray(R"({"sub":"x"})").toBase64(QByteArray::Base64UrlEncoding) + ".sig";
        QTest::newRow("jwt without exp") << noExp << QDateTime();
        const QByteArray stringExp = QByteArray(R"({"alg":"none"})").toBase64(QByteArray::Base64UrlEncoding) + '.'
            + QByteArray(R"({"exp":"soon"})").toBase64(QByteArray::Base64UrlEncoding) + ".sig";
        QTest::newRow("exp not a number") << stringExp << QDateTime();
        const QByteArray huge = QByteArray(R"({"alg":"none"})").toBase64(QByteArray::Base64UrlEncoding) + '.'
            + QByteArray(R"({"exp":1e300})").toBase64(QByteArray::Base64UrlEncoding) + ".sig";
        QTest::newRow("exp absurdly large") << huge << QDateTime();
    }
    void jwtExpiry()
    {
        QFETCH(QByteArray, secret);
        QFETCH(QDateTime, expected);
        const auto expiry = sd::jwtExpiry(secret);
        if (!expected.isValid()) {
            QVERIFY(!expiry);
            return;
        }
        QVERIFY(expiry);
        QCOMPARE(*expiry, expected);
        QCOMPARE(expiry->timeSpec(), Qt::UTC);
    }

    void secretProblem_data()
    {
        QTest::addColumn<QString>("scheme");
        QTest::addColumn<QByteArray>("secret");
        QTest::addColumn<bool>("usable");
        QTest::newRow("bearer token") << u"bearer"_s << randomToken() << true;
        QTest::newRow("empty") << u"bearer"_s << QByteArray() << false;
        QTest::newRow("line break inside") << u"header:X-Api-Key"_s << QByteArray("ab\ncd") << false;
        QTest::newRow("basic with colon") << u"basic"_s << QByteArray("user:pw") << true;
        QTest::newRow("basic without colon") << u"basic"_s << QByteArray("userpw") << false;
        QTest::newRow("unknown scheme") << u"digest"_s << QByteArray("x") << false;
    }
    void secretProblem()
    {
        QFETCH(QString, scheme);
        QFETCH(QByteArray, secret);
        QFETCH(bool, usable);
        const QString problem = sd::secretProblem(scheme, secret);
        QCOMPARE(problem.isEmpty(), usable);
        if (!secret.isEmpty())
            QVERIFY(!problem.contains(QString::fromLatin1(secret)));
    }

    void headerPerScheme()
    {
        const QByteArray token = randomToken();
        const QByteArray userPassword = QByteArray("ops:") + token;
        using Header = std::pair<QByteArray, QByteArray>;
        QCOMPARE(credentialHeader(u"bearer"_s, token), std::optional(Header { "Authorization", "Bearer " + token }));
        QCOMPARE(credentialHeader(u"basic"_s, userPassword),
            std::optional(Header { "Authorization", "Basic " + userPassword.toBase64() }));
        QCOMPARE(credentialHeader(u"header:X-Api-Key"_s, token), std::optional(Header { "X-Api-Key", token }));
        QVERIFY(!credentialHeader(u"header:"_s, token));
        QVERIFY(!credentialHeader(u"digest"_s, token));
    }

    void recordNewSecretKeepsCreatedAndSetsTheRest()
    {
        CredentialConfig c;
        const QDateTime t1(QDate(2030, 1, 1), QTime(8, 0, 0, 750), Qt::UTC);
        const QByteArray first = randomToken();
        recordNewSecret(c, first, t1);
        QCOMPARE(c.created, QDateTime(QDate(2030, 1, 1), QTime(8, 0), Qt::UTC)); // whole seconds
        QCOMPARE(c.rotated, c.created);
        QCOMPARE(c.fingerprint, credentialFingerprint(first));
        QVERIFY(!c.expires.isValid());
        const QDateTime exp(QDate(2030, 3, 1), QTime(0, 0), Qt::UTC);
        recordNewSecret(c, makeJwt(exp.toSecsSinceEpoch()), t1.addDays(10));
        QCOMPARE(c.created, QDateTime(QDate(2030, 1, 1), QTime(8, 0), Qt::UTC));
        QCOMPARE(c.rotated, QDateTime(QDate(2030, 1, 11), QTime(8, 0), Qt::UTC));
        QCOMPARE(c.expires, exp);
    }

    void advisory_data()
    {
        QTest::addColumn<int>("expiresInSeconds"); // 0 = no expiry known
        QTest::addColumn<int>("ageDays");
        QTest::addColumn<int>("rotationDays");
        QTest::addColumn<SignalState>("state");
        QTest::addColumn<QString>("reasonContains");
        QTest::newRow("fresh") << 0 << 10 << 90 << SignalState::Ok << QString();
        QTest::newRow("jwt far from expiry") << 5 * 86400 << 1 << 90 << SignalState::Ok << QString();
        QTest::newRow("jwt expires in 2 h") << 7200 << 1 << 90 << SignalState::Warning << u"expires in 2 h 0 min"_s;
        QTest::newRow("jwt expires in exactly 24 h") << 86400 << 1 << 90 << SignalState::Warning << u"expires in"_s;
        QTest::newRow("jwt expired 5 min ago") << -300 << 1 << 90 << SignalState::Critical << u"expired 5 min ago"_s;
        QTest::newRow("older than policy")
            << 0 << 91 << 90 << SignalState::Warning << u"credential is 91 days old (rotation policy: 90 days)"_s;
        QTest::newRow("exactly at policy") << 0 << 90 << 90 << SignalState::Ok << QString();
        QTest::newRow("expired beats old") << -60 << 400 << 90 << SignalState::Critical << u"expired"_s;
    }
    void advisory()
    {
        QFETCH(int, expiresInSeconds);
        QFETCH(int, ageDays);
        QFETCH(int, rotationDays);
        QFETCH(SignalState, state);
        QFETCH(QString, reasonContains);
        const QDateTime now(QDate(2030, 6, 1), QTime(12, 0), Qt::UTC);
        CredentialConfig c;
        c.rotationDays = rotationDays;
        c.created = now.addDays(-ageDays);
        c.rotated = c.created;
        if (expiresInSeconds != 0)
            c.expires = now.addSecs(expiresInSeconds);
        const CredentialAdvisory a = credentialAdvisory(c, now);
        QCOMPARE(a.state, state);
        QVERIFY2(a.reason.contains(reasonContains), qPrintable(a.reason));
        QCOMPARE(a.reason.isEmpty(), state == SignalState::Ok);
    }

    void certificateAdvisory_data()
    {
        QTest::addColumn<qint64>("leftSeconds");
        QTest::addColumn<int>("warnDays");
        QTest::addColumn<int>("criticalDays");
        QTest::addColumn<SignalState>("state");
        QTest::addColumn<QString>("reason"); // "" = none
        constexpr qint64 day = 86'400;
        QTest::newRow("60 days") << 60 * day << 14 << 3 << SignalState::Ok << QString();
        QTest::newRow("14 days, warn 14")
            << 14 * day << 14 << 3 << SignalState::Warning
            << u"server certificate CN=api expires in 14 days (2030-06-15T12:00:00Z): renew the certificate"_s;
        QTest::newRow("2 days") << 2 * day + 3600 << 14 << 3 << SignalState::Critical
                                << u"server certificate CN=api expires in 2 days (2030-06-03T13:00:00Z): renew the "
                                   u"certificate"_s;
        QTest::newRow("2 days, critical 1") << 2 * day + 3600 << 14 << 1 << SignalState::Warning
                                            << u"server certificate CN=api expires in 2 days (2030-06-03T13:00:00Z): "
                                               u"renew the certificate"_s;
        QTest::newRow("5 hours") << qint64 { 5 } * 3600 << 14 << 0 << SignalState::Warning
                                 << u"server certificate CN=api expires in 5 h 0 min (2030-06-01T17:00:00Z): renew "
                                    u"the certificate"_s;
        QTest::newRow("expired") << -day << 14 << 3 << SignalState::Critical
                                 << u"server certificate CN=api expired 24 h 0 min ago (2030-05-31T12:00:00Z): renew "
                                    u"the certificate"_s;
    }
    void certificateAdvisory()
    {
        QFETCH(qint64, leftSeconds);
        QFETCH(int, warnDays);
        QFETCH(int, criticalDays);
        QFETCH(SignalState, state);
        QFETCH(QString, reason);
        const QDateTime now(QDate(2030, 6, 1), QTime(12, 0), Qt::UTC);
        TlsConfig tls;
        tls.certWarnDays = warnDays;
        tls.certCriticalDays = criticalDays;
        const CredentialAdvisory a
            = sd::certificateAdvisory(u"server certificate CN=api"_s, now.addSecs(leftSeconds), tls, now);
        QCOMPARE(a.state, state);
        QCOMPARE(a.reason, reason);
        QCOMPARE(sd::certificateAdvisory(u"x"_s, QDateTime(), tls, now).state, SignalState::Ok);
    }

    void clientCertificateKeyIsAPemPrivateKey()
    {
        QVERIFY(sd::secretProblem(u"clientCert"_s, pemBlock("PRIVATE KEY")).isEmpty());
        QVERIFY(sd::secretProblem(u"clientCert"_s, pemBlock("EC PRIVATE KEY", "MHc")).isEmpty());
        QVERIFY(sd::secretProblem(u"clientCert"_s, randomToken()).contains(u"private key in PEM"_s));
        QVERIFY(sd::secretProblem(u"clientCert"_s, pemBlock("ENCRYPTED PRIVATE KEY")).contains(u"encrypted"_s));
        // The header schemes still refuse a PEM's line breaks.
        QVERIFY(!sd::secretProblem(u"bearer"_s, pemBlock("PRIVATE KEY")).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCredentialSecret)
#include "tst_credentialsecret.moc"
