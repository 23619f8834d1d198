// SPDX-License-Identifier: GPL-3.0-or-later
#include "MetricsServer.h"

#include "report/MetricsExposition.h"
#include "report/MetricsRegistry.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>

Q_LOGGING_CATEGORY(lcMetrics, "signaldeck.metrics", QtInfoMsg)

namespace sd {

namespace {
constexpr qsizetype kMaxRequestHead = qsizetype { 16 } * 1024;
constexpr int kRequestTimeoutMs = 10'000;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

void writeResponse(QTcpSocket* socket, int status, const QByteArray& contentType, const QByteArray& body, bool head)
{
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
        + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + QByteArray::number(body.size());
    if (status == 405)
        response += "\r\nAllow: GET, HEAD";
    response += "\r\nConnection: close\r\n\r\n";
    socket->write(response);
    if (!head)
        socket->write(body);
    socket->disconnectFromHost();
}
} // namespace

MetricsServer::MetricsServer(const MetricsRegistry* registry, QObject* parent)
    : QObject(parent)
    , m_registry(registry)
{
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket* socket = m_server.nextPendingConnection()) {
            connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                m_pending.remove(socket);
                socket->deleteLater();
            });
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
            QTimer::singleShot(kRequestTimeoutMs, socket, [socket] { socket->abort(); });
        }
    });
}

bool MetricsServer::listen(const ListenAddress& address, QString* error)
{
    if (m_server.listen(address.address, address.port)) {
        qCInfo(lcMetrics).noquote() << "serving /metrics on" << address.toString();
        return true;
    }
    *error = u"cannot listen on "_qs + address.toString() + u": "_qs + m_server.errorString();
    return false;
}

void MetricsServer::serve(QTcpSocket* socket)
{
    if (socket->state() != QAbstractSocket::ConnectedState) {
        socket->readAll(); // answered already; the client is still sending
        return;
    }
    QByteArray& request = m_pending[socket];
    request += socket->readAll();
    const qsizetype end = request.indexOf("\r\n\r\n");
    if (end < 0) {
        if (request.size() > kMaxRequestHead) {
            m_pending.remove(socket);
            writeResponse(socket, 431, "text/plain; charset=utf-8", "request head too large\n", false);
        }
        return;
    }
    const QList<QByteArray> lines = request.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    QByteArray accept;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray& line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == "accept")
            accept += (accept.isEmpty() ? "" : ",") + line.mid(colon + 1).trimmed();
    }
    m_pending.remove(socket);
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.")) {
        writeResponse(socket, 400, "text/plain; charset=utf-8", "bad request\n", false);
        return;
    }
    QByteArray path = requestLine.at(1);
    if (const qsizetype query = path.indexOf('?'); query >= 0)
        path.truncate(query);
    respond(socket, requestLine.at(0), path, accept);
}

void MetricsServer::respond(
    QTcpSocket* socket, const QByteArray& method, const QByteArray& path, const QByteArray& accept)
{
    const QByteArray text = "text/plain; charset=utf-8";
    const bool head = method == "HEAD";
    if (path != "/metrics" && path != "/-/healthy" && path != "/-/ready" && path != "/") {
        writeResponse(socket, 404, text, "not found; try /metrics, /-/healthy or /-/ready\n", head);
        return;
    }
    if (method != "GET" && !head) {
        writeResponse(socket, 405, text, "only GET and HEAD\n", false);
        return;
    }
    if (path == "/-/healthy") {
        writeResponse(socket, 200, text, "SignalDeck is healthy.\n", head);
    } else if (path == "/-/ready") {
        if (m_registry->allProbedOnce())
            writeResponse(socket, 200, text, "SignalDeck is ready.\n", head);
        else
            writeResponse(
                socket, 503, text, "SignalDeck is not ready: not every endpoint has been probed yet.\n", head);
    } else if (path == "/") {
        writeResponse(socket, 200, "text/html; charset=utf-8",
            "<html><head><title>SignalDeck</title></head><body><h1>SignalDeck</h1>"
            "<p><a href=\"/metrics\">Metrics</a></p></body></html>\n",
            head);
    } else {
        const ExpositionFormat format = negotiateExposition(accept);
        writeResponse(socket, 200, expositionContentType(format),
            renderMetrics(*m_registry, format, QCoreApplication::applicationVersion()), head);
    }
}

} // namespace sd
