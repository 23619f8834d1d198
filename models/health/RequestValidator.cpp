// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/RequestValidator.h"

#include "health/JsonPointer.h"

#include <QJsonArray>
#include <QJsonObject>

namespace sd {

namespace {

bool claimsJsonContentType(const EndpointConfig& endpoint)
{
    for (const auto& [name, value] : endpoint.headers) {
        if (name.trimmed().compare("Content-Type", Qt::CaseInsensitive) == 0)
            return value.toLower().contains("json");
    }
    return false;
}

/// Why one JSON-RPC request object is not a valid envelope; empty when it is.
QString envelopeProblem(const QJsonValue& request)
{
    if (!request.isObject())
        return QStringLiteral("is not a JSON object");
    const QJsonObject object = request.toObject();
    if (object.value(u"jsonrpc") != QJsonValue(QStringLiteral("2.0")))
        return QStringLiteral("needs \"jsonrpc\": \"2.0\"");
    if (!object.value(u"method").isString())
        return QStringLiteral("needs a string \"method\"");
    if (!object.contains(u"id"))
        return QStringLiteral("has no \"id\" (a notification gets no answer to judge)");
    const QJsonValue id = object.value(u"id");
    if (!id.isString() && !id.isDouble() && !id.isNull())
        return QStringLiteral("has an \"id\" that is not a string, number or null");
    if (object.contains(u"params")) {
        const QJsonValue params = object.value(u"params");
        if (!params.isObject() && !params.isArray())
            return QStringLiteral("has \"params\" that are not an object or an array");
    }
    return {};
}

QString jsonRpcProblem(const QJsonValue& body)
{
    if (!body.isArray()) {
        const QString problem = envelopeProblem(body);
        return problem.isEmpty() ? QString() : QStringLiteral("JSON-RPC request ") % problem;
    }
    const QJsonArray batch = body.toArray();
    if (batch.isEmpty())
        return QStringLiteral("JSON-RPC batch is empty");
    for (qsizetype i = 0; i < batch.size(); ++i) {
        const QString problem = envelopeProblem(batch.at(i));
        if (!problem.isEmpty()) {
            return QStringLiteral("JSON-RPC batch item %1 of %2 ").arg(i + 1).arg(batch.size()) % problem;
        }
    }
    return {};
}

} // namespace

QString validateRequest(const EndpointConfig& endpoint)
{
    const bool jsonRpc = endpoint.kind == EndpointKind::JsonRpc;
    const bool post = endpoint.method.compare("POST", Qt::CaseInsensitive) == 0;
    if (jsonRpc && !post)
        return QStringLiteral("JSON-RPC requests are sent with POST, not %1").arg(QString::fromLatin1(endpoint.method));
    if (!post || !(jsonRpc || claimsJsonContentType(endpoint)))
        return {};
    if (endpoint.body.trimmed().isEmpty())
        return jsonRpc ? QStringLiteral("JSON-RPC request body is empty") : QString();

    QString error;
    const auto body = parseJsonValue(endpoint.body, &error);
    if (!body)
        return QStringLiteral("body is not valid JSON: ") % error;
    return jsonRpc ? jsonRpcProblem(*body) : QString();
}

} // namespace sd
