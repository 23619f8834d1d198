// SPDX-License-Identifier: GPL-3.0-or-later
// IncidentPolicy: who is notified about what during an incident, and the `maintenance` config key that
// feeds it (read with errors naming the JSON path, written back unchanged).
#include "config/ConfigLoader.h"
#include "health/IncidentPolicy.h"

#include <QTest>

using namespace sd;
using namespace Qt::StringLiterals;

namespace {

const QDateTime kNow = QDateTime::fromString(u"2026-03-01T12:00:00Z"_s, Qt::ISODate);

AppConfig fleet()
{
    AppConfig c;
    const QStringList names { u"pay"_s, u"db-a"_s, u"db-b"_s };
    const QStringList tags { u"prod"_s, u"db"_s, u"db"_s };
    for (qsizetype i = 0; i < names.size(); ++i) {
        EndpointConfig e;
        e.id = names[i];
        e.name = names[i];
        e.url = QUrl(u"http://127.0.0.1/"_s + names[i]);
        e.tags = QStringList { tags[i] };
        c.endpoints.append(e);
    }
    return c;
}

QByteArray withMaintenance(const char* windows)
{
    return QByteArray(R"({"version": 1, "endpoints": [)")
        + R"({"name": "pay", "url": "http://127.0.0.1/p", "tags": ["prod"]},)"
        + R"({"name": "db-a", "url": "http://127.0.0.1/a", "tags": ["db"]}], "maintenance": )" + windows + "}";
}

} // namespace

class TestIncidentPolicy : public QObject {
    Q_OBJECT
private slots:
    void acknowledgesOnlyCriticalAndClearsOnRecovery()
    {
        IncidentPolicy p;
        p.setConfig(fleet());
        QVERIFY(!p.acknowledge(u"pay"_s, SignalState::Warning, kNow));
        QCOMPARE(p.mark(u"pay"_s, kNow), IncidentMark::None);
        QVERIFY(p.acknowledge(u"pay"_s, SignalState::Critical, kNow));
        QCOMPARE(p.mark(u"pay"_s, kNow), IncidentMark::Acknowledged);
        QCOMPARE(p.acknowledgedAt(u"pay"_s), kNow);
        // Still acknowledged while it is in trouble; a new "critical" is not notified, a recovery is.
        QVERIFY(!p.observe(u"pay"_s, SignalState::Warning));
        QVERIFY(!p.observe(u"pay"_s, SignalState::Critical));
        QVERIFY(!p.notifies(u"pay"_s, SignalState::Critical, kNow));
        QVERIFY(p.notifies(u"pay"_s, SignalState::Ok, kNow));
        QVERIFY(p.notifies(u"db-a"_s, SignalState::Critical, kNow));
        QVERIFY(p.describe(u"pay"_s, kNow).startsWith(u"Acknowledged at 2026-03-01 12:00 UTC"_s));
        // OK again: the acknowledgement ends by itself; the next incident is notified.
        QVERIFY(p.observe(u"pay"_s, SignalState::Ok));
        QCOMPARE(p.mark(u"pay"_s, kNow), IncidentMark::None);
        QVERIFY(p.notifies(u"pay"_s, SignalState::Critical, kNow));
        // An endpoint removed from the config loses its acknowledgement.
        QVERIFY(p.acknowledge(u"db-a"_s, SignalState::Critical, kNow));
        AppConfig smaller = fleet();
        smaller.endpoints.removeAt(1);
        p.setConfig(smaller);
        QVERIFY(!p.isAcknowledged(u"db-a"_s));
    }

    void maintenanceByNameOrTagSilencesWhileInForce()
    {
        AppConfig c = fleet();
        MaintenanceWindow byTag;
        byTag.tags = QStringList { u"db"_s };
        byTag.from = kNow.addSecs(600);
        byTag.to = kNow.addSecs(3600);
        byTag.reason = u"upgrade"_s;
        byTag.excludeFromUptime = true;
        MaintenanceWindow silence; // no end: until removed
        silence.endpoints = QStringList { u"pay"_s };
        c.maintenance = { byTag, silence };
        IncidentPolicy p;
        p.setConfig(c);
        QCOMPARE(p.mark(u"pay"_s, kNow), IncidentMark::Maintenance);
        QVERIFY(!p.notifies(u"pay"_s, SignalState::Critical, kNow));
        QVERIFY(!p.notifies(u"pay"_s, SignalState::Ok, kNow)); // nothing at all in maintenance
        // Acknowledged and in maintenance: maintenance is shown.
        QVERIFY(p.acknowledge(u"pay"_s, SignalState::Critical, kNow));
        QCOMPARE(p.mark(u"pay"_s, kNow), IncidentMark::Maintenance);
        // Not yet, in force, over.
        QCOMPARE(p.mark(u"db-a"_s, kNow), IncidentMark::None);
        QCOMPARE(p.mark(u"db-b"_s, kNow.addSecs(600)), IncidentMark::Maintenance);
        QVERIFY(p.excludedFromUptime(u"db-b"_s, kNow.addSecs(601)));
        QVERIFY(!p.excludedFromUptime(u"db-b"_s, kNow));
        QCOMPARE(p.mark(u"db-b"_s, kNow.addSecs(3600)), IncidentMark::None);
        QVERIFY2(p.describe(u"db-a"_s, kNow.addSecs(700))
                     .startsWith(u"In maintenance until 2026-03-01 13:00 UTC: upgrade"_s),
            qPrintable(p.describe(u"db-a"_s, kNow.addSecs(700))));
        // The marks change by themselves at the edges.
        QCOMPARE(p.nextChange(kNow), kNow.addSecs(600));
        QCOMPARE(p.nextChange(kNow.addSecs(600)), kNow.addSecs(3600));
        QVERIFY(!p.nextChange(kNow.addSecs(3600)).isValid());
    }

