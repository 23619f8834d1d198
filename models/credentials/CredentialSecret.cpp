// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/CredentialSecret.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace sd {

namespace {

QDateTime wholeSeconds(const QDateTime& time)
{
    return QDateTime::fromSecsSinceEpoch(time.toSecsSinceEpoch(), Qt::UTC);
}

} // namespace

QString credentialFingerprint(QByteArrayView secret)
{
    return QString::fromLatin1(QCryptographicHash::hash(secret, QCryptographicHash::Sha256).toHex().left(8));
}

std::optional<QDateTime> jwtExpiry(QByteArrayView secret)
{
    const QByteArray token = secret.toByteArray().trimmed();
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3 || parts.at(0).isEmpty() || parts.at(1).isEmpty())
        return std::nullopt;
    const auto options
        = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals | QByteArray::AbortOnBase64DecodingErrors;
    const auto header = QByteArray::fromBase64Encoding(parts.at(0), options);
    const auto payload = QByteArray::fromBase64Encoding(parts.at(1), options);
    if (!header || !payload)
        return std::nullopt;
    const QJsonDocument headerJson = QJsonDocument::fromJson(*header);
    const QJsonDocument payloadJson = QJsonDocument::fromJson(*payload);
    if (!headerJson.isObject() || !payloadJson.isObject())
        return std::nullopt;
    const QJsonValue exp = payloadJson.object().value(u"exp");
    if (!exp.isDouble() || !std::isfinite(exp.toDouble()))
        return std::nullopt;
    // NumericDate: seconds since the epoch; the bounds keep a hostile value from overflowing QDateTime.
    const double seconds = std::floor(exp.toDouble());
    if (seconds < 0 || seconds > 253'402'300'799.0) // 9999-12-31T23:59:59Z
        return std::nullopt;
    return QDateTime::fromSecsSinceEpoch(static_cast<qint64>(seconds), Qt::UTC);
}

QString secretProblem(const QString& scheme, QByteArrayView secret)
{
    if (secret.isEmpty())
        return QStringLiteral("the secret is empty");
    if (scheme == u"clientCert") {
        // The private key of the client certificate, PEM (PKCS#8, PKCS#1 or SEC1), unencrypted.
        if (!secret.contains("-----BEGIN ") || !secret.contains("PRIVATE KEY-----"))
            return QStringLiteral("a clientCert credential is the certificate's private key in PEM "
                                  "(a PEM block labelled PRIVATE KEY) on standard input");
        if (secret.contains("ENCRYPTED"))
            return QStringLiteral("the private key is encrypted; give it unencrypted (the keychain protects it)");
        return {};
    }
    if (secret.contains('\n') || secret.contains('\r') || secret.contains('\0'))
        return QStringLiteral("the secret holds a line break or NUL byte; it must fit in one HTTP header");
    if (scheme == u"basic" && !secret.contains(':'))
        return QStringLiteral("a basic credential is user:password (no ':' found)");
    if (scheme != u"basic" && scheme != u"bearer" && !scheme.startsWith(u"header:"))
        return QStringLiteral("unknown scheme \"%1\"").arg(scheme);
    return {};
}

void recordNewSecret(CredentialConfig& credential, QByteArrayView secret, const QDateTime& nowUtc)
{
    const QDateTime now = wholeSeconds(nowUtc);
    credential.fingerprint = credentialFingerprint(secret);
    const auto expiry = jwtExpiry(secret);
    credential.expires = expiry ? *expiry : QDateTime();
    if (!credential.created.isValid())
        credential.created = now;
    credential.rotated = now;
}

} // namespace sd
