// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The simulator in a separate process for the benchmarks, so that its answers never compete with the
// measured process for its event loops: the benchmark runs itself again with `--serve PORTS`.
#include "simulator/Simulator.h"

#include <QCoreApplication>
#include <QList>
#include <QProcess>
#include <QUrl>

#include <cstdio>

namespace sd::bench {

/// The `--serve PORTS` side: starts the simulator on that many HTTP ports, prints their base URLs and
/// READY, and serves until killed.
inline int serveSimulator(int ports)
{
    Simulator sim;
    if (!sim.start(0, 0, ports - 1))
        return 1;
    for (const QUrl& u : sim.httpBaseUrls())
        std::printf("%s\n", qPrintable(u.toString()));
    std::printf("READY\n");
    std::fflush(stdout);
    return QCoreApplication::exec();
}

/// The measuring side: starts `server` as this program with `--serve PORTS` and returns the base URLs
/// (empty when it did not start within 10 s).
inline QList<QUrl> startSimulatorProcess(QProcess& server, int ports)
{
    server.start(QCoreApplication::applicationFilePath(), { QStringLiteral("--serve"), QString::number(ports) });
    QList<QUrl> bases;
    bool ready = false;
    while (!ready && (server.waitForReadyRead(10'000) || server.canReadLine())) {
        while (server.canReadLine()) {
            const QByteArray line = server.readLine().trimmed();
            if (line == "READY")
                ready = true;
            else
                bases.append(QUrl(QString::fromUtf8(line)));
        }
    }
    return ready ? bases : QList<QUrl> {};
}

} // namespace sd::bench
