// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/PromQuery.h"

#include "health/Classifier.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>

namespace sd {

QString serverText(const QString& text, qsizetype max)
{
    QString cut = text.left(max);
    if (text.size() > max)
        cut += u'…';
    return escapeControlCharacters(cut);
}

namespace {

/// The envelope every /api/v1/query and /api/v1/query_range answer shares: checks the status, the HTTP
/// status, the result type and the size, and returns data.result, or sets `error`.
QJsonArray promResult(const QByteArray& body, int httpStatus, QStringView expectedType, QString* error)
{
    const QString status = QStringLiteral("HTTP %1").arg(httpStatus);
    if (body.size() > kMaxPromReplyBytes) {
        *error = QStringLiteral("%1: the answer is larger than %2 MiB").arg(status).arg(kMaxPromReplyBytes >> 20);
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        *error = body.isEmpty()
            ? QStringLiteral("%1 with an empty body: not a Prometheus query API").arg(status)
            : QStringLiteral("%1: not a Prometheus query answer (%2 at byte %3)")
                  .arg(status,
                      parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                   : QStringLiteral("not a JSON object"))
                  .arg(parseError.error != QJsonParseError::NoError ? parseError.offset : 0);
        return {};
    }
    const QJsonObject root = document.object();
    const QString answerStatus = root.value(u"status").toString();
    if (answerStatus == u"error") {
        *error = QStringLiteral("%1: Prometheus refused the query: %2 (%3)")
                     .arg(status, serverText(root.value(u"error").toString()),
                         serverText(root.value(u"errorType").toString(), 40));
        return {};
    }
    if (answerStatus != u"success") {
        *error = QStringLiteral("%1: not a Prometheus query answer (no \"status\": \"success\")").arg(status);
        return {};
    }
    if (httpStatus != 200) {
        *error = QStringLiteral("%1: unexpected status for a successful query").arg(status);
        return {};
    }
    const QJsonObject data = root.value(u"data").toObject();
    const QString resultType = data.value(u"resultType").toString();
    if (resultType != expectedType) {
        *error = QStringLiteral("result type \"%1\" where %2 was expected")
                     .arg(serverText(resultType, 40),
                         expectedType == u"vector" ? QStringLiteral("an instant vector")
                                                   : QStringLiteral("a range matrix"));
        return {};
    }
    const QJsonValue resultValue = data.value(u"result");
    if (!resultValue.isArray()) {
        *error = QStringLiteral("data.result is not an array");
        return {};
    }
    QJsonArray result = resultValue.toArray();
    if (result.size() > kMaxPromSamples) {
        *error = QStringLiteral("%1 series in one answer, more than the %2 a source reads: narrow \"match\"")
                     .arg(result.size())
                     .arg(kMaxPromSamples);
        return {};
    }
    return result;
}

/// A [time, "number"] pair; NaN and ±Inf as Prometheus writes them. Empty error on success.
QString readValuePair(const QJsonValue& pair, double* time, double* value)
{
    const QJsonArray v = pair.toArray();
    if (v.size() != 2 || !v.at(0).isDouble() || !v.at(1).isString())
        return QStringLiteral("\"value\" is not [time, \"number\"]");
    *time = v.at(0).toDouble();
    bool numeric = false;
    const QString text = v.at(1).toString();
    *value = text.toDouble(&numeric);
    if (numeric)
        return {};
    if (text == u"NaN")
        *value = std::nan("");
    else if (text == u"+Inf" || text == u"-Inf")
        *value = text.startsWith(u'+') ? HUGE_VAL : -HUGE_VAL;
    else
        return QStringLiteral("the value \"%1\" is not a number").arg(serverText(text, 40));
    return {};
}

/// A series' labels, within the limits. Empty error on success.
QString readLabels(const QJsonObject& metric, QHash<QString, QString>* labels)
{
    if (metric.size() > kMaxPromLabels)
        return QStringLiteral("%1 labels, more than %2").arg(metric.size()).arg(kMaxPromLabels);
    for (auto it = metric.begin(); it != metric.end(); ++it) {
        if (!it.value().isString())
            return QStringLiteral("label %1 is not a string").arg(serverText(it.key(), 60));
        const QString labelValue = it.value().toString();
        if (labelValue.size() > kMaxPromLabelValue)
            return QStringLiteral("label %1 is longer than %2 characters")
                .arg(serverText(it.key(), 60))
                .arg(kMaxPromLabelValue);
        labels->insert(it.key(), labelValue);
    }
    return {};
}

} // namespace

PromVectorReply parsePromVectorReply(const QByteArray& body, int httpStatus)
{
    PromVectorReply reply;
    const QJsonArray result = promResult(body, httpStatus, u"vector", &reply.error);
    if (!reply.error.isEmpty())
        return reply;
    reply.samples.reserve(result.size());
    for (qsizetype i = 0; i < result.size(); ++i) {
        const QJsonObject item = result.at(i).toObject();
        PromSample sample;
        QString why = readValuePair(item.value(u"value"), &sample.timestamp, &sample.value);
        if (why.isEmpty())
            why = readLabels(item.value(u"metric").toObject(), &sample.labels);
        if (!why.isEmpty()) {
            reply.samples.clear();
            reply.error = QStringLiteral("data.result[%1]: %2").arg(i).arg(why);
            return reply;
        }
        reply.samples.append(std::move(sample));
    }
    return reply;
}

PromMatrixReply parsePromMatrixReply(const QByteArray& body, int httpStatus)
{
    PromMatrixReply reply;
    const QJsonArray result = promResult(body, httpStatus, u"matrix", &reply.error);
    if (!reply.error.isEmpty())
        return reply;
    qsizetype points = 0;
    reply.series.reserve(result.size());
    for (qsizetype i = 0; i < result.size(); ++i) {
        const QJsonObject item = result.at(i).toObject();
        PromSeries series;
        QString why = readLabels(item.value(u"metric").toObject(), &series.labels);
        const QJsonValue values = item.value(u"values");
        if (why.isEmpty() && !values.isArray())
            why = QStringLiteral("\"values\" is not an array");
        const QJsonArray list = values.toArray();
        points += list.size();
        if (why.isEmpty() && points > kMaxPromSamples)
            why = QStringLiteral("more than %1 points in one answer").arg(kMaxPromSamples);
        series.points.reserve(list.size());
        for (qsizetype j = 0; why.isEmpty() && j < list.size(); ++j) {
            double time = 0;
            double value = 0;
            why = readValuePair(list.at(j), &time, &value);
            if (!why.isEmpty())
                why = QStringLiteral("values[%1]: %2").arg(j).arg(why);
            else
                series.points.append(std::make_pair(time, value));
        }
        if (!why.isEmpty()) {
            reply.series.clear();
            reply.error = QStringLiteral("data.result[%1]: %2").arg(i).arg(why);
            return reply;
        }
        reply.series.append(std::move(series));
    }
    return reply;
}

QString promMatchers(const QString& match)
{
    QString inner = match.trimmed();
    if (inner.startsWith(u'{') && inner.endsWith(u'}'))
        inner = inner.mid(1, inner.size() - 2).trimmed();
    return inner;
}

QString promSelector(const QStringList& names, const QString& match)
{
    const QString inner = promMatchers(match);
    QString selector = QStringLiteral("{__name__=~\"") + names.join(u'|') + u'"';
    if (!inner.isEmpty())
        selector += u',' + inner;
    return selector + u'}';
}

} // namespace sd
