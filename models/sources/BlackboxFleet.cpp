// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/BlackboxFleet.h"

#include "health/Classifier.h"
#include "health/CredentialAdvisory.h"

#include <algorithm>
#include <cmath>

namespace sd {

struct BlackboxFleet::Target {
    Target(int id, const QString& name, const Thresholds& thresholds)
        : tracker(id, name, thresholds)
    {
    }
    SignalTracker tracker;
    double lastSampleTime = -1;
    RemoteEndpoint endpoint;
};

QStringList blackboxSeriesNames()
{
    return { QStringLiteral("probe_success"), QStringLiteral("probe_http_status_code"),
        QStringLiteral("probe_duration_seconds"), QStringLiteral("probe_failed_due_to_regex"),
        QStringLiteral("probe_ssl_earliest_cert_expiry") };
}

ProbeResult classifyBlackboxProbe(const BlackboxProbe& probe, const QString& target, const QDateTime& nowUtc)
{
    ProbeResult result;
    result.endpoint = target;
    result.url = target;
    result.startUtc = nowUtc;
    result.httpStatus = probe.httpStatus;
    result.latencyUs = probe.durationSeconds >= 0 ? static_cast<qint64>(probe.durationSeconds * 1e6) : 0;
    EndpointConfig endpoint;
    endpoint.name = target;
    endpoint.url = QUrl(target);
    ProbeFacts facts;
    facts.httpStatus = probe.httpStatus;
    facts.latencyUs = result.latencyUs;
    if (probe.httpStatus <= 0) {
        if (probe.success) { // a module without HTTP (tcp, icmp, dns) that succeeded
            result.outcome = Outcome::Ok;
            return result;
        }
        facts.transportError = TransportError::Other;
        facts.transportDetail = QStringLiteral("blackbox_exporter got no HTTP answer");
    } else if (probe.success) {
        endpoint.expectStatus = { probe.httpStatus }; // blackbox's valid_status_codes accepted it
    } else if (probe.httpStatus >= 200 && probe.httpStatus < 300) {
        result.outcome = Outcome::AssertionFailed;
        result.reason = probe.failedDueToRegex
            ? QStringLiteral("HTTP %1: the body failed the module's regular expression").arg(probe.httpStatus)
            : QStringLiteral("HTTP %1: blackbox_exporter counted the probe as failed").arg(probe.httpStatus);
        return result;
    }
    const Classification verdict = classify(endpoint, facts, nowUtc);
    result.outcome = verdict.outcome;
    result.signal = verdict.signal;
    result.reason = verdict.reason;
    if (probe.httpStatus <= 0)
        result.latencyUs = 0; // no answer: the duration says nothing about the server
    return result;
}

BlackboxFleet::BlackboxFleet(
    QString endpointLabel, QString locationLabel, QString fallbackLocation, Thresholds thresholds)
    : m_endpointLabel(std::move(endpointLabel))
    , m_locationLabel(std::move(locationLabel))
    , m_fallbackLocation(std::move(fallbackLocation))
    , m_thresholds(thresholds)
{
}

BlackboxFleet::~BlackboxFleet() = default;

QList<RemoteEndpoint> BlackboxFleet::update(
    const QList<PromSample>& samples, const QList<PromSample>& sampleTimes, const QDateTime& nowUtc)
{
    struct Seen {
        QString target;
        QString location;
        BlackboxProbe probe;
        bool hasSuccess = false;
        double sampleTime = -1;
    };
    QHash<QString, Seen> seen;
    const auto keyOf = [this](const PromSample& s, QString& target, QString& location) -> QString {
        target = s.labels.value(m_endpointLabel);
        location = s.labels.value(m_locationLabel, m_fallbackLocation);
        return target + u'\n' + location;
    };
    for (const PromSample& s : samples) {
        QString target;
        QString location;
        const QString key = keyOf(s, target, location);
        if (target.isEmpty() || !std::isfinite(s.value))
            continue;
        Seen& e = seen[key];
        e.target = target;
        e.location = location;
        const QString name = s.labels.value(QStringLiteral("__name__"));
        if (name == u"probe_success") {
            e.probe.success = s.value == 1;
            e.hasSuccess = true;
        } else if (name == u"probe_http_status_code") {
            e.probe.httpStatus = s.value >= 0 && s.value <= 999 ? static_cast<int>(s.value) : 0;
        } else if (name == u"probe_duration_seconds") {
            e.probe.durationSeconds = s.value >= 0 && s.value < 86'400 ? s.value : -1;
        } else if (name == u"probe_failed_due_to_regex") {
            e.probe.failedDueToRegex = s.value == 1;
        } else if (name == u"probe_ssl_earliest_cert_expiry") {
            e.probe.sslEarliestExpiry = s.value > 0 && s.value < 1e11 ? s.value : 0;
        }
    }
    for (const PromSample& s : sampleTimes) {
        QString target;
        QString location;
        const auto it = seen.find(keyOf(s, target, location));
        if (it != seen.end() && std::isfinite(s.value))
            it->sampleTime = s.value;
    }

    QHash<QString, std::shared_ptr<Target>> kept;
    QList<RemoteEndpoint> out;
    for (auto it = seen.cbegin(); it != seen.cend(); ++it) {
        const Seen& e = it.value();
        if (!e.hasSuccess)
            continue;
        std::shared_ptr<Target> target = m_targets.value(it.key());
        if (!target) {
            target = std::make_shared<Target>(m_nextId++, e.target, m_thresholds);
            target->endpoint.endpoint = e.target;
            target->endpoint.location = e.location;
            target->endpoint.url = e.target;
        }
        // A new probe when its sample time moved (or, without the times, on every answer that changed).
        const bool fresh = e.sampleTime < 0 || e.sampleTime > target->lastSampleTime;
        if (fresh) {
            target->lastSampleTime = e.sampleTime;
            const ProbeResult result = classifyBlackboxProbe(e.probe, e.target, nowUtc);
            target->tracker.add(result, nowUtc);
            RemoteEndpoint& r = target->endpoint;
            r.httpStatus = e.probe.httpStatus;
            r.latencyMs = result.httpStatus > 0 && e.probe.durationSeconds >= 0 ? e.probe.durationSeconds * 1000.0 : -1;
            r.outcome = outcomeCode(result.outcome);
            r.lastProbeUtc = e.sampleTime > 0
                ? QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(e.sampleTime * 1000.0), Qt::UTC)
                : nowUtc;
            const CredentialAdvisory advisory = e.probe.sslEarliestExpiry > 0
                ? certificateAdvisory(QStringLiteral("server certificate"),
                    QDateTime::fromSecsSinceEpoch(static_cast<qint64>(e.probe.sslEarliestExpiry), Qt::UTC),
                    TlsConfig {}, nowUtc)
                : CredentialAdvisory {};
            if (advisory.state != target->tracker.credentialCondition() || advisory.state != SignalState::Ok)
                target->tracker.setCredentialCondition(advisory.state, advisory.reason, nowUtc);
            for (FailureSignal signal : kAllSignals) {
                const auto i = static_cast<std::size_t>(signalIndex(signal));
                r.states[i] = target->tracker.state(signal);
                r.reasons[i] = target->tracker.reason(signal);
            }
            r.overall = target->tracker.overall();
        }
        kept.insert(it.key(), target);
        out.append(target->endpoint);
    }
    m_targets = std::move(kept);
    std::sort(out.begin(), out.end(), [](const RemoteEndpoint& a, const RemoteEndpoint& b) {
        return std::tie(a.endpoint, a.location) < std::tie(b.endpoint, b.location);
    });
    return out;
}

} // namespace sd
