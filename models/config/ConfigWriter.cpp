// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/ConfigWriter.h"

#include "config/Duration.h"

#include <QJsonArray>

namespace sd {

namespace {

QJsonObject thresholdsToJson(const Thresholds& thresholds)
{
    const Thresholds defaults;
    QJsonObject object;
    if (thresholds.latencyWarn != defaults.latencyWarn)
        object.insert(u"latencyWarn", formatDuration(thresholds.latencyWarn));
    if (thresholds.latencyCritical != defaults.latencyCritical)
        object.insert(u"latencyCritical", formatDuration(thresholds.latencyCritical));
    if (thresholds.errorRateWarn != defaults.errorRateWarn)
        object.insert(u"errorRateWarn", thresholds.errorRateWarn);
    if (thresholds.errorRateCritical != defaults.errorRateCritical)
        object.insert(u"errorRateCritical", thresholds.errorRateCritical);
    if (thresholds.window != defaults.window)
        object.insert(u"window", thresholds.window);
    return object;
}

// The keys of `tls` that differ from `base`: the defaults for the global block, the global block for an
// endpoint (whose TlsConfig is the merged, effective one).
QJsonObject tlsToJson(const TlsConfig& tls, const TlsConfig& base)
{
    QJsonObject object;
    if (tls.caFile != base.caFile && !tls.caFile.isEmpty())
        object.insert(u"caFile", tls.caFile);
    if (tls.caMode != base.caMode)
        object.insert(
            u"caMode", tls.caMode == TlsConfig::CaMode::Replace ? QStringLiteral("replace") : QStringLiteral("add"));
    if (tls.serverName != base.serverName && !tls.serverName.isEmpty())
        object.insert(u"serverName", tls.serverName);
    if (tls.minVersion != base.minVersion && !tls.minVersion.isEmpty())
        object.insert(u"minVersion", tls.minVersion);
    if (tls.insecureSkipVerify != base.insecureSkipVerify)
        object.insert(u"insecureSkipVerify", tls.insecureSkipVerify);
    if (tls.certWarnDays != base.certWarnDays)
        object.insert(u"certWarnDays", tls.certWarnDays);
    if (tls.certCriticalDays != base.certCriticalDays)
        object.insert(u"certCriticalDays", tls.certCriticalDays);
    return object;
}

QJsonObject credentialToJson(const CredentialConfig& credential)
{
    const CredentialConfig defaults;
    QJsonObject object;
    object.insert(u"id", credential.id);
    if (!credential.label.isEmpty())
        object.insert(u"label", credential.label);
    if (credential.scheme != defaults.scheme)
        object.insert(u"scheme", credential.scheme);
    if (!credential.certFile.isEmpty())
        object.insert(u"certFile", credential.certFile);
    if (credential.rotationDays != defaults.rotationDays)
        object.insert(u"rotationDays", credential.rotationDays);
    if (credential.oauth2) {
        QJsonObject oauth2;
        oauth2.insert(u"tokenUrl", credential.oauth2->tokenUrl.toString(QUrl::FullyEncoded));
        oauth2.insert(u"clientId", credential.oauth2->clientId);
        if (!credential.oauth2->scope.isEmpty())
            oauth2.insert(u"scope", credential.oauth2->scope);
        object.insert(u"oauth2", oauth2);
    }
    const auto insertTime = [&object](QStringView key, const QDateTime& time) {
        if (time.isValid())
            object.insert(key, time.toUTC().toString(Qt::ISODate));
    };
    insertTime(u"created", credential.created);
    insertTime(u"rotated", credential.rotated);
    if (!credential.fingerprint.isEmpty())
        object.insert(u"fingerprint", credential.fingerprint);
    insertTime(u"expires", credential.expires);
    return object;
}

QJsonObject checkToJson(const BodyCheck& check)
{
    QJsonObject object;
    if (check.kind == BodyCheck::Kind::Contains) {
        object.insert(u"contains", check.contains);
    } else {
        object.insert(u"jsonPointer", check.jsonPointer);
        object.insert(u"equals", check.equals);
    }
    return object;
}

QJsonObject errorCodesToJson(const ErrorCodeMap& errorCodes)
{
    QJsonArray map;
    for (const ErrorCodeRule& rule : errorCodes.rules) {
        QJsonObject entry;
        if (rule.from == rule.to) {
            entry.insert(u"code", rule.from);
        } else {
            entry.insert(u"from", rule.from);
            entry.insert(u"to", rule.to);
        }
        entry.insert(u"signal", signalCode(rule.signal));
        map.append(entry);
    }
    QJsonObject object;
    object.insert(u"pointer", errorCodes.pointer);
    object.insert(u"map", map);
    return object;
}

QJsonObject endpointToJson(const EndpointConfig& endpoint, const TlsConfig& globalTls)
{
    const EndpointConfig defaults;
    QJsonObject object;
    if (!endpoint.id.isEmpty())
        object.insert(u"id", endpoint.id);
    object.insert(u"name", endpoint.name);
    object.insert(u"url", endpoint.url.toString(QUrl::FullyEncoded));

    // A JSON-RPC endpoint without a method is POSTed, so POST is its default.
    const QByteArray defaultMethod
        = endpoint.kind == EndpointKind::JsonRpc ? QByteArrayLiteral("POST") : defaults.method;
    if (endpoint.method != defaultMethod)
        object.insert(u"method", QString::fromLatin1(endpoint.method));
    if (endpoint.kind == EndpointKind::JsonRpc)
        object.insert(u"kind", QStringLiteral("jsonrpc"));
    if (!endpoint.headers.isEmpty()) {
        QJsonObject headers;
        for (const auto& [name, value] : endpoint.headers)
            headers.insert(QString::fromLatin1(name), QString::fromUtf8(value));
        object.insert(u"headers", headers);
    }
    if (!endpoint.body.isEmpty())
        object.insert(u"body", QString::fromUtf8(endpoint.body));
    if (endpoint.interval != defaults.interval)
        object.insert(u"interval", formatDuration(endpoint.interval));
    if (!endpoint.adaptiveTimeout)
        object.insert(u"timeout", formatDuration(endpoint.timeout));
    if (endpoint.timeoutMin != defaults.timeoutMin)
        object.insert(u"timeoutMin", formatDuration(endpoint.timeoutMin));
    if (endpoint.timeoutMax != defaults.timeoutMax)
        object.insert(u"timeoutMax", formatDuration(endpoint.timeoutMax));
    if (!endpoint.expectStatus.isEmpty()) {
        QJsonArray statuses;
        for (int status : endpoint.expectStatus)
            statuses.append(status);
        object.insert(u"expectStatus", statuses);
    }
    if (!endpoint.checks.isEmpty()) {
        QJsonArray checks;
        for (const BodyCheck& check : endpoint.checks)
            checks.append(checkToJson(check));
        object.insert(u"checks", checks);
    }
    if (!endpoint.errorCodes.pointer.isEmpty())
        object.insert(u"errorCodes", errorCodesToJson(endpoint.errorCodes));
    if (!endpoint.credential.isEmpty())
        object.insert(u"credential", endpoint.credential);
    if (endpoint.maxBodyBytes != defaults.maxBodyBytes)
        object.insert(u"maxBodyBytes", endpoint.maxBodyBytes);
    if (endpoint.freshConnection != defaults.freshConnection)
        object.insert(u"freshConnection", endpoint.freshConnection);
    if (!endpoint.tags.isEmpty())
        object.insert(u"tags", QJsonArray::fromStringList(endpoint.tags));
    if (const QJsonObject tls = tlsToJson(endpoint.tls, globalTls); !tls.isEmpty())
        object.insert(u"tls", tls);
    return object;
}

} // namespace

QJsonObject configToJsonObject(const AppConfig& config)
{
    QJsonObject root;
    root.insert(u"version", config.version);
    if (!config.location.isEmpty())
        root.insert(u"location", config.location);
    if (const QJsonObject thresholds = thresholdsToJson(config.thresholds); !thresholds.isEmpty())
        root.insert(u"thresholds", thresholds);
    if (config.limits.maxProbesPerSecond)
        root.insert(
            u"limits", QJsonObject { { QStringLiteral("maxProbesPerSecond"), *config.limits.maxProbesPerSecond } });
    if (const QJsonObject tls = tlsToJson(config.tls, TlsConfig {}); !tls.isEmpty())
        root.insert(u"tls", tls);
    if (config.transport != AppConfig {}.transport)
        root.insert(
            u"transport", config.transport == TransportKind::Curl ? QStringLiteral("curl") : QStringLiteral("qt"));
    if (!config.credentials.isEmpty()) {
        QJsonArray credentials;
        for (const CredentialConfig& credential : config.credentials)
            credentials.append(credentialToJson(credential));
        root.insert(u"credentials", credentials);
    }
    QJsonArray endpoints;
    for (const EndpointConfig& endpoint : config.endpoints)
        endpoints.append(endpointToJson(endpoint, config.tls));
    root.insert(u"endpoints", endpoints);
    if (!config.sources.isEmpty()) {
        const SourceConfig defaults;
        QJsonArray sources;
        for (const SourceConfig& source : config.sources) {
            QJsonObject object;
            object.insert(
                source.kind == SourceConfig::Kind::Blackbox ? u"blackbox" : u"prometheus", source.url.toString());
            if (!source.name.isEmpty())
                object.insert(u"name", source.name);
            if (!source.match.isEmpty())
                object.insert(u"match", source.match);
            if (source.interval != defaults.interval)
                object.insert(u"interval", formatDuration(source.interval));
            if (source.timeout != defaults.timeout)
                object.insert(u"timeout", formatDuration(source.timeout));
            if (source.locationLabel != defaults.locationLabel)
                object.insert(u"locationLabel", source.locationLabel);
            if (source.endpointLabel != defaults.endpointLabel)
                object.insert(u"endpointLabel", source.endpointLabel);
            sources.append(object);
        }
        root.insert(u"sources", sources);
    }
    if (!config.maintenance.isEmpty()) {
        QJsonArray windows;
        for (const MaintenanceWindow& window : config.maintenance) {
            QJsonObject object;
            if (!window.endpoints.isEmpty())
                object.insert(u"endpoints", QJsonArray::fromStringList(window.endpoints));
            if (!window.tags.isEmpty())
                object.insert(u"tags", QJsonArray::fromStringList(window.tags));
            if (window.from.isValid())
                object.insert(u"from", window.from.toUTC().toString(Qt::ISODate));
            if (window.to.isValid())
                object.insert(u"to", window.to.toUTC().toString(Qt::ISODate));
            if (!window.reason.isEmpty())
                object.insert(u"reason", window.reason);
            if (window.excludeFromUptime)
                object.insert(u"excludeFromUptime", true);
            windows.append(object);
        }
        root.insert(u"maintenance", windows);
    }
    return root;
}

} // namespace sd
