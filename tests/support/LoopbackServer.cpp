// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/LoopbackServer.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <unistd.h>

#include <utility>

namespace sd::test {

LoopbackServer::~LoopbackServer()
{
    stop();
}

QString LoopbackServer::python()
{
    return QStringLiteral("/usr/bin/python3");
}

QString LoopbackServer::supportFile(const QString& name)
{
    return QStringLiteral(SIGNALDECK_TEST_SUPPORT_DIR "/") + name;
}

quint16 LoopbackServer::freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

std::pair<int, QByteArray> LoopbackServer::get(const QUrl& url, std::chrono::milliseconds timeout)
{
    QNetworkAccessManager network;
    QNetworkRequest request(url);
    request.setTransferTimeout(static_cast<int>(timeout.count()));
    QNetworkReply* reply = network.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    std::pair<int, QByteArray> answer { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
        reply->readAll() };
    reply->deleteLater();
    return answer;
}

QUrl LoopbackServer::url(const QString& path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
}

namespace {

/// The inode of the socket listening on 127.0.0.1:`port` (/proc/net/tcp); empty when none is listed.
QByteArray listeningInode(quint16 port)
{
    QFile tcp(QStringLiteral("/proc/net/tcp"));
    if (!tcp.open(QIODevice::ReadOnly))
        return {};
    const QByteArray local = "0100007F:" + QByteArray::number(port, 16).toUpper().rightJustified(4, '0');
    tcp.readLine(); // the header
    while (!tcp.atEnd()) {
        const QList<QByteArray> fields = tcp.readLine().simplified().split(' ');
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        if (fields.size() > 9 && fields.at(1) == local && fields.at(3) == "0A")
            return fields.at(9);
    }
    return {};
}

/// True when the process `pid` holds the socket `inode`. Another test running at the same time (ctest -j) may
/// take a port between freePort() and the server's bind: then the port answers, but not our server.
bool holdsSocket(qint64 pid, const QByteArray& inode)
{
    const QByteArray target = "socket:[" + inode + ']';
    const QString fds = QStringLiteral("/proc/%1/fd").arg(pid);
    const QStringList entries = QDir(fds).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot);
    for (const QString& fd : entries) {
        char link[64] = {};
        const ssize_t n = ::readlink(QFile::encodeName(fds + u'/' + fd).constData(), link, sizeof link - 1);
        if (n > 0 && QByteArray(link, n) == target)
            return true;
    }
    return false;
}

constexpr int kPortAttempts = 5;

} // namespace

bool LoopbackServer::start(const QString& program, const QStringList& arguments, std::chrono::milliseconds wait)
{
    stop();
    const quint16 preferred = std::exchange(m_preferredPort, quint16 { 0 });
    for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
        m_port = attempt == 0 && preferred != 0 ? preferred : freePort();
        m_portTaken = false;
        if (launch(program, arguments, wait))
            return true;
        if (!m_portTaken)
            return false;
        stop();
    }
    return false;
}

bool LoopbackServer::startNginx(const QString& locations, std::chrono::milliseconds wait)
{
    stop();
    for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
        m_portTaken = false;
        if (launchNginx(locations, wait))
            return true;
        if (!m_portTaken)
            return false;
        stop();
    }
    return false;
}

bool LoopbackServer::launchNginx(const QString& locations, std::chrono::milliseconds wait)
{
    m_port = freePort();
    m_dir = std::make_unique<QTemporaryDir>();
    const QString d = m_dir->path();
    // master_process off: one process, the current user, nothing left behind when it is killed.
    const QString config = QStringLiteral(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid %1/nginx.pid;\nerror_log %1/error.log;\n"
        "events { worker_connections 1024; }\n"
        "http {\n  access_log off;\n  client_body_temp_path %1/body;\n  proxy_temp_path %1/proxy;\n"
        "  fastcgi_temp_path %1/fastcgi;\n  uwsgi_temp_path %1/uwsgi;\n  scgi_temp_path %1/scgi;\n"
        "  server {\n    listen 127.0.0.1:%2;\n%3\n  }\n}\n")
                               .arg(d)
                               .arg(m_port)
                               .arg(locations);
    QFile file(d + QStringLiteral("/nginx.conf"));
    if (!file.open(QIODevice::WriteOnly) || file.write(config.toUtf8()) < 0) {
        m_error = QStringLiteral("cannot write ") + file.fileName();
        return false;
    }
    file.close();
    return launch(QStringLiteral("/usr/sbin/nginx"),
        { QStringLiteral("-p"), d, QStringLiteral("-c"), file.fileName(), QStringLiteral("-e"),
            d + QStringLiteral("/error.log") },
        wait);
}

bool LoopbackServer::launch(const QString& program, const QStringList& arguments, std::chrono::milliseconds wait)
{
    if (!QFileInfo(program).isExecutable()) {
        m_error = program + QStringLiteral(" is not installed (see TEST_PKGS in the Makefile)");
        return false;
    }
    m_error.clear();
    QStringList args;
    for (QString a : arguments)
        args.append(a.replace(QStringLiteral("{port}"), QString::number(m_port)));
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    m_process->setStandardOutputFile(QProcess::nullDevice());
    m_process->start(program, args);
    if (!m_process->waitForStarted(5000)) {
        m_error = program + QStringLiteral(" did not start: ") + m_process->errorString();
        return false;
    }
    const QDeadlineTimer deadline(wait);
    while (!deadline.hasExpired()) {
        if (m_process->state() != QProcess::Running) {
            QString stderrText = QString::fromLocal8Bit(m_process->readAllStandardError()).trimmed();
            if (m_dir) { // nginx writes its start-up errors to its error log
                QFile log(m_dir->filePath(QStringLiteral("error.log")));
                if (log.open(QIODevice::ReadOnly))
                    stderrText += u'\n' + QString::fromLocal8Bit(log.readAll()).trimmed();
            }
            m_error = QStringLiteral("%1 %2 exited with %3: %4")
                          .arg(program, args.join(u' '))
                          .arg(m_process->exitCode())
                          .arg(stderrText);
            // Taken by another process between freePort() and the bind: start() tries another port.
            m_portTaken = stderrText.contains(QStringLiteral("in use"), Qt::CaseInsensitive);
            return false;
        }
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (socket.waitForConnected(200)) {
            // The port answers: ours, unless another process took the port first (its bind then fails, or
            // is about to). Where /proc cannot tell (a listener on [::]), the answer is taken as ours.
            const QByteArray inode = listeningInode(m_port);
            if (inode.isEmpty() || holdsSocket(m_process->processId(), inode))
                return true;
            m_error = QStringLiteral("port %1 was taken by another process").arg(m_port);
            m_portTaken = true;
            return false;
        }
        QThread::msleep(50);
    }
    m_error = QStringLiteral("%1 %2 does not answer on port %3").arg(program, args.join(u' ')).arg(m_port);
    return false;
}

void LoopbackServer::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    m_process.reset();
    m_dir.reset();
}

} // namespace sd::test
