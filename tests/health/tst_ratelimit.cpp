// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/RateLimit.h"

#include <QTest>

using namespace sd;

using Headers = QList<std::pair<QByteArray, QByteArray>>;

class TestRateLimit : public QObject {
    Q_OBJECT

private slots:
    void remaining_data()
    {
        QTest::addColumn<Headers>("headers");
        QTest::addColumn<qint64>("expected");

        QTest::newRow("no headers") << Headers {} << qint64(-1);
        QTest::newRow("unrelated headers") << Headers { { "Content-Type", "application/json" } } << qint64(-1);
        QTest::newRow("RateLimit-Remaining") << Headers { { "RateLimit-Remaining", "12" } } << qint64(12);
        QTest::newRow("X-RateLimit-Remaining zero") << Headers { { "X-RateLimit-Remaining", "0" } } << qint64(0);
        QTest::newRow("lower-case name") << Headers { { "x-ratelimit-remaining", " 5 " } } << qint64(5);
        QTest::newRow("IETF dictionary") << Headers { { "RateLimit", "limit=100, remaining=7, reset=30" } }
                                         << qint64(7);
        QTest::newRow("IETF draft 08 item") << Headers { { "RateLimit", R"("default";r=3;t=10)" } } << qint64(3);
        QTest::newRow("IETF two policies, tightest wins")
            << Headers { { "RateLimit", R"("hour";r=900;t=3000, "burst";r=2;t=1)" } } << qint64(2);
        QTest::newRow("IETF reset only") << Headers { { "RateLimit", "limit=100, reset=30" } } << qint64(-1);
        QTest::newRow("OpenAI requests and tokens")
            << Headers { { "x-ratelimit-remaining-requests", "59" }, { "x-ratelimit-remaining-tokens", "149984" } }
            << qint64(59);
        QTest::newRow("Kong per-minute and per-hour") << Headers { { "X-RateLimit-Remaining-Minute", "0" },
            { "X-RateLimit-Remaining-Hour", "400" } } << qint64(0);
        QTest::newRow("garbage ignored") << Headers { { "X-RateLimit-Remaining", "lots" } } << qint64(-1);
        QTest::newRow("negative ignored") << Headers { { "X-RateLimit-Remaining", "-1" } } << qint64(-1);
        QTest::newRow("garbage beside a number")
            << Headers { { "X-RateLimit-Remaining", "lots" }, { "RateLimit-Remaining", "4" } } << qint64(4);
        QTest::newRow("limit header is not remaining") << Headers { { "X-RateLimit-Limit", "0" } } << qint64(-1);
    }

    void remaining()
    {
        QFETCH(Headers, headers);
        QFETCH(qint64, expected);
        QCOMPARE(parseRateLimitRemaining(headers), expected);
    }
};

QTEST_GUILESS_MAIN(TestRateLimit)
#include "tst_ratelimit.moc"
