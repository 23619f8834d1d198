// SPDX-License-Identifier: GPL-3.0-or-later
// Scrape cost benchmark (see docs/PERFORMANCE.md, "Scraping /metrics"): N endpoints probed by the engine
// against the simulator in a separate process, their batches accumulated in a MetricsRegistry as
// `--headless --listen` does, and the exposition rendered every S seconds, all in one run. The render and
// the accumulation are timed with the thread's own CPU clock; the probing CPU is the process's CPU over the
// run minus the rendering. The figure is the render CPU per 15 s over the probing CPU per 15 s.
// Usage: bench_metrics [--seconds S] [--endpoints N] [--interval SECONDS] [--render-every SECONDS] [--reps R]
//        bench_metrics --serve PORTS   (the simulator process; started by the benchmark itself)
#include "BenchSimulator.h"
#include "report/MetricsExposition.h"
#include "report/MetricsRegistry.h"
#include "schedule/Engine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>

#include <sys/resource.h>

#include <cstdio>
#include <ctime>

using namespace sd;

namespace {

double processCpuSeconds()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
        + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double threadCpuSeconds()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    const QCommandLineOption serveOpt(
        QStringLiteral("serve"), QStringLiteral("simulator mode"), QStringLiteral("ports"));
    const QCommandLineOption secondsOpt(
        QStringLiteral("seconds"), QStringLiteral("run length"), QStringLiteral("s"), QStringLiteral("60"));
    const QCommandLineOption nOpt(
        QStringLiteral("endpoints"), QStringLiteral("endpoints"), QStringLiteral("n"), QStringLiteral("1000"));
    const QCommandLineOption intervalOpt(
        QStringLiteral("interval"), QStringLiteral("probe interval (s)"), QStringLiteral("s"), QStringLiteral("1"));
    const QCommandLineOption renderOpt(QStringLiteral("render-every"), QStringLiteral("render interval (s)"),
        QStringLiteral("s"), QStringLiteral("1"));
    const QCommandLineOption repsOpt(
        QStringLiteral("reps"), QStringLiteral("repetitions"), QStringLiteral("r"), QStringLiteral("1"));
    p.addOptions({ serveOpt, secondsOpt, nOpt, intervalOpt, renderOpt, repsOpt });
    p.process(app);
    if (p.isSet(serveOpt))
        return bench::serveSimulator(p.value(serveOpt).toInt());

    QProcess server;
    const QList<QUrl> bases = bench::startSimulatorProcess(server, 32);
    if (bases.isEmpty()) {
        std::fprintf(stderr, "bench_metrics: the simulator process did not start\n");
        return 1;
    }
    const int seconds = p.value(secondsOpt).toInt();
    const int n = p.value(nOpt).toInt();
    const int interval = p.value(intervalOpt).toInt();
    const int renderEvery = p.value(renderOpt).toInt();

    AppConfig config;
    config.location = QStringLiteral("bench");
    for (int i = 0; i < n; ++i) {
        EndpointConfig e;
        e.name = QStringLiteral("endpoint-%1").arg(i, 4, 10, QLatin1Char('0'));
        QUrl url = bases.at(i % bases.size());
        url.setPath(QStringLiteral("/healthy"));
        url.setQuery(QStringLiteral("e=%1").arg(i));
        e.url = url;
        e.interval = std::chrono::seconds(interval);
        e.tags = { QStringLiteral("bench"), QStringLiteral("tier-%1").arg(i % 3) };
        config.endpoints.append(e);
    }
    // Each repetition a fresh engine and registry; the render runs during the probing, so the two are
    // measured side by side in every repetition.
    for (int rep = 0; rep < std::max(1, p.value(repsOpt).toInt()); ++rep) {
        Engine engine; // the shipped defaults: the global cap fits the config's demand
        MetricsRegistry registry;
        registry.setConfig(config, effectiveLocation(config));
        double accumulateCpu = 0;
        QObject::connect(&engine, &Engine::batchReady, &engine, [&](const EngineBatch& batch) {
            const double t0 = threadCpuSeconds();
            registry.addBatch(batch);
            accumulateCpu += threadCpuSeconds() - t0;
        });
        double renderCpu = 0;
        int renders = 0;
        qsizetype bytes = 0;
        QTimer render;
        QObject::connect(&render, &QTimer::timeout, &engine, [&] {
            const double t0 = threadCpuSeconds();
            const QByteArray text = renderMetrics(registry,
                renders % 2 ? ExpositionFormat::OpenMetrics : ExpositionFormat::PrometheusText,
                QStringLiteral("bench"));
            renderCpu += threadCpuSeconds() - t0;
            bytes = text.size();
            ++renders;
        });

        const double cpu0 = processCpuSeconds();
        engine.setConfig(config);
        engine.start();
        render.start(renderEvery * 1000);
        QEventLoop loop;
        QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
        loop.exec();
        const EngineStats stats = engine.stats();
        const double cpu = processCpuSeconds() - cpu0;
        engine.stop();

        const double probingCpu = cpu - renderCpu;
        const double perRender = renderCpu / std::max(renders, 1);
        const double probingPer15s = probingCpu / seconds * 15.0;
        std::printf("rep %d: endpoints=%d interval=%d s run=%d s probes=%lld (%.0f/s)\n", rep, n, interval, seconds,
            static_cast<long long>(stats.probesFinished), static_cast<double>(stats.probesFinished) / seconds);
        std::printf("probing CPU=%.2f s (%.1f us/probe, registry accumulation %.3f s of it)\n", probingCpu,
            probingCpu * 1e6 / static_cast<double>(std::max<qint64>(stats.probesFinished, 1)), accumulateCpu);
        std::printf("render: %d scrapes, %.2f ms CPU each, %lld bytes\n", renders, perRender * 1e3,
            static_cast<long long>(bytes));
        std::printf("scrape every 15 s: %.2f %% of the probing CPU at a %d s probe interval",
            perRender / probingPer15s * 100, interval);
        // Probing CPU scales with the probe rate; the render does not: the same figure at a 30 s interval.
        std::printf("; %.2f %% at 30 s (probing CPU scaled by %d/30)\n",
            perRender / (probingPer15s * interval / 30.0) * 100, interval);
        std::fflush(stdout);
    }
    server.kill();
    server.waitForFinished();
    return 0;
}
