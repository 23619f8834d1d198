// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CredentialLoading.h"
#include "core/EndpointConfig.h"

#include <QPointer>
#include <QSet>
#include <QString>

#include <memory>

class QTemporaryDir;

namespace sd {

struct CredentialChange;
class CredentialStore;
class CredentialsDialog;
class Engine;
class OAuth2TokenSource;
class HistoryStore;
class MainWindow;

/// How the window is started: the config, where edits are saved (empty for the demo), where the history
/// lives, and, for screenshots and smoke tests, a PNG to save and a time after which to quit.
struct DashboardOptions {
    AppConfig config;
    QString configPath;
    QString sourceLabel;
    QString dataDir; ///< empty = HistoryStore::defaultDirectory()
    QString screenshotPath; ///< saved just before quitting when quitAfterSeconds > 0
    int quitAfterSeconds = 0;
    /// Where secrets are read at start and written by the credentials dialog; null = the OS keychain.
    CredentialStore* credentialStore = nullptr;
    QString auditPath; ///< the credentials audit trail; empty = CredentialAuditLog::defaultPath()
    /// The demo simulator's accepted token, offered by the credentials dialog; empty outside the demo.
    QByteArray demoToken;
};

/// The running dashboard's parts, wired: history store, engine, main window, and the credentials: their
/// secrets are read from the keychain in the background at start (CredentialLoading) and handed to the
/// engine; without a keychain the window says so in a banner and in the status bar, and the endpoints
/// that need a credential stay paused with S2. "Credentials…" opens the CredentialsDialog on the same store.
/// The demo has no config file, so the dialog's rotations save to a scratch copy of the window's config.
/// runDashboard() makes one; the screenshot and widget tests make their own.
class DashboardSession {
public:
    explicit DashboardSession(const DashboardOptions& options);
    ~DashboardSession();
    DashboardSession(const DashboardSession&) = delete;
    DashboardSession& operator=(const DashboardSession&) = delete;

    MainWindow& window() { return *m_window; }
    Engine& engine() { return *m_engine; }
    HistoryStore& history() { return *m_history; }
    CredentialStore& credentialStore() { return *m_store; }

    /// Opens the credentials dialog (window-modal), or raises the one already open.
    CredentialsDialog* openCredentialsDialog();
    CredentialsDialog* credentialsDialog() const;
    /// True once the secrets read at start reached the engine.
    bool credentialsLoaded() const { return m_credentialsLoaded; }
    /// What the keychain gave at start, updated by the dialog's changes (secret values are not kept).
    const CredentialLoadResult& credentialState() const { return m_credentials; }
    /// The file the dialog's rotations save: the config file, or the demo's scratch copy.
    QString credentialsConfigPath() const { return m_credentialsConfigPath; }

private:
    void onCredentialsLoaded(const CredentialLoadResult& result);
    void onCredentialChanged(const CredentialChange& change);
    void showKeychainState();

    DashboardOptions m_options;
    std::unique_ptr<CredentialStore> m_ownedStore;
    CredentialStore* m_store = nullptr;
    std::unique_ptr<CredentialLoading> m_loading;
    std::unique_ptr<OAuth2TokenSource> m_tokens; ///< OAuth2 credentials' access tokens (null when none)
    CredentialLoadResult m_credentials;
    bool m_credentialsLoaded = false;
    QSet<QString> m_changedByDialog; ///< ids the dialog changed before the start-up read finished
    std::unique_ptr<QTemporaryDir> m_scratch;
    QString m_credentialsConfigPath;
    std::unique_ptr<HistoryStore> m_history;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<MainWindow> m_window;
    QPointer<CredentialsDialog> m_dialog;
};

/// Opens the dashboard (a QApplication must exist): history store, engine, main window; returns the event
/// loop's exit code. The engine's batches go to the history writer directly from the engine thread and to
/// the window through the event loop.
int runDashboard(const DashboardOptions& options);

} // namespace sd
