// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/HistoryStore.h"
#include "history/HistoryTestData.h"
#include "report/CsvExport.h"
#include "report/CsvReadBack.h"
#include "report/RawSampleCsv.h"
#include "report/SummaryCsv.h"

#include <QDir>
#include <QFile>
#include <QLocale>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace sd;
using sd::testdata::baseMs;
using sd::testdata::probe;

namespace {

constexpr qint64 kMinute = 60'000;

HistoryOptions optionsFor(const QString& dir)
{
    HistoryOptions o;
    o.directory = dir;
    o.maintenanceInterval = std::chrono::milliseconds(0);
    return o;
}

QStringList column(const QList<QStringList>& rows, const QString& name)
{
    const qsizetype index = rows.first().indexOf(name);
    QStringList out;
    for (qsizetype i = 1; i < rows.size(); ++i)
        out.append(rows.at(i).value(index));
    return out;
}

} // namespace

class TestCsvExport : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void rawExportReadsBackWithTrickyCells();
    void summaryMatchesHandComputedValues();
    void summaryUptimeLeavesOutMaintenanceWindows();
    void exportsOnlyChosenEndpointsInTimeOrder();
    void cancelLeavesNoFile();
    void unwritablePathFailsWithPathAndReason_data();
    void unwritablePathFailsWithPathAndReason();
    void unknownEndpointFails();
};

void TestCsvExport::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
}

void TestCsvExport::rawExportReadsBackWithTrickyCells()
{
    QTemporaryDir dir;
    ProbeResult formula = probe(u"=cmd|' /C calc'!A0"_s, baseMs(0), 187'654, Outcome::Auth, 401, FailureSignal::S2,
        u"He said \"hi\", then left\nnext line"_s);
    formula.url = u"https://user:secret@api.example.com/v1?token=abc&q=1,2&signature=zz"_s;
    formula.phases = { 12, 3456, 3500, 150'000, 37'654 };
    formula.connectionReused = true;
    formula.attempts = 3;
    formula.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const ProbeResult plus
        = probe(u"+plus"_s, baseMs(1), 2'500'000, Outcome::Timeout, 0, FailureSignal::S1, u"-minus"_s);
    const ProbeResult at = probe(u"@at"_s, baseMs(2), 999, Outcome::Ok, 200, FailureSignal::None, u"\ttab"_s);
    const ProbeResult unicode = probe(
        u"Zürich-API ☃"_s, baseMs(3), 1'000'000, Outcome::ServerError, 503, FailureSignal::None, u"Ünïcödé — 😀"_s);
    {
        HistoryStore store(optionsFor(dir.path()));
        store.append({ formula, plus, at, unicode });
        QVERIFY(store.flushNow());
    }
    ExportRequest request;
    request.databasePath = dir.filePath(u"history.sqlite"_s);
    request.fromMs = baseMs(0);
    request.toMs = baseMs(kMinute);
    CsvExport exporter(request);
    QSignalSpy progress(&exporter, &CsvExport::progress);
    const QString out = dir.filePath(u"raw.csv"_s);
    QVERIFY2(exporter.writeToFile(out), qPrintable(exporter.errorString()));
    QCOMPARE(exporter.rowsWritten(), 4);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().at(0).toLongLong(), 4);
    QCOMPARE(progress.last().at(1).toLongLong(), 4);

    QString why;
    const auto rows = testcsv::readWithPython(out, &why);
    if (!rows && why.contains(u"not found"_s))
        QSKIP("python3 is not installed");
    QVERIFY2(rows, qPrintable(why));
    QCOMPARE(rows->size(), 5);
    QCOMPARE(rows->first(), RawSampleCsv::columns());
    const QStringList& a = rows->at(1);
    const QStringList expected { u"2026-03-02T10:00:00.000Z"_s, u"'=cmd|' /C calc'!A0"_s,
        u"https://api.example.com/v1?token=REDACTED&q=1,2&signature=REDACTED"_s, u"401"_s, u"187.654"_s, u"0.012"_s,
        u"3.456"_s, u"3.500"_s, u"150.000"_s, u"37.654"_s, u"true"_s, u"auth"_s, u"S2"_s,
        u"He said \"hi\", then left\nnext line"_s, u"3"_s, u"4bf92f3577b34da6a3ce929d0e0e4736"_s };
    QCOMPARE(a, expected);
    const QStringList& b = rows->at(2);
    QCOMPARE(b.at(0), u"2026-03-02T10:00:00.001Z"_s);
    QCOMPARE(b.at(1), u"'+plus"_s);
    QCOMPARE(b.at(3), QString()); // no HTTP status
    QCOMPARE(b.at(4), u"2500.000"_s); // a decimal point, never the German comma
    QCOMPARE(b.at(5), QString()); // phase not reported
    QCOMPARE(b.at(11), u"timeout"_s);
    QCOMPARE(b.at(12), u"S1"_s);
    QCOMPARE(b.at(13), u"'-minus"_s);
    QCOMPARE(rows->at(3).at(1), u"'@at"_s);
    QCOMPARE(rows->at(3).at(4), u"0.999"_s);
    QCOMPARE(rows->at(3).at(12), QString()); // no signal
    QCOMPARE(rows->at(3).at(13), u"'\ttab"_s);
    QCOMPARE(rows->at(4).at(1), u"Zürich-API ☃"_s);
    QCOMPARE(rows->at(4).at(11), u"server_error"_s);
    QCOMPARE(rows->at(4).at(13), u"Ünïcödé — 😀"_s);

    QFile raw(out);
    QVERIFY(raw.open(QIODevice::ReadOnly));
    const QByteArray bytes = raw.readAll();
    QVERIFY(!bytes.contains("secret"));
    QVERIFY(!bytes.contains("abc"));
    QVERIFY(!bytes.startsWith("\xef\xbb\xbf")); // UTF-8 without a BOM
}

