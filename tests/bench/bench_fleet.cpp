// SPDX-License-Identifier: GPL-3.0-or-later
// Refresh cost of the dashboard's fleet view (docs/SCALING.md "What one dashboard shows"): N endpoints x L
// locations of signaldeck_* series, served as L static /metrics bodies on loopback (python3 http.server) and
// scraped by a real `prometheus` every 5 s; a `prometheus` FleetSource polls them as the window does.
// It reports the wall time of a poll (HTTP + Prometheus evaluation + transfer + parse and build on a pool
// thread), of the bare query alone, the CPU to parse the answer and build the endpoints (pool thread), and
// the GUI thread's CPU to update the FleetModel and the tiles' SignalSummaryModel; medians and worst. Then the
// range read the detail pane makes for one remote endpoint (FleetRangeReader: /api/v1/query_range, latency and
// errors, 1 h at a 15 s step, its 3 locations): wall time and the GUI thread's CPU from request to answer.
// Usage: bench_fleet [--endpoints N] [--locations L] [--polls P]
#include "itemmodels/FleetModel.h"
#include "itemmodels/SignalSummaryModel.h"
#include "sources/FleetRange.h"
#include "sources/FleetSource.h"
#include "sources/PromQuery.h"
#include "sources/SignalDeckSeries.h"
#include "support/LoopbackServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>

using namespace sd;
using namespace sd::test;

