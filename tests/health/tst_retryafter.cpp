// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/RetryAfter.h"

#include <QTest>

using namespace sd;
using std::chrono::milliseconds;

class TestRetryAfter : public QObject {
    Q_OBJECT

private:
    // Wednesday, 1 May 2024, noon UTC.
    const QDateTime m_now { QDate(2024, 5, 1), QTime(12, 0, 0), Qt::UTC };

private slots:
    void parse_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<qint64>("expectedMs"); // -1 = nullopt

        QTest::newRow("seconds") << QByteArray("3") << qint64(3'000);
        QTest::newRow("zero seconds") << QByteArray("0") << qint64(0);
        QTest::newRow("seconds with spaces") << QByteArray("  120 ") << qint64(120'000);
        QTest::newRow("exactly one hour") << QByteArray("3600") << qint64(3'600'000);
        QTest::newRow("huge seconds clamped") << QByteArray("86400") << qint64(3'600'000);
        QTest::newRow("overflowing digits clamped") << QByteArray("99999999999999999999999") << qint64(3'600'000);
        QTest::newRow("negative") << QByteArray("-5") << qint64(-1);
        QTest::newRow("plus sign") << QByteArray("+5") << qint64(-1);
        QTest::newRow("fraction") << QByteArray("1.5") << qint64(-1);
        QTest::newRow("garbage") << QByteArray("soon") << qint64(-1);
        QTest::newRow("empty") << QByteArray("") << qint64(-1);
        QTest::newRow("seconds then garbage") << QByteArray("5 s") << qint64(-1);

        QTest::newRow("IMF-fixdate future") << QByteArray("Wed, 01 May 2024 12:00:30 GMT") << qint64(30'000);
        QTest::newRow("IMF-fixdate past") << QByteArray("Wed, 01 May 2024 11:00:00 GMT") << qint64(0);
        QTest::newRow("IMF-fixdate now") << QByteArray("Wed, 01 May 2024 12:00:00 GMT") << qint64(0);
        QTest::newRow("IMF-fixdate next day clamped")
            << QByteArray("Thu, 02 May 2024 12:00:00 GMT") << qint64(3'600'000);
        QTest::newRow("IMF-fixdate lower-case names") << QByteArray("wed, 01 may 2024 12:00:30 gmt") << qint64(30'000);
        QTest::newRow("IMF-fixdate UTC for GMT") << QByteArray("Wed, 01 May 2024 12:00:30 UTC") << qint64(30'000);
        QTest::newRow("RFC 850 future") << QByteArray("Wednesday, 01-May-24 12:01:00 GMT") << qint64(60'000);
        QTest::newRow("RFC 850 last century") << QByteArray("Sunday, 06-Nov-94 08:49:37 GMT") << qint64(0);
        QTest::newRow("asctime future") << QByteArray("Wed May  1 12:00:05 2024") << qint64(5'000);
        QTest::newRow("asctime two-digit day") << QByteArray("Wed May 01 12:00:05 2024") << qint64(5'000);
        QTest::newRow("asctime past") << QByteArray("Sun Nov  6 08:49:37 1994") << qint64(0);

        QTest::newRow("date 31 February") << QByteArray("Sat, 31 Feb 2024 12:00:00 GMT") << qint64(-1);
        QTest::newRow("date unknown month") << QByteArray("Wed, 01 Mai 2024 12:00:30 GMT") << qint64(-1);
        QTest::newRow("date unknown day name") << QByteArray("Mit, 01 May 2024 12:00:30 GMT") << qint64(-1);
        QTest::newRow("date without zone") << QByteArray("Wed, 01 May 2024 12:00:30") << qint64(-1);
        QTest::newRow("date with offset zone") << QByteArray("Wed, 01 May 2024 12:00:30 +0200") << qint64(-1);
        QTest::newRow("date bad time") << QByteArray("Wed, 01 May 2024 25:00:30 GMT") << qint64(-1);
        QTest::newRow("date short time") << QByteArray("Wed, 01 May 2024 12:00 GMT") << qint64(-1);
        QTest::newRow("ISO 8601 is not an HTTP-date") << QByteArray("2024-05-01T12:00:30Z") << qint64(-1);
    }

    void parse()
    {
        QFETCH(QByteArray, value);
        QFETCH(qint64, expectedMs);
        const auto delay = parseRetryAfter(value, m_now);
        if (expectedMs < 0) {
            QVERIFY2(!delay, qPrintable(QStringLiteral("got %1 ms").arg(delay ? delay->count() : 0)));
        } else {
            QVERIFY(delay);
            QCOMPARE(delay->count(), expectedMs);
        }
    }

    void dateNeedsAValidNow()
    {
        QVERIFY(!parseRetryAfter("Wed, 01 May 2024 12:00:30 GMT", QDateTime()));
        QCOMPARE(parseRetryAfter("7", QDateTime()), milliseconds(7'000));
    }

    void subSecondPrecisionOfNowIsKept()
    {
        const QDateTime now = m_now.addMSecs(250);
        QCOMPARE(parseRetryAfter("Wed, 01 May 2024 12:00:02 GMT", now), milliseconds(1'750));
    }

    void rfc850TwoDigitYear_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<int>("year");
        QTest::newRow("same year") << QByteArray("Wednesday, 01-May-24 12:00:00 GMT") << 2024;
        QTest::newRow("up to 50 years ahead stays ahead") << QByteArray("Monday, 01-Jan-74 00:00:00 GMT") << 2074;
        QTest::newRow("more than 50 years ahead is the past") << QByteArray("Monday, 01-Jan-80 00:00:00 GMT") << 1980;
        QTest::newRow("four-digit year tolerated") << QByteArray("Monday, 01-Jan-2024 00:00:00 GMT") << 2024;
    }

    void rfc850TwoDigitYear()
    {
        QFETCH(QByteArray, value);
        QFETCH(int, year);
        const QDateTime date = parseHttpDate(value, m_now);
        QVERIFY(date.isValid());
        QCOMPARE(date.date().year(), year);
        QCOMPARE(date.timeSpec(), Qt::UTC);
    }

    void allThreeFormsAgree()
    {
        const QDateTime expected(QDate(1994, 11, 6), QTime(8, 49, 37), Qt::UTC);
        QCOMPARE(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT", m_now), expected);
        QCOMPARE(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT", m_now), expected);
        QCOMPARE(parseHttpDate("Sun Nov  6 08:49:37 1994", m_now), expected);
    }
};

QTEST_GUILESS_MAIN(TestRetryAfter)
#include "tst_retryafter.moc"
