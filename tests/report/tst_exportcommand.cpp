// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExportCommand.h"
#include "history/HistoryStore.h"
#include "history/HistoryTestData.h"
#include "report/RawSampleCsv.h"
#include "report/SummaryCsv.h"

#include "history/HistorySchema.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace sd;
using sd::testdata::baseMs;
using sd::testdata::probe;

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run runExport(const QStringList& args)
{
    Run r;
    QTextStream out(&r.out);
    QTextStream err(&r.err);
    r.exitCode = runExportCommand(args, out, err);
    out.flush();
    err.flush();
    return r;
}

constexpr qint64 kHour = 3'600'000;

} // namespace

class TestExportCommand : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void parsesTimes_data();
    void parsesTimes();
    void usageErrorsExitWith2_data();
    void usageErrorsExitWith2();
    void exportsRawSamplesToAFile();
    void exportsToStdout();
    void exportsASummary();
    void summaryLeavesTheConfigsMaintenanceOutOfUptime();
    void missingHistoryExitsWith1();
    void exportsAHistoryOfTheOlderSchema();
    void unwritableOutputExitsWith1WithPathAndReason();

private:
    QTemporaryDir m_dir;
};

void TestExportCommand::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    HistoryOptions o;
    o.directory = m_dir.path();
    o.maintenanceInterval = std::chrono::milliseconds(0);
    HistoryStore store(o);
    // Recent samples, so that relative ranges like -1h find them.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    store.append({ probe(u"alpha"_s, now - qint64 { 30 } * 60'000, 12'000),
        probe(u"beta"_s, now - qint64 { 20 } * 60'000, 15'000),
        probe(u"alpha"_s, now - qint64 { 10 } * 60'000, 2'000'000, Outcome::Timeout, 0, FailureSignal::S1),
        probe(u"alpha"_s, baseMs(0), 1000) });
    QVERIFY(store.flushNow());
}

void TestExportCommand::parsesTimes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("expected"); // -1 = unreadable
    const qint64 now = baseMs(0);
    QTest::newRow("now") << u"now"_s << now;
    QTest::newRow("-24h") << u"-24h"_s << now - 24 * kHour;
    QTest::newRow("-7d") << u"-7d"_s << now - qint64 { 7 } * 24 * kHour;
    QTest::newRow("-2w") << u"-2w"_s << now - qint64 { 14 } * 24 * kHour;
    QTest::newRow("-30m") << u"-30m"_s << now - qint64 { 30 } * 60'000;
    QTest::newRow("-90s") << u"-90s"_s << now - 90'000;
    QTest::newRow("ISO with Z") << u"2026-03-02T10:00:00Z"_s << now;
    QTest::newRow("ISO with ms") << u"2026-03-02T10:00:00.250Z"_s << now + 250;
    QTest::newRow("ISO with offset") << u"2026-03-02T12:00:00+02:00"_s << now;
    QTest::newRow("ISO without offset is UTC") << u"2026-03-02T10:00:00"_s << now;
    QTest::newRow("date only") << u"2026-03-02"_s << now - 10 * kHour;
    QTest::newRow("words") << u"yesterday"_s << qint64(-1);
    QTest::newRow("years") << u"-5y"_s << qint64(-1);
    QTest::newRow("future relative") << u"+1h"_s << qint64(-1);
    QTest::newRow("bad month") << u"2026-13-01"_s << qint64(-1);
    QTest::newRow("empty") << QString() << qint64(-1);
}

void TestExportCommand::parsesTimes()
{
    QFETCH(QString, text);
    QFETCH(qint64, expected);
    const auto parsed = parseExportTime(text, baseMs(0));
    if (expected == -1)
        QVERIFY(!parsed.has_value());
    else
        QCOMPARE(parsed.value_or(-1), expected);
}

