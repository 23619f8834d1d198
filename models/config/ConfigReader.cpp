// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/ConfigReader.h"

#include "config/ConfigLoader.h"
#include "config/Duration.h"
#include "config/SecretPatterns.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>
#include <QUrlQuery>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <type_traits>

namespace sd {

QString endpointIdFromName(const QString& name)
{
    const QByteArray hash = QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256).toHex();
    return QStringLiteral("ep-") + QString::fromLatin1(hash.left(10));
}

void ensureEndpointIds(QList<EndpointConfig>& endpoints)
{
    QSet<QString> taken;
    for (const EndpointConfig& e : std::as_const(endpoints))
        if (!e.id.isEmpty())
            taken.insert(e.id);
    for (EndpointConfig& e : endpoints) {
        if (!e.id.isEmpty())
            continue;
        // Derived from the name, so that a file without ids gives the same ids at every start and reload.
        const QString base = endpointIdFromName(e.name);
        QString candidate = base;
        for (int n = 2; taken.contains(candidate); ++n)
            candidate = base + QLatin1Char('-') + QString::number(n);
        e.id = candidate;
        taken.insert(candidate);
    }
}

using namespace std::chrono_literals;

namespace {

// JSON numbers are doubles: integers beyond 2^53 would silently lose precision.
constexpr qint64 kMaxExactInteger = 9'007'199'254'740'991;
constexpr qint64 kMaxBodyBytes = qint64 { 64 } * 1024 * 1024;
constexpr qint64 kMaxRotationDays = 36'500;
constexpr qint64 kMaxCertificateFileBytes = qint64 { 4 } * 1024 * 1024;
constexpr qint64 kMaxCertDays = 3650;
constexpr Millis kMinInterval = 1s;
constexpr Millis kMaxInterval = 24h;
constexpr Millis kMinTimeout = 50ms;
constexpr Millis kMaxTimeout = 10min;
// limits.maxProbesPerSecond: one probe a minute at least; beyond 20,000/s the CPU (about 0.5 ms per probe) is gone.
constexpr double kMinProbesPerSecond = 1.0 / 60.0;
constexpr double kMaxProbesPerSecond = 20'000.0;

QString requiredMessage()
{
    return QStringLiteral("required key is missing");
}
QString secretMessage()
{
    return QStringLiteral("secrets belong in a credential (OS keychain), not in the config");
}
QString notEmptyMessage()
{
    return QStringLiteral("must not be empty");
}

QString quoted(const QString& text)
{
    return u'"' + text + u'"';
}

QString indexPath(const QString& parent, qsizetype index)
{
    return parent + u'[' + QString::number(index) + u']';
}

// RFC 9110 token: the characters allowed in a header field name.
bool isHttpToken(QStringView name)
{
    if (name.isEmpty())
        return false;
    static constexpr QStringView kPunctuation = u"!#$%&'*+-.^_`|~";
    for (QChar c : name) {
        const bool alnum = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9');
        if (!alnum && !kPunctuation.contains(c))
            return false;
    }
    return true;
}

QString formatNumber(double value)
{
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

} // namespace

ConfigParseResult ConfigReader::read(const QJsonDocument& document)
{
    ConfigParseResult result;
    if (!document.isObject()) {
        fail({}, QStringLiteral("the config must be a JSON object ({ … })"));
        result.errors = m_errors;
        return result;
    }

    const QJsonObject root = document.object();
    rejectUnknownKeys(root, {},
        { u"version", u"location", u"thresholds", u"limits", u"tls", u"credentials", u"endpoints", u"transport",
            u"sources", u"maintenance" });

    AppConfig config;
    // A top-level array of objects: each element read by `readOne` at its JSON path ("endpoints[2]").
    const auto readList = [&](QStringView key, auto& list, const auto& readOne) {
        if (!root.contains(key))
            return;
        const QString path = key.toString();
        if (const auto array = readArray(root.value(key), path)) {
            for (qsizetype i = 0; i < array->size(); ++i) {
                typename std::remove_reference_t<decltype(list)>::value_type item;
                readOne(array->at(i), indexPath(path, i), item);
                list.append(item);
            }
        }
    };
    readVersion(root);
    if (root.contains(u"location")) {
        if (const auto location = readNonEmptyString(root.value(u"location"), QStringLiteral("location")))
            config.location = *location;
    }
    if (root.contains(u"thresholds"))
        readThresholds(root.value(u"thresholds"), QStringLiteral("thresholds"), config.thresholds);
    if (root.contains(u"limits"))
        readLimits(root.value(u"limits"), QStringLiteral("limits"), config.limits);
    if (root.contains(u"transport")) {
        const QString path = QStringLiteral("transport");
        if (const auto transport = readString(root.value(u"transport"), path)) {
            if (*transport == u"qt")
                config.transport = TransportKind::Qt;
            else if (*transport == u"curl")
                config.transport = TransportKind::Curl;
            else
                fail(path, QStringLiteral("must be \"qt\" or \"curl\", not \"%1\"").arg(*transport));
        }
    }
    // Before the endpoints: each starts from the global block and overrides what it sets itself.
    if (root.contains(u"tls"))
        readTls(root.value(u"tls"), QStringLiteral("tls"), config.tls);

    // Credentials before endpoints: endpoints refer to credentials by id.
    readList(u"credentials", config.credentials,
        [&](const QJsonValue& v, const QString& at, CredentialConfig& c) { readCredential(v, at, c); });
    readList(u"endpoints", config.endpoints, [&](const QJsonValue& v, const QString& at, EndpointConfig& e) {
        e.tls = config.tls;
        readEndpoint(v, at, e);
    });
    ensureEndpointIds(config.endpoints);
    readList(u"sources", config.sources,
        [&](const QJsonValue& v, const QString& at, SourceConfig& c) { readSource(v, at, c); });
    readList(u"maintenance", config.maintenance,
        [&](const QJsonValue& v, const QString& at, MaintenanceWindow& w) { readMaintenance(v, at, config, w); });

    result.errors = m_errors;
    if (m_errors.isEmpty())
        result.config = config;
    return result;
}

void ConfigReader::readSource(const QJsonValue& value, const QString& path, SourceConfig& source)
{
    const auto object = readObject(value, path);
    if (!object)
        return;
    rejectUnknownKeys(*object, path,
        { u"prometheus", u"blackbox", u"name", u"match", u"interval", u"timeout", u"locationLabel", u"endpointLabel" });
    const bool prometheus = object->contains(u"prometheus");
    const bool blackbox = object->contains(u"blackbox");
    if (prometheus == blackbox) {
        fail(path,
            prometheus ? QStringLiteral("has both \"prometheus\" and \"blackbox\": give one kind per source")
                       : QStringLiteral("needs \"prometheus\" or \"blackbox\" with the Prometheus URL, "
                                        "as in {\"prometheus\": \"http://127.0.0.1:9090\"}"));
    } else {
        source.kind = prometheus ? SourceConfig::Kind::Prometheus : SourceConfig::Kind::Blackbox;
        const QString key = prometheus ? QStringLiteral("prometheus") : QStringLiteral("blackbox");
        if (const auto url = readHttpUrl(object->value(key), configKeyPath(path, key))) {
            if (!url->userInfo().isEmpty() || url->hasQuery() || url->hasFragment())
                fail(configKeyPath(path, key),
                    QStringLiteral("give the Prometheus base URL only, without user info, query or fragment"));
            else
                source.url = *url;
        }
    }
    if (object->contains(u"name")) {
        if (const auto name = readNonEmptyString(object->value(u"name"), configKeyPath(path, u"name")))
            source.name = *name;
    }
    if (object->contains(u"match")) {
        const QString matchPath = configKeyPath(path, u"match");
        if (const auto match = readString(object->value(u"match"), matchPath)) {
            const QString trimmed = match->trimmed();
            if (trimmed.size() > 2048)
                fail(matchPath, QStringLiteral("is longer than 2048 characters"));
            else if (!trimmed.isEmpty() && (!trimmed.startsWith(u'{') || !trimmed.endsWith(u'}')))
                fail(matchPath,
                    QStringLiteral("must be a series selector in braces, as in {job=\"signaldeck\"}, not \"%1\"")
                        .arg(trimmed));
            else if (trimmed.contains(u'\n') || trimmed.contains(u"__name__"))
                fail(matchPath,
                    QStringLiteral("must be one line and must not name the metric (__name__): "
                                   "the source chooses the series it reads"));
            else
                source.match = trimmed;
        }
    }
    if (object->contains(u"interval")) {
        if (const auto interval = readDuration(object->value(u"interval"), configKeyPath(path, u"interval"), 1s, 1h))
            source.interval = *interval;
    }
    if (object->contains(u"timeout")) {
        if (const auto timeout = readDuration(object->value(u"timeout"), configKeyPath(path, u"timeout"), 100ms, 2min))
            source.timeout = *timeout;
    }
    for (const auto& [key, target] : { std::pair { u"locationLabel", &source.locationLabel },
             std::pair { u"endpointLabel", &source.endpointLabel } }) {
        if (!object->contains(key))
            continue;
        const QString keyPath = configKeyPath(path, key);
        if (source.kind != SourceConfig::Kind::Blackbox) {
            fail(keyPath, QStringLiteral("applies to \"blackbox\" sources only"));
            continue;
        }
        static const QRegularExpression kLabelName(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));
        if (const auto label = readNonEmptyString(object->value(key), keyPath)) {
            if (!kLabelName.match(*label).hasMatch())
                fail(keyPath,
                    QStringLiteral("must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*), not \"%1\"").arg(*label));
            else
                *target = *label;
        }
    }
}

