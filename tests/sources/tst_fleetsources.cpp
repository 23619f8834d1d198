// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 15 point 4: the dashboard's sources against real parts. A real `prometheus` (1 s scrape) on loopback
// scrapes two real `signaldeck --headless --listen` probers with locations "loc-a" and "loc-b" — the same
// endpoints, except that loc-b's path to "checkout" is broken (its config points it at a port nobody listens on)
// — and a real `prometheus-blackbox-exporter` probing loopback targets on nginx. The FleetModel must show what
// each prober saw (compared with the prober's own /metrics), the blackbox targets classified into the four
// signals, and a source that does not answer as "source down" — never as failing endpoints.
#include "itemmodels/FleetModel.h"
#include "itemmodels/SignalSummaryModel.h"
#include "sources/FleetSource.h"
#include "support/LoopbackServer.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace sd;
using namespace sd::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr int kWaitMs = 25'000; // each wait is bounded; Prometheus scrapes every second

bool writeFile(const QString& path, const QByteArray& contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size();
}

QByteArray httpGet(const QUrl& url)
{
    QNetworkAccessManager network;
    QNetworkRequest request(url);
    request.setTransferTimeout(3000);
    QNetworkReply* reply = network.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    return body;
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

SourceConfig sourceConfig(SourceConfig::Kind kind, const QUrl& url, const QString& match, Millis timeout = 2s)
{
    SourceConfig c;
    c.kind = kind;
    c.url = url;
    c.match = match;
    c.interval = 1s;
    c.timeout = timeout;
    return c;
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
    void prometheusGoingAwayLeavesStaleCellsNotFailures();

private:
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
    QVERIFY2(m_api.startNginx(u"location = /ok { return 200 'ok'; }\n"
                              "location = /unauthorized { return 401 'no'; }\n"
                              "location = /throttled { return 429 'slow down'; }\n"
                              "location = /rejected { return 422 'bad'; }\n"
                              "location /garbage/ { default_type text/html; return 200 '<html>sign in</html>'; }\n"_s),
        qPrintable(m_api.errorString()));
    m_deadPort = LoopbackServer::freePort();
    const QString dead = u"http://127.0.0.1:%1/ok"_s.arg(m_deadPort);

    // Two probers: the same endpoints; loc-b's path to "checkout" is broken.
    for (const auto& [location, checkout, server] :
        { std::tuple { u"loc-a"_s, m_api.url(u"/ok"_s).toString(), &m_proberA },
            std::tuple { u"loc-b"_s, dead, &m_proberB } }) {
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
        QVERIFY2(server->start(QStringLiteral(SIGNALDECK_BINARY),
                     { u"--config"_s, path, u"--headless"_s, u"--listen"_s, u"127.0.0.1:{port}"_s, u"--data-dir"_s,
                         m_dir.filePath(u"data-"_s + location) }),
            qPrintable(server->errorString()));
    }

    QVERIFY(writeFile(m_dir.filePath(u"blackbox.yml"_s),
        "modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n    http:\n      preferred_ip_protocol: ip4\n"));
    QVERIFY2(m_blackbox.start(QStringLiteral(BLACKBOX_EXECUTABLE),
                 { u"--config.file="_s + m_dir.filePath(u"blackbox.yml"_s), u"--web.listen-address=127.0.0.1:{port}"_s,
                     u"--log.level=warn"_s }),
        qPrintable(m_blackbox.errorString()));

    const QString targets = QStringList { m_api.url(u"/ok"_s).toString(), m_api.url(u"/unauthorized"_s).toString(),
        m_api.url(u"/throttled"_s).toString(), m_api.url(u"/rejected"_s).toString(), dead }
                                .join(u"', '"_s);
    const QString prometheusYml = uR"(global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: signaldeck
    static_configs:
      - targets: ['127.0.0.1:%1', '127.0.0.1:%2']
  - job_name: blackbox
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
)"_s.arg(m_proberA.port())
                                      .arg(m_proberB.port())
                                      .arg(m_blackbox.port())
                                      .arg(targets);
    QVERIFY(writeFile(m_dir.filePath(u"prometheus.yml"_s), prometheusYml.toUtf8()));
    QVERIFY2(m_prometheus.start(QStringLiteral(PROMETHEUS_EXECUTABLE),
                 { u"--config.file="_s + m_dir.filePath(u"prometheus.yml"_s),
                     u"--storage.tsdb.path="_s + m_dir.filePath(u"tsdb"_s), u"--web.listen-address=127.0.0.1:{port}"_s,
                     u"--log.level=warn"_s },
                 30s),
        qPrintable(m_prometheus.errorString()));
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
    for (const auto& [location, port] :
        { std::pair { u"loc-a"_s, m_proberA.port() }, std::pair { u"loc-b"_s, m_proberB.port() } }) {
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
    Dashboard d({ sourceConfig(
        SourceConfig::Kind::Prometheus, QUrl(u"http://127.0.0.1:%1"_s.arg(silent.serverPort())), {}, 300ms) });
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

QTEST_GUILESS_MAIN(TestFleetSources)
#include "tst_fleetsources.moc"
