// SPDX-License-Identifier: GPL-3.0-or-later
// Engine benchmark (see docs/PERFORMANCE.md, generated from this program's JSON lines by tools/perf-report.py):
// N endpoints at a 1 s interval against a loopback server (the simulator in a separate process, or the
// servers given with --urls, e.g. nginx), three probers measured side by side in one process and run:
//  - bare:   a bare QNetworkAccessManager loop (one precise timer per endpoint, the same per-host cap of 4 as
//            the engine, no classification);
//  - engine: the engine at its shipped defaults (the global cap from the config, per-host cap 4, the default
//            transport), and engine-qt / engine-curl: the same on the other transport (`transport` in the
//            config; the one that is not the default), so both transports are measured side by side;
//  - curl:   the floor, curl with keep-alive (--parallel) fetching as many URLs, CPU per request.
// Every prober runs --reps times, interleaved, the order rotated each repetition; the report gives min and
// median. Latency is timed from the same point for the bare loop and the engine: when the request is
// handed to Qt, with at most 4 in flight per host (the engine's transport queues beyond that, and so does
// the bare loop now); lag is from the planned time to that point, per-host waits included, for both.
// --over-cap adds the over-the-cap regime of issue 12: the same endpoints with `limits.maxProbesPerSecond` at a
// fifth of their demand (200/s for 1,000 endpoints at 1 s), so every interval is stretched ×5.
// Usage: bench_engine [--seconds S] [--endpoints N[,N...]] [--delay MS] [--reps R] [--urls U[,U...]]
//                     [--no-curl] [--over-cap] [--json FILE]
//        bench_engine --polite [--seconds S] [--json FILE]
//        bench_engine --serve PORTS   (the simulator process; started by the benchmark itself)
#include "BenchSimulator.h"
#include "schedule/Engine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTemporaryFile>
#include <QTimer>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

using namespace sd;

