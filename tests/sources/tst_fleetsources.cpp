// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 15 point 4: the dashboard's sources against real parts. A real `prometheus` (500 ms scrapes) on loopback
// scrapes two real `signaldeck --headless --listen` probers with locations "loc-a" and "loc-b" — the same
// endpoints, except that loc-b's path to "checkout" is broken (its config points it at a port nobody listens on)
// — and a real `prometheus-blackbox-exporter` probing loopback targets on nginx. The FleetModel must show what
// each prober saw (compared with the prober's own /metrics), the blackbox targets classified into the four
// signals, and a source that does not answer as "source down" — never as failing endpoints.
// With the window built (SIGNALDECK_GUI), the same Prometheus feeds a real dashboard: a remote endpoint's charts
// read from query_range (one line per location), a dead Prometheus in the charts' empty state, and a config
// applied that adds and removes a source.
#include "itemmodels/FleetModel.h"
#include "itemmodels/SignalSummaryModel.h"
#include "sources/FleetRange.h"
#include "sources/FleetSource.h"
#include "support/LoopbackServer.h"
#ifdef SIGNALDECK_FLEET_WINDOW
#include "DashboardStart.h"
#include "config/ConfigLoader.h"
#include "controller/Controller.h"
#include "credentials/InMemoryCredentialStore.h"
#include "ui/DetailPane.h"
#include "ui/FleetDock.h"
#include "ui/MainWindow.h"
#include "ui/SignalTile.h"
#include "ui/charts/ErrorRateChartView.h"
#include "ui/charts/LatencyChartView.h"

#include <QDir>
#include <QLabel>
#include <QStandardPaths>
#include <QTableView>
#endif

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <array>
#include <memory>

using namespace sd;
using namespace sd::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

// Each wait is for a condition, bounded generously: Prometheus scrapes every 500 ms, from ≈ 5 s after its start.
constexpr int kWaitMs = 25'000;

bool writeFile(const QString& path, const QByteArray& contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size();
}

QByteArray httpGet(const QUrl& url)
{
    return LoopbackServer::get(url).second;
}

/// signaldeck_endpoint_state of every endpoint in a prober's own /metrics: name → state.
QHash<QString, SignalState> proberStates(quint16 port)
{
    static const QRegularExpression line(u"^signaldeck_endpoint_state\\{[^}]*endpoint=\"([^\"]*)\"[^}]*\\} (\\d+)$"_s,
        QRegularExpression::MultilineOption);
    QHash<QString, SignalState> states;
    const QString text = QString::fromUtf8(httpGet(QUrl(u"http://127.0.0.1:%1/metrics"_s.arg(port))));
    for (auto it = line.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        const int v = m.captured(2).toInt();
        states.insert(m.captured(1), v == 0 ? SignalState::Ok : v == 1 ? SignalState::Warning : SignalState::Critical);
    }
    return states;
}

/// A source polled every 250 ms (the config's minimum is 1 s; the tests need not wait for it).
SourceConfig sourceConfig(
    SourceConfig::Kind kind, const QUrl& url, const QString& match, Millis timeout = 2s, Millis interval = 250ms)
{
    SourceConfig c;
    c.kind = kind;
    c.url = url;
    c.match = match;
    c.interval = interval;
    c.timeout = timeout;
    return c;
}

/// signaldeck_probes_total of `endpoint` in a prober's own /metrics: (probes with outcome ok, all probes).
std::pair<double, double> proberProbes(quint16 port, const QString& endpoint)
{
    static const QRegularExpression line(
        u"^signaldeck_probes_total\\{([^}]*)\\} ([0-9.e+]+)$"_s, QRegularExpression::MultilineOption);
    double ok = 0;
    double all = 0;
    const QString text = QString::fromUtf8(httpGet(QUrl(u"http://127.0.0.1:%1/metrics"_s.arg(port))));
    for (auto it = line.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        if (!m.captured(1).contains(u"endpoint=\""_s + endpoint + u'"'))
            continue;
        all += m.captured(2).toDouble();
        if (m.captured(1).contains(u"outcome=\"ok\""_s))
            ok += m.captured(2).toDouble();
    }
    return { ok, all };
}

/// A FleetSource feeding a FleetModel and a SignalSummaryModel, as the window wires them (ui/FleetDock).
struct Dashboard {
    explicit Dashboard(const QList<SourceConfig>& configs)
    {
        model.setSources(configs);
        for (int i = 0; i < configs.size(); ++i) {
            sources.push_back(std::make_unique<FleetSource>(configs[i]));
            QObject::connect(sources.back().get(), &FleetSource::updated, &model, [this, i](const SourceSnapshot& s) {
                model.setSnapshot(i, s);
                tiles.setRemoteEndpoints(model.remoteSignals());
            });
            sources.back()->start();
        }
    }
    SignalState cell(const QString& endpoint, const QString& location, int source = 0) const
    {
        const RemoteEndpoint* e = model.find(model.snapshots()[source].name, endpoint, location);
        return e ? e->overall : SignalState::Unknown;
    }
    const RemoteEndpoint* at(const QString& endpoint, const QString& location, int source = 0) const
    {
        return model.find(model.snapshots()[source].name, endpoint, location);
    }
    int tileCount(FailureSignal signal, SignalSummaryModel::Role role) const
    {
        return tiles.index(tiles.rowOf(signal), 0).data(role).toInt();
    }
    FleetModel model;
    SignalSummaryModel tiles;
    std::vector<std::unique_ptr<FleetSource>> sources;
};

} // namespace

