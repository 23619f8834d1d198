// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/IncidentPolicy.h"
#include "itemmodels/EndpointFilterProxy.h"
#include "itemmodels/EndpointTableModel.h"
#include "itemmodels/ModelFixtures.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace sd;
using namespace sd::fixtures;
using namespace Qt::StringLiterals;
using Model = EndpointTableModel;
using namespace Qt::StringLiterals;

class TestEndpointTableModel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void rowsBeforeAnyProbe();
    void batchUpdatesExactlyTheChangedRows();
    void resultOnlyBatchLeavesStatesAlone();
    void contiguousRowsShareOneSignal();
    void staleOrUnknownEntriesAreIgnored();
    void thousandEndpointsOneFullRangeSignal();
    void mostRowsChangedGivesOneFullRangeSignal();
    void latencyTexts_data();
    void latencyTexts();
    void windowPercentilesAndErrorRate();
    void windowSizeLimitsTheFigures();
    void liveUptimeLeavesOutMaintenanceWindows();
    void sparklineKeepsTheLatest60WithGapsForFailures();
    void sortingByLatencyIsNumeric();
    void rowsWithoutDataSortLast();
    void nextProbeTextFollowsTheClock_data();
    void nextProbeTextFollowsTheClock();
    void refreshRelativeTimesIsOneSignal();
    void lastCheckedIsLocalClockTime();
    void seededHistoryFillsTrendAndUptime();
    void rangeFiguresReplaceTheLiveWindow();
    void rangeWithoutAnswersShowsNoPercentile();
    void failedProbeHasNoLatency();
    void statusStripKeepsTheLast30ByOutcome();
    void stateCountsForTheSummaryLine();
    void searchTextAndReason();
    void setEndpointsKeepsNothingOfOldRows();
    void updateEndpointsKeepsTheRowsThatStay();
    void roleNamesComeFromTheEnum();
    void certificateColumnShowsDaysLeftAndTheChain();

private:
    static QString text(const QAbstractItemModel& m, int row, int column, int role = Qt::DisplayRole)
    {
        return m.index(row, column).data(role).toString();
    }
};

namespace {

EngineBatch resultsBatch(const QList<std::pair<int, double>>& latencies)
{
    EngineBatch b;
    for (const auto& [id, ms] : latencies)
        b.results.append(result(id, ms));
    return b;
}

/// Rows [first, last] of each dataChanged captured by a spy, and the roles of the first one.
QList<std::pair<int, int>> changedRowRuns(const QSignalSpy& spy)
{
    QList<std::pair<int, int>> runs;
    for (const QList<QVariant>& args : spy)
        runs.append({ args[0].toModelIndex().row(), args[1].toModelIndex().row() });
    return runs;
}

} // namespace

void TestEndpointTableModel::initTestCase()
{
    QLocale::setDefault(QLocale::c());
}

void TestEndpointTableModel::rowsBeforeAnyProbe()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints({ endpoint(QStringLiteral("chat"), QStringLiteral("https://api.example.com:8443/v1/chat"),
                             { QStringLiteral("prod") }),
        endpoint(QStringLiteral("pay"), QStringLiteral("https://pay.example.com/health")) });

    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(Model::ColumnCount));
    QCOMPARE(text(model, 0, Model::Name), QStringLiteral("chat"));
    QCOMPARE(text(model, 0, Model::Host), QStringLiteral("api.example.com:8443"));
    QCOMPARE(text(model, 1, Model::Host), QStringLiteral("pay.example.com"));
    QCOMPARE(text(model, 0, Model::State), QStringLiteral("Unknown"));
    QCOMPARE(text(model, 0, Model::SignalS2), QStringLiteral("Unknown"));
    QCOMPARE(text(model, 0, Model::Circuit), QStringLiteral("closed"));
    QCOMPARE(text(model, 0, Model::LastLatency), QString());
    QCOMPARE(text(model, 0, Model::P95), QString());
    QCOMPARE(text(model, 0, Model::Uptime), QString());
    QVERIFY(!model.index(0, Model::P95).data(Model::SortRole).isValid());
    QVERIFY(!model.index(0, Model::Trend).data(Qt::DisplayRole).isValid());
    QVERIFY(model.index(0, Model::Trend).data(Model::SparklineRole).value<QList<double>>().isEmpty());
    QCOMPARE(model.index(0, Model::Name).data(Model::TagsRole).toStringList(), QStringList { QStringLiteral("prod") });
    QCOMPARE(model.index(1, Model::Uptime).data(Model::EndpointIdRole).toInt(), 1);
    QCOMPARE(model.index(1, Model::Uptime).data(Model::EndpointNameRole).toString(), QStringLiteral("pay"));
    QCOMPARE(model.rowOfEndpoint(1), 1);
    QCOMPARE(model.rowOfEndpoint(2), -1);
    QCOMPARE(model.rowOfEndpoint(-1), -1);
    QVERIFY(!model.lastResult(0));
}