namespace {

double cpuSeconds(int who = RUSAGE_SELF)
{
    rusage u {};
    getrusage(who, &u);
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
    qint64 perEndpointMin = 0, perEndpointMax = 0; ///< probes started per endpoint in the phase
    qint64 neverProbed = 0;
    double gapP50Ms = 0, gapP99Ms = 0, gapMaxMs = 0; ///< between consecutive probes of one endpoint
    double closeFraction = 0; ///< consecutive probes of one endpoint less than 100 ms apart
    double intervalFactor = 1, maxProbesPerSecond = 0, demandPerSecond = 0;
};

/// Per-endpoint probe start times (ms on one clock) → counts and gaps.
void addCadence(Figures& f, const std::vector<std::vector<double>>& startsMs)
{
    std::vector<double> gaps;
    qint64 close = 0;
    f.perEndpointMin = std::numeric_limits<qint64>::max();
    for (const auto& starts : startsMs) {
        const auto n = static_cast<qint64>(starts.size());
        f.perEndpointMin = std::min(f.perEndpointMin, n);
        f.perEndpointMax = std::max(f.perEndpointMax, n);
        f.neverProbed += n == 0 ? 1 : 0;
        for (std::size_t i = 1; i < starts.size(); ++i) {
            gaps.push_back(starts[i] - starts[i - 1]);
            close += starts[i] - starts[i - 1] < 100.0 ? 1 : 0;
        }
    }
    if (startsMs.empty())
        f.perEndpointMin = 0;
    f.gapP50Ms = pct(gaps, 0.5);
    f.gapP99Ms = pct(gaps, 0.99);
    f.gapMaxMs = gaps.empty() ? 0 : *std::max_element(gaps.begin(), gaps.end());
    f.closeFraction = gaps.empty() ? 0 : static_cast<double>(close) / static_cast<double>(gaps.size());
}

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

void waitMs(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

Figures runBare(const QList<QUrl>& urls, int seconds, int delayMs)
{
    constexpr int kPerHost = 4; // as the engine's transport: Qt's own queue (6 per host) never inflates latency
    QNetworkAccessManager nam;
    std::vector<double> lags, errs;
    std::vector<std::vector<double>> starts(static_cast<std::size_t>(urls.size()));
    std::vector<std::unique_ptr<QTimer>> timers;
    struct Pending {
        int index;
        double plannedMs;
    };
    QHash<QString, int> inFlight;
    QHash<QString, std::deque<Pending>> waiting;
    QElapsedTimer clock;
    clock.start();
    qint64 probes = 0;
    bool running = true;
    const int n = static_cast<int>(urls.size());
    std::function<void(const Pending&)> send = [&](const Pending& p) {
        const QUrl& url = urls.at(p.index);
        const QString host = url.authority();
        ++inFlight[host];
        const double sentMs = static_cast<double>(clock.nsecsElapsed()) / 1e6;
        lags.push_back(sentMs - p.plannedMs);
        starts[static_cast<std::size_t>(p.index)].push_back(sentMs);
        QNetworkReply* r = nam.get(QNetworkRequest(url));
        QObject::connect(r, &QNetworkReply::finished, &nam, [&, r, sentMs, host] {
            errs.push_back(static_cast<double>(clock.nsecsElapsed()) / 1e6 - sentMs - delayMs);
            r->readAll();
            r->deleteLater();
            ++probes;
            --inFlight[host];
            auto& queue = waiting[host];
            if (running && !queue.empty()) {
                const Pending next = queue.front();
                queue.pop_front();
                send(next);
            }
        });
    };
    const double cpu0 = cpuSeconds();
    for (int i = 0; i < n; ++i) {
        auto t = std::make_unique<QTimer>();
        t->setTimerType(Qt::PreciseTimer);
        const qint64 offset = static_cast<qint64>(i) * 1000 / n;
        auto planned = std::make_shared<qint64>(offset);
        QObject::connect(t.get(), &QTimer::timeout, &nam, [&, planned, i, tp = t.get()] {
            const Pending p { i, static_cast<double>(*planned) };
            *planned += 1000;
            tp->start(static_cast<int>(std::max<qint64>(0, *planned - clock.elapsed())));
            const QString host = urls.at(i).authority();
            if (inFlight.value(host) < kPerHost)
                send(p);
            else
                waiting[host].push_back(p);
        });
        t->setSingleShot(true);
        t->start(static_cast<int>(offset));
        timers.push_back(std::move(t));
    }
    waitMs(seconds * 1000);
    running = false;
    timers.clear();
    const double cpu = cpuSeconds() - cpu0;
    waitMs(300);
    Figures f { probes, cpu * 1e6 / static_cast<double>(std::max<qint64>(probes, 1)), pct(lags, 0.5), pct(lags, 0.99),
        pct(errs, 0.5), pct(errs, 0.99) };
    addCadence(f, starts);
    return f;
}

Figures runEngine(const QList<QUrl>& urls, int seconds, int delayMs, EngineOptions options = {},
    qint64* attempts = nullptr, std::optional<double> maxProbesPerSecond = {},
    std::optional<TransportKind> transport = {})
{
    AppConfig config;
    if (transport)
        config.transport = *transport; // unset: the shipped default
    for (int i = 0; i < urls.size(); ++i) {
        EndpointConfig e;
        e.name = QStringLiteral("e%1").arg(i);
        e.url = urls.at(i);
        e.interval = std::chrono::seconds(1);
        config.endpoints.append(e);
    }
    config.limits.maxProbesPerSecond = maxProbesPerSecond; // unset: the shipped default for this config
    Engine engine(options);
    std::vector<double> errs;
    std::vector<std::vector<double>> starts(static_cast<std::size_t>(urls.size()));
    QObject::connect(&engine, &Engine::batchReady, &engine, [&](const EngineBatch& b) {
        for (const ProbeResult& r : b.results) {
            // Latency from the request handed to Qt, as the bare loop; queue = Qt's own, if any.
            errs.push_back(r.latencyMs() - delayMs);
            if (r.endpointId >= 0 && r.endpointId < static_cast<int>(starts.size()))
                starts[static_cast<std::size_t>(r.endpointId)].push_back(
                    static_cast<double>(r.startUtc.toMSecsSinceEpoch()));
        }
    });
    const double cpu0 = cpuSeconds();
    engine.setConfig(config);
    engine.start();
    waitMs(seconds * 1000);
    const EngineStats stats = engine.stats();
    const double cpu = cpuSeconds() - cpu0;
    engine.stop();
    waitMs(300); // the last batch
    if (attempts)
        *attempts = stats.attemptsSent;
    Figures f { stats.probesFinished, cpu * 1e6 / static_cast<double>(std::max<qint64>(stats.probesFinished, 1)),
        static_cast<double>(stats.lagP50Us) / 1000.0, static_cast<double>(stats.lagP99Us) / 1000.0, pct(errs, 0.5),
        pct(errs, 0.99) };
    addCadence(f, starts);
    f.intervalFactor = stats.intervalFactor;
    f.maxProbesPerSecond = stats.maxProbesPerSecond;
    f.demandPerSecond = stats.demandPerSecond;
    return f;
}

/// The floor: curl with keep-alive fetches `requests` of the URLs (32 in parallel, connections reused) as
/// fast as it can; CPU per request is the curl process's user + system time (it is this process's child).
Figures runCurl(const QList<QUrl>& urls, qint64 requests)
{
    QTemporaryFile config;
    if (!config.open())
        return {};
    for (qint64 i = 0; i < requests; ++i) {
        config.write("url = \"" + urls.at(static_cast<qsizetype>(i % urls.size())).toEncoded() + "\"\n");
        config.write("output = \"/dev/null\"\n");
    }
    config.flush();
    const double cpu0 = cpuSeconds(RUSAGE_CHILDREN);
    QProcess curl;
    curl.start(QStringLiteral("curl"),
        { QStringLiteral("--silent"), QStringLiteral("--parallel"), QStringLiteral("--parallel-max"),
            QStringLiteral("32"), QStringLiteral("--config"), config.fileName(), QStringLiteral("--write-out"),
            QStringLiteral("%{http_code}\\n") });
    if (!curl.waitForStarted(5000))
        return {};
    curl.waitForFinished(600'000);
    const double cpu = cpuSeconds(RUSAGE_CHILDREN) - cpu0;
    const qint64 ok = curl.readAllStandardOutput().count("200\n");
    Figures f;
    f.probes = ok;
    f.cpuUsPerProbe = cpu * 1e6 / static_cast<double>(std::max<qint64>(ok, 1));
    return f;
}

QFile* g_json = nullptr;

void emitJson(QJsonObject o)
{
    o.insert(QStringLiteral("bench"), QStringLiteral("engine"));
    const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    if (g_json) {
        g_json->write(line);
        g_json->flush();
    }
}

void print(const char* name, int n, int rep, int seconds, const Figures& f)
{
    std::printf("%-8s N=%-5d rep=%d probes=%-7lld cpu/probe=%7.1f us  lag p50=%6.2f ms p99=%6.2f ms  "
                "latency error median=%6.2f ms p99=%6.2f ms  per endpoint %lld-%lld (never %lld)  gap p99=%.0f ms "
                "max=%.0f ms  <100ms %.1f %%\n",
        name, n, rep, static_cast<long long>(f.probes), f.cpuUsPerProbe, f.lagP50Ms, f.lagP99Ms, f.errMedianMs,
        f.errP99Ms, static_cast<long long>(f.perEndpointMin), static_cast<long long>(f.perEndpointMax),
        static_cast<long long>(f.neverProbed), f.gapP99Ms, f.gapMaxMs, 100.0 * f.closeFraction);
    std::fflush(stdout);
    emitJson({ { QStringLiteral("phase"), QString::fromLatin1(name) }, { QStringLiteral("n"), n },
        { QStringLiteral("rep"), rep }, { QStringLiteral("seconds"), seconds },
        { QStringLiteral("probes"), static_cast<double>(f.probes) },
        { QStringLiteral("cpuUsPerProbe"), f.cpuUsPerProbe }, { QStringLiteral("lagP50Ms"), f.lagP50Ms },
        { QStringLiteral("lagP99Ms"), f.lagP99Ms }, { QStringLiteral("errMedianMs"), f.errMedianMs },
        { QStringLiteral("errP99Ms"), f.errP99Ms },
        { QStringLiteral("perEndpointMin"), static_cast<double>(f.perEndpointMin) },
        { QStringLiteral("perEndpointMax"), static_cast<double>(f.perEndpointMax) },
        { QStringLiteral("neverProbed"), static_cast<double>(f.neverProbed) },
        { QStringLiteral("gapP50Ms"), f.gapP50Ms }, { QStringLiteral("gapP99Ms"), f.gapP99Ms },
        { QStringLiteral("gapMaxMs"), f.gapMaxMs }, { QStringLiteral("closeFraction"), f.closeFraction },
        { QStringLiteral("intervalFactor"), f.intervalFactor },
        { QStringLiteral("maxProbesPerSecond"), f.maxProbesPerSecond },
        { QStringLiteral("demandPerSecond"), f.demandPerSecond } });
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
    const QCommandLineOption repsOpt(
        QStringLiteral("reps"), QStringLiteral("interleaved repetitions"), QStringLiteral("r"), QStringLiteral("3"));
    const QCommandLineOption urlsOpt(QStringLiteral("urls"),
        QStringLiteral("base URLs of an external loopback server (nginx) instead of the simulator"),
        QStringLiteral("urls"));
    const QCommandLineOption noCurlOpt(QStringLiteral("no-curl"), QStringLiteral("skip the curl floor"));
    const QCommandLineOption overCapOpt(
        QStringLiteral("over-cap"), QStringLiteral("also run the engine with limits.maxProbesPerSecond = N / 5"));
    const QCommandLineOption jsonOpt(
        QStringLiteral("json"), QStringLiteral("append JSON lines to this file"), QStringLiteral("file"));
    p.addOptions({ serveOpt, secondsOpt, nOpt, delayOpt, politeOpt, repsOpt, urlsOpt, noCurlOpt, overCapOpt, jsonOpt });
    p.process(app);

    if (p.isSet(serveOpt))
        return bench::serveSimulator(p.value(serveOpt).toInt());
    qunsetenv("SIGNALDECK_TRANSPORT"); // the config decides, per phase

    QFile json(p.value(jsonOpt));
    if (p.isSet(jsonOpt)) {
        if (!json.open(QIODevice::Append | QIODevice::Text)) {
            std::fprintf(stderr, "bench_engine: cannot write %s\n", qPrintable(json.fileName()));
            return 1;
        }
        g_json = &json;
    }
    QProcess server;
    QList<QUrl> bases;
    int delay = p.value(delayOpt).toInt();
    QString serverName = QStringLiteral("simulator");
    if (p.isSet(urlsOpt)) {
        for (const QString& u : p.value(urlsOpt).split(u',', Qt::SkipEmptyParts))
            bases.append(QUrl(u));
        delay = 0; // a plain server answers at once: the latency error is the latency
        serverName = QStringLiteral("external");
    } else {
        bases = bench::startSimulatorProcess(server, 32);
    }
    if (bases.isEmpty()) {
        std::fprintf(stderr, "bench_engine: no server (the simulator process did not start)\n");
        return 1;
    }
    const int seconds = p.value(secondsOpt).toInt();
    const int reps = std::max(1, p.value(repsOpt).toInt());
    std::printf("server: %s, %lld ports; %d s per phase; injected delay %d ms; %d repetitions, order rotated\n",
        qPrintable(serverName), static_cast<long long>(bases.size()), seconds, delay, reps);
    emitJson({ { QStringLiteral("phase"), QStringLiteral("setup") }, { QStringLiteral("server"), serverName },
        { QStringLiteral("ports"), static_cast<int>(bases.size()) }, { QStringLiteral("seconds"), seconds },
        { QStringLiteral("delayMs"), delay }, { QStringLiteral("reps"), reps },
        { QStringLiteral("defaultTransport"),
            AppConfig {}.transport == TransportKind::Curl ? QStringLiteral("curl") : QStringLiteral("qt") } });
    if (p.isSet(politeOpt)) {
        QList<QUrl> urls = urlsFor(bases, 1000, delay);
        for (int i = 0; i < urls.size(); i += 10)
            urls[i].setPath(QStringLiteral("/throttle/always")); // 429 with Retry-After: 3
        EngineOptions naive;
        naive.politeness = false;
        naive.retries = false;
        for (int rep = 0; rep < reps; ++rep) {
            qint64 naiveAttempts = 0;
            qint64 politeAttempts = 0;
            Figures n;
            Figures q;
            if (rep % 2 == 0) {
                n = runEngine(urls, seconds, delay, naive, &naiveAttempts);
                q = runEngine(urls, seconds, delay, {}, &politeAttempts);
            } else {
                q = runEngine(urls, seconds, delay, {}, &politeAttempts);
                n = runEngine(urls, seconds, delay, naive, &naiveAttempts);
            }
            const double perMinute = 60.0 / seconds;
            std::printf("rep %d naive requests/min=%.0f lag p99=%.2f ms; polite requests/min=%.0f lag p99=%.2f ms\n",
                rep, static_cast<double>(naiveAttempts) * perMinute, n.lagP99Ms,
                static_cast<double>(politeAttempts) * perMinute, q.lagP99Ms);
            emitJson({ { QStringLiteral("phase"), QStringLiteral("polite") }, { QStringLiteral("rep"), rep },
                { QStringLiteral("seconds"), seconds },
                { QStringLiteral("naivePerMinute"), static_cast<double>(naiveAttempts) * perMinute },
                { QStringLiteral("politePerMinute"), static_cast<double>(politeAttempts) * perMinute },
                { QStringLiteral("naiveLagP99Ms"), n.lagP99Ms }, { QStringLiteral("politeLagP99Ms"), q.lagP99Ms } });
        }
        server.terminate();
        server.waitForFinished(3000);
        return 0;
    }
    const TransportKind otherKind
        = AppConfig {}.transport == TransportKind::Curl ? TransportKind::Qt : TransportKind::Curl;
    const char* otherPhase = otherKind == TransportKind::Curl ? "engine-curl" : "engine-qt";
    for (const QString& nText : p.value(nOpt).split(u',')) {
        const int n = nText.toInt();
        const QList<QUrl> urls = urlsFor(bases, n, delay);
        std::vector<std::function<void(int)>> phases {
            [&](int rep) { print("bare", n, rep, seconds, runBare(urls, seconds, delay)); },
            [&](int rep) { print("engine", n, rep, seconds, runEngine(urls, seconds, delay)); },
            [&](int rep) {
                print(otherPhase, n, rep, seconds, runEngine(urls, seconds, delay, {}, nullptr, {}, otherKind));
            },
        };
        if (!p.isSet(noCurlOpt))
            phases.push_back([&](int rep) { print("curl", n, rep, seconds, runCurl(urls, qint64(n) * seconds)); });
        if (p.isSet(overCapOpt))
            phases.push_back([&](int rep) {
                print("overcap", n, rep, seconds, runEngine(urls, seconds, delay, {}, nullptr, n / 5.0));
            });
        for (int rep = 0; rep < reps; ++rep) {
            for (std::size_t k = 0; k < phases.size(); ++k)
                phases[(k + static_cast<std::size_t>(rep)) % phases.size()](rep);
        }
    }
    server.terminate();
    server.waitForFinished(3000);
    return 0;
}