    void deletedEndpointsLeaveTheWindows()
    {
        AppConfig c = fleet();
        MaintenanceWindow w;
        w.endpoints = QStringList { u"db-a"_s, u"pay"_s };
        MaintenanceWindow gone;
        gone.endpoints = QStringList { u"db-a"_s };
        c.maintenance = { w, gone };
        c.endpoints.removeIf([](const EndpointConfig& e) { return e.name == u"db-a"; });
        dropMissingFromMaintenance(c);
        QCOMPARE(c.maintenance.size(), 1);
        QCOMPARE(c.maintenance.first().endpoints, QStringList { u"pay"_s });
        QVERIFY(parseConfig(configToJson(c)).ok());
    }

    void configReadsAndWritesWindows()
    {
        const ConfigParseResult r = parseConfig(withMaintenance(R"([
            {"tags": ["db"], "from": "2026-03-01T12:00:00Z", "to": "2026-03-01T14:00:00+01:00", "reason": "x"},
            {"endpoints": ["pay"], "excludeFromUptime": true}])"));
        QVERIFY2(r.ok(), qPrintable(r.errorText()));
        QCOMPARE(r.config->maintenance.size(), 2);
        QCOMPARE(r.config->maintenance[0].to, kNow.addSecs(3600)); // 14:00+01:00, kept in UTC
        QVERIFY(!r.config->maintenance[1].to.isValid());
        QVERIFY(r.config->maintenance[1].excludeFromUptime);
        const ConfigParseResult again = parseConfig(configToJson(*r.config));
        QVERIFY2(again.ok(), qPrintable(again.errorText()));
        QCOMPARE(again.config->maintenance, r.config->maintenance);
    }

    void configErrorsNameThePath_data()
    {
        QTest::addColumn<QByteArray>("windows");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::newRow("not an array") << QByteArray("{}") << u"maintenance"_s << u"must be an array"_s;
        QTest::newRow("unknown key") << QByteArray(R"([{"endpoints": ["pay"], "until": "x"}])")
                                     << u"maintenance[0].until"_s << u"unknown key"_s;
        QTest::newRow("names nothing") << QByteArray(R"([{"reason": "x"}])") << u"maintenance[0]"_s
                                       << u"names no endpoint"_s;
        QTest::newRow("unknown endpoint") << QByteArray(R"([{"endpoints": ["pay", "nope"]}])")
                                          << u"maintenance[0].endpoints[1]"_s << u"no endpoint named \"nope\""_s;
        QTest::newRow("unknown tag") << QByteArray(R"([{"tags": ["dbb"]}])") << u"maintenance[0].tags[0]"_s
                                     << u"no endpoint has the tag \"dbb\""_s;
        QTest::newRow("no zone") << QByteArray(R"([{"tags": ["db"], "from": "2026-03-01T12:00:00"}])")
                                 << u"maintenance[0].from"_s << u"ISO 8601 time with a zone"_s;
        QTest::newRow("ends first") << QByteArray(
            R"([{"tags": ["db"], "from": "2026-03-01T12:00:00Z", "to": "2026-03-01T11:00:00Z"}])")
                                    << u"maintenance[0].to"_s << u"must be after from"_s;
        QTest::newRow("bool") << QByteArray(R"([{"tags": ["db"], "excludeFromUptime": "yes"}])")
                              << u"maintenance[0].excludeFromUptime"_s << u"must be true or false"_s;
    }

    void configErrorsNameThePath()
    {
        QFETCH(QByteArray, windows);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const ConfigParseResult r = parseConfig(withMaintenance(windows.constData()));
        QVERIFY(!r.ok());
        QVERIFY2(std::any_of(r.errors.cbegin(), r.errors.cend(),
                     [&](const ConfigError& e) { return e.path == path && e.message.contains(message); }),
            qPrintable(r.errorText()));
    }
};

QTEST_GUILESS_MAIN(TestIncidentPolicy)
#include "tst_incidentpolicy.moc"
