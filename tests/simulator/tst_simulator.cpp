// SPDX-License-Identifier: GPL-3.0-or-later
// The simulator on loopback, driven by QNetworkAccessManager as the probes drive it.
#include "HttpFetch.h"

#include "simulator/Simulator.h"

#include <QNetworkAccessManager>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <future>

#ifdef Q_OS_LINUX
#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

using namespace sd;
using namespace sd::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class tst_Simulator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void everyRouteInTheTableAnswers();
    void httpRoutes_data();
    void httpRoutes();
    void jsonRpcOverHttp_data();
    void jsonRpcOverHttp();
    void bigBodyArrivesWhole();
    void throttleRefusesAfterTheBurst();
    void flakyFailsAtTheRequestedRate_data();
    void flakyFailsAtTheRequestedRate();
    void scenarioFollowsItsClock_data();
    void scenarioFollowsItsClock();

    void hangNeverAnswers();
    void hangReleasesConnectionsWhenClientsGiveUp();
    void rawFaultsAreNetworkErrors_data();
    void rawFaultsAreNetworkErrors();
    void rawFaultsUnderLoadNeverCrash();
    void resetSendsRstAndCloseSendsFin();

    void delayIsAccurate();
    void delaysRunConcurrently();
    void healthyLatencyIsConfigurable();
    void keepAliveReusesOneConnection();
    void headAnswersCarryNoBody();
    void clientGivingUpDuringADelayIsHarmless();
    void stopDropsPendingAnswers();

    void urlsPickTheRightPort();
    void startFailsOnATakenPort();
    void extraPortsServeTheSameRoutes();
    void countsAreReadableFromAnotherThread();

private:
    Simulator m_sim;
    QNetworkAccessManager m_nam;
};

void tst_Simulator::initTestCase()
{
    QVERIFY2(m_sim.start(), qPrintable(m_sim.errorString()));
}

void tst_Simulator::init()
{
    m_sim.resetCounts();
    m_sim.restartScenario();
}

void tst_Simulator::cleanup()
{
    m_sim.setHealthyLatency(0ms);
}

void tst_Simulator::everyRouteInTheTableAnswers()
{
    for (const SimulatorRoute& route : Simulator::routes()) {
        QString path = route.path;
        path.replace(u"{code}"_s, u"203"_s);
        const QUrl url = m_sim.url(path);
        if (route.rawFault) {
            QCOMPARE(url.port(), int(m_sim.rawPort())); // played in the raw-fault tests below
            continue;
        }
        QCOMPARE(url.port(), int(m_sim.port()));
        const Fetched answer = fetch(m_nam, m_sim.url(path + u"?delay=0"_s));
        QVERIFY2(answer.finished, qPrintable(path));
        QVERIFY2(answer.status != 0 && answer.status != 404,
            qPrintable(path + u" answered "_s + QString::number(answer.status)));
        QCOMPARE(m_sim.requestCount(path), 1);
    }
}

