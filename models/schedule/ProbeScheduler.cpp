// SPDX-License-Identifier: GPL-3.0-or-later
#include "schedule/ProbeScheduler.h"

#include "health/Classifier.h"
#include "health/CredentialAdvisory.h"
#include "health/RequestValidator.h"
#include "probe/CredentialHeader.h"
#include "probe/ProbeTransport.h"

#include <QCryptographicHash>
#include <QFile>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSslCertificate>

#include <algorithm>
#include <cmath>
#include <unordered_map>

Q_LOGGING_CATEGORY(lcSchedule, "signaldeck.schedule", QtInfoMsg)

namespace sd {

using namespace std::chrono;

namespace {
constexpr std::size_t kLagSamples = 8192;
constexpr std::size_t kOutcomeCount = 8;

QDateTime utcAt(MonotonicTime at, MonotonicTime now, const QDateTime& nowUtc)
{
    const auto delta = duration_cast<milliseconds>(at - now);
    return nowUtc.addMSecs(delta.count());
}

// The golden-ratio sequence spreads any number of endpoints evenly over an interval.
double staggerFraction(int index)
{
    constexpr double kGolden = 0.6180339887498949;
    double whole = 0;
    return std::modf(index * kGolden, &whole);
}

qint64 percentile(std::vector<qint64> values, double p)
{
    if (values.empty())
        return 0;
    const auto k = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    return values[k];
}
} // namespace

struct ProbeScheduler::Runtime {
    Runtime(int id, EndpointConfig c, const Thresholds& thresholds)
        : cfg(std::move(c))
        , requestProblem(validateRequest(cfg))
        , tracker(id, cfg.name, thresholds)
        , rto(cfg.timeoutMin, cfg.timeoutMax)
        , interval(cfg.interval)
    {
        status.id = id;
        status.key = endpointKey(cfg);
        status.name = cfg.name;
        status.adaptiveTimeout = cfg.adaptiveTimeout;
    }
    EndpointConfig cfg;
    QString requestProblem; ///< non-empty: the request fails pre-validation and is never sent
    SignalTracker tracker;
    CircuitBreaker breaker;
    ThrottleBackoff throttle;
    RtoEstimator rto;
    EndpointStatus status;

    quint64 generation = 0; ///< invalidates heap entries when the endpoint is rescheduled
    std::chrono::milliseconds interval; ///< the configured interval stretched by the rate budget's factor
    MonotonicTime plannedAt; ///< when the current or next cycle was planned to start (cadence and lag)
    std::optional<MonotonicTime> heldFrom; ///< the plan before the global cap held the cycle back (lag)
    bool slotBooked = false; ///< held back by the global cap with a slot booked: goes out without asking again
    MonotonicTime dueAt;
    NextProbeReason dueReason = NextProbeReason::Interval;
    bool scheduled = false;

