// SPDX-License-Identifier: GPL-3.0-or-later
#include "simulator/JsonRpcAnswer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <optional>

namespace sd::jsonrpc {

namespace {

QJsonObject errorObject(int code, const QString& message, const QJsonValue& id)
{
    return { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
        { QStringLiteral("error"),
            QJsonObject { { QStringLiteral("code"), code }, { QStringLiteral("message"), message } } },
        { QStringLiteral("id"), id } };
}

QByteArray compact(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/// QJsonDocument holds only objects and arrays, yet a JSON-RPC body may be any JSON value (a bare `42`
/// must be -32600, not -32700). Parsing the body as the single element of an array keeps the two apart.
std::optional<QJsonValue> parseAnyJson(QByteArrayView body)
{
    if (body.trimmed().isEmpty())
        return std::nullopt;
    QJsonParseError error;
    const QByteArray wrapped = '[' + body.toByteArray() + ']';
    const QJsonDocument document = QJsonDocument::fromJson(wrapped, &error);
    if (error.error != QJsonParseError::NoError || !document.isArray() || document.array().size() != 1)
        return std::nullopt;
    return document.array().first();
}

bool isValidId(const QJsonValue& id)
{
    return id.isString() || id.isDouble() || id.isNull();
}

/// The answer to one request object; nullopt for a valid notification.
std::optional<QJsonObject> answerOne(const QJsonValue& request)
{
    const QJsonValue nullId(QJsonValue::Null);
    if (!request.isObject())
        return errorObject(kInvalidRequest, QStringLiteral("Invalid Request"), nullId);
    const QJsonObject object = request.toObject();
    const bool hasId = object.contains(QStringLiteral("id"));
    const QJsonValue id = object.value(QStringLiteral("id"));
    if (hasId && !isValidId(id))
        return errorObject(kInvalidRequest, QStringLiteral("Invalid Request: bad id"), nullId);
    const QJsonValue answerId = hasId ? id : nullId;
    if (object.value(QStringLiteral("jsonrpc")) != QJsonValue(QStringLiteral("2.0")))
        return errorObject(kInvalidRequest, QStringLiteral("Invalid Request: jsonrpc must be \"2.0\""), answerId);
    const QJsonValue method = object.value(QStringLiteral("method"));
    if (!method.isString())
        return errorObject(kInvalidRequest, QStringLiteral("Invalid Request: method must be a string"), answerId);
    const bool hasParams = object.contains(QStringLiteral("params"));
    const QJsonValue params = object.value(QStringLiteral("params"));
    if (hasParams && !params.isObject() && !params.isArray())
        return errorObject(kInvalidRequest, QStringLiteral("Invalid Request: params must be structured"), answerId);

    std::optional<QJsonObject> response;
    if (method.toString() != QStringLiteral("ping"))
        response = errorObject(kMethodNotFound, QStringLiteral("Method not found"), answerId);
    else if (hasParams && !params.isObject())
        response = errorObject(kInvalidParams, QStringLiteral("Invalid params: ping takes an object"), answerId);
    else
        response = QJsonObject { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
            { QStringLiteral("result"), QStringLiteral("pong") }, { QStringLiteral("id"), answerId } };
    if (!hasId)
        return std::nullopt;
    return response;
}

} // namespace

QByteArray answer(QByteArrayView requestBody)
{
    const auto request = parseAnyJson(requestBody);
    if (!request)
        return compact(errorObject(kParseError, QStringLiteral("Parse error"), QJsonValue(QJsonValue::Null)));
    if (!request->isArray()) {
        const auto response = answerOne(*request);
        return response ? compact(*response) : QByteArray();
    }
    const QJsonArray batch = request->toArray();
    if (batch.isEmpty())
        return compact(
            errorObject(kInvalidRequest, QStringLiteral("Invalid Request: empty batch"), QJsonValue(QJsonValue::Null)));
    QJsonArray responses;
    for (const auto& element : batch) {
        if (const auto response = answerOne(element))
            responses.append(*response);
    }
    return responses.isEmpty() ? QByteArray() : QJsonDocument(responses).toJson(QJsonDocument::Compact);
}

QByteArray answerInvalidParams(QByteArrayView requestBody)
{
    QJsonValue id(QJsonValue::Null);
    if (const auto request = parseAnyJson(requestBody); request && request->isObject()) {
        const QJsonValue candidate = request->toObject().value(QStringLiteral("id"));
        if (isValidId(candidate))
            id = candidate;
    }
    return compact(errorObject(kInvalidParams, QStringLiteral("Invalid params"), id));
}

} // namespace sd::jsonrpc
