// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 11.3: an answer that did not arrive whole is not "ok". Against a python server on loopback
// (tests/support/fault_server.py) that cuts bodies short, drops the last chunk, or sends gzip that is not
// gzip. Each case is probed 20 times at once (one engine, no retries), because Qt 6.4 finishes a cut body
// "without error" in only some runs.
#include "probe/ProbeTransport.h"
#include "schedule/Engine.h"
#include "support/LoopbackServer.h"

#include <QSignalSpy>
#include <QTest>

using namespace sd;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

class TestBrokenBodies : public QObject {
    Q_OBJECT
private:
    static constexpr int kRuns = 20;
    test::LoopbackServer m_server;

    ProbeResults probe(const QString& path, int runs, std::chrono::milliseconds timeout = 5s)
    {
        EngineOptions options;
        options.retries = false;
        options.politeness = false;
        Engine engine(options);
        AppConfig config;
        for (int i = 0; i < runs; ++i) {
            EndpointConfig e;
            e.name = u"%1 #%2"_s.arg(path).arg(i);
            e.url = m_server.url(path);
            e.adaptiveTimeout = false;
            e.timeout = timeout;
            config.endpoints.append(e);
        }
        QSignalSpy done(&engine, &Engine::onceFinished);
        engine.setConfig(config);
        engine.runOnce();
        if (!done.wait(60'000))
            return {};
        return done.at(0).at(0).value<ProbeResults>();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_server.start(test::LoopbackServer::python(),
                     { test::LoopbackServer::supportFile(u"fault_server.py"_s), u"{port}"_s }),
            qPrintable(m_server.errorString()));
    }

    void brokenBodiesAreS1_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("reason"); ///< what every reason contains
        const QString short418 = u"after 418 of 1000 bytes"_s;
        QTest::newRow("Content-Length 1000, 418 sent, close") << u"/short-close"_s << short418;
        QTest::newRow("Content-Length 1000, 418 sent, pause, close") << u"/short-close?pause=100"_s << short418;
        QTest::newRow("Content-Length 1000, 418 sent, reset") << u"/short-reset"_s << short418;
        QTest::newRow("Content-Length 1000, 418 sent, pause, reset") << u"/short-reset?pause=100"_s << short418;
        QTest::newRow("gzip cut short, close") << u"/gzip-short"_s << u"connection closed after"_s;
        QTest::newRow("gzip stream cut short, chunked")
            << u"/gzip-chunked-short"_s
            << u"body could not be decoded (Content-Encoding: gzip, HTTP 200): the gzip stream ends early"_s;
        QTest::newRow("gzip that is not gzip")
            << u"/gzip-corrupt"_s
            << u"body could not be decoded (Content-Encoding: gzip, HTTP 200): not valid gzip data"_s;
    }
    void brokenBodiesAreS1()
    {
        QFETCH(QString, path);
        QFETCH(QString, reason);
        const ProbeResults results = probe(path, kRuns);
        QCOMPARE(results.size(), kRuns);
        for (const ProbeResult& r : results) {
            QVERIFY2(r.outcome == Outcome::Connection && r.signal == FailureSignal::S1,
                qPrintable(outcomeCode(r.outcome) + u": "_s + r.reason));
            // Qt sometimes drops what came before the close with the connection; then no status arrived and
            // nothing more can be said.
            if (r.httpStatus == 0)
                QVERIFY2(r.reason.startsWith(u"connection"_s), qPrintable(r.reason));
            else
                QVERIFY2(r.reason.contains(reason), qPrintable(r.reason));
        }
    }

