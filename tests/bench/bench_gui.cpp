// SPDX-License-Identifier: GPL-3.0-or-later
// GUI responsiveness benchmark (see docs/PERFORMANCE.md): 1,000 endpoints probed every second against the
// simulator in a separate process, first with no window (baseline), then with the dashboard open
// (offscreen, history recording, an endpoint selected so its charts refresh), side by side in one run.
// A timer probe in the GUI thread fires every 5 ms; a stall is how late it fires. Latency error is the
// probe latency minus the simulator's injected delay, as in bench_engine.
// The two phases run --reps times, interleaved, the order rotated; CPU per probe is the process's user +
// system time over the measured span (engine, history and, in the window phase, the GUI) per probe. The
// figures that count are the window's over the engine's of the same repetition (a loaded machine stalls
// both): the run ends with those ratios, pair by pair. The config goes through the config loader, so both
// phases run on the shipped defaults (transport, thresholds, limits) as a config file with these endpoints.
// --trace: after each window phase, the GUI thread's longest event deliveries (receiver, event, ms).
// Usage: bench_gui [--seconds S] [--endpoints N] [--delay MS] [--reps R] [--json FILE] [--trace]
//        bench_gui --serve PORTS   (the simulator process; started by the benchmark itself)
#include "BenchSimulator.h"
#include "config/ConfigLoader.h"
#include "controller/Controller.h"
#include "schedule/Engine.h"
#include "ui/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaEnum>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <vector>

using namespace sd;

namespace {

double pct(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

struct Figures {
    qint64 probes = 0;
    double stallMaxMs = 0;
    double stallP99Ms = 0;
    double errMedianMs = 0;
    double errP99Ms = 0;
    int batches = 0;
    double cpuUsPerProbe = 0;
};

double cpuSeconds()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
        + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/// The config as a file with these endpoints would give it: only name, url, interval and tags are set, the
/// rest are the loader's defaults (what the app ships).
std::optional<AppConfig> configFor(const QList<QUrl>& bases, int n, int delayMs)
{
    QJsonArray endpoints;
    for (int i = 0; i < n; ++i) {
        QUrl u = bases.at(i % bases.size());
        u.setPath(QStringLiteral("/healthy"));
        u.setQuery(QStringLiteral("delay=%1&e=%2").arg(delayMs).arg(i));
        endpoints.append(
            QJsonObject { { QStringLiteral("name"), QStringLiteral("endpoint-%1").arg(i, 4, 10, QLatin1Char('0')) },
                { QStringLiteral("url"), u.toString() }, { QStringLiteral("interval"), QStringLiteral("1s") },
                { QStringLiteral("tags"), QJsonArray { QStringLiteral("bench") } } });
    }
    const ConfigParseResult parsed = parseConfig(
        QJsonDocument(QJsonObject { { QStringLiteral("version"), 1 }, { QStringLiteral("endpoints"), endpoints } })
            .toJson(QJsonDocument::Compact));
    if (!parsed.ok()) {
        for (const ConfigError& e : parsed.errors)
            std::fprintf(stderr, "bench_gui: config: %s\n", qPrintable(e.toString()));
        return std::nullopt;
    }
    return *parsed.config;
}

/// --trace: times every top-level event delivery in the GUI thread (nested ones are part of their parent's
/// time) and keeps the longest per receiver class and event type.
class TracingApplication : public QApplication {
public:
    using QApplication::QApplication;
    bool tracing = false;
    struct Longest {
        double maxMs = 0;
        double totalMs = 0;
        int count = 0;
    };
    std::map<QString, Longest> longest;

    bool notify(QObject* receiver, QEvent* event) override
    {
        if (!tracing || QThread::currentThread() != thread() || m_depth > 0)
            return QApplication::notify(receiver, event);
        // Before the delivery: the receiver may be gone after it (a single-shot timer deletes itself).
        const char* className = receiver->metaObject()->className();
        const QString name = receiver->objectName();
        const QEvent::Type eventType = event->type();
        ++m_depth;
        QElapsedTimer timer;
        timer.start();
        const bool result = QApplication::notify(receiver, event);
        const double ms = static_cast<double>(timer.nsecsElapsed()) / 1e6;
        --m_depth;
        const char* type = QMetaEnum::fromType<QEvent::Type>().valueToKey(eventType);
        const QString key = QString::fromLatin1(className) + u' '
            + (name.isEmpty() ? QString() : u'"' + name + u"\" "_qs) + QString::fromLatin1(type ? type : "?");
        Longest& l = longest[key];
        l.maxMs = std::max(l.maxMs, ms);
        l.totalMs += ms;
        ++l.count;
        return result;
    }

    void printAndReset(int seconds)
    {
        std::vector<std::pair<QString, Longest>> rows(longest.begin(), longest.end());
        std::sort(
            rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.maxMs > b.second.maxMs; });
        std::printf("  GUI thread, longest event deliveries (max ms, total ms/s, count/s):\n");
        for (std::size_t i = 0; i < rows.size() && i < 12; ++i)
            std::printf("    %7.1f  %7.2f  %7.1f  %s\n", rows[i].second.maxMs, rows[i].second.totalMs / seconds,
                static_cast<double>(rows[i].second.count) / seconds, qPrintable(rows[i].first));
        std::fflush(stdout);
        longest.clear();
    }

private:
    int m_depth = 0;
};

TracingApplication* g_app = nullptr;

/// Runs the event loop for `seconds` with a 5 ms timer probe; returns how late each tick came (ms).
std::vector<double> measureStalls(int seconds)
{
    std::vector<double> stalls;
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5);
    QObject::connect(&probe, &QTimer::timeout, &probe, [&] {
        const qint64 now = clock.nsecsElapsed();
        stalls.push_back(std::max(0.0, static_cast<double>(now - last) / 1e6 - 5.0));
        last = now;
    });
    probe.start();
    QEventLoop loop;
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    loop.exec();
    return stalls;
}

