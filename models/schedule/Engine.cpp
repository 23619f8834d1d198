// SPDX-License-Identifier: GPL-3.0-or-later
#include "schedule/Engine.h"

#include "core/ProbeClock.h"
#include "schedule/ProbeScheduler.h"

#include <QCoreApplication>
#include <QThread>

namespace sd {

/// What the front hides: the engine thread and the scheduler living in it (and through the scheduler the
/// transport, the policies and the state machines).
struct Engine::Private {
    /// Runs `call` in the engine thread, queued.
    template <typename Call> void post(Call&& call)
    {
        QMetaObject::invokeMethod(scheduler, std::forward<Call>(call), Qt::QueuedConnection);
    }
    /// Runs `call` in the engine thread and waits for it.
    template <typename Call> void blocking(Call&& call) const
    {
        QMetaObject::invokeMethod(scheduler, std::forward<Call>(call), Qt::BlockingQueuedConnection);
    }
    void stopScheduler()
    {
        if (thread->isRunning())
            blocking([s = scheduler] { s->stop(); });
    }

    QThread* thread = nullptr; ///< "signaldeck-engine", a child of the Engine
    ProbeScheduler* scheduler = nullptr; ///< lives in `thread`; deleted there when it finishes
    std::function<void(const EngineBatch&)> observer; ///< read and written in the engine thread only
    std::shared_ptr<ProbeClock> clock; ///< the scheduler's
    quint64 oneShotSerial = 0;
};

Engine::Engine(EngineOptions options, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    qRegisterMetaType<EngineBatch>();
    qRegisterMetaType<ProbeResults>();
    qRegisterMetaType<ProbeResult>();
    qRegisterMetaType<EndpointStatuses>();
    if (!options.clock)
        options.clock = systemClock();
    d->clock = options.clock;
    d->thread = new QThread(this);
    d->scheduler = new ProbeScheduler(std::move(options));
    d->thread->setObjectName(QStringLiteral("signaldeck-engine"));
    d->scheduler->moveToThread(d->thread);
    connect(d->thread, &QThread::finished, d->scheduler, &QObject::deleteLater);
    // In the engine thread, before the batch is queued to this object's thread (setBatchObserver).
    connect(
        d->scheduler, &ProbeScheduler::batchReady, d->scheduler,
        [p = d.get()](const EngineBatch& batch) {
            if (p->observer)
                p->observer(batch);
        },
        Qt::DirectConnection);
    connect(d->scheduler, &ProbeScheduler::batchReady, this, &Engine::batchReady);
    connect(d->scheduler, &ProbeScheduler::onceFinished, this, &Engine::onceFinished);
    connect(d->scheduler, &ProbeScheduler::credentialRejected, this, &Engine::credentialRejected);
    connect(d->scheduler, &ProbeScheduler::oneShotFinished, this, &Engine::oneShotFinished);
    d->thread->start();
}

Engine::~Engine()
{
    // No delivery of queued batches here: their receivers may be half destroyed by now.
    d->stopScheduler();
    d->thread->quit();
    d->thread->wait();
}

void Engine::setConfig(const AppConfig& config)
{
    d->post([s = d->scheduler, config] { s->setConfig(config); });
}

void Engine::applyConfig(const AppConfig& config)
{
    d->post([s = d->scheduler, config] { s->applyConfig(config); });
}

void Engine::start()
{
    d->post([s = d->scheduler] { s->start(); });
}

void Engine::runOnce()
{
    d->post([s = d->scheduler] { s->runOnce(); });
}

void Engine::setPaused(bool paused)
{
    d->post([s = d->scheduler, paused] { s->setPaused(paused); });
}

void Engine::probeNow(int endpointId)
{
    d->post([this, s = d->scheduler, endpointId] {
        const QString refusal = s->probeNow(endpointId);
        QMetaObject::invokeMethod(
            this, [this, endpointId, refusal] { emit probeNowAnswered(endpointId, refusal); }, Qt::QueuedConnection);
    });
}

void Engine::probeNow(const QString& endpointKey)
{
    d->post([this, s = d->scheduler, endpointKey] {
        const QString refusal = s->probeNow(endpointKey);
        const int handle = s->handleOf(endpointKey);
        QMetaObject::invokeMethod(
            this, [this, handle, refusal] { emit probeNowAnswered(handle, refusal); }, Qt::QueuedConnection);
    });
}

quint64 Engine::probeOnce(const EndpointConfig& endpoint)
{
    const quint64 id = ++d->oneShotSerial;
    d->post([s = d->scheduler, id, endpoint] { s->probeOnce(id, endpoint); });
    return id;
}

void Engine::setCredentialSecrets(const QHash<QString, QByteArray>& secrets)
{
    d->post([s = d->scheduler, secrets] { s->setCredentialSecrets(secrets); });
}

void Engine::setCredentialSecret(const QString& id, const QByteArray& secret)
{
    d->post([s = d->scheduler, id, secret] { s->setCredentialSecret(id, secret); });
}

void Engine::setCredentialUnavailable(const QString& id, const QString& reason)
{
    d->post([s = d->scheduler, id, reason] { s->setCredentialUnavailable(id, reason); });
}

void Engine::setCredentialMetadata(const QList<CredentialConfig>& credentials)
{
    d->post([s = d->scheduler, credentials] { s->setCredentialMetadata(credentials); });
}

void Engine::stop()
{
    d->stopScheduler();
    // The scheduler's batches (its final flush included) reach this thread as queued calls: deliver
    // them before returning, so that a clean exit loses no finished probe (issue 11: the last 1-3
    // samples of a headless run never reached the history).
    if (QThread::currentThread() == thread())
        QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

void Engine::setBatchObserver(std::function<void(const EngineBatch&)> observer)
{
    if (!d->thread->isRunning()) {
        d->observer = std::move(observer);
        return;
    }
    d->blocking([p = d.get(), &observer] { p->observer = std::move(observer); });
}

EndpointStatuses Engine::statuses() const
{
    EndpointStatuses out;
    d->blocking([&out, s = d->scheduler] { out = s->statuses(); });
    return out;
}

EngineStats Engine::stats() const
{
    EngineStats out;
    d->blocking([&out, s = d->scheduler] { out = s->stats(); });
    return out;
}

std::shared_ptr<ProbeClock> Engine::clock() const
{
    return d->clock;
}

} // namespace sd
