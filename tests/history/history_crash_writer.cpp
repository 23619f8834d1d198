// SPDX-License-Identifier: GPL-3.0-or-later
// Helper for tst_historycrash: appends one sample every few milliseconds to a HistoryStore in the given
// directory and prints "<sequence> <wall ms>" after each append, until it is killed.
#include "core/ProbeResult.h"
#include "history/HistoryStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QTimer>

#include <cstdio>

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: history_crash_writer DIR\n");
        return 2;
    }
    sd::HistoryOptions options;
    options.directory = QString::fromLocal8Bit(argv[1]);
    sd::HistoryStore store(options);
    qint64 sequence = 0;
    QTimer timer;
    timer.setInterval(3);
    QObject::connect(&timer, &QTimer::timeout, &store, [&store, &sequence] {
        sd::ProbeResult r;
        r.endpoint = QStringLiteral("crash");
        r.url = QStringLiteral("http://127.0.0.1/crash");
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        r.startUtc = QDateTime::fromMSecsSinceEpoch(now, Qt::UTC);
        r.latencyUs = sequence; // the sequence number, so the test can find gaps
        r.httpStatus = 200;
        store.append({ r });
        std::printf("%lld %lld\n", static_cast<long long>(sequence), static_cast<long long>(now));
        std::fflush(stdout);
        ++sequence;
    });
    QObject::connect(&store, &sd::HistoryStore::opened, &timer, [&timer] {
        std::printf("ready\n");
        std::fflush(stdout);
        timer.start();
    });
    return QCoreApplication::exec();
}
