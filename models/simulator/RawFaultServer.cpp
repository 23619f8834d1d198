// SPDX-License-Identifier: GPL-3.0-or-later
#include "simulator/RawFaultServer.h"

#include "simulator/CannedAnswers.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <sys/socket.h>
#endif

namespace sd {

Q_LOGGING_CATEGORY(lcRawFault, "signaldeck.simulator.raw", QtInfoMsg)

namespace {

/// A request head larger than this is not a probe; the connection is dropped.
constexpr qsizetype kMaxHeadBytes = qsizetype { 64 } * 1024;
const char* const kBufferProperty = "sdRequestHead";
const char* const kHangingProperty = "sdHanging";

/// SO_LINGER with a zero timeout: the following close sends RST instead of FIN, a real "connection reset".
void setLingerZero(QTcpSocket* socket)
{
    struct linger option { };
    option.l_onoff = 1;
    option.l_linger = 0;
#ifdef Q_OS_WIN
    ::setsockopt(static_cast<SOCKET>(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER,
        reinterpret_cast<const char*>(&option), sizeof option);
#else
    ::setsockopt(static_cast<int>(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &option, sizeof option);
#endif
}

QByteArray notFoundResponse(const QString& path)
{
    const SimulatedAnswer answer = canned::notFound(path, {});
    return QByteArrayLiteral("HTTP/1.1 404 Not Found\r\nContent-Type: ") + answer.contentType
        + QByteArrayLiteral("\r\nContent-Length: ") + QByteArray::number(answer.body.size())
        + QByteArrayLiteral("\r\nConnection: close\r\n\r\n") + answer.body;
}

} // namespace

RawFaultServer::RawFaultServer(QObject* parent)
    : QObject(parent)
{
    m_server.setListenBacklogSize(1024);
    connect(&m_server, &QTcpServer::newConnection, this, &RawFaultServer::acceptConnections);
}

RawFaultServer::~RawFaultServer()
{
    // The connections go first, while this object is whole and can still count them down.
    qDeleteAll(m_server.findChildren<QTcpSocket*>(Qt::FindDirectChildrenOnly));
}

bool RawFaultServer::listen(const QHostAddress& address, quint16 port)
{
    return m_server.listen(address, port);
}

void RawFaultServer::acceptConnections()
{
    while (QTcpSocket* socket = m_server.nextPendingConnection()) {
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readRequestHead(socket); });
        if (socket->bytesAvailable() > 0)
            readRequestHead(socket);
    }
}

void RawFaultServer::readRequestHead(QTcpSocket* socket)
{
    if (socket->property(kHangingProperty).toBool()) {
        socket->readAll(); // a hanging connection swallows whatever else the client sends
        return;
    }
    QByteArray head = socket->property(kBufferProperty).toByteArray() + socket->readAll();
    const qsizetype end = head.indexOf("\r\n\r\n");
    if (end < 0) {
        if (head.size() > kMaxHeadBytes)
            socket->abort();
        else
            socket->setProperty(kBufferProperty, head);
        return;
    }
    socket->setProperty(kBufferProperty, QVariant());
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);

    // Request line: METHOD SP request-target SP HTTP-version
    const QList<QByteArray> requestLine = head.left(head.indexOf("\r\n")).split(' ');
    const QUrl target = QUrl::fromEncoded(requestLine.value(1));
    const QString path = target.path();
    emit requestArrived(path);

    const auto delay = canned::requestedDelay(QUrlQuery(target)).value_or(std::chrono::milliseconds(0));
    if (delay.count() == 0) {
        playFault(socket, path);
        return;
    }
    // Socket as context: the fault is dropped if the client gives up first.
    QTimer::singleShot(delay, Qt::PreciseTimer, socket, [this, socket, path] { playFault(socket, path); });
}

void RawFaultServer::playFault(QTcpSocket* socket, const QString& path)
{
    if (socket->state() != QAbstractSocket::ConnectedState)
        return;
    if (path == u"/hang") {
        socket->setProperty(kHangingProperty, true);
        emit hangingConnectionsChanged(++m_hanging);
        connect(socket, &QObject::destroyed, this, [this] { emit hangingConnectionsChanged(--m_hanging); });
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readRequestHead(socket); });
    } else if (path == u"/close") {
        // Headers promise 1 KiB of body; a few bytes come, then FIN.
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1024\r\n\r\n"
                      "{\"object\":\"chat.comp");
        socket->disconnectFromHost();
    } else if (path == u"/reset") {
        setLingerZero(socket);
        socket->abort();
        socket->deleteLater();
    } else if (path == u"/garbage") {
        // A TLS ClientHello prefix and some text: what a confused proxy or wrong port would answer.
        static const char garbage[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage: not HTTP\r\n\r\n";
        socket->write(garbage, sizeof garbage - 1);
        socket->disconnectFromHost();
    } else {
        qCDebug(lcRawFault) << "no raw-fault route" << path;
        socket->write(notFoundResponse(path));
        socket->disconnectFromHost();
    }
}

} // namespace sd
