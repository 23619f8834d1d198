// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/LoopbackServer.h"

#include <QDeadlineTimer>
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
    if (!QFileInfo(program).isExecutable()) {
        m_error = program + QStringLiteral(" is not installed (see TEST_PKGS in the Makefile)");
        return false;
    }
    m_port = freePort();
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
}

} // namespace sd::test
