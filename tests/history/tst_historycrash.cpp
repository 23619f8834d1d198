// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/HistoryQuery.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <csignal>
#include <limits>

using namespace Qt::StringLiterals;

class TestHistoryCrash : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void sigkillLosesAtMostTheLastSecond();
};

void TestHistoryCrash::sigkillLosesAtMostTheLastSecond()
{
    QTemporaryDir dir;
    QProcess writer;
    writer.setProgram(QCoreApplication::applicationDirPath() + u"/history_crash_writer"_s);
    writer.setArguments({ dir.path() });
    writer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    writer.start();
    QVERIFY2(writer.waitForStarted(), qPrintable(writer.errorString()));

    // Let it append for about two seconds of its own output, then SIGKILL it mid-stream.
    QByteArray output;
    QElapsedTimer clock;
    clock.start();
    qint64 firstAppendMs = 0;
    qint64 lastSeenMs = 0;
    while (clock.elapsed() < 20'000 && (firstAppendMs == 0 || lastSeenMs - firstAppendMs < 2500)) {
        if (!writer.waitForReadyRead(5000))
            break;
        output += writer.readAll();
        const QList<QByteArray> lines = output.split('\n');
        for (const QByteArray& line : lines) {
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() == 2 && firstAppendMs == 0)
                firstAppendMs = parts.at(1).toLongLong();
            if (parts.size() == 2)
                lastSeenMs = std::max(lastSeenMs, parts.at(1).toLongLong());
        }
    }
    QVERIFY2(firstAppendMs > 0, "the writer never appended");
    const qint64 killedAtMs = QDateTime::currentMSecsSinceEpoch();
    QCOMPARE(::kill(static_cast<pid_t>(writer.processId()), SIGKILL), 0);
    QVERIFY(writer.waitForFinished(10'000));
    QCOMPARE(writer.exitStatus(), QProcess::CrashExit);
    output += writer.readAll();

    // Every sample appended more than a second before the kill must be on disk.
    qint64 mustHave = -1;
    qint64 appended = 0;
    for (const QByteArray& line : output.split('\n')) {
        const QList<QByteArray> parts = line.split(' ');
        if (parts.size() != 2)
            continue;
        ++appended;
        if (parts.at(1).toLongLong() <= killedAtMs - 1000)
            mustHave = std::max(mustHave, parts.at(0).toLongLong());
    }
    QVERIFY2(mustHave > 100, qPrintable(u"only %1 samples before the last second"_s.arg(mustHave)));

    {
        auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"crash-check"_s);
        db.setDatabaseName(dir.filePath(u"history.sqlite"_s));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(u"PRAGMA integrity_check"_s) && q.next());
        QCOMPARE(q.value(0).toString(), u"ok"_s);
        // The writer numbers its samples by latency: read them back as SignalDeck does.
        sd::HistoryQuery query(dir.filePath(u"history.sqlite"_s));
        qint64 count = 0;
        qint64 minSequence = std::numeric_limits<qint64>::max();
        qint64 maxSequence = -1;
        QVERIFY2(query.forEachSample({}, 0, std::numeric_limits<qint64>::max(),
                     [&](const sd::StoredSample& s) {
                         ++count;
                         minSequence = std::min(minSequence, s.latencyUs);
                         maxSequence = std::max(maxSequence, s.latencyUs);
                         return true;
                     }),
            qPrintable(query.lastError()));
        QCOMPARE(minSequence, 0);
        QCOMPARE(count, maxSequence + 1); // a gap-free prefix: batches are all or nothing
        QVERIFY2(maxSequence >= mustHave,
            qPrintable(u"stored up to #%1 of %2, but #%3 was appended more than 1 s before the kill"_s.arg(maxSequence)
                           .arg(appended)
                           .arg(mustHave)));
        QVERIFY(q.exec(u"SELECT sum(probes) FROM rollups"_s) && q.next());
        QCOMPARE(q.value(0).toLongLong(), count); // rollups committed with the same transactions
        qInfo("appended %lld, stored %lld, lost %lld (the last %lld ms)", static_cast<long long>(appended),
            static_cast<long long>(count), static_cast<long long>(appended - count),
            static_cast<long long>(killedAtMs - lastSeenMs));
    }
    QSqlDatabase::removeDatabase(u"crash-check"_s);

    // The next start continues on the same file.
    sd::HistoryQuery query(dir.filePath(u"history.sqlite"_s));
    QCOMPARE(query.endpoints(), QStringList { u"crash"_s });
}

QTEST_GUILESS_MAIN(TestHistoryCrash)
#include "tst_historycrash.moc"
