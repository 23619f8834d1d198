// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Redaction.h"

#include <QTest>

using namespace sd;

class TestRedaction : public QObject {
    Q_OBJECT
private slots:
    void secretsNeverSurvive_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QStringList>("extra");
        QTest::newRow("authorization header")
            << u"Authorization: Bearer abc.def-123"_qs << u"abc.def-123"_qs << QStringList();
        QTest::newRow("lowercase header")
            << u"authorization=Basic dXNlcjpwYXNz"_qs << u"dXNlcjpwYXNz"_qs << QStringList();
        QTest::newRow("bearer anywhere") << u"sending bearer s3cr3tT0ken to host"_qs << u"s3cr3tT0ken"_qs
                                         << QStringList();
        QTest::newRow("api key header") << u"X-Api-Key: k-42-secret"_qs << u"k-42-secret"_qs << QStringList();
        QTest::newRow("json-ish") << uR"({"Authorization": "Token zzz999"})"_qs << u"zzz999"_qs << QStringList();
        QTest::newRow("configured header")
            << u"X-Vendor-Sig: hunter2"_qs << u"hunter2"_qs << QStringList { u"X-Vendor-Sig"_qs };
        QTest::newRow("url userinfo") << u"GET https://bob:pa55@example.com/x"_qs << u"pa55"_qs << QStringList();
    }
    void secretsNeverSurvive()
    {
        QFETCH(QString, text);
        QFETCH(QString, secret);
        QFETCH(QStringList, extra);
        const QString clean = redactSecrets(text, extra);
        QVERIFY2(!clean.contains(secret), qPrintable(clean));
        QVERIFY2(clean.contains(u"<redacted>"_qs), qPrintable(clean));
    }

    void harmlessTextUnchanged()
    {
        const QString text = u"endpoint chat: HTTP 200 in 12 ms, 3 attempts"_qs;
        QCOMPARE(redactSecrets(text), text);
    }

    void urlQuerySecrets()
    {
        const QString url = redactedUrl(QUrl(u"https://u:p@api.example.com/v1?model=m&api_key=XYZ&token=T1"_qs));
        QVERIFY(!url.contains(u"XYZ"_qs));
        QVERIFY(!url.contains(u"T1"_qs));
        QVERIFY(!url.contains(u"u:p"_qs));
        QVERIFY(url.contains(u"model=m"_qs));
        QVERIFY(url.contains(u"api_key=REDACTED"_qs));
    }
};

QTEST_GUILESS_MAIN(TestRedaction)
#include "tst_redaction.moc"
