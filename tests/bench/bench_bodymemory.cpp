// SPDX-License-Identifier: GPL-3.0-or-later
// Memory bound of maxBodyBytes (issue 11.5, see docs/PERFORMANCE.md): peak RSS of `signaldeck --check` on an
// endless chunked body with a 64 MiB cap, against the same check of a 2-byte answer (baseline), same run.
// The server is tests/support/fault_server.py in its own process. Each case runs `--runs` times; the
// largest peak is reported.
// Usage: bench_bodymemory [--signaldeck PATH] [--runs N] [--cap-mib M]
#include "support/LoopbackServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace sd;
using namespace Qt::StringLiterals;

namespace {

struct Run {
    long peakKiB = -1;
    int exitCode = -1;
};

/// Runs `program args` with stdout discarded and returns its peak RSS (wait4's ru_maxrss).
Run measure(const QString& program, const QStringList& args)
{
    std::vector<QByteArray> storage { QFile::encodeName(program) };
    for (const QString& a : args)
        storage.push_back(a.toLocal8Bit());
    std::vector<char*> argv;
    argv.reserve(storage.size() + 1);
    for (QByteArray& s : storage)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
        if (FILE* null = std::freopen("/dev/null", "w", stdout); null == nullptr)
            _exit(127);
        execv(argv[0], argv.data());
        _exit(127);
    }
    Run run;
    int status = 0;
    rusage usage {};
    if (pid > 0 && wait4(pid, &status, 0, &usage) == pid) {
        run.peakKiB = usage.ru_maxrss;
        run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return run;
}

QString writeConfig(const QTemporaryDir& dir, const QString& name, const QUrl& url, qint64 cap)
{
    const QJsonObject endpoint { { u"name"_s, name }, { u"url"_s, url.toString() }, { u"timeout"_s, u"10s"_s },
        { u"maxBodyBytes"_s, cap } };
    const QJsonObject config { { u"version"_s, 1 }, { u"endpoints"_s, QJsonArray { endpoint } } };
    QString path = dir.filePath(name + u".json"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(QJsonDocument(config).toJson());
    return path;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption binaryOpt(
        u"signaldeck"_s, u"The signaldeck binary."_s, u"path"_s, QStringLiteral(SIGNALDECK_BINARY));
    const QCommandLineOption runsOpt(u"runs"_s, u"Runs per case."_s, u"n"_s, u"3"_s);
    const QCommandLineOption capOpt(u"cap-mib"_s, u"maxBodyBytes in MiB."_s, u"m"_s, u"64"_s);
    parser.addOptions({ binaryOpt, runsOpt, capOpt });
    parser.process(app);
    const qint64 cap = parser.value(capOpt).toLongLong() * 1024 * 1024;
    const int runs = std::max(1, parser.value(runsOpt).toInt());

    test::LoopbackServer server;
    if (!server.start(
            test::LoopbackServer::python(), { test::LoopbackServer::supportFile(u"fault_server.py"_s), u"{port}"_s })) {
        std::fprintf(stderr, "bench_bodymemory: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    QTemporaryDir dir;
    struct Case {
        const char* label;
        QString config;
    };
    const std::vector<Case> cases {
        { "2-byte answer (baseline)", writeConfig(dir, u"ok"_s, server.url(u"/ok"_s), cap) },
        { "endless chunked body", writeConfig(dir, u"endless"_s, server.url(u"/endless"_s), cap) },
    };
    std::printf("signaldeck --check, maxBodyBytes %lld MiB, %d runs per case, peak RSS (max over runs)\n\n",
        cap / (qint64 { 1024 } * 1024), runs);
    std::printf("| case | peak RSS | exit codes |\n|---|---|---|\n");
    std::vector<long> peaks;
    for (const Case& c : cases) {
        long peak = 0;
        QStringList codes;
        for (int i = 0; i < runs; ++i) {
            const Run r = measure(parser.value(binaryOpt), { u"--check"_s, u"--config"_s, c.config });
            peak = std::max(peak, r.peakKiB);
            codes.append(QString::number(r.exitCode));
        }
        peaks.push_back(peak);
        std::printf(
            "| %s | %.1f MiB | %s |\n", c.label, static_cast<double>(peak) / 1024.0, qPrintable(codes.join(u',')));
    }
    const double extraMiB = static_cast<double>(peaks[1] - peaks[0]) / 1024.0;
    std::printf("\nendless minus baseline: %.1f MiB = cap + %.1f MiB (target: cap + 120 MiB at most); ratio %.2fx\n",
        extraMiB, extraMiB - static_cast<double>(cap) / (1024.0 * 1024.0),
        static_cast<double>(peaks[1]) / static_cast<double>(std::max(peaks[0], 1L)));
    return 0;
}