class TestFleetSources : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void prometheusSourceShowsWhatEachLocationSaw();
    void blackboxSourceClassifiesIntoTheFourSignals();
    void deadSourceIsSourceDownNotFailingEndpoints();
    void silentSourceIsDownWithinItsTimeout();
    void answerThatIsNotPrometheusIsASourceError();
    void rangeReadGivesEachLocationWhatItsProberSaw();
    void rangeReadOfADeadOrSilentPrometheusSaysSo();
#ifdef SIGNALDECK_FLEET_WINDOW
    void remoteEndpointChartsOneLinePerLocation();
    void deadPrometheusShowsInTheChartsNotAsHealthy();
    void configApplyAddsAndRemovesASourceWithoutRestart();
    void tileClickFiltersTheFleetTableToo();
    void closeWindow();
#endif
    void prometheusGoingAwayLeavesStaleCellsNotFailures();

private:
#ifdef SIGNALDECK_FLEET_WINDOW
    MainWindow& window();
    std::unique_ptr<InMemoryCredentialStore> m_store;
    std::unique_ptr<DashboardSession> m_session;
#endif
    QTemporaryDir m_dir;
    LoopbackServer m_api; // nginx: /ok 200, /unauthorized 401, /throttled 429, /rejected 422
    LoopbackServer m_proberA;
    LoopbackServer m_proberB;
    LoopbackServer m_blackbox;
    LoopbackServer m_prometheus;
    quint16 m_deadPort = 0;
};

void TestFleetSources::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Every endpoint probed at once at start, not spread over its first interval (docs/CLI.md).
    qputenv("SIGNALDECK_STAGGER", "off");
    QVERIFY2(m_api.startNginx(u"location = /ok { return 200 'ok'; }\n"
                              "location = /unauthorized { return 401 'no'; }\n"
                              "location = /throttled { return 429 'slow down'; }\n"
                              "location = /rejected { return 422 'bad'; }\n"
                              "location /garbage/ { default_type text/html; return 200 '<html>sign in</html>'; }\n"_s),
        qPrintable(m_api.errorString()));
    m_deadPort = LoopbackServer::freePort();
    const QString dead = u"http://127.0.0.1:%1/ok"_s.arg(m_deadPort);

    // Prometheus first: it applies its targets on its own 5 s discovery tick, counted from its start, so the
    // probers and the exporter start meanwhile, on the ports its config already names.
    std::array<quint16, 3> ports {}; // prober loc-a, prober loc-b, blackbox exporter
    for (quint16& port : ports) {
        do
            port = LoopbackServer::freePort();
        while (std::count(ports.begin(), ports.end(), port) > 1);
    }
    const QString targets = QStringList { m_api.url(u"/ok"_s).toString(), m_api.url(u"/unauthorized"_s).toString(),
        m_api.url(u"/throttled"_s).toString(), m_api.url(u"/rejected"_s).toString(), dead }
                                .join(u"', '"_s);
    const auto startPrometheus = [&] {
        // The probers scraped every 500 ms. The exporter gives each probe the scrape's timeout less its
        // --timeout-offset: at 1 s, 0.95 s, so that nginx on a loaded machine is not taken for a timeout.
        const QString prometheusYml = uR"(global:
  scrape_interval: 500ms
  scrape_timeout: 500ms
scrape_configs:
  - job_name: signaldeck
    static_configs:
      - targets: ['127.0.0.1:%1', '127.0.0.1:%2']
  - job_name: blackbox
    scrape_interval: 1s
    scrape_timeout: 1s
    metrics_path: /probe
    params:
      module: [http_2xx]
    static_configs:
      - targets: ['%4']
        labels:
          location: lab
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:%3
)"_s.arg(ports[0])
                                          .arg(ports[1])
                                          .arg(ports[2])
                                          .arg(targets);
        return writeFile(m_dir.filePath(u"prometheus.yml"_s), prometheusYml.toUtf8())
            && m_prometheus.start(QStringLiteral(PROMETHEUS_EXECUTABLE),
                { u"--config.file="_s + m_dir.filePath(u"prometheus.yml"_s),
                    u"--storage.tsdb.path="_s + m_dir.filePath(u"tsdb"_s), u"--web.listen-address=127.0.0.1:{port}"_s,
                    u"--log.level=warn"_s },
                30s);
    };
    QVERIFY2(startPrometheus(), qPrintable(m_prometheus.errorString()));

    // Two probers: the same endpoints; loc-b's path to "checkout" is broken.
    for (const auto& [location, checkout, server, port] :
        { std::tuple { u"loc-a"_s, m_api.url(u"/ok"_s).toString(), &m_proberA, ports[0] },
            std::tuple { u"loc-b"_s, dead, &m_proberB, ports[1] } }) {
        const QJsonObject config { { u"version"_s, 1 }, { u"location"_s, location },
            { u"endpoints"_s,
                QJsonArray { QJsonObject { { u"name"_s, u"catalog"_s }, { u"url"_s, m_api.url(u"/ok"_s).toString() },
                                 { u"interval"_s, u"1s"_s } },
                    QJsonObject { { u"name"_s, u"checkout"_s }, { u"url"_s, checkout }, { u"interval"_s, u"1s"_s },
                        { u"timeout"_s, u"500ms"_s } },
                    QJsonObject { { u"name"_s, u"login"_s }, { u"url"_s, m_api.url(u"/unauthorized"_s).toString() },
                        { u"interval"_s, u"1s"_s } } } } };
        const QString path = m_dir.filePath(location + u".json"_s);
        QVERIFY(writeFile(path, QJsonDocument(config).toJson()));
        server->preferPort(port);
        QVERIFY2(server->start(QStringLiteral(SIGNALDECK_BINARY),
                     { u"--config"_s, path, u"--headless"_s, u"--listen"_s, u"127.0.0.1:{port}"_s, u"--data-dir"_s,
                         m_dir.filePath(u"data-"_s + location) }),
            qPrintable(server->errorString()));
    }

    QVERIFY(writeFile(m_dir.filePath(u"blackbox.yml"_s),
        "modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n    http:\n      preferred_ip_protocol: ip4\n"));
    m_blackbox.preferPort(ports[2]);
    QVERIFY2(m_blackbox.start(QStringLiteral(BLACKBOX_EXECUTABLE),
                 { u"--config.file="_s + m_dir.filePath(u"blackbox.yml"_s), u"--web.listen-address=127.0.0.1:{port}"_s,
                     u"--timeout-offset=0.05"_s, u"--log.level=warn"_s }),
        qPrintable(m_blackbox.errorString()));

    // A port taken by another test meanwhile (rare): Prometheus again, with the ports the servers got.
    const std::array<quint16, 3> got { m_proberA.port(), m_proberB.port(), m_blackbox.port() };
    if (got != ports) {
        ports = got;
        QVERIFY2(startPrometheus(), qPrintable(m_prometheus.errorString()));
    }
}

