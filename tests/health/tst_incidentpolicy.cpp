// SPDX-License-Identifier: GPL-3.0-or-later
// IncidentPolicy: who is notified about what during an incident, and the `maintenance` config key that
// feeds it (read with errors naming the JSON path, written back unchanged); windows follow a renamed
// endpoint; the spans an uptime leaves out; acknowledgements kept across a restart (AcknowledgementFile).
#include "config/ConfigLoader.h"
#include "health/AcknowledgementFile.h"
#include "health/IncidentPolicy.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

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

    void renamedEndpointsKeepTheirWindows()
    {
        AppConfig before = fleet();
        MaintenanceWindow w;
        w.endpoints = QStringList { u"db-a"_s, u"pay"_s };
        before.maintenance = { w };
        AppConfig after = before;
        after.endpoints[1].name = u"db-primary"_s; // the same id ("db-a"), another name
        followEndpointChangesInMaintenance(before, after);
        QCOMPARE(after.maintenance.size(), 1);
        QCOMPARE(after.maintenance.first().endpoints, (QStringList { u"db-primary"_s, u"pay"_s }));
        QVERIFY(parseConfig(configToJson(after)).ok());
        IncidentPolicy p;
        p.setConfig(after);
        QCOMPARE(p.mark(u"db-a"_s, kNow), IncidentMark::Maintenance);
        // Two endpoints swap names: each keeps its own windows.
        AppConfig swapped = before;
        swapped.maintenance.first().endpoints = QStringList { u"db-a"_s };
        AppConfig next = swapped;
        next.endpoints[1].name = u"pay"_s;
        next.endpoints[0].name = u"db-a"_s;
        followEndpointChangesInMaintenance(swapped, next);
        QCOMPARE(next.maintenance.first().endpoints, QStringList { u"pay"_s });
        // Deleted, as before: the name leaves, a window naming nothing else goes.
        AppConfig deleted = before;
        deleted.endpoints.removeIf([](const EndpointConfig& e) { return e.name == u"pay"; });
        followEndpointChangesInMaintenance(before, deleted);
        QCOMPARE(deleted.maintenance.first().endpoints, QStringList { u"db-a"_s });
    }

    void uptimeExclusionsAreTheWindowsWithTheKey()
    {
        AppConfig c = fleet();
        MaintenanceWindow byTag;
        byTag.tags = QStringList { u"db"_s };
        byTag.from = kNow;
        byTag.to = kNow.addSecs(600);
        byTag.excludeFromUptime = true;
        MaintenanceWindow silence; // no key: its time counts
        silence.endpoints = QStringList { u"pay"_s };
        MaintenanceWindow open;
        open.endpoints = QStringList { u"db-b"_s };
        open.from = kNow.addSecs(3600);
        open.excludeFromUptime = true;
        c.maintenance = { byTag, silence, open };
        const auto spans = uptimeExclusionsByName(c);
        QCOMPARE(spans.size(), 2);
        QVERIFY(!spans.contains(u"pay"_s));
        const qint64 now = kNow.toMSecsSinceEpoch();
        QCOMPARE(spans.value(u"db-a"_s), (QList<std::pair<qint64, qint64>> { { now, now + 600'000 } }));
        QCOMPARE(spans.value(u"db-b"_s),
            (QList<std::pair<qint64, qint64>> {
                { now, now + 600'000 }, { now + 3'600'000, std::numeric_limits<qint64>::max() } }));
    }

    void acknowledgementsSurviveARestartUntilRecovery()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(AcknowledgementFile::fileName());
        IncidentPolicy first;
        first.setConfig(fleet());
        QVERIFY(first.acknowledge(u"pay"_s, SignalState::Critical, kNow));
        QVERIFY(AcknowledgementFile::write(path, first.acknowledgements()));
        // The file is keyed by the endpoint id and holds nothing else.
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY2(text.contains("\"endpoint\": \"pay\"") && text.contains("2026-03-01T12:00:00.000Z"), text.constData());

        // A restart: a new policy reads the file back, for the endpoints configured now.
        QString error;
        QHash<QString, QDateTime> read = AcknowledgementFile::read(path, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        read.insert(u"removed-since"_s, kNow);
        IncidentPolicy second;
        second.setConfig(fleet());
        second.restoreAcknowledgements(read);
        QVERIFY(second.isAcknowledged(u"pay"_s));
        QVERIFY(!second.isAcknowledged(u"removed-since"_s));
        QCOMPARE(second.acknowledgedAt(u"pay"_s), kNow);
        // Its first statuses say Unknown (nothing probed yet): still acknowledged, still silent.
        QVERIFY(!second.observe(u"pay"_s, SignalState::Unknown));
        QVERIFY(!second.notifies(u"pay"_s, SignalState::Critical, kNow));
        QVERIFY(!second.observe(u"pay"_s, SignalState::Critical));
        QVERIFY(second.isAcknowledged(u"pay"_s));
        // Recovered: gone, and the file goes with it.
        QVERIFY(second.observe(u"pay"_s, SignalState::Ok));
        QVERIFY(second.acknowledgements().isEmpty());
        QVERIFY(AcknowledgementFile::write(path, second.acknowledgements()));
        QVERIFY(!QFile::exists(path));
        QVERIFY(AcknowledgementFile::read(path, &error).isEmpty());
        QVERIFY(error.isEmpty());
    }

    void damagedAcknowledgementFileSaysWhere()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(AcknowledgementFile::fileName());
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"version": 1, "acknowledged": [{"endpoint": "pay", "at": "yesterday"},)"
                   R"( {"endpoint": "db-a", "at": "2026-03-01T12:00:00Z"}]})");
        file.close();
        QString error;
        const QHash<QString, QDateTime> read = AcknowledgementFile::read(path, &error);
        QCOMPARE(read.keys(), QStringList { u"db-a"_s }); // what could be read
        QVERIFY2(error.startsWith(path + u": acknowledged[0]"_s), qPrintable(error));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("{ not json");
        file.close();
        QVERIFY(AcknowledgementFile::read(path, &error).isEmpty());
        QVERIFY2(error.startsWith(path + u": not JSON"_s), qPrintable(error));
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
