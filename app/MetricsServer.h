// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ListenAddress.h"

#include <QHash>
#include <QObject>
#include <QTcpServer>

class QTcpSocket;

namespace sd {

class MetricsRegistry;

/// The HTTP side of `--headless --listen`: a minimal HTTP/1.1 server (GET and HEAD, one request per
/// connection) on a QTcpServer that answers `/metrics` from a MetricsRegistry it reads but does not own,
/// `/-/healthy` (200 while running) and `/-/ready` (200 once every endpoint has been probed once or is
/// paused, 503 before). Rendering happens on the thread of this object, per scrape. A request whose head
/// exceeds 16 KiB or takes over 10 s is dropped. See docs/METRICS.md.
class MetricsServer : public QObject {
    Q_OBJECT
public:
    explicit MetricsServer(const MetricsRegistry* registry, QObject* parent = nullptr);

    /// False with a message naming the address when it cannot bind (in use, not an address of this host).
    bool listen(const ListenAddress& address, QString* error);
    quint16 serverPort() const { return m_server.serverPort(); }

private:
    void serve(QTcpSocket* socket);
    void respond(QTcpSocket* socket, const QByteArray& method, const QByteArray& path, const QByteArray& accept);

    const MetricsRegistry* m_registry;
    QTcpServer m_server;
    QHash<QTcpSocket*, QByteArray> m_pending;
};

} // namespace sd
