// SPDX-License-Identifier: GPL-3.0-or-later
// MetricsServer in-process on loopback, talked to over real sockets: readiness before and after the first
// probes, HEAD, the Accept negotiation, and the limits on what a client may send.
#include "MetricsServer.h"
#include "report/MetricsRegistry.h"

#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace sd;

namespace {

/// Sends `request` raw and returns everything the server sent until it closed the connection.
QByteArray exchange(quint16 port, const QByteArray& request)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(request);
    QByteArray reply;
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] { reply += socket.readAll(); });
    if (socket.state() == QAbstractSocket::ConnectedState)
        closed.wait(10'000);
    reply += socket.readAll();
    return reply;
}

QByteArray get(
    quint16 port, const QByteArray& path, const QByteArray& extraHeaders = {}, const QByteArray& method = "GET")
{
    return exchange(port, method + ' ' + path + " HTTP/1.1\r\nHost: x\r\n" + extraHeaders + "\r\n");
}

AppConfig oneEndpoint()
{
    AppConfig config;
    EndpointConfig e;
    e.name = u"api"_s;
    e.url = QUrl(u"http://127.0.0.1:1/"_s);
    config.endpoints.append(e);
    return config;
}

} // namespace

class TestMetricsServer : public QObject {
    Q_OBJECT

private slots:
    void readyOnlyAfterTheFirstProbe();
    void negotiatesTheFormat();
    void headHasNoBody();
    void refusesWhatItDoesNotServe();
    void portInUseNamesTheAddress();
};

void TestMetricsServer::readyOnlyAfterTheFirstProbe()
{
    MetricsRegistry registry;
    registry.setConfig(oneEndpoint(), u"here"_s);
    MetricsServer server(&registry);
    QString error;
    QVERIFY2(server.listen({ QHostAddress(QHostAddress::LocalHost), 0 }, &error), qPrintable(error));
    QVERIFY(get(server.serverPort(), "/-/healthy").startsWith("HTTP/1.1 200 OK\r\n"));
    QVERIFY(get(server.serverPort(), "/-/ready").startsWith("HTTP/1.1 503 "));
    EngineBatch batch;
    ProbeResult r;
    r.endpoint = u"api"_s;
    r.httpStatus = 200;
    batch.results.append(r);
    registry.addBatch(batch);
    QVERIFY(get(server.serverPort(), "/-/ready").startsWith("HTTP/1.1 200 OK\r\n"));
}

void TestMetricsServer::negotiatesTheFormat()
{
    MetricsRegistry registry;
    registry.setConfig(oneEndpoint(), u"here"_s);
    MetricsServer server(&registry);
    QString error;
    QVERIFY(server.listen({ QHostAddress(QHostAddress::LocalHost), 0 }, &error));
    const QByteArray text = get(server.serverPort(), "/metrics");
    QVERIFY2(
        text.contains("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), text.left(300).constData());
    QVERIFY(!text.contains("# EOF"));
    const QByteArray om = get(server.serverPort(), "/metrics?x=1",
        "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5\r\n");
    QVERIFY(om.contains("\r\nContent-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r\n"));
    QVERIFY(om.endsWith("# EOF\n"));
    // Content-Length is exact: the body is what follows the head.
    const qsizetype head = om.indexOf("\r\n\r\n") + 4;
    QVERIFY(om.contains(QByteArray("Content-Length: " + QByteArray::number(om.size() - head) + "\r\n")));
}

void TestMetricsServer::headHasNoBody()
{
    MetricsRegistry registry;
    MetricsServer server(&registry);
    QString error;
    QVERIFY(server.listen({ QHostAddress(QHostAddress::LocalHost), 0 }, &error));
    const QByteArray reply = get(server.serverPort(), "/metrics", {}, "HEAD");
    QVERIFY(reply.startsWith("HTTP/1.1 200 OK\r\n"));
    QVERIFY(reply.endsWith("\r\n\r\n"));
    QVERIFY(!reply.contains("Content-Length: 0\r\n"));
}

void TestMetricsServer::refusesWhatItDoesNotServe()
{
    MetricsRegistry registry;
    MetricsServer server(&registry);
    QString error;
    QVERIFY(server.listen({ QHostAddress(QHostAddress::LocalHost), 0 }, &error));
    QVERIFY(get(server.serverPort(), "/secrets").startsWith("HTTP/1.1 404 "));
    QVERIFY(get(server.serverPort(), "/metrics", {}, "DELETE").startsWith("HTTP/1.1 405 "));
    QVERIFY(exchange(server.serverPort(), "garbage\r\n\r\n").startsWith("HTTP/1.1 400 "));
    QVERIFY(exchange(server.serverPort(), "GET /metrics HTTP/1.1\r\nX: " + QByteArray(20'000, 'a'))
                .startsWith("HTTP/1.1 431 "));
}

void TestMetricsServer::portInUseNamesTheAddress()
{
    MetricsRegistry registry;
    MetricsServer first(&registry);
    MetricsServer second(&registry);
    QString error;
    QVERIFY(first.listen({ QHostAddress(QHostAddress::LocalHost), 0 }, &error));
    QVERIFY(!second.listen({ QHostAddress(QHostAddress::LocalHost), first.serverPort() }, &error));
    QVERIFY2(error.startsWith(u"cannot listen on 127.0.0.1:"_s + QString::number(first.serverPort()) + u": "_s),
        qPrintable(error));
}

QTEST_GUILESS_MAIN(TestMetricsServer)
#include "tst_metricsserver.moc"
