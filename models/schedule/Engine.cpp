// SPDX-License-Identifier: GPL-3.0-or-later
#include "schedule/Engine.h"

#include <QCoreApplication>
#include <QThread>

namespace sd {

Engine::Engine(ProbeScheduler::Options options, QObject* parent)
    : QObject(parent)
    , m_thread(new QThread(this))
    , m_scheduler(new ProbeScheduler(std::move(options)))
{
    qRegisterMetaType<EngineBatch>();
    qRegisterMetaType<ProbeResults>();
    qRegisterMetaType<ProbeResult>();
    qRegisterMetaType<EndpointStatuses>();
    m_thread->setObjectName(QStringLiteral("signaldeck-engine"));
    m_scheduler->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_scheduler, &QObject::deleteLater);
    // In the engine thread, before the batch is queued to this object's thread (setBatchObserver).
    connect(
        m_scheduler, &ProbeScheduler::batchReady, m_scheduler,
        [this](const EngineBatch& batch) {
            if (m_observer)
                m_observer(batch);
        },
        Qt::DirectConnection);
    connect(m_scheduler, &ProbeScheduler::batchReady, this, &Engine::batchReady);
    connect(m_scheduler, &ProbeScheduler::onceFinished, this, &Engine::onceFinished);
    connect(m_scheduler, &ProbeScheduler::credentialRejected, this, &Engine::credentialRejected);
    connect(m_scheduler, &ProbeScheduler::oneShotFinished, this, &Engine::oneShotFinished);
    m_thread->start();
}

Engine::~Engine()
{
    // No delivery of queued batches here: their receivers may be half destroyed by now.
    stopScheduler();
    m_thread->quit();
    m_thread->wait();
}

void Engine::setConfig(const AppConfig& config)
{
    QMetaObject::invokeMethod(
        m_scheduler, [s = m_scheduler, config] { s->setConfig(config); }, Qt::QueuedConnection);
}

void Engine::applyConfig(const AppConfig& config)
{
    QMetaObject::invokeMethod(
        m_scheduler, [s = m_scheduler, config] { s->applyConfig(config); }, Qt::QueuedConnection);
}

void Engine::start()
{
    QMetaObject::invokeMethod(
        m_scheduler, [s = m_scheduler] { s->start(); }, Qt::QueuedConnection);
}

void Engine::runOnce()
{
    QMetaObject::invokeMethod(
        m_scheduler, [s = m_scheduler] { s->runOnce(); }, Qt::QueuedConnection);
}

void Engine::setPaused(bool paused)
{
    QMetaObject::invokeMethod(
        m_scheduler, [s = m_scheduler, paused] { s->setPaused(paused); }, Qt::QueuedConnection);
}

void Engine::probeNow(int endpointId)
{
    QMetaObject::invokeMethod(
        m_scheduler,
        [this, s = m_scheduler, endpointId] {
            const QString refusal = s->probeNow(endpointId);
            QMetaObject::invokeMethod(
                this, [this, endpointId, refusal] { emit probeNowAnswered(endpointId, refusal); },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void Engine::probeNow(const QString& endpointKey)
{
    QMetaObject::invokeMethod(
        m_scheduler,
        [this, s = m_scheduler, endpointKey] {
            const QString refusal = s->probeNow(endpointKey);
            const int handle = s->handleOf(endpointKey);
            QMetaObject::invokeMethod(
                this, [this, handle, refusal] { emit probeNowAnswered(handle, refusal); }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

quint64 Engine::probeOnce(const EndpointConfig& endpoint)
{
    const quint64 id = ++m_oneShotSerial;
    QMetaObject::invokeMethod(
        m_scheduler, [s = m_scheduler, id, endpoint] { s->probeOnce(id, endpoint); }, Qt::QueuedConnection);
    return id;
}

void Engine::setCredentialSecrets(const QHash<QString, QByteArray>& secrets)
{
    QMetaObject::invokeMethod(
        m_scheduler, [s = m_scheduler, secrets] { s->setCredentialSecrets(secrets); }, Qt::QueuedConnection);
}

void Engine::setCredentialSecret(const QString& id, const QByteArray& secret)
{
    QMetaObject::invokeMethod(
        m_scheduler, [s = m_scheduler, id, secret] { s->setCredentialSecret(id, secret); }, Qt::QueuedConnection);
}

void Engine::setCredentialUnavailable(const QString& id, const QString& reason)
{
    QMetaObject::invokeMethod(
        m_scheduler, [s = m_scheduler, id, reason] { s->setCredentialUnavailable(id, reason); }, Qt::QueuedConnection);
}

void Engine::setCredentialMetadata(const QList<CredentialConfig>& credentials)
{
    QMetaObject::invokeMethod(
        m_scheduler, [s = m_scheduler, credentials] { s->setCredentialMetadata(credentials); }, Qt::QueuedConnection);
}

void Engine::stop()
{
    stopScheduler();
    // The scheduler's batches (its final flush included) reach this thread as queued calls: deliver
    // them before returning, so that a clean exit loses no finished probe (issue 11: the last 1-3
    // samples of a headless run never reached the history).
    if (QThread::currentThread() == thread())
        QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

void Engine::stopScheduler()
{
    if (!m_thread->isRunning())
        return;
    QMetaObject::invokeMethod(
        m_scheduler, [s = m_scheduler] { s->stop(); }, Qt::BlockingQueuedConnection);
}

void Engine::setBatchObserver(std::function<void(const EngineBatch&)> observer)
{
    if (!m_thread->isRunning()) {
        m_observer = std::move(observer);
        return;
    }
    QMetaObject::invokeMethod(
        m_scheduler, [this, &observer] { m_observer = std::move(observer); }, Qt::BlockingQueuedConnection);
}

EndpointStatuses Engine::statuses() const
{
    EndpointStatuses out;
    QMetaObject::invokeMethod(
        m_scheduler, [&out, s = m_scheduler] { out = s->statuses(); }, Qt::BlockingQueuedConnection);
    return out;
}

EngineStats Engine::stats() const
{
    EngineStats out;
    QMetaObject::invokeMethod(
        m_scheduler, [&out, s = m_scheduler] { out = s->stats(); }, Qt::BlockingQueuedConnection);
    return out;
}

} // namespace sd
