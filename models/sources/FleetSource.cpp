// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/FleetSource.h"

#include "sources/PromQuery.h"
#include "sources/SignalDeckSeries.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPromise>
#include <QThreadPool>
#include <QTimer>

namespace sd {

FleetSource::FleetSource(SourceConfig config, QObject* parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_network(new QNetworkAccessManager(this))
    , m_interval(new QTimer(this))
    , m_deadline(new QTimer(this))
    , m_parse(new QFutureWatcher<Parsed>(this))
{
    m_snapshot.name = sourceDisplayName(m_config);
    m_snapshot.kind = m_config.kind;
    m_interval->setInterval(m_config.interval);
    connect(m_interval, &QTimer::timeout, this, &FleetSource::pollNow);
    m_deadline->setSingleShot(true);
    m_deadline->setInterval(m_config.timeout);
    connect(m_deadline, &QTimer::timeout, this, &FleetSource::onDeadline);
    if (m_config.kind == SourceConfig::Kind::Blackbox)
        m_blackbox = std::make_shared<BlackboxFleet>(m_config.endpointLabel, m_config.locationLabel, m_snapshot.name);
    connect(m_parse, &QFutureWatcher<Parsed>::finished, this, [this] {
        m_parsing = false;
        if (m_parse->future().resultCount() > 0)
            applyParsed(m_parse->result());
    });
}

FleetSource::~FleetSource()
{
    // Quietly: an abort finishes the reply at once, and nobody may hear of it from a source going away.
    for (const auto& pending : std::as_const(m_replies)) {
        if (pending->reply) {
            pending->reply->disconnect(this);
            pending->reply->abort();
        }
    }
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
    if (!m_replies.isEmpty() || m_parsing)
        return; // the previous poll is still within its deadline, or being parsed
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
    QList<std::pair<QByteArray, int>> bodies;
    for (const auto& p : replies) {
        if (!p->networkError.isEmpty())
            return fail(SourceState::Down, QStringLiteral("%1: %2").arg(where, p->networkError));
        bodies.append({ std::move(p->body), p->httpStatus });
    }
    // Parsing and building on a pool thread: the job owns its inputs (and shares the blackbox state), so it
    // may outlive this source; the watcher, a child, then never reports.
    auto promise = std::make_shared<QPromise<Parsed>>();
    m_parse->setFuture(promise->future());
    m_parsing = true;
    promise->start();
    QThreadPool::globalInstance()->start([promise, bodies = std::move(bodies), where, blackbox = m_blackbox] {
        Parsed parsed;
        QList<PromVectorReply> answers;
        for (const auto& [body, status] : bodies) {
            PromVectorReply answer = parsePromVectorReply(body, status);
            if (!answer.ok()) {
                parsed.error = QStringLiteral("%1: %2").arg(where, answer.error);
                break;
            }
            answers.append(std::move(answer));
        }
        if (parsed.error.isEmpty()) {
            if (!blackbox)
                parsed.endpoints = buildSignalDeckEndpoints(answers.value(0).samples);
            else
                parsed.endpoints = blackbox->update(
                    answers.value(0).samples, answers.value(1).samples, QDateTime::currentDateTimeUtc());
        }
        promise->addResult(std::move(parsed));
        promise->finish();
    });
}

void FleetSource::applyParsed(const Parsed& parsed)
{
    if (!parsed.error.isEmpty())
        return fail(SourceState::Failed, parsed.error);
    m_snapshot.endpoints = parsed.endpoints;
    m_snapshot.state = SourceState::Up;
    m_snapshot.error.clear();
    m_snapshot.lastSuccessUtc = QDateTime::currentDateTimeUtc();
    m_snapshot.lastQueryMs = m_pollClock.elapsed();
    emit updated(m_snapshot);
}

} // namespace sd
