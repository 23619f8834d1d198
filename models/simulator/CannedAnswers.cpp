// SPDX-License-Identifier: GPL-3.0-or-later
#include "simulator/CannedAnswers.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace sd::canned {

namespace {

SimulatedAnswer jsonAnswer(int status, QByteArray body)
{
    SimulatedAnswer answer;
    answer.status = status;
    answer.body = std::move(body);
    return answer;
}

QByteArray errorBody(const char* code, const char* message)
{
    return QByteArrayLiteral("{\"error\":{\"code\":\"") + code + QByteArrayLiteral("\",\"message\":\"") + message
        + QByteArrayLiteral("\"}}");
}

} // namespace

std::optional<std::chrono::milliseconds> requestedDelay(const QUrlQuery& query)
{
    if (!query.hasQueryItem(QStringLiteral("delay")))
        return std::nullopt;
    bool ok = false;
    const qint64 ms = query.queryItemValue(QStringLiteral("delay")).toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    return std::clamp(std::chrono::milliseconds(ms), std::chrono::milliseconds(0), kMaxDelay);
}

double requestedRate(const QUrlQuery& query, double fallback)
{
    bool ok = false;
    const double rate = query.queryItemValue(QStringLiteral("rate")).toDouble(&ok);
    return ok ? std::clamp(rate, 0.0, 1.0) : fallback;
}

SimulatedAnswer healthy()
{
    return jsonAnswer(
        200, QByteArrayLiteral(R"({"object":"chat.completion","choices":[{"message":{"content":"pong"}}]})"));
}

SimulatedAnswer authInvalid()
{
    auto answer = jsonAnswer(401, errorBody("invalid_token", "The access token expired"));
    answer.headers.append({ QByteArrayLiteral("WWW-Authenticate"),
        QByteArrayLiteral(R"(Bearer error="invalid_token", error_description="The access token expired")") });
    return answer;
}

SimulatedAnswer tokenRejected(bool presented)
{
    if (!presented) {
        auto answer = jsonAnswer(401, errorBody("unauthorized", "No access token was given"));
        answer.headers.append(
            { QByteArrayLiteral("WWW-Authenticate"), QByteArrayLiteral(R"(Bearer realm="simulator")") });
        return answer;
    }
    auto answer = jsonAnswer(401, errorBody("invalid_token", "The access token is not valid"));
    answer.headers.append({ QByteArrayLiteral("WWW-Authenticate"),
        QByteArrayLiteral(
            R"(Bearer realm="simulator", error="invalid_token", error_description="The access token is not valid")") });
    return answer;
}

SimulatedAnswer redirect(const QUrlQuery& query)
{
    const QUrl target(query.queryItemValue(QStringLiteral("to"), QUrl::FullyDecoded));
    if (!target.isValid() || (target.scheme() != u"http" && target.scheme() != u"https") || target.host().isEmpty())
        return jsonAnswer(400, errorBody("bad_request", "?to= must be an absolute http or https URL"));
    const int status = query.queryItemValue(QStringLiteral("status")).toInt();
    auto answer = jsonAnswer(status == 301 || status == 303 || status == 307 || status == 308 ? status : 302, "{}");
    answer.headers.append({ QByteArrayLiteral("Location"), target.toEncoded() });
    return answer;
}

SimulatedAnswer authForbidden()
{
    auto answer = jsonAnswer(403, errorBody("insufficient_scope", "The credential lacks the scope this call needs"));
    answer.headers.append(
        { QByteArrayLiteral("WWW-Authenticate"), QByteArrayLiteral(R"(Bearer error="insufficient_scope")") });
    return answer;
}

SimulatedAnswer input400()
{
    return jsonAnswer(400, errorBody("bad_request", "The request body is not valid JSON"));
}

SimulatedAnswer input422()
{
    return jsonAnswer(422,
        QByteArrayLiteral(R"({"error":{"code":"validation_failed","message":"Request validation failed",)"
                          R"("details":[{"field":"messages","issue":"must not be empty"}]}})"));
}

SimulatedAnswer throttled(int retryAfterSeconds)
{
    auto answer = jsonAnswer(429, errorBody("rate_limited", "Too many requests"));
    const QByteArray seconds = QByteArray::number(retryAfterSeconds);
    answer.headers = {
        { QByteArrayLiteral("Retry-After"), seconds },
        { QByteArrayLiteral("RateLimit-Limit"), QByteArrayLiteral("5") },
        { QByteArrayLiteral("RateLimit-Remaining"), QByteArrayLiteral("0") },
        { QByteArrayLiteral("RateLimit-Reset"), seconds },
    };
    return answer;
}

SimulatedAnswer unavailable()
{
    auto answer = jsonAnswer(503, errorBody("unavailable", "Service temporarily unavailable"));
    answer.headers.append({ QByteArrayLiteral("Retry-After"), QByteArrayLiteral("5") });
    return answer;
}

SimulatedAnswer serverError()
{
    return jsonAnswer(500, errorBody("internal", "Internal server error"));
}

SimulatedAnswer gateway(int status)
{
    if (status == 504)
        return jsonAnswer(504, errorBody("gateway_timeout", "The upstream did not answer in time"));
    return jsonAnswer(502, errorBody("bad_gateway", "The upstream connection failed"));
}

SimulatedAnswer status(int code)
{
    if (code < 200 || code > 599)
        return jsonAnswer(400, errorBody("bad_status", "Status must be between 200 and 599"));
    // These statuses carry no body; one would be read as the start of the next response on the connection.
    if (code == 204 || code == 205 || code == 304) {
        auto answer = jsonAnswer(code, {});
        answer.contentType = QByteArrayLiteral("application/x-empty");
        return answer;
    }
    return jsonAnswer(code, QByteArrayLiteral("{\"status\":") + QByteArray::number(code) + '}');
}

SimulatedAnswer big()
{
    static const QByteArray body = [] {
        QByteArray text;
        text.reserve(kBigBodyBytes);
        text.append(R"({"object":"list","data":")");
        text.append(kBigBodyBytes - text.size() - 2, 'x');
        text.append("\"}");
        return text;
    }();
    return jsonAnswer(200, body);
}

SimulatedAnswer business()
{
    return jsonAnswer(200, QByteArrayLiteral(R"({"error":{"code":500102,"message":"upstream model busy"}})"));
}

SimulatedAnswer notFound(const QString& path, const QString& hint)
{
    QJsonObject error { { QStringLiteral("code"), QStringLiteral("not_found") },
        { QStringLiteral("message"), QString(QStringLiteral("No route ") + path) } };
    if (!hint.isEmpty())
        error.insert(QStringLiteral("hint"), hint);
    QJsonObject body;
    body.insert(QStringLiteral("error"), error);
    return jsonAnswer(404, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

} // namespace sd::canned
