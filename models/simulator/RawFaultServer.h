// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHostAddress>
#include <QObject>
#include <QTcpServer>

class QTcpSocket;

namespace sd {

/// The simulator's raw-fault routes on a plain QTcpServer: faults that break HTTP itself and so cannot be
/// played through an HTTP server library. It reads a request head, then for `/hang` keeps the connection
/// open and silent, for `/close` sends half a response and closes, for `/reset` aborts with a TCP RST
/// (SO_LINGER 0), for `/garbage` writes bytes that are not HTTP and closes. `?delay=MS` postpones the fault
/// on a timer. Anything else gets a 404 and the connection is closed; there is no keep-alive here.
class RawFaultServer : public QObject {
    Q_OBJECT
public:
    explicit RawFaultServer(QObject* parent = nullptr);
    ~RawFaultServer() override;

    bool listen(const QHostAddress& address, quint16 port);
    quint16 port() const { return m_server.serverPort(); }
    QString errorString() const { return m_server.errorString(); }
    /// Connections currently held open by `/hang`.
    int hangingConnections() const { return m_hanging; }

Q_SIGNALS:
    /// A request head arrived for `path` (without query).
    void requestArrived(const QString& path);
    /// The number of connections held open by `/hang` changed.
    void hangingConnectionsChanged(int count);

private:
    void acceptConnections();
    void readRequestHead(QTcpSocket* socket);
    void playFault(QTcpSocket* socket, const QString& path);

    int m_hanging = 0;
    QTcpServer m_server;
};

} // namespace sd
