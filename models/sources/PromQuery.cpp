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

PromVectorReply parsePromVectorReply(const QByteArray& body, int httpStatus)
{
    PromVectorReply reply;
    const QString status = QStringLiteral("HTTP %1").arg(httpStatus);
    if (body.size() > kMaxPromReplyBytes) {
        reply.error = QStringLiteral("%1: the answer is larger than %2 MiB").arg(status).arg(kMaxPromReplyBytes >> 20);
        return reply;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        reply.error = body.isEmpty()
            ? QStringLiteral("%1 with an empty body: not a Prometheus query API").arg(status)
            : QStringLiteral("%1: not a Prometheus query answer (%2 at byte %3)")
                  .arg(status,
                      parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                   : QStringLiteral("not a JSON object"))
                  .arg(parseError.error != QJsonParseError::NoError ? parseError.offset : 0);
        return reply;
    }
    const QJsonObject root = document.object();
    const QString answerStatus = root.value(u"status").toString();
    if (answerStatus == u"error") {
        reply.error = QStringLiteral("%1: Prometheus refused the query: %2 (%3)")
                          .arg(status, serverText(root.value(u"error").toString()),
                              serverText(root.value(u"errorType").toString(), 40));
        return reply;
    }
    if (answerStatus != u"success") {
        reply.error = QStringLiteral("%1: not a Prometheus query answer (no \"status\": \"success\")").arg(status);
        return reply;
    }
    if (httpStatus != 200) {
        reply.error = QStringLiteral("%1: unexpected status for a successful query").arg(status);
        return reply;
    }
    const QJsonObject data = root.value(u"data").toObject();
    const QString resultType = data.value(u"resultType").toString();
    if (resultType != u"vector") {
        reply.error
            = QStringLiteral("result type \"%1\" where an instant vector was expected").arg(serverText(resultType, 40));
        return reply;
    }
    const QJsonValue resultValue = data.value(u"result");
    if (!resultValue.isArray()) {
        reply.error = QStringLiteral("data.result is not an array");
        return reply;
    }
    const QJsonArray result = resultValue.toArray();
    if (result.size() > kMaxPromSamples) {
        reply.error = QStringLiteral("%1 series in one answer, more than the %2 a source reads: narrow \"match\"")
                          .arg(result.size())
                          .arg(kMaxPromSamples);
        return reply;
    }
    reply.samples.reserve(result.size());
    for (qsizetype i = 0; i < result.size(); ++i) {
        const QJsonObject item = result.at(i).toObject();
        const QJsonObject metric = item.value(u"metric").toObject();
        const QJsonArray value = item.value(u"value").toArray();
        const auto bad = [&](const QString& what) {
            reply.samples.clear();
            reply.error = QStringLiteral("data.result[%1]: %2").arg(i).arg(what);
            return reply;
        };
        if (value.size() != 2 || !value.at(0).isDouble() || !value.at(1).isString())
            return bad(QStringLiteral("\"value\" is not [time, \"number\"]"));
        if (metric.size() > kMaxPromLabels)
            return bad(QStringLiteral("%1 labels, more than %2").arg(metric.size()).arg(kMaxPromLabels));
        PromSample sample;
        bool numeric = false;
        const QString text = value.at(1).toString();
        sample.value = text.toDouble(&numeric);
        if (!numeric) {
            if (text == u"NaN")
                sample.value = std::nan("");
            else if (text == u"+Inf" || text == u"-Inf")
                sample.value = text.startsWith(u'+') ? HUGE_VAL : -HUGE_VAL;
            else
                return bad(QStringLiteral("the value \"%1\" is not a number").arg(serverText(text, 40)));
        }
        sample.timestamp = value.at(0).toDouble();
        for (auto it = metric.begin(); it != metric.end(); ++it) {
            if (!it.value().isString())
                return bad(QStringLiteral("label %1 is not a string").arg(serverText(it.key(), 60)));
            const QString labelValue = it.value().toString();
            if (labelValue.size() > kMaxPromLabelValue)
                return bad(QStringLiteral("label %1 is longer than %2 characters")
                               .arg(serverText(it.key(), 60))
                               .arg(kMaxPromLabelValue));
            sample.labels.insert(it.key(), labelValue);
        }
        reply.samples.append(std::move(sample));
    }
    return reply;
}

QString promSelector(const QStringList& names, const QString& match)
{
    QString inner = match.trimmed();
    if (inner.startsWith(u'{') && inner.endsWith(u'}'))
        inner = inner.mid(1, inner.size() - 2).trimmed();
    QString selector = QStringLiteral("{__name__=~\"") + names.join(u'|') + u'"';
    if (!inner.isEmpty())
        selector += u',' + inner;
    return selector + u'}';
}

} // namespace sd