void ConfigReader::fail(const QString& path, const QString& message)
{
    m_errors.append(ConfigError { path, message });
}

void ConfigReader::rejectUnknownKeys(
    const QJsonObject& object, const QString& path, std::initializer_list<QStringView> known)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        if (std::find(known.begin(), known.end(), QStringView(key)) == known.end())
            fail(configKeyPath(path, key), QStringLiteral("unknown key"));
    }
}

std::optional<QJsonObject> ConfigReader::readObject(const QJsonValue& value, const QString& path)
{
    if (!value.isObject()) {
        fail(path, QStringLiteral("must be an object"));
        return std::nullopt;
    }
    return value.toObject();
}

std::optional<QJsonArray> ConfigReader::readArray(const QJsonValue& value, const QString& path)
{
    if (!value.isArray()) {
        fail(path, QStringLiteral("must be an array"));
        return std::nullopt;
    }
    return value.toArray();
}

std::optional<QString> ConfigReader::readString(const QJsonValue& value, const QString& path)
{
    if (!value.isString()) {
        fail(path, QStringLiteral("must be a string"));
        return std::nullopt;
    }
    return value.toString();
}

std::optional<QString> ConfigReader::readNonEmptyString(const QJsonValue& value, const QString& path)
{
    auto text = readString(value, path);
    if (text && text->isEmpty()) {
        fail(path, notEmptyMessage());
        return std::nullopt;
    }
    return text;
}

std::optional<bool> ConfigReader::readBool(const QJsonValue& value, const QString& path)
{
    if (!value.isBool()) {
        fail(path, QStringLiteral("must be true or false"));
        return std::nullopt;
    }
    return value.toBool();
}

// An ISO 8601 time with an explicit zone ("2025-01-31T12:00:00Z"); kept in UTC with whole seconds, the form
// the writer produces.
std::optional<QDateTime> ConfigReader::readUtcTime(const QJsonValue& value, const QString& path)
{
    const auto text = readString(value, path);
    if (!text)
        return std::nullopt;
    static const QRegularExpression withZone(QStringLiteral(R"((Z|[+-]\d\d:\d\d)$)"));
    const QDateTime time = QDateTime::fromString(*text, Qt::ISODate);
    if (!time.isValid() || !withZone.match(*text).hasMatch()) {
        fail(path,
            QStringLiteral("must be an ISO 8601 time with a zone, like \"2025-01-31T12:00:00Z\", not %1")
                .arg(quoted(*text)));
        return std::nullopt;
    }
    QDateTime utc = time.toUTC();
    utc.setTime(QTime(utc.time().hour(), utc.time().minute(), utc.time().second()));
    return utc;
}

