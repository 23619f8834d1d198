// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "schedule/ProbeScheduler.h"

#include <QObject>

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

    void setConfig(const AppConfig& config);
    void start();
    /// Probes every endpoint once (retries included) and emits onceFinished.
    void runOnce();
    void setPaused(bool paused);
    /// Emits probeNowAnswered with an empty message when the probe started, or why it did not.
    void probeNow(int endpointId);
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
    /// A consistent snapshot of every endpoint's status and the engine figures (blocks briefly).
    EndpointStatuses statuses() const;
    EngineStats stats() const;

signals:
    void batchReady(const sd::EngineBatch& batch);
    void onceFinished(const sd::ProbeResults& results, const sd::EndpointStatuses& statuses);
    void probeNowAnswered(int endpointId, const QString& refusal);
    /// See ProbeScheduler::credentialRejected: once per 401 streak of an endpoint using `credentialId`.
    void credentialRejected(const QString& credentialId, const QString& secretFingerprint);

private:
    void stopScheduler();

    QThread* m_thread;
    ProbeScheduler* m_scheduler;
};

} // namespace sd