void TestFleetSources::prometheusSourceShowsWhatEachLocationSaw()
{
    Dashboard d({ sourceConfig(SourceConfig::Kind::Prometheus, m_prometheus.url(u"/"_s), uR"({job="signaldeck"})"_s) });
    // loc-b's checkout reaches S1 Critical after its 3rd refused probe; everything else settles at once.
    QTRY_VERIFY_WITH_TIMEOUT(d.cell(u"checkout"_s, u"loc-b"_s) == SignalState::Critical
            && d.cell(u"checkout"_s, u"loc-a"_s) == SignalState::Ok
            && d.cell(u"login"_s, u"loc-a"_s) != SignalState::Unknown
            && d.cell(u"login"_s, u"loc-b"_s) != SignalState::Unknown
            && d.cell(u"catalog"_s, u"loc-b"_s) == SignalState::Ok,
        kWaitMs);
    QCOMPARE(d.model.locations(), QStringList({ u"loc-a"_s, u"loc-b"_s }));
    QCOMPARE(d.model.rowCount(), 3);
    QCOMPARE(d.model.columnCount(), 4);
    QCOMPARE(d.model.snapshots()[0].state, SourceState::Up);

    const RemoteEndpoint* broken = d.at(u"checkout"_s, u"loc-b"_s);
    QCOMPARE(broken->states[0], SignalState::Critical);
    QCOMPARE(broken->httpStatus, 0);
    QCOMPARE(broken->outcome, u"connection"_s);
    const RemoteEndpoint* fine = d.at(u"checkout"_s, u"loc-a"_s);
    QCOMPARE(fine->httpStatus, 200);
    QVERIFY(fine->latencyMs >= 0 && fine->latencyMs < 1000);
    for (const QString& location : { u"loc-a"_s, u"loc-b"_s }) {
        const RemoteEndpoint* login = d.at(u"login"_s, location);
        QCOMPARE(login->states[1], SignalState::Critical);
        QCOMPARE(login->httpStatus, 401);
    }
    // The table reads like the window: the row "checkout", one column per location.
    const int row = [&] {
        for (int r = 0; r < d.model.rowCount(); ++r)
            if (d.model.index(r, FleetModel::EndpointColumn).data().toString() == u"checkout"_s)
                return r;
        return -1;
    }();
    QVERIFY(row >= 0);
    QCOMPARE(d.model.headerData(FleetModel::FirstLocationColumn + 1, Qt::Horizontal).toString(), u"loc-b"_s);
    QCOMPARE(
        d.model.index(row, FleetModel::FirstLocationColumn + 1).data().toString(), u"Critical S1 · no HTTP answer"_s);
    QVERIFY2(d.model.index(row, FleetModel::FirstLocationColumn).data().toString().startsWith(u"OK · "_s),
        qPrintable(d.model.index(row, FleetModel::FirstLocationColumn).data().toString()));
    // The tiles count the remote endpoints: S1 critical once (checkout @ loc-b), S2 critical twice (login).
    QCOMPARE(d.tileCount(FailureSignal::S1, SignalSummaryModel::CriticalCountRole), 1);
    QCOMPARE(d.tileCount(FailureSignal::S2, SignalSummaryModel::CriticalCountRole), 2);

    // What each prober says itself, against what the dashboard shows for its location (Prometheus may lag a
    // scrape behind, so compare until they agree, bounded).
    for (const auto& locationPort :
        { std::pair { u"loc-a"_s, m_proberA.port() }, std::pair { u"loc-b"_s, m_proberB.port() } }) {
        const QString& location = locationPort.first; // not a structured binding: clang rejects capturing one
        const quint16 port = locationPort.second;
        QHash<QString, SignalState> own;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
            own = proberStates(port);
            if (own.size() != 3)
                return false;
            for (auto it = own.cbegin(); it != own.cend(); ++it)
                if (d.cell(it.key(), location) != it.value())
                    return false;
            return true;
        }()),
            kWaitMs);
    }
}

