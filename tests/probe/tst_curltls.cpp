// SPDX-License-Identifier: GPL-3.0-or-later
// The TLS side of the libcurl transport (CurlShard) against `openssl s_server` on loopback, with a CA, a
// server certificate for "probe.test" and a client certificate this test makes with the openssl CLI:
// tls.caFile (replace and add), tls.serverName, tls.minVersion, tls.insecureSkipVerify, a client
// certificate from memory, and the TlsFacts an attempt reports.
#include "probe/ProbeTransport.h"
#include "support/LoopbackServer.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace sd;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

class TestCurlTls : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    test::LoopbackServer m_server; ///< TLS 1.2 and 1.3, no client certificate asked
    test::LoopbackServer m_tls12; ///< TLS 1.2 only
    test::LoopbackServer m_mutual; ///< asks for a client certificate signed by the test CA
    QDateTime m_made;

    QString path(const QString& name) const { return m_dir.filePath(name); }

    bool openssl(const QStringList& arguments)
    {
        QProcess p;
        p.setWorkingDirectory(m_dir.path());
        p.start(u"openssl"_s, arguments);
        if (!p.waitForFinished(30'000) || p.exitCode() != 0) {
            qWarning() << "openssl" << arguments << p.readAllStandardError();
            return false;
        }
        return true;
    }

    bool makeSigned(const QString& name, const QString& subject, const QString& extensions)
    {
        QFile ext(path(name + u".ext"_s));
        if (!ext.open(QIODevice::WriteOnly) || ext.write(extensions.toUtf8()) < 0)
            return false;
        ext.close();
        return openssl({ u"req"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s,
                   u"-keyout"_s, name + u".key"_s, u"-out"_s, name + u".csr"_s, u"-subj"_s, subject })
            && openssl({ u"x509"_s, u"-req"_s, u"-in"_s, name + u".csr"_s, u"-CA"_s, u"ca.pem"_s, u"-CAkey"_s,
                u"ca.key"_s, u"-CAcreateserial"_s, u"-days"_s, u"20"_s, u"-out"_s, name + u".pem"_s, u"-extfile"_s,
                name + u".ext"_s });
    }

    bool startServer(test::LoopbackServer& server, const QStringList& extra)
    {
        QStringList args { u"s_server"_s, u"-quiet"_s, u"-www"_s, u"-accept"_s, u"127.0.0.1:{port}"_s, u"-cert"_s,
            path(u"server.pem"_s), u"-key"_s, path(u"server.key"_s) };
        args += extra;
        return server.start(u"/usr/bin/openssl"_s, args);
    }

    static QByteArray read(const QString& file)
    {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    ProbeFacts probe(const test::LoopbackServer& server, const TlsConfig& tls, const QByteArray& cert = {},
        const QByteArray& key = {})
    {
        ProbeTransport transport;
        transport.setKind(TransportKind::Curl);
        QSignalSpy finished(&transport, &ProbeTransport::finished);
        EndpointConfig endpoint;
        endpoint.name = u"tls"_s;
        endpoint.url = QUrl(u"https://127.0.0.1:%1/"_s.arg(server.port()));
        endpoint.tls = tls;
        ProbeRequest request { 1, endpoint, 5s, {}, cert, key };
        transport.start(request);
        if (!finished.wait(10'000))
            return {};
        return finished.at(0).at(1).value<ProbeFacts>();
    }

    TlsConfig verified(TlsConfig::CaMode mode = TlsConfig::CaMode::Replace) const
    {
        TlsConfig tls;
        tls.caFile = path(u"ca.pem"_s);
        tls.caMode = mode;
        tls.serverName = u"probe.test"_s;
        return tls;
    }

private slots:
    void initTestCase()
    {
        qunsetenv("SIGNALDECK_TRANSPORT"); // this test is about the curl transport, whatever ctest sets
        QVERIFY(m_dir.isValid());
        m_made = QDateTime::currentDateTimeUtc();
        QVERIFY(openssl({ u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
            u"-nodes"_s, u"-keyout"_s, u"ca.key"_s, u"-out"_s, u"ca.pem"_s, u"-days"_s, u"30"_s, u"-subj"_s,
            u"/CN=SignalDeck Test CA"_s }));
        QVERIFY(makeSigned(u"server"_s, u"/CN=probe.test"_s, u"subjectAltName=DNS:probe.test\n"_s));
        QVERIFY(makeSigned(u"client"_s, u"/CN=probe-client"_s, u"extendedKeyUsage=clientAuth\n"_s));
        QVERIFY2(startServer(m_server, {}), qPrintable(m_server.errorString()));
        QVERIFY2(startServer(m_tls12, { u"-tls1_2"_s }), qPrintable(m_tls12.errorString()));
        QVERIFY2(startServer(m_mutual, { u"-Verify"_s, u"1"_s, u"-CAfile"_s, path(u"ca.pem"_s) }),
            qPrintable(m_mutual.errorString()));
    }

    void verifiedWithTheCaFileAndServerName_data()
    {
        QTest::addColumn<int>("mode");
        QTest::newRow("caMode replace") << int(TlsConfig::CaMode::Replace);
        QTest::newRow("caMode add") << int(TlsConfig::CaMode::Add);
    }
    void verifiedWithTheCaFileAndServerName()
    {
        QFETCH(int, mode);
        const ProbeFacts f = probe(m_server, verified(static_cast<TlsConfig::CaMode>(mode)));
        QVERIFY2(f.transportError == TransportError::None, qPrintable(f.transportDetail));
        QCOMPARE(f.httpStatus, 200);
        QVERIFY(f.tls.present);
        QCOMPARE(f.tls.protocol, u"TLSv1.3"_s);
        QCOMPARE(f.tls.leafSubject, u"probe.test"_s);
        QCOMPARE(f.tls.leafIssuer, u"SignalDeck Test CA"_s);
        // -days 20 from now: the expiry the certificate carries, not a guess.
        const qint64 days = m_made.daysTo(f.tls.leafExpiresAt);
        QVERIFY2(days >= 19 && days <= 20, qPrintable(f.tls.leafExpiresAt.toString(Qt::ISODate)));
        QCOMPARE(f.tls.earliestExpiresAt, f.tls.leafExpiresAt);
        QVERIFY(!f.tls.chain.isEmpty());
        QVERIFY2(
            f.tls.chain.first().startsWith(u"probe.test · SignalDeck Test CA · "_s), qPrintable(f.tls.chain.first()));
    }

    void unknownCaFails()
    {
        TlsConfig tls = verified();
        tls.caFile.clear();
        const ProbeFacts f = probe(m_server, tls);
        QCOMPARE(f.transportError, TransportError::TlsFailed);
        QVERIFY2(f.transportDetail.contains(u"certificate"_s, Qt::CaseInsensitive), qPrintable(f.transportDetail));
        QCOMPARE(f.httpStatus, 0);
    }

    void theUrlsHostIsNotTheCertificatesName()
    {
        TlsConfig tls = verified();
        tls.serverName.clear(); // 127.0.0.1 is not in the certificate
        const ProbeFacts f = probe(m_server, tls);
        QCOMPARE(f.transportError, TransportError::TlsFailed);
        QVERIFY2(f.transportDetail.contains(u"127.0.0.1"_s), qPrintable(f.transportDetail));
    }

    void insecureSkipVerifyStillReportsTheCertificate()
    {
        TlsConfig tls;
        tls.insecureSkipVerify = true;
        const ProbeFacts f = probe(m_server, tls);
        QVERIFY2(f.transportError == TransportError::None, qPrintable(f.transportDetail));
        QCOMPARE(f.httpStatus, 200);
        QVERIFY(f.tls.present);
        QCOMPARE(f.tls.leafSubject, u"probe.test"_s);
    }

    void minimumVersion()
    {
        TlsConfig tls = verified();
        tls.minVersion = u"1.3"_s;
        const ProbeFacts refused = probe(m_tls12, tls);
        QCOMPARE(refused.transportError, TransportError::TlsFailed);
        tls.minVersion = u"1.2"_s;
        const ProbeFacts f = probe(m_tls12, tls);
        QVERIFY2(f.transportError == TransportError::None, qPrintable(f.transportDetail));
        QCOMPARE(f.tls.protocol, u"TLSv1.2"_s);
    }

    void clientCertificateFromMemory()
    {
        const ProbeFacts without = probe(m_mutual, verified());
        QVERIFY2(without.transportError != TransportError::None, "a server that requires a client certificate");
        QCOMPARE(without.httpStatus, 0);
        const ProbeFacts with = probe(m_mutual, verified(), read(path(u"client.pem"_s)), read(path(u"client.key"_s)));
        QVERIFY2(with.transportError == TransportError::None, qPrintable(with.transportDetail));
        QCOMPARE(with.httpStatus, 200);
    }

    void anUnreadableCaFileIsNamed()
    {
        TlsConfig tls = verified(TlsConfig::CaMode::Add);
        tls.caFile = path(u"missing.pem"_s);
        const ProbeFacts f = probe(m_server, tls);
        QCOMPARE(f.transportError, TransportError::TlsFailed);
        QVERIFY2(f.transportDetail.contains(u"missing.pem"_s), qPrintable(f.transportDetail));
    }
};

QTEST_GUILESS_MAIN(TestCurlTls)
#include "tst_curltls.moc"
