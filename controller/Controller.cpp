// SPDX-License-Identifier: GPL-3.0-or-later
#include "controller/Controller.h"

#include "config/ConfigLoader.h"
#include "controller/HistoryRecording.h"
#include "credentials/CredentialAuditLog.h"
#include "credentials/CredentialRotation.h"
#include "credentials/CredentialSecret.h"
#include "credentials/KeychainCredentialStore.h"
#include "credentials/OAuth2TokenSource.h"
#include "health/AcknowledgementFile.h"
#include "health/IncidentPolicy.h"
#include "history/HistoryReader.h"
#include "history/HistoryStore.h"
#include "schedule/Engine.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QTemporaryDir>

#include <algorithm>

Q_LOGGING_CATEGORY(lcController, "signaldeck.controller", QtInfoMsg)

namespace sd {

QString configChangeText(const AppConfig& before, const AppConfig& after)
{
    QHash<QString, const EndpointConfig*> old;
    for (const EndpointConfig& e : before.endpoints)
        old.insert(endpointKey(e), &e);
    int added = 0;
    int changed = 0;
    for (const EndpointConfig& e : after.endpoints) {
        const EndpointConfig* previous = old.take(endpointKey(e));
        if (previous == nullptr)
            ++added;
        else if (!(*previous == e))
            ++changed;
    }
    return QStringLiteral("%1 endpoints (+%2 \u2212%3 ~%4)")
        .arg(after.endpoints.size())
        .arg(added)
        .arg(old.size())
        .arg(changed);
}

namespace {

/// The config with a finished credential change's metadata in place (after add, rotate, rollback, delete).
AppConfig withChange(AppConfig config, const CredentialChange& change)
{
    const auto it = std::find_if(config.credentials.begin(), config.credentials.end(),
        [&change](const CredentialConfig& c) { return c.id == change.credential; });
    if (change.action == CredentialChange::Action::Delete) {
        if (it != config.credentials.end())
            config.credentials.erase(it);
    } else if (change.metadata) {
        if (it != config.credentials.end())
            *it = *change.metadata;
        else
            config.credentials.append(*change.metadata);
    }
    return config;
}

} // namespace

Controller::Controller(ControllerOptions options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_config(m_options.config)
{
    // Ids are what config changes match endpoints by; a config built in code (the demo) gets them here.
    ensureEndpointIds(m_config.endpoints);
    if (m_options.credentialStore) {
        m_store = m_options.credentialStore;
    } else {
        m_ownedStore = std::make_unique<KeychainCredentialStore>();
        m_store = m_ownedStore.get();
    }
    HistoryOptions historyOptions;
    historyOptions.directory = m_options.dataDir;
    m_history = std::make_unique<HistoryStore>(historyOptions);
    EngineOptions engineOptions;
    // The suite's runs of the demo probe every endpoint at once instead of spreading the first probes over
    // each interval (up to 10 s): docs/CLI.md, "Environment".
    if (qEnvironmentVariable("SIGNALDECK_STAGGER") == u"off")
        engineOptions.stagger = false;
    engineOptions.clock = m_options.clock;
    m_engine = std::make_unique<Engine>(engineOptions);
    // In the engine thread, never through this (the GUI's) thread: a busy window does not delay the append.
    recordHistory(*m_engine, *m_history);
    connect(m_engine.get(), &Engine::batchReady, this, &Controller::batchReady);
    connect(m_engine.get(), &Engine::probeNowAnswered, this, &Controller::probeNowAnswered);
    connect(m_engine.get(), &Engine::oneShotFinished, this, &Controller::oneShotFinished);
    m_loading = std::make_unique<CredentialLoading>(m_store);
    connect(m_loading.get(), &CredentialLoading::finished, this,
        [this](const CredentialLoadResult& result) { onCredentialsLoaded(result); });
}

Controller::~Controller()
{
    // Before the store, the engine and the history they use go.
    delete m_rotation;
    m_rotation = nullptr;
    m_tokens.reset();
    if (m_running)
        stop();
    delete m_reader;
    m_reader = nullptr;
}

QString Controller::historyPath() const
{
    return m_history->databasePath();
}

QString Controller::acknowledgementsPath() const
{
    return QFileInfo(historyPath()).absoluteDir().filePath(AcknowledgementFile::fileName());
}

HistoryReader* Controller::historyReader()
{
    if (!m_reader) {
        m_reader = new HistoryReader(m_history->databasePath(), this);
        // After the store set a damaged file aside, the reader opens the fresh one.
        connect(m_history.get(), &HistoryStore::databaseReset, m_reader, [this] { m_reader->reopen(); });
    }
    return m_reader;
}

QString Controller::rotationConfigPath() const
{
    if (!m_options.configPath.isEmpty())
        return m_options.configPath;
    return m_scratch ? m_scratch->filePath(QStringLiteral("demo-config.json")) : QString();
}

CredentialRotation* Controller::credentialRotation()
{
    if (m_rotation)
        return m_rotation;
    if (m_options.configPath.isEmpty()) {
        // The demo has no file: the rotation reads and saves a copy of the running config, kept up to date.
        m_scratch = std::make_unique<QTemporaryDir>();
        QString error;
        if (!saveConfigFile(rotationConfigPath(), m_config, &error))
            qCWarning(lcController).noquote() << "the demo's scratch config was not written:" << error;
    }
    m_rotation = new CredentialRotation(m_store, rotationConfigPath(),
        CredentialAuditLog(m_options.auditPath.isEmpty() ? CredentialAuditLog::defaultPath() : m_options.auditPath),
        this);
    connect(m_rotation, &CredentialRotation::finished, this, &Controller::applyCredentialChange);
    return m_rotation;
}

EndpointStatuses Controller::statuses() const
{
    return m_engine->statuses();
}

void Controller::start()
{
    if (m_running)
        return;
    m_running = true;
    m_engine->setConfig(m_config);
    if (m_options.preloadedCredentials) {
        // Before the first probe: the endpoints with a credential start with their secret.
        applyCredentialLoad(*m_engine, *m_options.preloadedCredentials);
        m_credentials = *m_options.preloadedCredentials;
        for (auto it = m_credentials.secrets.begin(); it != m_credentials.secrets.end(); ++it) {
            m_fingerprints.insert(it.key(), credentialFingerprint(it.value()));
            it.value() = QByteArray();
        }
        m_credentialsLoaded = true;
        startTokens();
        m_engine->start();
        emit credentialStateChanged(m_credentials);
        return;
    }
    m_engine->start();
    // The window is up at once; the secrets follow (the keychain may take a moment, or prompt to unlock).
    if (!CredentialLoading::readable(m_config.credentials).isEmpty()) {
        m_startupRead = true;
        m_loading->start(m_config.credentials);
    } else {
        m_credentialsLoaded = true;
        startTokens();
    }
}

bool Controller::stop()
{
    m_tokens.reset();
    m_engine->stop();
    m_running = false;
    m_flushError.clear();
    if (!m_history->flushNow()) {
        m_flushError = QStringLiteral("%1 samples were not stored in %2: %3")
                           .arg(m_history->pendingSamples() + m_history->droppedSamples())
                           .arg(m_history->databasePath(), m_history->lastError());
        return false;
    }
    return true;
}

void Controller::startTokens()
{
    if (m_tokens)
        m_tokens->setCredentials(m_config.credentials);
    else
        m_tokens = startOAuth2(*m_engine, *m_store, m_config);
}

void Controller::onCredentialsLoaded(const CredentialLoadResult& loaded)
{
    CredentialLoadResult result = loaded;
    if (m_startupRead) {
        // A secret the rotation already wrote is newer than what the start-up read found.
        for (const QString& id : std::as_const(m_changedByRotation)) {
            result.secrets.remove(id);
            result.failures.remove(id);
        }
    }
    // One by one, and only those that changed: setCredentialSecrets() would also drop the OAuth2 tokens the
    // engine holds, and every changed secret is news worth a probe now.
    for (auto it = result.secrets.cbegin(); it != result.secrets.cend(); ++it) {
        const QString fingerprint = credentialFingerprint(it.value());
        if (m_fingerprints.value(it.key()) != fingerprint) {
            m_engine->setCredentialSecret(it.key(), it.value());
            m_fingerprints.insert(it.key(), fingerprint);
        }
    }
    for (auto it = result.failures.cbegin(); it != result.failures.cend(); ++it) {
        m_fingerprints.remove(it.key());
        m_engine->setCredentialUnavailable(it.key(), credentialUnavailableReason(it.value()));
    }
    // The engine has the secrets now; the controller only keeps which ones were read.
    for (QByteArray& secret : result.secrets)
        secret = QByteArray();
    m_credentials = result;
    m_startupRead = false;
    if (!m_credentialsLoaded) {
        m_credentialsLoaded = true;
        // After the keychain secrets, so that their set never replaces a token already handed over.
        startTokens();
    }
    emit credentialsRead(m_credentials);
    emit credentialStateChanged(m_credentials);
}

bool Controller::commitConfig(AppConfig config, bool save, QString* error)
{
    // A new endpoint (editor, duplicate) gets its id here; it keeps it from now on, in the file too.
    ensureEndpointIds(config.endpoints);
    // The file's own rules, whoever built the config: what would not load again is refused, nothing applied.
    const ConfigParseResult check = parseConfig(configToJson(config));
    if (!check.ok()) {
        QStringList errors;
        for (const ConfigError& e : check.errors)
            errors << e.toString();
        if (error)
            *error = errors.join(u"; ");
        return false;
    }
    const QString path = m_options.configPath.isEmpty() ? rotationConfigPath() : m_options.configPath;
    if (save && !path.isEmpty()) {
        QString saveError;
        if (!saveConfigFile(path, config, &saveError)) {
            qCWarning(lcController).noquote() << saveError;
            if (error)
                *error = saveError;
            return false;
        }
    }
    if (config == m_config)
        return true;
    m_config = config;
    // Endpoint by endpoint: whatever did not change keeps its states, circuit, schedule and history.
    if (m_running)
        m_engine->applyConfig(m_config);
    else
        m_engine->setConfig(m_config);
    if (m_tokens || m_credentialsLoaded)
        startTokens();
    emit configApplied(m_config);
    return true;
}

bool Controller::applyConfig(const AppConfig& config, QString* error)
{
    // An edit that renames an endpoint keeps its maintenance windows (by its id), one that deletes it
    // drops its name from them: the saved file stays readable and says what the operator meant.
    AppConfig next = config;
    followEndpointChangesInMaintenance(m_config, next);
    return commitConfig(std::move(next), true, error);
}

bool Controller::addEndpoint(const EndpointConfig& endpoint, QString* error)
{
    AppConfig next = m_config;
    next.endpoints.append(endpoint);
    return applyConfig(next, error);
}

bool Controller::updateEndpoint(const EndpointConfig& endpoint, QString* error)
{
    AppConfig next = m_config;
    const QString key = endpointKey(endpoint);
    const auto it = std::find_if(next.endpoints.begin(), next.endpoints.end(),
        [&key](const EndpointConfig& e) { return endpointKey(e) == key; });
    if (it == next.endpoints.end()) {
        if (error)
            *error = tr("no endpoint with the id \"%1\"").arg(key);
        return false;
    }
    *it = endpoint;
    // applyConfig() follows the rename in the maintenance windows (by id): dropping the old name first would lose it.
    return applyConfig(next, error);
}

bool Controller::removeEndpoints(const QStringList& keys, QString* error)
{
    AppConfig next = m_config;
    const qsizetype removed
        = next.endpoints.removeIf([&keys](const EndpointConfig& e) { return keys.contains(endpointKey(e)); });
    if (removed == 0) {
        if (error)
            *error = tr("no endpoint with the id \"%1\"").arg(keys.join(u"\", \""));
        return false;
    }
    return applyConfig(next, error);
}

Controller::Reload Controller::reloadConfigFile()
{
    const QString& path = m_options.configPath;
    if (path.isEmpty())
        return { false, tr("the built-in demo has no config file") };
    const ConfigParseResult loaded = loadConfigFile(path);
    if (!loaded.ok()) {
        QStringList errors;
        for (const ConfigError& e : loaded.errors) {
            const QString text = e.toString();
            errors << (text.startsWith(path) ? text : path + u": " + text);
        }
        return { false, errors.join(u"; ") };
    }
    AppConfig next = *loaded.config;
    ensureEndpointIds(next.endpoints);
    const QString change = configChangeText(m_config, next);
    QString error;
    // What was just read is not written back.
    if (!commitConfig(next, false, &error))
        return { false, path + u": " + error };
    // The keychain may hold new secrets (a rotation from the command line) or the config new credentials.
    if (!CredentialLoading::readable(m_config.credentials).isEmpty()) {
        m_startupRead = false;
        m_loading->start(m_config.credentials);
    }
    return { true, change };
}

void Controller::probeNow(const QString& endpointKey)
{
    m_engine->probeNow(endpointKey);
}

quint64 Controller::probeOnce(const EndpointConfig& endpoint)
{
    return m_engine->probeOnce(endpoint);
}

void Controller::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    m_engine->setPaused(paused);
    emit pausedChanged(paused);
}

void Controller::applyCredentialChange(const CredentialChange& change)
{
    if (change.ok()) {
        // The rotation saved the file; the running config takes the same metadata (saved too, outside the
        // demo) so that a later endpoint edit cannot write the old fingerprint back.
        QString error;
        if (!applyConfig(withChange(m_config, change), &error))
            qCWarning(lcController).noquote() << "the new credential metadata was not applied:" << error;
        // After the config (which keeps every endpoint's state): the new secret, and only its endpoints
        // probed at once.
        if (change.action != CredentialChange::Action::Delete) {
            m_engine->setCredentialSecret(change.credential, change.secret);
            m_fingerprints.insert(change.credential, credentialFingerprint(change.secret));
        } else {
            m_fingerprints.remove(change.credential);
        }
        if (!m_credentialsLoaded)
            m_changedByRotation.insert(change.credential);
        // A change that went through proves the keychain answers again for that credential.
        if (change.action == CredentialChange::Action::Delete)
            m_credentials.secrets.remove(change.credential);
        else
            m_credentials.secrets.insert(change.credential, QByteArray());
        m_credentials.failures.remove(change.credential);
        m_credentials.requested = static_cast<int>(m_credentials.secrets.size() + m_credentials.failures.size());
        const bool keychainWideFailure = std::any_of(m_credentials.failures.cbegin(), m_credentials.failures.cend(),
            [](CredentialError e) { return e != CredentialError::NotFound; });
        if (!keychainWideFailure) {
            m_credentials.keychainProblem = CredentialError::None;
            m_credentials.keychainMessage.clear();
        }
        emit credentialStateChanged(m_credentials);
    }
    emit credentialChangeApplied(change);
}

} // namespace sd
