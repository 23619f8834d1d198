// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/ModelFixtures.h"
#include "itemmodels/SignalSummaryModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace sd;
using namespace sd::fixtures;
using Model = SignalSummaryModel;

class TestSignalSummaryModel : public QObject {
    Q_OBJECT

private slots:
    void fourRowsInSignalOrder();
    void countsPerSignal();
    void latestReasonFollowsTheMostRecentChange();
    void onlyChangedRowsAreSignalled();
    void worstStateChangedOnChangeOnly();
    void unknownAndStaleStatusesAreIgnored();
    void remoteEndpointsCountWithTheLocalOnes();
};

namespace {

int value(const Model& m, FailureSignal s, int role)
{
    return m.index(m.rowOf(s)).data(role).toInt();
}

EngineBatch statusBatch(const QList<EndpointStatus>& statuses)
{
    EngineBatch b;
    b.statuses = statuses;
    return b;
}

} // namespace

void TestSignalSummaryModel::fourRowsInSignalOrder()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(2));
    QCOMPARE(model.rowCount(), 4);
    QStringList codes;
    for (int row = 0; row < model.rowCount(); ++row)
        codes.append(model.index(row).data(Model::CodeRole).toString());
    QCOMPARE(codes,
        (QStringList { QStringLiteral("S1"), QStringLiteral("S2"), QStringLiteral("S3"), QStringLiteral("S4") }));
    QCOMPARE(model.rowOf(FailureSignal::S3), 2);
    QCOMPARE(model.rowOf(FailureSignal::None), -1);
    QCOMPARE(model.index(1).data(Model::SignalRole).toInt(), int(FailureSignal::S2));
    QCOMPARE(model.index(1).data(Model::TitleRole).toString(), QStringLiteral("Auth & credentials"));
    QCOMPARE(model.index(1).data(Model::ActionRole).toString(), signalAction(FailureSignal::S2));
    QCOMPARE(model.index(0).data(Model::WorstStateRole).toInt(), int(SignalState::Unknown));
    QCOMPARE(model.worstState(), SignalState::Unknown);
    QCOMPARE(model.roleNames().value(Model::LatestReasonEndpointRole), QByteArray("latestReasonEndpoint"));
}

void TestSignalSummaryModel::countsPerSignal()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(6));
    // S1: 2 critical, 1 warning; S2: 1 critical; S3: all OK; S4: 1 warning; one endpoint not probed yet.
    model.applyBatch(statusBatch(
        { status(0, u"cooo"), status(1, u"cooo"), status(2, u"wcow"), status(3, u"oooo"), status(4, u"oooo") }));

    QCOMPARE(value(model, FailureSignal::S1, Model::CriticalCountRole), 2);
    QCOMPARE(value(model, FailureSignal::S1, Model::WarningCountRole), 1);
    QCOMPARE(value(model, FailureSignal::S1, Model::WorstStateRole), int(SignalState::Critical));
    QCOMPARE(value(model, FailureSignal::S2, Model::CriticalCountRole), 1);
    QCOMPARE(value(model, FailureSignal::S2, Model::WarningCountRole), 0);
    QCOMPARE(value(model, FailureSignal::S3, Model::WorstStateRole), int(SignalState::Ok));
    QCOMPARE(value(model, FailureSignal::S3, Model::CriticalCountRole), 0);
    QCOMPARE(value(model, FailureSignal::S4, Model::WorstStateRole), int(SignalState::Warning));
    QCOMPARE(value(model, FailureSignal::S4, Model::WarningCountRole), 1);
    QCOMPARE(model.worstState(), SignalState::Critical);
    // Nothing to explain for an OK signal.
    QCOMPARE(model.index(model.rowOf(FailureSignal::S3)).data(Model::LatestReasonRole).toString(), QString());
    QCOMPARE(
        model.index(model.rowOf(FailureSignal::S4)).data(Model::LatestReasonEndpointRole).toString(), endpointName(2));

    // Recovery lowers the counts.
    model.applyBatch(statusBatch({ status(0, u"oooo"), status(2, u"oooo") }));
    QCOMPARE(value(model, FailureSignal::S1, Model::CriticalCountRole), 1);
    QCOMPARE(value(model, FailureSignal::S1, Model::WarningCountRole), 0);
    QCOMPARE(value(model, FailureSignal::S2, Model::WorstStateRole), int(SignalState::Ok));
    QCOMPARE(value(model, FailureSignal::S4, Model::WarningCountRole), 0);
}

void TestSignalSummaryModel::latestReasonFollowsTheMostRecentChange()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(3));
    const QModelIndex s2 = model.index(model.rowOf(FailureSignal::S2));

    model.applyBatch(statusBatch({ status(0, u"owoo", { {}, QStringLiteral("JWT expires in 3 h") }) }));
    QCOMPARE(s2.data(Model::LatestReasonRole).toString(), QStringLiteral("JWT expires in 3 h"));

    model.applyBatch(statusBatch({ status(1, u"ocoo", { {}, QStringLiteral("HTTP 401: credential rejected") }) }));
    // The worst state wins over a more recent warning.
    model.applyBatch(statusBatch({ status(2, u"owoo", { {}, QStringLiteral("credential 95 days old") }) }));
    QCOMPARE(s2.data(Model::LatestReasonRole).toString(), QStringLiteral("HTTP 401: credential rejected"));
    QCOMPARE(s2.data(Model::LatestReasonEndpointRole).toString(), endpointName(1));

    model.applyBatch(statusBatch({ status(0, u"ocoo", { {}, QStringLiteral("HTTP 403: permission denied") }) }));
    QCOMPARE(s2.data(Model::LatestReasonRole).toString(), QStringLiteral("HTTP 403: permission denied"));
    QCOMPARE(s2.data(Model::LatestReasonEndpointRole).toString(), endpointName(0));

    // An unchanged status re-sent by the engine does not make an older reason "latest".
    model.applyBatch(statusBatch({ status(1, u"ocoo", { {}, QStringLiteral("HTTP 401: credential rejected") }) }));
    QCOMPARE(s2.data(Model::LatestReasonEndpointRole).toString(), endpointName(0));
}

