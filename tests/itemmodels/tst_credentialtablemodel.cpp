// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/CredentialTableModel.h"
#include "itemmodels/ModelFixtures.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace sd;
using namespace sd::fixtures;
using Model = CredentialTableModel;

class TestCredentialTableModel : public QObject {
    Q_OBJECT

private slots:
    void listsMetadataAndUsers();
    void ageAndExpiry_data();
    void ageAndExpiry();
    void s2IsTheWorstOfItsEndpoints();
    void advisoryWhileProbesSucceed();
    void unusedCredentialShowsItsAdvisory();
    void statusesSurviveANewConfig();
    void clockMovesTheCountdown();
};

namespace {

CredentialConfig credential(const QString& id, const QString& label = {})
{
    CredentialConfig c;
    c.id = id;
    c.label = label;
    return c;
}

/// Credential "llm" used by ep-0000 and ep-0001, "pay" used by ep-0002, "spare" used by nobody.
AppConfig threeCredentials()
{
    AppConfig config;
    CredentialConfig llm = credential(QStringLiteral("llm"), QStringLiteral("LLM API"));
    llm.created = kT0.addDays(-10);
    llm.rotated = kT0.addDays(-3);
    llm.fingerprint = QStringLiteral("0123abcd");
    CredentialConfig pay = credential(QStringLiteral("pay"));
    pay.scheme = QStringLiteral("header:X-Api-Key");
    config.credentials = { llm, pay, credential(QStringLiteral("spare")) };
    config.endpoints = endpoints(4);
    config.endpoints[0].credential = QStringLiteral("llm");
    config.endpoints[1].credential = QStringLiteral("llm");
    config.endpoints[2].credential = QStringLiteral("pay");
    return config;
}

QString text(const Model& m, int row, int column)
{
    return m.index(row, column).data().toString();
}

SignalState state(const Model& m, int row)
{
    return static_cast<SignalState>(m.index(row, Model::S2).data(Model::StateRole).toInt());
}

} // namespace

void TestCredentialTableModel::listsMetadataAndUsers()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setClock([] { return kT0; });
    model.setConfig(threeCredentials());

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(text(model, 0, Model::Id), QStringLiteral("llm"));
    QCOMPARE(text(model, 0, Model::Label), QStringLiteral("LLM API"));
    QCOMPARE(text(model, 0, Model::Scheme), QStringLiteral("bearer"));
    QCOMPARE(text(model, 0, Model::Endpoints), QStringLiteral("ep-0000, ep-0001"));
    QCOMPARE(text(model, 0, Model::Fingerprint), QStringLiteral("0123abcd"));
    QCOMPARE(text(model, 1, Model::Scheme), QStringLiteral("header:X-Api-Key"));
    QCOMPARE(text(model, 1, Model::Fingerprint), QStringLiteral("—"));
    QCOMPARE(text(model, 2, Model::Endpoints), QStringLiteral("—"));
    QCOMPARE(model.endpointsOf(0), QStringList({ QStringLiteral("ep-0000"), QStringLiteral("ep-0001") }));
    QCOMPARE(model.rowOf(QStringLiteral("pay")), 1);
    QCOMPARE(model.rowOf(QStringLiteral("nope")), -1);
    QCOMPARE(model.credential(2).id, QStringLiteral("spare"));
    QCOMPARE(model.credential(9).id, QString());
    QCOMPARE(model.index(1, Model::Age).data(Model::CredentialIdRole).toString(), QStringLiteral("pay"));
    QCOMPARE(model.roleNames().value(Model::StateRole), QByteArray("state"));
    QCOMPARE(model.headerData(Model::Endpoints, Qt::Horizontal).toString(), QStringLiteral("Used by"));
    // Used credentials wait for their endpoints' first status.
    QCOMPARE(state(model, 0), SignalState::Unknown);
    QCOMPARE(text(model, 0, Model::S2), QStringLiteral("Unknown"));
}

void TestCredentialTableModel::ageAndExpiry_data()
{
    QTest::addColumn<qint64>("rotatedSecsAgo"); // -1 = never recorded
    QTest::addColumn<qint64>("expiresInSecs"); // 0 = no expiry
    QTest::addColumn<QString>("age");
    QTest::addColumn<QString>("expires");

    QTest::newRow("unknown times") << qint64(-1) << qint64(0) << QStringLiteral("unknown") << QStringLiteral("—");
    QTest::newRow("just rotated") << qint64(20) << qint64(0) << QStringLiteral("< 1 min") << QStringLiteral("—");
    QTest::newRow("hours old, expires in minutes")
        << qint64(5 * 3600 + 120) << qint64(12 * 60 + 5) << QStringLiteral("5 h 2 min") << QStringLiteral("in 12 min");
    QTest::newRow("days old, expires in days") << qint64(40 * 86400 + 7200) << qint64(2 * 86400 + 4 * 3600 + 30)
                                               << QStringLiteral("40 d") << QStringLiteral("in 2 d 4 h");
    QTest::newRow("expired") << qint64(86400) << qint64(-(3 * 3600 + 60)) << QStringLiteral("1 d")
                             << QStringLiteral("expired 3 h 1 min ago");
}

