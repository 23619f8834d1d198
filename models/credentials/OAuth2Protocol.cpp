// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/OAuth2Protocol.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <algorithm>

namespace sd {

namespace {

constexpr qsizetype kMaxErrorCode = 64;
constexpr qsizetype kMaxDescription = 200;

QByteArray formEncoded(const QString& value)
{
    return QUrl::toPercentEncoding(value);
}

// Server-controlled text becomes part of a reason line: one line, bounded.
QString oneLine(const QString& text, qsizetype limit)
{
    QString line = text.simplified();
    if (line.size() > limit)
        line = line.left(limit - 1) + QChar(0x2026);
    return line;
}

QString statusSuffix(int httpStatus)
{
    return QStringLiteral(" (HTTP %1)").arg(httpStatus);
}

} // namespace

QByteArray clientCredentialsBody(const QString& clientId, const QString& scope)
{
    QByteArray body = QByteArrayLiteral("grant_type=client_credentials&client_id=") + formEncoded(clientId);
    if (!scope.isEmpty())
        body += QByteArrayLiteral("&scope=") + formEncoded(scope);
    return body;
}

QByteArray basicClientAuthorization(const QString& clientId, const QByteArray& clientSecret)
{
    const QByteArray pair = formEncoded(clientId) + ':' + QUrl::toPercentEncoding(QString::fromUtf8(clientSecret));
    return QByteArrayLiteral("Basic ") + pair.toBase64();
}

OAuth2TokenResponse parseTokenResponse(int httpStatus, const QString& reasonPhrase, const QByteArray& body)
{
    OAuth2TokenResponse response;
    const QJsonDocument document = QJsonDocument::fromJson(body);
    const QJsonObject json = document.object();

    if (httpStatus < 200 || httpStatus > 299) {
        const QString code = oneLine(json.value(u"error").toString(), kMaxErrorCode);
        const QString description = oneLine(json.value(u"error_description").toString(), kMaxDescription);
        if (!code.isEmpty())
            response.error = description.isEmpty() ? code : code + u' ' + description;
        else if (!reasonPhrase.trimmed().isEmpty())
            response.error = oneLine(reasonPhrase, kMaxDescription);
        else
            response.error = QStringLiteral("unexpected answer");
        response.error += statusSuffix(httpStatus);
        return response;
    }

    if (!document.isObject()) {
        response.error = QStringLiteral("the answer is not a JSON object") + statusSuffix(httpStatus);
        return response;
    }
    const QByteArray token = json.value(u"access_token").toString().toUtf8();
    if (token.isEmpty()) {
        response.error = QStringLiteral("the answer has no access_token") + statusSuffix(httpStatus);
        return response;
    }
    if (token.contains('\n') || token.contains('\r') || token.contains('\0')) {
        response.error = QStringLiteral("the access_token holds a line break") + statusSuffix(httpStatus);
        return response;
    }
    const QJsonValue tokenType = json.value(u"token_type");
    if (!tokenType.isUndefined() && tokenType.toString().compare(u"bearer", Qt::CaseInsensitive) != 0) {
        response.error = QStringLiteral("token_type \"%1\" is not Bearer").arg(oneLine(tokenType.toString(), 40))
            + statusSuffix(httpStatus);
        return response;
    }
    const QJsonValue expiresIn = json.value(u"expires_in");
    if (!expiresIn.isUndefined() && !expiresIn.isNull()) {
        bool ok = expiresIn.isDouble();
        double seconds = expiresIn.toDouble();
        if (expiresIn.isString())
            seconds = expiresIn.toString().toDouble(&ok);
        if (!ok || !(seconds > 0) || seconds > 1e9) {
            response.error
                = QStringLiteral("expires_in is not a positive number of seconds") + statusSuffix(httpStatus);
            return response;
        }
        response.expiresIn = std::chrono::seconds(std::max<qint64>(1, static_cast<qint64>(seconds)));
    }
    response.accessToken = token;
    return response;
}

} // namespace sd
