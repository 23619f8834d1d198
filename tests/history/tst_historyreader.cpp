// SPDX-License-Identifier: GPL-3.0-or-later
// The window's history reader against a real SQLite file and a real writer (HistoryStore).
#include "history/HistoryReader.h"
#include "history/HistoryStore.h"

#include <QDateTime>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace sd;

class TestHistoryReader : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { qRegisterMetaType<HistoryReader::ChartAnswer>(); }

    // Issue 12 point 6: the window starts the reader and the writer together; a reader that opens the
    // file before the writer has created the schema waits for it instead of answering "History
    // unavailable: schema version 0".
    void readerOpenedBeforeTheWriterWaitsForTheSchema_data()
    {
        QTest::addColumn<bool>("emptyFileFirst");
        QTest::newRow("no file yet") << false;
        QTest::newRow("an empty file, no schema yet") << true;
    }

    void readerOpenedBeforeTheWriterWaitsForTheSchema()
    {
        QFETCH(bool, emptyFileFirst);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        HistoryOptions options;
        options.directory = dir.path();
        const QString path = dir.filePath(options.fileName);
        if (emptyFileFirst) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly)); // a zero-byte file is an SQLite database without tables
        }

        HistoryReader reader(path);
        QSignalSpy answers(&reader, &HistoryReader::chartReady);
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        reader.requestChart({ QStringLiteral("e"), nowMs - 60'000, nowMs, 100, {} });
        // The reader asks first; the writer comes a little later, as in a slow start.
        std::unique_ptr<HistoryStore> store;
        QTimer::singleShot(400, this, [&] { store = std::make_unique<HistoryStore>(options); });
        QVERIFY(answers.wait(10'000));
        QVERIFY(store);
        const auto answer = answers.at(0).at(0).value<HistoryReader::ChartAnswer>();
        QVERIFY2(answer.error.isEmpty(), qPrintable(answer.error));
        QCOMPARE(answer.request.endpoint, QStringLiteral("e"));
    }
};

QTEST_GUILESS_MAIN(TestHistoryReader)
#include "tst_historyreader.moc"