void TestExportCommand::usageErrorsExitWith2_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString d = m_dir.path();
    QTest::newRow("nothing") << QStringList {} << u"--from is required"_s;
    QTest::newRow("no output") << QStringList { u"--from"_s, u"-1h"_s, u"--data-dir"_s, d } << u"-o FILE"_s;
    QTest::newRow("bad from") << QStringList { u"--from"_s, u"last week"_s, u"-o"_s, u"-"_s }
                              << u"--from: cannot read 'last week'"_s;
    QTest::newRow("bad to") << QStringList { u"--from"_s, u"-1h"_s, u"--to"_s, u"soon"_s, u"-o"_s, u"-"_s }
                            << u"--to: cannot read 'soon'"_s;
    QTest::newRow("from after to") << QStringList { u"--from"_s, u"now"_s, u"--to"_s, u"-1h"_s, u"-o"_s, u"-"_s }
                                   << u"--from must be before --to"_s;
    QTest::newRow("unknown option") << QStringList { u"--form"_s, u"-1h"_s, u"-o"_s, u"-"_s } << u"form"_s;
    QTest::newRow("stray argument") << QStringList { u"--from"_s, u"-1h"_s, u"-o"_s, u"-"_s, u"extra"_s }
                                    << u"unexpected argument 'extra'"_s;
    QTest::newRow("unknown endpoint") << QStringList { u"--from"_s, u"-1h"_s, u"--endpoint"_s, u"gamma"_s,
        u"--data-dir"_s, d, u"-o"_s, u"-"_s }
                                      << u"no history for 'gamma' (known: alpha, beta)"_s;
}

void TestExportCommand::usageErrorsExitWith2()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run r = runExport(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY(r.err.contains(u"usage: signaldeck export"_s));
    QVERIFY(r.out.isEmpty());
}

void TestExportCommand::exportsRawSamplesToAFile()
{
    const QString file = m_dir.filePath(u"raw.csv"_s);
    const Run r
        = runExport({ u"--from"_s, u"-1h"_s, u"--to"_s, u"now"_s, u"--data-dir"_s, m_dir.path(), u"-o"_s, file });
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    QVERIFY(r.out.contains(u"3 rows written to "_s + file));
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QCOMPARE(lines.size(), 5); // header, three rows, the empty rest after the final CRLF
    QCOMPARE(QString::fromUtf8(lines.first().trimmed()), RawSampleCsv::columns().join(u','));
    QVERIFY(lines.at(1).contains(",alpha,"));
    QVERIFY(lines.at(2).contains(",beta,"));
    QVERIFY(lines.at(3).contains(",timeout,S1,"));
}

void TestExportCommand::exportsToStdout()
{
    const Run r = runExport({ u"--from"_s, u"2026-03-02"_s, u"--to"_s, u"2026-03-03"_s, u"--endpoint"_s, u"alpha"_s,
        u"--data-dir"_s, m_dir.path(), u"-o"_s, u"-"_s });
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    const QStringList lines = r.out.split(u"\r\n"_s);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(1).startsWith(u"2026-03-02T10:00:00.000Z,alpha,https://api.example.com/alpha,200,1.000,"_s));
}

void TestExportCommand::exportsASummary()
{
    const QString file = m_dir.filePath(u"summary.csv"_s);
    const Run r = runExport({ u"--from"_s, u"-1h"_s, u"--summary"_s, u"--data-dir"_s, m_dir.path(), u"-o"_s, file });
    QCOMPARE(r.exitCode, 0);
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QCOMPARE(QString::fromUtf8(lines.first().trimmed()), SummaryCsv::columns().join(u','));
    QVERIFY(lines.at(1).startsWith("alpha,"));
    QVERIFY(lines.at(1).contains(",2,50.000,12.000,"));
    QVERIFY(lines.at(2).startsWith("beta,"));
}

// --config: the config's maintenance windows with `excludeFromUptime` leave uptime_percent (alpha's timeout
// 10 min ago falls in one: 1 OK of 1, not of 2); a config that does not read is a usage error naming it.
void TestExportCommand::summaryLeavesTheConfigsMaintenanceOutOfUptime()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString config = m_dir.filePath(u"watch.json"_s);
    QFile f(config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(u"{ \"version\": 1, \"endpoints\": [ { \"name\": \"alpha\", \"url\": \"http://127.0.0.1:9/\" } ], "
            "\"maintenance\": [ { \"endpoints\": [\"alpha\"], \"from\": \"%1\", \"to\": \"%2\", "
            "\"excludeFromUptime\": true } ] }"_s
                .arg(now.addSecs(qint64 { -15 } * 60).toString(Qt::ISODate),
                    now.addSecs(qint64 { -5 } * 60).toString(Qt::ISODate))
                .toUtf8());
    f.close();
    const QString file = m_dir.filePath(u"summary-maintenance.csv"_s);
    Run r = runExport(
        { u"--from"_s, u"-1h"_s, u"--summary"_s, u"--config"_s, config, u"--data-dir"_s, m_dir.path(), u"-o"_s, file });
    QCOMPARE(r.exitCode, 0);
    QFile csv(file);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = csv.readAll().split('\n');
    QVERIFY2(lines.at(1).startsWith("alpha,") && lines.at(1).contains(",2,100.000,"), lines.at(1).constData());
    QVERIFY(lines.at(2).startsWith("beta,"));

    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("{ \"version\": 1, \"maintenance\": [ { \"endpoints\": [\"nobody\"] } ] }");
    f.close();
    r = runExport(
        { u"--from"_s, u"-1h"_s, u"--summary"_s, u"--config"_s, config, u"--data-dir"_s, m_dir.path(), u"-o"_s, file });
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(config) && r.err.contains(u"maintenance[0].endpoints"_s), qPrintable(r.err));
}