std::optional<qint64> ConfigReader::readInteger(const QJsonValue& value, const QString& path, qint64 min, qint64 max)
{
    const double number = value.toDouble();
    if (!value.isDouble() || std::trunc(number) != number) {
        fail(path, QStringLiteral("must be an integer"));
        return std::nullopt;
    }
    // Compare as double first: toInteger() is exact only for values a qint64 holds, and every bound
    // here is within ±2^53, where doubles are exact.
    const qint64 exact = (number >= static_cast<double>(min) && number <= static_cast<double>(max))
        ? value.toInteger()
        : (number < static_cast<double>(min) ? min - 1 : max + 1);
    if (exact < min) {
        fail(path, QStringLiteral("must be at least %1").arg(min));
        return std::nullopt;
    }
    if (exact > max) {
        fail(path, QStringLiteral("must be at most %1").arg(max));
        return std::nullopt;
    }
    return exact;
}

std::optional<double> ConfigReader::readFraction(const QJsonValue& value, const QString& path)
{
    if (!value.isDouble()) {
        fail(path, QStringLiteral("must be a number"));
        return std::nullopt;
    }
    const double number = value.toDouble();
    if (number < 0.0 || number > 1.0) {
        fail(path, QStringLiteral("must be between 0 and 1"));
        return std::nullopt;
    }
    return number;
}

std::optional<Millis> ConfigReader::readDuration(const QJsonValue& value, const QString& path, Millis min, Millis max)
{
    const std::optional<Millis> duration = value.isString() ? parseDuration(value.toString()) : std::nullopt;
    if (!duration) {
        fail(path, QStringLiteral("must be a duration such as \"10s\" (an integer and a unit: ms, s, m or h)"));
        return std::nullopt;
    }
    if (*duration < min) {
        fail(path, QStringLiteral("must be at least ") + formatDuration(min));
        return std::nullopt;
    }
    if (*duration > max) {
        fail(path, QStringLiteral("must be at most ") + formatDuration(max));
        return std::nullopt;
    }
    return duration;
}

std::optional<QUrl> ConfigReader::readHttpUrl(const QJsonValue& value, const QString& path)
{
    const auto text = readNonEmptyString(value, path);
    if (!text)
        return std::nullopt;
    const QUrl url(*text, QUrl::StrictMode);
    if (!url.isValid()) {
        // QUrl appends "; source was …" and more: the operator already sees the value in the file.
        QString reason = url.errorString();
        reason.truncate(reason.indexOf(u"; source was"));
        fail(path, QStringLiteral("not a valid URL: ") + reason);
        return std::nullopt;
    }
    const QString scheme = url.scheme().toLower();
    if (scheme.isEmpty()) {
        fail(path, QStringLiteral("needs a scheme: write http:// or https:// in front"));
        return std::nullopt;
    }
    if (scheme != u"http" && scheme != u"https") {
        fail(path, QStringLiteral("scheme must be http or https, not ") + quoted(url.scheme()));
        return std::nullopt;
    }
    if (url.host().isEmpty()) {
        fail(path, QStringLiteral("needs a host, as in https://api.example.com/"));
        return std::nullopt;
    }
    if (!url.userInfo().isEmpty()) {
        fail(path, secretMessage());
        return std::nullopt;
    }
    const auto queryItems = QUrlQuery(url).queryItems(QUrl::FullyDecoded);
    for (const auto& [name, itemValue] : queryItems) {
        if (isSecretFieldName(name) || looksLikeSecret(itemValue)) {
            fail(path, secretMessage());
            return std::nullopt;
        }
    }
    return url;
}

std::optional<QString> ConfigReader::readJsonPointer(const QJsonValue& value, const QString& path, bool allowEmpty)
{
    auto pointer = readString(value, path);
    if (!pointer)
        return std::nullopt;
    if (pointer->isEmpty() && allowEmpty)
        return pointer;
    if (!pointer->startsWith(u'/')) {
        fail(path,
            allowEmpty ? QStringLiteral("must be \"\" or start with \"/\"") : QStringLiteral("must start with \"/\""));
        return std::nullopt;
    }
    for (qsizetype i = 0; i < pointer->size(); ++i) {
        if (pointer->at(i) != u'~')
            continue;
        if (i + 1 >= pointer->size() || (pointer->at(i + 1) != u'0' && pointer->at(i + 1) != u'1')) {
            fail(path, QStringLiteral("\"~\" must be followed by 0 or 1 (~0 stands for ~, ~1 for /)"));
            return std::nullopt;
        }
    }
    return pointer;
}

void ConfigReader::readVersion(const QJsonObject& root)
{
    const QString path = QStringLiteral("version");
    if (!root.contains(u"version")) {
        fail(path, requiredMessage());
        return;
    }
    const auto version = readInteger(root.value(u"version"), path, -kMaxExactInteger, kMaxExactInteger);
    if (version && *version != 1)
        fail(path, QStringLiteral("unsupported version %1; this SignalDeck reads version 1").arg(*version));
}

