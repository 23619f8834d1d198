// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/EndpointFilterProxy.h"
#include "itemmodels/EndpointTableModel.h"
#include "itemmodels/ModelFixtures.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace sd;
using namespace sd::fixtures;

class TestEndpointFilterProxy : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void signalFilterShowsOnlyEndpointsRaisingIt();
    void rowsFollowTheBatchThatChangedThem();
    void textTagAndStateFilters();
    void filterChangedOnlyOnChange();
    void heldOrderStaysUntilReleased();

private:
    QStringList visibleNames() const;

    std::unique_ptr<EndpointTableModel> m_model;
    std::unique_ptr<EndpointFilterProxy> m_proxy;
    std::unique_ptr<QAbstractItemModelTester> m_modelTester;
    std::unique_ptr<QAbstractItemModelTester> m_proxyTester;
};

void TestEndpointFilterProxy::heldOrderStaysUntilReleased()
{
    const auto order = [this] {
        QStringList names;
        for (int row = 0; row < m_proxy->rowCount(); ++row)
            names.append(m_proxy->index(row, EndpointTableModel::Name).data().toString());
        return names;
    };
    m_proxy->sort(EndpointTableModel::State, Qt::DescendingOrder);
    const QStringList sorted = order();
    QCOMPARE(sorted.first(), endpointName(0)); // critical first (ties keep the model's order)
    // The pointer is over the table: a batch that makes endpoint 3 critical and 0 OK moves nothing.
    m_proxy->holdOrder();
    m_proxy->holdOrder(); // and a row's menu is open
    QVERIFY(m_proxy->orderHeld());
    EngineBatch batch;
    batch.statuses = { status(0, u"oooo"), status(3, u"cccc") };
    m_model->applyBatch(batch);
    QCOMPARE(order(), sorted);
    m_proxy->releaseOrder();
    QCOMPARE(order(), sorted); // the menu closed, the pointer is still there
    m_proxy->releaseOrder();
    QVERIFY(!m_proxy->orderHeld());
    QVERIFY(order() != sorted);
    QVERIFY(order().indexOf(endpointName(3)) < order().indexOf(endpointName(0))); // critical above OK now
    // Following the data again.
    batch.statuses = { status(4, u"cccc") };
    m_model->applyBatch(batch);
    QVERIFY(order().indexOf(endpointName(4)) < order().indexOf(endpointName(0)));
    m_proxy->releaseOrder(); // one release too many: harmless
    QVERIFY(!m_proxy->orderHeld());
}

QStringList TestEndpointFilterProxy::visibleNames() const
{
    QStringList names;
    for (int row = 0; row < m_proxy->rowCount(); ++row)
        names.append(m_proxy->index(row, EndpointTableModel::Name).data().toString());
    names.sort();
    return names;
}

void TestEndpointFilterProxy::init()
{
    m_model = std::make_unique<EndpointTableModel>();
    m_proxy = std::make_unique<EndpointFilterProxy>();
    m_modelTester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_proxy->setSourceModel(m_model.get());
    m_proxyTester = std::make_unique<QAbstractItemModelTester>(
        m_proxy.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);

    QList<EndpointConfig> configs = endpoints(5);
    configs[0].tags = QStringList { QStringLiteral("prod") };
    configs[1].tags = QStringList { QStringLiteral("prod"), QStringLiteral("llm") };
    configs[4].url = QUrl(QStringLiteral("https://pay.example.com/health"));
    m_model->setEndpoints(configs);
    EngineBatch batch;
    batch.statuses = { status(0, u"cooo"), status(1, u"ocoo"), status(2, u"wooc"), status(3, u"oooo") };
    m_model->applyBatch(batch);
}

void TestEndpointFilterProxy::cleanup()
{
    m_proxyTester.reset();
    m_modelTester.reset();
    m_proxy.reset();
    m_model.reset();
}

void TestEndpointFilterProxy::signalFilterShowsOnlyEndpointsRaisingIt()
{
    QCOMPARE(m_proxy->rowCount(), 5);
    m_proxy->setSignalFilter(FailureSignal::S1);
    QCOMPARE(m_proxy->signalFilter(), FailureSignal::S1);
    QCOMPARE(visibleNames(), (QStringList { endpointName(0), endpointName(2) }));
    m_proxy->setSignalFilter(FailureSignal::S2);
    QCOMPARE(visibleNames(), QStringList { endpointName(1) });
    m_proxy->setSignalFilter(FailureSignal::S3);
    QCOMPARE(m_proxy->rowCount(), 0);
    m_proxy->setSignalFilter(FailureSignal::None);
    QCOMPARE(m_proxy->rowCount(), 5);
}

void TestEndpointFilterProxy::rowsFollowTheBatchThatChangedThem()
{
    m_proxy->setSignalFilter(FailureSignal::S2);
    QCOMPARE(visibleNames(), QStringList { endpointName(1) });

    // Endpoint 3 starts raising S2 while endpoint 1 recovers: one batch, and the proxy follows it.
    m_model->applyBatch({ {}, {}, { status(3, u"owoo"), status(1, u"oooo") }, {} });
    QCOMPARE(visibleNames(), QStringList { endpointName(3) });

    // A reason changing while the state stays is matched by the text filter too.
    m_proxy->setSignalFilter(FailureSignal::None);
    m_proxy->setFilterText(QStringLiteral("expired"));
    QCOMPARE(m_proxy->rowCount(), 0);
    m_model->applyBatch({ {}, {}, { status(3, u"owoo", { {}, QStringLiteral("JWT expired") }) }, {} });
    QCOMPARE(visibleNames(), QStringList { endpointName(3) });
}

void TestEndpointFilterProxy::textTagAndStateFilters()
{
    m_proxy->setFilterText(QStringLiteral("pay.example"));
    QCOMPARE(visibleNames(), QStringList { endpointName(4) });
    m_proxy->setFilterText(QStringLiteral("tag:prod"));
    QCOMPARE(visibleNames(), (QStringList { endpointName(0), endpointName(1) }));
    m_proxy->setFilterText({});
    m_proxy->setTagFilter(QStringLiteral("llm"));
    QCOMPARE(visibleNames(), QStringList { endpointName(1) });
    m_proxy->setTagFilter({});
    m_proxy->setMinimumState(SignalState::Critical);
    QCOMPARE(visibleNames(), (QStringList { endpointName(0), endpointName(1), endpointName(2) }));
    m_proxy->setMinimumState(SignalState::Ok);
    QCOMPARE(m_proxy->rowCount(), 4); // endpoint 4 is still unknown
    m_proxy->setMinimumState(std::nullopt);
    QCOMPARE(m_proxy->rowCount(), 5);
    QVERIFY(m_proxy->filter().isEmpty());
}

void TestEndpointFilterProxy::filterChangedOnlyOnChange()
{
    QSignalSpy spy(m_proxy.get(), &EndpointFilterProxy::filterChanged);
    m_proxy->setFilterText(QStringLiteral("chat"));
    m_proxy->setFilterText(QStringLiteral("chat"));
    QCOMPARE(spy.count(), 1);
    m_proxy->setSignalFilter(FailureSignal::S4);
    m_proxy->setSignalFilter(FailureSignal::S4);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(m_proxy->filter().text, QStringLiteral("chat"));
    QCOMPARE(m_proxy->filter().signal, FailureSignal::S4);
    QCOMPARE(m_proxy->sortRole(), int(EndpointTableModel::SortRole));
}

QTEST_GUILESS_MAIN(TestEndpointFilterProxy)
#include "tst_endpointfilterproxy.moc"