void TestEndpointTableModel::batchUpdatesExactlyTheChangedRows()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(5));
    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);

    EngineBatch batch = resultsBatch({ { 1, 123.4 }, { 3, 9.46 } });
    batch.statuses
        = { status(1, u"cooo", { QStringLiteral("no answer within 2000 ms (3 in a row)") }), status(3, u"ooow") };
    batch.statuses[0].circuit = CircuitState::Open;
    model.applyBatch(batch);

    // Rows 1 and 3 are not adjacent: two signals, one per row, spanning every column.
    QCOMPARE(spy.count(), 2);
    QCOMPARE(changedRowRuns(spy), (QList<std::pair<int, int>> { { 1, 1 }, { 3, 3 } }));
    for (const QList<QVariant>& args : spy) {
        QCOMPARE(args[0].toModelIndex().column(), 0);
        QCOMPARE(args[1].toModelIndex().column(), Model::ColumnCount - 1);
        const auto roles = args[2].value<QList<int>>();
        for (int role : { int(Qt::DisplayRole), int(Model::SortRole), int(Model::SparklineRole),
                 int(Model::CellStateRole), int(Model::OverallStateRole), int(Model::SignalStatesRole) })
            QVERIFY2(roles.contains(role), qPrintable(QString::number(role)));
    }

    QCOMPARE(text(model, 1, Model::LastLatency), QStringLiteral("123 ms"));
    QCOMPARE(text(model, 3, Model::LastLatency), QStringLiteral("9.5 ms"));
    QCOMPARE(model.index(3, Model::LastLatency).data(Model::SortRole).toDouble(), 9.46);
    QCOMPARE(text(model, 1, Model::State), QStringLiteral("Critical"));
    QCOMPARE(text(model, 1, Model::SignalS1), QStringLiteral("Critical"));
    QVERIFY(text(model, 1, Model::SignalS1, Qt::ToolTipRole).contains(QStringLiteral("no answer within 2000 ms")));
    QCOMPARE(text(model, 1, Model::SignalS2), QStringLiteral("OK"));
    QCOMPARE(model.index(1, Model::SignalS1).data(Model::CellStateRole).toInt(), int(SignalState::Critical));
    QCOMPARE(text(model, 1, Model::Circuit), QStringLiteral("open"));
    QCOMPARE(model.index(1, Model::Circuit).data(Model::CellStateRole).toInt(), int(SignalState::Critical));
    QCOMPARE(text(model, 3, Model::State), QStringLiteral("Warning"));
    QCOMPARE(model.index(3, Model::Name).data(Model::SignalStatesRole).toList(),
        (QVariantList { int(SignalState::Ok), int(SignalState::Ok), int(SignalState::Ok), int(SignalState::Warning) }));
    QCOMPARE(model.status(1).circuit, CircuitState::Open);
    QCOMPARE(model.lastResult(3)->latencyUs, 9460);

    // Rows outside the batch are untouched.
    for (int row : { 0, 2, 4 }) {
        QCOMPARE(text(model, row, Model::State), QStringLiteral("Unknown"));
        QCOMPARE(text(model, row, Model::LastLatency), QString());
    }
}

void TestEndpointTableModel::resultOnlyBatchLeavesStatesAlone()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(3));
    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);

    model.applyBatch(resultsBatch({ { 2, 50 } }));
    QCOMPARE(spy.count(), 1);
    const auto roles = spy.at(0).at(2).value<QList<int>>();
    QVERIFY(roles.contains(Qt::DisplayRole));
    QVERIFY(roles.contains(Model::SparklineRole));
    // No status came with it: views and proxies need not re-read the states or re-filter.
    QVERIFY(!roles.contains(Model::OverallStateRole));
    QVERIFY(!roles.contains(Model::SearchTextRole));

    spy.clear();
    model.applyBatch({});
    QCOMPARE(spy.count(), 0);
}

void TestEndpointTableModel::contiguousRowsShareOneSignal()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(10));
    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);

    // Out of order and with repeats: runs 2-4 and 7.
    model.applyBatch(resultsBatch({ { 4, 1 }, { 2, 1 }, { 7, 1 }, { 3, 1 }, { 2, 2 } }));
    QCOMPARE(changedRowRuns(spy), (QList<std::pair<int, int>> { { 2, 4 }, { 7, 7 } }));
    QCOMPARE(text(model, 2, Model::LastLatency), QStringLiteral("2.0 ms"));
}

void TestEndpointTableModel::staleOrUnknownEntriesAreIgnored()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(2));
    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);

    EngineBatch batch;
    batch.results.append(result(7, 10));
    ProbeResult renamed = result(1, 10);
    renamed.endpoint = QStringLiteral("removed-endpoint");
    batch.results.append(renamed);
    EndpointStatus st = status(0, u"cccc");
    st.name = QStringLiteral("old-name");
    batch.statuses.append(st);
    model.applyBatch(batch);

    QCOMPARE(spy.count(), 0);
    QCOMPARE(text(model, 0, Model::State), QStringLiteral("Unknown"));
    QCOMPARE(text(model, 1, Model::LastLatency), QString());
}