void TestCredentialTableModel::ageAndExpiry()
{
    QFETCH(qint64, rotatedSecsAgo);
    QFETCH(qint64, expiresInSecs);
    QFETCH(QString, age);
    QFETCH(QString, expires);

    AppConfig config;
    CredentialConfig c = credential(QStringLiteral("c"));
    if (rotatedSecsAgo >= 0)
        c.rotated = kT0.addSecs(-rotatedSecsAgo);
    if (expiresInSecs != 0)
        c.expires = kT0.addSecs(expiresInSecs);
    config.credentials = { c };
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setClock([] { return kT0; });
    model.setConfig(config);

    QCOMPARE(text(model, 0, Model::Age), age);
    QCOMPARE(text(model, 0, Model::Expires), expires);
}

void TestCredentialTableModel::s2IsTheWorstOfItsEndpoints()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setClock([] { return kT0; });
    model.setConfig(threeCredentials());
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.applyStatuses({ status(0, u"oooo"), status(1, u"oooo"), status(2, u"oooo") });
    QCOMPARE(state(model, 0), SignalState::Ok);
    QCOMPARE(state(model, 1), SignalState::Ok);
    QCOMPARE(changed.count(), 1);
    QVERIFY(changed.at(0).at(2).value<QList<int>>().contains(Model::StateRole));

    // Only the changed endpoint arrives; its credential turns Critical and says which endpoint and why.
    model.applyStatuses({ status(1, u"oc-o", { {}, QStringLiteral("HTTP 401 invalid_token") }) });
    QCOMPARE(state(model, 0), SignalState::Critical);
    QCOMPARE(text(model, 0, Model::S2), QStringLiteral("Critical"));
    QCOMPARE(
        model.index(0, Model::S2).data(Qt::ToolTipRole).toString(), QStringLiteral("ep-0001: HTTP 401 invalid_token"));
    QCOMPARE(model.s2State(1), SignalState::Ok);
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.at(1).at(0).value<QModelIndex>().row(), 0);
    QCOMPARE(changed.at(1).at(1).value<QModelIndex>().row(), 0);

    // Other signals do not matter; S2 back to OK clears the reason.
    model.applyStatuses({ status(1, u"cooc") });
    QCOMPARE(state(model, 0), SignalState::Ok);
    QCOMPARE(model.index(0, Model::S2).data(Model::ReasonRole).toString(), QString());

    // Nothing changed, nothing emitted.
    const int before = static_cast<int>(changed.count());
    model.applyBatch(EngineBatch { {}, {}, { status(2, u"oooo") }, {} });
    QCOMPARE(changed.count(), before);
}

void TestCredentialTableModel::advisoryWhileProbesSucceed()
{
    AppConfig config = threeCredentials();
    config.credentials[0].expires = kT0.addSecs(3600); // a JWT that expires within the hour
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setClock([] { return kT0; });
    model.setConfig(config);
    model.applyStatuses({ status(0, u"oooo"), status(1, u"oooo") });

    QCOMPARE(state(model, 0), SignalState::Warning);
    QVERIFY2(model.index(0, Model::S2).data(Model::ReasonRole).toString().contains(QStringLiteral("expires")),
        qPrintable(model.index(0, Model::S2).data(Model::ReasonRole).toString()));
}

void TestCredentialTableModel::unusedCredentialShowsItsAdvisory()
{
    AppConfig config = threeCredentials();
    config.credentials[2].rotated = kT0.addDays(-120); // over the 90-day policy
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setClock([] { return kT0; });
    model.setConfig(config);

    QCOMPARE(state(model, 2), SignalState::Warning);
    QVERIFY(model.index(2, Model::S2).data(Qt::ToolTipRole).toString().contains(QStringLiteral("120 days")));
    config.credentials[2].rotated = kT0.addDays(-1);
    model.setConfig(config);
    QCOMPARE(state(model, 2), SignalState::Ok);
}

void TestCredentialTableModel::statusesSurviveANewConfig()
{
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setClock([] { return kT0; });
    AppConfig config = threeCredentials();
    model.setConfig(config);
    model.applyStatuses({ status(2, u"-c--") });
    QCOMPARE(state(model, 1), SignalState::Critical);

    // After a rotation the window applies the new metadata: the last known state stays until a probe says more.
    config.credentials[1].fingerprint = QStringLiteral("feedf00d");
    model.setConfig(config);
    QCOMPARE(state(model, 1), SignalState::Critical);
    QCOMPARE(text(model, 1, Model::Fingerprint), QStringLiteral("feedf00d"));

    // An endpoint that is gone no longer counts.
    config.endpoints.removeAt(2);
    model.setConfig(config);
    QCOMPARE(state(model, 1), SignalState::Ok); // unused now: its metadata raises nothing
}

void TestCredentialTableModel::clockMovesTheCountdown()
{
    AppConfig config;
    CredentialConfig c = credential(QStringLiteral("jwt"));
    c.expires = kT0.addSecs(qint64 { 2 } * 3600);
    config.credentials = { c };
    QDateTime now = kT0;
    Model model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setClock([&now] { return now; });
    model.setConfig(config);
    QCOMPARE(text(model, 0, Model::Expires), QStringLiteral("in 2 h 0 min"));
    QCOMPARE(state(model, 0), SignalState::Warning);

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    now = kT0.addSecs(qint64 { 3 } * 3600);
    model.refreshRelativeTimes();
    QCOMPARE(text(model, 0, Model::Expires), QStringLiteral("expired 1 h 0 min ago"));
    QCOMPARE(state(model, 0), SignalState::Critical);
    QCOMPARE(changed.count(), 2); // the times, then the state that moved with them
}

QTEST_GUILESS_MAIN(TestCredentialTableModel)
#include "tst_credentialtablemodel.moc"