void TestFleetSources::blackboxSourceClassifiesIntoTheFourSignals()
{
    Dashboard d({ sourceConfig(SourceConfig::Kind::Blackbox, m_prometheus.url(u"/"_s), uR"({job="blackbox"})"_s) });
    const QString ok = m_api.url(u"/ok"_s).toString();
    const QString unauthorized = m_api.url(u"/unauthorized"_s).toString();
    const QString throttled = m_api.url(u"/throttled"_s).toString();
    const QString rejected = m_api.url(u"/rejected"_s).toString();
    const QString dead = u"http://127.0.0.1:%1/ok"_s.arg(m_deadPort);
    QTRY_VERIFY_WITH_TIMEOUT(d.model.rowCount() == 5 && d.cell(dead, u"lab"_s) != SignalState::Unknown
            && d.cell(throttled, u"lab"_s) != SignalState::Unknown,
        kWaitMs);
    QCOMPARE(d.model.locations(), QStringList { u"lab"_s });
    QCOMPARE(d.cell(ok, u"lab"_s), SignalState::Ok);
    QCOMPARE(d.at(ok, u"lab"_s)->httpStatus, 200);
    QCOMPARE(d.at(unauthorized, u"lab"_s)->states[1], SignalState::Critical); // 401 → S2
    QCOMPARE(d.at(unauthorized, u"lab"_s)->outcome, u"auth"_s);
    QCOMPARE(d.at(rejected, u"lab"_s)->states[2], SignalState::Critical); // 422 → S3
    QVERIFY(d.at(throttled, u"lab"_s)->states[3] >= SignalState::Warning); // 429 → S4
    QVERIFY(d.at(dead, u"lab"_s)->states[0] >= SignalState::Warning); // no answer → S1
    QCOMPARE(d.at(dead, u"lab"_s)->httpStatus, 0);
    for (const QString& target : { ok, unauthorized, rejected, throttled })
        QCOMPARE(d.at(target, u"lab"_s)->states[0], SignalState::Ok);
    // A throttled target stays throttled: the 2nd throttled probe in a row makes S4 Critical, as locally.
    QTRY_COMPARE_WITH_TIMEOUT(d.at(throttled, u"lab"_s)->states[3], SignalState::Critical, kWaitMs);
}

void TestFleetSources::deadSourceIsSourceDownNotFailingEndpoints()
{
    Dashboard d({ sourceConfig(SourceConfig::Kind::Prometheus,
        QUrl(u"http://127.0.0.1:%1"_s.arg(LoopbackServer::freePort())), uR"({job="signaldeck"})"_s) });
    QTRY_COMPARE_WITH_TIMEOUT(d.model.snapshots()[0].state, SourceState::Down, 5000);
    QVERIFY2(d.model.snapshots()[0].error.contains(u"Connection refused"_s), qPrintable(d.model.snapshots()[0].error));
    QVERIFY(!d.model.snapshots()[0].lastSuccessUtc.isValid());
    QCOMPARE(d.model.rowCount(), 0);
    QVERIFY(d.model.anySourceUnhealthy());
    QVERIFY2(d.model.sourceStatusText().contains(u": source down — "_s), qPrintable(d.model.sourceStatusText()));
    QVERIFY2(
        d.model.sourceStatusText().contains(u"last successful query: never"_s), qPrintable(d.model.sourceStatusText()));
    for (FailureSignal s : kAllSignals)
        QCOMPARE(d.tileCount(s, SignalSummaryModel::CriticalCountRole), 0);
    QCOMPARE(d.tiles.worstState(), SignalState::Unknown);
}