namespace {
/// "api": twelve probes 10 s apart; #3-#5 time out (S1, 2 s), #8 is throttled (S4, 50 ms), the rest 100 ms: 8 OK.
ProbeResults apiProbes()
{
    ProbeResults results;
    for (int i = 0; i < 12; ++i) {
        if (i >= 3 && i <= 5)
            results.append(
                probe(u"api"_s, baseMs(qint64 { i } * 10'000), 2'000'000, Outcome::Timeout, 0, FailureSignal::S1));
        else if (i == 8)
            results.append(
                probe(u"api"_s, baseMs(qint64 { i } * 10'000), 50'000, Outcome::Throttled, 429, FailureSignal::S4));
        else
            results.append(probe(u"api"_s, baseMs(qint64 { i } * 10'000), 100'000));
    }
    return results;
}
} // namespace

void TestCsvExport::summaryMatchesHandComputedValues()
{
    QTemporaryDir dir;
    ProbeResults results;
    // "api": twelve probes 10 s apart; #3-#5 time out (S1), #8 is throttled (S4, 50 ms), the rest 100 ms.
    results.append(apiProbes());
    // "down": fine once, then failing until the end of the range (2 s timeouts at 10 s and 20 s).
    results.append(probe(u"down"_s, baseMs(0), 10'000));
    results.append(probe(u"down"_s, baseMs(10'000), 2'000'000, Outcome::Timeout, 0, FailureSignal::S1));
    results.append(probe(u"down"_s, baseMs(20'000), 2'000'000, Outcome::Timeout, 0, FailureSignal::S1));
    {
        HistoryStore store(optionsFor(dir.path()));
        store.append(results);
        QVERIFY(store.flushNow());
    }
    ExportRequest request;
    request.kind = ExportRequest::Kind::Summary;
    request.databasePath = dir.filePath(u"history.sqlite"_s);
    request.fromMs = baseMs(0);
    request.toMs = baseMs(2 * kMinute);
    request.currentStates.insert(
        u"api"_s, { SignalState::Ok, SignalState::Warning, SignalState::Ok, SignalState::Critical });
    request.certExpires.insert(u"api"_s, QDateTime(QDate(2026, 3, 20), QTime(8, 0), Qt::UTC));
    CsvExport exporter(request);
    const QString out = dir.filePath(u"summary.csv"_s);
    QVERIFY2(exporter.writeToFile(out), qPrintable(exporter.errorString()));

    QString why;
    const auto rows = testcsv::readWithPython(out, &why);
    if (!rows && why.contains(u"not found"_s))
        QSKIP("python3 is not installed");
    QVERIFY2(rows, qPrintable(why));
    QCOMPARE(rows->size(), 3);
    QCOMPARE(rows->first(), SummaryCsv::columns());
    QCOMPARE(column(*rows, u"endpoint"_s), (QStringList { u"api"_s, u"down"_s }));
    QCOMPARE(column(*rows, u"from_utc"_s).first(), u"2026-03-02T10:00:00.000Z"_s);
    QCOMPARE(column(*rows, u"to_utc"_s).first(), u"2026-03-02T10:02:00.000Z"_s);
    QCOMPARE(column(*rows, u"probes"_s), (QStringList { u"12"_s, u"3"_s }));
    QCOMPARE(column(*rows, u"uptime_percent"_s), (QStringList { u"66.667"_s, u"33.333"_s }));
    // Latency over the nine answered probes of "api": (8 × 100 + 50) / 9 ms.
    QCOMPARE(column(*rows, u"latency_mean_ms"_s).first(), u"94.444"_s);
    const double p50 = column(*rows, u"latency_p50_ms"_s).first().toDouble();
    QVERIFY2(qAbs(p50 - 100.0) <= 2.2, qPrintable(QString::number(p50)));
    QCOMPARE(column(*rows, u"latency_p99_ms"_s).first(), u"100.000"_s); // the top rank is the exact max
    QCOMPARE(column(*rows, u"S1"_s), (QStringList { u"3"_s, u"2"_s }));
    QCOMPARE(column(*rows, u"S4"_s), (QStringList { u"1"_s, u"0"_s }));
    QCOMPARE(column(*rows, u"ok"_s), (QStringList { u"8"_s, u"1"_s }));
    QCOMPARE(column(*rows, u"timeout"_s), (QStringList { u"3"_s, u"2"_s }));
    QCOMPARE(column(*rows, u"throttled"_s), (QStringList { u"1"_s, u"0"_s }));
    // "api" was down from the timeout at 0:30 until the success at 1:00.
    QCOMPARE(column(*rows, u"longest_outage_start_utc"_s),
        (QStringList { u"2026-03-02T10:00:30.000Z"_s, u"2026-03-02T10:00:10.000Z"_s }));
    QCOMPARE(column(*rows, u"longest_outage_seconds"_s), (QStringList { u"30.000"_s, u"12.000"_s }));
    QCOMPARE(column(*rows, u"longest_outage_ongoing"_s), (QStringList { u"false"_s, u"true"_s }));
    QCOMPARE(column(*rows, u"state_S2"_s), (QStringList { u"warning"_s, QString() }));
    QCOMPARE(column(*rows, u"state_S4"_s), (QStringList { u"critical"_s, QString() }));
    QCOMPARE(column(*rows, u"cert_expires_utc"_s), (QStringList { u"2026-03-20T08:00:00.000Z"_s, QString() }));
    // "down" answered once (10 ms): the latency columns describe that probe only.
    QCOMPARE(column(*rows, u"latency_mean_ms"_s).last(), u"10.000"_s);
}

// A maintenance window with `excludeFromUptime` (the dialog passes the config's windows): uptime_percent
// counts the probes outside it only; probes and the other columns still count all of them.
void TestCsvExport::summaryUptimeLeavesOutMaintenanceWindows()
{
    QTemporaryDir dir;
    ProbeResults results;
    // Twelve probes 10 s apart; #3-#5 time out, #8 is throttled: 8 OK of 12.
    results.append(apiProbes());
    {
        HistoryStore store(optionsFor(dir.path()));
        store.append(results);
        QVERIFY(store.flushNow());
    }
    ExportRequest request;
    request.kind = ExportRequest::Kind::Summary;
    request.databasePath = dir.filePath(u"history.sqlite"_s);
    request.fromMs = baseMs(0);
    request.toMs = baseMs(2 * kMinute);
    // The window covers #3-#5 (30 s, 40 s, 50 s): 8 OK of the 9 outside it.
    request.uptimeExcluded.insert(u"api"_s, TimeSpans { { baseMs(25'000), baseMs(55'000) } });
    const QString out = dir.filePath(u"summary.csv"_s);
    {
        CsvExport exporter(request);
        QVERIFY2(exporter.writeToFile(out), qPrintable(exporter.errorString()));
    }
    QString why;
    auto rows = testcsv::readWithPython(out, &why);
    if (!rows && why.contains(u"not found"_s))
        QSKIP("python3 is not installed");
    QVERIFY2(rows, qPrintable(why));
    QCOMPARE(column(*rows, u"probes"_s), QStringList { u"12"_s });
    QCOMPARE(column(*rows, u"uptime_percent"_s), QStringList { u"88.889"_s });
    QCOMPARE(column(*rows, u"timeout"_s), QStringList { u"3"_s });
    // Without the window: every probe counts.
    request.uptimeExcluded.clear();
    {
        CsvExport exporter(request);
        QVERIFY2(exporter.writeToFile(out), qPrintable(exporter.errorString()));
    }
    rows = testcsv::readWithPython(out, &why);
    QVERIFY2(rows, qPrintable(why));
    QCOMPARE(column(*rows, u"uptime_percent"_s), QStringList { u"66.667"_s });
}

void TestCsvExport::exportsOnlyChosenEndpointsInTimeOrder()
{
    QTemporaryDir dir;
    {
        HistoryStore store(optionsFor(dir.path()));
        ProbeResults results;
        for (int i = 0; i < 50; ++i) {
            results.append(probe(u"a"_s, baseMs(qint64 { i } * 1000), 1000));
            results.append(probe(u"b"_s, baseMs(i * 1000 + 500), 1000));
            results.append(probe(u"c"_s, baseMs(i * 1000 + 250), 1000));
        }
        store.append(results);
        QVERIFY(store.flushNow());
    }
    ExportRequest request;
    request.databasePath = dir.filePath(u"history.sqlite"_s);
    request.fromMs = baseMs(10'000);
    request.toMs = baseMs(20'000);
    request.endpoints = { u"b"_s, u"a"_s };
    CsvExport exporter(request);
    const QString out = dir.filePath(u"ab.csv"_s);
    QVERIFY(exporter.writeToFile(out));
    QString why;
    const auto rows = testcsv::readWithPython(out, &why);
    if (!rows && why.contains(u"not found"_s))
        QSKIP("python3 is not installed");
    QVERIFY2(rows, qPrintable(why));
    const QStringList times = column(*rows, u"time_utc"_s);
    QCOMPARE(times.size(), 20);
    QStringList sorted = times;
    std::sort(sorted.begin(), sorted.end());
    QCOMPARE(times, sorted);
    QCOMPARE(column(*rows, u"endpoint"_s).mid(0, 4), (QStringList { u"a"_s, u"b"_s, u"a"_s, u"b"_s }));
}

void TestCsvExport::cancelLeavesNoFile()
{
    QTemporaryDir dir;
    {
        HistoryStore store(optionsFor(dir.path()));
        ProbeResults results;
        for (int i = 0; i < 40'000; ++i)
            results.append(probe(u"e%1"_s.arg(i % 4), baseMs(qint64 { i } * 250), 1000 + i));
        store.append(results);
        QVERIFY(store.flushNow());
    }
    QDir outDir(dir.filePath(u"out"_s));
    QVERIFY(outDir.mkpath(u"."_s));
    ExportRequest request;
    request.databasePath = dir.filePath(u"history.sqlite"_s);
    request.fromMs = baseMs(0);
    request.toMs = baseMs(24 * 3'600'000LL);
    CsvExport exporter(request);
    qint64 seenAtCancel = 0;
    connect(&exporter, &CsvExport::progress, this, [&](qint64 done, qint64 total) {
        QCOMPARE(total, 40'000);
        if (done > 0 && seenAtCancel == 0) {
            seenAtCancel = done;
            exporter.cancel();
        }
    });
    const QString out = outDir.filePath(u"cancelled.csv"_s);
    QVERIFY(!exporter.writeToFile(out));
    QVERIFY(exporter.wasCanceled());
    QCOMPARE(seenAtCancel, 16'384);
    QVERIFY(exporter.rowsWritten() < 40'000);
    QVERIFY(!QFile::exists(out));
    QCOMPARE(outDir.entryList(QDir::Files | QDir::Hidden), QStringList()); // no temporary file either

    // Without a cancel the same export completes.
    CsvExport again(request);
    QVERIFY(again.writeToFile(out));
    QCOMPARE(again.rowsWritten(), 40'000);
}

void TestCsvExport::unwritablePathFailsWithPathAndReason_data()
{
    QTest::addColumn<QString>("relative");
    QTest::newRow("parent is a file") << u"plain-file/out.csv"_s;
    QTest::newRow("missing directory") << u"missing/dir/out.csv"_s;
    QTest::newRow("target is a directory") << u"a-directory"_s;
}

void TestCsvExport::unwritablePathFailsWithPathAndReason()
{
    QFETCH(QString, relative);
    QTemporaryDir dir;
    {
        HistoryStore store(optionsFor(dir.path()));
        store.append({ probe(u"e"_s, baseMs(0), 1000) });
        QVERIFY(store.flushNow());
    }
    QFile plain(dir.filePath(u"plain-file"_s));
    QVERIFY(plain.open(QIODevice::WriteOnly));
    plain.close();
    QVERIFY(QDir(dir.path()).mkdir(u"a-directory"_s));
    ExportRequest request;
    request.databasePath = dir.filePath(u"history.sqlite"_s);
    request.fromMs = baseMs(0);
    request.toMs = baseMs(kMinute);
    CsvExport exporter(request);
    const QString out = dir.filePath(relative);
    QVERIFY(!exporter.writeToFile(out));
    const QString message = exporter.errorString();
    QVERIFY2(message.startsWith(u"cannot write "_s + out + u": "_s), qPrintable(message));
    QVERIFY2(message.size() > (u"cannot write "_s + out + u": "_s).size() + 3, qPrintable(message));
}

void TestCsvExport::unknownEndpointFails()
{
    QTemporaryDir dir;
    {
        HistoryStore store(optionsFor(dir.path()));
        store.append({ probe(u"e"_s, baseMs(0), 1000) });
        QVERIFY(store.flushNow());
    }
    ExportRequest request;
    request.databasePath = dir.filePath(u"history.sqlite"_s);
    request.fromMs = baseMs(0);
    request.toMs = baseMs(kMinute);
    request.endpoints = { u"nope"_s };
    CsvExport exporter(request);
    QVERIFY(!exporter.writeToFile(dir.filePath(u"x.csv"_s)));
    QVERIFY(exporter.errorString().contains(u"nope"_s));
    QVERIFY(!QFile::exists(dir.filePath(u"x.csv"_s)));
}

QTEST_GUILESS_MAIN(TestCsvExport)
#include "tst_csvexport.moc"
