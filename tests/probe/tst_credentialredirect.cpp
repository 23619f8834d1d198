// SPDX-License-Identifier: GPL-3.0-or-later
// A credential goes only to the endpoint's own origin: a redirect to another port or host is followed
// without it (Qt itself would replay every header). Two simulators on loopback that accept the same token.
#include "credentials/TestSecrets.h"
#include "probe/CredentialHeader.h"
#include "probe/ProbeTransport.h"
#include "simulator/Simulator.h"

#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

using namespace sd;
using namespace sd::test;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

class TestCredentialRedirect : public QObject {
    Q_OBJECT
private:
    Simulator m_origin;
    Simulator m_other;
    QByteArray m_token;

    ProbeFacts probe(const QUrl& target, const QString& redirectStatus = u"302"_s)
    {
        QUrl url = m_origin.url(u"/redirect"_s);
        QUrlQuery query;
        query.addQueryItem(u"to"_s, QString::fromUtf8(target.toEncoded().toPercentEncoding()));
        query.addQueryItem(u"status"_s, redirectStatus);
        url.setQuery(query);
        ProbeTransport transport;
        QSignalSpy finished(&transport, &ProbeTransport::finished);
        EndpointConfig endpoint;
        endpoint.name = u"redirected"_s;
        endpoint.url = url;
        ProbeRequest request { 1, endpoint, 5s, {}, {}, {} };
        request.extraHeaders.append(*credentialHeader(u"bearer"_s, m_token));
        transport.start(request);
        if (!finished.wait(10'000))
            return {};
        return finished.at(0).at(1).value<ProbeFacts>();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_origin.start(), qPrintable(m_origin.errorString()));
        QVERIFY2(m_other.start(), qPrintable(m_other.errorString()));
        m_token = randomToken();
        m_origin.setAcceptedTokens({ m_token });
        m_other.setAcceptedTokens({ m_token });
    }

    void sameOriginRedirectKeepsTheCredential()
    {
        const ProbeFacts facts = probe(m_origin.url(u"/auth/bearer"_s));
        QCOMPARE(facts.httpStatus, 200);
        QCOMPARE(facts.transportError, TransportError::None);
        QCOMPARE(m_origin.requestCount(u"/redirect"_s), 1);
    }

    void otherOriginGetsNoCredential_data()
    {
        QTest::addColumn<QString>("status");
        QTest::newRow("302") << u"302"_s;
        QTest::newRow("307") << u"307"_s;
        QTest::newRow("308") << u"308"_s;
    }
    void otherOriginGetsNoCredential()
    {
        QFETCH(QString, status);
        m_other.resetCounts();
        // The other port accepts the very same token: a 200 would mean the credential was replayed to it.
        const ProbeFacts facts = probe(m_other.url(u"/auth/bearer"_s), status);
        QCOMPARE(m_other.requestCount(u"/auth/bearer"_s), 1);
        QCOMPARE(facts.httpStatus, 401);
        QVERIFY2(facts.body.contains("No access token was given"), facts.body.constData());
    }

    void moreThanFiveRedirectsAreNotFollowed_data()
    {
        QTest::addColumn<int>("hops");
        QTest::addColumn<int>("status");
        QTest::newRow("5 hops are followed") << 5 << 200;
        QTest::newRow("6 hops are not") << 6 << 302;
    }
    void moreThanFiveRedirectsAreNotFollowed()
    {
        QFETCH(int, hops);
        QFETCH(int, status);
        // A chain of redirects on the same origin; probe() adds the first hop.
        QUrl target = m_origin.url(u"/auth/bearer"_s);
        for (int i = 1; i < hops; ++i) {
            QUrl hop = m_origin.url(u"/redirect"_s);
            QUrlQuery query;
            query.addQueryItem(u"to"_s, QString::fromUtf8(target.toEncoded().toPercentEncoding()));
            hop.setQuery(query);
            target = hop;
        }
        const ProbeFacts facts = probe(target);
        QCOMPARE(facts.httpStatus, status);
        if (status != 200) {
            QCOMPARE(facts.transportError, TransportError::Other);
            QVERIFY2(facts.transportDetail.contains(u"more than 5 redirects"_s), qPrintable(facts.transportDetail));
        }
    }
};

QTEST_GUILESS_MAIN(TestCredentialRedirect)
#include "tst_credentialredirect.moc"
