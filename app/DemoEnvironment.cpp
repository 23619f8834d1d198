// SPDX-License-Identifier: GPL-3.0-or-later
#include "DemoEnvironment.h"

#include "config/ConfigLoader.h"
#include "simulator/Simulator.h"

#include <QFile>
#include <QRandomGenerator>
#include <QThread>

namespace sd {

DemoEnvironment::DemoEnvironment(QObject* parent)
    : QObject(parent)
    , m_thread(new QThread(this))
{
    m_thread->setObjectName(QStringLiteral("signaldeck-simulator"));
}

DemoEnvironment::~DemoEnvironment()
{
    m_thread->quit();
    m_thread->wait();
}

bool DemoEnvironment::start(quint16 port, QString* error)
{
    if (m_simulator)
        return true;
    if (port == 65535) {
        if (error)
            *error = QStringLiteral(
                "port 65535 leaves no room for the raw-fault port (the next one); choose a lower port");
        return false;
    }
    m_simulator = new Simulator;
    m_simulator->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_simulator, &QObject::deleteLater);
    m_thread->start();
    bool ok = false;
    QString why;
    // A chosen port is the only one the demo may take: the raw faults (garbage, resets, hangs) listen on the
    // next one, never on a random port a firewall rule or a port forward would not expect.
    const quint16 rawPort = port == 0 ? 0 : static_cast<quint16>(port + 1);
    QMetaObject::invokeMethod(
        m_simulator,
        [&ok, &why, port, rawPort, sim = m_simulator] {
            ok = sim->start(port, rawPort);
            if (!ok)
                why = sim->errorString();
        },
        Qt::BlockingQueuedConnection);
    if (!ok && error)
        *error = why;
    if (ok) {
        // Fresh at every start, so a token kept from an earlier demo run is refused, as an expired one would be.
        QByteArray random(24, Qt::Uninitialized);
        for (char& c : random)
            c = static_cast<char>(QRandomGenerator::system()->bounded(256));
        m_validToken = QByteArrayLiteral("sdk-demo-")
            + random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        m_simulator->setAcceptedTokens({ m_validToken });
    }
    return ok;
}

QString DemoEnvironment::baseUrl() const
{
    return m_simulator ? m_simulator->baseUrl().toString() : QString();
}

ConfigParseResult DemoEnvironment::config() const
{
    QFile file(QStringLiteral(":/demo-config.json"));
    if (!file.open(QIODevice::ReadOnly)) {
        ConfigParseResult r;
        r.errors.append(
            { QStringLiteral(":/demo-config.json"), QStringLiteral("the built-in demo config is missing") });
        return r;
    }
    QByteArray json = file.readAll();
    if (m_simulator)
        json = m_simulator->expandPlaceholders(json);
    return parseConfig(json);
}

} // namespace sd
