// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/RequestValidator.h"

#include <QTest>

using namespace sd;

namespace {

EndpointConfig endpoint(
    EndpointKind kind, const QByteArray& method, const QByteArray& contentType, const QByteArray& body)
{
    EndpointConfig e;
    e.name = QStringLiteral("probe");
    e.url = QUrl(QStringLiteral("https://api.example.com/rpc"));
    e.kind = kind;
    e.method = method;
    if (!contentType.isEmpty())
        e.headers.append({ QByteArray("Content-Type"), contentType });
    e.body = body;
    return e;
}

} // namespace

class TestRequestValidator : public QObject {
    Q_OBJECT

private slots:
    void validate_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        // The whole reason, or its start where Qt's JSON error text follows; empty = the request is sent.
        QTest::addColumn<QString>("expected");

        const int http = int(EndpointKind::Http);
        const int rpc = int(EndpointKind::JsonRpc);
        const QByteArray json("application/json");

        QTest::newRow("GET without body") << http << QByteArray("GET") << QByteArray() << QByteArray() << QString();
        QTest::newRow("GET with json content type") << http << QByteArray("GET") << json << QByteArray() << QString();
        QTest::newRow("POST valid json") << http << QByteArray("POST") << json
                                         << QByteArray(R"({"model":"m","messages":[]})") << QString();
        QTest::newRow("POST invalid json") << http << QByteArray("POST") << json << QByteArray(R"({"model":)")
                                           << QStringLiteral("body is not valid JSON: ");
        QTest::newRow("POST json with charset")
            << http << QByteArray("POST") << QByteArray("application/json; charset=utf-8") << QByteArray("{oops}")
            << QStringLiteral("body is not valid JSON: ");
        QTest::newRow("POST vendor +json type") << http << QByteArray("POST") << QByteArray("application/vnd.api+json")
                                                << QByteArray("not json") << QStringLiteral("body is not valid JSON: ");
        QTest::newRow("POST text is not checked")
            << http << QByteArray("POST") << QByteArray("text/plain") << QByteArray("hello {") << QString();
        QTest::newRow("POST json empty body") << http << QByteArray("POST") << json << QByteArray() << QString();
        QTest::newRow("POST json scalar body") << http << QByteArray("POST") << json << QByteArray("42") << QString();