void TestSignalSummaryModel::onlyChangedRowsAreSignalled()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(2));
    model.applyBatch(statusBatch({ status(0, u"oooo"), status(1, u"oooo") }));

    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
    model.applyBatch(statusBatch({ status(1, u"ocoo") }));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toModelIndex().row(), 1);
    QCOMPARE(spy.at(0).at(1).toModelIndex().row(), 1);
    const auto roles = spy.at(0).at(2).value<QList<int>>();
    QVERIFY(roles.contains(Model::WorstStateRole));
    QVERIFY(roles.contains(Model::CriticalCountRole));

    // S3 and S4 change together: one signal for the run of rows 2-3.
    spy.clear();
    model.applyBatch(statusBatch({ status(1, u"ocww") }));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toModelIndex().row(), 2);
    QCOMPARE(spy.at(0).at(1).toModelIndex().row(), 3);

    spy.clear();
    model.applyBatch(statusBatch({ status(1, u"ocww") }));
    model.applyBatch({});
    QCOMPARE(spy.count(), 0);
}

void TestSignalSummaryModel::worstStateChangedOnChangeOnly()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy spy(&model, &Model::worstStateChanged);
    model.setEndpoints(endpoints(2));
    QCOMPARE(spy.count(), 0);

    model.applyBatch(statusBatch({ status(0, u"oooo"), status(1, u"oooo") }));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).value<SignalState>(), SignalState::Ok);

    model.applyBatch(statusBatch({ status(0, u"oowo") }));
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.last().at(0).value<SignalState>(), SignalState::Warning);

    // Another endpoint also warning: still Warning, no signal.
    model.applyBatch(statusBatch({ status(1, u"wooo") }));
    QCOMPARE(spy.count(), 2);

    model.applyBatch(statusBatch({ status(1, u"cooo") }));
    QCOMPARE(spy.count(), 3);
    QCOMPARE(model.worstState(), SignalState::Critical);

    model.applyBatch(statusBatch({ status(0, u"oooo"), status(1, u"oooo") }));
    QCOMPARE(spy.count(), 4);
    QCOMPARE(spy.last().at(0).value<SignalState>(), SignalState::Ok);

    // A new config starts from nothing known.
    model.setEndpoints(endpoints(1));
    QCOMPARE(spy.count(), 5);
    QCOMPARE(model.worstState(), SignalState::Unknown);
}

void TestSignalSummaryModel::unknownAndStaleStatusesAreIgnored()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(1));
    EndpointStatus renamed = status(0, u"cccc");
    renamed.name = QStringLiteral("removed");
    model.applyBatch(statusBatch({ status(4, u"cccc"), renamed }));
    QCOMPARE(model.worstState(), SignalState::Unknown);
    QCOMPARE(value(model, FailureSignal::S1, Model::CriticalCountRole), 0);
}

void TestSignalSummaryModel::remoteEndpointsCountWithTheLocalOnes()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEndpoints(endpoints(2));
    model.applyBatch(statusBatch({ status(0, u"cooo"), status(1, u"oooo") }));
    QSignalSpy worst(&model, &Model::worstStateChanged);
    Model::RemoteEndpointSignals broken { QStringLiteral("remote:prom/us-east/checkout"),
        QStringLiteral("checkout @ us-east"), {}, {} };
    broken.states = { SignalState::Critical, SignalState::Ok, SignalState::Ok, SignalState::Warning };
    broken.reasons[0] = QStringLiteral("critical as probed from us-east (prom)");
    broken.reasons[3] = QStringLiteral("warning as probed from us-east (prom)");
    model.setRemoteEndpoints({ broken });
    QCOMPARE(value(model, FailureSignal::S1, Model::CriticalCountRole), 2); // one local, one remote
    QCOMPARE(value(model, FailureSignal::S4, Model::WarningCountRole), 1);
    QCOMPARE(worst.size(), 0); // already Critical
    QCOMPARE(model.index(model.rowOf(FailureSignal::S4)).data(Model::LatestReasonEndpointRole).toString(),
        QStringLiteral("checkout @ us-east"));
    // The remote set is replaced as a whole: a source that went stale gives an empty one.
    model.setRemoteEndpoints({});
    QCOMPARE(value(model, FailureSignal::S1, Model::CriticalCountRole), 1);
    QCOMPARE(value(model, FailureSignal::S4, Model::WorstStateRole), int(SignalState::Ok));
}

QTEST_GUILESS_MAIN(TestSignalSummaryModel)
#include "tst_signalsummarymodel.moc"
