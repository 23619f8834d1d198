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
// --peer adds the peer: Prometheus scraping prometheus-blackbox-exporter's /probe (module http_2xx) for the same
// URLs, one job of N targets (file_sd) at scrape_interval 1 s, scrape_timeout 900 ms; its CPU is both processes'
// user + system time from /proc/PID/stat over the measured span, its probes the probe_success samples Prometheus
// stored in that span (a scrape that timed out stores none), its peak RSS the sum of both VmHWM.
// Every phase runs in a fresh child process (this program with --phase), so each has its own peak RSS
// (VmHWM of the process that probed; curl's and the peer's from their own processes) and no phase inherits
// another's heap, connections or threads.
// Usage: bench_engine [--seconds S] [--endpoints N[,N...]] [--delay MS] [--reps R] [--urls U[,U...]]
//                     [--no-curl] [--over-cap] [--peer] [--json FILE]
//        bench_engine --polite [--seconds S] [--json FILE]
//        bench_engine --serve PORTS   (the simulator process; started by the benchmark itself)
#include "BenchSimulator.h"
#include "schedule/Engine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTimer>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <utility>
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
    double peakRssKb = 0; ///< VmHWM of the process(es) that probed
    qint64 scrapes = -1, okProbes = -1; ///< the peer: scrapes Prometheus attempted, probes that succeeded
    bool timed = true; ///< lag, latency error and gaps measured (not for curl and the peer)
    qint64 serverRequests = -1; ///< requests nginx answered in the measured span (--server-status), -1: unknown
    double cpuSeconds = 0; ///< the prober's CPU over the measured span
};

QJsonObject toJson(const Figures& f)
{
    return { { QStringLiteral("probes"), static_cast<double>(f.probes) },
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
        { QStringLiteral("demandPerSecond"), f.demandPerSecond }, { QStringLiteral("peakRssKb"), f.peakRssKb },
        { QStringLiteral("scrapes"), static_cast<double>(f.scrapes) },
        { QStringLiteral("okProbes"), static_cast<double>(f.okProbes) }, { QStringLiteral("timed"), f.timed },
        { QStringLiteral("serverRequests"), static_cast<double>(f.serverRequests) },
        { QStringLiteral("cpuSeconds"), f.cpuSeconds } };
}

Figures fromJson(const QJsonObject& o)
{
    Figures f;
    auto i64 = [&o](const char* key) { return static_cast<qint64>(o.value(QLatin1String(key)).toDouble()); };
    auto dbl = [&o](const char* key) { return o.value(QLatin1String(key)).toDouble(); };
    f.probes = i64("probes");
    f.cpuUsPerProbe = dbl("cpuUsPerProbe");
    f.lagP50Ms = dbl("lagP50Ms");
    f.lagP99Ms = dbl("lagP99Ms");
    f.errMedianMs = dbl("errMedianMs");
    f.errP99Ms = dbl("errP99Ms");
    f.perEndpointMin = i64("perEndpointMin");
    f.perEndpointMax = i64("perEndpointMax");
    f.neverProbed = i64("neverProbed");
    f.gapP50Ms = dbl("gapP50Ms");
    f.gapP99Ms = dbl("gapP99Ms");
    f.gapMaxMs = dbl("gapMaxMs");
    f.closeFraction = dbl("closeFraction");
    f.intervalFactor = dbl("intervalFactor");
    f.maxProbesPerSecond = dbl("maxProbesPerSecond");
    f.demandPerSecond = dbl("demandPerSecond");
    f.peakRssKb = dbl("peakRssKb");
    f.scrapes = i64("scrapes");
    f.okProbes = i64("okProbes");
    f.timed = o.value(QStringLiteral("timed")).toBool(true);
    f.serverRequests = o.contains(QStringLiteral("serverRequests")) ? i64("serverRequests") : -1;
    f.cpuSeconds = dbl("cpuSeconds");
    return f;
}

/// A field of /proc/PID/status in kB (VmHWM: the peak resident set), 0 when unreadable.
double procStatusKb(const QString& pid, const char* field)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toDouble();
    }
    return 0;
}