Figures run(const AppConfig& config, int seconds, int delayMs, bool withWindow)
{
    QTemporaryDir dataDir;
    // The session as the app runs it: the controller owns the engine (the shipped defaults: the global cap
    // fits the config's demand) and the history store, whose append runs in the engine thread.
    ControllerOptions options;
    options.config = config;
    options.dataDir = dataDir.path();
    options.preloadedCredentials = CredentialLoadResult {};
    Controller controller(options);
    Engine& engine = controller.engine();
    std::vector<double> errs;
    int batches = 0;
    QObject::connect(&engine, &Engine::batchReady, &engine, [&](const EngineBatch& b) {
        ++batches;
        for (const ProbeResult& r : b.results)
            errs.push_back(r.latencyMs() - delayMs);
    });
    std::unique_ptr<MainWindow> window;
    if (withWindow) {
        DashboardSetup setup;
        setup.controller = &controller;
        setup.sourceLabel = QStringLiteral("benchmark");
        window = std::make_unique<MainWindow>(setup);
        window->resize(1500, 1000);
        window->show();
        window->selectEndpoint(config.endpoints.at(7).name);
    }
    controller.start();
    // Warm-up: the first second fills the table and opens every connection.
    measureStalls(2);
    errs.clear();
    const qint64 probes0 = engine.stats().probesFinished;
    const double cpu0 = cpuSeconds();
    if (g_app)
        g_app->longest.clear();
    const std::vector<double> stalls = measureStalls(seconds);
    const double cpu = cpuSeconds() - cpu0;
    const qint64 probes = engine.stats().probesFinished - probes0;
    if (g_app && g_app->tracing && withWindow)
        g_app->printAndReset(seconds);
    controller.stop();
    window.reset();
    return { probes, pct(stalls, 1.0), pct(stalls, 0.99), pct(errs, 0.5), pct(errs, 0.99), batches,
        cpu * 1e6 / static_cast<double>(std::max<qint64>(probes, 1)) };
}

QFile* g_json = nullptr;

void print(const char* name, int rep, int seconds, const Figures& f)
{
    std::printf("%-8s rep=%d probes=%-7lld batches=%-5d cpu/probe=%7.1f us  GUI stall max=%6.1f ms p99=%5.2f ms  "
                "latency error median=%5.2f ms p99=%6.2f ms\n",
        name, rep, static_cast<long long>(f.probes), f.batches, f.cpuUsPerProbe, f.stallMaxMs, f.stallP99Ms,
        f.errMedianMs, f.errP99Ms);
    std::fflush(stdout);
    if (!g_json)
        return;
    const QJsonObject o { { QStringLiteral("bench"), QStringLiteral("gui") },
        { QStringLiteral("phase"), QString::fromLatin1(name) }, { QStringLiteral("rep"), rep },
        { QStringLiteral("seconds"), seconds }, { QStringLiteral("probes"), static_cast<double>(f.probes) },
        { QStringLiteral("batches"), f.batches }, { QStringLiteral("cpuUsPerProbe"), f.cpuUsPerProbe },
        { QStringLiteral("stallMaxMs"), f.stallMaxMs }, { QStringLiteral("stallP99Ms"), f.stallP99Ms },
        { QStringLiteral("errMedianMs"), f.errMedianMs }, { QStringLiteral("errP99Ms"), f.errP99Ms } };
    g_json->write(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
    g_json->flush();
}

} // namespace