void TestFleetSources::silentSourceIsDownWithinItsTimeout()
{
    QTcpServer silent; // accepts and never answers
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    // Polled every second: the next poll does not start before the check that this one was abandoned.
    Dashboard d({ sourceConfig(
        SourceConfig::Kind::Prometheus, QUrl(u"http://127.0.0.1:%1"_s.arg(silent.serverPort())), {}, 300ms, 1s) });
    QTRY_COMPARE_WITH_TIMEOUT(d.model.snapshots()[0].state, SourceState::Down, 5000);
    QVERIFY2(d.model.snapshots()[0].error.endsWith(u" did not answer within 300 ms"_s),
        qPrintable(d.model.snapshots()[0].error));
    QVERIFY(!d.sources[0]->polling()); // the poll was abandoned, the next one can start
}

void TestFleetSources::answerThatIsNotPrometheusIsASourceError()
{
    Dashboard d({ sourceConfig(SourceConfig::Kind::Prometheus, m_api.url(u"/garbage/"_s), {}) });
    QTRY_COMPARE_WITH_TIMEOUT(d.model.snapshots()[0].state, SourceState::Failed, 5000);
    QVERIFY2(d.model.snapshots()[0].error.contains(u"HTTP 200: not a Prometheus query answer"_s),
        qPrintable(d.model.snapshots()[0].error));
    QVERIFY2(d.model.sourceStatusText().contains(u"source error"_s), qPrintable(d.model.sourceStatusText()));
}

void TestFleetSources::rangeReadGivesEachLocationWhatItsProberSaw()
{
    FleetRangeReader reader;
    QSignalSpy ready(&reader, &FleetRangeReader::ready);
    FleetRangeRequest request;
    request.source = sourceConfig(SourceConfig::Kind::Prometheus, m_prometheus.url(u"/"_s), uR"({job="signaldeck"})"_s);
    request.endpoint = u"checkout"_s;
    // Until both locations have error points (Prometheus needs two scrapes of a prober for a rate).
    FleetRangeAnswer answer;
    const auto line = [](const QList<FleetLine>& lines, const QString& location) {
        for (const FleetLine& l : lines)
            if (l.location == location)
                return l.points;
        return QList<QPointF>();
    };
    bool complete = false; // (QTRY evaluates once more after the loop: the answer is not read twice)
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
        if (complete)
            return true;
        if (ready.isEmpty() && !reader.busy()) {
            request.toMs = QDateTime::currentMSecsSinceEpoch();
            request.fromMs = request.toMs - 60'000; // the last minute: a point a second
            reader.request(request);
        }
        if (ready.isEmpty())
            return false;
        answer = ready.takeFirst().at(0).value<FleetRangeAnswer>();
        complete = answer.ok() && !line(answer.errorPercent, u"loc-a"_s).isEmpty()
            && !line(answer.errorPercent, u"loc-b"_s).isEmpty() && !line(answer.latencyMs, u"loc-a"_s).isEmpty();
        return complete;
    }()),
        kWaitMs);
    QCOMPARE(answer.stepMs, qint64(1000)); // 1 min in at most 250 points (longer ranges: tst_fleetparsing)
    QCOMPARE(answer.errorPercent.size(), 2);
    // Every probe from loc-b failed (the broken path), none from loc-a: so their own counters say, and so the
    // error lines read, at every point.
    const auto [okB, allB] = proberProbes(m_proberB.port(), u"checkout"_s);
    const auto [okA, allA] = proberProbes(m_proberA.port(), u"checkout"_s);
    QVERIFY2(okB == 0 && allB > 0, qPrintable(u"loc-b %1 of %2 ok"_s.arg(okB).arg(allB)));
    QVERIFY2(okA == allA && allA > 0, qPrintable(u"loc-a %1 of %2 ok"_s.arg(okA).arg(allA)));
    for (const QPointF& p : line(answer.errorPercent, u"loc-b"_s))
        QCOMPARE(p.y(), 100.0);
    for (const QPointF& p : line(answer.errorPercent, u"loc-a"_s))
        QCOMPARE(p.y(), 0.0);
    // Latency from loc-a's histogram: nginx on loopback, well under the 500 ms the prober would wait.
    for (const QPointF& p : line(answer.latencyMs, u"loc-a"_s))
        QVERIFY2(p.y() > 0 && p.y() < 500, qPrintable(QString::number(p.y())));
    // The points lie in the range asked for, a step apart.
    const QList<QPointF> a = line(answer.errorPercent, u"loc-a"_s);
    QVERIFY(a.first().x() >= static_cast<double>(request.fromMs - answer.stepMs));
    QVERIFY(a.last().x() <= static_cast<double>(request.toMs));
    QCOMPARE(static_cast<qint64>(a.last().x()) % answer.stepMs, 0);

    // Only the locations asked for.
    request.locations = { u"loc-b"_s };
    ready.clear();
    reader.request(request);
    QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty(), kWaitMs);
    answer = ready.takeFirst().at(0).value<FleetRangeAnswer>();
    QVERIFY2(answer.ok(), qPrintable(answer.error));
    QCOMPARE(answer.errorPercent.size(), 1);
    QCOMPARE(answer.errorPercent.first().location, u"loc-b"_s);
}