void ConfigReader::readThresholds(const QJsonValue& value, const QString& path, Thresholds& thresholds)
{
    const auto object = readObject(value, path);
    if (!object)
        return;
    rejectUnknownKeys(
        *object, path, { u"latencyWarn", u"latencyCritical", u"errorRateWarn", u"errorRateCritical", u"window" });

    // Compare a pair only when both sides are valid, so one mistake yields one message.
    bool latenciesValid = true;
    bool ratesValid = true;
    const auto readLatency = [&](QStringView key, Millis& target) {
        if (!object->contains(key))
            return;
        if (const auto latency = readDuration(object->value(key), configKeyPath(path, key), 1ms, Millis::max()))
            target = *latency;
        else
            latenciesValid = false;
    };
    const auto readRate = [&](QStringView key, double& target) {
        if (!object->contains(key))
            return;
        if (const auto rate = readFraction(object->value(key), configKeyPath(path, key)))
            target = *rate;
        else
            ratesValid = false;
    };
    readLatency(u"latencyWarn", thresholds.latencyWarn);
    readLatency(u"latencyCritical", thresholds.latencyCritical);
    readRate(u"errorRateWarn", thresholds.errorRateWarn);
    readRate(u"errorRateCritical", thresholds.errorRateCritical);
    if (object->contains(u"window")) {
        if (const auto window = readInteger(object->value(u"window"), configKeyPath(path, u"window"), 1, 1000))
            thresholds.window = static_cast<int>(*window);
    }

    // Blame the key the operator wrote: a lone latencyCritical below the default latencyWarn is its fault.
    if (latenciesValid && thresholds.latencyWarn >= thresholds.latencyCritical) {
        if (object->contains(u"latencyWarn"))
            fail(configKeyPath(path, u"latencyWarn"),
                QStringLiteral("must be less than latencyCritical (%1)")
                    .arg(formatDuration(thresholds.latencyCritical)));
        else
            fail(configKeyPath(path, u"latencyCritical"),
                QStringLiteral("must be greater than latencyWarn (%1)").arg(formatDuration(thresholds.latencyWarn)));
    }
    if (ratesValid && thresholds.errorRateWarn >= thresholds.errorRateCritical) {
        if (object->contains(u"errorRateWarn"))
            fail(configKeyPath(path, u"errorRateWarn"),
                QStringLiteral("must be less than errorRateCritical (%1)")
                    .arg(formatNumber(thresholds.errorRateCritical)));
        else
            fail(configKeyPath(path, u"errorRateCritical"),
                QStringLiteral("must be greater than errorRateWarn (%1)").arg(formatNumber(thresholds.errorRateWarn)));
    }
}

void ConfigReader::readLimits(const QJsonValue& value, const QString& path, Limits& limits)
{
    const auto object = readObject(value, path);
    if (!object)
        return;
    rejectUnknownKeys(*object, path, { u"maxProbesPerSecond" });
    if (!object->contains(u"maxProbesPerSecond"))
        return;
    const QString capPath = configKeyPath(path, u"maxProbesPerSecond");
    const QJsonValue cap = object->value(u"maxProbesPerSecond");
    if (!cap.isDouble()) {
        fail(capPath, QStringLiteral("must be a number of probes per second"));
        return;
    }
    const double rate = cap.toDouble();
    if (!(rate >= kMinProbesPerSecond && rate <= kMaxProbesPerSecond)) {
        fail(capPath,
            QStringLiteral("must be between 1/60 (one probe a minute) and %1").arg(formatNumber(kMaxProbesPerSecond)));
        return;
    }
    limits.maxProbesPerSecond = rate;
}

void ConfigReader::readCredential(const QJsonValue& value, const QString& path, CredentialConfig& credential)
{
    const auto object = readObject(value, path);
    if (!object)
        return;
    rejectUnknownKeys(*object, path,
        { u"id", u"label", u"scheme", u"certFile", u"rotationDays", u"oauth2", u"created", u"rotated", u"fingerprint",
            u"expires" });

    const QString idPath = configKeyPath(path, u"id");
    if (!object->contains(u"id")) {
        fail(idPath, requiredMessage());
    } else if (const auto id = readNonEmptyString(object->value(u"id"), idPath)) {
        credential.id = *id;
        if (const auto previous = m_credentialPaths.constFind(*id); previous != m_credentialPaths.cend())
            fail(idPath, QStringLiteral("duplicate id %1 (also %2)").arg(quoted(*id), *previous));
        else
            m_credentialPaths.insert(*id, path);
    }
    if (object->contains(u"label")) {
        if (const auto label = readString(object->value(u"label"), configKeyPath(path, u"label")))
            credential.label = *label;
    }
    if (object->contains(u"scheme"))
        readCredentialScheme(object->value(u"scheme"), configKeyPath(path, u"scheme"), credential);
    const QString certPath = configKeyPath(path, u"certFile");
    if (object->contains(u"certFile")) {
        if (credential.scheme != u"clientCert")
            fail(certPath, QStringLiteral("belongs to scheme clientCert only"));
        else if (const auto file = readCertificateFile(object->value(u"certFile"), certPath, false))
            credential.certFile = *file;
    } else if (credential.scheme == u"clientCert") {
        fail(certPath, QStringLiteral("required for scheme clientCert: the client certificate (PEM)"));
    }
    if (object->contains(u"rotationDays")) {
        if (const auto days
            = readInteger(object->value(u"rotationDays"), configKeyPath(path, u"rotationDays"), 1, kMaxRotationDays))
            credential.rotationDays = static_cast<int>(*days);
    }
    if (object->contains(u"oauth2"))
        readOAuth2(object->value(u"oauth2"), configKeyPath(path, u"oauth2"), credential);
    if (object->contains(u"created")) {
        if (const auto time = readUtcTime(object->value(u"created"), configKeyPath(path, u"created")))
            credential.created = *time;
    }
    if (object->contains(u"rotated")) {
        if (const auto time = readUtcTime(object->value(u"rotated"), configKeyPath(path, u"rotated")))
            credential.rotated = *time;
    }
    if (object->contains(u"fingerprint")) {
        const QString fingerprintPath = configKeyPath(path, u"fingerprint");
        if (const auto fingerprint = readString(object->value(u"fingerprint"), fingerprintPath)) {
            static const QRegularExpression eightHex(QStringLiteral("^[0-9a-f]{8}$"));
            if (eightHex.match(*fingerprint).hasMatch())
                credential.fingerprint = *fingerprint;
            else
                fail(fingerprintPath,
                    QStringLiteral("must be 8 lower-case hex digits (the start of the secret's SHA-256)"));
        }
    }
    if (object->contains(u"expires")) {
        if (const auto time = readUtcTime(object->value(u"expires"), configKeyPath(path, u"expires")))
            credential.expires = *time;
    }
}

