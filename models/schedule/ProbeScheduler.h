// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/MonotonicTime.h"
#include "core/ProbeClock.h"
#include "core/ProbeResult.h"
#include "core/Redaction.h"
#include "health/SignalTracker.h"
#include "policy/CircuitBreaker.h"
#include "policy/ProbePacer.h"
#include "policy/RateBudget.h"
#include "policy/RetryPolicy.h"
#include "policy/RtoEstimator.h"
#include "policy/ThrottleBackoff.h"
#include "schedule/EngineTypes.h"

#include <QHash>
#include <QObject>
#include <QSet>

#include <deque>
#include <memory>
#include <queue>
#include <vector>

namespace sd {

class ProbeTransport;
struct ProbeRequest;

/// The probing engine's core, living in the engine thread; internal to models/schedule (Engine is its
/// thread-safe front, and the only way in from outside).
///
/// Its time is an input (Options::clock, a ProbeClock): one single-shot timer of that clock is armed for the earliest
/// due endpoint (a heap of due times), so a thousand endpoints cost one timer, not a thousand. Endpoints are staggered
/// over their interval so they do not all fire at once. The config's RateBudget caps attempts per second: when its
/// endpoints demand more, every interval is stretched by the same factor, so the cap shapes cadence fairly rather than
/// by who asks first. Before every attempt the scheduler asks, in order: is a Retry-After in force (ThrottleBackoff),
/// has the global cap a slot now (ProbePacer, a safety net for retries and bursts; an attempt held back books its slot
/// and goes out then), does the circuit let it through (CircuitBreaker). Each attempt's deadline comes from the
/// endpoint's fixed timeout or its RtoEstimator. After an attempt, the classifier judges it, RetryPolicy decides on an
/// S1 retry, and at the end of the cycle the SignalTracker updates the four signal states. Results, events and endpoint
/// statuses are collected and emitted as one batch per flush interval, never per probe.
class ProbeScheduler : public QObject {
    Q_OBJECT
public:
    /// The engine's options (EngineTypes.h); the clock among them is the time of every decision here.
    using Options = EngineOptions;

    explicit ProbeScheduler(Options options, QObject* parent = nullptr);
    ~ProbeScheduler() override;

    /// Replaces the endpoints and stops probing; every endpoint starts over (the first config, a test's reset).
    void setConfig(const AppConfig& config);
    /// Applies a changed config to the running engine, endpoint by endpoint matched by EndpointConfig::id
    /// (docs/CONFIG.md, "Applying a changed config"): an unchanged endpoint keeps its signal states,
    /// circuit, RTO estimate, Retry-After and schedule; a changed one keeps what the change does not
    /// invalidate (a new interval or name keeps its states; a new URL or request starts over and is probed
    /// at once); an added one is probed at once; a removed one stops. Each change is an EngineEvent of kind
    /// Config in the next batch. Probing goes on (or stays paused) as it was.
    void applyConfig(const AppConfig& config);
    /// Starts periodic probing (staggered).
    void start();
    /// Probes every endpoint once (`--check`), with the S1 retries but none after a timeout, whose retry would hold
    /// the check for another whole timeout; emits onceFinished() when all are done.
    void runOnce();
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    /// Probes one endpoint now, bypassing its interval and backoff but never a Retry-After in force.
    /// Returns an empty string when the probe started, otherwise why not.
    QString probeNow(int endpointId);
    /// The same by endpointKey() of the endpoint's config.
    QString probeNow(const QString& key);
    /// Stops everything in flight; nothing is emitted afterwards.
    void stop();
    /// One attempt of `endpoint` (which need not be in the config: the editor's unsaved endpoint) with this
    /// engine's secrets, no retry, no state: emits oneShotFinished(requestId, result). An endpoint whose
    /// credential is not loaded gets its S2 result at once, without a request.
    void probeOnce(quint64 requestId, const EndpointConfig& endpoint);

    /// Secrets by credential id, held in memory only and attached to probes per the credential's scheme.
    /// Replaces all earlier secrets; ids not present are "not loaded from the keychain" unless
    /// setCredentialUnavailable() said why.
    void setCredentialSecrets(const QHash<QString, QByteArray>& secrets);
    /// One credential's secret changed (added, rotated, rolled back): its endpoints are probed at once.
    void setCredentialSecret(const QString& id, const QByteArray& secret);
    /// The secret of `id` cannot be read: its endpoints are not probed and show S2 Critical with `reason`
    /// ("credential unavailable: no OS keychain").
    void setCredentialUnavailable(const QString& id, const QString& reason);
    /// New metadata (after a rotation, say) without resetting the endpoints: the advisories of
    /// credentialAdvisory() (expiry, age) are re-evaluated now and after every probe cycle.
    void setCredentialMetadata(const QList<CredentialConfig>& credentials);

