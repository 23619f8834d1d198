// SPDX-License-Identifier: GPL-3.0-or-later
#include "MetricsExposition.h"

#include "MetricsRegistry.h"

#include <QList>

#include <charconv>
#include <cmath>
#include <vector>

namespace sd {

namespace {

/// The `reason` label of signaldeck_next_probe_reason: a fixed vocabulary, never free text.
const char* reasonLabel(NextProbeReason reason)
{
    switch (reason) {
    case NextProbeReason::Interval:
        return "interval";
    case NextProbeReason::Retry:
        return "retry";
    case NextProbeReason::Backoff:
        return "backoff";
    case NextProbeReason::RetryAfter:
        return "retry_after";
    case NextProbeReason::CircuitOpen:
        return "circuit_open";
    case NextProbeReason::RateLimit:
        return "rate_limit";
    case NextProbeReason::InFlight:
        return "in_flight";
    case NextProbeReason::Paused:
        return "paused";
    }
    return "interval";
}

/// 0 ok, 1 warning, 2 critical; -1 for unknown (no sample is written then).
int stateValue(SignalState state)
{
    switch (state) {
    case SignalState::Ok:
        return 0;
    case SignalState::Warning:
        return 1;
    case SignalState::Critical:
        return 2;
    case SignalState::Unknown:
        break;
    }
    return -1;
}

/// 0 closed, 1 half-open, 2 open: the higher, the less this endpoint is probed.
int circuitValue(CircuitState state)
{
    switch (state) {
    case CircuitState::Closed:
        return 0;
    case CircuitState::HalfOpen:
        return 1;
    case CircuitState::Open:
        return 2;
    }
    return 0;
}

double unixSeconds(const QDateTime& time)
{
    return static_cast<double>(time.toMSecsSinceEpoch()) / 1000.0;
}

class Writer {
public:
    explicit Writer(ExpositionFormat format)
        : m_openMetrics(format == ExpositionFormat::OpenMetrics)
    {
    }

    /// `# HELP` and `# TYPE`; a counter's family name has no `_total` in OpenMetrics.
    void family(const char* name, const char* type, const char* help)
    {
        QByteArray familyName(name);
        if (m_openMetrics && qstrcmp(type, "counter") == 0 && familyName.endsWith("_total"))
            familyName.chop(6);
        if (m_openMetrics && qstrcmp(type, "info") == 0 && familyName.endsWith("_info"))
            familyName.chop(5);
        const char* shownType = !m_openMetrics && qstrcmp(type, "info") == 0 ? "gauge" : type;
        m_out += "# HELP " + familyName + ' ' + help + "\n# TYPE " + familyName + ' ' + shownType + '\n';
    }

    /// One sample: `name{labels,extra} value`. `labels` and `extra` are already escaped, either may be empty.
    void sample(const char* name, const QByteArray& labels, QByteArrayView extra, double value)
    {
        m_out += name;
        if (!labels.isEmpty() || !extra.isEmpty()) {
            m_out += '{';
            m_out += labels;
            if (!labels.isEmpty() && !extra.isEmpty())
                m_out += ',';
            m_out += extra;
            m_out += '}';
        }
        m_out += ' ';
        appendNumber(value);
        m_out += '\n';
    }

    void appendNumber(double value)
    {
        if (std::isnan(value)) {
            m_out += "NaN";
            return;
        }
        if (std::isinf(value)) {
            m_out += value > 0 ? "+Inf" : "-Inf";
            return;
        }
        char buffer[32];
        const auto [end, ec] = std::to_chars(std::begin(buffer), std::end(buffer), value);
        m_out.append(buffer, ec == std::errc() ? end - buffer : 0);
    }

    QByteArray finish()
    {
        if (m_openMetrics)
            m_out += "# EOF\n";
        return std::move(m_out);
    }

