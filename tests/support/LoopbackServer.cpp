// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/LoopbackServer.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

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

QUrl LoopbackServer::url(const QString& path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
}

bool LoopbackServer::start(const QString& program, const QStringList& arguments, std::chrono::milliseconds wait)
{
    stop();
    m_port = freePort();
    return launch(program, arguments, wait);
}

bool LoopbackServer::startNginx(const QString& locations, std::chrono::milliseconds wait)
{
    stop();
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
            m_error = QStringLiteral("%1 %2 exited with %3: %4")
                          .arg(program, args.join(u' '))
                          .arg(m_process->exitCode())
                          .arg(QString::fromLocal8Bit(m_process->readAllStandardError()).trimmed());
            return false;
        }
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (socket.waitForConnected(200))
            return true;
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
