// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/ConfigError.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QUrl>

#include <initializer_list>
#include <optional>

namespace sd {

/// Turns a parsed JSON document into an AppConfig, checking every rule in docs/CONFIG.md and collecting
/// every violation with its JSON path, in document order (unknown keys of an object first, then its
/// known keys in the order the documentation lists them). Missing optional keys keep the defaults of
/// core/EndpointConfig.h. The functions of ConfigLoader.h are the public entry point; one reader reads one document.
class ConfigReader {
public:
    ConfigParseResult read(const QJsonDocument& document);
    /// Where relative file names (tls.caFile, certFile) are resolved: the config file's directory; the
    /// current directory when unset. They are kept as absolute paths.
    void setBaseDirectory(const QString& directory) { m_baseDirectory = directory; }

private:
    void fail(const QString& path, const QString& message);
    void rejectUnknownKeys(const QJsonObject& object, const QString& path, std::initializer_list<QStringView> known);

    std::optional<QJsonObject> readObject(const QJsonValue& value, const QString& path);
    std::optional<QJsonArray> readArray(const QJsonValue& value, const QString& path);
    std::optional<QString> readString(const QJsonValue& value, const QString& path);
    std::optional<QString> readNonEmptyString(const QJsonValue& value, const QString& path);
    std::optional<bool> readBool(const QJsonValue& value, const QString& path);
    std::optional<qint64> readInteger(const QJsonValue& value, const QString& path, qint64 min, qint64 max);
    std::optional<double> readFraction(const QJsonValue& value, const QString& path);
    std::optional<Millis> readDuration(const QJsonValue& value, const QString& path, Millis min, Millis max);
    std::optional<QUrl> readHttpUrl(const QJsonValue& value, const QString& path);
    std::optional<QString> readJsonPointer(const QJsonValue& value, const QString& path, bool allowEmpty);
    std::optional<QDateTime> readUtcTime(const QJsonValue& value, const QString& path);

    void readVersion(const QJsonObject& root);
    void readThresholds(const QJsonValue& value, const QString& path, Thresholds& thresholds);
    void readLimits(const QJsonValue& value, const QString& path, Limits& limits);
    void readCredential(const QJsonValue& value, const QString& path, CredentialConfig& credential);
    void readCredentialScheme(const QJsonValue& value, const QString& path, CredentialConfig& credential);
    void readOAuth2(const QJsonValue& value, const QString& path, CredentialConfig& credential);
    void readTls(const QJsonValue& value, const QString& path, TlsConfig& tls);
    /// A readable PEM file holding at least one certificate, as an absolute path; nullopt (and an error
    /// naming the file) otherwise.
    std::optional<QString> readCertificateFile(const QJsonValue& value, const QString& path, bool allowPrivateKey);
    void readEndpoint(const QJsonValue& value, const QString& path, EndpointConfig& endpoint);
    void readMethodAndKind(const QJsonObject& object, const QString& path, EndpointConfig& endpoint);
    void readTimeouts(const QJsonObject& object, const QString& path, EndpointConfig& endpoint);
    void readHeaders(const QJsonValue& value, const QString& path, EndpointConfig& endpoint);
    void readCheck(const QJsonValue& value, const QString& path, BodyCheck& check);
    void readErrorCodes(const QJsonValue& value, const QString& path, ErrorCodeMap& errorCodes);
    void readSource(const QJsonValue& value, const QString& path, SourceConfig& source);
    void readErrorCodeRule(const QJsonValue& value, const QString& path, ErrorCodeRule& rule);
    /// After the endpoints: a window names endpoints and tags that exist.
    void readMaintenance(
        const QJsonValue& value, const QString& path, const AppConfig& config, MaintenanceWindow& window);

    QList<ConfigError> m_errors;
    QString m_baseDirectory;
    QHash<QString, QString> m_credentialPaths; ///< credential id → path of the credential that defines it
    QHash<QString, QString> m_endpointIdPaths; ///< endpoint id → path of the endpoint that has it
    QHash<QString, QString> m_endpointPaths; ///< endpoint name → path of the endpoint that uses it
};

} // namespace sd
