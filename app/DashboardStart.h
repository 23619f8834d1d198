// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "controller/CredentialLoading.h"
#include "core/EndpointConfig.h"

#include <QPointer>
#include <QString>

#include <memory>

namespace sd {

class Controller;
class CredentialStore;
class CredentialsDialog;
class Engine;
class HistoryStore;
class MainWindow;
class ProbeClock;

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
    /// The session's time (ControllerOptions::clock); empty = the system clock. Widget tests pass a simulated one.
    std::shared_ptr<ProbeClock> clock;
};

/// The running dashboard: a Controller (config, engine, history, credentials, OAuth2 tokens; see
/// controller/Controller.h) and the main window that shows it. The secrets are read from the keychain in
/// the background at start and handed to the engine by the controller; without a keychain the window says so
/// in a banner and in the status bar, and the endpoints that need a credential stay paused with S2.
/// "Credentials…" opens the CredentialsDialog on the controller's credential session. The demo has no
/// config file, so the rotations save to a scratch copy of the running config.
/// runDashboard() makes one; the screenshot and widget tests make their own.
class DashboardSession {
public:
    explicit DashboardSession(const DashboardOptions& options);
    ~DashboardSession();
    DashboardSession(const DashboardSession&) = delete;
    DashboardSession& operator=(const DashboardSession&) = delete;

    MainWindow& window() { return *m_window; }
    Controller& controller() { return *m_controller; }
    Engine& engine();
    HistoryStore& history();
    CredentialStore& credentialStore();

    /// Opens the credentials dialog (window-modal), or raises the one already open.
    CredentialsDialog* openCredentialsDialog();
    CredentialsDialog* credentialsDialog() const;
    /// True once the secrets read at start reached the engine.
    bool credentialsLoaded() const;
    /// What the keychain gave at start, updated by the dialog's changes (secret values are not kept).
    const CredentialLoadResult& credentialState() const;
    /// The file the dialog's rotations save: the config file, or the demo's scratch copy.
    QString credentialsConfigPath() const;

private:
    void showKeychainState();

    DashboardOptions m_options;
    std::unique_ptr<Controller> m_controller;
    std::unique_ptr<MainWindow> m_window; ///< destroyed before the controller it shows
    QPointer<CredentialsDialog> m_dialog;
};

/// Opens the dashboard (a QApplication must exist): controller and main window; returns the event loop's exit
/// code. The engine's batches go to the history writer directly from the engine thread and to the window
/// through the event loop.
int runDashboard(const DashboardOptions& options);

} // namespace sd