void ConfigReader::readCredentialScheme(const QJsonValue& value, const QString& path, CredentialConfig& credential)
{
    const auto scheme = readString(value, path);
    if (!scheme)
        return;
    static constexpr QStringView kHeaderPrefix = u"header:";
    if (*scheme == u"bearer" || *scheme == u"basic" || *scheme == u"clientCert") {
        credential.scheme = *scheme;
    } else if (scheme->startsWith(kHeaderPrefix)) {
        const QString header = scheme->sliced(kHeaderPrefix.size());
        if (isHttpToken(header))
            credential.scheme = *scheme;
        else
            fail(path, QStringLiteral("%1 is not a valid HTTP header name").arg(quoted(header)));
    } else {
        fail(path, QStringLiteral("must be bearer, basic, header:NAME or clientCert, not %1").arg(quoted(*scheme)));
    }
}

void ConfigReader::readOAuth2(const QJsonValue& value, const QString& path, CredentialConfig& credential)
{
    const auto object = readObject(value, path);
    if (!object)
        return;
    rejectUnknownKeys(*object, path, { u"tokenUrl", u"clientId", u"scope" });
    OAuth2Config oauth2;
    if (!object->contains(u"tokenUrl"))
        fail(configKeyPath(path, u"tokenUrl"), requiredMessage());
    else if (const auto url = readHttpUrl(object->value(u"tokenUrl"), configKeyPath(path, u"tokenUrl")))
        oauth2.tokenUrl = *url;
    if (!object->contains(u"clientId"))
        fail(configKeyPath(path, u"clientId"), requiredMessage());
    else if (const auto clientId = readNonEmptyString(object->value(u"clientId"), configKeyPath(path, u"clientId")))
        oauth2.clientId = *clientId;
    if (object->contains(u"scope")) {
        if (const auto scope = readString(object->value(u"scope"), configKeyPath(path, u"scope")))
            oauth2.scope = *scope;
    }
    credential.oauth2 = oauth2;
}

