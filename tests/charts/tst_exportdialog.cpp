// SPDX-License-Identifier: GPL-3.0-or-later
#include "charts/ChartTestData.h"
#include "history/HistoryStore.h"
#include "ui/export/ExportDialog.h"

#include <QFile>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace sd;
using sd::testdata::probe;

namespace {

/// A real history database in `dir`: `perEndpoint` probes a second apart for alpha and beta, the last
/// one a second before `now`.
QString makeHistory(const QString& dir, qint64 now, int perEndpoint)
{
    HistoryOptions options;
    options.directory = dir;
    options.maintenanceInterval = std::chrono::milliseconds(0);
    HistoryStore store(options);
    ProbeResults batch;
    for (int i = perEndpoint; i >= 1; --i) {
        batch.append(probe(u"alpha"_s, now - qint64(i) * 1000, 20'000 + i));
        batch.append(probe(u"beta"_s, now - qint64(i) * 1000, 30'000, i % 10 ? Outcome::Ok : Outcome::Throttled,
            i % 10 ? 200 : 429, i % 10 ? FailureSignal::None : FailureSignal::S4));
    }
    store.append(batch);
    store.flushNow();
    return store.databasePath();
}

QStringList readLines(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QStringList lines = QString::fromUtf8(f.readAll()).split(u"\r\n"_s);
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

} // namespace

class TestExportDialog : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void defaultsAndDefaultFileName();
    void rangesFromPresetsAndCustom_data();
    void rangesFromPresetsAndCustom();
    void invalidChoicesDisableExport();
    void exportsRawSamplesOfCheckedEndpoints();
    void exportsSummary();
    void cancelLeavesNoFile();
    void unwritablePathShowsPathAndReason();

private:
    QTemporaryDir m_dir;
    QString m_db;
    qint64 m_now = 0;
};

void TestExportDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QLocale::setDefault(QLocale::c());
    QVERIFY(m_dir.isValid());
    m_now = QDateTime::currentMSecsSinceEpoch();
    m_db = makeHistory(m_dir.filePath(u"history"_s), m_now, 600);
    QVERIFY(QFile::exists(m_db));
}

void TestExportDialog::defaultsAndDefaultFileName()
{
    ExportDialog dialog(m_db, { u"alpha"_s, u"beta"_s });
    QCOMPARE(dialog.checkedEndpoints(), (QStringList { u"alpha"_s, u"beta"_s }));
    QCOMPARE(dialog.kind(), ExportRequest::Kind::RawSamples);
    QCOMPARE(dialog.rangePreset(), ExportDialog::RangePreset::Last24Hours);
    const QDateTime t(QDate(2026, 3, 2), QTime(10, 15));
    QCOMPARE(ExportDialog::defaultFileName(ExportRequest::Kind::RawSamples, t), u"signaldeck-raw-20260302-1015.csv"_s);
    QCOMPARE(ExportDialog::defaultFileName(ExportRequest::Kind::Summary, t), u"signaldeck-summary-20260302-1015.csv"_s);
    QVERIFY(QFileInfo(dialog.outputPath()).fileName().startsWith(u"signaldeck-raw-"_s));
    // Switching to a summary renames the default file, until the operator chose a name.
    dialog.setKind(ExportRequest::Kind::Summary);
    QVERIFY(QFileInfo(dialog.outputPath()).fileName().startsWith(u"signaldeck-summary-"_s));
    dialog.setOutputPath(u"/tmp/mine.csv"_s);
    dialog.setKind(ExportRequest::Kind::RawSamples);
    QCOMPARE(dialog.outputPath(), u"/tmp/mine.csv"_s);
    // Every endpoint checked asks for all of the history.
    QVERIFY(dialog.request().endpoints.isEmpty());
    QCOMPARE(dialog.request().databasePath, m_db);
}

void TestExportDialog::rangesFromPresetsAndCustom_data()
{
    QTest::addColumn<ExportDialog::RangePreset>("preset");
    QTest::addColumn<qint64>("spanMs");
    QTest::newRow("5 min") << ExportDialog::RangePreset::Last5Minutes << qint64(5 * 60'000);
    QTest::newRow("1 h") << ExportDialog::RangePreset::LastHour << qint64(3'600'000);
    QTest::newRow("24 h") << ExportDialog::RangePreset::Last24Hours << qint64(86'400'000);
    QTest::newRow("7 d") << ExportDialog::RangePreset::Last7Days << qint64(7 * 86'400'000LL);
    QTest::newRow("30 d") << ExportDialog::RangePreset::Last30Days << qint64(30 * 86'400'000LL);
    QTest::newRow("90 d") << ExportDialog::RangePreset::Last90Days << qint64(90 * 86'400'000LL);
}

void TestExportDialog::rangesFromPresetsAndCustom()
{
    QFETCH(ExportDialog::RangePreset, preset);
    QFETCH(qint64, spanMs);
    ExportDialog dialog(m_db, { u"alpha"_s });
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(1'772'445'600'000, Qt::UTC);
    dialog.setReferenceTime(now);
    dialog.setRangePreset(preset);
    const ExportRequest r = dialog.request();
    QCOMPARE(r.toMs, now.toMSecsSinceEpoch());
    QCOMPARE(r.toMs - r.fromMs, spanMs);

    const QDateTime from = now.addSecs(-7200);
    dialog.setCustomRange(from, now.addSecs(-3600));
    QCOMPARE(dialog.rangePreset(), ExportDialog::RangePreset::Custom);
    QCOMPARE(dialog.request().fromMs, from.toMSecsSinceEpoch());
    QCOMPARE(dialog.request().toMs - dialog.request().fromMs, qint64(3'600'000));
}

void TestExportDialog::invalidChoicesDisableExport()
{
    ExportDialog dialog(m_db, { u"alpha"_s, u"beta"_s });
    QPushButton* exportBtn = nullptr;
    for (QPushButton* b : dialog.findChildren<QPushButton*>()) {
        if (b->text().contains(u"Export"_s))
            exportBtn = b;
    }
    QVERIFY(exportBtn);
    QVERIFY(exportBtn->isEnabled());
    dialog.setCheckedEndpoints({ u"nothing-matches"_s });
    QVERIFY(!exportBtn->isEnabled());
    QCOMPARE(dialog.statusText(), u"Choose at least one endpoint."_s);
    QVERIFY(dialog.request().databasePath.isEmpty());
    dialog.setCheckedEndpoints({});
    QVERIFY(exportBtn->isEnabled());
    QVERIFY(dialog.statusText().isEmpty());
    const QDateTime now = QDateTime::currentDateTime();
    dialog.setCustomRange(now, now.addSecs(-60));
    QVERIFY(!exportBtn->isEnabled());
    QVERIFY(dialog.statusText().contains(u"before its end"_s));
}

void TestExportDialog::exportsRawSamplesOfCheckedEndpoints()
{
    QTemporaryDir out;
    ExportDialog dialog(m_db, { u"alpha"_s, u"beta"_s });
    dialog.resize(560, 480);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.setRangePreset(ExportDialog::RangePreset::LastHour);
    dialog.setReferenceTime(QDateTime::fromMSecsSinceEpoch(m_now, Qt::UTC));
    dialog.setCheckedEndpoints({ u"alpha"_s });
    QCOMPARE(dialog.request().endpoints, QStringList { u"alpha"_s });
    const QString path = out.filePath(u"raw.csv"_s);
    dialog.setOutputPath(path);
    QSignalSpy finished(&dialog, &ExportDialog::exportFinished);
    dialog.startExport();
    QVERIFY(dialog.isRunning());
    QVERIFY(finished.wait(10'000));
    QCOMPARE(finished.first().at(0).toBool(), true);
    QCOMPARE(finished.first().at(2).toLongLong(), 600);
    const QStringList lines = readLines(path);
    QCOMPARE(lines.size(), 601); // header + 600 samples of alpha
    QVERIFY(lines.first().contains(u"endpoint"_s));
    for (qsizetype i = 1; i < lines.size(); ++i)
        QVERIFY2(lines.at(i).contains(u",alpha,"_s), qPrintable(lines.at(i)));
    QVERIFY(dialog.statusText().contains(path));
    QVERIFY(dialog.statusText().contains(u"600 rows"_s));
    QVERIFY(!dialog.isRunning());
    const QString shot = QDir(sd::testdata::screenshotDir()).filePath(u"export-dialog-done.png"_s);
    QVERIFY(dialog.grab().save(shot));
    qInfo() << "screenshot:" << shot;
}

void TestExportDialog::exportsSummary()
{
    QTemporaryDir out;
    ExportDialog dialog(m_db, { u"alpha"_s, u"beta"_s });
    dialog.setReferenceTime(QDateTime::fromMSecsSinceEpoch(m_now, Qt::UTC));
    dialog.setRangePreset(ExportDialog::RangePreset::LastHour);
    dialog.setKind(ExportRequest::Kind::Summary);
    const QString path = out.filePath(u"summary.csv"_s);
    dialog.setOutputPath(path);
    QSignalSpy finished(&dialog, &ExportDialog::exportFinished);
    dialog.startExport();
    QVERIFY(finished.wait(10'000));
    QVERIFY(finished.first().at(0).toBool());
    const QStringList lines = readLines(path);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(1).startsWith(u"alpha,"_s));
    QVERIFY(lines.at(2).startsWith(u"beta,"_s));
}

void TestExportDialog::cancelLeavesNoFile()
{
    // Big enough that the export reports progress (every 16,384 rows) before it ends.
    QTemporaryDir big;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QString db = makeHistory(big.filePath(u"history"_s), now, 40'000);
    QTemporaryDir out;
    ExportDialog dialog(db, { u"alpha"_s, u"beta"_s });
    dialog.setReferenceTime(QDateTime::fromMSecsSinceEpoch(now, Qt::UTC));
    const QString path = out.filePath(u"canceled.csv"_s);
    dialog.setOutputPath(path);
    // Cancel as soon as the first rows are written, as an operator pressing Cancel would.
    connect(&dialog, &ExportDialog::progressChanged, &dialog, [&dialog](qint64 done, qint64) {
        if (done > 0)
            dialog.cancelExport();
    });
    QSignalSpy progress(&dialog, &ExportDialog::progressChanged);
    QSignalSpy finished(&dialog, &ExportDialog::exportFinished);
    dialog.startExport();
    QVERIFY(finished.wait(20'000));
    QVERIFY(!progress.isEmpty());
    QCOMPARE(finished.first().at(0).toBool(), false);
    QVERIFY(dialog.statusText().contains(u"canceled"_s));
    QVERIFY(!QFile::exists(path));
    // Nor a temporary file of QSaveFile.
    QCOMPARE(QDir(out.path()).entryList(QDir::Files | QDir::Hidden), QStringList());
}

void TestExportDialog::unwritablePathShowsPathAndReason()
{
    QTemporaryDir out;
    // A directory below a regular file cannot be created, not even by root.
    QFile blocker(out.filePath(u"not-a-directory"_s));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const QString path = out.filePath(u"not-a-directory/export.csv"_s);
    ExportDialog dialog(m_db, { u"alpha"_s, u"beta"_s });
    dialog.resize(560, 480);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.setOutputPath(path);
    QSignalSpy finished(&dialog, &ExportDialog::exportFinished);
    dialog.startExport();
    QVERIFY(finished.wait(10'000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    const QString shown = dialog.statusText();
    QVERIFY2(shown.contains(path), qPrintable(shown));
    // The reason follows the path: "cannot write <path>: <reason>".
    const QString reason = shown.mid(shown.indexOf(path) + path.size());
    QVERIFY2(reason.startsWith(u": "_s) && reason.size() > 4, qPrintable(shown));
    // It is on screen, in the dialog.
    auto* status = dialog.findChild<QPlainTextEdit*>();
    QVERIFY(status && status->isVisible());
    QVERIFY(status->toPlainText().contains(path));
    QVERIFY(!QFile::exists(path));
    const QString shot = QDir(sd::testdata::screenshotDir()).filePath(u"export-dialog-error.png"_s);
    QVERIFY(dialog.grab().save(shot));
    qInfo() << "screenshot:" << shot;
}

QTEST_MAIN(TestExportDialog)
#include "tst_exportdialog.moc"
