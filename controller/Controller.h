// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "controller/CredentialLoading.h"
#include "core/EndpointConfig.h"
#include "core/ProbeResult.h"
#include "schedule/EngineTypes.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>

#include <memory>
#include <optional>

class QTemporaryDir;

namespace sd {

struct CredentialChange;
class CredentialRotation;
class CredentialStore;
class Engine;
class HistoryReader;
class HistoryStore;
class OAuth2TokenSource;
class ProbeClock;

/// What a Controller starts from.
struct ControllerOptions {
    AppConfig config;
    /// Where changes are saved (atomically) and what reloadConfigFile() reads; empty = the demo, whose changes
    /// go to a scratch copy that the credential rotation reads and writes, and are otherwise not kept.
    QString configPath;
    QString dataDir; ///< the history database's directory; empty = HistoryStore::defaultDirectory()
    /// Where secrets are read and the rotation writes them; null = the OS keychain (owned by the controller).
    CredentialStore* credentialStore = nullptr;
    QString auditPath; ///< the credentials audit trail; empty = CredentialAuditLog::defaultPath()
    /// Secrets already read (the command line reads them before it starts); unset = read them in the
    /// background at start() (CredentialLoading), as the window does.
    std::optional<CredentialLoadResult> preloadedCredentials;
    /// Where the session's time comes from (core/ProbeClock.h): the engine's cadence, retries, circuits,
    /// Retry-After and batch flushes; empty = systemClock(), as the window and `--headless` run. The controller
    /// tests pass a simulated clock (tests/support/SimulatedClock.h).
    std::shared_ptr<ProbeClock> clock;
};

/// The running session without widgets: the window (app/DashboardStart) and `--headless` (app/HeadlessWatch)
/// drive the same one. It owns
///  - the config: validated, saved atomically (ConfigWriter) and applied endpoint by endpoint
///    (Engine::applyConfig: unchanged endpoints keep their states, circuit and schedule);
///  - the Engine (its worker thread) and its lifecycle: nothing else starts, stops or restarts it;
///  - the history: the HistoryStore (its writer thread; every batch is appended from the engine thread,
///    recordHistory()) and, on first use, a HistoryReader (its reader thread) for charts and figures;
///  - the credential session: the store (the OS keychain unless given), the secrets read at start and on
///    reload handed to the engine, the rotation (CredentialRotation: verify, commit, rollback, add, delete)
///    whose results it applies (metadata to the config, the new secret to the engine, only that credential's
///    endpoints probed again), and the OAuth2 token sources attached to the engine.
/// Widgets show its state (signals) and send it intents (slots); they never hold the engine.
/// Lives in the GUI (or main) thread; every method is called from that thread.
class Controller : public QObject {
    Q_OBJECT
public:
    /// What reloadConfigFile() did.
    struct Reload {
        bool ok = false;
        QString message; ///< "3 endpoints (+1 −0 ~1)", or why the file was refused (path and errors)
    };

    explicit Controller(ControllerOptions options, QObject* parent = nullptr);
    ~Controller() override;
    Controller(const Controller&) = delete;
    Controller& operator=(const Controller&) = delete;

    // State.
    const AppConfig& config() const { return m_config; }
    /// The file changes are saved to; empty for the demo.
    QString configPath() const { return m_options.configPath; }
    /// From now on changes are saved to `path` (the first-run panel: a first endpoint, an opened file);
    /// empty: applied, not saved.
    void setConfigPath(const QString& path) { m_options.configPath = path; }
    /// The file the credential rotation reads and saves: the config file, or the demo's scratch copy.
    QString rotationConfigPath() const;
    Engine& engine() const { return *m_engine; }
    HistoryStore& history() const { return *m_history; }
    QString historyPath() const;
    /// Where the window keeps acknowledgements across restarts: next to the history database
    /// (AcknowledgementFile, health/AcknowledgementFile.h).
    QString acknowledgementsPath() const;
    /// The reader for charts and range figures (its own thread), made on first use.
    HistoryReader* historyReader();
    CredentialStore& credentialStore() const { return *m_store; }
    CredentialRotation* credentialRotation();
    OAuth2TokenSource* tokenSource() const { return m_tokens.get(); }
    /// True once the secrets read at start reached the engine.
    bool credentialsLoaded() const { return m_credentialsLoaded; }
    /// What the keychain gave, updated by every credential change (secret values are not kept: empty).
    const CredentialLoadResult& credentialState() const { return m_credentials; }
    bool paused() const { return m_paused; }
    bool running() const { return m_running; }
    EndpointStatuses statuses() const;

