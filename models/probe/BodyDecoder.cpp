// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/BodyDecoder.h"

#include <zlib.h>

#include <array>

namespace sd {

namespace {
constexpr int kGzipOrZlib = 32 + MAX_WBITS; // zlib detects either header
constexpr int kRawDeflate = -MAX_WBITS;
} // namespace

struct BodyDecoder::Stream {
    z_stream z {};
    bool open = false;
    explicit Stream(int windowBits) { open = inflateInit2(&z, windowBits) == Z_OK; }
    ~Stream()
    {
        if (open)
            inflateEnd(&z);
    }
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
};

BodyDecoder::BodyDecoder(QByteArrayView contentEncoding)
    : m_encoding(QString::fromLatin1(contentEncoding.trimmed().toByteArray().toLower()))
{
    if (m_encoding == u"gzip" || m_encoding == u"x-gzip" || m_encoding == u"deflate")
        m_stream = std::make_unique<Stream>(kGzipOrZlib);
}

BodyDecoder::~BodyDecoder() = default;

QByteArray BodyDecoder::decode(QByteArrayView raw, qint64 limit)
{
    QByteArray out;
    if (!m_stream || !m_error.isEmpty() || raw.isEmpty())
        return out;
    if (m_complete) {
        m_error = QStringLiteral("data after the end of the %1 stream").arg(m_encoding);
        return out;
    }
    std::array<char, std::size_t { 64 } * 1024> buffer {};
    z_stream& z = m_stream->z;
    // zlib's API is not const-correct; it never writes through next_in.
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
    z.avail_in = static_cast<uInt>(raw.size());
    do {
        z.next_out = reinterpret_cast<Bytef*>(buffer.data());
        z.avail_out = static_cast<uInt>(buffer.size());
        const int rc = inflate(&z, Z_NO_FLUSH);
        const auto produced = static_cast<qint64>(buffer.size() - z.avail_out);
        m_decoded += produced;
        const qint64 room = limit - out.size();
        if (room > 0)
            out.append(buffer.data(), std::min(room, produced));
        if (rc == Z_STREAM_END) {
            m_complete = true;
            if (z.avail_in > 0)
                m_error = QStringLiteral("data after the end of the %1 stream").arg(m_encoding);
            break;
        }
        if (rc == Z_DATA_ERROR && m_encoding == u"deflate" && !m_triedRaw && m_decoded == 0) {
            // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            m_triedRaw = true;
            m_stream = std::make_unique<Stream>(kRawDeflate);
            return decode(raw, limit);
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            m_error = QStringLiteral("not valid %1 data (%2)")
                          .arg(m_encoding, QString::fromLatin1(z.msg ? z.msg : "zlib error"));
            break;
        }
        // Z_BUF_ERROR: no progress possible until more input comes.
    } while (z.avail_in > 0 || z.avail_out == 0);
    return out;
}

} // namespace sd