        const QByteArray ok(R"({"jsonrpc":"2.0","method":"eth_blockNumber","params":[],"id":1})");
        QTest::newRow("jsonrpc valid") << rpc << QByteArray("POST") << json << ok << QString();
        QTest::newRow("jsonrpc without content type") << rpc << QByteArray("POST") << QByteArray() << ok << QString();
        QTest::newRow("jsonrpc string id, object params")
            << rpc << QByteArray("POST") << json
            << QByteArray(R"({"jsonrpc":"2.0","method":"status","params":{"verbose":true},"id":"probe-1"})")
            << QString();
        QTest::newRow("jsonrpc null id") << rpc << QByteArray("POST") << json
                                         << QByteArray(R"({"jsonrpc":"2.0","method":"status","id":null})") << QString();
        QTest::newRow("jsonrpc valid batch")
            << rpc << QByteArray("POST") << json
            << QByteArray(R"([{"jsonrpc":"2.0","method":"a","id":1},{"jsonrpc":"2.0","method":"b","id":2}])")
            << QString();
        QTest::newRow("jsonrpc over GET") << rpc << QByteArray("GET") << QByteArray() << QByteArray()
                                          << QStringLiteral("JSON-RPC requests are sent with POST, not GET");
        QTest::newRow("jsonrpc empty body") << rpc << QByteArray("POST") << json << QByteArray("  ")
                                            << QStringLiteral("JSON-RPC request body is empty");
        QTest::newRow("jsonrpc body not json") << rpc << QByteArray("POST") << QByteArray() << QByteArray("method=x")
                                               << QStringLiteral("body is not valid JSON: ");
        QTest::newRow("jsonrpc scalar") << rpc << QByteArray("POST") << json << QByteArray("42")
                                        << QStringLiteral("JSON-RPC request is not a JSON object");
        QTest::newRow("jsonrpc version 1.0")
            << rpc << QByteArray("POST") << json << QByteArray(R"({"jsonrpc":"1.0","method":"a","id":1})")
            << QStringLiteral("JSON-RPC request needs \"jsonrpc\": \"2.0\"");
        QTest::newRow("jsonrpc version as number")
            << rpc << QByteArray("POST") << json << QByteArray(R"({"jsonrpc":2.0,"method":"a","id":1})")
            << QStringLiteral("JSON-RPC request needs \"jsonrpc\": \"2.0\"");
        QTest::newRow("jsonrpc no method")
            << rpc << QByteArray("POST") << json << QByteArray(R"({"jsonrpc":"2.0","id":1})")
            << QStringLiteral("JSON-RPC request needs a string \"method\"");
        QTest::newRow("jsonrpc numeric method")
            << rpc << QByteArray("POST") << json << QByteArray(R"({"jsonrpc":"2.0","method":7,"id":1})")
            << QStringLiteral("JSON-RPC request needs a string \"method\"");
        QTest::newRow("jsonrpc notification")
            << rpc << QByteArray("POST") << json << QByteArray(R"({"jsonrpc":"2.0","method":"a"})")
            << QStringLiteral("JSON-RPC request has no \"id\" (a notification gets no answer to judge)");
        QTest::newRow("jsonrpc object id")
            << rpc << QByteArray("POST") << json << QByteArray(R"({"jsonrpc":"2.0","method":"a","id":{}})")
            << QStringLiteral("JSON-RPC request has an \"id\" that is not a string, number or null");
        QTest::newRow("jsonrpc string params")
            << rpc << QByteArray("POST") << json << QByteArray(R"({"jsonrpc":"2.0","method":"a","params":"x","id":1})")
            << QStringLiteral("JSON-RPC request has \"params\" that are not an object or an array");
        QTest::newRow("jsonrpc empty batch")
            << rpc << QByteArray("POST") << json << QByteArray("[]") << QStringLiteral("JSON-RPC batch is empty");
        QTest::newRow("jsonrpc batch second item bad")
            << rpc << QByteArray("POST") << json
            << QByteArray(R"([{"jsonrpc":"2.0","method":"a","id":1},{"jsonrpc":"2.0","id":2}])")
            << QStringLiteral("JSON-RPC batch item 2 of 2 needs a string \"method\"");
    }

    void validate()
    {
        QFETCH(int, kind);
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QString, expected);
        const QString reason = validateRequest(endpoint(EndpointKind(kind), method, contentType, body));
        if (expected.isEmpty())
            QVERIFY2(reason.isEmpty(), qPrintable(reason));
        else if (expected.endsWith(u": "))
            QVERIFY2(reason.startsWith(expected) && reason.size() > expected.size(), qPrintable(reason));
        else
            QCOMPARE(reason, expected);
    }

    void contentTypeHeaderNameIsCaseInsensitive()
    {
        EndpointConfig e = endpoint(EndpointKind::Http, "POST", {}, "{broken");
        e.headers = { { QByteArray("content-type"), QByteArray("Application/JSON") } };
        QVERIFY(validateRequest(e).startsWith(QStringLiteral("body is not valid JSON")));
    }

    void jsonErrorSaysWhere()
    {
        // The bad token starts at byte 14; Qt reports the position at or just after it.
        const QByteArray body(R"({"model":"m", oops})");
        const QString reason = validateRequest(endpoint(EndpointKind::Http, "POST", "application/json", body));
        const qsizetype at = reason.lastIndexOf(QStringLiteral(" at byte "));
        QVERIFY2(at > 0, qPrintable(reason));
        const int offset = reason.sliced(at + 9).toInt();
        QVERIFY2(offset >= 14 && offset <= 15, qPrintable(reason));
    }
};

QTEST_GUILESS_MAIN(TestRequestValidator)
#include "tst_requestvalidator.moc"