int main(int argc, char* argv[])
{
    TracingApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("SignalDeckBench"));
    QCommandLineParser p;
    const QCommandLineOption serveOpt(
        QStringLiteral("serve"), QStringLiteral("simulator mode"), QStringLiteral("ports"));
    const QCommandLineOption secondsOpt(
        QStringLiteral("seconds"), QStringLiteral("per phase"), QStringLiteral("s"), QStringLiteral("60"));
    const QCommandLineOption nOpt(
        QStringLiteral("endpoints"), QStringLiteral("count"), QStringLiteral("n"), QStringLiteral("1000"));
    const QCommandLineOption delayOpt(
        QStringLiteral("delay"), QStringLiteral("injected ms"), QStringLiteral("ms"), QStringLiteral("5"));
    const QCommandLineOption repsOpt(
        QStringLiteral("reps"), QStringLiteral("interleaved repetitions"), QStringLiteral("r"), QStringLiteral("3"));
    const QCommandLineOption jsonOpt(
        QStringLiteral("json"), QStringLiteral("append JSON lines to this file"), QStringLiteral("file"));
    const QCommandLineOption traceOpt(
        QStringLiteral("trace"), QStringLiteral("print the GUI thread's longest event deliveries per window phase"));
    p.addOptions({ serveOpt, secondsOpt, nOpt, delayOpt, repsOpt, jsonOpt, traceOpt });
    p.process(app);
    app.tracing = p.isSet(traceOpt);
    g_app = &app;

    if (p.isSet(serveOpt))
        return bench::serveSimulator(p.value(serveOpt).toInt());

    QProcess server;
    const QList<QUrl> bases = bench::startSimulatorProcess(server, 32);
    if (bases.isEmpty()) {
        std::fprintf(stderr, "bench_gui: the simulator process did not start\n");
        return 1;
    }
    const int seconds = p.value(secondsOpt).toInt();
    const int n = p.value(nOpt).toInt();
    const int delay = p.value(delayOpt).toInt();
    const std::optional<AppConfig> parsed = configFor(bases, n, delay);
    if (!parsed)
        return 1;
    const AppConfig& config = *parsed;
    std::printf("simulator: separate process, %lld ports; %d endpoints at 1 s; %d s per phase; delay %d ms\n",
        static_cast<long long>(bases.size()), n, seconds, delay);
    QFile json(p.value(jsonOpt));
    if (p.isSet(jsonOpt) && json.open(QIODevice::Append | QIODevice::Text))
        g_json = &json;
    const int reps = std::max(1, p.value(repsOpt).toInt());
    std::vector<std::pair<Figures, Figures>> pairs; // (engine, window) of each repetition
    for (int rep = 0; rep < reps; ++rep) {
        Figures engine;
        Figures window;
        for (int k = 0; k < 2; ++k) {
            const bool withWindow = (k + rep) % 2 == 1;
            const Figures f = run(config, seconds, delay, withWindow);
            print(withWindow ? "window" : "engine", rep, seconds, f);
            (withWindow ? window : engine) = f;
        }
        pairs.emplace_back(engine, window);
    }
    // What the window adds, measured against the engine alone in the same repetition (same machine load).
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    std::printf("window / engine, pair by pair:\n");
    for (std::size_t rep = 0; rep < pairs.size(); ++rep) {
        const auto& [e, w] = pairs[rep];
        std::printf("  rep=%zu  GUI stall max %6.1f / %6.1f ms = %5.2f   p99 %5.2f / %5.2f ms = %5.2f   "
                    "CPU/probe %7.1f / %7.1f us = %5.2f\n",
            rep, w.stallMaxMs, e.stallMaxMs, ratio(w.stallMaxMs, e.stallMaxMs), w.stallP99Ms, e.stallP99Ms,
            ratio(w.stallP99Ms, e.stallP99Ms), w.cpuUsPerProbe, e.cpuUsPerProbe,
            ratio(w.cpuUsPerProbe, e.cpuUsPerProbe));
    }
    std::fflush(stdout);
    server.terminate();
    server.waitForFinished(3000);
    return 0;
}