void TestExportCommand::exportsAHistoryOfTheOlderSchema()
{
    // Issue 12.5: a history of schema 1 (samples as rows) that no writer has opened since the upgrade.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"history.sqlite"_s);
    {
        auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"v1"_s);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(u"CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)"_s));
        for (const QString& sql : HistorySchema::migrationStatements(1))
            QVERIFY2(q.exec(sql), qPrintable(q.lastError().text()));
        QVERIFY(q.exec(u"INSERT INTO schema_migrations VALUES (1, 0)"_s));
        QVERIFY(q.exec(u"INSERT INTO endpoints VALUES (1, 'old')"_s));
        QVERIFY(q.exec(u"INSERT INTO urls VALUES (1, 'https://old.example.com/')"_s));
        QVERIFY(q.exec(u"INSERT INTO reasons VALUES (1, 'HTTP 503: maintenance')"_s));
        QVERIFY(q.exec(u"INSERT INTO samples VALUES (1, %1, 1, 250000, 200, 0, 0, 1, 1, 612, NULL, 10, NULL, 20, "
                       "240000, 10000, x'4bf92f3577b34da6a3ce929d0e0e4736'), (1, %2, 1, 5000, 503, 6, 4, 2, 0, 0, 1, "
                       "NULL, NULL, NULL, NULL, NULL, NULL)"_s.arg(baseMs(0))
                           .arg(baseMs(1000))));
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(u"v1"_s);
    const Run r = runExport(
        { u"--from"_s, u"2026-03-02"_s, u"--to"_s, u"2026-03-03"_s, u"--data-dir"_s, dir.path(), u"-o"_s, u"-"_s });
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    const QStringList lines = r.out.split(u"\r\n"_s);
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines.at(1),
        u"2026-03-02T10:00:00.000Z,old,https://old.example.com/,200,250.000,0.010,,0.020,240.000,10.000,true,ok,,,1,"
        "4bf92f3577b34da6a3ce929d0e0e4736"_s);
    QVERIFY2(lines.at(2).startsWith(u"2026-03-02T10:00:01.000Z,old,https://old.example.com/,503,5.000,"_s),
        qPrintable(lines.at(2)));
    QVERIFY2(lines.at(2).contains(u"HTTP 503: maintenance"_s), qPrintable(lines.at(2)));
}

void TestExportCommand::missingHistoryExitsWith1()
{
    const QString empty = m_dir.filePath(u"nothing-here"_s);
    const Run r = runExport({ u"--from"_s, u"-1h"_s, u"--data-dir"_s, empty, u"-o"_s, u"-"_s });
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(empty + u"/history.sqlite"_s), qPrintable(r.err));
    QVERIFY(!r.err.contains(u"usage:"_s));
}

void TestExportCommand::unwritableOutputExitsWith1WithPathAndReason()
{
    const QString file = m_dir.filePath(u"raw.csv/inside.csv"_s); // raw.csv is a file, not a directory
    QFile blocker(m_dir.filePath(u"raw.csv"_s));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const Run r = runExport({ u"--from"_s, u"-1h"_s, u"--data-dir"_s, m_dir.path(), u"-o"_s, file });
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(u"cannot write "_s + file + u": "_s), qPrintable(r.err));
    QVERIFY(!QFile::exists(file));
}

QTEST_GUILESS_MAIN(TestExportCommand)
#include "tst_exportcommand.moc"
