// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/PromBatch.h"

#include "sources/PromQuery.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrlQuery>

namespace sd {

QUrl promApiUrl(const QUrl& base, const QString& path, const QList<std::pair<QString, QString>>& query)
{
    QUrl url = base;
    QString prefix = url.path();
    if (!prefix.endsWith(u'/'))
        prefix += u'/';
    url.setPath(prefix + path);
    QString encoded;
    for (const auto& [key, value] : query) {
        if (!encoded.isEmpty())
            encoded += u'&';
        encoded += key + u'=' + QString::fromLatin1(QUrl::toPercentEncoding(value));
    }
    url.setQuery(encoded, QUrl::StrictMode);
    return url;
}

PromBatch::PromBatch(QObject* parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
    , m_deadline(new QTimer(this))
{
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, &PromBatch::onDeadline);
}

PromBatch::~PromBatch()
{
    abort();
}

bool PromBatch::start(const QList<QUrl>& urls, Millis deadline)
{
    if (busy() || urls.isEmpty())
        return false;
    for (const QUrl& url : urls) {
        QNetworkRequest request(url);
        request.setRawHeader("Accept", "application/json");
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
        auto pending = std::make_shared<Pending>();
        pending->reply = m_network->get(request);
        m_pending.append(pending);
        QNetworkReply* reply = pending->reply;
        connect(reply, &QNetworkReply::readyRead, this, [this, pending] { onReadyRead(*pending); });
        connect(reply, &QNetworkReply::finished, this, [this, pending] { onFinished(*pending); });
    }
    m_deadline->start(deadline);
    return true;
}

void PromBatch::abort()
{
    m_deadline->stop();
    // Quietly: an abort finishes the reply at once, and nobody may hear of it.
    for (const auto& pending : std::exchange(m_pending, {})) {
        pending->done = true;
        if (pending->reply) {
            pending->reply->disconnect(this);
            pending->reply->abort();
            pending->reply->deleteLater();
        }
    }
}

void PromBatch::onReadyRead(Pending& pending)
{
    if (!pending.reply)
        return;
    const qint64 available = pending.reply->bytesAvailable();
    if (pending.answer.body.size() + available > kMaxPromReplyBytes) {
        pending.answer.networkError = QStringLiteral("the answer is larger than %1 MiB").arg(kMaxPromReplyBytes >> 20);
        pending.reply->abort();
        return;
    }
    pending.answer.body += pending.reply->readAll();
}

void PromBatch::onFinished(Pending& pending)
{
    if (pending.done || !pending.reply)
        return;
    pending.done = true;
    QNetworkReply* reply = pending.reply;
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (pending.answer.networkError.isEmpty()) {
        if (status.isValid()) {
            pending.answer.httpStatus = status.toInt();
            pending.answer.body += reply->readAll();
        } else {
            pending.answer.networkError = serverText(reply->errorString(), 200);
        }
    }
    reply->deleteLater();
    for (const auto& p : std::as_const(m_pending))
        if (!p->done)
            return;
    m_deadline->stop();
    QList<Answer> answers;
    for (const auto& p : std::exchange(m_pending, {}))
        answers.append(std::move(p->answer));
    emit finished(answers);
}

void PromBatch::onDeadline()
{
    if (m_pending.isEmpty())
        return;
    abort();
    emit timedOut();
}

} // namespace sd