    bool inCycle = false;
    bool inFlight = false;
    bool manual = false;
    int attempt = 0;
    quint64 ticket = 0;
    quint64 sentSecretSerial = 0; ///< the credential's secret serial when the attempt was sent
    bool credentialRejected = false; ///< in a streak of 401s (reported once)
    MonotonicTime dispatchedAt;
    ProbeResult last; ///< the latest attempt of the cycle, which decides the outcome
    TlsFacts lastTls; ///< of the latest attempt that saw a certificate: its expiry stays judged between them
};

ProbeScheduler::ProbeScheduler(Options options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_clock(m_options.clock ? m_options.clock : systemClock())
    , m_transport(new ProbeTransport(this))
    , m_timer(m_clock->createTimer(true, this))
    , m_flushTimer(m_clock->createTimer(false, this))
    , m_retry(RetryPolicyConfig {}, m_options.random)
    , m_lastFlush(m_clock->now())
{
    qRegisterMetaType<EngineBatch>();
    qRegisterMetaType<ProbeResults>();
    qRegisterMetaType<EndpointStatuses>();
    m_transport->setShardCount(m_options.transportShards);
    m_transport->setPerHostLimit(m_options.perHostLimit);
    connect(m_timer, &ClockTimer::timeout, this, &ProbeScheduler::onTimer);
    connect(m_flushTimer, &ClockTimer::timeout, this, &ProbeScheduler::flush);
    connect(m_transport, &ProbeTransport::finished, this, &ProbeScheduler::onAttemptFinished);
}

ProbeScheduler::~ProbeScheduler()
{
    for (qsizetype i = 0; i < m_outstanding.size(); ++i)
        m_clock->networkFinished();
}

void ProbeScheduler::startRequest(const ProbeRequest& request)
{
    m_outstanding.insert(request.ticket);
    m_clock->networkStarted();
    m_transport->start(request);
}

void ProbeScheduler::requestDone(quint64 ticket)
{
    if (m_outstanding.remove(ticket))
        m_clock->networkFinished();
}

void ProbeScheduler::setConfig(const AppConfig& config)
{
    stop();
    m_transport->setKind(config.transport);
    m_thresholds = config.thresholds;
    updateBudget(config);
    m_runtimes.clear();
    m_byHandle.clear();
    m_runtimes.reserve(static_cast<std::size_t>(config.endpoints.size()));
    for (const EndpointConfig& endpoint : config.endpoints) {
        auto rt = std::make_unique<Runtime>(handleFor(endpointKey(endpoint)), endpoint, m_thresholds);
        rt->interval = stretchedInterval(endpoint.interval, m_budget);
        if (m_byHandle.contains(rt->status.id)) {
            // Two endpoints with one key (a config built in code with a repeated name): the second gets a handle
            // of its own, so that both are probed; only the first is matched by later config changes.
            rt->status.id = m_nextHandle++;
            rt->tracker = SignalTracker(rt->status.id, endpoint.name, m_thresholds);
        }
        m_byHandle.insert(rt->status.id, rt.get());
        m_runtimes.push_back(std::move(rt));
    }
    m_credentials.clear();
    for (const CredentialConfig& credential : config.credentials)
        m_credentials.insert(credential.id, credential);
    loadClientCertificates();
    refreshCredentialConditions({});
}

int ProbeScheduler::handleFor(const QString& key)
{
    const auto found = m_handles.constFind(key);
    if (found != m_handles.cend())
        return *found;
    const int handle = m_nextHandle++;
    m_handles.insert(key, handle);
    return handle;
}

ProbeScheduler::Runtime* ProbeScheduler::runtime(int handle) const
{
    return m_byHandle.value(handle, nullptr);
}

namespace {
/// What an endpoint's new config changes in the request itself: another request, whose history of
/// states says nothing about the new one.
bool requestChanged(const EndpointConfig& a, const EndpointConfig& b)
{
    return a.url != b.url || a.method != b.method || a.kind != b.kind || a.headers != b.headers || a.body != b.body
        || a.credential != b.credential || a.freshConnection != b.freshConnection || !(a.tls == b.tls);
}

QString durationText(milliseconds d)
{
    const qint64 ms = d.count();
    if (ms % 1000 != 0)
        return QStringLiteral("%1ms").arg(ms);
    if (ms % 60'000 != 0)
        return QStringLiteral("%1s").arg(ms / 1000);
    return QStringLiteral("%1m").arg(ms / 60'000);
}

/// The changes that keep the endpoint's states, in words ("interval 30s → 10s"); empty when none.
QStringList keptChanges(const EndpointConfig& a, const EndpointConfig& b)
{
    QStringList out;
    if (a.name != b.name)
        out << QStringLiteral("renamed from %1").arg(a.name);
    if (a.interval != b.interval)
        out << QStringLiteral("interval %1 \u2192 %2").arg(durationText(a.interval), durationText(b.interval));
    if (a.adaptiveTimeout != b.adaptiveTimeout || a.timeout != b.timeout || a.timeoutMin != b.timeoutMin
        || a.timeoutMax != b.timeoutMax)
        out << QStringLiteral("timeout changed");
    if (a.expectStatus != b.expectStatus || a.checks != b.checks || a.errorCodes != b.errorCodes
        || a.maxBodyBytes != b.maxBodyBytes)
        out << QStringLiteral("checks changed");
    if (a.tags != b.tags)
        out << QStringLiteral("tags changed");
    return out;
}
} // namespace

void ProbeScheduler::applyConfig(const AppConfig& config)
{
    const MonotonicTime now = m_clock->now();
    const bool thresholdsChanged = !(config.thresholds == m_thresholds);
    m_thresholds = config.thresholds;
    updateBudget(config);
    m_credentials.clear();
    for (const CredentialConfig& credential : config.credentials)
        m_credentials.insert(credential.id, credential);
    loadClientCertificates();

    std::unordered_map<QString, std::unique_ptr<Runtime>> old;
    for (auto& rt : m_runtimes) {
        QString key = endpointKey(rt->cfg);
        old.emplace(std::move(key), std::move(rt));
    }
    m_runtimes.clear();
    m_byHandle.clear();
    m_runtimes.reserve(static_cast<std::size_t>(config.endpoints.size()));
    std::vector<Runtime*> fresh; ///< added or started over: probed at once when running

    for (const EndpointConfig& endpoint : config.endpoints) {
        const QString key = endpointKey(endpoint);
        auto found = old.find(key);
        std::unique_ptr<Runtime> rt;
        if (found == old.end()) {
            int handle = handleFor(key);
            if (m_byHandle.contains(handle))
                handle = m_nextHandle++; // a repeated key in this config (see setConfig)
            rt = std::make_unique<Runtime>(handle, endpoint, m_thresholds);
            configEvent(*rt, QStringLiteral("added"));
            fresh.push_back(rt.get());
        } else if (requestChanged(found->second->cfg, endpoint)) {
            // Another request: the state of the old one says nothing about it. An attempt still in flight
            // is dropped when it comes back (its ticket is not the new runtime's).
            const int handle = found->second->status.id;
            const bool urlChanged = found->second->cfg.url != endpoint.url;
            old.erase(found);
            rt = std::make_unique<Runtime>(handle, endpoint, m_thresholds);
            configEvent(*rt,
                urlChanged ? QStringLiteral("URL changed: states start over")
                           : QStringLiteral("request changed: states start over"));
            fresh.push_back(rt.get());
        } else {
            rt = std::move(found->second);
            old.erase(found);
            const QStringList changes = keptChanges(rt->cfg, endpoint);
            if (rt->cfg.timeoutMin != endpoint.timeoutMin || rt->cfg.timeoutMax != endpoint.timeoutMax)
                rt->rto = RtoEstimator(endpoint.timeoutMin, endpoint.timeoutMax);
            if (rt->cfg.name != endpoint.name)
                rt->tracker.setEndpointName(endpoint.name);
            if (thresholdsChanged)
                rt->tracker.setThresholds(m_thresholds);
            rt->cfg = endpoint;
            rt->requestProblem = validateRequest(rt->cfg);
            rt->status.name = endpoint.name;
            rt->status.key = endpointKey(endpoint);
            rt->status.adaptiveTimeout = endpoint.adaptiveTimeout;
            if (!changes.isEmpty())
                configEvent(*rt, changes.join(QStringLiteral(", ")));
        }
        const milliseconds interval = stretchedInterval(endpoint.interval, m_budget);
        if (interval != rt->interval) {
            rt->interval = interval;
            // A shorter interval takes effect now; a longer one from the next cycle.
            if (m_running && rt->scheduled && !rt->inCycle && rt->dueReason == NextProbeReason::Interval
                && rt->dueAt > now + interval) {
                rt->plannedAt = now + interval;
                reschedule(*rt, rt->plannedAt, NextProbeReason::Interval);
            }
        }
        m_byHandle.insert(rt->status.id, rt.get());
        m_runtimes.push_back(std::move(rt));
    }
    // What is left was removed: it stops now. An attempt still in flight comes back to an unknown handle and
    // is dropped; its heap entries are skipped.
    for (auto& [key, rt] : old)
        configEvent(*rt, QStringLiteral("removed"));
    old.clear();
    refreshCredentialConditions({});
    if (m_running && !m_once) {
        for (Runtime* rt : fresh) {
            rt->plannedAt = now;
            if (!m_paused && credentialBlock(*rt).isEmpty())
                reschedule(*rt, now, NextProbeReason::Interval);
        }
        arm();
    }
}

void ProbeScheduler::configEvent(Runtime& rt, const QString& what)
{
    EngineEvent e;
    e.kind = EngineEvent::Kind::Config;
    e.time = m_clock->utcNow();
    e.endpointId = rt.status.id;
    e.endpointKey = endpointKey(rt.cfg);
    e.endpoint = rt.cfg.name;
    e.reason = what;
    m_pendingEvents.append(e);
    m_dirty.push_back(rt.status.id);
}

void ProbeScheduler::updateBudget(const AppConfig& config)
{
    AppConfig capped = config;

    if (m_options.ratePerSecond > 0.0)
        capped.limits.maxProbesPerSecond = m_options.ratePerSecond;
    m_budget = rateBudgetFor(capped);
    const int burst
        = m_options.burst > 0 ? m_options.burst : std::max(50, static_cast<int>(m_budget.maxProbesPerSecond / 10.0));
    m_pacer = ProbePacer(m_budget.maxProbesPerSecond, burst);
    m_stats.demandPerSecond = m_budget.demandPerSecond;
    m_stats.maxProbesPerSecond = m_budget.maxProbesPerSecond;
    m_stats.intervalFactor = m_budget.intervalFactor;
    m_stats.rateNote = rateBudgetNote(m_budget);
    if (m_budget.intervalFactor > 1.0)
        qCInfo(lcSchedule).noquote() << m_stats.rateNote;
}

void ProbeScheduler::loadClientCertificates()
{
    constexpr qint64 kMaxCertificateBytes = qint64 { 4 } * 1024 * 1024;
    m_clientCertificates.clear();
    for (const CredentialConfig& credential : std::as_const(m_credentials)) {
        if (credential.scheme != u"clientCert" || credential.certFile.isEmpty())
            continue;
        ClientCertificate c;
        QFile file(credential.certFile);
        if (file.open(QIODevice::ReadOnly))
            c.pem = file.read(kMaxCertificateBytes);
        const QList<QSslCertificate> chain = QSslCertificate::fromData(c.pem, QSsl::Pem);
        for (const QSslCertificate& certificate : chain) {
            const QDateTime expiry = certificate.expiryDate().toUTC();
            if (!c.expires.isValid() || expiry < c.expires)
                c.expires = expiry;
        }
        if (!chain.isEmpty()) {
            const QStringList cn = chain.front().subjectInfo(QSslCertificate::CommonName);
            c.subject = cn.isEmpty() ? chain.front().subjectDisplayName() : QStringLiteral("CN=") + cn.join(u", ");
        } else {
            qCWarning(lcSchedule).noquote()
                << "credential" << credential.id << ": no certificate in" << credential.certFile;
        }
        m_clientCertificates.insert(credential.id, c);
    }
}

void ProbeScheduler::setCredentialSecrets(const QHash<QString, QByteArray>& secrets)
{
    std::vector<bool> wasBlocked;
    for (const auto& rt : m_runtimes)
        wasBlocked.push_back(!credentialBlock(*rt).isEmpty());
    for (auto it = secrets.cbegin(); it != secrets.cend(); ++it) {
        if (!m_secrets.contains(it.key()) || m_secrets.value(it.key()) != it.value())
            ++m_secretSerials[it.key()];
    }
    for (auto it = m_secrets.cbegin(); it != m_secrets.cend(); ++it) {
        if (!secrets.contains(it.key()))
            ++m_secretSerials[it.key()];
    }
    m_secrets = secrets;
    rememberSecrets(secrets.values());
    for (auto it = secrets.cbegin(); it != secrets.cend(); ++it)
        m_unavailable.remove(it.key());
    refreshCredentialConditions({});
    const MonotonicTime now = m_clock->now();
    for (std::size_t i = 0; i < m_runtimes.size(); ++i) {
        Runtime& rt = *m_runtimes[i];
        if (wasBlocked[i] && credentialBlock(rt).isEmpty() && m_running && !m_once && !m_paused && !rt.inCycle) {
            rt.plannedAt = now;
            reschedule(rt, now, NextProbeReason::Interval);
        }
    }
    arm();
}

void ProbeScheduler::setCredentialSecret(const QString& id, const QByteArray& secret)
{
    if (!m_secrets.contains(id) || m_secrets.value(id) != secret)
        ++m_secretSerials[id];
    m_secrets.insert(id, secret);
    rememberSecrets({ secret });
    m_unavailable.remove(id);
    refreshCredentialConditions(id);
    // A new secret is news: probe its endpoints now rather than at the end of their interval.
    const MonotonicTime now = m_clock->now();
    for (auto& rt : m_runtimes) {
        if (rt->cfg.credential != id || !m_running || m_once || m_paused || rt->inCycle)
            continue;
        rt->plannedAt = now;
        reschedule(*rt, now, NextProbeReason::Interval);
    }
    arm();
}

void ProbeScheduler::setCredentialUnavailable(const QString& id, const QString& reason)
{
    ++m_secretSerials[id];
    m_secrets.remove(id);
    m_unavailable.insert(id, reason);
    refreshCredentialConditions(id);
    for (auto& rt : m_runtimes) {
        if (rt->cfg.credential == id) {
            rt->generation = ++m_generationSerial;
            rt->scheduled = false;
        }
    }
    arm();
}

void ProbeScheduler::setCredentialMetadata(const QList<CredentialConfig>& credentials)
{
    for (const CredentialConfig& credential : credentials)
        m_credentials.insert(credential.id, credential);
    loadClientCertificates();
    refreshCredentialConditions({});
}

void ProbeScheduler::rememberSecrets(const QList<QByteArray>& secrets)
{
    constexpr qsizetype kMaxRemembered = 256;
    bool changed = false;
    for (const QByteArray& secret : secrets) {
        if (secret.isEmpty() || m_everySecret.contains(secret))
            continue;
        m_everySecret.append(secret);
        changed = true;
    }
    if (m_everySecret.size() > kMaxRemembered)
        m_everySecret.remove(0, m_everySecret.size() - kMaxRemembered);
    if (changed)
        m_knownSecrets = KnownSecrets(m_everySecret);
}

QString ProbeScheduler::credentialBlock(const Runtime& rt) const
{
    const QString& id = rt.cfg.credential;
    if (id.isEmpty() || m_secrets.contains(id))
        return {};
    return m_unavailable.value(id, QStringLiteral("credential unavailable: not loaded from the keychain"));
}

void ProbeScheduler::refreshCredentialCondition(Runtime& rt, const QDateTime& nowUtc)
{
    // Certificates are credentials too (issue 16): the server's, as the latest probe saw it, and the client
    // certificate of a clientCert credential raise S2 ahead of their expiry.
    CredentialAdvisory condition;
    if (rt.lastTls.present) {
        const QString what = rt.lastTls.earliestExpiresAt < rt.lastTls.leafExpiresAt
            ? QStringLiteral("a certificate in the server's chain")
            : QStringLiteral("server certificate ") + rt.lastTls.leafSubject;
        condition = certificateAdvisory(what, rt.lastTls.earliestExpiresAt, rt.cfg.tls, nowUtc);
    }
    if (rt.cfg.credential.isEmpty()) {
        if (condition.state == SignalState::Ok && rt.tracker.credentialCondition() == SignalState::Unknown)
            return;
    } else if (const QString block = credentialBlock(rt); !block.isEmpty()) {
        condition = CredentialAdvisory { SignalState::Critical, block };
    } else {
        const auto meta = m_credentials.constFind(rt.cfg.credential);
        if (meta != m_credentials.cend())
            condition = worseAdvisory(credentialAdvisory(*meta, nowUtc), condition);
        if (const auto client = m_clientCertificates.constFind(rt.cfg.credential);
            client != m_clientCertificates.cend()) {
            condition = worseAdvisory(condition,
                certificateAdvisory(
                    QStringLiteral("client certificate %1 (credential %2)").arg(client->subject, rt.cfg.credential),
                    client->expires, rt.cfg.tls, nowUtc));
        }
    }
    const SignalTransitions transitions = rt.tracker.setCredentialCondition(condition.state, condition.reason, nowUtc);
    collectSignalEvents(transitions);
    m_dirty.push_back(rt.status.id);
}

// An empty id refreshes every endpoint that uses a credential.
void ProbeScheduler::refreshCredentialConditions(const QString& id)
{
    const QDateTime nowUtc = m_clock->utcNow();
    for (auto& rt : m_runtimes) {
        if (id.isEmpty() || rt->cfg.credential == id)
            refreshCredentialCondition(*rt, nowUtc);
    }
}

void ProbeScheduler::collectSignalEvents(const SignalTransitions& transitions)
{
    const QDateTime nowUtc = m_clock->utcNow();
    for (const SignalTransition& t : transitions) {
        EngineEvent e;
        e.kind = EngineEvent::Kind::Signal;
        e.time = t.time.isValid() ? t.time : nowUtc;
        e.endpointId = t.endpointId;
        if (const Runtime* rt = runtime(t.endpointId))
            e.endpointKey = endpointKey(rt->cfg);
        e.endpoint = t.endpoint;
        e.signal = t.signal;
        e.from = stateCode(t.from);
        e.to = stateCode(t.to);
        e.toState = t.to;
        e.reason = t.reason;
        m_pendingEvents.append(e);
    }
}

void ProbeScheduler::start()
{
    m_running = true;
    m_once = false;
    const MonotonicTime now = m_clock->now();
    for (std::size_t i = 0; i < m_runtimes.size(); ++i) {
        Runtime& rt = *m_runtimes[i];
        const auto offset = m_options.stagger ? milliseconds(static_cast<qint64>(
                                staggerFraction(static_cast<int>(i)) * static_cast<double>(rt.interval.count())))
                                              : milliseconds(0);
        rt.plannedAt = now + offset;
        if (credentialBlock(rt).isEmpty())
            reschedule(rt, rt.plannedAt, NextProbeReason::Interval);
    }
    m_flushTimer->start(m_options.flushInterval);
    arm();
}

void ProbeScheduler::runOnce()
{
    m_running = true;
    m_once = true;
    m_onceRemaining = static_cast<int>(m_runtimes.size());
    // Batches flow in a one-shot run too: a check cut short by its deadline reports what finished.
    m_flushTimer->start(m_options.flushInterval);
    const MonotonicTime now = m_clock->now();
    const QDateTime nowUtc = m_clock->utcNow();
    for (auto& rt : m_runtimes) {
        rt->plannedAt = now;
        const QString block = credentialBlock(*rt);
        if (block.isEmpty()) {
            reschedule(*rt, now, NextProbeReason::Interval);
            continue;
        }
        // Not sent: the result says why, so a one-shot check reports it instead of waiting for ever.
        ProbeResult& r = rt->last;
        r = ProbeResult {};
        r.endpointId = rt->status.id;
        r.endpointKey = endpointKey(rt->cfg);
        r.endpoint = rt->cfg.name;
        r.url = rt->cfg.url.toString(QUrl::RemoveUserInfo);
        r.startUtc = nowUtc;
        r.outcome = Outcome::Auth;
        r.signal = FailureSignal::S2;
        r.reason = block;
        r.attempts = 0;
        --m_onceRemaining;
    }
    if (m_onceRemaining == 0) {
        m_running = false;
        ProbeResults all;
        for (const auto& each : m_runtimes)
            all.append(each->last);
        emit onceFinished(all, statuses());
        return;
    }
    arm();
}

void ProbeScheduler::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    const MonotonicTime now = m_clock->now();
    for (auto& rt : m_runtimes) {
        if (paused) {
            rt->generation = ++m_generationSerial;
            rt->scheduled = false;
        } else if (!rt->inCycle && credentialBlock(*rt).isEmpty()) {
            rt->plannedAt = std::max(rt->plannedAt, now);
            reschedule(*rt, rt->plannedAt, NextProbeReason::Interval);
        }
        m_dirty.push_back(rt->status.id);
    }
    arm();
}

QString ProbeScheduler::probeNow(const QString& key)
{
    const auto found = m_handles.constFind(key);
    if (found == m_handles.cend() || !runtime(*found))
        return QStringLiteral("no endpoint %1").arg(key);
    return probeNow(*found);
}

QString ProbeScheduler::probeNow(int endpointId)
{
    Runtime* found = runtime(endpointId);
    if (!found)
        return QStringLiteral("no endpoint #%1").arg(endpointId);
    Runtime& rt = *found;
    const MonotonicTime now = m_clock->now();
    if (rt.inFlight || rt.inCycle)
        return QStringLiteral("%1: a probe is already under way").arg(rt.cfg.name);
    if (const QString block = credentialBlock(rt); !block.isEmpty())
        return QStringLiteral("%1: not probed: %2").arg(rt.cfg.name, block);
    if (m_options.politeness && !rt.throttle.allowsProbeAt(now)) {
        const auto left = duration_cast<seconds>(*rt.throttle.notBefore() - now).count() + 1;
        return QStringLiteral("%1: the server's Retry-After is in force for another %2 s (until %3 UTC); not probing")
            .arg(rt.cfg.name)
            .arg(left)
            .arg(utcAt(*rt.throttle.notBefore(), now, m_clock->utcNow()).toString(QStringLiteral("HH:mm:ss")));
    }
    rt.generation = ++m_generationSerial;
    rt.scheduled = false;
    rt.manual = true;
    rt.inCycle = true;
    rt.attempt = 0;
    rt.plannedAt = now;
    sendAttempt(rt, now);
    arm();
    return {};
}

void ProbeScheduler::stop()
{
    m_running = false;
    m_timer->stop();
    // What finished since the last flush leaves now: a clean exit must not lose the last samples
    // (issue 11). Before abortAll(), so that aborted attempts never pass for results.
    if (!m_pendingResults.isEmpty() || !m_pendingEvents.isEmpty())
        flush();
    m_flushTimer->stop();
    m_transport->abortAll();
    for (qsizetype i = 0; i < m_outstanding.size(); ++i)
        m_clock->networkFinished();
    m_outstanding.clear();
    m_oneShots.clear();
    m_heap = {};
    for (auto& rt : m_runtimes) {
        rt->generation = ++m_generationSerial;
        rt->inFlight = false;
        rt->inCycle = false;
        rt->scheduled = false;
        rt->slotBooked = false;
        rt->heldFrom.reset();
    }
}

void ProbeScheduler::probeOnce(quint64 requestId, const EndpointConfig& endpoint)
{
    const quint64 ticket = (static_cast<quint64>(kOneShotHandle) << 32) | (++m_ticketSerial & 0xffffffffU);
    m_oneShots.insert(ticket, OneShot { requestId, endpoint });
    const QDateTime nowUtc = m_clock->utcNow();
    ProbeFacts refused;
    if (const QString problem = validateRequest(endpoint); !problem.isEmpty()) {
        refused.transportError = TransportError::InvalidRequest;
        refused.transportDetail = problem;
        finishOneShot(ticket, refused, nowUtc, {});
        return;
    }
    ProbeRequest request;
    request.ticket = ticket;
    request.endpoint = endpoint;
    request.deadline = endpoint.adaptiveTimeout ? endpoint.timeoutMax : endpoint.timeout;
    if (!endpoint.credential.isEmpty()) {
        if (!m_secrets.contains(endpoint.credential)) {
            ProbeResult r;
            r.endpoint = endpoint.name;
            r.endpointKey = endpointKey(endpoint);
            r.url = endpoint.url.toString(QUrl::RemoveUserInfo);
            r.startUtc = nowUtc;
            r.outcome = Outcome::Auth;
            r.signal = FailureSignal::S2;
            r.reason = m_unavailable.value(
                endpoint.credential, QStringLiteral("credential unavailable: not loaded from the keychain"));
            m_oneShots.remove(ticket);
            emit oneShotFinished(requestId, r);
            return;
        }
        const auto meta = m_credentials.constFind(endpoint.credential);
        const QString scheme = meta == m_credentials.cend() ? CredentialConfig {}.scheme : meta->scheme;
        if (const auto header = credentialHeader(scheme, m_secrets.value(endpoint.credential)))
            request.extraHeaders.append(*header);
    }
    startRequest(request);
}

namespace {
/// The result of one attempt at `endpoint`: what the transport saw and what the classifier made of it.
ProbeResult attemptResult(const EndpointConfig& endpoint, const ProbeFacts& facts, const Classification& verdict,
    const QDateTime& startUtc, const QByteArray& traceId, int attempts)
{
    ProbeResult r;
    r.endpoint = endpoint.name;
    r.endpointKey = endpointKey(endpoint);
    r.url = endpoint.url.toString(QUrl::RemoveUserInfo);
    r.startUtc = startUtc;
    r.latencyUs = facts.latencyUs;
    r.phases = facts.phases;
    r.connectionReused = facts.connectionReused;
    r.httpStatus = facts.httpStatus;
    r.bytesRead = facts.bytesRead;
    r.bodyTruncated = facts.bodyTruncated;
    r.outcome = verdict.outcome;
    r.signal = verdict.signal;
    r.reason = verdict.reason;
    r.attempts = attempts;
    r.traceId = traceId;
    r.retryAfter = verdict.retryAfter;
    r.rateLimitRemaining = verdict.rateLimitRemaining;
    r.tls = facts.tls;
    return r;
}
} // namespace

void ProbeScheduler::finishOneShot(
    quint64 ticket, const ProbeFacts& facts, const QDateTime& startUtc, const QByteArray& traceId)
{
    const auto found = m_oneShots.find(ticket);
    if (found == m_oneShots.end())
        return;
    const OneShot shot = std::move(*found);
    m_oneShots.erase(found);
    const Classification verdict = classify(shot.endpoint, facts, m_clock->utcNow(), m_knownSecrets);
    emit oneShotFinished(shot.requestId, attemptResult(shot.endpoint, facts, verdict, startUtc, traceId, 1));
}

void ProbeScheduler::reschedule(Runtime& rt, MonotonicTime at, NextProbeReason reason)
{
    rt.generation = ++m_generationSerial;
    rt.dueAt = at;
    rt.dueReason = reason;
    rt.scheduled = true;
    m_heap.push({ at, rt.status.id, rt.generation });
    m_dirty.push_back(rt.status.id);
}

void ProbeScheduler::arm()
{
    while (!m_heap.empty()) {
        const Due& top = m_heap.top();
        const Runtime* rt = runtime(top.id);
        if (rt && top.generation == rt->generation && rt->scheduled)
            break;
        m_heap.pop();
    }
    if (m_heap.empty() || m_paused || !m_running) {
        m_timer->stop();
        return;
    }
    const auto wait = m_heap.top().at - m_clock->now();
    // QTimer counts whole milliseconds; rounding up never fires early, and onTimer takes everything due.
    const auto ms = std::max<qint64>(0, duration_cast<milliseconds>(wait + microseconds(999)).count());
    m_timer->start(milliseconds(ms));
}

void ProbeScheduler::onTimer()
{
    const MonotonicTime now = m_clock->now();
    while (!m_heap.empty() && m_heap.top().at <= now) {
        const Due due = m_heap.top();
        m_heap.pop();
        Runtime* found = runtime(due.id);
        if (!found || due.generation != found->generation || !found->scheduled)
            continue;
        Runtime& rt = *found;
        rt.scheduled = false;
        dispatch(rt, now);
    }
    arm();
}

void ProbeScheduler::dispatch(Runtime& rt, MonotonicTime now)
{
    if (m_paused || rt.inFlight)
        return;
    if (!credentialBlock(rt).isEmpty()) {
        // The secret went away while this endpoint was due; it waits for a new one.
        rt.inCycle = false;
        m_dirty.push_back(rt.status.id);
        return;
    }
    if (m_options.politeness) {
        if (!rt.inCycle && !rt.throttle.allowsProbeAt(now)) {
            // A deliberate wait, not lag: the plan moves with it.
            rt.plannedAt = *rt.throttle.notBefore();
            reschedule(rt, rt.plannedAt, NextProbeReason::RetryAfter);
            return;
        }
        // Ask the global cap before the breaker: a half-open circuit lets exactly one probe through, which
        // must then really be sent.
        if (!rt.slotBooked) {
            const MonotonicTime slot = m_pacer.book(now);
            if (slot > now) {
                // Held back: the slot is booked, so it goes out then, once. A new cycle's plan moves with it,
                // so its next cycle counts from when it really ran (no second probe at once); the wait
                // still counts as lag.
                rt.slotBooked = true;
                if (!rt.inCycle) {
                    if (!rt.heldFrom)
                        rt.heldFrom = rt.plannedAt;
                    rt.plannedAt = slot;
                }
                reschedule(rt, slot, NextProbeReason::RateLimit);
                return;
            }
        }
        rt.slotBooked = false;
        if (!rt.breaker.allowProbe(now)) {
            collectCircuitEvents(rt);
            if (rt.inCycle) {
                // The circuit opened between attempts of one cycle: the cycle ends with what it has.
                finishCycle(rt, now);
                return;
            }
            const auto halfOpen = rt.breaker.halfOpenAt();
            rt.plannedAt = halfOpen ? *halfOpen : now + rt.breaker.currentWait();
            reschedule(rt, rt.plannedAt, NextProbeReason::CircuitOpen);
            return;
        }
        collectCircuitEvents(rt);
    }
    if (!rt.inCycle) {
        rt.inCycle = true;
        rt.attempt = 0;
    }
    sendAttempt(rt, now);
}

milliseconds ProbeScheduler::attemptDeadline(const Runtime& rt) const
{
    return rt.cfg.adaptiveTimeout ? rt.rto.rto() : rt.cfg.timeout;
}

void ProbeScheduler::sendAttempt(Runtime& rt, MonotonicTime now)
{
    ++rt.attempt;
    rt.inFlight = true;
    rt.dispatchedAt = now;
    rt.ticket = (static_cast<quint64>(rt.status.id) << 32) | (++m_ticketSerial & 0xffffffffU);
    ++rt.status.attempts;
    ++m_stats.attemptsSent;
    m_dirty.push_back(rt.status.id);
    if (!rt.requestProblem.isEmpty()) {
        ProbeFacts facts;
        facts.transportError = TransportError::InvalidRequest;
        facts.transportDetail = rt.requestProblem;
        onAttemptFinished(rt.ticket, facts, m_clock->utcNow(), {});
        return;
    }
    ProbeRequest request;
    request.ticket = rt.ticket;
    request.endpoint = rt.cfg;
    request.deadline = attemptDeadline(rt);
    if (!rt.cfg.credential.isEmpty()) {
        const auto meta = m_credentials.constFind(rt.cfg.credential);
        const QString scheme = meta == m_credentials.cend() ? CredentialConfig {}.scheme : meta->scheme;
        if (scheme == u"clientCert") {
            request.clientCertificatePem = m_clientCertificates.value(rt.cfg.credential).pem;
            request.clientKeyPem = m_secrets.value(rt.cfg.credential);
        } else if (const auto header = credentialHeader(scheme, m_secrets.value(rt.cfg.credential))) {
            request.extraHeaders.append(*header);
        }
        rt.sentSecretSerial = m_secretSerials.value(rt.cfg.credential);
    }
    startRequest(request);
}

void ProbeScheduler::onAttemptFinished(
    quint64 ticket, const ProbeFacts& facts, const QDateTime& startUtc, const QByteArray& traceId)
{
    // After everything this answer causes (a retry planned, the next cycle scheduled): a simulated clock
    // moves on only then.
    const auto done = qScopeGuard([this, ticket] { requestDone(ticket); });
    if (static_cast<int>(ticket >> 32) == kOneShotHandle) {
        finishOneShot(ticket, facts, startUtc, traceId);
        return;
    }
    Runtime* found = runtime(static_cast<int>(ticket >> 32));
    if (!found)
        return;
    Runtime& rt = *found;
    if (rt.ticket != ticket || !rt.inFlight)
        return;
    rt.inFlight = false;
    const MonotonicTime now = m_clock->now();
    const QDateTime nowUtc = m_clock->utcNow();
    const Classification verdict = classify(rt.cfg, facts, nowUtc, m_knownSecrets);

    if (rt.attempt == 1) {
        // Scheduling lag: from the planned start to the request really leaving (rate limit and per-host
        // waits included, the measured network latency excluded).
        const qint64 sinceDispatchUs = duration_cast<microseconds>(now - rt.dispatchedAt).count();
        const qint64 hostWaitUs = std::max<qint64>(0, sinceDispatchUs - facts.latencyUs);
        const MonotonicTime planned = rt.heldFrom.value_or(rt.plannedAt);
        rt.heldFrom.reset();
        const qint64 lagUs = duration_cast<microseconds>(rt.dispatchedAt - planned).count() + hostWaitUs;
        m_lagUs.push_back(std::max<qint64>(0, lagUs));
        if (m_lagUs.size() > kLagSamples)
            m_lagUs.pop_front();
    }

    if (m_options.politeness) {
        rt.breaker.recordAttempt(verdict.outcome, verdict.signal, now);
        collectCircuitEvents(rt);
    }
    if (facts.transportError == TransportError::DeadlineExpired)
        rt.rto.onTimeout();
    else if (facts.httpStatus != 0)
        rt.rto.addSample(microseconds(facts.latencyUs), rt.attempt > 1);

    rt.last = attemptResult(rt.cfg, facts, verdict, startUtc, traceId, rt.attempt);
    rt.last.endpointId = rt.status.id;
    if (facts.tls.present && facts.transportError != TransportError::TlsFailed)
        rt.lastTls = facts.tls; // a failed verification is S1's; the expiry advisory judges working certificates

    // A TLS failure (a certificate that does not verify, a protocol mismatch) does not heal in a second:
    // S1 like any connection failure, but not retried within the cycle (issue 11).
    // Nor is a timeout in a one-shot run (runOnce, `--check`): the verdict is already S1, and its retry would hold
    // the check for another whole timeout (docs/CLI.md "--check"). The watch retries it: nobody waits there.
    const bool retryable = facts.transportError != TransportError::TlsFailed
        && !(m_once && facts.transportError == TransportError::DeadlineExpired);
    if (m_options.retries && retryable && verdict.outcome != Outcome::Ok && m_running) {
        if (const auto delay = m_retry.retryDelay(verdict.signal, rt.attempt)) {
            reschedule(rt, now + *delay, NextProbeReason::Retry);
            arm();
            return;
        }
    }
    finishCycle(rt, now);
    arm();
}

void ProbeScheduler::finishCycle(Runtime& rt, MonotonicTime now)
{
    ProbeResult& r = rt.last;
    r.attempts = std::max(rt.attempt, 1);
    rt.inCycle = false;
    rt.manual = false;
    rt.attempt = 0;

    ++rt.status.probes;
    ++m_stats.probesFinished;
    const auto outcomeIndex = static_cast<std::size_t>(r.outcome);
    if (outcomeIndex < kOutcomeCount)
        ++rt.status.outcomeCounts[outcomeIndex];
    rt.status.consecutiveFailures = r.outcome == Outcome::Ok ? 0 : rt.status.consecutiveFailures + 1;

    const QDateTime nowUtc = m_clock->utcNow();
    collectSignalEvents(rt.tracker.add(r, nowUtc));
    // Expiry and age advance with the clock: re-judged whenever the endpoint finishes a cycle.
    refreshCredentialCondition(rt, nowUtc);
    m_pendingResults.append(r);
    m_dirty.push_back(rt.status.id);

    const bool staleSecret = noteCredentialRejection(rt);

    if (m_once) {
        if (--m_onceRemaining == 0) {
            ProbeResults all;
            for (const auto& each : m_runtimes)
                all.append(each->last);
            m_running = false;
            emit onceFinished(all, statuses());
        }
        return;
    }
    if (!m_running)
        return;

    const milliseconds interval = rt.interval;
    MonotonicTime next = ProbePacer::nextCycleStart(rt.plannedAt, interval, now);
    NextProbeReason reason = NextProbeReason::Interval;
    if (m_options.politeness) {
        if (r.outcome == Outcome::Throttled) {
            rt.throttle.onThrottled(r.retryAfter, now);
            next = now + rt.throttle.nextDelay(interval);
            reason = r.retryAfter ? NextProbeReason::RetryAfter : NextProbeReason::Backoff;
        } else {
            rt.throttle.onSuccess();
        }
        if (rt.breaker.state() == CircuitState::Open) {
            if (const auto halfOpen = rt.breaker.halfOpenAt(); halfOpen && *halfOpen > next) {
                next = *halfOpen;
                reason = NextProbeReason::CircuitOpen;
            }
        }
    }
    if (staleSecret)
        next = now; // refused with a secret that has since been replaced: try the new one now
    rt.plannedAt = next;
    if (!m_paused)
        reschedule(rt, next, reason);
}

bool ProbeScheduler::noteCredentialRejection(Runtime& rt)
{
    if (rt.cfg.credential.isEmpty())
        return false;
    if (rt.last.httpStatus != 401) {
        rt.credentialRejected = false;
        return false;
    }
    if (rt.sentSecretSerial != m_secretSerials.value(rt.cfg.credential))
        return m_secrets.contains(rt.cfg.credential);
    if (!rt.credentialRejected) {
        rt.credentialRejected = true;
        qCDebug(lcSchedule).noquote() << rt.cfg.name << "got 401 with credential" << rt.cfg.credential;
        // The fingerprint lets the receiver tell which secret was refused; the secret itself stays here.
        const QByteArray hash
            = QCryptographicHash::hash(m_secrets.value(rt.cfg.credential), QCryptographicHash::Sha256).toHex();
        emit credentialRejected(rt.cfg.credential, QString::fromLatin1(hash.left(8)));
    }
    return false;
}

void ProbeScheduler::collectCircuitEvents(Runtime& rt)
{
    const QDateTime nowUtc = m_clock->utcNow();
    for (const CircuitTransition& t : rt.breaker.takeTransitions()) {
        EngineEvent e;
        e.kind = EngineEvent::Kind::Circuit;
        e.time = nowUtc;
        e.endpointId = rt.status.id;
        e.endpointKey = endpointKey(rt.cfg);
        e.endpoint = rt.cfg.name;
        e.from = circuitStateCode(t.from);
        e.to = circuitStateCode(t.to);
        e.toState = t.to == CircuitState::Open ? SignalState::Critical
            : t.to == CircuitState::HalfOpen   ? SignalState::Warning
                                               : SignalState::Ok;
        e.reason = t.reason;
        m_pendingEvents.append(e);
        m_dirty.push_back(rt.status.id);
    }
}

EndpointStatus ProbeScheduler::statusOf(const Runtime& rt) const
{
    EndpointStatus s = rt.status;
    const MonotonicTime now = m_clock->now();
    s.pausedBecause = credentialBlock(rt);
    if (m_paused || (!s.pausedBecause.isEmpty() && !rt.inFlight)) {
        s.nextReason = NextProbeReason::Paused;
    } else if (rt.inFlight) {
        s.nextReason = NextProbeReason::InFlight;
    } else if (rt.scheduled) {
        s.nextProbeUtc = utcAt(rt.dueAt, now, m_clock->utcNow());
        s.nextReason = rt.dueReason;
    }
    s.timeoutMs = attemptDeadline(rt).count();
    s.circuit = rt.breaker.state();
    s.throttleMultiplier = rt.throttle.multiplier();
    for (FailureSignal sig : kAllSignals) {
        const auto i = static_cast<std::size_t>(signalIndex(sig));
        s.states[i] = rt.tracker.state(sig);
        s.reasons[i] = rt.tracker.reason(sig);
    }
    s.overall = rt.tracker.overall();
    s.errorRate = rt.tracker.errorRate();
    s.averageLatencyMs = rt.tracker.averageLatencyMs();
    return s;
}

EndpointStatuses ProbeScheduler::statuses() const
{
    EndpointStatuses out;
    out.reserve(static_cast<qsizetype>(m_runtimes.size()));
    for (const auto& rt : m_runtimes)
        out.append(statusOf(*rt));
    return out;
}

EngineStats ProbeScheduler::stats() const
{
    EngineStats s = m_stats;
    s.inFlight = m_transport->inFlight();
    s.waiting = m_transport->queued();
    s.peakInFlightPerHost = m_transport->peakInFlightPerHost();
    const std::vector<qint64> lags(m_lagUs.begin(), m_lagUs.end());
    s.lagP50Us = percentile(lags, 0.50);
    s.lagP99Us = percentile(lags, 0.99);
    s.lagMaxUs = lags.empty() ? 0 : *std::max_element(lags.begin(), lags.end());
    return s;
}

void ProbeScheduler::flush()
{
    const MonotonicTime now = m_clock->now();
    const double elapsed = duration<double>(now - m_lastFlush).count();
    if (elapsed > 0)
        m_stats.probesPerSecond = static_cast<double>(m_stats.probesFinished - m_finishedAtLastFlush) / elapsed;
    m_finishedAtLastFlush = m_stats.probesFinished;
    m_lastFlush = now;

    EngineBatch batch;
    batch.results = std::exchange(m_pendingResults, {});
    batch.events = std::exchange(m_pendingEvents, {});
    std::sort(m_dirty.begin(), m_dirty.end());
    m_dirty.erase(std::unique(m_dirty.begin(), m_dirty.end()), m_dirty.end());
    for (int id : m_dirty) {
        if (const Runtime* rt = runtime(id))
            batch.statuses.append(statusOf(*rt));
    }
    m_dirty.clear();
    batch.stats = stats();
    emit batchReady(batch);
}

QString eventKindCode(EngineEvent::Kind kind)
{
    switch (kind) {
    case EngineEvent::Kind::Signal:
        return QStringLiteral("signal");
    case EngineEvent::Kind::Circuit:
        return QStringLiteral("circuit");
    case EngineEvent::Kind::Config:
        return QStringLiteral("config");
    }
    return {};
}

QString nextProbeReasonText(NextProbeReason reason)
{
    switch (reason) {
    case NextProbeReason::Interval:
        return QStringLiteral("interval");
    case NextProbeReason::Retry:
        return QStringLiteral("retry (backoff)");
    case NextProbeReason::Backoff:
        return QStringLiteral("throttled: interval multiplied");
    case NextProbeReason::RetryAfter:
        return QStringLiteral("Retry-After");
    case NextProbeReason::CircuitOpen:
        return QStringLiteral("circuit open");
    case NextProbeReason::RateLimit:
        return QStringLiteral("rate limit");
    case NextProbeReason::InFlight:
        return QStringLiteral("in flight");
    case NextProbeReason::Paused:
        return QStringLiteral("paused");
    }
    return {};
}

} // namespace sd
