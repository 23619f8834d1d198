// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 11.2: every HTTP status a real server returns is judged by that status (docs/SIGNALS.md, "The four failure
// signals"), never by the transport's own error codes. Against Debian's httpbin on loopback: one engine, one
// one-shot probe per status 100-599 (httpbin's /status/N), all concurrently, no retries.
#include "schedule/Engine.h"
#include "support/LoopbackServer.h"

#include <QSignalSpy>
#include <QTest>

using namespace sd;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

struct Expected {
    QString outcome;
    QString signal;
};

// docs/SIGNALS.md's table, for a default endpoint (expectStatus any 2xx, no checks).
Expected expectedFor(int status)
{
    // httpbin answers a 1xx as if it were final. Qt takes 100 Continue as interim and waits for a final
    // answer that never comes before the connection closes (S1); any other 1xx it takes as the final
    // status, which is then judged like every status outside expectStatus: not the expected 2xx.
    if (status == 100)
        return { u"connection"_s, u"S1"_s };
    if (status < 200)
        return { u"assertion_failed"_s, {} };
    if (status < 300)
        return { u"ok"_s, {} };
    // httpbin sends these with "Location: /redirect/1", which Qt follows to 200 from /get.
    if (status == 301 || status == 302 || status == 303 || status == 305 || status == 307)
        return { u"ok"_s, {} };
    // Any other 3xx (304, and 308 which httpbin sends without a Location): not the expected 2xx.
    if (status < 400)
        return { u"assertion_failed"_s, {} };
    switch (status) {
    case 401:
    case 403:
    case 407:
    case 495: // nginx: the client certificate was refused / is required (issue 16)
    case 496:
        return { u"auth"_s, u"S2"_s };
    case 408: // the server timed out waiting for our request
        return { u"timeout"_s, u"S1"_s };
    case 429:
    case 503:
        return { u"throttled"_s, u"S4"_s };
    case 502:
    case 504:
        return { u"connection"_s, u"S1"_s };
    default:
        break;
    }
    // 400, 404, 405, 411, 413, 414, 415, 422 by the table, and every other 4xx by the classifier's rule.
    if (status < 500)
        return { u"input"_s, u"S3"_s };
    return { u"server_error"_s, {} };
}

} // namespace

class TestHttpStatuses : public QObject {
    Q_OBJECT
private:
    test::LoopbackServer m_httpbin;
    QHash<int, ProbeResult> m_results;

private slots:
    void initTestCase()
    {
        QVERIFY2(m_httpbin.start(test::LoopbackServer::python(),
                     { test::LoopbackServer::supportFile(u"httpbin_server.py"_s), u"{port}"_s }),
            qPrintable(m_httpbin.errorString()));
        EngineOptions options;
        options.retries = false; // one attempt per status: what it is judged, not how it is retried
        options.politeness = false;
        Engine engine(options);
        AppConfig config;
        for (int status = 100; status <= 599; ++status) {
            EndpointConfig e;
            e.name = QString::number(status);
            e.url = m_httpbin.url(u"/status/"_s + e.name);
            e.adaptiveTimeout = false;
            e.timeout = 5s;
            config.endpoints.append(e);
        }
        QSignalSpy done(&engine, &Engine::onceFinished);
        engine.setConfig(config);
        engine.runOnce();
        QVERIFY(done.wait(120'000));
        for (const ProbeResult& r : done.at(0).at(0).value<ProbeResults>())
            m_results.insert(r.endpoint.toInt(), r);
    }

    void everyStatusIsJudgedByItself_data()
    {
        QTest::addColumn<int>("status");
        for (int status = 100; status <= 599; ++status)
            QTest::addRow("%d", status) << status;
    }
    void everyStatusIsJudgedByItself()
    {
        QFETCH(int, status);
        QVERIFY(m_results.contains(status));
        const ProbeResult& r = m_results.value(status);
        const Expected want = expectedFor(status);
        const QString got = outcomeCode(r.outcome) + u' ' + signalCode(r.signal) + u" (" + r.reason + u')';
        QVERIFY2(outcomeCode(r.outcome) == want.outcome && signalCode(r.signal) == want.signal,
            qPrintable(u"HTTP %1: got "_s.arg(status) + got + u", want "_s + want.outcome + u' ' + want.signal));
        QCOMPARE(r.attempts, 1);
        // A status that arrived is named in the reason.
        if (status > 100 && want.outcome != u"ok"_s && want.outcome != u"timeout"_s)
            QVERIFY2(r.reason.startsWith(u"HTTP %1"_s.arg(status)), qPrintable(r.reason));
    }
};

QTEST_GUILESS_MAIN(TestHttpStatuses)
#include "tst_httpstatuses.moc"
