// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/ProbeResult.h"
#include "schedule/EngineTypes.h"

#include <QHash>
#include <QObject>

#include <functional>
#include <memory>

namespace sd {

/// The thread-safe front of the probing engine, and all of it that the rest of the application sees: this
/// header and EngineTypes.h show nothing of models/policy or models/probe. It owns a thread
/// ("signaldeck-engine") in which the scheduler runs with its policies, classifier and state machines; the
/// transport's network threads ("signaldeck-net-N") hang off it, so that neither the GUI nor a slow network
/// ever blocks the other. Calls are queued to the engine thread; results come back as value types in batches
/// (batchReady), a few times a second at most. Its time comes from EngineOptions::clock.
class Engine : public QObject {
    Q_OBJECT
public:
    explicit Engine(EngineOptions options = {}, QObject* parent = nullptr);
    ~Engine() override;

    /// Replaces the endpoints and stops probing (every endpoint starts over); start() again after.
    void setConfig(const AppConfig& config);
    /// Applies a changed config while probing goes on; keeps what each endpoint's change does not invalidate
    /// (docs/CONFIG.md "Applying a changed config"): matched by EndpointConfig::id, an unchanged endpoint keeps
    /// its states, circuit, RTO estimate, Retry-After and schedule; each change is an event of kind Config.
    void applyConfig(const AppConfig& config);
    void start();
    /// Probes every endpoint once and emits onceFinished. Connection failures are retried within the cycle; a
    /// timed-out attempt is not (its verdict is already S1; `--check`, docs/CLI.md).
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
    /// Credentials: secrets held in memory only, attached to probes per scheme; an
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
    /// The clock it runs on (EngineOptions::clock, or systemClock()): the wiring hands the OAuth2 token
    /// sources the same one (startOAuth2), so that a simulated engine and its tokens share one time.
    std::shared_ptr<ProbeClock> clock() const;

signals:
    void batchReady(const sd::EngineBatch& batch);
    void onceFinished(const sd::ProbeResults& results, const sd::EndpointStatuses& statuses);
    void probeNowAnswered(int endpointId, const QString& refusal);
    void oneShotFinished(quint64 requestId, const sd::ProbeResult& result);
    /// An endpoint using `credentialId` got 401 with its current secret (`secretFingerprint`: the first 8 hex
    /// digits of its SHA-256); once per 401 streak of that endpoint, so a token source renews it once.
    void credentialRejected(const QString& credentialId, const QString& secretFingerprint);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace sd