void TestEndpointTableModel::thousandEndpointsOneFullRangeSignal()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(1000));
    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);

    EngineBatch batch;
    for (int id = 0; id < 1000; ++id) {
        batch.results.append(result(id, 10 + id % 50));
        batch.statuses.append(status(id, id % 10 == 0 ? u"cooo" : u"oooo"));
    }
    model.applyBatch(batch);

    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toModelIndex(), model.index(0, 0));
    QCOMPARE(spy.at(0).at(1).toModelIndex(), model.index(999, Model::ColumnCount - 1));
    QVERIFY(!spy.at(0).at(2).value<QList<int>>().isEmpty());
    QCOMPARE(text(model, 990, Model::State), QStringLiteral("Critical"));
    QCOMPARE(text(model, 999, Model::LastLatency), QStringLiteral("59 ms"));
}

void TestEndpointTableModel::mostRowsChangedGivesOneFullRangeSignal()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(1000));
    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);

    // Every other row of 60 %: 600 scattered rows would be 600 runs; one full-range signal instead.
    EngineBatch many;
    for (int id = 0; id < 1000; ++id) {
        if (id % 5 != 0 && id % 5 != 2)
            many.results.append(result(id, 5));
    }
    model.applyBatch(many);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(1).toModelIndex().row(), 999);

    // A few scattered rows stay precise.
    spy.clear();
    model.applyBatch(resultsBatch({ { 10, 1 }, { 500, 1 }, { 990, 1 } }));
    QCOMPARE(changedRowRuns(spy), (QList<std::pair<int, int>> { { 10, 10 }, { 500, 500 }, { 990, 990 } }));
}

void TestEndpointTableModel::latencyTexts_data()
{
    QTest::addColumn<double>("ms");
    QTest::addColumn<QString>("expected");
    QTest::newRow("sub-millisecond") << 0.42 << QStringLiteral("0.4 ms");
    QTest::newRow("below 10 ms, one decimal") << 9.04 << QStringLiteral("9.0 ms");
    QTest::newRow("10 ms, no decimal") << 10.0 << QStringLiteral("10 ms");
    QTest::newRow("rounds") << 123.6 << QStringLiteral("124 ms");
    QTest::newRow("seconds stay in ms") << 2500.0 << QStringLiteral("2500 ms");
}

void TestEndpointTableModel::latencyTexts()
{
    QFETCH(double, ms);
    QFETCH(QString, expected);
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(1));
    model.applyBatch(resultsBatch({ { 0, ms } }));
    QCOMPARE(text(model, 0, Model::LastLatency), expected);
    QCOMPARE(text(model, 0, Model::P50), expected);
}

void TestEndpointTableModel::windowPercentilesAndErrorRate()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(1));

    // 100 answered probes of 1..100 ms, then 20 timeouts: latencies count only answered probes,
    // the error rate counts every probe in the window of 100.
    EngineBatch batch;
    for (int ms = 1; ms <= 100; ++ms)
        batch.results.append(result(0, ms));
    model.applyBatch(batch);
    QCOMPARE(text(model, 0, Model::P50), QStringLiteral("50 ms"));
    QCOMPARE(text(model, 0, Model::P95), QStringLiteral("95 ms"));
    QCOMPARE(text(model, 0, Model::P99), QStringLiteral("99 ms"));
    QCOMPARE(text(model, 0, Model::ErrorRate), QStringLiteral("0.0 %"));
    QCOMPARE(text(model, 0, Model::Uptime), QStringLiteral("100.0 %"));

    EngineBatch failures;
    for (int i = 0; i < 20; ++i)
        failures.results.append(result(0, 2000, Outcome::Timeout, 0));
    model.applyBatch(failures);
    // The window now holds probes 21..100 (answered) and 20 timeouts.
    QCOMPARE(text(model, 0, Model::P50), QStringLiteral("60 ms"));
    QCOMPARE(text(model, 0, Model::P99), QStringLiteral("100 ms"));
    QCOMPARE(text(model, 0, Model::ErrorRate), QStringLiteral("20.0 %"));
    QCOMPARE(model.index(0, Model::ErrorRate).data(Model::SortRole).toDouble(), 0.2);
    // Uptime counts every probe since start: 100 of 120.
    QCOMPARE(text(model, 0, Model::Uptime), QStringLiteral("83.3 %"));
    QCOMPARE(model.windowFigures(0).answered, 80);
}

