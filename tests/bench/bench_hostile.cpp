// SPDX-License-Identifier: GPL-3.0-or-later
// Isolation of a hostile endpoint (issue 11.6, see docs/PERFORMANCE.md): five healthy endpoints on nginx at a
// 1 s interval, alone and beside a hostile neighbour on another port (tests/support/fault_server.py: a 10 MiB
// header line, or an endless chunked body read up to a 64 MiB cap), same run, with 1 transport shard (all
// network work on one thread, as before issue 11) and with the default shards. Latency error is a healthy
// probe's latency minus the median latency of the same endpoints alone in the same configuration.
// Usage: bench_hostile [--seconds S] [--shards N[,N...]] [--reps R]
#include "schedule/Engine.h"
#include "support/LoopbackServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace sd;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

constexpr int kHealthy = 5;

struct Phase {
    std::vector<double> latenciesMs; ///< healthy endpoints only
    int healthyProbes = 0;
    int healthyFailures = 0;
    int hostileProbes = 0;
};

double pct(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

Phase run(int shards, const QUrl& healthy, const QUrl& hostile, int seconds)
{
    EngineOptions options;
    options.transportShards = shards;
    AppConfig config;
    for (int i = 0; i < kHealthy; ++i) {
        EndpointConfig e;
        e.name = u"healthy-%1"_s.arg(i);
        e.url = healthy;
        e.interval = 1s;
        config.endpoints.append(e);
    }
    if (!hostile.isEmpty()) {
        EndpointConfig e;
        e.name = u"hostile"_s;
        e.url = hostile;
        e.interval = 1s;
        e.maxBodyBytes = qint64 { 64 } * 1024 * 1024;
        config.endpoints.append(e);
    }
    Phase phase;
    Engine engine(options);
    QObject::connect(&engine, &Engine::batchReady, &engine, [&phase](const EngineBatch& b) {
        for (const ProbeResult& r : b.results) {
            if (r.endpoint == u"hostile"_s) {
                ++phase.hostileProbes;
                continue;
            }
            ++phase.healthyProbes;
            if (r.outcome != Outcome::Ok)
                ++phase.healthyFailures;
            phase.latenciesMs.push_back(r.latencyMs());
        }
    });
    engine.setConfig(config);
    engine.start();
    QEventLoop loop;
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    loop.exec();
    engine.stop();
    return phase;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption secondsOpt(u"seconds"_s, u"Seconds per phase."_s, u"s"_s, u"10"_s);
    const QCommandLineOption shardsOpt(u"shards"_s, u"Transport shard counts to compare."_s, u"list"_s, u"1,4"_s);
    const QCommandLineOption repsOpt(
        u"reps"_s, u"Repetitions; the three neighbours' order is rotated every repetition."_s, u"r"_s, u"1"_s);
    parser.addOptions({ secondsOpt, shardsOpt, repsOpt });
    parser.process(app);
    const int seconds = std::max(2, parser.value(secondsOpt).toInt());
    const int reps = std::max(1, parser.value(repsOpt).toInt());

    test::LoopbackServer nginx;
    test::LoopbackServer faults;
    if (!nginx.startNginx(u"    location / { return 200 \"ok\\n\"; }"_s)
        || !faults.start(
            test::LoopbackServer::python(), { test::LoopbackServer::supportFile(u"fault_server.py"_s), u"{port}"_s })) {
        std::fprintf(
            stderr, "bench_hostile: %s%s\n", qPrintable(nginx.errorString()), qPrintable(faults.errorString()));
        return 1;
    }
    struct Neighbour {
        const char* label;
        QUrl url;
    };
    const std::vector<Neighbour> neighbours { { "none", {} }, { "10 MiB header line", faults.url(u"/big-header"_s) },
        { "endless body, 64 MiB cap", faults.url(u"/endless"_s) } };

    std::printf("5 healthy endpoints (nginx, 1 s interval) beside one hostile neighbour, %d s per phase, %d "
                "repetition(s), the neighbours' order rotated every repetition\n\n",
        seconds, reps);
    std::printf(
        "| rep | shards | neighbour | healthy probes | not ok | latency p50 | p95 | max | error p50 | error p95 | "
        "error max | hostile probes |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int rep = 0; rep < reps; ++rep) {
        for (const QString& each : parser.value(shardsOpt).split(u',')) {
            const int shards = each.toInt();
            std::vector<Phase> phases(neighbours.size());
            for (std::size_t k = 0; k < neighbours.size(); ++k) {
                const std::size_t i = (k + static_cast<std::size_t>(rep)) % neighbours.size();
                phases[i] = run(shards, nginx.url(u"/healthy"_s), neighbours[i].url, seconds);
            }
            // Errors against the same shard count alone, in the same repetition.
            const double baseline = pct(phases.front().latenciesMs, 0.5);
            for (std::size_t i = 0; i < neighbours.size(); ++i) {
                const Phase& p = phases[i];
                const double p50 = pct(p.latenciesMs, 0.5);
                const double p95 = pct(p.latenciesMs, 0.95);
                const double max = pct(p.latenciesMs, 1.0);
                std::printf(
                    "| %d | %d | %s | %d | %d | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %d |\n",
                    rep, shards, neighbours[i].label, p.healthyProbes, p.healthyFailures, p50, p95, max, p50 - baseline,
                    p95 - baseline, max - baseline, p.hostileProbes);
            }
            std::fflush(stdout);
        }
    }
    return 0;
}
