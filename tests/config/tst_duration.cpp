// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/Duration.h"

#include <QTest>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using sd::Millis;

class TestDuration : public QObject {
    Q_OBJECT

private slots:
    void parsesValid_data();
    void parsesValid();
    void rejectsInvalid_data();
    void rejectsInvalid();
    void formatsShortestExactForm_data();
    void formatsShortestExactForm();
    void formatThenParseGivesTheSameDuration_data();
    void formatThenParseGivesTheSameDuration();
};

void TestDuration::parsesValid_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("millis");

    QTest::newRow("250ms") << u"250ms"_s << qint64(250);
    QTest::newRow("10s") << u"10s"_s << qint64(10'000);
    QTest::newRow("2m") << u"2m"_s << qint64(120'000);
    QTest::newRow("1h") << u"1h"_s << qint64(3'600'000);
    QTest::newRow("zero") << u"0ms"_s << qint64(0);
    QTest::newRow("zero seconds") << u"0s"_s << qint64(0);
    QTest::newRow("1500ms stays in ms") << u"1500ms"_s << qint64(1'500);
    QTest::newRow("90s") << u"90s"_s << qint64(90'000);
    QTest::newRow("leading zeros") << u"007s"_s << qint64(7'000);
    QTest::newRow("largest ms") << u"9223372036854775807ms"_s << qint64(9'223'372'036'854'775'807);
    QTest::newRow("largest whole hours") << u"2562047788015h"_s << qint64(9'223'372'036'854'000'000);
}

void TestDuration::parsesValid()
{
    QFETCH(QString, text);
    QFETCH(qint64, millis);
    const std::optional<Millis> parsed = sd::parseDuration(text);
    QVERIFY2(parsed.has_value(), qPrintable(text));
    QCOMPARE(parsed->count(), millis);
}

void TestDuration::rejectsInvalid_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("empty") << QString();
    QTest::newRow("missing unit") << u"10"_s;
    QTest::newRow("missing number") << u"ms"_s;
    QTest::newRow("negative") << u"-5s"_s;
    QTest::newRow("plus sign") << u"+5s"_s;
    QTest::newRow("fraction") << u"1.5s"_s;
    QTest::newRow("space before unit") << u"10 s"_s;
    QTest::newRow("leading space") << u" 10s"_s;
    QTest::newRow("trailing space") << u"10s "_s;
    QTest::newRow("upper-case unit") << u"10S"_s;
    QTest::newRow("long unit") << u"10sec"_s;
    QTest::newRow("days") << u"2d"_s;
    QTest::newRow("compound") << u"1h30m"_s;
    QTest::newRow("unit first") << u"s10"_s;
    QTest::newRow("hex") << u"0x10s"_s;
    QTest::newRow("full-width digits") << u"\uFF11\uFF10s"_s;
    QTest::newRow("garbage") << u"soon"_s;
    QTest::newRow("overflow in digits") << u"9223372036854775808ms"_s;
    QTest::newRow("overflow in many digits") << u"99999999999999999999999s"_s;
    QTest::newRow("overflow by unit") << u"2562047788016h"_s;
}

void TestDuration::rejectsInvalid()
{
    QFETCH(QString, text);
    const std::optional<Millis> parsed = sd::parseDuration(text);
    QVERIFY2(!parsed.has_value(), qPrintable(u"accepted \""_s + text + u"\" as "_s + QString::number(parsed->count())));
}

void TestDuration::formatsShortestExactForm_data()
{
    QTest::addColumn<qint64>("millis");
    QTest::addColumn<QString>("text");

    QTest::newRow("1500ms") << qint64(1'500) << u"1500ms"_s;
    QTest::newRow("10s") << qint64(10'000) << u"10s"_s;
    QTest::newRow("2m") << qint64(120'000) << u"2m"_s;
    QTest::newRow("1h") << qint64(3'600'000) << u"1h"_s;
    QTest::newRow("1ms") << qint64(1) << u"1ms"_s;
    QTest::newRow("90s, not 1.5m") << qint64(90'000) << u"90s"_s;
    QTest::newRow("61s") << qint64(61'000) << u"61s"_s;
    QTest::newRow("90m, not 1.5h") << qint64(5'400'000) << u"90m"_s;
    QTest::newRow("24h") << qint64(86'400'000) << u"24h"_s;
    QTest::newRow("zero") << qint64(0) << u"0s"_s;
}

void TestDuration::formatsShortestExactForm()
{
    QFETCH(qint64, millis);
    QFETCH(QString, text);
    QCOMPARE(sd::formatDuration(Millis { millis }), text);
}

void TestDuration::formatThenParseGivesTheSameDuration_data()
{
    QTest::addColumn<qint64>("millis");
    for (qint64 millis : { qint64(0), qint64(1), qint64(999), qint64(1'000), qint64(1'001), qint64(59'999),
             qint64(60'000), qint64(3'599'999), qint64(3'600'000), qint64(7'200'500), qint64(9'223'372'036'854'000'000),
             qint64(9'223'372'036'854'775'807) })
        QTest::newRow(qPrintable(QString::number(millis))) << millis;
}

void TestDuration::formatThenParseGivesTheSameDuration()
{
    QFETCH(qint64, millis);
    const QString text = sd::formatDuration(Millis { millis });
    const std::optional<Millis> parsed = sd::parseDuration(text);
    QVERIFY2(parsed.has_value(), qPrintable(text));
    QCOMPARE(parsed->count(), millis);
}

QTEST_GUILESS_MAIN(TestDuration)
#include "tst_duration.moc"