// Probes made in a maintenance window with `excludeFromUptime` are stored and shown everywhere but in
// the uptime (10 OK, then 10 timeouts inside the window, then 5 timeouts after it: 10 of 15, not 10 of 25).
void TestEndpointTableModel::liveUptimeLeavesOutMaintenanceWindows()
{
    AppConfig config;
    config.endpoints = endpoints(1);
    MaintenanceWindow window;
    window.endpoints = QStringList { endpointName(0) };
    window.from = kT0.addSecs(10);
    window.to = kT0.addSecs(20);
    window.excludeFromUptime = true;
    config.maintenance = { window };
    IncidentPolicy policy;
    policy.setConfig(config);
    Model model;
    model.setIncidentPolicy(&policy);
    model.setEndpoints(config.endpoints);
    Model plain;
    plain.setEndpoints(config.endpoints);
    EngineBatch batch;
    for (int s = 0; s < 25; ++s)
        batch.results.append(s < 10 ? result(0, 5, Outcome::Ok, 200, kT0.addSecs(s))
                                    : result(0, 2000, Outcome::Timeout, 0, kT0.addSecs(s)));
    model.applyBatch(batch);
    plain.applyBatch(batch);
    QCOMPARE(text(model, 0, Model::Uptime), QStringLiteral("66.7 %"));
    QCOMPARE(text(plain, 0, Model::Uptime), QStringLiteral("40.0 %"));
    QVERIFY2(model.index(0, Model::Uptime).data(Qt::ToolTipRole).toString().contains(u"10 made in maintenance"_s),
        qPrintable(model.index(0, Model::Uptime).data(Qt::ToolTipRole).toString()));
    // The other figures count every probe.
    QCOMPARE(text(model, 0, Model::ErrorRate), QStringLiteral("60.0 %"));
}

void TestEndpointTableModel::windowSizeLimitsTheFigures()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(1));
    model.applyBatch(resultsBatch({ { 0, 500 }, { 0, 500 }, { 0, 20 }, { 0, 30 } }));
    QCOMPARE(text(model, 0, Model::P99), QStringLiteral("500 ms"));

    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
    model.setWindowSize(2);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(model.windowSize(), 2);
    QCOMPARE(text(model, 0, Model::P99), QStringLiteral("30 ms"));
    QCOMPARE(text(model, 0, Model::P50), QStringLiteral("20 ms"));
    model.applyBatch(resultsBatch({ { 0, 40 } }));
    QCOMPARE(text(model, 0, Model::P50), QStringLiteral("30 ms"));
}

void TestEndpointTableModel::sparklineKeepsTheLatest60WithGapsForFailures()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(1));
    EngineBatch batch;
    for (int i = 1; i <= 65; ++i)
        batch.results.append(i == 64 ? result(0, 5000, Outcome::Timeout, 0) : result(0, i));
    model.applyBatch(batch);

    const auto points = model.index(0, Model::Trend).data(Model::SparklineRole).value<QList<double>>();
    QCOMPARE(points.size(), 60);
    QCOMPARE(points.first(), 6.0);
    QCOMPARE(points.at(57), 63.0);
    QVERIFY(std::isnan(points.at(58)));
    QCOMPARE(points.last(), 65.0);
    QVERIFY(!model.index(0, Model::Trend).data(Qt::DisplayRole).isValid());
}

void TestEndpointTableModel::sortingByLatencyIsNumeric()
{
    Model model;
    EndpointFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(4));
    model.applyBatch(resultsBatch({ { 0, 100 }, { 1, 9 }, { 2, 20 }, { 3, 1500 } }));

    proxy.sort(Model::LastLatency, Qt::AscendingOrder);
    QStringList order;
    for (int row = 0; row < proxy.rowCount(); ++row)
        order.append(text(proxy, row, Model::LastLatency));
    // As strings "100 ms" < "1500 ms" < "20 ms" < "9.0 ms"; as numbers:
    QCOMPARE(order,
        (QStringList {
            QStringLiteral("9.0 ms"), QStringLiteral("20 ms"), QStringLiteral("100 ms"), QStringLiteral("1500 ms") }));

    // The order follows new batches (dynamic sorting).
    model.applyBatch(resultsBatch({ { 3, 1 } }));
    QCOMPARE(text(proxy, 0, Model::Name), endpointName(3));
}

void TestEndpointTableModel::rowsWithoutDataSortLast()
{
    Model model;
    EndpointFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(3));
    model.applyBatch(resultsBatch({ { 1, 300 }, { 2, 3 } }));
    proxy.sort(Model::P95, Qt::AscendingOrder);
    QCOMPARE(text(proxy, 0, Model::Name), endpointName(2));
    QCOMPARE(text(proxy, 1, Model::Name), endpointName(1));
    QCOMPARE(text(proxy, 2, Model::Name), endpointName(0));
}

