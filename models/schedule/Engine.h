// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "schedule/ProbeScheduler.h"

#include <QObject>

#include <functional>

class QThread;

namespace sd {

/// The thread-safe front of the probing engine. It owns a worker thread in which a ProbeScheduler (and
/// through it the QNetworkAccessManager, the classifier and the state machines) runs, so that neither the
/// GUI nor a slow network ever blocks the other. Calls are queued to the worker; results come back as
/// value types in batches (batchReady), a few times a second at most.
class Engine : public QObject {
    Q_OBJECT
public:
    explicit Engine(ProbeScheduler::Options options = {}, QObject* parent = nullptr);
    ~Engine() override;

    /// Replaces the endpoints and stops probing (every endpoint starts over); start() again after.
    void setConfig(const AppConfig& config);
    /// Applies a changed config while probing goes on; keeps what each endpoint's change does not invalidate
    /// (ProbeScheduler::applyConfig, docs/CONFIG.md "Applying a changed config").
    void applyConfig(const AppConfig& config);
    void start();
    /// Probes every endpoint once (retries included) and emits onceFinished.
    void runOnce();
    void setPaused(bool paused);
    /// Emits probeNowAnswered with an empty message when the probe started, or why it did not.
    void probeNow(int endpointId);
    /// The same by the endpoint's endpointKey() (its config id), which the window knows before any batch.
    void probeNow(const QString& endpointKey);
    /// One attempt of `endpoint` (saved or not: the editor's "Probe now") with this engine's secrets; no
    /// retry, no state. Returns the request's id, which oneShotFinished() carries back.
    quint64 probeOnce(const EndpointConfig& endpoint);
    /// Stops probing and waits for the worker to drop everything in flight. Every probe that finished
    /// before has been emitted in a batchReady() by the time it returns (called from this object's thread).
    void stop();
    /// Credentials (see ProbeScheduler): secrets held in memory only, attached to probes per scheme; an
    /// endpoint whose credential is unavailable is not probed and shows S2 Critical with the reason;
    /// metadata drives the expiry and age advisories (S2 Warning/Critical while probes still succeed).
    void setCredentialSecrets(const QHash<QString, QByteArray>& secrets);
    /// After add, rotate or rollback: the new secret, and its endpoints are probed at once.
    void setCredentialSecret(const QString& id, const QByteArray& secret);
    void setCredentialUnavailable(const QString& id, const QString& reason);
    void setCredentialMetadata(const QList<CredentialConfig>& credentials);
    /// Calls `observer` with every batch in the engine thread ("signaldeck-engine"), as the scheduler flushes
    /// it and before it is queued to this object's thread: what must never wait on the GUI (the history
    /// append) goes here. `observer` must be thread-safe and outlive the engine or be replaced by an empty one.
    void setBatchObserver(std::function<void(const EngineBatch&)> observer);
    /// A consistent snapshot of every endpoint's status and the engine figures (blocks briefly).
    EndpointStatuses statuses() const;
    EngineStats stats() const;

signals:
    void batchReady(const sd::EngineBatch& batch);
    void onceFinished(const sd::ProbeResults& results, const sd::EndpointStatuses& statuses);
    void probeNowAnswered(int endpointId, const QString& refusal);
    void oneShotFinished(quint64 requestId, const sd::ProbeResult& result);
    /// See ProbeScheduler::credentialRejected: once per 401 streak of an endpoint using `credentialId`.
    void credentialRejected(const QString& credentialId, const QString& secretFingerprint);

private:
    void stopScheduler();

    QThread* m_thread;
    std::function<void(const EngineBatch&)> m_observer; ///< read and written in the engine thread only
    quint64 m_oneShotSerial = 0;
    ProbeScheduler* m_scheduler;
};

} // namespace sd