void tst_Simulator::httpRoutes_data()
{
    QTest::addColumn<QString>("route");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("headerName");
    QTest::addColumn<QByteArray>("headerValue"); // must be contained in the header
    QTest::addColumn<QByteArray>("bodyContains");

    const QByteArray pong = R"({"object":"chat.completion","choices":[{"message":{"content":"pong"}}]})";
    QTest::newRow("healthy") << u"/healthy"_s << 200 << QByteArray("Content-Type") << QByteArray("application/json")
                             << pong;
    QTest::newRow("slow, shortened") << u"/slow?delay=5"_s << 200 << QByteArray() << QByteArray() << pong;
    QTest::newRow("auth invalid")
        << u"/auth/invalid"_s << 401 << QByteArray("WWW-Authenticate")
        << QByteArray(R"(Bearer error="invalid_token", error_description="The access token expired")")
        << QByteArray("invalid_token");
    QTest::newRow("auth forbidden") << u"/auth/forbidden"_s << 403 << QByteArray() << QByteArray()
                                    << QByteArray("insufficient_scope");
    QTest::newRow("input 400") << u"/input/400"_s << 400 << QByteArray() << QByteArray()
                               << QByteArray(R"("code":"bad_request")");
    QTest::newRow("input 422") << u"/input/422"_s << 422 << QByteArray() << QByteArray()
                               << QByteArray(R"("field":"messages")");
    QTest::newRow("throttle always") << u"/throttle/always"_s << 429 << QByteArray("Retry-After") << QByteArray("3")
                                     << QByteArray("rate_limited");
    QTest::newRow("unavailable") << u"/unavailable"_s << 503 << QByteArray("Retry-After") << QByteArray("5")
                                 << QByteArray("unavailable");
    QTest::newRow("flaky never") << u"/flaky?rate=0"_s << 200 << QByteArray() << QByteArray() << pong;
    QTest::newRow("flaky always") << u"/flaky?rate=1"_s << 500 << QByteArray() << QByteArray()
                                  << QByteArray("internal");
    QTest::newRow("server error") << u"/server-error"_s << 500 << QByteArray() << QByteArray()
                                  << QByteArray("internal");
    QTest::newRow("gateway 502") << u"/gateway/502"_s << 502 << QByteArray() << QByteArray()
                                 << QByteArray("bad_gateway");
    QTest::newRow("gateway 504") << u"/gateway/504"_s << 504 << QByteArray() << QByteArray()
                                 << QByteArray("gateway_timeout");
    QTest::newRow("status 418") << u"/status/418"_s << 418 << QByteArray() << QByteArray()
                                << QByteArray(R"({"status":418})");
    QTest::newRow("status 503 delayed") << u"/status/503?delay=10"_s << 503 << QByteArray() << QByteArray()
                                        << QByteArray(R"({"status":503})");
    QTest::newRow("status 204") << u"/status/204"_s << 204 << QByteArray() << QByteArray() << QByteArray();
    QTest::newRow("status 99 refused") << u"/status/99"_s << 400 << QByteArray() << QByteArray()
                                       << QByteArray("bad_status");
    QTest::newRow("business code") << u"/business"_s << 200 << QByteArray() << QByteArray()
                                   << QByteArray(R"({"error":{"code":500102,"message":"upstream model busy"}})");
    QTest::newRow("unknown route") << u"/nowhere"_s << 404 << QByteArray() << QByteArray() << QByteArray("not_found");
    QTest::newRow("raw route on the HTTP port")
        << u"/reset"_s << 404 << QByteArray() << QByteArray() << QByteArray("raw-fault routes are served on");
}

void tst_Simulator::httpRoutes()
{
    QFETCH(QString, route);
    QFETCH(int, status);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);
    QFETCH(QByteArray, bodyContains);

    QUrl url = m_sim.url(route);
    url.setPort(m_sim.port()); // the last row asks the HTTP port on purpose
    QSignalSpy received(&m_sim, &Simulator::requestReceived);
    const Fetched answer = fetch(m_nam, url);
    QVERIFY(answer.finished);
    QCOMPARE(answer.status, status);
    if (!headerName.isEmpty())
        QVERIFY2(answer.header(headerName).contains(headerValue), answer.header(headerName).constData());
    QVERIFY2(answer.body.contains(bodyContains), answer.body.constData());
    if (status == 204)
        QVERIFY(answer.body.isEmpty());

    const QString path = url.path();
    QCOMPARE(m_sim.requestCount(path), 1);
    QCOMPARE(m_sim.requestCount(route), 1); // a query is ignored
    QCOMPARE(m_sim.requestCounts().value(path), 1);
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.first().first().toString(), path);
}