void TestEndpointTableModel::nextProbeTextFollowsTheClock_data()
{
    QTest::addColumn<int>("inMs");
    QTest::addColumn<int>("reason");
    QTest::addColumn<QString>("expected");
    QTest::newRow("interval") << 12'000 << int(NextProbeReason::Interval) << QStringLiteral("in 12 s");
    QTest::newRow("partial second rounds up") << 11'200 << int(NextProbeReason::Interval) << QStringLiteral("in 12 s");
    QTest::newRow("retry-after") << 30'000 << int(NextProbeReason::RetryAfter)
                                 << QStringLiteral("in 30 s (Retry-After)");
    QTest::newRow("circuit open") << 120'000 << int(NextProbeReason::CircuitOpen)
                                  << QStringLiteral("in 2 min (circuit open)");
    QTest::newRow("overdue") << -500 << int(NextProbeReason::Interval) << QStringLiteral("due");
    QTest::newRow("paused, no time") << -1 << int(NextProbeReason::Paused) << QStringLiteral("paused");
    QTest::newRow("in flight, no time") << -1 << int(NextProbeReason::InFlight) << QStringLiteral("in flight");
}

void TestEndpointTableModel::nextProbeTextFollowsTheClock()
{
    QFETCH(int, inMs);
    QFETCH(int, reason);
    QFETCH(QString, expected);
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setClock([] { return kT0; });
    model.setEndpoints(endpoints(1));
    EngineBatch batch;
    EndpointStatus st = status(0, u"oooo");
    st.nextReason = static_cast<NextProbeReason>(reason);
    st.nextProbeUtc = inMs == -1 ? QDateTime() : kT0.addMSecs(inMs);
    batch.statuses.append(st);
    model.applyBatch(batch);
    QCOMPARE(text(model, 0, Model::NextProbe), expected);
}

void TestEndpointTableModel::certificateColumnShowsDaysLeftAndTheChain()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setClock([] { return kT0; });
    QList<EndpointConfig> eps = endpoints(3);
    eps[2].url = QUrl(u"https://skip.example/"_s);
    eps[2].tls.insecureSkipVerify = true;
    model.setEndpoints(eps);
    QCOMPARE(text(model, 0, Model::Certificate), QString());
    QCOMPARE(text(model, 2, Model::Certificate), u"⚠ unverified"_s);

    EngineBatch batch;
    ProbeResult r = result(0, 10);
    r.tls.present = true;
    r.tls.protocol = u"TLSv1.3"_s;
    r.tls.earliestExpiresAt = kT0.addDays(12).addSecs(3600);
    r.tls.chain = { u"CN=api · issued by CN=Private CA · expires 2024-05-13T13:00:00Z"_s };
    batch.results.append(r);
    ProbeResult expired = result(1, 10);
    expired.tls.present = true;
    expired.tls.earliestExpiresAt = kT0.addSecs(-60);
    batch.results.append(expired);
    model.applyBatch(batch);
    QCOMPARE(text(model, 0, Model::Certificate), u"12 d"_s);
    QCOMPARE(text(model, 1, Model::Certificate), u"expired"_s);
    QVERIFY(text(model, 0, Model::Certificate, Qt::ToolTipRole).contains(u"issued by CN=Private CA"_s));
    QCOMPARE(model.certificateExpiry(0), r.tls.earliestExpiresAt);
    // Sorted by expiry: the expired one first.
    QVERIFY(model.index(1, Model::Certificate).data(Model::SortRole).toLongLong()
        < model.index(0, Model::Certificate).data(Model::SortRole).toLongLong());
    // A later probe without a handshake keeps what the last one showed.
    EngineBatch plain;
    plain.results.append(result(0, 10, Outcome::Connection, 0));
    model.applyBatch(plain);
    QCOMPARE(text(model, 0, Model::Certificate), u"12 d"_s);
}

void TestEndpointTableModel::refreshRelativeTimesIsOneSignal()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QDateTime now = kT0;
    model.setClock([&now] { return now; });
    model.setEndpoints(endpoints(3));
    EngineBatch batch;
    for (int id = 0; id < 3; ++id) {
        EndpointStatus st = status(id, u"oooo");
        st.nextProbeUtc = kT0.addSecs(10);
        batch.statuses.append(st);
    }
    model.applyBatch(batch);
    QCOMPARE(text(model, 2, Model::NextProbe), QStringLiteral("in 10 s"));

    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
    now = kT0.addSecs(4);
    model.refreshRelativeTimes();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toModelIndex(), model.index(0, Model::NextProbe));
    QCOMPARE(spy.at(0).at(1).toModelIndex(), model.index(2, Model::NextProbe));
    QCOMPARE(text(model, 2, Model::NextProbe), QStringLiteral("in 6 s"));
}

void TestEndpointTableModel::lastCheckedIsLocalClockTime()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(2));
    const QDateTime earlier = kT0.addSecs(-3600);
    model.applyBatch({ { result(0, 1, Outcome::Ok, 200, kT0), result(1, 1, Outcome::Ok, 200, earlier) }, {}, {}, {} });
    QCOMPARE(text(model, 0, Model::LastChecked), kT0.toLocalTime().toString(QStringLiteral("HH:mm:ss")));
    QVERIFY(model.index(0, Model::LastChecked).data(Model::SortRole).toLongLong()
        > model.index(1, Model::LastChecked).data(Model::SortRole).toLongLong());
}