    QByteArray& out() { return m_out; }

private:
    bool m_openMetrics;
    QByteArray m_out;
};

QByteArray label(const char* name, QStringView value)
{
    return QByteArray(name) + "=\"" + escapeLabelValue(value) + '"';
}

} // namespace

QByteArray escapeLabelValue(QStringView value)
{
    QByteArray utf8 = value.toUtf8();
    if (!utf8.contains('\\') && !utf8.contains('"') && !utf8.contains('\n'))
        return utf8;
    QByteArray escaped;
    escaped.reserve(utf8.size() + 8);
    for (char c : std::as_const(utf8)) {
        if (c == '\\')
            escaped += "\\\\";
        else if (c == '"')
            escaped += "\\\"";
        else if (c == '\n')
            escaped += "\\n";
        else
            escaped += c;
    }
    return escaped;
}

ExpositionFormat negotiateExposition(QByteArrayView accept)
{
    for (const QByteArray& range : accept.toByteArray().split(',')) {
        const QList<QByteArray> parts = range.split(';');
        if (parts.first().trimmed().toLower() != "application/openmetrics-text")
            continue;
        bool refused = false;
        for (qsizetype i = 1; i < parts.size(); ++i) {
            const QByteArray parameter = parts.at(i).trimmed().toLower();
            if (parameter.startsWith("q=") && parameter.mid(2).toDouble() <= 0.0)
                refused = true;
        }
        if (!refused)
            return ExpositionFormat::OpenMetrics;
    }
    return ExpositionFormat::PrometheusText;
}

QByteArray expositionContentType(ExpositionFormat format)
{
    return format == ExpositionFormat::OpenMetrics
        ? QByteArrayLiteral("application/openmetrics-text; version=1.0.0; charset=utf-8")
        : QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");
}

QByteArray renderMetrics(const MetricsRegistry& registry, ExpositionFormat format, const QString& version)
{
    using Endpoint = MetricsRegistry::Endpoint;
    Writer w(format);
    const QByteArray location = label("location", registry.location());

    // The labels every per-endpoint series carries, escaped once per scrape.
    std::vector<std::pair<const Endpoint*, QByteArray>> endpoints;
    endpoints.reserve(registry.endpoints().size());
    for (const auto& [name, e] : registry.endpoints()) {
        endpoints.emplace_back(&e,
            QByteArray(
                label("endpoint", e.name) + ',' + location + ',' + label("url", e.url) + ',' + label("tags", e.tags)));
    }
    w.out().reserve(static_cast<qsizetype>(endpoints.size()) * 8000 + 1024);

    w.family("signaldeck_build_info", "info", "SignalDeck version and location of this prober; always 1.");
    w.sample("signaldeck_build_info", location, label("version", version), 1);
    w.family("signaldeck_endpoints", "gauge", "Endpoints in the running config.");
    w.sample("signaldeck_endpoints", location, {}, static_cast<double>(endpoints.size()));

    w.family("signaldeck_probes_total", "counter",
        "Finished probes (after retries) by outcome and by the signal they raised (none, S1-S4).");
    for (const auto& [e, labels] : endpoints) {
        for (int o = 0; o < MetricsRegistry::kOutcomeCount; ++o) {
            const auto outcome = static_cast<Outcome>(o);
            const auto usual = static_cast<std::size_t>(defaultSignalFor(outcome));
            const auto& bySignal = e->probes[static_cast<std::size_t>(o)];
            for (std::size_t s = 0; s < bySignal.size(); ++s) {
                // The usual signal of each outcome is always there (so rate() sees the first failure).
                if (bySignal[s] == 0 && s != usual)
                    continue;
                const QString signal = s == 0 ? u"none"_qs : signalCode(static_cast<FailureSignal>(s));
                w.sample("signaldeck_probes_total", labels,
                    QByteArray(label("outcome", outcomeCode(outcome)) + ',' + label("signal", signal)),
                    static_cast<double>(bySignal[s]));
            }
        }
    }
    w.family("signaldeck_attempts_total", "counter", "HTTP requests sent, retries included.");
    for (const auto& [e, labels] : endpoints)
        w.sample("signaldeck_attempts_total", labels, {}, static_cast<double>(e->attempts));

    w.family("signaldeck_probe_duration_seconds", "histogram", "Latency of finished probes (the last attempt).");
    for (const auto& [e, labels] : endpoints) {
        quint64 cumulative = 0;
        for (std::size_t b = 0; b < MetricsRegistry::kLatencyBuckets.size(); ++b) {
            cumulative += e->bucketCounts[b];
            QByteArray le = "le=\"";
            char buffer[32];
            const auto [end, ec]
                = std::to_chars(std::begin(buffer), std::end(buffer), MetricsRegistry::kLatencyBuckets[b]);
            le.append(buffer, ec == std::errc() ? end - buffer : 0);
            le += '"';
            w.sample("signaldeck_probe_duration_seconds_bucket", labels, le, static_cast<double>(cumulative));
        }
        w.sample(
            "signaldeck_probe_duration_seconds_bucket", labels, "le=\"+Inf\"", static_cast<double>(e->latencyCount));
        w.sample("signaldeck_probe_duration_seconds_sum", labels, {}, e->latencySumSeconds);
        w.sample("signaldeck_probe_duration_seconds_count", labels, {}, static_cast<double>(e->latencyCount));
    }

    w.family("signaldeck_last_probe_http_status", "gauge", "HTTP status of the last probe; 0 when none was received.");
    for (const auto& [e, labels] : endpoints) {
        if (e->last)
            w.sample("signaldeck_last_probe_http_status", labels, {}, e->last->httpStatus);
    }
    w.family("signaldeck_last_probe_duration_seconds", "gauge", "Latency of the last probe.");
    for (const auto& [e, labels] : endpoints) {
        if (e->last)
            w.sample(
                "signaldeck_last_probe_duration_seconds", labels, {}, static_cast<double>(e->last->latencyUs) / 1e6);
    }
    w.family("signaldeck_last_probe_timestamp_seconds", "gauge", "When the last probe started (Unix time).");
    for (const auto& [e, labels] : endpoints) {
        if (e->last)
            w.sample("signaldeck_last_probe_timestamp_seconds", labels, {}, unixSeconds(e->last->startUtc));
    }
    // Only the current value is exported (1), the others are absent: half the bytes of a full state set at
    // 1,000 endpoints, and `signaldeck_last_probe_outcome{outcome="auth"} == 1` reads the same.
    w.family("signaldeck_last_probe_outcome", "gauge", "Outcome of the last probe, as a label; always 1.");
    for (const auto& [e, labels] : endpoints) {
        if (e->last)
            w.sample("signaldeck_last_probe_outcome", labels, label("outcome", outcomeCode(e->last->outcome)), 1);
    }

    w.family("signaldeck_signal_state", "gauge",
        "State of each failure signal: 0 ok, 1 warning, 2 critical (absent until the first probe).");
    for (const auto& [e, labels] : endpoints) {
        if (!e->status)
            continue;
        for (FailureSignal signal : kAllSignals) {
            const int value = stateValue(e->status->states[static_cast<std::size_t>(signalIndex(signal))]);
            if (value >= 0)
                w.sample("signaldeck_signal_state", labels, label("signal", signalCode(signal)), value);
        }
    }
    w.family(
        "signaldeck_endpoint_state", "gauge", "The worst signal state of the endpoint: 0 ok, 1 warning, 2 critical.");
    for (const auto& [e, labels] : endpoints) {
        if (e->status && stateValue(e->status->overall) >= 0)
            w.sample("signaldeck_endpoint_state", labels, {}, stateValue(e->status->overall));
    }
    w.family("signaldeck_error_ratio", "gauge", "Share of failed probes over the state window (docs/SIGNALS.md).");
    for (const auto& [e, labels] : endpoints) {
        if (e->status && e->status->probes > 0)
            w.sample("signaldeck_error_ratio", labels, {}, e->status->errorRate);
    }
    w.family("signaldeck_circuit_state", "gauge", "Circuit breaker: 0 closed, 1 half-open, 2 open.");
    for (const auto& [e, labels] : endpoints) {
        if (e->status)
            w.sample("signaldeck_circuit_state", labels, {}, circuitValue(e->status->circuit));
    }
    w.family("signaldeck_endpoint_paused", "gauge",
        "1 while the endpoint is not probed because its credential cannot be used (S2 is critical).");
    for (const auto& [e, labels] : endpoints) {
        if (e->status)
            w.sample("signaldeck_endpoint_paused", labels, {}, e->status->pausedBecause.isEmpty() ? 0 : 1);
    }
    w.family("signaldeck_next_probe_timestamp_seconds", "gauge",
        "When the next probe is due (Unix time); absent while one is in flight or probing is paused.");
    for (const auto& [e, labels] : endpoints) {
        if (e->status && e->status->nextProbeUtc.isValid())
            w.sample("signaldeck_next_probe_timestamp_seconds", labels, {}, unixSeconds(e->status->nextProbeUtc));
    }
    w.family("signaldeck_next_probe_reason", "gauge", "Why the next probe is when it is, as a label; always 1.");
    for (const auto& [e, labels] : endpoints) {
        if (e->status) {
            w.sample("signaldeck_next_probe_reason", labels,
                QByteArray(QByteArray("reason=\"") + reasonLabel(e->status->nextReason) + '"'), 1);
        }
    }
    w.family("signaldeck_credential_expiry_timestamp_seconds", "gauge",
        "When the endpoint's credential expires (Unix time), where known (a JWT's exp claim).");
    for (const auto& [e, labels] : endpoints) {
        if (!e->credential.isEmpty() && e->credentialExpires.isValid()) {
            w.sample("signaldeck_credential_expiry_timestamp_seconds", labels, label("credential", e->credential),
                unixSeconds(e->credentialExpires));
        }
    }
    w.family("signaldeck_tls_cert_expiry_timestamp_seconds", "gauge",
        "https: the earliest expiry in the certificate chain the server last presented (Unix time).");
    for (const auto& [e, labels] : endpoints) {
        if (e->certExpires.isValid())
            w.sample("signaldeck_tls_cert_expiry_timestamp_seconds", labels, {}, unixSeconds(e->certExpires));
    }
    return w.finish();
}

} // namespace sd
