// SPDX-License-Identifier: GPL-3.0-or-later
#include "simulator/OAuthTokenIssuer.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QUrl>

namespace sd {

namespace {

SimulatedAnswer oauthError(int status, const QString& error, const QString& description)
{
    SimulatedAnswer answer;
    answer.status = status;
    answer.body = QJsonDocument(
        QJsonObject { { QStringLiteral("error"), error }, { QStringLiteral("error_description"), description } })
                      .toJson(QJsonDocument::Compact);
    answer.headers.append({ QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store") });
    return answer;
}

// application/x-www-form-urlencoded: '+' is a space, the rest is percent-encoded.
QString formDecoded(QByteArray text)
{
    text.replace('+', ' ');
    return QUrl::fromPercentEncoding(text);
}

QHash<QString, QString> formFields(const QByteArray& body)
{
    QHash<QString, QString> fields;
    for (const QByteArray& pair : body.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        fields.insert(formDecoded(pair.left(eq)), eq < 0 ? QString() : formDecoded(pair.mid(eq + 1)));
    }
    return fields;
}

QByteArray schemeValue(const QByteArray& authorization, QByteArrayView scheme)
{
    const QByteArray trimmed = authorization.trimmed();
    if (trimmed.size() <= scheme.size() + 1
        || QByteArrayView(trimmed).first(scheme.size()).compare(scheme, Qt::CaseInsensitive) != 0
        || trimmed.at(scheme.size()) != ' ')
        return {};
    return trimmed.mid(scheme.size() + 1).trimmed();
}

QByteArray randomAccessToken()
{
    QByteArray raw(24, Qt::Uninitialized);
    for (char& c : raw)
        c = static_cast<char>(QRandomGenerator::system()->bounded(256));
    return QByteArrayLiteral("sim-at-") + raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace

void OAuthTokenIssuer::setClient(const QString& clientId, const QByteArray& clientSecret, std::chrono::seconds lifetime)
{
    m_clientId = clientId;
    m_clientSecret = clientSecret;
    m_lifetime = std::max(lifetime, std::chrono::seconds(1));
}

SimulatedAnswer OAuthTokenIssuer::tokenAnswer(
    bool post, const QByteArray& authorization, const QByteArray& body, Clock::time_point now)
{
    if (!post) {
        SimulatedAnswer answer = oauthError(405, QStringLiteral("invalid_request"), QStringLiteral("use POST"));
        answer.headers.append({ QByteArrayLiteral("Allow"), QByteArrayLiteral("POST") });
        return answer;
    }
    if (m_down) {
        SimulatedAnswer answer = oauthError(
            503, QStringLiteral("temporarily_unavailable"), QStringLiteral("the identity provider is down"));
        answer.headers.append({ QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1") });
        return answer;
    }
    const QHash<QString, QString> fields = formFields(body);

    QString clientId;
    QByteArray clientSecret;
    const bool basic = !authorization.isEmpty();
    if (basic) {
        const QByteArray decoded = QByteArray::fromBase64(schemeValue(authorization, "Basic"));
        const qsizetype colon = decoded.indexOf(':');
        if (colon < 0) {
            SimulatedAnswer answer = oauthError(
                401, QStringLiteral("invalid_client"), QStringLiteral("malformed Basic client authentication"));
            answer.headers.append(
                { QByteArrayLiteral("WWW-Authenticate"), QByteArrayLiteral(R"(Basic realm="simulator")") });
            return answer;
        }
        clientId = formDecoded(decoded.left(colon));
        clientSecret = formDecoded(decoded.mid(colon + 1)).toUtf8();
    } else {
        clientId = fields.value(QStringLiteral("client_id"));
        clientSecret = fields.value(QStringLiteral("client_secret")).toUtf8();
    }
    if (m_clientId.isEmpty() || clientId != m_clientId || clientSecret != m_clientSecret) {
        SimulatedAnswer answer
            = oauthError(401, QStringLiteral("invalid_client"), QStringLiteral("client authentication failed"));
        if (basic)
            answer.headers.append(
                { QByteArrayLiteral("WWW-Authenticate"), QByteArrayLiteral(R"(Basic realm="simulator")") });
        return answer;
    }
    const QString grant = fields.value(QStringLiteral("grant_type"));
    if (grant.isEmpty())
        return oauthError(400, QStringLiteral("invalid_request"), QStringLiteral("grant_type is missing"));
    if (grant != u"client_credentials")
        return oauthError(400, QStringLiteral("unsupported_grant_type"),
            QStringLiteral("only client_credentials is supported, not \"%1\"").arg(grant.left(40)));

    // Expired tokens are kept (to answer "expired" rather than "not valid") until there are many.
    if (m_tokens.size() > 1000)
        m_tokens.removeIf([now](const QHash<QByteArray, Clock::time_point>::iterator it) { return it.value() <= now; });
    const QByteArray token = randomAccessToken();
    m_tokens.insert(token, now + m_lifetime);
    ++m_issued;
    SimulatedAnswer answer;
    QJsonObject json { { QStringLiteral("access_token"), QString::fromLatin1(token) },
        { QStringLiteral("token_type"), QStringLiteral("Bearer") },
        { QStringLiteral("expires_in"), static_cast<qint64>(m_lifetime.count()) } };
    if (const QString scope = fields.value(QStringLiteral("scope")); !scope.isEmpty())
        json.insert(QStringLiteral("scope"), scope);
    answer.body = QJsonDocument(json).toJson(QJsonDocument::Compact);
    answer.headers.append({ QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store") });
    return answer;
}

SimulatedAnswer OAuthTokenIssuer::protectedAnswer(const QByteArray& authorization, Clock::time_point now) const
{
    const QByteArray token = schemeValue(authorization, "Bearer");
    SimulatedAnswer answer;
    answer.status = 401;
    if (token.isEmpty()) {
        answer.body = QByteArrayLiteral(R"({"error":{"code":"unauthorized","message":"No access token was given"}})");
        answer.headers.append(
            { QByteArrayLiteral("WWW-Authenticate"), QByteArrayLiteral(R"(Bearer realm="simulator")") });
        return answer;
    }
    const auto it = m_tokens.constFind(token);
    if (it != m_tokens.cend() && now < *it) {
        answer.status = 200;
        answer.body = QByteArrayLiteral(R"({"object":"chat.completion","choices":[{"message":{"content":"pong"}}]})");
        return answer;
    }
    const QByteArray description = it == m_tokens.cend() ? QByteArrayLiteral("The access token is not valid")
                                                         : QByteArrayLiteral("The access token expired");
    answer.body = QByteArrayLiteral(R"({"error":{"code":"invalid_token","message":")") + description
        + QByteArrayLiteral("\"}}");
    answer.headers.append({ QByteArrayLiteral("WWW-Authenticate"),
        QByteArrayLiteral(R"(Bearer realm="simulator", error="invalid_token", error_description=")") + description
            + '"' });
    return answer;
}

} // namespace sd