void ConfigReader::readEndpoint(const QJsonValue& value, const QString& path, EndpointConfig& endpoint)
{
    const auto object = readObject(value, path);
    if (!object)
        return;
    rejectUnknownKeys(*object, path,
        { u"id", u"name", u"url", u"method", u"kind", u"headers", u"body", u"interval", u"timeout", u"timeoutMin",
            u"timeoutMax", u"expectStatus", u"checks", u"errorCodes", u"credential", u"maxBodyBytes",
            u"freshConnection", u"tags", u"tls" });

    if (object->contains(u"id")) {
        const QString idPath = configKeyPath(path, u"id");
        if (const auto id = readNonEmptyString(object->value(u"id"), idPath)) {
            static const QRegularExpression kIdPattern(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
            if (!kIdPattern.match(*id).hasMatch()) {
                fail(
                    idPath, QStringLiteral("%1 is not an endpoint id (1 to 64 of A-Z a-z 0-9 . _ -)").arg(quoted(*id)));
            } else if (const auto previous = m_endpointIdPaths.constFind(*id); previous != m_endpointIdPaths.cend()) {
                fail(idPath, QStringLiteral("duplicate id %1 (also %2)").arg(quoted(*id), *previous));
            } else {
                m_endpointIdPaths.insert(*id, path);
                endpoint.id = *id;
            }
        }
    }

    const QString namePath = configKeyPath(path, u"name");
    if (!object->contains(u"name")) {
        fail(namePath, requiredMessage());
    } else if (const auto name = readNonEmptyString(object->value(u"name"), namePath)) {
        endpoint.name = *name;
        if (const auto previous = m_endpointPaths.constFind(*name); previous != m_endpointPaths.cend())
            fail(namePath, QStringLiteral("duplicate name %1 (also %2)").arg(quoted(*name), *previous));
        else
            m_endpointPaths.insert(*name, path);
    }

    const QString urlPath = configKeyPath(path, u"url");
    if (!object->contains(u"url"))
        fail(urlPath, requiredMessage());
    else if (const auto url = readHttpUrl(object->value(u"url"), urlPath))
        endpoint.url = *url;

    readMethodAndKind(*object, path, endpoint);
    if (object->contains(u"headers"))
        readHeaders(object->value(u"headers"), configKeyPath(path, u"headers"), endpoint);
    if (object->contains(u"body")) {
        if (const auto body = readString(object->value(u"body"), configKeyPath(path, u"body")))
            endpoint.body = body->toUtf8();
    }
    if (object->contains(u"interval")) {
        if (const auto interval
            = readDuration(object->value(u"interval"), configKeyPath(path, u"interval"), kMinInterval, kMaxInterval))
            endpoint.interval = *interval;
    }
    readTimeouts(*object, path, endpoint);

    if (object->contains(u"expectStatus")) {
        const QString statusPath = configKeyPath(path, u"expectStatus");
        if (const auto array = readArray(object->value(u"expectStatus"), statusPath)) {
            for (qsizetype i = 0; i < array->size(); ++i) {
                if (const auto status = readInteger(array->at(i), indexPath(statusPath, i), 100, 599))
                    endpoint.expectStatus.append(static_cast<int>(*status));
            }
        }
    }

    const bool headRequest = endpoint.method == "HEAD";
    const QString headMessage = QStringLiteral("a HEAD response has no body to check; use GET or POST");
    if (object->contains(u"checks")) {
        const QString checksPath = configKeyPath(path, u"checks");
        if (const auto array = readArray(object->value(u"checks"), checksPath)) {
            if (headRequest && !array->isEmpty())
                fail(checksPath, headMessage);
            for (qsizetype i = 0; i < array->size(); ++i) {
                BodyCheck check;
                readCheck(array->at(i), indexPath(checksPath, i), check);
                endpoint.checks.append(check);
            }
        }
    }
    if (object->contains(u"errorCodes")) {
        if (headRequest)
            fail(configKeyPath(path, u"errorCodes"), headMessage);
        readErrorCodes(object->value(u"errorCodes"), configKeyPath(path, u"errorCodes"), endpoint.errorCodes);
    }

    if (object->contains(u"credential")) {
        const QString credentialPath = configKeyPath(path, u"credential");
        if (const auto id = readNonEmptyString(object->value(u"credential"), credentialPath)) {
            endpoint.credential = *id;
            if (!m_credentialPaths.contains(*id))
                fail(credentialPath, QStringLiteral("no credential with id %1 in credentials").arg(quoted(*id)));
        }
    }
    if (object->contains(u"maxBodyBytes")) {
        if (const auto bytes
            = readInteger(object->value(u"maxBodyBytes"), configKeyPath(path, u"maxBodyBytes"), 1, kMaxBodyBytes))
            endpoint.maxBodyBytes = *bytes;
    }
    if (object->contains(u"freshConnection")) {
        if (const auto fresh = readBool(object->value(u"freshConnection"), configKeyPath(path, u"freshConnection")))
            endpoint.freshConnection = *fresh;
    }
    if (object->contains(u"tls"))
        readTls(object->value(u"tls"), configKeyPath(path, u"tls"), endpoint.tls);
    if (object->contains(u"tags")) {
        const QString tagsPath = configKeyPath(path, u"tags");
        if (const auto array = readArray(object->value(u"tags"), tagsPath)) {
            for (qsizetype i = 0; i < array->size(); ++i) {
                if (const auto tag = readNonEmptyString(array->at(i), indexPath(tagsPath, i)))
                    endpoint.tags.append(*tag);
            }
        }
    }
}

void ConfigReader::readMaintenance(
    const QJsonValue& value, const QString& path, const AppConfig& config, MaintenanceWindow& window)
{
    const auto object = readObject(value, path);
    if (!object)
        return;
    rejectUnknownKeys(*object, path, { u"endpoints", u"tags", u"from", u"to", u"reason", u"excludeFromUptime" });
    const auto readNames = [&](QStringView key, QStringList& target, auto known, const QString& unknownMessage) {
        const QString listPath = configKeyPath(path, key);
        if (!object->contains(key))
            return;
        const auto array = readArray(object->value(key), listPath);
        if (!array)
            return;
        for (qsizetype i = 0; i < array->size(); ++i) {
            const QString itemPath = indexPath(listPath, i);
            const auto name = readNonEmptyString(array->at(i), itemPath);
            if (!name)
                continue;
            if (!known(*name))
                fail(itemPath, unknownMessage.arg(quoted(*name)));
            target.append(*name);
        }
    };
    readNames(
        u"endpoints", window.endpoints,
        [&config](const QString& name) {
            return std::any_of(config.endpoints.cbegin(), config.endpoints.cend(),
                [&name](const EndpointConfig& e) { return e.name == name; });
        },
        QStringLiteral("no endpoint named %1 in endpoints"));
    readNames(
        u"tags", window.tags,
        [&config](const QString& tag) {
            return std::any_of(config.endpoints.cbegin(), config.endpoints.cend(),
                [&tag](const EndpointConfig& e) { return e.tags.contains(tag); });
        },
        QStringLiteral("no endpoint has the tag %1"));
    if (window.endpoints.isEmpty() && window.tags.isEmpty())
        fail(path, QStringLiteral("names no endpoint: give \"endpoints\" (names) or \"tags\""));
    if (object->contains(u"from")) {
        if (const auto from = readUtcTime(object->value(u"from"), configKeyPath(path, u"from")))
            window.from = *from;
    }
    if (object->contains(u"to")) {
        const QString toPath = configKeyPath(path, u"to");
        if (const auto to = readUtcTime(object->value(u"to"), toPath)) {
            window.to = *to;
            if (window.from.isValid() && window.to <= window.from)
                fail(toPath, QStringLiteral("must be after from (%1)").arg(window.from.toString(Qt::ISODate)));
        }
    }
    if (object->contains(u"reason")) {
        if (const auto reason = readString(object->value(u"reason"), configKeyPath(path, u"reason")))
            window.reason = *reason;
    }
    if (object->contains(u"excludeFromUptime")) {
        if (const auto exclude
            = readBool(object->value(u"excludeFromUptime"), configKeyPath(path, u"excludeFromUptime")))
            window.excludeFromUptime = *exclude;
    }
}

void ConfigReader::readTls(const QJsonValue& value, const QString& path, TlsConfig& tls)
{
    const auto object = readObject(value, path);
    if (!object)
        return;
    rejectUnknownKeys(*object, path,
        { u"caFile", u"caMode", u"serverName", u"minVersion", u"insecureSkipVerify", u"certWarnDays",
            u"certCriticalDays" });
    if (object->contains(u"caFile")) {
        if (const auto file = readCertificateFile(object->value(u"caFile"), configKeyPath(path, u"caFile"), false))
            tls.caFile = *file;
    }
    if (object->contains(u"caMode")) {
        const QString modePath = configKeyPath(path, u"caMode");
        if (const auto mode = readString(object->value(u"caMode"), modePath)) {
            if (*mode == u"add")
                tls.caMode = TlsConfig::CaMode::Add;
            else if (*mode == u"replace")
                tls.caMode = TlsConfig::CaMode::Replace;
            else
                fail(modePath, QStringLiteral("must be add or replace, not %1").arg(quoted(*mode)));
        }
    }
    if (object->contains(u"serverName")) {
        const QString namePath = configKeyPath(path, u"serverName");
        if (const auto name = readNonEmptyString(object->value(u"serverName"), namePath)) {
            static const QRegularExpression hostName(QStringLiteral(R"(^[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?$)"));
            if (hostName.match(*name).hasMatch())
                tls.serverName = *name;
            else
                fail(namePath,
                    QStringLiteral("must be a host name, like api.internal.example, not %1").arg(quoted(*name)));
        }
    }
    if (object->contains(u"minVersion")) {
        const QString versionPath = configKeyPath(path, u"minVersion");
        if (const auto version = readString(object->value(u"minVersion"), versionPath)) {
            if (*version == u"1.2" || *version == u"1.3")
                tls.minVersion = *version;
            else
                fail(versionPath, QStringLiteral("must be \"1.2\" or \"1.3\", not %1").arg(quoted(*version)));
        }
    }
    if (object->contains(u"insecureSkipVerify")) {
        if (const auto skip
            = readBool(object->value(u"insecureSkipVerify"), configKeyPath(path, u"insecureSkipVerify")))
            tls.insecureSkipVerify = *skip;
    }
    bool daysValid = true;
    const auto readDays = [&](QStringView key, int& target) {
        if (!object->contains(key))
            return;
        if (const auto days = readInteger(object->value(key), configKeyPath(path, key), 0, kMaxCertDays))
            target = static_cast<int>(*days);
        else
            daysValid = false;
    };
    readDays(u"certWarnDays", tls.certWarnDays);
    readDays(u"certCriticalDays", tls.certCriticalDays);
    if (daysValid && tls.certCriticalDays > tls.certWarnDays) {
        if (object->contains(u"certCriticalDays"))
            fail(configKeyPath(path, u"certCriticalDays"),
                QStringLiteral("must not exceed certWarnDays (%1)").arg(tls.certWarnDays));
        else
            fail(configKeyPath(path, u"certWarnDays"),
                QStringLiteral("must not be less than certCriticalDays (%1)").arg(tls.certCriticalDays));
    }
}

std::optional<QString> ConfigReader::readCertificateFile(
    const QJsonValue& value, const QString& path, bool allowPrivateKey)
{
    const auto name = readNonEmptyString(value, path);
    if (!name)
        return std::nullopt;
    const QDir base(m_baseDirectory.isEmpty() ? QDir::currentPath() : m_baseDirectory);
    const QString file = QDir::cleanPath(base.absoluteFilePath(*name));
    QFile f(file);
    if (QFileInfo(file).isDir()) {
        fail(path, QStringLiteral("%1 is a directory, not a PEM file").arg(quoted(file)));
        return std::nullopt;
    }
    if (!f.open(QIODevice::ReadOnly)) {
        fail(path, QStringLiteral("cannot read %1: %2").arg(quoted(file), f.errorString()));
        return std::nullopt;
    }
    const QByteArray pem = f.read(kMaxCertificateFileBytes + 1);
    if (pem.size() > kMaxCertificateFileBytes) {
        fail(path, QStringLiteral("%1 is larger than 4 MiB; not a PEM certificate file").arg(quoted(file)));
        return std::nullopt;
    }
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
        fail(path, QStringLiteral("%1 holds no PEM certificate (-----BEGIN CERTIFICATE-----)").arg(quoted(file)));
        return std::nullopt;
    }
    if (!allowPrivateKey && pem.contains("PRIVATE KEY-----")) {
        fail(path,
            QStringLiteral("%1 holds a private key; keys belong in the OS keychain (signaldeck credentials add "
                           "--scheme clientCert), not in a file the config names")
                .arg(quoted(file)));
        return std::nullopt;
    }
    return file;
}