void tst_Simulator::jsonRpcOverHttp_data()
{
    QTest::addColumn<QString>("route");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QByteArray>("bodyContains");

    QTest::newRow("ping") << u"/jsonrpc"_s << QByteArray(R"({"jsonrpc":"2.0","method":"ping","id":1})") << 200
                          << QByteArray(R"("result":"pong")");
    QTest::newRow("unknown method") << u"/jsonrpc"_s << QByteArray(R"({"jsonrpc":"2.0","method":"x","id":1})") << 200
                                    << QByteArray(R"("code":-32601)");
    QTest::newRow("array params") << u"/jsonrpc"_s
                                  << QByteArray(R"({"jsonrpc":"2.0","method":"ping","params":[],"id":1})") << 200
                                  << QByteArray(R"("code":-32602)");
    QTest::newRow("bad envelope") << u"/jsonrpc"_s << QByteArray(R"({"method":"ping","id":1})") << 200
                                  << QByteArray(R"("code":-32600)");
    QTest::newRow("unparseable") << u"/jsonrpc"_s << QByteArray("{oops") << 200 << QByteArray(R"("code":-32700)");
    QTest::newRow("notification") << u"/jsonrpc"_s << QByteArray(R"({"jsonrpc":"2.0","method":"ping"})") << 204
                                  << QByteArray();
    QTest::newRow("invalid-params route")
        << u"/jsonrpc/invalid-params"_s << QByteArray(R"({"jsonrpc":"2.0","method":"ping","id":42})") << 200
        << QByteArray(R"("code":-32602)");
}

void tst_Simulator::jsonRpcOverHttp()
{
    QFETCH(QString, route);
    QFETCH(QByteArray, body);
    QFETCH(int, httpStatus);
    QFETCH(QByteArray, bodyContains);
    const Fetched answer = fetch(postRequest(m_nam, m_sim.url(route), body));
    QCOMPARE(answer.status, httpStatus);
    QVERIFY2(answer.body.contains(bodyContains), answer.body.constData());
    QCOMPARE(m_sim.requestCount(route), 1);
}

void tst_Simulator::bigBodyArrivesWhole()
{
    const Fetched answer = fetch(m_nam, m_sim.url(u"/big"_s));
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.body.size(), 1024 * 1024);
    QVERIFY(answer.body.endsWith("xx\"}"));
}

void tst_Simulator::throttleRefusesAfterTheBurst()
{
    Simulator sim; // a fresh bucket
    QVERIFY(sim.start());
    QElapsedTimer clock;
    clock.start();
    const QList<Fetched> answers = fetchAll(QList<FetchRequest>(10, getRequest(m_nam, sim.url(u"/throttle"_s))));
    const double seconds = static_cast<double>(clock.elapsed()) / 1000.0;

    int allowed = 0;
    for (const Fetched& answer : answers) {
        QVERIFY(answer.status == 200 || answer.status == 429);
        QCOMPARE(answer.header("RateLimit-Limit"), QByteArray("5"));
        bool ok = false;
        const int remaining = answer.header("RateLimit-Remaining").toInt(&ok);
        QVERIFY(ok && remaining >= 0 && remaining < 5);
        const int reset = answer.header("RateLimit-Reset").toInt(&ok);
        QVERIFY(ok && reset >= 0 && reset <= 1);
        if (answer.status == 200) {
            ++allowed;
            QVERIFY(answer.header("Retry-After").isEmpty());
        } else {
            QCOMPARE(remaining, 0);
            const int retryAfter = answer.header("Retry-After").toInt(&ok);
            QVERIFY2(ok && retryAfter >= 1 && retryAfter <= 1, answer.header("Retry-After").constData());
        }
    }
    // The burst of 5 passes; beyond it only what 5 tokens/s refilled meanwhile.
    QVERIFY2(allowed >= 5 && allowed <= 5 + static_cast<int>(seconds * 5.0) + 1, qPrintable(QString::number(allowed)));
    QVERIFY(allowed < 10);
    QCOMPARE(sim.requestCount(u"/throttle"_s), 10);
    // Honouring Retry-After works: a token comes back within a second.
    QVERIFY(QTest::qWaitFor([&] { return fetch(m_nam, sim.url(u"/throttle"_s)).status == 200; }, 1500));
}

void tst_Simulator::flakyFailsAtTheRequestedRate_data()
{
    QTest::addColumn<QString>("route");
    QTest::addColumn<int>("requests");
    QTest::addColumn<int>("minFailures");
    QTest::addColumn<int>("maxFailures");
    QTest::newRow("rate 0") << u"/flaky?rate=0"_s << 30 << 0 << 0;
    QTest::newRow("rate 1") << u"/flaky?rate=1"_s << 30 << 30 << 30;
    // Default 0.3 over 200 draws: 60 expected, standard deviation 6.5; the bounds are 4.6 deviations out.
    QTest::newRow("default 0.3") << u"/flaky"_s << 200 << 30 << 90;
}