namespace {

double threadCpuMs()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

QByteArray proberBody(int endpoints, const QString& location, int brokenEvery)
{
    QByteArray out;
    out.reserve(qsizetype { endpoints } * 1400);
    for (int i = 0; i < endpoints; ++i) {
        const QByteArray labels
            = QStringLiteral("endpoint=\"api-%1\",location=\"%2\",url=\"http://api-%1.example/\",tags=\"prod\"")
                  .arg(i, 4, 10, QLatin1Char('0'))
                  .arg(location)
                  .toUtf8();
        const bool broken = brokenEvery > 0 && i % brokenEvery == 0;
        out += "signaldeck_endpoint_state{" + labels + "} " + (broken ? "2" : "0") + "\n";
        for (const char* s : { "S1", "S2", "S3", "S4" })
            out += "signaldeck_signal_state{" + labels + ",signal=\"" + s + "\"} " + (broken && s[1] == '1' ? "2" : "0")
                + "\n";
        out += "signaldeck_last_probe_http_status{" + labels + "} " + (broken ? "0" : "200") + "\n";
        out += "signaldeck_last_probe_duration_seconds{" + labels + "} 0.0" + QByteArray::number(10 + i % 80) + "\n";
        out += "signaldeck_last_probe_timestamp_seconds{" + labels + "} 1764900000\n";
        out += "signaldeck_last_probe_outcome{" + labels + ",outcome=\"" + (broken ? "connection" : "ok") + "\"} 1\n";
        out += "signaldeck_circuit_state{" + labels + "} 0\n";
        out += "signaldeck_endpoint_paused{" + labels + "} 0\n";
        // What the range read charts (static here: its rates are 0/0, so the errors come from the error ratio).
        out += "signaldeck_error_ratio{" + labels + "} " + (broken ? "1" : "0") + "\n";
    }
    return out;
}

/// Waits until Prometheus says it is ready (/-/ready answers 503 while it opens its storage and replays its
/// WAL): polled before that, the source's first poll would be "HTTP 503: not a Prometheus query answer".
bool waitUntilReady(const QUrl& prometheus, std::chrono::milliseconds limit)
{
    QUrl url = prometheus;
    url.setPath(QStringLiteral("/-/ready"));
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < limit.count()) {
        if (LoopbackServer::get(url, std::chrono::seconds(2)).first == 200)
            return true;
        QEventLoop pause;
        QTimer::singleShot(std::chrono::milliseconds(100), &pause, &QEventLoop::quit);
        pause.exec();
    }
    return false;
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption endpointsOpt(
        QStringLiteral("endpoints"), QStringLiteral("endpoints"), QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption locationsOpt(
        QStringLiteral("locations"), QStringLiteral("locations"), QStringLiteral("L"), QStringLiteral("3"));
    const QCommandLineOption pollsOpt(
        QStringLiteral("polls"), QStringLiteral("polls measured"), QStringLiteral("P"), QStringLiteral("10"));
    parser.addOptions({ endpointsOpt, locationsOpt, pollsOpt });
    parser.process(app);
    const int n = parser.value(endpointsOpt).toInt();
    const int l = parser.value(locationsOpt).toInt();
    const int polls = parser.value(pollsOpt).toInt();

    QTemporaryDir dir;
    QStringList locations;
    for (int i = 0; i < l; ++i) {
        locations.append(QStringLiteral("loc-%1").arg(QChar(u'a' + i)));
        QFile f(dir.filePath(locations.last() + QStringLiteral(".txt")));
        if (!f.open(QIODevice::WriteOnly) || f.write(proberBody(n, locations.last(), i == l - 1 ? 10 : 0)) < 0)
            return 2;
    }
    LoopbackServer files;
    if (!files.start(LoopbackServer::python(),
            { QStringLiteral("-m"), QStringLiteral("http.server"), QStringLiteral("--bind"),
                QStringLiteral("127.0.0.1"), QStringLiteral("--directory"), dir.path(), QStringLiteral("{port}") })) {
        std::fprintf(stderr, "%s\n", qPrintable(files.errorString()));
        return 2;
    }
    QString yml = QStringLiteral("global:\n  scrape_interval: 5s\n  scrape_timeout: 5s\nscrape_configs:\n");
    for (const QString& location : std::as_const(locations))
        yml += QStringLiteral("  - job_name: signaldeck-%1\n    metrics_path: /%1.txt\n    static_configs:\n"
                              "      - targets: ['127.0.0.1:%2']\n")
                   .arg(location)
                   .arg(files.port());
    QFile config(dir.filePath(QStringLiteral("prometheus.yml")));
    if (!config.open(QIODevice::WriteOnly) || config.write(yml.toUtf8()) < 0)
        return 2;
    config.close();
    LoopbackServer prometheus;
    if (!prometheus.start(QStringLiteral("/usr/bin/prometheus"),
            { QStringLiteral("--config.file=") + config.fileName(),
                QStringLiteral("--storage.tsdb.path=") + dir.filePath(QStringLiteral("tsdb")),
                QStringLiteral("--web.listen-address=127.0.0.1:{port}"), QStringLiteral("--log.level=warn") },
            std::chrono::seconds(30))) {
        std::fprintf(stderr, "%s\n", qPrintable(prometheus.errorString()));
        return 2;
    }

    if (!waitUntilReady(prometheus.url(QStringLiteral("/")), std::chrono::seconds(60))) {
        std::fprintf(stderr, "prometheus at %s not ready within 60 s\n", qPrintable(prometheus.url({}).toString()));
        return 2;
    }

    SourceConfig sourceConfig;
    sourceConfig.url = prometheus.url(QStringLiteral("/"));
    sourceConfig.match = QStringLiteral("{job=~\"signaldeck-.*\"}");
    sourceConfig.interval = std::chrono::seconds(2);
    sourceConfig.timeout = std::chrono::seconds(10);
    FleetSource source(sourceConfig);
    FleetModel model;
    SignalSummaryModel tiles;
    model.setSources({ sourceConfig });
    std::vector<double> queryMs;
    std::vector<double> modelMs;
    int complete = 0;
    QEventLoop loop;
    QObject::connect(&source, &FleetSource::updated, &loop, [&](const SourceSnapshot& snapshot) {
        if (snapshot.state != SourceState::Up) {
            std::fprintf(
                stderr, "source %s: %s\n", qPrintable(sourceStateCode(snapshot.state)), qPrintable(snapshot.error));
            return;
        }
        const double before = threadCpuMs();
        model.setSnapshot(0, snapshot);
        tiles.setRemoteEndpoints(model.remoteSignals());
        const double update = threadCpuMs() - before;
        if (snapshot.endpoints.size() < qsizetype { n } * l)
            return; // Prometheus has not scraped every location yet
        ++complete;
        if (complete == 1)
            return; // the first full poll warms up
        queryMs.push_back(static_cast<double>(snapshot.lastQueryMs));
        modelMs.push_back(update);
        if (static_cast<int>(queryMs.size()) >= polls)
            loop.quit();
    });
    QTimer::singleShot(std::chrono::seconds(30 + 8 * polls), &loop, [&] {
        std::fprintf(stderr, "timed out: %d complete polls\n", complete);
        loop.quit();
    });
    source.start();
    loop.exec();
    source.stop(); // no more polls: the loops below wait for their own answers
    if (queryMs.empty())
        return 1;

    // Parse + build on the GUI thread, measured alone on the same answer as the source received it.
    QNetworkAccessManager network;
    QUrl url = sourceConfig.url;
    url.setPath(QStringLiteral("/api/v1/query"));
    url.setQuery(QStringLiteral("query=")
            + QString::fromLatin1(QUrl::toPercentEncoding(promSelector(signalDeckSeriesNames(), sourceConfig.match))),
        QUrl::StrictMode);
    QByteArray body;
    std::vector<double> bareMs;
    for (int i = 0; i < 5; ++i) {
        QElapsedTimer clock;
        clock.start();
        QNetworkReply* reply = network.get(QNetworkRequest(url));
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        body = reply->readAll();
        bareMs.push_back(static_cast<double>(clock.elapsed()));
        reply->deleteLater();
    }
    std::vector<double> parseMs;
    std::vector<double> buildMs;
    for (int i = 0; i < 5; ++i) {
        const double t0 = threadCpuMs();
        const PromVectorReply answer = parsePromVectorReply(body, 200);
        const double t1 = threadCpuMs();
        const QList<RemoteEndpoint> built = buildSignalDeckEndpoints(answer.samples);
        const double t2 = threadCpuMs();
        parseMs.push_back(t1 - t0);
        buildMs.push_back(t2 - t1);
        if (built.size() != qsizetype { n } * l)
            return 1;
    }
    // The detail pane's range read for one remote endpoint, its locations as lines (parsed on a pool thread).
    FleetRangeReader rangeReader;
    std::vector<double> rangeWallMs;
    std::vector<double> rangeGuiMs;
    qsizetype rangePoints = 0;
    QString rangeError;
    double rangeCpuStart = 0;
    QEventLoop rangeLoop;
    QObject::connect(&rangeReader, &FleetRangeReader::ready, &rangeLoop, [&](const FleetRangeAnswer& answer) {
        rangeGuiMs.push_back(threadCpuMs() - rangeCpuStart);
        rangeWallMs.push_back(static_cast<double>(answer.elapsedMs));
        rangePoints = 0;
        for (const auto* lines : { &answer.latencyMs, &answer.errorPercent })
            for (const FleetLine& line : *lines)
                rangePoints += line.points.size();
        if (!answer.ok())
            rangeError = answer.error;
        rangeLoop.quit();
    });
    for (int i = 0; i < 6; ++i) {
        FleetRangeRequest request;
        request.source = sourceConfig;
        request.endpoint = QStringLiteral("api-0000");
        request.toMs = QDateTime::currentMSecsSinceEpoch();
        request.fromMs = request.toMs - 3'600'000;
        rangeCpuStart = threadCpuMs();
        rangeReader.request(request);
        rangeLoop.exec();
    }
    rangeWallMs.erase(rangeWallMs.begin()); // the first warms up
    rangeGuiMs.erase(rangeGuiMs.begin());

    std::printf("fleet refresh: %d endpoints x %d locations = %d cells, %d series, answer %.1f MB\n", n, l, n * l,
        n * l * 11, static_cast<double>(body.size()) / 1e6);
    // (+1 signaldeck_error_ratio per cell in the scrape, read only by the range read)
    std::printf("  poll (query + transfer + parse + build), wall: median %.0f ms, worst %.0f ms over %zu polls\n",
        median(queryMs), *std::max_element(queryMs.begin(), queryMs.end()), queryMs.size());
    std::printf("  the query alone (Prometheus + transfer), wall: median %.0f ms\n", median(bareMs));
    std::printf("  parse JSON, pool-thread CPU: median %.0f ms\n", median(parseMs));
    std::printf("  build endpoints, pool-thread CPU: median %.0f ms\n", median(buildMs));
    std::printf("  FleetModel + tiles update, GUI-thread CPU: median %.1f ms, worst %.1f ms\n", median(modelMs),
        *std::max_element(modelMs.begin(), modelMs.end()));
    if (!rangeError.isEmpty()) {
        std::fprintf(stderr, "range read failed: %s\n", qPrintable(rangeError));
        return 1;
    }
    std::printf("range read of one endpoint (query_range, latency + errors, 1 h at a 15 s step, %d locations, %lld "
                "points):\n",
        l, static_cast<long long>(rangePoints));
    std::printf("  wall (2 queries + transfer + parse on a pool thread): median %.0f ms, worst %.0f ms over %zu\n",
        median(rangeWallMs), *std::max_element(rangeWallMs.begin(), rangeWallMs.end()), rangeWallMs.size());
    std::printf("  GUI-thread CPU from request to answer (charts not drawn): median %.2f ms, worst %.2f ms\n",
        median(rangeGuiMs), *std::max_element(rangeGuiMs.begin(), rangeGuiMs.end()));
    return 0;
}
