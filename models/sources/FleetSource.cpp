// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/FleetSource.h"

#include "sources/PromQuery.h"
#include "sources/SignalDeckSeries.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace sd {

FleetSource::FleetSource(SourceConfig config, QObject* parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_network(new QNetworkAccessManager(this))
    , m_interval(new QTimer(this))
    , m_deadline(new QTimer(this))
{
    m_snapshot.name = sourceDisplayName(m_config);
    m_snapshot.kind = m_config.kind;
    m_interval->setInterval(m_config.interval);
    connect(m_interval, &QTimer::timeout, this, &FleetSource::pollNow);
    m_deadline->setSingleShot(true);
    m_deadline->setInterval(m_config.timeout);
    connect(m_deadline, &QTimer::timeout, this, &FleetSource::onDeadline);
    if (m_config.kind == SourceConfig::Kind::Blackbox)
        m_blackbox = std::make_unique<BlackboxFleet>(m_config.endpointLabel, m_config.locationLabel, m_snapshot.name);
}

FleetSource::~FleetSource()
{
    for (const auto& pending : std::as_const(m_replies))
        if (pending->reply)
            pending->reply->abort();
}

void FleetSource::start()
{
    m_interval->start();
    pollNow();
}

void FleetSource::stop()
{
    m_interval->stop();
}

void FleetSource::pollNow()
{
    if (!m_replies.isEmpty())
        return; // the previous poll is still within its deadline
    m_pollClock.start();
    m_snapshot.lastAttemptUtc = QDateTime::currentDateTimeUtc();
    if (m_config.kind == SourceConfig::Kind::Prometheus) {
        send(promSelector(signalDeckSeriesNames(), m_config.match));
    } else {
        send(promSelector(blackboxSeriesNames(), m_config.match));
        send(QStringLiteral("timestamp(") + promSelector({ QStringLiteral("probe_success") }, m_config.match) + u')');
    }
    m_deadline->start();
}

void FleetSource::send(const QString& query)
{
    QUrl url = m_config.url;
    QString path = url.path();
    if (!path.endsWith(u'/'))
        path += u'/';
    url.setPath(path + QStringLiteral("api/v1/query"));
    url.setQuery(QStringLiteral("query=") + QString::fromLatin1(QUrl::toPercentEncoding(query)), QUrl::StrictMode);
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    auto pending = std::make_shared<Pending>();
    pending->reply = m_network->get(request);
    m_replies.append(pending);
    QNetworkReply* reply = pending->reply;
    connect(reply, &QNetworkReply::readyRead, this, [this, pending] { onReadyRead(*pending); });
    connect(reply, &QNetworkReply::finished, this, [this, pending] { onFinished(*pending); });
}

void FleetSource::onReadyRead(Pending& pending)
{
    if (!pending.reply)
        return;
    const qint64 available = pending.reply->bytesAvailable();
    if (pending.body.size() + available > kMaxPromReplyBytes) {
        pending.networkError = QStringLiteral("the answer is larger than %1 MiB").arg(kMaxPromReplyBytes >> 20);
        pending.reply->abort();
        return;
    }
    pending.body += pending.reply->readAll();
}

void FleetSource::onFinished(Pending& pending)
{
    if (pending.done || !pending.reply)
        return;
    pending.done = true;
    QNetworkReply* reply = pending.reply;
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (pending.networkError.isEmpty()) {
        if (status.isValid()) {
            pending.httpStatus = status.toInt();
            pending.body += reply->readAll();
        } else {
            pending.networkError = serverText(reply->errorString(), 200);
        }
    }
    reply->deleteLater();
    for (const auto& p : std::as_const(m_replies))
        if (!p->done)
            return;
    finishPoll();
}

void FleetSource::onDeadline()
{
    if (m_replies.isEmpty())
        return;
    const auto replies = m_replies;
    m_replies.clear();
    for (const auto& p : replies) {
        if (p->reply) {
            p->done = true;
            p->reply->disconnect(this);
            p->reply->abort();
            p->reply->deleteLater();
        }
    }
    fail(SourceState::Down,
        QStringLiteral("%1 did not answer within %2 ms")
            .arg(m_config.url.toString(QUrl::RemoveUserInfo))
            .arg(m_config.timeout.count()));
}

void FleetSource::fail(SourceState state, const QString& error)
{
    m_snapshot.state = state;
    m_snapshot.error = error;
    emit updated(m_snapshot);
}

void FleetSource::finishPoll()
{
    m_deadline->stop();
    const auto replies = std::exchange(m_replies, {});
    const QString where = m_config.url.toString(QUrl::RemoveUserInfo);
    QList<PromVectorReply> answers;
    for (const auto& p : replies) {
        if (!p->networkError.isEmpty())
            return fail(SourceState::Down, QStringLiteral("%1: %2").arg(where, p->networkError));
        PromVectorReply answer = parsePromVectorReply(p->body, p->httpStatus);
        if (!answer.ok())
            return fail(SourceState::Failed, QStringLiteral("%1: %2").arg(where, answer.error));
        answers.append(std::move(answer));
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (m_config.kind == SourceConfig::Kind::Prometheus)
        m_snapshot.endpoints = buildSignalDeckEndpoints(answers.value(0).samples);
    else
        m_snapshot.endpoints = m_blackbox->update(answers.value(0).samples, answers.value(1).samples, now);
    m_snapshot.state = SourceState::Up;
    m_snapshot.error.clear();
    m_snapshot.lastSuccessUtc = now;
    m_snapshot.lastQueryMs = m_pollClock.elapsed();
    emit updated(m_snapshot);
}

} // namespace sd