void TestEndpointTableModel::seededHistoryFillsTrendAndUptime()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(2));

    // A live probe arrived before the history was read.
    model.applyBatch(resultsBatch({ { 0, 40 } }));
    model.applyBatch({ { result(0, 40, Outcome::Ok, 200, kT0.addSecs(100)) }, {}, {}, {} });

    QHash<QString, ProbeResults> stored;
    // Unordered, as a store might hand them over; the one at +100 s is not older than the live one.
    stored.insert(endpointName(0),
        { result(0, 30, Outcome::Ok, 200, kT0.addSecs(-10)), result(0, 10, Outcome::Ok, 200, kT0.addSecs(-30)),
            result(0, 2000, Outcome::Timeout, 0, kT0.addSecs(-20)),
            result(0, 99, Outcome::Ok, 200, kT0.addSecs(200)) });
    stored.insert(endpointName(1), { result(1, 7, Outcome::Ok, 200, kT0.addSecs(-5)) });
    stored.insert(QStringLiteral("not-configured"), { result(5, 7) });
    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
    model.seedHistory(stored);
    QCOMPARE(spy.count(), 1);

    const auto points = model.index(0, Model::Trend).data(Model::SparklineRole).value<QList<double>>();
    QCOMPARE(points.size(), 5);
    QCOMPARE(points.at(0), 10.0);
    QVERIFY(std::isnan(points.at(1)));
    QCOMPARE(points.at(2), 30.0);
    QCOMPARE(points.at(4), 40.0);
    QCOMPARE(text(model, 0, Model::Uptime), QStringLiteral("80.0 %"));
    QCOMPARE(model.lastResult(0)->startUtc, kT0.addSecs(100));
    // Row 1 had no live probe: its newest stored sample is its last result.
    QCOMPARE(text(model, 1, Model::LastLatency), QStringLiteral("7.0 ms"));
    QCOMPARE(text(model, 1, Model::Uptime), QStringLiteral("100.0 %"));

    // Seeding the same samples again adds nothing.
    model.seedHistory(stored);
    QCOMPARE(model.index(0, Model::Trend).data(Model::SparklineRole).value<QList<double>>().size(), 5);
}

void TestEndpointTableModel::rangeFiguresReplaceTheLiveWindow()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(2));
    model.applyBatch(resultsBatch({ { 0, 12 }, { 1, 15 } }));
    QCOMPARE(model.headerData(Model::P95, Qt::Horizontal).toString(), QStringLiteral("p95"));

    QSignalSpy headerSpy(&model, &QAbstractItemModel::headerDataChanged);
    Model::RangeFigures figures;
    figures.probes = 2880;
    figures.uptimePercent = 99.5;
    figures.p50Ms = 80;
    figures.p95Ms = 250;
    figures.p99Ms = 900;
    figures.errorRate = 0.125;
    model.setRangeFigures({ { endpointName(0), figures } }, QStringLiteral("24 h"));

    QCOMPARE(headerSpy.count(), 1);
    // The titles keep their length (the columns are sized from them); the range is in their tooltips.
    QCOMPARE(model.headerData(Model::P95, Qt::Horizontal).toString(), QStringLiteral("p95"));
    QCOMPARE(model.headerData(Model::Uptime, Qt::Horizontal).toString(), QStringLiteral("Uptime"));
    QVERIFY(model.headerData(Model::P95, Qt::Horizontal, Qt::ToolTipRole).toString().contains(u"24 h"));
    QVERIFY(model.headerData(Model::Uptime, Qt::Horizontal, Qt::ToolTipRole).toString().contains(u"24 h"));
    QCOMPARE(model.headerData(Model::LastLatency, Qt::Horizontal).toString(), QStringLiteral("Latency"));
    QCOMPARE(text(model, 0, Model::P95), QStringLiteral("250 ms"));
    QCOMPARE(text(model, 0, Model::ErrorRate), QStringLiteral("12.5 %"));
    QCOMPARE(text(model, 0, Model::Uptime), QStringLiteral("99.5 %"));
    QCOMPARE(model.index(0, Model::P99).data(Model::SortRole).toDouble(), 900.0);
    QCOMPARE(text(model, 0, Model::LastLatency), QStringLiteral("12 ms"));
    // No figures in that range for the other endpoint: nothing rather than live figures under a range header.
    QCOMPARE(text(model, 1, Model::P95), QString());
    QVERIFY(!model.index(1, Model::P95).data(Model::SortRole).isValid());

    model.setRangeFigures({}, {});
    QVERIFY(!model.showsRangeFigures());
    QCOMPARE(model.headerData(Model::P95, Qt::Horizontal).toString(), QStringLiteral("p95"));
    QCOMPARE(text(model, 0, Model::P95), QStringLiteral("12 ms"));
    QCOMPARE(text(model, 1, Model::P95), QStringLiteral("15 ms"));
}

