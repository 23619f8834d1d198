// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>

namespace sd {

/// Decodes a `Content-Encoding: gzip` or `deflate` body as it arrives, so the transport can count the
/// encoded bytes against Content-Length, keep only as much decoded text as the checks need, and tell a
/// whole stream from one cut short (Qt's own decoding hides the encoded length and accepts a truncated
/// stream as complete). Other encodings (identity, or br when a config asked for it) pass through as they
/// are. One decoder per response body.
class BodyDecoder {
public:
    explicit BodyDecoder(QByteArrayView contentEncoding);
    ~BodyDecoder();
    BodyDecoder(const BodyDecoder&) = delete;
    BodyDecoder& operator=(const BodyDecoder&) = delete;

    /// True for gzip, x-gzip and deflate (zlib or raw).
    bool decodes() const { return m_stream != nullptr; }
    /// Decodes `raw`; returns at most `limit` bytes of output. What decodes beyond the limit is counted in
    /// decodedBytes() and dropped (a decompression bomb costs CPU, never memory). On corrupt input returns
    /// what it could and sets error().
    QByteArray decode(QByteArrayView raw, qint64 limit);
    /// Bytes the stream decoded to so far (kept or dropped).
    qint64 decodedBytes() const { return m_decoded; }
    /// True once the encoded stream ended properly (gzip trailer, deflate end block).
    bool complete() const { return m_complete; }
    /// Why the stream cannot be decoded; empty while it can.
    QString error() const { return m_error; }
    /// The encoding's name as received ("gzip").
    QString encoding() const { return m_encoding; }

private:
    struct Stream;
    std::unique_ptr<Stream> m_stream;
    QString m_encoding;
    QString m_error;
    qint64 m_decoded = 0;
    bool m_complete = false;
    bool m_triedRaw = false;
};

} // namespace sd
