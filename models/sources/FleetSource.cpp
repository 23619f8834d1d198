// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/FleetSource.h"

#include "sources/PromQuery.h"
#include "sources/SignalDeckSeries.h"

#include <QPromise>
#include <QThreadPool>
#include <QTimer>

namespace sd {

FleetSource::FleetSource(SourceConfig config, QObject* parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_batch(new PromBatch(this))
    , m_interval(new QTimer(this))
    , m_parse(new QFutureWatcher<Parsed>(this))
{
    m_snapshot.name = sourceDisplayName(m_config);
    m_snapshot.kind = m_config.kind;
    m_interval->setInterval(m_config.interval);
    connect(m_interval, &QTimer::timeout, this, &FleetSource::pollNow);
    connect(m_batch, &PromBatch::finished, this, &FleetSource::finishPoll);
    connect(m_batch, &PromBatch::timedOut, this, &FleetSource::onDeadline);
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
    // Quietly: nobody may hear of a poll aborted by a source going away.
    m_batch->disconnect(this);
    m_batch->abort();
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
    if (m_batch->busy() || m_parsing)
        return; // the previous poll is still within its deadline, or being parsed
    m_pollClock.start();
    m_snapshot.lastAttemptUtc = QDateTime::currentDateTimeUtc();
    const auto queryUrl = [this](const QString& query) {
        return promApiUrl(m_config.url, QStringLiteral("api/v1/query"), { { QStringLiteral("query"), query } });
    };
    if (m_config.kind == SourceConfig::Kind::Prometheus) {
        m_batch->start({ queryUrl(promSelector(signalDeckSeriesNames(), m_config.match)) }, m_config.timeout);
    } else {
        m_batch->start({ queryUrl(promSelector(blackboxSeriesNames(), m_config.match)),
                           queryUrl(QStringLiteral("timestamp(")
                               + promSelector({ QStringLiteral("probe_success") }, m_config.match) + u')') },
            m_config.timeout);
    }
}

void FleetSource::onDeadline()
{
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

void FleetSource::finishPoll(const QList<PromBatch::Answer>& answers)
{
    const QString where = m_config.url.toString(QUrl::RemoveUserInfo);
    QList<std::pair<QByteArray, int>> bodies;
    for (const PromBatch::Answer& a : answers) {
        if (!a.networkError.isEmpty())
            return fail(SourceState::Down, QStringLiteral("%1: %2").arg(where, a.networkError));
        bodies.append({ a.body, a.httpStatus });
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
