// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/CsvWriter.h"

#include <QBuffer>
#include <QLocale>
#include <QTest>

#include <clocale>

using namespace Qt::StringLiterals;
using namespace sd;

class TestCsvWriter : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void escapesCells_data();
    void escapesCells();
    void numbersIgnoreTheLocale_data();
    void numbersIgnoreTheLocale();
    void fixedPointIsExact_data();
    void fixedPointIsExact();
    void timestampsAreUtcIsoWithMilliseconds_data();
    void timestampsAreUtcIsoWithMilliseconds();
    void rowsEndWithCrLf();
    void writeErrorIsReported();
};

void TestCsvWriter::initTestCase()
{
    // A locale with a decimal comma and a grouping dot: none of it may leak into the CSV.
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    std::setlocale(LC_ALL, "de_DE.UTF-8");
}

void TestCsvWriter::cleanupTestCase()
{
    QLocale::setDefault(QLocale::c());
    std::setlocale(LC_ALL, "C");
}

void TestCsvWriter::escapesCells_data()
{
    QTest::addColumn<QString>("cell");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << u"plain text"_s << QByteArray("plain text");
    QTest::newRow("empty") << QString() << QByteArray();
    QTest::newRow("comma") << u"a,b"_s << QByteArray("\"a,b\"");
    QTest::newRow("quote") << u"say \"hi\""_s << QByteArray("\"say \"\"hi\"\"\"");
    QTest::newRow("newline") << u"line1\nline2"_s << QByteArray("\"line1\nline2\"");
    QTest::newRow("crlf inside") << u"a\r\nb"_s << QByteArray("\"a\r\nb\"");
    QTest::newRow("formula =") << u"=1+2"_s << QByteArray("'=1+2");
    QTest::newRow("formula +") << u"+49 30"_s << QByteArray("'+49 30");
    QTest::newRow("formula -") << u"-2"_s << QByteArray("'-2");
    QTest::newRow("formula @") << u"@SUM(A1)"_s << QByteArray("'@SUM(A1)");
    QTest::newRow("leading tab") << u"\tx"_s << QByteArray("'\tx");
    QTest::newRow("leading CR") << u"\rx"_s << QByteArray("\"'\rx\"");
    QTest::newRow("formula with comma") << u"=HYPERLINK(\"http://x\",\"y\")"_s
                                        << QByteArray("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    QTest::newRow("equals later is fine") << u"a=b"_s << QByteArray("a=b");
    QTest::newRow("non-ASCII") << u"Zürich ☃"_s << QByteArray("Z\xc3\xbcrich \xe2\x98\x83");
}

void TestCsvWriter::escapesCells()
{
    QFETCH(QString, cell);
    QFETCH(QByteArray, expected);
    QCOMPARE(CsvWriter::escapeCell(QStringView(cell)), expected);
}

void TestCsvWriter::numbersIgnoreTheLocale_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("ms") << 187.654 << 3 << QByteArray("187.654");
    QTest::newRow("thousands") << 1234567.5 << 1 << QByteArray("1234567.5");
    QTest::newRow("rounding") << 0.0005 << 3 << QByteArray("0.001");
    QTest::newRow("negative") << -2.25 << 2 << QByteArray("-2.25");
    QTest::newRow("zero") << 0.0 << 3 << QByteArray("0.000");
}

void TestCsvWriter::numbersIgnoreTheLocale()
{
    QFETCH(double, value);
    QFETCH(int, decimals);
    QFETCH(QByteArray, expected);
    QCOMPARE(QLocale().toString(1.5), u"1,5"_s); // the locale really is German here
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    {
        CsvWriter w(&buffer);
        w.addDecimal(value, decimals);
        w.addInteger(1234567);
        w.endRow();
        QVERIFY(w.flush());
    }
    QCOMPARE(buffer.data(), expected + ",1234567\r\n");
}

void TestCsvWriter::fixedPointIsExact_data()
{
    QTest::addColumn<qint64>("value");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("us as ms") << qint64(187'654) << 3 << QByteArray("187.654");
    QTest::newRow("leading zeros") << qint64(7) << 3 << QByteArray("0.007");
    QTest::newRow("zero") << qint64(0) << 3 << QByteArray("0.000");
    QTest::newRow("negative") << qint64(-1500) << 3 << QByteArray("-1.500");
    QTest::newRow("no decimals") << qint64(42) << 0 << QByteArray("42");
    QTest::newRow("large") << qint64(9'876'543'210'123) << 3 << QByteArray("9876543210.123");
}

void TestCsvWriter::fixedPointIsExact()
{
    QFETCH(qint64, value);
    QFETCH(int, decimals);
    QFETCH(QByteArray, expected);
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    CsvWriter w(&buffer);
    w.addFixedPoint(value, decimals);
    w.endRow();
    QVERIFY(w.flush());
    QCOMPARE(buffer.data(), expected + "\r\n");
}

void TestCsvWriter::timestampsAreUtcIsoWithMilliseconds_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("epoch") << qint64(0) << QByteArray("1970-01-01T00:00:00.000Z");
    QTest::newRow("leap day") << QDateTime(QDate(2028, 2, 29), QTime(23, 59, 59, 999), Qt::UTC).toMSecsSinceEpoch()
                              << QByteArray("2028-02-29T23:59:59.999Z");
    QTest::newRow("ms padding") << QDateTime(QDate(2026, 3, 2), QTime(10, 0, 5, 7), Qt::UTC).toMSecsSinceEpoch()
                                << QByteArray("2026-03-02T10:00:05.007Z");
}

void TestCsvWriter::timestampsAreUtcIsoWithMilliseconds()
{
    QFETCH(qint64, ms);
    QFETCH(QByteArray, expected);
    QByteArray out;
    CsvWriter::appendUtcTimestamp(out, ms);
    QCOMPARE(out, expected);
    QCOMPARE(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs).toLatin1(), expected);
}

void TestCsvWriter::rowsEndWithCrLf()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    CsvWriter w(&buffer, 8); // a tiny buffer: flushes inside rows must not change the output
    w.addText(u"a"_s);
    w.addEmpty();
    w.addText(u"c,d"_s);
    w.endRow();
    w.addInteger(-5);
    w.endRow();
    QVERIFY(w.flush());
    QCOMPARE(buffer.data(), QByteArray("a,,\"c,d\"\r\n-5\r\n"));
}

void TestCsvWriter::writeErrorIsReported()
{
    QBuffer buffer;
    buffer.open(QIODevice::ReadOnly); // not writable
    CsvWriter w(&buffer);
    w.addText(u"x"_s);
    w.endRow();
    QTest::ignoreMessage(QtWarningMsg, "QIODevice::write (QBuffer): ReadOnly device");
    QVERIFY(!w.flush());
    QVERIFY(!w.ok());
    QVERIFY(!w.errorString().isEmpty());
}

QTEST_GUILESS_MAIN(TestCsvWriter)
#include "tst_csvwriter.moc"