void tst_Simulator::flakyFailsAtTheRequestedRate()
{
    QFETCH(QString, route);
    QFETCH(int, requests);
    QFETCH(int, minFailures);
    QFETCH(int, maxFailures);
    // Up to 200 at once through Qt's 6 connections: the last wait behind 33 rounds, seconds under load (a 5 s
    // transfer timeout, counted from the queue, failed there). The bounds only end a hang.
    const QList<Fetched> answers
        = fetchAll(QList<FetchRequest>(requests, getRequest(m_nam, m_sim.url(route), 60'000)), 60'000);
    int failures = 0;
    for (const Fetched& answer : answers) {
        QVERIFY2(answer.status == 200 || answer.status == 500,
            qPrintable(u"HTTP %1, error %2"_s.arg(answer.status).arg(static_cast<int>(answer.error))));
        failures += answer.status == 500 ? 1 : 0;
    }
    QVERIFY2(failures >= minFailures && failures <= maxFailures, qPrintable(QString::number(failures)));
    QCOMPARE(m_sim.requestCount(route), requests);
}

void tst_Simulator::scenarioFollowsItsClock_data()
{
    QTest::addColumn<int>("positionSeconds");
    QTest::addColumn<QString>("route");
    QTest::addColumn<int>("status"); // 0 = held: no answer within the transfer timeout
    QTest::addColumn<QByteArray>("headerName");
    QTest::addColumn<QByteArray>("headerValue");

    QTest::newRow("healthy") << 1 << u"/scenario"_s << 200 << QByteArray() << QByteArray();
    QTest::newRow("S1 holds the request") << 11 << u"/scenario"_s << 0 << QByteArray() << QByteArray();
    QTest::newRow("S1 ends in 504") << 12 << u"/scenario?delay=0"_s << 504 << QByteArray() << QByteArray();
    QTest::newRow("S2") << 21 << u"/scenario"_s << 401 << QByteArray("WWW-Authenticate")
                        << QByteArray("error=\"invalid_token\"");
    QTest::newRow("S3") << 33 << u"/scenario"_s << 422 << QByteArray() << QByteArray();
    QTest::newRow("S4") << 45 << u"/scenario"_s << 429 << QByteArray("Retry-After") << QByteArray("5");
    QTest::newRow("recovered") << 55 << u"/scenario"_s << 200 << QByteArray() << QByteArray();
    QTest::newRow("next cycle") << 62 << u"/scenario"_s << 200 << QByteArray() << QByteArray();
}

void tst_Simulator::scenarioFollowsItsClock()
{
    QFETCH(int, positionSeconds);
    QFETCH(QString, route);
    QFETCH(int, status);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);

    m_sim.restartScenario(std::chrono::seconds(positionSeconds));
    const Fetched answer = fetch(m_nam, m_sim.url(route), 300);
    QVERIFY(answer.finished);
    if (status == 0) {
        QCOMPARE(answer.error, QNetworkReply::OperationCanceledError);
        QCOMPARE(answer.status, 0);
    } else {
        QCOMPARE(answer.status, status);
    }
    if (!headerName.isEmpty())
        QVERIFY(answer.header(headerName).contains(headerValue));
    QCOMPARE(m_sim.requestCount(u"/scenario"_s), 1);
}

void tst_Simulator::hangNeverAnswers()
{
    const Fetched answer = fetch(m_nam, m_sim.url(u"/hang"_s), 300);
    QVERIFY(answer.finished);
    // Cancelled by the client's transfer timeout, not answered, not closed by the server.
    QCOMPARE(answer.error, QNetworkReply::OperationCanceledError);
    QCOMPARE(answer.status, 0);
    QVERIFY(answer.body.isEmpty());
    QVERIFY2(answer.elapsedMs >= 250, qPrintable(QString::number(answer.elapsedMs))); // a coarse timer
    QCOMPARE(m_sim.requestCount(u"/hang"_s), 1);
}

void tst_Simulator::hangReleasesConnectionsWhenClientsGiveUp()
{
    // A benchmark that probes /hang for hours must not pile up connections on the simulator.
    QTRY_COMPARE(m_sim.hangingConnections(), 0); // hangNeverAnswers() gave up on its own just now
    QNetworkAccessManager nam;
    {
        FetchBatch batch(QList<FetchRequest>(4, getRequest(nam, m_sim.url(u"/hang"_s), 30'000)));
        QTRY_COMPARE(m_sim.hangingConnections(), 4);
    } // the batch aborts its replies
    QTRY_COMPARE(m_sim.hangingConnections(), 0);
}

void tst_Simulator::rawFaultsAreNetworkErrors_data()
{
    QTest::addColumn<QString>("route");
    QTest::addColumn<int>("minElapsedMs");
    QTest::addColumn<int>("maxRequests");
    // QNetworkAccessManager silently sends a request again once when the connection closes before a single
    // byte of the response came back: a reset reaches the server up to twice per probe.
    QTest::newRow("close") << u"/close"_s << 0 << 1;
    QTest::newRow("reset") << u"/reset"_s << 0 << 2;
    QTest::newRow("garbage") << u"/garbage"_s << 0 << 1;
    QTest::newRow("close, delayed") << u"/close?delay=150"_s << 150 << 1;
    QTest::newRow("reset, delayed") << u"/reset?delay=150"_s << 150 << 2;
}

void tst_Simulator::rawFaultsAreNetworkErrors()
{
    QFETCH(QString, route);
    QFETCH(int, minElapsedMs);
    QFETCH(int, maxRequests);
    const Fetched answer = fetch(m_nam, m_sim.url(route));
    QVERIFY(answer.finished);
    QVERIFY2(answer.error != QNetworkReply::NoError, qPrintable(route));
    QVERIFY(answer.error != QNetworkReply::OperationCanceledError); // an error, not our timeout
    QVERIFY(answer.elapsedMs >= minElapsedMs - 1);
    QVERIFY(m_sim.requestCount(route) >= 1 && m_sim.requestCount(route) <= maxRequests);
}

void tst_Simulator::rawFaultsUnderLoadNeverCrash()
{
    QList<FetchRequest> requests;
    QList<std::shared_ptr<QNetworkAccessManager>> nams;
    for (const QString& route : { u"/close"_s, u"/reset"_s, u"/garbage"_s, u"/hang"_s }) {
        nams.append(std::make_shared<QNetworkAccessManager>());
        for (int i = 0; i < 15; ++i)
            requests.append(getRequest(*nams.last(), m_sim.url(route), 500));
    }
    const QList<Fetched> answers = fetchAll(requests);
    for (const Fetched& answer : answers) {
        QVERIFY(answer.finished);
        QVERIFY(answer.error != QNetworkReply::NoError);
    }
    // Exact counts are QNetworkAccessManager's business here: it sends a reset request again (see
    // rawFaultsAreNetworkErrors()) and may fail requests queued behind a closed connection unsent.
    for (const QString& route : { u"/close"_s, u"/reset"_s, u"/garbage"_s, u"/hang"_s })
        QVERIFY2(m_sim.requestCount(route) >= 1, qPrintable(route));
    QCOMPARE(fetch(m_nam, m_sim.url(u"/healthy"_s)).status, 200);
}

void tst_Simulator::resetSendsRstAndCloseSendsFin()
{
#ifndef Q_OS_LINUX
    QSKIP("reads the socket errno directly");
#else
    // Qt reports RST and FIN alike (RemoteHostClosedError); a plain socket tells them apart.
    struct RawOutcome {
        QByteArray received;
        int recvErrno = 0;
        bool orderlyClose = false;
    };
    const quint16 port = m_sim.rawPort();
    const auto exchange = [port](const QByteArray& path) {
        RawOutcome outcome;
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval timeout { 3, 0 };
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            outcome.recvErrno = errno;
            ::close(fd);
            return outcome;
        }
        const QByteArray request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        ::send(fd, request.constData(), static_cast<size_t>(request.size()), 0);
        char buffer[4096];
        for (;;) {
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                outcome.received.append(buffer, n);
            } else {
                outcome.orderlyClose = n == 0;
                outcome.recvErrno = n < 0 ? errno : 0;
                break;
            }
        }
        ::close(fd);
        return outcome;
    };
    // Blocking sockets in worker threads: the simulator needs this thread's event loop.
    auto reset = std::async(std::launch::async, exchange, QByteArray("/reset"));
    auto close = std::async(std::launch::async, exchange, QByteArray("/close"));
    auto garbage = std::async(std::launch::async, exchange, QByteArray("/garbage"));
    QVERIFY(QTest::qWaitFor([&] {
        return reset.wait_for(0s) == std::future_status::ready && close.wait_for(0s) == std::future_status::ready
            && garbage.wait_for(0s) == std::future_status::ready;
    }));
    const RawOutcome r = reset.get();
    QCOMPARE(r.recvErrno, ECONNRESET);
    QVERIFY(r.received.isEmpty());

    const RawOutcome c = close.get();
    QVERIFY(c.orderlyClose);
    QVERIFY(c.received.startsWith("HTTP/1.1 200 OK\r\n"));
    QVERIFY(c.received.contains("Content-Length: 1024"));
    QVERIFY(c.received.size() - c.received.indexOf("\r\n\r\n") - 4 < 1024); // the body is cut short

    const RawOutcome g = garbage.get();
    QVERIFY(g.orderlyClose);
    QVERIFY(!g.received.isEmpty());
    QVERIFY(!g.received.startsWith("HTTP/"));
#endif
}

void tst_Simulator::delayIsAccurate()
{
    QCOMPARE(fetch(m_nam, m_sim.url(u"/healthy"_s)).status, 200); // connect once, outside the measurement
    // Interleaved (plain, delayed, plain, delayed …), so a burst of load on the machine hits both series alike.
    QList<double> immediate;
    QList<double> delayed;
    for (int i = 0; i < 40; ++i) {
        const Fetched plain = fetch(m_nam, m_sim.url(u"/healthy"_s));
        const Fetched held = fetch(m_nam, m_sim.url(u"/healthy?delay=20"_s));
        QCOMPARE(plain.status, 200);
        QCOMPARE(held.status, 200);
        immediate.append(plain.elapsedMs);
        delayed.append(held.elapsedMs);
    }
    std::sort(immediate.begin(), immediate.end());
    std::sort(delayed.begin(), delayed.end());
    qInfo("round trip without delay: min %.3f ms, median %.3f; with ?delay=20: min %.3f, median %.3f, max %.3f",
        immediate.first(), immediate[20], delayed.first(), delayed[20], delayed.last());
    QVERIFY(delayed.first() >= 19.9); // never early
    // Load on a shared machine only ever adds time, so the fastest round trips are the ones that show what the
    // simulator itself adds: the 20 ms asked for, not a multiple of it nor a second timer tick. (Not early is
    // checked above; the two minimums are of different requests, and under load the fastest plain one was
    // 3 ms slower than the fastest held one's overhead, so "added >= 19" failed.)
    const double added = delayed.first() - immediate.first();
    QVERIFY2(added <= 30.0, qPrintable(QString::number(added)));
}

void tst_Simulator::delaysRunConcurrently()
{
    // 30 requests on 30 connections (5 managers × 6), each held 300 ms: timers answer them together, where
    // a thread sleeping per request would need 9 s.
    QList<std::shared_ptr<QNetworkAccessManager>> nams;
    QList<FetchRequest> requests;
    for (int n = 0; n < 5; ++n) {
        nams.append(std::make_shared<QNetworkAccessManager>());
        for (int i = 0; i < 6; ++i)
            requests.append(getRequest(*nams.last(), m_sim.url(u"/healthy?delay=300"_s)));
    }
    QElapsedTimer clock;
    clock.start();
    const QList<Fetched> answers = fetchAll(requests);
    const qint64 total = clock.elapsed();
    for (const Fetched& answer : answers) {
        QCOMPARE(answer.status, 200);
        QVERIFY2(answer.elapsedMs >= 299.9, qPrintable(QString::number(answer.elapsedMs)));
    }
    // Half of the 9 s that answers one after another would take: a bound on the design, not on the machine
    // (1.5 s failed under load).
    QVERIFY2(total < 4500, qPrintable(QString::number(total)));
    QCOMPARE(m_sim.requestCount(u"/healthy"_s), 30);
}

void tst_Simulator::healthyLatencyIsConfigurable()
{
    m_sim.setHealthyLatency(250ms);
    QCOMPARE(m_sim.healthyLatency(), 250ms);
    const Fetched slow = fetch(m_nam, m_sim.url(u"/healthy"_s));
    QCOMPARE(slow.status, 200);
    QVERIFY2(slow.elapsedMs >= 249.9, qPrintable(QString::number(slow.elapsedMs)));
    // ?delay= replaces the route's own latency: with the route at 10 s, an answer well within half of that
    // (the bound is the latency replaced, not a guess at how loaded the machine is).
    m_sim.setHealthyLatency(10s);
    const Fetched overridden = fetch(m_nam, m_sim.url(u"/healthy?delay=0"_s));
    QCOMPARE(overridden.status, 200);
    QVERIFY2(overridden.elapsedMs < 5000, qPrintable(QString::number(overridden.elapsedMs)));
}

void tst_Simulator::keepAliveReusesOneConnection()
{
    QNetworkAccessManager nam; // no connection cached yet
    const int before = m_sim.acceptedConnections();
    for (int i = 0; i < 10; ++i) {
        const QString route = i % 2 ? u"/healthy?delay=5"_s : u"/status/404"_s;
        QVERIFY(fetch(nam, m_sim.url(route)).finished);
    }
    QCOMPARE(m_sim.acceptedConnections() - before, 1);
    // A second client is a second connection: the count is real.
    QNetworkAccessManager other;
    QCOMPARE(fetch(other, m_sim.url(u"/healthy"_s)).status, 200);
    QCOMPARE(m_sim.acceptedConnections() - before, 2);
}

void tst_Simulator::headAnswersCarryNoBody()
{
    // A body after a HEAD answer would be read as the start of the next answer on the same connection.
    QNetworkAccessManager nam;
    const int before = m_sim.acceptedConnections();
    for (const QString& route : { u"/healthy"_s, u"/auth/invalid?delay=10"_s }) {
        FetchRequest head = getRequest(nam, m_sim.url(route));
        head.method = QByteArrayLiteral("HEAD");
        const Fetched answer = fetch(head);
        QVERIFY(answer.status == 200 || answer.status == 401);
        QVERIFY(answer.body.isEmpty());
        QVERIFY(answer.header("Content-Length").toInt() > 0); // the length a GET would get
        const Fetched next = fetch(nam, m_sim.url(u"/status/418"_s));
        QCOMPARE(next.status, 418);
        QCOMPARE(next.body, QByteArray(R"({"status":418})"));
    }
    QCOMPARE(m_sim.acceptedConnections() - before, 1);
}

void tst_Simulator::clientGivingUpDuringADelayIsHarmless()
{
    const Fetched abandoned = fetch(m_nam, m_sim.url(u"/healthy?delay=300"_s), 50);
    QCOMPARE(abandoned.error, QNetworkReply::OperationCanceledError);
    // This answer outlives the abandoned one's timer, which must find its connection gone and do nothing.
    const Fetched next = fetch(m_nam, m_sim.url(u"/healthy?delay=400"_s));
    QCOMPARE(next.status, 200);
    QCOMPARE(m_sim.requestCount(u"/healthy"_s), 2);
}

void tst_Simulator::stopDropsPendingAnswers()
{
    Simulator sim;
    QVERIFY(sim.start());
    QNetworkAccessManager nam;
    QList<FetchRequest> requests(5, getRequest(nam, sim.url(u"/healthy?delay=5000"_s)));
    requests.append(getRequest(nam, sim.url(u"/hang"_s)));
    FetchBatch batch(requests);
    QTRY_VERIFY(sim.requestCount(u"/healthy"_s) == 5 && sim.requestCount(u"/hang"_s) == 1);
    QElapsedTimer clock;
    clock.start();
    sim.stop();
    // Run out, the held requests would end 5 s after they came in (the one on /hang never): 4 s tells.
    QVERIFY2(batch.wait(4000), "stop() must end the held requests, not let them run out");
    QVERIFY2(clock.elapsed() < 4500, qPrintable(QString::number(clock.elapsed())));
    const QList<Fetched>& answers = batch.results();
    for (const Fetched& answer : answers) {
        QVERIFY(answer.finished);
        QVERIFY(answer.error != QNetworkReply::NoError);
    }
    QVERIFY(!sim.isRunning());
    QCOMPARE(sim.port(), quint16(0));
    QVERIFY(sim.url(u"/healthy"_s).isEmpty());
    QVERIFY(sim.start()); // and it can start again
}

void tst_Simulator::urlsPickTheRightPort()
{
    QVERIFY(m_sim.port() != 0 && m_sim.rawPort() != 0 && m_sim.port() != m_sim.rawPort());
    QCOMPARE(m_sim.url(u"/healthy"_s), QUrl(u"http://127.0.0.1:%1/healthy"_s.arg(m_sim.port())));
    QCOMPARE(m_sim.url(u"/hang"_s), QUrl(u"http://127.0.0.1:%1/hang"_s.arg(m_sim.rawPort())));
    QCOMPARE(m_sim.url(u"/slow?delay=50"_s).query(), u"delay=50"_s);
    QCOMPARE(m_sim.url(QString()), m_sim.baseUrl());
    QCOMPARE(m_sim.expandPlaceholders("${SIMULATOR}/a ${SIMULATOR_RAW}/b"),
        "http://127.0.0.1:" + QByteArray::number(m_sim.port())
            + "/a http://127.0.0.1:" + QByteArray::number(m_sim.rawPort()) + "/b");
}

void tst_Simulator::startFailsOnATakenPort()
{
    Simulator second;
    QVERIFY(!second.start(m_sim.port()));
    QVERIFY2(second.errorString().contains(QString::number(m_sim.port())), qPrintable(second.errorString()));
    QVERIFY(!second.isRunning());
    QVERIFY(!m_sim.start()); // already running
    QVERIFY(!m_sim.errorString().isEmpty());
    QCOMPARE(fetch(m_nam, m_sim.url(u"/healthy"_s)).status, 200); // undisturbed
}

void tst_Simulator::extraPortsServeTheSameRoutes()
{
    Simulator sim;
    QVERIFY(sim.start(0, 0, 3));
    const QList<QUrl> bases = sim.httpBaseUrls();
    QCOMPARE(bases.size(), 4);
    QCOMPARE(bases.first(), sim.baseUrl());
    QSet<int> ports;
    QList<FetchRequest> requests;
    for (const QUrl& base : bases) {
        ports.insert(base.port());
        requests.append(getRequest(m_nam, base.resolved(QUrl(u"/status/418"_s))));
    }
    QCOMPARE(ports.size(), 4);
    QVERIFY(!ports.contains(sim.rawPort()));
    for (const Fetched& answer : fetchAll(requests))
        QCOMPARE(answer.status, 418);
    QCOMPARE(sim.requestCount(u"/status/418"_s), 4); // one count over every port
    QCOMPARE(sim.acceptedConnections(), 4);
    sim.stop();
    QVERIFY(sim.httpBaseUrls().isEmpty());
}

void tst_Simulator::countsAreReadableFromAnotherThread()
{
    // The way the app runs it: in its own thread, started there; counts and URLs read from here.
    QThread thread;
    auto* sim = new Simulator;
    sim->moveToThread(&thread);
    thread.start();
    bool started = false;
    QMetaObject::invokeMethod(
        sim, [&] { started = sim->start(); }, Qt::BlockingQueuedConnection);
    QVERIFY(started);
    const QList<Fetched> answers
        = fetchAll(QList<FetchRequest>(20, getRequest(m_nam, sim->url(u"/healthy?delay=10"_s))));
    for (const Fetched& answer : answers)
        QCOMPARE(answer.status, 200);
    QCOMPARE(sim->requestCount(u"/healthy"_s), 20);
    QMetaObject::invokeMethod(
        sim, [sim] { delete sim; }, Qt::BlockingQueuedConnection);
    thread.quit();
    QVERIFY(thread.wait(5000));
}

QTEST_GUILESS_MAIN(tst_Simulator)
#include "tst_simulator.moc"
