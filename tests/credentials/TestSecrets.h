// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Test secrets are assembled at run time, so that no token-shaped literal is ever committed.
#include <QByteArray>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

namespace sd::test {

/// A random token of `bytes` random bytes, hex-encoded, with a readable prefix.
inline QByteArray randomToken(const char* prefix = "tok", int bytes = 12)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (char& c : raw)
        c = static_cast<char>(QRandomGenerator::global()->bounded(256));
    return QByteArray(prefix) + '-' + raw.toHex();
}

/// An unsigned-looking JWT whose payload carries `exp` (seconds since the epoch) and a random subject.
inline QByteArray makeJwt(qint64 exp)
{
    const auto part = [](const QJsonObject& object) {
        return QJsonDocument(object)
            .toJson(QJsonDocument::Compact)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    };
    const QByteArray header = part(QJsonObject {
        { QStringLiteral("alg"), QStringLiteral("HS256") }, { QStringLiteral("typ"), QStringLiteral("JWT") } });
    const QByteArray payload = part(QJsonObject { { QStringLiteral("sub"), QString::fromLatin1(randomToken("sub")) },
        { QStringLiteral("exp"), static_cast<double>(exp) } });
    return header + '.' + payload + '.'
        + randomToken("sig").toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

/// A PEM block with a stand-in body ("MIG"): the shape the parsers look for, built from its parts so that
/// no key-looking literal sits in the source.
inline QByteArray pemBlock(const QByteArray& label, const QByteArray& body = QByteArrayLiteral("MIG"))
{
    const QByteArray dashes = QByteArrayLiteral("-----");
    return dashes + "BEGIN " + label + dashes + '\n' + body + '\n' + dashes + "END " + label + dashes + '\n';
}

} // namespace sd::test