void TestFleetSources::rangeReadOfADeadOrSilentPrometheusSaysSo()
{
    FleetRangeReader reader;
    QSignalSpy ready(&reader, &FleetRangeReader::ready);
    FleetRangeRequest request;
    request.source = sourceConfig(
        SourceConfig::Kind::Prometheus, QUrl(u"http://127.0.0.1:%1"_s.arg(LoopbackServer::freePort())), {});
    request.endpoint = u"checkout"_s;
    request.toMs = QDateTime::currentMSecsSinceEpoch();
    request.fromMs = request.toMs - 3'600'000;
    reader.request(request);
    QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty(), 5000);
    auto answer = ready.takeFirst().at(0).value<FleetRangeAnswer>();
    QCOMPARE(answer.state, SourceState::Down);
    QVERIFY2(answer.error.contains(u"Connection refused"_s), qPrintable(answer.error));
    QVERIFY(answer.latencyMs.isEmpty() && answer.errorPercent.isEmpty());

    QTcpServer silent; // accepts and never answers: slow is down too, within the source's timeout
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    request.source.url = QUrl(u"http://127.0.0.1:%1"_s.arg(silent.serverPort()));
    request.source.timeout = 300ms;
    reader.request(request);
    QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty(), 5000);
    answer = ready.takeFirst().at(0).value<FleetRangeAnswer>();
    QCOMPARE(answer.state, SourceState::Down);
    QCOMPARE(answer.error, u"no answer within 300 ms"_s);
    QVERIFY(!reader.busy());

    // Not Prometheus: an error answer, not an empty range.
    request.source.url = m_api.url(u"/garbage/"_s);
    reader.request(request);
    QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty(), 5000);
    answer = ready.takeFirst().at(0).value<FleetRangeAnswer>();
    QCOMPARE(answer.state, SourceState::Failed);
    QVERIFY2(answer.error.contains(u"not a Prometheus query answer"_s), qPrintable(answer.error));
}

#ifdef SIGNALDECK_FLEET_WINDOW
MainWindow& TestFleetSources::window()
{
    if (!m_session) {
        QStandardPaths::setTestModeEnabled(true);
        m_store = std::make_unique<InMemoryCredentialStore>();
        const QJsonObject config { { u"version"_s, 1 }, { u"location"_s, u"desk"_s },
            { u"endpoints"_s,
                QJsonArray { QJsonObject { { u"name"_s, u"status page"_s },
                    { u"url"_s, m_api.url(u"/ok"_s).toString() }, { u"interval"_s, u"2s"_s } } } },
            { u"sources"_s,
                QJsonArray { QJsonObject { { u"prometheus"_s, m_prometheus.url(u"/"_s).toString() },
                    { u"name"_s, u"prom"_s }, { u"match"_s, uR"({job="signaldeck"})"_s }, { u"interval"_s, u"1s"_s },
                    { u"timeout"_s, u"3s"_s } } } } };
        const QString path = m_dir.filePath(u"window.json"_s);
        writeFile(path, QJsonDocument(config).toJson());
        DashboardOptions options;
        const ConfigParseResult parsed = loadConfigFile(path);
        if (!parsed.config)
            qFatal("window.json: %s", qPrintable(parsed.errorText()));
        options.config = *parsed.config;
        options.configPath = path;
        options.sourceLabel = path;
        options.dataDir = m_dir.filePath(u"window-data"_s);
        options.credentialStore = m_store.get();
        options.auditPath = m_dir.filePath(u"audit.jsonl"_s);
        m_session = std::make_unique<DashboardSession>(options);
        m_session->window().resize(1400, 900);
        m_session->window().show();
    }
    return m_session->window();
}

namespace {

QList<QPointF> linePoints(const TimeSeriesChartView* chart, const QString& name)
{
    for (const TimeSeriesChartView::Line& line : chart->lines())
        if (line.name == name)
            return line.points;
    return {};
}

QStringList lineNames(const TimeSeriesChartView* chart)
{
    QStringList names;
    for (const TimeSeriesChartView::Line& line : chart->lines())
        names << line.name;
    return names;
}

int rowsOf(const FleetModel* model, const QString& source)
{
    int rows = 0;
    for (int r = 0; r < model->rowCount(); ++r)
        if (model->snapshots().value(model->rowInfo(r).source).name == source)
            ++rows;
    return rows;
}

} // namespace