void TestEndpointTableModel::rangeWithoutAnswersShowsNoPercentile()
{
    // Every probe in the range timed out: there is no latency to take a percentile of, not "0.0 ms".
    Model model;
    model.setEndpoints(endpoints(1));
    Model::RangeFigures figures;
    figures.probes = 40;
    figures.answered = 0;
    figures.errorRate = 1.0;
    model.setRangeFigures({ { endpointName(0), figures } }, QStringLiteral("1 h"));
    for (int column : { int(Model::P50), int(Model::P95), int(Model::P99) }) {
        QCOMPARE(text(model, 0, column), QStringLiteral("\u2014"));
        QVERIFY2(text(model, 0, column, Qt::ToolTipRole).contains(u"none answered"),
            qPrintable(text(model, 0, column, Qt::ToolTipRole)));
    }
    QCOMPARE(text(model, 0, Model::ErrorRate), QStringLiteral("100.0 %"));
    QVERIFY(model.headerData(Model::P95, Qt::Horizontal, Qt::ToolTipRole).toString().contains(u"answered"));
}

void TestEndpointTableModel::failedProbeHasNoLatency()
{
    Model model;
    model.setEndpoints(endpoints(3));
    EngineBatch batch;
    batch.results.append(result(0, 5000, Outcome::Timeout, 0));
    batch.results.append(result(1, 3, Outcome::Connection, 0));
    batch.results.append(result(2, 40, Outcome::ServerError, 500));
    model.applyBatch(batch);
    QCOMPARE(text(model, 0, Model::LastLatency), QStringLiteral("timeout"));
    QCOMPARE(text(model, 1, Model::LastLatency), QStringLiteral("no answer"));
    QCOMPARE(text(model, 2, Model::LastLatency), QStringLiteral("40 ms")); // a 500 is an answer
    QCOMPARE(text(model, 0, Model::P50), QString());
}

void TestEndpointTableModel::statusStripKeepsTheLast30ByOutcome()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(1));
    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
    EngineBatch batch;
    for (int i = 0; i < 33; ++i)
        batch.results.append(result(0, 10));
    batch.results.append(result(0, 5000, Outcome::Timeout, 0));
    batch.results.append(result(0, 10, Outcome::Auth, 401));
    batch.results.append(result(0, 10, Outcome::ServerError, 500));
    model.applyBatch(batch);
    const auto strip = model.index(0, Model::Recent).data(Model::StatusStripRole).value<QList<int>>();
    QCOMPARE(strip.size(), Model::kStripProbes);
    QCOMPARE(strip.first(), 0);
    QCOMPARE(strip.mid(strip.size() - 3), (QList<int> { 1, 2, 5 }));
    QVERIFY(spy.constLast().at(2).value<QList<int>>().contains(Model::StatusStripRole));
    QCOMPARE(model.headerData(Model::Recent, Qt::Horizontal).toString(), QStringLiteral("Recent"));
}

void TestEndpointTableModel::stateCountsForTheSummaryLine()
{
    Model model;
    model.setEndpoints(endpoints(5));
    EngineBatch batch;
    batch.statuses.append(status(0, u"oooo"));
    batch.statuses.append(status(1, u"owoo"));
    batch.statuses.append(status(2, u"cooo"));
    EndpointStatus paused = status(3, u"oooo");
    paused.nextReason = NextProbeReason::Paused;
    batch.statuses.append(paused);
    model.applyBatch(batch);
    const Model::StateCounts counts = model.stateCounts();
    QCOMPARE(counts.up, 2);
    QCOMPARE(counts.warning, 1);
    QCOMPARE(counts.critical, 1);
    QCOMPARE(counts.unknown, 1);
    QCOMPARE(counts.paused, 1);
    QVERIFY(model.index(3, Model::Name).data(Model::PausedRole).toBool());
    QVERIFY(!model.index(0, Model::Name).data(Model::PausedRole).toBool());
}