    /// Sets the engine's config and starts probing, then the credentials: the preloaded secrets at once, or
    /// a background read of the keychain; then the OAuth2 token sources. Called once.
    void start();
    /// Stops probing (every finished probe has been emitted and appended) and flushes the history. Returns
    /// false when samples could not be stored (historyFlushError() says why).
    bool stop();
    QString historyFlushError() const { return m_flushError; }

public slots:
    // Intents.
    /// Validates `config`, gives new endpoints their ids, saves it atomically (unless the demo) and applies it
    /// endpoint by endpoint. Nothing changes when it does not validate or save; `error` says why. Maintenance
    /// windows follow the edit: a renamed endpoint keeps them under its new name, a deleted one leaves them
    /// (followEndpointChangesInMaintenance).
    bool applyConfig(const sd::AppConfig& config, QString* error = nullptr);
    /// The window's single-endpoint intents: adds `endpoint` (a new id unless it has one); replaces the
    /// endpoint with the same id (an edit or a rename); removes by id. Saved and applied like applyConfig();
    /// maintenance windows lose the names that no longer exist.
    bool addEndpoint(const sd::EndpointConfig& endpoint, QString* error = nullptr);
    bool updateEndpoint(const sd::EndpointConfig& endpoint, QString* error = nullptr);
    bool removeEndpoints(const QStringList& keys, QString* error = nullptr);
    /// Reads the config file again (SIGHUP): applied when it reads, refused with its errors otherwise; then
    /// the keychain is read again for new or rotated secrets (credentialsRead()).
    Reload reloadConfigFile();
    /// Probes the endpoint with this key (endpointKey()) now; probeNowAnswered() says whether it started.
    void probeNow(const QString& endpointKey);
    /// One attempt of `endpoint`, saved or not (the editor's "Probe now"), with the session's secrets; no
    /// retry, no state. oneShotFinished() carries the returned id back.
    quint64 probeOnce(const sd::EndpointConfig& endpoint);
    void setPaused(bool paused);
    /// After a rotation step finished (credentialRotation() emits it; also callable): on success the new
    /// metadata goes into the config (saved), the new secret to the engine, whose endpoints using it are
    /// probed at once; the keychain state is updated. Emits credentialChangeApplied().
    void applyCredentialChange(const sd::CredentialChange& change);

signals:
    void batchReady(const sd::EngineBatch& batch);
    /// The config now running (after an edit, a reload or a credential change).
    void configApplied(const sd::AppConfig& config);
    /// Engine::probeNowAnswered: the endpoint (the engine's id, as in its statuses) was not probed now, and
    /// why; an empty refusal means it started.
    void probeNowAnswered(int endpointId, const QString& refusal);
    void oneShotFinished(quint64 requestId, const sd::ProbeResult& result);
    void pausedChanged(bool paused);
    /// The keychain read (at start or after a reload) finished; `result` without secret values.
    void credentialsRead(const sd::CredentialLoadResult& result);
    /// credentialState() changed (a read finished, or a credential change went through).
    void credentialStateChanged(const sd::CredentialLoadResult& state);
    /// A rotation step finished (done or not) and, when done, the config and the engine have it.
    void credentialChangeApplied(const sd::CredentialChange& change);

private:
    void onCredentialsLoaded(const CredentialLoadResult& loaded);
    void startTokens();
    bool commitConfig(AppConfig config, bool save, QString* error);

    ControllerOptions m_options;
    AppConfig m_config;
    std::unique_ptr<CredentialStore> m_ownedStore;
    CredentialStore* m_store = nullptr;
    std::unique_ptr<QTemporaryDir> m_scratch; ///< the demo's rotation copy of the config
    std::unique_ptr<HistoryStore> m_history;
    std::unique_ptr<Engine> m_engine;
    HistoryReader* m_reader = nullptr;
    std::unique_ptr<CredentialLoading> m_loading;
    std::unique_ptr<OAuth2TokenSource> m_tokens;
    CredentialRotation* m_rotation = nullptr;
    CredentialLoadResult m_credentials;
    QHash<QString, QString> m_fingerprints; ///< credential id → fingerprint of the secret the engine holds
    QSet<QString> m_changedByRotation; ///< ids rotated before the start-up read finished
    bool m_credentialsLoaded = false;
    bool m_startupRead = true; ///< the read under way is the one at start
    bool m_paused = false;
    bool m_running = false;
    QString m_flushError;
};

/// "3 endpoints (+1 −0 ~1)": the endpoint count of `after`, and how many endpoints were added,
/// removed and changed since `before` (matched by id, see endpointKey()).
QString configChangeText(const AppConfig& before, const AppConfig& after);

} // namespace sd