void ConfigReader::readMethodAndKind(const QJsonObject& object, const QString& path, EndpointConfig& endpoint)
{
    if (object.contains(u"kind")) {
        const QString kindPath = configKeyPath(path, u"kind");
        if (const auto kind = readString(object.value(u"kind"), kindPath)) {
            if (*kind == u"http")
                endpoint.kind = EndpointKind::Http;
            else if (*kind == u"jsonrpc")
                endpoint.kind = EndpointKind::JsonRpc;
            else
                fail(kindPath, QStringLiteral("must be http or jsonrpc, not %1").arg(quoted(*kind)));
        }
    }

    if (!object.contains(u"method")) {
        // JSON-RPC 2.0 over HTTP is POSTed; saying so again in every endpoint would be noise.
        if (endpoint.kind == EndpointKind::JsonRpc)
            endpoint.method = QByteArrayLiteral("POST");
        return;
    }
    const QString methodPath = configKeyPath(path, u"method");
    const auto method = readString(object.value(u"method"), methodPath);
    if (!method)
        return;
    if (*method != u"GET" && *method != u"HEAD" && *method != u"POST") {
        fail(methodPath, QStringLiteral("must be GET, HEAD or POST, not %1").arg(quoted(*method)));
        return;
    }
    if (endpoint.kind == EndpointKind::JsonRpc && *method != u"POST") {
        fail(methodPath, QStringLiteral("must be POST for kind jsonrpc"));
        return;
    }
    endpoint.method = method->toLatin1();
}

void ConfigReader::readTimeouts(const QJsonObject& object, const QString& path, EndpointConfig& endpoint)
{
    if (object.contains(u"timeout")) {
        const QJsonValue value = object.value(u"timeout");
        const QString timeoutPath = configKeyPath(path, u"timeout");
        if (value.isString() && value.toString() == u"adaptive") {
            endpoint.adaptiveTimeout = true;
        } else if (value.isString() && parseDuration(value.toString())) {
            if (const auto timeout = readDuration(value, timeoutPath, kMinTimeout, kMaxTimeout)) {
                endpoint.adaptiveTimeout = false;
                endpoint.timeout = *timeout;
            }
        } else {
            fail(timeoutPath, QStringLiteral("must be \"adaptive\" or a duration such as \"5s\""));
        }
    }

    bool boundsValid = true;
    const auto readBound = [&](QStringView key, Millis& target) {
        if (!object.contains(key))
            return;
        if (const auto bound = readDuration(object.value(key), configKeyPath(path, key), kMinTimeout, kMaxTimeout))
            target = *bound;
        else
            boundsValid = false;
    };
    readBound(u"timeoutMin", endpoint.timeoutMin);
    readBound(u"timeoutMax", endpoint.timeoutMax);
    if (boundsValid && endpoint.timeoutMin > endpoint.timeoutMax) {
        if (object.contains(u"timeoutMin"))
            fail(configKeyPath(path, u"timeoutMin"),
                QStringLiteral("must not exceed timeoutMax (%1)").arg(formatDuration(endpoint.timeoutMax)));
        else
            fail(configKeyPath(path, u"timeoutMax"),
                QStringLiteral("must not be less than timeoutMin (%1)").arg(formatDuration(endpoint.timeoutMin)));
    }
}