    // A chunked body without its last chunk (and no Content-Encoding to end on its own) is the one case where
    // nothing public tells a cut body from a whole one: Qt 6.4 finishes it "without error" when it notices
    // the close before it reads the data (a race inside its HTTP thread; 1 or 2 runs in 20 here). Whenever Qt
    // reports the close, the reason names the bytes that came. Known limit, see docs/ARCHITECTURE.md.
    void chunkedWithoutLastChunk_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("close") << u"/chunked-close"_s;
        QTest::newRow("pause, close") << u"/chunked-close?pause=100"_s;
        QTest::newRow("reset") << u"/chunked-reset"_s;
    }
    void chunkedWithoutLastChunk()
    {
        QFETCH(QString, path);
        const ProbeResults results = probe(path, kRuns);
        QCOMPARE(results.size(), kRuns);
        int failures = 0;
        for (const ProbeResult& r : results) {
            if (r.outcome == Outcome::Ok)
                continue;
            ++failures;
            QCOMPARE(r.signal, FailureSignal::S1);
            if (r.httpStatus != 0)
                QVERIFY2(r.reason.contains(u"after 11 bytes, before the end of the body"_s), qPrintable(r.reason));
        }
        qInfo("%d of %d runs seen as cut short", failures, kRuns);
        // libcurl knows a chunked body ended without its terminator (CURLE_PARTIAL_FILE): every run is caught.
        if (ProbeTransport::effectiveKind(AppConfig {}.transport) == TransportKind::Curl) {
            QCOMPARE(failures, kRuns);
            return;
        }
        // How many of the runs Qt lets through as whole varies with the machine's load (1 in 20 on a quiet
        // machine, 12 in 20 seen under a full suite with strace): only "some are caught, and each one caught
        // is S1 with the byte count" is Qt's to promise. The libcurl transport (issue 12) closes the gap.
        QVERIFY2(failures >= 1, qPrintable(QString::number(failures)));
    }

    // A 10 MiB response header line. libcurl refuses a header beyond its limit (100 KiB a line): S1, a
    // reason that says so, at once, three times at once. Qt 6.4 reads it, for seconds of CPU each (and its
    // network thread goes on reading after the attempt's deadline; the engine's end waits up to 5 s for
    // it): there the one attempt must only end (no hang, no crash), at a 1 s deadline.
    void hugeHeaderIsRefused()
    {
        const bool curl = ProbeTransport::effectiveKind(AppConfig {}.transport) == TransportKind::Curl;
        const int runs = curl ? 3 : 1;
        const ProbeResults results = probe(u"/big-header"_s, runs, curl ? 5s : 1s);
        QCOMPARE(results.size(), runs);
        for (const ProbeResult& r : results) {
            qInfo("%s: %s", qPrintable(outcomeCode(r.outcome)), qPrintable(r.reason));
            if (!curl)
                continue;
            QVERIFY2(r.outcome == Outcome::Connection && r.signal == FailureSignal::S1,
                qPrintable(outcomeCode(r.outcome) + u": "_s + r.reason));
            QVERIFY2(r.reason.contains(u"header"_s, Qt::CaseInsensitive), qPrintable(r.reason));
        }
    }

    // The same framings, whole: ok (the check above must not fire on a complete answer).
    void wholeBodiesAreOk_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<qint64>("bytes");
        QTest::newRow("Content-Length") << u"/ok"_s << qint64(2);
        QTest::newRow("chunked") << u"/chunked-ok"_s << qint64(11);
        QTest::newRow("gzip") << u"/gzip-ok"_s << qint64(-1);
    }
    void wholeBodiesAreOk()
    {
        QFETCH(QString, path);
        QFETCH(qint64, bytes);
        const ProbeResults results = probe(path, kRuns);
        QCOMPARE(results.size(), kRuns);
        for (const ProbeResult& r : results) {
            QVERIFY2(r.outcome == Outcome::Ok, qPrintable(outcomeCode(r.outcome) + u": "_s + r.reason));
            if (bytes >= 0)
                QCOMPARE(r.bytesRead, bytes);
            else
                QVERIFY(r.bytesRead > 1000); // decoded
        }
    }
};

QTEST_GUILESS_MAIN(TestBrokenBodies)
#include "tst_brokenbodies.moc"
