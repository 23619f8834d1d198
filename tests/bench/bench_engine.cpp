// SPDX-License-Identifier: GPL-3.0-or-later
// Engine benchmark (see docs/PERFORMANCE.md): N endpoints at a 1 s interval against the simulator in a
// separate process, the engine side by side with a bare QNetworkAccessManager loop doing the same requests.
// Usage: bench_engine [--seconds S] [--endpoints N[,N...]] [--delay MS]
//        bench_engine --serve PORTS   (the simulator process; started by the benchmark itself)
#include "BenchSimulator.h"
#include "schedule/Engine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTimer>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

using namespace sd;

namespace {

double cpuSeconds()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
        + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double pct(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

struct Figures {
    qint64 probes = 0;
    double cpuUsPerProbe = 0;
    double lagP50Ms = 0, lagP99Ms = 0;
    double errMedianMs = 0, errP99Ms = 0;
};

QList<QUrl> urlsFor(const QList<QUrl>& bases, int n, int delayMs)
{
    QList<QUrl> urls;
    for (int i = 0; i < n; ++i) {
        QUrl u = bases.at(i % bases.size());
        u.setPath(QStringLiteral("/healthy"));
        u.setQuery(QStringLiteral("delay=%1&e=%2").arg(delayMs).arg(i));
        urls.append(u);
    }
    return urls;
}

Figures runBare(const QList<QUrl>& urls, int seconds, int delayMs)
{
    QNetworkAccessManager nam;
    std::vector<double> lags, errs;
    std::vector<std::unique_ptr<QTimer>> timers;
    QElapsedTimer clock;
    clock.start();
    qint64 probes = 0;
    const int n = static_cast<int>(urls.size());
    const double cpu0 = cpuSeconds();
    for (int i = 0; i < n; ++i) {
        auto t = std::make_unique<QTimer>();
        t->setTimerType(Qt::PreciseTimer);
        const qint64 offset = static_cast<qint64>(i) * 1000 / n;
        auto planned = std::make_shared<qint64>(offset);
        const QUrl& url = urls.at(i);
        QObject::connect(t.get(), &QTimer::timeout, &nam, [&, planned, url, tp = t.get()] {
            lags.push_back(static_cast<double>(clock.nsecsElapsed() - *planned * 1'000'000) / 1e6);
            *planned += 1000;
            tp->start(static_cast<int>(std::max<qint64>(0, *planned - clock.elapsed())));
            auto* started = new QElapsedTimer;
            started->start();
            QNetworkReply* r = nam.get(QNetworkRequest(url));
            QObject::connect(r, &QNetworkReply::finished, &nam, [&, r, started] {
                errs.push_back(static_cast<double>(started->nsecsElapsed()) / 1e6 - delayMs);
                delete started;
                r->readAll();
                r->deleteLater();
                ++probes;
            });
        });
        t->setSingleShot(true);
        t->start(static_cast<int>(offset));
        timers.push_back(std::move(t));
    }
    QEventLoop loop;
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    loop.exec();
    timers.clear();
    const double cpu = cpuSeconds() - cpu0;
    QEventLoop drain;
    QTimer::singleShot(300, &drain, &QEventLoop::quit);
    drain.exec();
    return { probes, cpu * 1e6 / static_cast<double>(std::max<qint64>(probes, 1)), pct(lags, 0.5), pct(lags, 0.99),
        pct(errs, 0.5), pct(errs, 0.99) };
}

Figures runEngine(
    const QList<QUrl>& urls, int seconds, int delayMs, ProbeScheduler::Options options = {}, qint64* attempts = nullptr)
{
    AppConfig config;
    for (int i = 0; i < urls.size(); ++i) {
        EndpointConfig e;
        e.name = QStringLiteral("e%1").arg(i);
        e.url = urls.at(i);
        e.interval = std::chrono::seconds(1);
        config.endpoints.append(e);
    }
    options.ratePerSecond = 5000; // the benchmark measures the engine, not the global budget
    options.burst = 1000;
    options.perHostLimit = 4;
    Engine engine(options);
    std::vector<double> errs;
    QObject::connect(&engine, &Engine::batchReady, &engine, [&](const EngineBatch& b) {
        for (const ProbeResult& r : b.results)
            errs.push_back(r.latencyMs() - delayMs);
    });
    const double cpu0 = cpuSeconds();
    engine.setConfig(config);
    engine.start();
    QEventLoop loop;
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    loop.exec();
    const EngineStats stats = engine.stats();
    const double cpu = cpuSeconds() - cpu0;
    engine.stop();
    if (attempts)
        *attempts = stats.attemptsSent;
    return { stats.probesFinished, cpu * 1e6 / static_cast<double>(std::max<qint64>(stats.probesFinished, 1)),
        static_cast<double>(stats.lagP50Us) / 1000.0, static_cast<double>(stats.lagP99Us) / 1000.0, pct(errs, 0.5),
        pct(errs, 0.99) };
}

void print(const char* name, int n, const Figures& f)
{
    std::printf("%-8s N=%-5d probes=%-7lld cpu/probe=%7.1f us  lag p50=%6.2f ms p99=%6.2f ms  "
                "latency error median=%6.2f ms p99=%6.2f ms\n",
        name, n, static_cast<long long>(f.probes), f.cpuUsPerProbe, f.lagP50Ms, f.lagP99Ms, f.errMedianMs, f.errP99Ms);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    const QCommandLineOption serveOpt(
        QStringLiteral("serve"), QStringLiteral("simulator mode"), QStringLiteral("ports"));
    const QCommandLineOption secondsOpt(
        QStringLiteral("seconds"), QStringLiteral("per phase"), QStringLiteral("s"), QStringLiteral("30"));
    const QCommandLineOption nOpt(
        QStringLiteral("endpoints"), QStringLiteral("counts"), QStringLiteral("n"), QStringLiteral("100,1000"));
    const QCommandLineOption politeOpt(QStringLiteral("polite"),
        QStringLiteral("Polite-probing comparison: 1,000 endpoints, 10 % answering 429 with Retry-After"));
    const QCommandLineOption delayOpt(
        QStringLiteral("delay"), QStringLiteral("injected ms"), QStringLiteral("ms"), QStringLiteral("5"));
    p.addOptions({ serveOpt, secondsOpt, nOpt, delayOpt, politeOpt });
    p.process(app);

    if (p.isSet(serveOpt))
        return bench::serveSimulator(p.value(serveOpt).toInt());

    QProcess server;
    const QList<QUrl> bases = bench::startSimulatorProcess(server, 32);
    if (bases.isEmpty()) {
        std::fprintf(stderr, "bench_engine: the simulator process did not start\n");
        return 1;
    }
    const int seconds = p.value(secondsOpt).toInt();
    const int delay = p.value(delayOpt).toInt();
    std::printf("simulator: separate process, %lld ports; %d s per phase; injected delay %d ms\n",
        static_cast<long long>(bases.size()), seconds, delay);
    if (p.isSet(politeOpt)) {
        QList<QUrl> urls = urlsFor(bases, 1000, delay);
        for (int i = 0; i < urls.size(); i += 10)
            urls[i].setPath(QStringLiteral("/throttle/always")); // 429 with Retry-After: 3
        ProbeScheduler::Options naive;
        naive.politeness = false;
        naive.retries = false;
        qint64 naiveAttempts = 0;
        qint64 politeAttempts = 0;
        const Figures n = runEngine(urls, seconds, delay, naive, &naiveAttempts);
        const Figures q = runEngine(urls, seconds, delay, {}, &politeAttempts);
        const double perMinute = 60.0 / seconds;
        std::printf("naive    requests/min=%.0f  lag p99=%.2f ms\n", static_cast<double>(naiveAttempts) * perMinute,
            n.lagP99Ms);
        std::printf("polite   requests/min=%.0f  lag p99=%.2f ms  (%.1f %% fewer requests)\n",
            static_cast<double>(politeAttempts) * perMinute, q.lagP99Ms,
            100.0
                * (1.0
                    - static_cast<double>(politeAttempts) / static_cast<double>(std::max<qint64>(naiveAttempts, 1))));
        server.terminate();
        server.waitForFinished(3000);
        return 0;
    }
    for (const QString& nText : p.value(nOpt).split(u',')) {
        const int n = nText.toInt();
        const QList<QUrl> urls = urlsFor(bases, n, delay);
        const Figures bare = runBare(urls, seconds, delay);
        print("bare", n, bare);
        const Figures eng = runEngine(urls, seconds, delay);
        print("engine", n, eng);
        std::printf("ratio    N=%-5d engine/bare cpu per probe = %.2f\n", n, eng.cpuUsPerProbe / bare.cpuUsPerProbe);
        std::fflush(stdout);
    }
    server.terminate();
    server.waitForFinished(3000);
    return 0;
}