void TestEndpointTableModel::searchTextAndReason()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints({ endpoint(
        QStringLiteral("Chat-Completions"), QStringLiteral("https://API.example.com/v1"), { QStringLiteral("LLM") }) });
    EngineBatch batch;
    batch.statuses.append(
        status(0, u"owoc", { {}, QStringLiteral("JWT expires in 3 h"), {}, QStringLiteral("HTTP 429: rate limited") }));
    batch.statuses[0].name = QStringLiteral("Chat-Completions");
    model.applyBatch(batch);

    const QString search = model.index(0, 0).data(Model::SearchTextRole).toString();
    for (const char* part : { "chat-completions", "api.example.com", "https://api.example.com/v1", "llm",
             "jwt expires in 3 h", "http 429: rate limited" })
        QVERIFY2(search.contains(QLatin1StringView(part)), part);
    QCOMPARE(search, search.toLower());
    // The worst signal (S4 Critical) gives the row's reason and tooltip.
    QCOMPARE(model.index(0, Model::Name).data(Model::ReasonRole).toString(), QStringLiteral("HTTP 429: rate limited"));
    QCOMPARE(text(model, 0, Model::Circuit, Qt::ToolTipRole), QStringLiteral("HTTP 429: rate limited"));
    // The State cell's tooltip keeps the state word (the cell may show a mark instead), then the reason.
    QCOMPARE(text(model, 0, Model::State, Qt::ToolTipRole), QStringLiteral("Critical\nHTTP 429: rate limited"));
    QCOMPARE(
        text(model, 0, Model::SignalS2, Qt::ToolTipRole), QStringLiteral("Auth & credentials: JWT expires in 3 h"));
}

void TestEndpointTableModel::setEndpointsKeepsNothingOfOldRows()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(3));
    model.applyBatch({ { result(0, 10) }, {}, { status(0, u"cooo") }, {} });
    QSignalSpy resetSpy(&model, &QAbstractItemModel::modelReset);
    model.setEndpoints(endpoints(2));
    QCOMPARE(resetSpy.count(), 1);
    QCOMPARE(model.rowCount(), 2);
    QVERIFY(!model.lastResult(0));
    QCOMPARE(text(model, 0, Model::State), QStringLiteral("Unknown"));
    QCOMPARE(text(model, 0, Model::Uptime), QString());
}

void TestEndpointTableModel::updateEndpointsKeepsTheRowsThatStay()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<EndpointConfig> config = endpoints(4);
    for (int i = 0; i < config.size(); ++i)
        config[i].id = u"id-%1"_s.arg(i);
    model.setEndpoints(config);
    EngineBatch batch;
    for (int i = 0; i < 4; ++i) {
        ProbeResult r = result(i, 10.0 + i);
        r.endpointKey = config[i].id;
        batch.results << r;
        EndpointStatus s = status(i, u"cooo");
        s.key = config[i].id;
        batch.statuses << s;
    }
    model.applyBatch(batch);

    // Remove #1, rename #0, new URL for #3, add one at the front: no reset, the others keep their data.
    QList<EndpointConfig> next = config;
    next.removeAt(1);
    next[0].name = u"renamed"_s;
    next[2].url = QUrl(u"http://127.0.0.1:9999/other"_s);
    EndpointConfig added = endpoint(u"added"_s, u"http://127.0.0.1:7000/"_s);
    added.id = u"id-new"_s;
    next.prepend(added);
    QSignalSpy resetSpy(&model, &QAbstractItemModel::modelReset);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.updateEndpoints(next);
    QCOMPARE(resetSpy.count(), 0);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.rowOfKey(u"id-new"_s), 0);
    QCOMPARE(model.rowOfKey(u"id-1"_s), -1);
    const int renamed = model.rowOfKey(u"id-0"_s);
    QCOMPARE(renamed, 1);
    QCOMPARE(model.endpoint(renamed).name, u"renamed"_s);
    QCOMPARE(text(model, renamed, Model::State), QStringLiteral("Critical"));
    QVERIFY(model.lastResult(renamed));
    QCOMPARE(text(model, model.rowOfKey(u"id-2"_s), Model::State), QStringLiteral("Critical"));
    // A new URL is another request: that row starts over.
    const int moved = model.rowOfKey(u"id-3"_s);
    QVERIFY(!model.lastResult(moved));
    QCOMPARE(text(model, moved, Model::State), QStringLiteral("Unknown"));
    QCOMPARE(text(model, 0, Model::State), QStringLiteral("Unknown"));

    // Batches find their rows by key after the change, whatever the row numbers became.
    ProbeResult later = result(2, 50.0);
    later.endpointKey = u"id-2"_s;
    later.endpoint = config[2].name;
    model.applyBatch({ { later }, {}, {}, {} });
    QCOMPARE(model.lastResult(model.rowOfKey(u"id-2"_s))->latencyUs, 50'000);
}

void TestEndpointTableModel::roleNamesComeFromTheEnum()
{
    Model model;
    const auto names = model.roleNames();
    QCOMPARE(names.value(Model::SortRole), QByteArray("sort"));
    QCOMPARE(names.value(Model::EndpointIdRole), QByteArray("endpointId"));
    QCOMPARE(names.value(Model::SparklineRole), QByteArray("sparkline"));
    QCOMPARE(names.value(Model::SearchTextRole), QByteArray("searchText"));
    QCOMPARE(names.value(Qt::DisplayRole), QByteArray("display"));
}

QTEST_GUILESS_MAIN(TestEndpointTableModel)
#include "tst_endpointtablemodel.moc"
