// SPDX-License-Identifier: GPL-3.0-or-later
// BodyDecoder: gzip and deflate decoded as they arrive, bounded output, a stream cut short or corrupt is seen.
#include "probe/BodyDecoder.h"

#include <QTest>

#include <zlib.h>

using namespace sd;
using namespace Qt::StringLiterals;

namespace {

/// `text` compressed with zlib: windowBits 31 = gzip, 15 = zlib ("deflate"), -15 = raw deflate.
QByteArray compress(const QByteArray& text, int windowBits)
{
    z_stream z {};
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(static_cast<qsizetype>(deflateBound(&z, static_cast<uLong>(text.size()))), Qt::Uninitialized);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(static_cast<qsizetype>(z.total_out));
    deflateEnd(&z);
    return out;
}

QByteArray sample()
{
    QByteArray text;
    for (int i = 0; i < 20000; ++i)
        text += QByteArray::number(i * 7919 % 100003) + ',';
    return text;
}

} // namespace

class TestBodyDecoder : public QObject {
    Q_OBJECT
private slots:
    void wholeStreamsDecode_data()
    {
        QTest::addColumn<QByteArray>("encoding");
        QTest::addColumn<int>("windowBits");
        QTest::newRow("gzip") << QByteArray("gzip") << 31;
        QTest::newRow("x-gzip") << QByteArray("x-gzip") << 31;
        QTest::newRow("deflate (zlib)") << QByteArray("deflate") << 15;
        QTest::newRow("deflate (raw)") << QByteArray("deflate") << -15;
    }
    void wholeStreamsDecode()
    {
        QFETCH(QByteArray, encoding);
        QFETCH(int, windowBits);
        const QByteArray text = sample();
        const QByteArray encoded = compress(text, windowBits);
        BodyDecoder decoder(encoding);
        QVERIFY(decoder.decodes());
        QByteArray out;
        // Fed in small pieces, as a socket delivers it.
        for (qsizetype i = 0; i < encoded.size(); i += 100)
            out += decoder.decode(
                QByteArrayView(encoded).sliced(i, std::min<qsizetype>(100, encoded.size() - i)), 1 << 30);
        QCOMPARE(out, text);
        QVERIFY(decoder.complete());
        QVERIFY(decoder.error().isEmpty());
        QCOMPARE(decoder.decodedBytes(), text.size());
    }

    void outputIsBoundedAndCounted()
    {
        const QByteArray text(qsizetype { 10 } * 1024 * 1024, 'a'); // a small "bomb": 10 MiB from ~10 KiB
        BodyDecoder decoder("gzip");
        const QByteArray out = decoder.decode(compress(text, 31), 4096);
        QCOMPARE(out.size(), 4096);
        QCOMPARE(decoder.decodedBytes(), text.size());
    }

    void truncatedStreamIsIncomplete()
    {
        const QByteArray encoded = compress(sample(), 31);
        BodyDecoder decoder("gzip");
        decoder.decode(encoded.first(encoded.size() / 2), 1 << 30);
        QVERIFY(!decoder.complete());
        QVERIFY(decoder.error().isEmpty());
    }

    void corruptStreamSaysWhy()
    {
        const QByteArray junk
            = QByteArray("\x1f\x8b\x08\x00") + QByteArray("this is not deflate data at all").repeated(4);
        BodyDecoder decoder("gzip");
        decoder.decode(junk, 1 << 30);
        QVERIFY2(decoder.error().startsWith(u"not valid gzip data"_s), qPrintable(decoder.error()));
    }

    void otherEncodingsPassThrough()
    {
        QVERIFY(!BodyDecoder("").decodes());
        QVERIFY(!BodyDecoder("identity").decodes());
        QVERIFY(!BodyDecoder("br").decodes());
    }
};

QTEST_GUILESS_MAIN(TestBodyDecoder)
#include "tst_bodydecoder.moc"
