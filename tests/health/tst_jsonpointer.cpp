// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/JsonPointer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace sd;

// Declared before the fixtures: moc 6.4 misreads raw string literals with an odd number of quotes
// and would not see a class that follows them.
class TestJsonPointer : public QObject {
    Q_OBJECT

private slots:
    void resolve_data();
    void resolve();
    void emptyPointerIsTheWholeDocument();
    void tildeEscapeOrder();
    void validity();
    void parseAnyTopLevelValue_data();
    void parseAnyTopLevelValue();
    void parseRejects_data();
    void parseRejects();
};

namespace {

// The example document of RFC 6901 §5.
const QByteArray kRfcExample = R"({
    "foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5, "k\"l": 6, " ": 7,
    "m~n": 8, "nested": {"list": [{"id": 10}, {"id": 11}]}, "nothing": null })";

QJsonValue rfcDocument()
{
    return QJsonDocument::fromJson(kRfcExample).object();
}

} // namespace

void TestJsonPointer::resolve_data()
{
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QByteArray>("expected"); // compact JSON; empty = nullopt

    QTest::newRow("member array") << QStringLiteral("/foo") << QByteArray(R"(["bar","baz"])");
    QTest::newRow("array index 0") << QStringLiteral("/foo/0") << QByteArray(R"("bar")");
    QTest::newRow("array index 1") << QStringLiteral("/foo/1") << QByteArray(R"("baz")");
    QTest::newRow("empty key") << QStringLiteral("/") << QByteArray("0");
    QTest::newRow("~1 is slash") << QStringLiteral("/a~1b") << QByteArray("1");
    QTest::newRow("percent is literal") << QStringLiteral("/c%d") << QByteArray("2");
    QTest::newRow("caret") << QStringLiteral("/e^f") << QByteArray("3");
    QTest::newRow("pipe") << QStringLiteral("/g|h") << QByteArray("4");
    QTest::newRow("backslash") << QStringLiteral("/i\\j") << QByteArray("5");
    QTest::newRow("quote") << QStringLiteral("/k\"l") << QByteArray("6");
    QTest::newRow("space") << QStringLiteral("/ ") << QByteArray("7");
    QTest::newRow("~0 is tilde") << QStringLiteral("/m~0n") << QByteArray("8");
    QTest::newRow("deep through array") << QStringLiteral("/nested/list/1/id") << QByteArray("11");
    QTest::newRow("explicit null resolves") << QStringLiteral("/nothing") << QByteArray("null");

    QTest::newRow("missing member") << QStringLiteral("/nope") << QByteArray();
    QTest::newRow("index out of range") << QStringLiteral("/foo/2") << QByteArray();
    QTest::newRow("dash past the end") << QStringLiteral("/foo/-") << QByteArray();
    QTest::newRow("leading zero index") << QStringLiteral("/foo/01") << QByteArray();
    QTest::newRow("negative index") << QStringLiteral("/foo/-1") << QByteArray();
    QTest::newRow("name into array") << QStringLiteral("/foo/bar") << QByteArray();
    QTest::newRow("into a scalar") << QStringLiteral("/foo/0/x") << QByteArray();
    QTest::newRow("no leading slash") << QStringLiteral("foo") << QByteArray();
    QTest::newRow("bad escape ~2") << QStringLiteral("/m~2n") << QByteArray();
    QTest::newRow("trailing tilde") << QStringLiteral("/m~") << QByteArray();
    QTest::newRow("~01 is ~1 not slash") << QStringLiteral("/a~01b") << QByteArray();
}

void TestJsonPointer::resolve()
{
    QFETCH(QString, pointer);
    QFETCH(QByteArray, expected);
    const auto value = jsonPointerResolve(rfcDocument(), pointer);
    if (expected.isEmpty()) {
        QVERIFY(!value);
        return;
    }
    QVERIFY(value);
    const QByteArray wrapped = QJsonDocument(QJsonArray { *value }).toJson(QJsonDocument::Compact);
    QCOMPARE(wrapped.sliced(1, wrapped.size() - 2), expected);
}

void TestJsonPointer::emptyPointerIsTheWholeDocument()
{
    const QJsonValue document = rfcDocument();
    QCOMPARE(jsonPointerResolve(document, u""), document);
    QCOMPARE(jsonPointerResolve(QJsonValue(42), u""), QJsonValue(42));
    QVERIFY(!jsonPointerResolve(QJsonValue(42), u"/a"));
}

void TestJsonPointer::tildeEscapeOrder()
{
    // "~01" must decode to "~1" (a key with a tilde), not to "/".
    const QJsonValue document = QJsonObject { { QStringLiteral("~1"), 1 }, { QStringLiteral("/"), 2 } };
    QCOMPARE(jsonPointerResolve(document, u"/~01"), QJsonValue(1));
    QCOMPARE(jsonPointerResolve(document, u"/~1"), QJsonValue(2));
}

void TestJsonPointer::validity()
{
    QVERIFY(isValidJsonPointer(u""));
    QVERIFY(isValidJsonPointer(u"/"));
    QVERIFY(isValidJsonPointer(u"/error/code"));
    QVERIFY(isValidJsonPointer(u"/a~0~1b"));
    QVERIFY(!isValidJsonPointer(u"error/code"));
    QVERIFY(!isValidJsonPointer(u"/a~"));
    QVERIFY(!isValidJsonPointer(u"/a~x"));
}

void TestJsonPointer::parseAnyTopLevelValue_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QJsonValue>("expected");
    QTest::newRow("number") << QByteArray(" 42 ") << QJsonValue(42);
    QTest::newRow("string") << QByteArray(R"("chat.completion")") << QJsonValue(QStringLiteral("chat.completion"));
    QTest::newRow("true") << QByteArray("true") << QJsonValue(true);
    QTest::newRow("null") << QByteArray("null") << QJsonValue(QJsonValue::Null);
    QTest::newRow("object") << QByteArray(R"({"a":1})") << QJsonValue(QJsonObject { { QStringLiteral("a"), 1 } });
    QTest::newRow("array") << QByteArray("[1,2]") << QJsonValue(QJsonArray { 1, 2 });
}

void TestJsonPointer::parseAnyTopLevelValue()
{
    QFETCH(QByteArray, text);
    QFETCH(QJsonValue, expected);
    QString error;
    const auto value = parseJsonValue(text, &error);
    QVERIFY2(value, qPrintable(error));
    QCOMPARE(*value, expected);
}

void TestJsonPointer::parseRejects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("unterminated object") << QByteArray(R"({"a":1)");
    QTest::newRow("two values") << QByteArray("1 2");
    QTest::newRow("comma-separated values") << QByteArray("1,2");
    QTest::newRow("bracket injection") << QByteArray("1],[2");
    QTest::newRow("html") << QByteArray("<html>");
}

void TestJsonPointer::parseRejects()
{
    QFETCH(QByteArray, text);
    QString error;
    QVERIFY(!parseJsonValue(text, &error));
    QVERIFY(!error.isEmpty());
}

QTEST_GUILESS_MAIN(TestJsonPointer)
#include "tst_jsonpointer.moc"
