// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/EventLogModel.h"
#include "itemmodels/ModelFixtures.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace sd;
using namespace sd::fixtures;
using Model = EventLogModel;

class TestEventLogModel : public QObject {
    Q_OBJECT

private slots:
    void newestFirst();
    void capacityDropsTheOldest();
    void shrinkingCapacityDropsAtOnce();
    void tenThousandByDefault();
    void texts();
    void circuitEvents();
    void applyBatchTakesTheEvents();
    void oneRowPerTransition();
};

namespace {

/// `count` S1 events numbered from `first`; event n happens n seconds after kT0 and says "event n".
EngineEvents numbered(int first, int count)
{
    EngineEvents out;
    for (int n = first; n < first + count; ++n)
        out.append(fixtures::event(n % 3, FailureSignal::S1, QStringLiteral("ok"), QStringLiteral("warning"),
            SignalState::Warning, kT0.addSecs(n), QStringLiteral("event %1").arg(n)));
    return out;
}

QString reasonAt(const Model& m, int row)
{
    return m.index(row, Model::Reason).data().toString();
}

} // namespace

void TestEventLogModel::newestFirst()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    model.appendEvents(numbered(1, 2));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 1);
    QCOMPARE(reasonAt(model, 0), QStringLiteral("event 2"));
    QCOMPARE(reasonAt(model, 1), QStringLiteral("event 1"));

    model.appendEvents(numbered(3, 1));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(reasonAt(model, 0), QStringLiteral("event 3"));
    QCOMPARE(model.eventAt(2).reason, QStringLiteral("event 1"));
    QCOMPARE(model.eventAt(7).reason, QString());

    model.appendEvents({});
    QCOMPARE(inserted.count(), 2);
}

void TestEventLogModel::capacityDropsTheOldest()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCapacity(3);
    model.appendEvents(numbered(1, 2));
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.appendEvents(numbered(3, 2));

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(reasonAt(model, 0), QStringLiteral("event 4"));
    QCOMPARE(reasonAt(model, 2), QStringLiteral("event 2"));

    // A batch larger than the capacity keeps only its newest events.
    model.appendEvents(numbered(10, 5));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(reasonAt(model, 0), QStringLiteral("event 14"));
    QCOMPARE(reasonAt(model, 2), QStringLiteral("event 12"));
}

void TestEventLogModel::shrinkingCapacityDropsAtOnce()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendEvents(numbered(1, 10));
    model.setCapacity(4);
    QCOMPARE(model.capacity(), 4);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(reasonAt(model, 0), QStringLiteral("event 10"));
    QCOMPARE(reasonAt(model, 3), QStringLiteral("event 7"));
}

void TestEventLogModel::tenThousandByDefault()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.capacity(), 10'000);
    model.appendEvents(numbered(1, 9'999));
    QCOMPARE(model.rowCount(), 9'999);
    model.appendEvents(numbered(10'000, 6));
    QCOMPARE(model.rowCount(), 10'000);
    QCOMPARE(reasonAt(model, 0), QStringLiteral("event 10005"));
    QCOMPARE(reasonAt(model, 9'999), QStringLiteral("event 6"));
}

void TestEventLogModel::texts()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setClock([] { return kT0; });
    const QDateTime lastWeek = kT0.addDays(-7);
    model.appendEvents({ fixtures::event(1, FailureSignal::S2, QStringLiteral("ok"), QStringLiteral("critical"),
                             SignalState::Critical, lastWeek, QStringLiteral("HTTP 401: credential rejected")),
        fixtures::event(
            2, FailureSignal::None, QStringLiteral("warning"), QStringLiteral("ok"), SignalState::Ok, kT0) });

    QCOMPARE(model.index(0, Model::Time).data().toString(), kT0.toLocalTime().toString(QStringLiteral("HH:mm:ss")));
    QCOMPARE(model.index(1, Model::Time).data().toString(),
        lastWeek.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    QCOMPARE(model.index(0, Model::Signal).data().toString(), QStringLiteral("overall"));
    QCOMPARE(model.index(1, Model::Signal).data().toString(), QStringLiteral("S2"));
    QCOMPARE(model.index(1, Model::Signal).data(Qt::ToolTipRole).toString(), QStringLiteral("Auth & credentials"));
    QCOMPARE(model.index(1, Model::Transition).data().toString(), QStringLiteral("ok \u2192 critical"));
    QCOMPARE(model.index(1, Model::Endpoint).data().toString(), endpointName(1));
    QCOMPARE(model.index(1, Model::Reason).data().toString(), QStringLiteral("HTTP 401: credential rejected"));
    QCOMPARE(model.index(1, Model::Reason).data(Model::KindRole).toString(), QStringLiteral("signal"));
    QCOMPARE(model.index(1, Model::Time).data(Model::ToStateRole).toInt(), int(SignalState::Critical));
    QCOMPARE(model.index(1, Model::Time).data(Model::EndpointIdRole).toInt(), 1);
    QCOMPARE(model.index(1, Model::Time).data(Model::SortRole).toLongLong(), lastWeek.toMSecsSinceEpoch());
    QCOMPARE(model.headerData(Model::Transition, Qt::Horizontal).toString(), QStringLiteral("Transition"));
    QCOMPARE(model.roleNames().value(Model::ToStateRole), QByteArray("toState"));
}

void TestEventLogModel::circuitEvents()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    EngineEvent e = fixtures::event(0, FailureSignal::None, QStringLiteral("closed"), QStringLiteral("open"),
        SignalState::Critical, kT0, QStringLiteral("6 of the last 10 attempts failed"));
    e.kind = EngineEvent::Kind::Circuit;
    model.appendEvents({ e });
    QCOMPARE(model.index(0, Model::Signal).data().toString(), QStringLiteral("circuit"));
    QCOMPARE(model.index(0, Model::Transition).data().toString(), QStringLiteral("closed \u2192 open"));
    QCOMPARE(model.index(0, Model::Signal).data(Model::KindRole).toString(), QStringLiteral("circuit"));
    QCOMPARE(model.index(0, Model::Signal).data(Model::ToStateRole).toInt(), int(SignalState::Critical));
}

void TestEventLogModel::applyBatchTakesTheEvents()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    EngineBatch batch;
    batch.events = numbered(1, 3);
    batch.results.append(result(0, 10));
    model.applyBatch(batch);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(reasonAt(model, 0), QStringLiteral("event 3"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestEventLogModel::oneRowPerTransition()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // S1 turning critical comes with the overall transition of the same endpoint at the same time.
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);
    EngineEvent s1 = fixtures::event(
        0, FailureSignal::S1, QStringLiteral("ok"), QStringLiteral("critical"), SignalState::Critical, at);
    EngineEvent overall = s1;
    overall.signal = FailureSignal::None;
    // An overall change no signal row of the batch tells (another endpoint) keeps its row.
    EngineEvent other = fixtures::event(
        1, FailureSignal::None, QStringLiteral("ok"), QStringLiteral("warning"), SignalState::Warning, at);
    model.appendEvents({ s1, overall, other });
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.eventAt(1).signal, FailureSignal::S1);
    QCOMPARE(model.eventAt(0).endpointId, 1);
}

QTEST_GUILESS_MAIN(TestEventLogModel)
#include "tst_eventlogmodel.moc"