void TestFleetSources::remoteEndpointChartsOneLinePerLocation()
{
    MainWindow& w = window();
    // The last minute: points a second apart (5 min at this plot's width puts them seconds apart, and three
    // points would wait that long three times for Prometheus to hold them).
    w.setRange(TimeRange::lastSpan(60'000));
    FleetDock* fleet = w.fleetDock();
    QVERIFY(fleet);
    // The operator chooses checkout, whose path from loc-b is broken: its name, so every location.
    QTRY_VERIFY_WITH_TIMEOUT(fleet->model()->rowCount() == 3 && fleet->model()->locations().size() == 2, kWaitMs);
    QVERIFY(fleet->select(u"prom"_s, u"checkout"_s));
    DetailPane* pane = w.detailPane();
    QTRY_VERIFY(pane->remoteSelection().has_value());
    QCOMPARE(pane->remoteSelection()->locations, QStringList({ u"loc-a"_s, u"loc-b"_s }));
    QVERIFY(w.table()->selectionModel()->selectedRows().isEmpty()); // one endpoint in the pane at a time
    ErrorRateChartView* errors = pane->errorChart();
    LatencyChartView* latency = pane->latencyChart();
    // The pane reads Prometheus again every 2 s; here again as soon as each answer is in.
    int answers = -1;
    const auto readAgain = [&] {
        if (pane->chartUpdates() != answers) {
            answers = pane->chartUpdates();
            pane->refresh();
        }
        return true;
    };
    QTRY_VERIFY2_WITH_TIMEOUT(readAgain() && lineNames(errors) == QStringList({ u"loc-a"_s, u"loc-b"_s })
            && linePoints(errors, u"loc-a"_s).size() >= 3 && linePoints(errors, u"loc-b"_s).size() >= 3
            && !linePoints(latency, u"loc-a"_s).isEmpty(),
        qPrintable(pane->figuresText() + u" | "_s + lineNames(errors).join(u',') + u" | "_s
            + QString::number(linePoints(errors, u"loc-a"_s).size()) + u" | "_s + errors->emptyStateText()),
        kWaitMs);
    QCOMPARE(lineNames(latency), QStringList({ u"loc-a"_s, u"loc-b"_s }));
    // As the probers saw it: every probe from loc-b failed, none from loc-a.
    for (const QPointF& p : linePoints(errors, u"loc-b"_s))
        QCOMPARE(p.y(), 100.0);
    for (const QPointF& p : linePoints(errors, u"loc-a"_s))
        QCOMPARE(p.y(), 0.0);
    QVERIFY(!errors->isEmptyStateShown());
    QVERIFY(!latency->isEmptyStateShown());
    // The thresholds as for a local endpoint: 100 % is past the error rate's critical line.
    QVERIFY(!errors->shownThresholds().isEmpty());
    QVERIFY2(pane->figuresText().contains(u"loc-b: errors 100.0 %"_s), qPrintable(pane->figuresText()));
    QVERIFY2(pane->figuresText().contains(u"loc-a: errors 0.0 %"_s), qPrintable(pane->figuresText()));
    QVERIFY2(
        pane->lastProbeText().contains(u"loc-b: Critical S1 · no HTTP answer"_s), qPrintable(pane->lastProbeText()));
    // For a person to look at: the window with the two locations' lines.
    QTest::qWait(300); // the legend and axes laid out
    QDir().mkpath(QStringLiteral(SCREENSHOT_DIR));
    QVERIFY(w.grab().save(QStringLiteral(SCREENSHOT_DIR "/fleet-chart.png")));

    // A location's cell alone: one line.
    QVERIFY(fleet->select(u"prom"_s, u"checkout"_s, u"loc-b"_s));
    QTRY_COMPARE_WITH_TIMEOUT(lineNames(errors), QStringList { u"loc-b"_s }, kWaitMs);
    // A local endpoint chosen: its own history again, the fleet's selection cleared.
    w.table()->selectRow(0);
    QTRY_VERIFY(!pane->remoteSelection().has_value());
    QVERIFY(!errors->showsLines());
    QVERIFY(!fleet->selection().has_value());
}

void TestFleetSources::deadPrometheusShowsInTheChartsNotAsHealthy()
{
    MainWindow& w = window();
    DetailPane* pane = w.detailPane();
    w.table()->clearSelection(); // no local endpoint in the pane
    RemoteSelection dead;
    const quint16 port = LoopbackServer::freePort();
    dead.source = sourceConfig(SourceConfig::Kind::Prometheus, QUrl(u"http://127.0.0.1:%1"_s.arg(port)), {});
    dead.sourceName = u"gone"_s;
    dead.endpoint = u"checkout"_s;
    dead.locations = { u"loc-a"_s };
    const int before = pane->chartUpdates();
    pane->setRemoteSelection(dead);
    QTRY_VERIFY_WITH_TIMEOUT(pane->chartUpdates() > before, 5000);
    const QString expected = u"Prometheus at http://127.0.0.1:%1 did not answer: "_s.arg(port);
    for (const TimeSeriesChartView* chart : { static_cast<TimeSeriesChartView*>(pane->latencyChart()),
             static_cast<TimeSeriesChartView*>(pane->errorChart()) }) {
        QVERIFY(chart->isEmptyStateShown());
        QVERIFY2(chart->emptyStateText().startsWith(expected), qPrintable(chart->emptyStateText()));
        QVERIFY2(chart->emptyStateText().contains(u"Connection refused"_s), qPrintable(chart->emptyStateText()));
        QVERIFY(chart->lines().isEmpty());
        QVERIFY(chart->valueTickLabels().isEmpty()); // no axis that reads like a reading
    }
    QVERIFY2(pane->figuresText().contains(expected), qPrintable(pane->figuresText()));
    pane->setSelection({});
}

void TestFleetSources::configApplyAddsAndRemovesASourceWithoutRestart()
{
    MainWindow& w = window();
    FleetDock* fleet = w.fleetDock();
    QTRY_VERIFY_WITH_TIMEOUT(rowsOf(fleet->model(), u"prom"_s) == 3, kWaitMs);
    FleetSource* prom = fleet->sources().first();
    const QDateTime promSuccess = prom->snapshot().lastSuccessUtc;

    AppConfig next = m_session->controller().config();
    SourceConfig blackbox
        = sourceConfig(SourceConfig::Kind::Blackbox, m_prometheus.url(u"/"_s), uR"({job="blackbox"})"_s, 2s, 1s);
    blackbox.name = u"blackbox fleet"_s;
    next.sources.append(blackbox);
    QString why;
    QVERIFY2(m_session->controller().applyConfig(next, &why), qPrintable(why));
    // Its rows come without a restart; the source that did not change kept its poller, rows and state.
    QTRY_COMPARE_WITH_TIMEOUT(rowsOf(fleet->model(), u"blackbox fleet"_s), 5, kWaitMs);
    QCOMPARE(fleet->sources().size(), 2);
    QCOMPARE(fleet->sources().first(), prom);
    QVERIFY(prom->snapshot().lastSuccessUtc >= promSuccess);
    QCOMPARE(rowsOf(fleet->model(), u"prom"_s), 3);
    QVERIFY2(fleet->sourceLabel()->text().contains(u"blackbox fleet (blackbox_exporter): up"_s),
        qPrintable(fleet->sourceLabel()->text()));

    // The file edited outside and reloaded (File ▸ Reload config file): the source removed, its rows gone.
    next.sources.removeLast();
    QVERIFY(saveConfigFile(m_session->controller().configPath(), next));
    w.action(u"reloadConfig"_s)->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(rowsOf(fleet->model(), u"blackbox fleet"_s), 0, 5000);
    QCOMPARE(fleet->sources(), QList<FleetSource*> { prom });
    QCOMPARE(rowsOf(fleet->model(), u"prom"_s), 3);
    QVERIFY(!fleet->sourceLabel()->text().contains(u"blackbox"_s));
}

void TestFleetSources::tileClickFiltersTheFleetTableToo()
{
    MainWindow& w = window();
    FleetDock* fleet = w.fleetDock();
    QTRY_VERIFY_WITH_TIMEOUT(fleet->table()->model()->rowCount() == 3, kWaitMs);
    // S1: only checkout (broken from loc-b); S2: only login (401 from both); S3: none.
    const auto shown = [fleet] {
        QStringList names;
        for (int r = 0; r < fleet->table()->model()->rowCount(); ++r)
            names << fleet->table()->model()->index(r, FleetModel::EndpointColumn).data().toString();
        return names;
    };
    QTest::mouseClick(w.tile(FailureSignal::S1), Qt::LeftButton);
    QTRY_COMPARE(shown(), QStringList { u"checkout"_s });
    QTest::mouseClick(w.tile(FailureSignal::S2), Qt::LeftButton);
    QTRY_COMPARE(shown(), QStringList { u"login"_s });
    QTest::mouseClick(w.tile(FailureSignal::S2), Qt::LeftButton); // again: every row
    QTRY_COMPARE(shown().size(), 3);
}

void TestFleetSources::closeWindow()
{
    m_session.reset(); // before Prometheus goes away in the next test
}
#endif

void TestFleetSources::prometheusGoingAwayLeavesStaleCellsNotFailures()
{
    Dashboard d(
        { sourceConfig(SourceConfig::Kind::Prometheus, m_prometheus.url(u"/"_s), uR"({job="signaldeck"})"_s, 1s) });
    QTRY_VERIFY_WITH_TIMEOUT(d.cell(u"checkout"_s, u"loc-b"_s) == SignalState::Critical, kWaitMs);
    QVERIFY(d.tileCount(FailureSignal::S1, SignalSummaryModel::CriticalCountRole) == 1);
    m_prometheus.stop();
    QTRY_COMPARE_WITH_TIMEOUT(d.model.snapshots()[0].state, SourceState::Down, 5000);
    // The rows stay, shown stale with their last state; the tiles no longer count them.
    QCOMPARE(d.model.rowCount(), 3);
    const QModelIndex cell = d.model.index(0, FleetModel::FirstLocationColumn);
    QVERIFY(cell.data(FleetModel::StaleRole).toBool());
    QCOMPARE(cell.data(FleetModel::CellStateRole).toInt(), int(SignalState::Unknown));
    QVERIFY2(cell.data().toString().startsWith(u"stale: "_s), qPrintable(cell.data().toString()));
    QVERIFY(d.model.snapshots()[0].lastSuccessUtc.isValid());
    for (FailureSignal s : kAllSignals)
        QCOMPARE(d.tileCount(s, SignalSummaryModel::CriticalCountRole), 0);
}

#ifdef SIGNALDECK_FLEET_WINDOW
QTEST_MAIN(TestFleetSources)
#else
QTEST_GUILESS_MAIN(TestFleetSources)
#endif
#include "tst_fleetsources.moc"