/// User + system CPU seconds of a process (all its threads, not its children) from /proc/PID/stat.
double procCpuSeconds(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = f.readAll();
    // Fields after the command name (which may hold spaces), from field 3 on: utime is field 14, stime 15.
    const QList<QByteArray> rest = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (rest.size() < 13)
        return 0;
    return (rest.at(11).toDouble() + rest.at(12).toDouble()) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// GET (or, with a form body, POST) on loopback with a deadline; empty on any failure.
QByteArray httpRequest(QNetworkAccessManager& nam, const QUrl& url, const QByteArray& form = {})
{
    QNetworkRequest request(url);
    request.setTransferTimeout(10'000);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-www-form-urlencoded"));
    QNetworkReply* reply = form.isEmpty() ? nam.get(request) : nam.post(request, form);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    reply->deleteLater();
    return reply->error() == QNetworkReply::NoError ? reply->readAll() : QByteArray();
}

QUrl g_serverStatus; ///< nginx's stub_status (--server-status), to count the requests it answered

/// Requests the server has answered so far (nginx's stub_status counter), -1 when unknown. The read itself is
/// one request: a span's count is after - before - 1.
qint64 serverRequests()
{
    if (g_serverStatus.isEmpty())
        return -1;
    QNetworkAccessManager nam;
    const QList<QByteArray> lines = httpRequest(nam, g_serverStatus).split('\n');
    // "Active connections: 1", "server accepts handled requests", " 12 12 34", ...
    const QList<QByteArray> counts = lines.value(2).simplified().split(' ');
    bool ok = false;
    const qint64 n = counts.value(2).toLongLong(&ok);
    return ok ? n : -1;
}

qint64 servedBetween(qint64 before, qint64 after)
{
    return before < 0 || after < 0 ? -1 : after - before - 1;
}

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
    const qint64 served0 = serverRequests();
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
    const qint64 served1 = serverRequests();
    waitMs(300);
    Figures f { probes, cpu * 1e6 / static_cast<double>(std::max<qint64>(probes, 1)), pct(lags, 0.5), pct(lags, 0.99),
        pct(errs, 0.5), pct(errs, 0.99) };
    addCadence(f, starts);
    f.serverRequests = servedBetween(served0, served1);
    f.cpuSeconds = cpu;
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
    Engine engine(std::move(options));
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
    const qint64 served0 = serverRequests();
    const double cpu0 = cpuSeconds();
    engine.setConfig(config);
    engine.start();
    waitMs(seconds * 1000);
    const EngineStats stats = engine.stats();
    const double cpu = cpuSeconds() - cpu0;
    const qint64 served1 = serverRequests();
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
    f.serverRequests = servedBetween(served0, served1);
    f.cpuSeconds = cpu;
    return f;
}

/// The floor: curl with keep-alive fetches `requests` of the URLs (32 in parallel, connections reused) as
/// fast as it can; CPU per request and peak RSS are the curl process's own (wait4's rusage).
Figures runCurl(const QList<QUrl>& urls, qint64 requests)
{
    QTemporaryFile config;
    QTemporaryFile codes;
    if (!config.open() || !codes.open())
        return {};
    for (qint64 i = 0; i < requests; ++i) {
        config.write("url = \"" + urls.at(static_cast<qsizetype>(i % urls.size())).toEncoded() + "\"\n");
        config.write("output = \"/dev/null\"\n");
    }
    config.flush();
    const QByteArray configPath = config.fileName().toLocal8Bit();
    const QByteArray codesPath = codes.fileName().toLocal8Bit();
    std::vector<QByteArray> args { "curl", "--silent", "--parallel", "--parallel-max", "32", "--config", configPath,
        "--write-out", "%{http_code}\\n" };
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (QByteArray& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, codesPath.constData(), O_WRONLY | O_TRUNC, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0); // --parallel's progress meter
    pid_t pid = 0;
    const qint64 served0 = serverRequests();
    const int spawned = posix_spawnp(&pid, "curl", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        std::fprintf(stderr, "bench_engine: cannot run curl\n");
        return {};
    }
    int status = 0;
    rusage u {};
    wait4(pid, &status, 0, &u);
    const qint64 served1 = serverRequests();
    const double cpu = static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
        + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    QFile out(codes.fileName());
    const qint64 ok = out.open(QIODevice::ReadOnly) ? out.readAll().count("200\n") : 0;
    Figures f;
    f.probes = ok;
    f.cpuUsPerProbe = cpu * 1e6 / static_cast<double>(std::max<qint64>(ok, 1));
    f.peakRssKb = static_cast<double>(u.ru_maxrss);
    f.timed = false;
    f.serverRequests = servedBetween(served0, served1);
    f.cpuSeconds = cpu;
    return f;
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

/// An instant PromQL query at `atMs` (default: now): the vector's values; nullopt when the query failed.
std::optional<std::vector<double>> promQuery(
    QNetworkAccessManager& nam, quint16 port, const QString& promql, std::optional<qint64> atMs = {})
{
    QByteArray form = "query=" + QUrl::toPercentEncoding(promql);
    if (atMs)
        form += "&time=" + QByteArray::number(static_cast<double>(*atMs) / 1000.0, 'f', 3);
    const QUrl url(QStringLiteral("http://127.0.0.1:%1/api/v1/query").arg(port));
    const QJsonObject o = QJsonDocument::fromJson(httpRequest(nam, url, form)).object();
    if (o.value(QStringLiteral("status")).toString() != QStringLiteral("success"))
        return std::nullopt;
    std::vector<double> values;
    for (const auto& v : o.value(QStringLiteral("data")).toObject().value(QStringLiteral("result")).toArray())
        values.push_back(v.toObject().value(QStringLiteral("value")).toArray().at(1).toString().toDouble());
    return values;
}

/// The peer: prometheus-blackbox-exporter probing the URLs for Prometheus, one scrape job of N targets
/// relabelled to blackbox's /probe (module http_2xx), scrape_interval 1 s, scrape_timeout 900 ms. Measured
/// once every target has been scraped (Prometheus applies discovered targets in 5 s steps): `seconds` of
/// both processes' CPU from /proc, the probe_success samples stored in that span, and both peak RSS.
Figures runPeer(const QList<QUrl>& urls, int seconds)
{
    const QString prometheus = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
    const QString blackbox = QStandardPaths::findExecutable(QStringLiteral("prometheus-blackbox-exporter"));
    if (prometheus.isEmpty() || blackbox.isEmpty()) {
        std::fprintf(stderr,
            "bench_engine: --peer needs prometheus and prometheus-blackbox-exporter "
            "(Debian packages of those names)\n");
        return {};
    }
    QTemporaryDir dir;
    const quint16 bbPort = freePort();
    const quint16 promPort = freePort();
    auto write = [&dir](const QString& name, const QByteArray& text) {
        QFile f(dir.filePath(name));
        return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
    };
    QJsonArray targets;
    for (const QUrl& u : urls)
        targets.append(QString::fromUtf8(u.toEncoded()));
    const QJsonArray sd { QJsonObject { { QStringLiteral("targets"), targets } } };
    const bool written = write(QStringLiteral("blackbox.yml"),
                             "modules:\n  http_2xx:\n    prober: http\n    timeout: 900ms\n    http:\n"
                             "      preferred_ip_protocol: ip4\n")
        && write(QStringLiteral("targets.json"), QJsonDocument(sd).toJson(QJsonDocument::Compact))
        && write(QStringLiteral("prometheus.yml"),
            QStringLiteral("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n  evaluation_interval: 1m\n"
                           "scrape_configs:\n  - job_name: blackbox\n    metrics_path: /probe\n"
                           "    params:\n      module: [http_2xx]\n    file_sd_configs:\n"
                           "      - files: ['%1']\n        refresh_interval: 1h\n    relabel_configs:\n"
                           "      - source_labels: [__address__]\n        target_label: __param_target\n"
                           "      - source_labels: [__param_target]\n        target_label: instance\n"
                           "      - target_label: __address__\n        replacement: 127.0.0.1:%2\n")
                .arg(dir.filePath(QStringLiteral("targets.json")))
                .arg(bbPort)
                .toUtf8());
    if (!written)
        return {};
    QProcess bb;
    QProcess prom;
    bb.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    prom.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    bb.setStandardOutputFile(QProcess::nullDevice());
    prom.setStandardOutputFile(QProcess::nullDevice());
    bb.start(blackbox,
        { QStringLiteral("--config.file=%1").arg(dir.filePath(QStringLiteral("blackbox.yml"))),
            QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(bbPort), QStringLiteral("--log.level=error") });
    prom.start(prometheus,
        { QStringLiteral("--config.file=%1").arg(dir.filePath(QStringLiteral("prometheus.yml"))),
            QStringLiteral("--storage.tsdb.path=%1").arg(dir.filePath(QStringLiteral("data"))),
            QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(promPort), QStringLiteral("--log.level=error") });
    auto stop = [&] {
        for (QProcess* p : { &prom, &bb }) {
            p->terminate();
            if (!p->waitForFinished(10'000))
                p->kill();
            p->waitForFinished(3000);
        }
    };
    if (!bb.waitForStarted(5000) || !prom.waitForStarted(5000)) {
        std::fprintf(stderr, "bench_engine: the peer did not start\n");
        stop();
        return {};
    }
    QNetworkAccessManager nam;
    // Every target scraped at least once, within 60 s.
    const QString all = QStringLiteral("count(count_over_time(up{job=\"blackbox\"}[1h]))");
    QElapsedTimer waited;
    waited.start();
    for (;;) {
        const auto seen = promQuery(nam, promPort, all);
        if (seen && !seen->empty() && seen->front() >= static_cast<double>(urls.size()))
            break;
        if (waited.elapsed() > 60'000) {
            std::fprintf(stderr, "bench_engine: the peer did not scrape every target within 60 s\n");
            stop();
            return {};
        }
        waitMs(250);
    }
    const qint64 served0 = serverRequests();
    const qint64 t0 = QDateTime::currentMSecsSinceEpoch();
    const double cpu0 = procCpuSeconds(bb.processId()) + procCpuSeconds(prom.processId());
    waitMs(seconds * 1000);
    const qint64 t1 = QDateTime::currentMSecsSinceEpoch();
    const double cpu = procCpuSeconds(bb.processId()) + procCpuSeconds(prom.processId()) - cpu0;
    const qint64 served1 = serverRequests();
    Figures f;
    f.serverRequests = servedBetween(served0, served1);
    f.cpuSeconds = cpu;
    f.timed = false;
    f.peakRssKb = procStatusKb(QString::number(bb.processId()), "VmHWM")
        + procStatusKb(QString::number(prom.processId()), "VmHWM");
    waitMs(1500); // the scrapes started before t1 are stored
    const QString range = QStringLiteral("[%1ms]").arg(t1 - t0);
    const auto counts
        = promQuery(nam, promPort, QStringLiteral("count_over_time(probe_success{job=\"blackbox\"}%1)").arg(range), t1);
    const auto ok = promQuery(
        nam, promPort, QStringLiteral("sum(sum_over_time(probe_success{job=\"blackbox\"}%1))").arg(range), t1);
    const auto scrapes
        = promQuery(nam, promPort, QStringLiteral("sum(count_over_time(up{job=\"blackbox\"}%1))").arg(range), t1);
    stop();
    if (!counts) {
        std::fprintf(stderr, "bench_engine: the peer's Prometheus did not answer the count query\n");
        return f;
    }
    f.perEndpointMin = counts->size() < static_cast<std::size_t>(urls.size()) ? 0 : std::numeric_limits<qint64>::max();
    for (const double c : *counts) {
        f.probes += static_cast<qint64>(c);
        f.perEndpointMin = std::min(f.perEndpointMin, static_cast<qint64>(c));
        f.perEndpointMax = std::max(f.perEndpointMax, static_cast<qint64>(c));
    }
    if (counts->empty())
        f.perEndpointMin = 0;
    f.neverProbed = static_cast<qint64>(urls.size()) - static_cast<qint64>(counts->size());
    f.okProbes = ok && !ok->empty() ? static_cast<qint64>(ok->front()) : 0;
    f.scrapes = scrapes && !scrapes->empty() ? static_cast<qint64>(scrapes->front()) : 0;
    f.cpuUsPerProbe = f.probes > 0 ? cpu * 1e6 / static_cast<double>(f.probes) : 0; // 0: no figure
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

void print(const QString& name, int n, int rep, int seconds, const Figures& f)
{
    std::printf("%-11s N=%-5d rep=%d probes=%-7lld (of %lld) cpu/probe=%7.1f us  peak RSS=%6.1f MB", qPrintable(name),
        n, rep, static_cast<long long>(f.probes), static_cast<long long>(n) * seconds, f.cpuUsPerProbe,
        f.peakRssKb / 1024.0);
    if (f.timed)
        std::printf("  lag p50=%6.2f ms p99=%6.2f ms  latency error median=%6.2f ms p99=%6.2f ms  gap p99=%.0f ms "
                    "max=%.0f ms  <100ms %.1f %%",
            f.lagP50Ms, f.lagP99Ms, f.errMedianMs, f.errP99Ms, f.gapP99Ms, f.gapMaxMs, 100.0 * f.closeFraction);
    if (f.timed || f.scrapes >= 0)
        std::printf("  per endpoint %lld-%lld (never %lld)", static_cast<long long>(f.perEndpointMin),
            static_cast<long long>(f.perEndpointMax), static_cast<long long>(f.neverProbed));
    if (f.scrapes >= 0)
        std::printf("  scrapes=%lld ok=%lld", static_cast<long long>(f.scrapes), static_cast<long long>(f.okProbes));
    if (f.serverRequests >= 0)
        std::printf("  nginx answered %lld", static_cast<long long>(f.serverRequests));
    std::printf("\n");
    std::fflush(stdout);
    QJsonObject o = toJson(f);
    o.insert(QStringLiteral("phase"), name);
    o.insert(QStringLiteral("n"), n);
    o.insert(QStringLiteral("rep"), rep);
    o.insert(QStringLiteral("seconds"), seconds);
    emitJson(o);
}

/// One phase in this process (the child side of --phase): its figures, peak RSS included.
Figures runPhase(const QString& phase, const QList<QUrl>& urls, int seconds, int delay)
{
    const TransportKind otherKind
        = AppConfig {}.transport == TransportKind::Curl ? TransportKind::Qt : TransportKind::Curl;
    const int n = static_cast<int>(urls.size());
    Figures f;
    if (phase == u"curl")
        return runCurl(urls, qint64(n) * seconds);
    if (phase == u"peer")
        return runPeer(urls, seconds);
    if (phase == u"bare")
        f = runBare(urls, seconds, delay);
    else if (phase == u"engine")
        f = runEngine(urls, seconds, delay);
    else if (phase == u"engine-qt" || phase == u"engine-curl")
        f = runEngine(urls, seconds, delay, {}, nullptr, {}, otherKind);
    else if (phase == u"overcap")
        f = runEngine(urls, seconds, delay, {}, nullptr, n / 5.0);
    else
        std::fprintf(stderr, "bench_engine: unknown phase %s\n", qPrintable(phase));
    f.peakRssKb = procStatusKb(QStringLiteral("self"), "VmHWM");
    return f;
}

/// The parent side: runs one phase in a fresh child process (this program with --phase) and returns what
/// it printed; probes = 0 when the child failed.
Figures runChild(const QString& phase, const QList<QUrl>& bases, int n, int seconds, int delay)
{
    QStringList urls;
    for (const QUrl& u : bases)
        urls.append(QString::fromUtf8(u.toEncoded()));
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QStringList args { QStringLiteral("--phase"), phase, QStringLiteral("--endpoints"), QString::number(n),
        QStringLiteral("--seconds"), QString::number(seconds), QStringLiteral("--delay"), QString::number(delay),
        QStringLiteral("--urls"), urls.join(u',') };
    if (!g_serverStatus.isEmpty())
        args << QStringLiteral("--server-status") << g_serverStatus.toString();
    child.start(QCoreApplication::applicationFilePath(), args);
    // A phase takes `seconds` plus set-up (the peer: up to 60 s until every target is scraped; curl: as long
    // as it takes); a child alive after 10 minutes more is stuck.
    if (!child.waitForFinished((seconds + 600) * 1000)) {
        std::fprintf(stderr, "bench_engine: phase %s did not finish; killed\n", qPrintable(phase));
        child.kill();
        child.waitForFinished(3000);
        return {};
    }
    for (const QByteArray& line : child.readAllStandardOutput().split('\n')) {
        if (line.startsWith("FIGURES "))
            return fromJson(QJsonDocument::fromJson(line.mid(8)).object());
    }
    std::fprintf(
        stderr, "bench_engine: phase %s printed no figures (exit code %d)\n", qPrintable(phase), child.exitCode());
    return {};
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
    const QCommandLineOption peerOpt(QStringLiteral("peer"),
        QStringLiteral("also run the peer: Prometheus + prometheus-blackbox-exporter probing the same URLs at 1 s"));
    const QCommandLineOption statusOpt(QStringLiteral("server-status"),
        QStringLiteral("nginx stub_status URL: each phase also reports the requests nginx answered in its span"),
        QStringLiteral("url"));
    const QCommandLineOption phaseOpt(QStringLiteral("phase"),
        QStringLiteral("run one phase in this process and print its figures (the child side; started by the "
                       "benchmark itself, with --urls, --endpoints N, --seconds, --delay)"),
        QStringLiteral("name"));
    p.addOptions({ serveOpt, secondsOpt, nOpt, delayOpt, politeOpt, repsOpt, urlsOpt, noCurlOpt, overCapOpt, peerOpt,
        phaseOpt, statusOpt, jsonOpt });
    p.process(app);

    if (p.isSet(serveOpt))
        return bench::serveSimulator(p.value(serveOpt).toInt());
    qunsetenv("SIGNALDECK_TRANSPORT"); // the config decides, per phase
    if (p.isSet(statusOpt))
        g_serverStatus = QUrl(p.value(statusOpt));
    if (p.isSet(phaseOpt)) {
        QList<QUrl> childBases;
        for (const QString& u : p.value(urlsOpt).split(u',', Qt::SkipEmptyParts))
            childBases.append(QUrl(u));
        const int delay = p.value(delayOpt).toInt();
        if (childBases.isEmpty()) {
            std::fprintf(stderr, "bench_engine: --phase needs --urls\n");
            return 1;
        }
        const QList<QUrl> urls = urlsFor(childBases, p.value(nOpt).toInt(), delay);
        const Figures f = runPhase(p.value(phaseOpt), urls, p.value(secondsOpt).toInt(), delay);
        std::printf("FIGURES %s\n", QJsonDocument(toJson(f)).toJson(QJsonDocument::Compact).constData());
        return 0;
    }

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
    const QString otherPhase
        = AppConfig {}.transport == TransportKind::Curl ? QStringLiteral("engine-qt") : QStringLiteral("engine-curl");
    QStringList phases { QStringLiteral("bare"), QStringLiteral("engine"), otherPhase };
    if (!p.isSet(noCurlOpt))
        phases.append(QStringLiteral("curl"));
    if (p.isSet(overCapOpt))
        phases.append(QStringLiteral("overcap"));
    if (p.isSet(peerOpt))
        phases.append(QStringLiteral("peer"));
    for (const QString& nText : p.value(nOpt).split(u',')) {
        const int n = nText.toInt();
        // Rotated: rep 0 runs A B C …, rep 1 B C … A, rep 2 C … A B.
        for (int rep = 0; rep < reps; ++rep) {
            for (qsizetype k = 0; k < phases.size(); ++k) {
                const QString& phase = phases.at((k + rep) % phases.size());
                print(phase, n, rep, seconds, runChild(phase, bases, n, seconds, delay));
            }
        }
    }
    server.terminate();
    server.waitForFinished(3000);
    return 0;
}