void ConfigReader::readHeaders(const QJsonValue& value, const QString& path, EndpointConfig& endpoint)
{
    const auto object = readObject(value, path);
    if (!object)
        return;
    QHash<QString, QString> seen; // lower-case name → path, since header names are case-insensitive
    for (auto it = object->begin(); it != object->end(); ++it) {
        const QString name = it.key();
        const QString headerPath = configKeyPath(path, name);
        if (!isHttpToken(name)) {
            fail(headerPath, QStringLiteral("not a valid HTTP header name"));
            continue;
        }
        // The transport frames the request itself; a config value would contradict it (request smuggling,
        // a wrong virtual host, a body cut short).
        static const QStringList transportOwned { QStringLiteral("host"), QStringLiteral("content-length"),
            QStringLiteral("transfer-encoding"), QStringLiteral("connection") };
        if (transportOwned.contains(name.toLower())) {
            fail(headerPath, QStringLiteral("set by the HTTP transport itself; not allowed in the config"));
            continue;
        }
        const auto headerValue = readString(it.value(), headerPath);
        if (!headerValue)
            continue;
        if (headerValue->contains(u'\r') || headerValue->contains(u'\n') || headerValue->contains(QChar(0))) {
            fail(headerPath, QStringLiteral("must not contain line breaks"));
            continue;
        }
        if (isSecretFieldName(name) || looksLikeSecret(*headerValue)) {
            fail(headerPath, secretMessage());
            continue;
        }
        const QString folded = name.toLower();
        if (const auto previous = seen.constFind(folded); previous != seen.cend()) {
            fail(headerPath, QStringLiteral("duplicate header (names are case-insensitive; also %1)").arg(*previous));
            continue;
        }
        seen.insert(folded, headerPath);
        endpoint.headers.append({ name.toLatin1(), headerValue->toUtf8() });
    }
}

void ConfigReader::readCheck(const QJsonValue& value, const QString& path, BodyCheck& check)
{
    const auto object = readObject(value, path);
    if (!object)
        return;
    rejectUnknownKeys(*object, path, { u"contains", u"jsonPointer", u"equals" });

    const bool hasContains = object->contains(u"contains");
    const bool hasPointer = object->contains(u"jsonPointer");
    const bool hasEquals = object->contains(u"equals");
    if (hasContains && (hasPointer || hasEquals)) {
        fail(path, QStringLiteral("use either contains or jsonPointer + equals, not both"));
        return;
    }
    if (hasContains) {
        check.kind = BodyCheck::Kind::Contains;
        if (const auto text = readNonEmptyString(object->value(u"contains"), configKeyPath(path, u"contains")))
            check.contains = *text;
        return;
    }
    if (!hasPointer && !hasEquals) {
        fail(path, QStringLiteral("needs contains, or jsonPointer and equals"));
        return;
    }
    check.kind = BodyCheck::Kind::JsonPointerEquals;
    if (!hasPointer)
        fail(configKeyPath(path, u"jsonPointer"), requiredMessage());
    else if (const auto pointer
        = readJsonPointer(object->value(u"jsonPointer"), configKeyPath(path, u"jsonPointer"), true))
        check.jsonPointer = *pointer;
    if (!hasEquals)
        fail(configKeyPath(path, u"equals"), requiredMessage());
    else
        check.equals = object->value(u"equals");
}

void ConfigReader::readErrorCodes(const QJsonValue& value, const QString& path, ErrorCodeMap& errorCodes)
{
    const auto object = readObject(value, path);
    if (!object)
        return;
    rejectUnknownKeys(*object, path, { u"pointer", u"map" });

    // "" would point at the whole body, and an empty pointer means "no map" in ErrorCodeMap.
    if (!object->contains(u"pointer"))
        fail(configKeyPath(path, u"pointer"), requiredMessage());
    else if (const auto pointer = readJsonPointer(object->value(u"pointer"), configKeyPath(path, u"pointer"), false))
        errorCodes.pointer = *pointer;

    const QString mapPath = configKeyPath(path, u"map");
    if (!object->contains(u"map")) {
        fail(mapPath, requiredMessage());
        return;
    }
    if (const auto array = readArray(object->value(u"map"), mapPath)) {
        for (qsizetype i = 0; i < array->size(); ++i) {
            ErrorCodeRule rule;
            readErrorCodeRule(array->at(i), indexPath(mapPath, i), rule);
            errorCodes.rules.append(rule);
        }
    }
}

void ConfigReader::readErrorCodeRule(const QJsonValue& value, const QString& path, ErrorCodeRule& rule)
{
    const auto object = readObject(value, path);
    if (!object)
        return;
    rejectUnknownKeys(*object, path, { u"code", u"from", u"to", u"signal" });

    const bool hasCode = object->contains(u"code");
    const bool hasFrom = object->contains(u"from");
    const bool hasTo = object->contains(u"to");
    const auto readCode = [&](QStringView key) {
        return readInteger(object->value(key), configKeyPath(path, key), -kMaxExactInteger, kMaxExactInteger);
    };
    if (hasCode && (hasFrom || hasTo)) {
        fail(path, QStringLiteral("use either code or from + to, not both"));
    } else if (hasCode) {
        if (const auto code = readCode(u"code")) {
            rule.from = *code;
            rule.to = *code;
        }
    } else if (hasFrom || hasTo) {
        if (!hasFrom)
            fail(configKeyPath(path, u"from"), requiredMessage());
        if (!hasTo)
            fail(configKeyPath(path, u"to"), requiredMessage());
        bool fromValid = false;
        bool toValid = false;
        if (const auto from = hasFrom ? readCode(u"from") : std::nullopt) {
            rule.from = *from;
            fromValid = true;
        }
        if (const auto to = hasTo ? readCode(u"to") : std::nullopt) {
            rule.to = *to;
            toValid = true;
        }
        if (fromValid && toValid && rule.from > rule.to)
            fail(configKeyPath(path, u"from"), QStringLiteral("must not exceed to (%1)").arg(rule.to));
    } else {
        fail(path, QStringLiteral("needs code, or from and to"));
    }

    const QString signalPath = configKeyPath(path, u"signal");
    if (!object->contains(u"signal")) {
        fail(signalPath, requiredMessage());
    } else if (const auto code = readString(object->value(u"signal"), signalPath)) {
        if (const auto signal = signalFromCode(*code))
            rule.signal = *signal;
        else
            fail(signalPath, QStringLiteral("must be S1, S2, S3 or S4, not %1").arg(quoted(*code)));
    }
}

} // namespace sd