    EndpointStatuses statuses() const;
    EngineStats stats() const;
    /// The budget of the current config: demand, cap and the factor every interval is stretched by.
    const RateBudget& rateBudget() const { return m_budget; }
    int endpointCount() const { return static_cast<int>(m_runtimes.size()); }
    /// The handle (EndpointStatus::id) of the endpoint with this endpointKey(); -1 when there is none.
    int handleOf(const QString& key) const { return m_handles.value(key, -1); }

signals:
    void batchReady(const sd::EngineBatch& batch);
    void onceFinished(const sd::ProbeResults& results, const sd::EndpointStatuses& statuses);
    /// An endpoint using credential `credentialId` got 401 with the credential's current secret, whose
    /// fingerprint (first 8 hex digits of its SHA-256, as credentialFingerprint) is `secretFingerprint`.
    /// Emitted once per streak of 401s of that endpoint (a non-401 answer ends the streak), so that whoever
    /// can renew the secret (an OAuth2 token source) renews it once and never in a loop; a 401 for a secret
    /// that was replaced while the probe was in flight is not reported, and the endpoint is probed again at once.
    void credentialRejected(const QString& credentialId, const QString& secretFingerprint);
    void oneShotFinished(quint64 requestId, const sd::ProbeResult& result);

private:
    /// The handle of one-shot probes' tickets (probeOnce); never an endpoint's.
    static constexpr int kOneShotHandle = 0x7fffffff;
    struct OneShot {
        quint64 requestId = 0;
        EndpointConfig endpoint;
    };
    void finishOneShot(quint64 ticket, const ProbeFacts& facts, const QDateTime& startUtc, const QByteArray& traceId);
    struct Runtime;
    struct Due {
        MonotonicTime at;
        int id;
        quint64 generation;
        bool operator>(const Due& o) const { return at > o.at; }
    };

    /// The engine's handle (EndpointStatus::id, ProbeResult::endpointId) for a key: the same for the life of
    /// this scheduler, never reused for another key.
    int handleFor(const QString& key);
    Runtime* runtime(int handle) const;
    void configEvent(Runtime& rt, const QString& what);
    void updateBudget(const AppConfig& config);
    void onTimer();
    void arm();
    void reschedule(Runtime& rt, MonotonicTime at, NextProbeReason reason);
    void dispatch(Runtime& rt, MonotonicTime now);
    void sendAttempt(Runtime& rt, MonotonicTime now);
    void onAttemptFinished(
        quint64 ticket, const ProbeFacts& facts, const QDateTime& startUtc, const QByteArray& traceId);
    void finishCycle(Runtime& rt, MonotonicTime now);
    /// Tracks the 401 streak of `rt` and emits credentialRejected at its start; true when the 401 was for a
    /// secret replaced meanwhile (the endpoint should be probed again at once).
    bool noteCredentialRejection(Runtime& rt);
    void collectCircuitEvents(Runtime& rt);
    void flush();
    EndpointStatus statusOf(const Runtime& rt) const;
    std::chrono::milliseconds attemptDeadline(const Runtime& rt) const;
    /// Why `rt` cannot be probed for want of its credential; empty when it can.
    QString credentialBlock(const Runtime& rt) const;
    void rememberSecrets(const QList<QByteArray>& secrets);
    void refreshCredentialCondition(Runtime& rt, const QDateTime& nowUtc);
    void refreshCredentialConditions(const QString& id);
    void collectSignalEvents(const SignalTransitions& transitions);

    /// Hands `request` to the transport; the clock knows it is out until onAttemptFinished or stop().
    void startRequest(const ProbeRequest& request);
    /// The attempt `ticket` came back (or was dropped): the clock may move on once its effects are handled.
    void requestDone(quint64 ticket);

    Options m_options;
    std::shared_ptr<ProbeClock> m_clock;
    ProbeTransport* m_transport;
    ClockTimer* m_timer;
    ClockTimer* m_flushTimer;
    RetryPolicy m_retry;
    RateBudget m_budget;
    ProbePacer m_pacer;
    Thresholds m_thresholds;
    std::vector<std::unique_ptr<Runtime>> m_runtimes; ///< in config order
    QHash<int, Runtime*> m_byHandle;
    QHash<quint64, OneShot> m_oneShots; ///< by ticket
    QHash<QString, int> m_handles; ///< endpointKey() → handle, kept across config changes
    int m_nextHandle = 0;
    quint64 m_generationSerial = 0; ///< heap entries of a replaced runtime never match the new one
    std::priority_queue<Due, std::vector<Due>, std::greater<>> m_heap;
    bool m_running = false;
    bool m_paused = false;
    bool m_once = false;
    int m_onceRemaining = 0;
    quint64 m_ticketSerial = 0;
    QSet<quint64> m_outstanding; ///< tickets handed to the transport and not back yet (ProbeClock::networkStarted)

    QHash<QString, QByteArray> m_secrets; ///< credential id → secret; never logged, never in a result
    /// Every secret this engine has held (current and replaced ones), in every form a server may echo:
    /// cut out of the answers before they are classified (issue 11.4).
    QList<QByteArray> m_everySecret;
    KnownSecrets m_knownSecrets;
    QHash<QString, quint64> m_secretSerials; ///< credential id → bumped whenever its secret changes
    QHash<QString, QString> m_unavailable; ///< credential id → why its secret cannot be read
    QHash<QString, CredentialConfig> m_credentials; ///< credential id → metadata
    /// Scheme clientCert: credential id → its certificate (PEM, from certFile) and the earliest expiry in it.
    struct ClientCertificate {
        QByteArray pem;
        QDateTime expires;
        QString subject;
    };
    QHash<QString, ClientCertificate> m_clientCertificates;
    void loadClientCertificates();

    ProbeResults m_pendingResults;
    EngineEvents m_pendingEvents;
    std::vector<int> m_dirty;
    std::deque<qint64> m_lagUs; ///< recent scheduling lags
    EngineStats m_stats;
    qint64 m_finishedAtLastFlush = 0;
    MonotonicTime m_lastFlush;
};

} // namespace sd
