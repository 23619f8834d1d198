// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/FailureSignal.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <algorithm>
#include <chrono>
#include <optional>

namespace sd {

using Millis = std::chrono::milliseconds;

enum class EndpointKind : quint8 { Http, JsonRpc };

/// One body assertion: either "the body contains this text" or "the JSON value at this pointer equals".
struct BodyCheck {
    enum class Kind : quint8 { Contains, JsonPointerEquals };
    Kind kind = Kind::Contains;
    QString contains; ///< for Contains
    QString jsonPointer; ///< for JsonPointerEquals, RFC 6901 ("/object")
    QJsonValue equals; ///< for JsonPointerEquals
    bool operator==(const BodyCheck&) const = default;
};

/// Business error codes in a JSON body (say "/error/code" = 500102) mapped to a signal.
struct ErrorCodeRule {
    qint64 from = 0;
    qint64 to = 0; ///< inclusive; equals `from` for a single code
    FailureSignal signal = FailureSignal::None;
    bool operator==(const ErrorCodeRule&) const = default;
};

struct ErrorCodeMap {
    QString pointer; ///< empty = no map
    QList<ErrorCodeRule> rules;
    bool operator==(const ErrorCodeMap&) const = default;
};

/// TLS settings of one endpoint (config keys `tls.*`, global and per endpoint; docs/CONFIG.md). The loader
/// merges the global block into each endpoint, so this holds the effective settings.
struct TlsConfig {
    enum class CaMode : quint8 { Add, Replace };
    QString caFile; ///< `tls.caFile`: a PEM bundle; empty = the system store only
    CaMode caMode = CaMode::Add; ///< `tls.caMode`: "add" to the system store (default) or "replace" it
    QString serverName; ///< `tls.serverName`: SNI and the name verified, instead of the URL's host
    QString minVersion; ///< `tls.minVersion`: "", "1.2" or "1.3"
    bool insecureSkipVerify = false; ///< `tls.insecureSkipVerify`: explicit, shown as a warning, never default
    int certWarnDays = 14; ///< `tls.certWarnDays`: S2 Warning when the earliest expiry is this close
    int certCriticalDays = 3; ///< `tls.certCriticalDays`: S2 Critical
    bool operator==(const TlsConfig&) const = default;
};

/// Which HTTP implementation sends the probes (config key `transport`, env SIGNALDECK_TRANSPORT overrides).
enum class TransportKind : quint8 { Qt, Curl };

/// How one endpoint is probed. Plain data; validation lives in ConfigLoader.
struct EndpointConfig {
    /// `id`: the endpoint's stable identity, kept across edits, renames, reorders and restarts (not its row,
    /// not its name). The loader derives one from the name when the file has none (ensureEndpointIds), and the
    /// writer always writes it, so a config saved once keeps its ids.
    QString id;
    QString name;
    QUrl url;
    QByteArray method = QByteArrayLiteral("GET"); ///< GET, HEAD or POST
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    EndpointKind kind = EndpointKind::Http;
    Millis interval { 30'000 };
    bool adaptiveTimeout = true;
    Millis timeout { 10'000 }; ///< the fixed timeout when !adaptiveTimeout
    Millis timeoutMin { 1'000 };
    Millis timeoutMax { 10'000 };
    QList<int> expectStatus; ///< empty = any 2xx
    QList<BodyCheck> checks;
    ErrorCodeMap errorCodes;
    QString credential; ///< a credential id; the secret lives in the OS keychain only
    qint64 maxBodyBytes = 65'536;
    bool freshConnection = false;
    QStringList tags;
    TlsConfig tls; ///< effective (global merged with the endpoint's own)

    bool operator==(const EndpointConfig&) const = default;
};

/// The key an endpoint is matched by across config changes (engine, item models): its id, or its name
/// when it has none (a config built in code; the loader always gives ids).
inline QString endpointKey(const EndpointConfig& endpoint)
{
    return endpoint.id.isEmpty() ? QStringLiteral("name:") + endpoint.name : endpoint.id;
}

/// The thresholds of the signal state machines (docs/SIGNALS.md; keys in docs/CONFIG.md).
struct Thresholds {
    Millis latencyWarn { 200 };
    Millis latencyCritical { 800 };
    double errorRateWarn = 0.05;
    double errorRateCritical = 0.5;
    int window = 20;
    bool operator==(const Thresholds&) const = default;
};

struct OAuth2Config {
    QUrl tokenUrl;
    QString clientId;
    QString scope;
    bool operator==(const OAuth2Config&) const = default;
};

/// Non-secret metadata of a credential; the secret itself is in the OS keychain. The times are UTC with
/// whole seconds; an invalid QDateTime means "not known".
struct CredentialConfig {
    QString id;
    QString label;
    QString scheme = QStringLiteral("bearer"); ///< "bearer", "basic", "header:NAME" or "clientCert"
    /// For "clientCert": the certificate (PEM, may include its chain) as a file path; the private key is the
    /// secret in the OS keychain.
    QString certFile;
    int rotationDays = 90;
    std::optional<OAuth2Config> oauth2;
    QDateTime created; ///< when the secret was first stored
    QDateTime rotated; ///< when the secret last changed (equals `created` until the first rotation)
    QString fingerprint; ///< first 8 hex digits of SHA-256 of the secret; never the secret
    QDateTime expires; ///< the `exp` claim when the secret is a JWT
    bool operator==(const CredentialConfig&) const = default;
};

/// Limits on SignalDeck's own load (config key `limits`).
struct Limits {
    /// `limits.maxProbesPerSecond`: the global cap on probe attempts. Unset: a default that fits the
    /// config's demand within a global ceiling (see RateBudget).
    std::optional<double> maxProbesPerSecond;
    bool operator==(const Limits&) const = default;
};

/// One remote source of endpoint states the dashboard shows next to its own (config key `sources`,
/// docs/CONFIG.md "Sources"; docs/SCALING.md "The dashboard as the fleet's window"). Read at start.
struct SourceConfig {
    /// `prometheus`: the signaldeck_* series that headless probers export; `blackbox`: blackbox_exporter's
    /// probe_* series, classified into the four signals here.
    enum class Kind : quint8 { Prometheus, Blackbox };
    Kind kind = Kind::Prometheus;
    QUrl url; ///< the Prometheus HTTP API's base URL (the value of the `prometheus` / `blackbox` key)
    QString match; ///< `match`: a series selector `{…}` narrowing what is read; empty = every series
    QString name; ///< `name`: shown in the window; empty = the URL's host:port
    Millis interval { 15'000 }; ///< `interval`: how often the source is queried
    Millis timeout { 5'000 }; ///< `timeout`: the longest a query may take before the source counts as down
    QString locationLabel = QStringLiteral("location"); ///< `locationLabel` (blackbox): the label naming the place
    QString endpointLabel = QStringLiteral("instance"); ///< `endpointLabel` (blackbox): the label naming the target
    bool operator==(const SourceConfig&) const = default;
};

/// A maintenance window or a silence (config key `maintenance`, docs/CONFIG.md): the endpoints it names, and
/// those with one of its tags, are probed as usual but raise no notification while it is in force, and
/// the window shows them as "in maintenance". With `excludeFromUptime` the probes made while it is in force
/// leave the endpoint's uptime figures (uptimeExclusionsByName() gives the spans, health/IncidentPolicy.h).
struct MaintenanceWindow {
    QStringList endpoints; ///< endpoint names
    QStringList tags;
    QDateTime from; ///< UTC; invalid = in force from the start
    QDateTime to; ///< UTC; invalid = until it is removed from the config (a silence)
    QString reason;
    bool excludeFromUptime = false;
    bool operator==(const MaintenanceWindow&) const = default;

    bool activeAt(const QDateTime& utc) const
    {
        return (!from.isValid() || from <= utc) && (!to.isValid() || utc < to);
    }
    bool covers(const EndpointConfig& endpoint) const
    {
        return endpoints.contains(endpoint.name)
            || std::any_of(
                tags.cbegin(), tags.cend(), [&endpoint](const QString& t) { return endpoint.tags.contains(t); });
    }
};

/// The whole config file (docs/CONFIG.md).
struct AppConfig {
    int version = 1;
    /// Where this SignalDeck probes from (labels every metric a headless prober exports); empty = the host
    /// name, resolved where it is used (effectiveLocation()).
    QString location;
    Thresholds thresholds;
    QList<CredentialConfig> credentials;
    QList<EndpointConfig> endpoints;
    Limits limits; ///< last, so that aggregate initialisations of the older members stay valid
    TlsConfig tls; ///< the global `tls` block (defaults of every endpoint)
    /// `transport`: "curl" (the default: correct and cheaper, docs/ARCHITECTURE.md "Transports") or "qt"
    TransportKind transport = TransportKind::Curl;
    QList<SourceConfig> sources; ///< `sources`: remote endpoint states shown in the window (not probed here)
    QList<MaintenanceWindow> maintenance; ///< `maintenance`: silences and maintenance windows
    bool operator==(const AppConfig&) const = default;
};

} // namespace sd
