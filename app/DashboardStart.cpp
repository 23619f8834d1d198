// SPDX-License-Identifier: GPL-3.0-or-later
#include "DashboardStart.h"

#include "Logging.h"
#include "UnixSignalWatcher.h"
#include "controller/Controller.h"
#include "ui/MainWindow.h"
#include "ui/credentials/CredentialsDialog.h"

#include <QApplication>
#include <QLoggingCategory>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

Q_LOGGING_CATEGORY(lcStart, "signaldeck.app", QtInfoMsg)

namespace sd {

DashboardSession::DashboardSession(const DashboardOptions& options)
    : m_options(options)
{
    ControllerOptions controllerOptions;
    controllerOptions.config = options.config;
    controllerOptions.configPath = options.configPath;
    controllerOptions.dataDir = options.dataDir;
    controllerOptions.credentialStore = options.credentialStore;
    controllerOptions.auditPath = options.auditPath;
    controllerOptions.clock = options.clock;
    m_controller = std::make_unique<Controller>(controllerOptions);
    Controller* controller = m_controller.get();
    setSecretHeaderNames(secretHeaderNames(controller->config()));

    DashboardSetup setup;
    setup.controller = controller;
    setup.sourceLabel = options.sourceLabel;
    // It seeds its table from the stored history (in the reader's thread, as every read the window makes).
    m_window = std::make_unique<MainWindow>(setup);
    qCInfo(lcStart).noquote() << "dashboard on" << options.sourceLabel << "- history in" << controller->historyPath();

    QObject::connect(controller, &Controller::configApplied, m_window.get(),
        [](const AppConfig& config) { setSecretHeaderNames(secretHeaderNames(config)); });
    QObject::connect(
        m_window.get(), &MainWindow::credentialsRequested, m_window.get(), [this] { openCredentialsDialog(); });
    QObject::connect(controller, &Controller::credentialStateChanged, m_window.get(),
        [this](const CredentialLoadResult&) { showKeychainState(); });
    // The window is up at once; the secrets follow (the keychain may take a moment, or prompt to unlock).
    if (!CredentialLoading::readable(controller->config().credentials).isEmpty())
        m_window->setKeychainStatus(QObject::tr("Keychain: reading…"), true);
    controller->start();
}

DashboardSession::~DashboardSession()
{
    m_controller->stop();
    m_window.reset();
    m_controller.reset();
}

Engine& DashboardSession::engine()
{
    return m_controller->engine();
}

HistoryStore& DashboardSession::history()
{
    return m_controller->history();
}

CredentialStore& DashboardSession::credentialStore()
{
    return m_controller->credentialStore();
}

bool DashboardSession::credentialsLoaded() const
{
    return m_controller->credentialsLoaded();
}

const CredentialLoadResult& DashboardSession::credentialState() const
{
    return m_controller->credentialState();
}

QString DashboardSession::credentialsConfigPath() const
{
    return m_controller->rotationConfigPath();
}

void DashboardSession::showKeychainState()
{
    const CredentialLoadResult& state = m_controller->credentialState();
    m_window->setBanner(QStringLiteral("keychain"), keychainBannerText(state));
    m_window->setKeychainStatus(keychainStatusText(state), !state.keychainUnavailable());
}

CredentialsDialog* DashboardSession::credentialsDialog() const
{
    return m_dialog;
}

CredentialsDialog* DashboardSession::openCredentialsDialog()
{
    if (m_dialog) {
        m_dialog->raise();
        m_dialog->activateWindow();
        return m_dialog;
    }
    CredentialsDialogSetup setup;
    setup.controller = m_controller.get();
    setup.demoToken = m_options.demoToken;
    m_dialog = new CredentialsDialog(setup, m_window.get());
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog->open();
    return m_dialog;
}

int runDashboard(const DashboardOptions& options)
{
    DashboardSession session(options);
    MainWindow& window = session.window();
    window.show();

    // The first-run panel's "Start the demo": the demo is its own session (simulator, scratch config, its
    // credential), so this one hands over to it.
    QObject::connect(&window, &MainWindow::demoRequested, &window, [&window] {
        if (QProcess::startDetached(QCoreApplication::applicationFilePath(), { QStringLiteral("--demo") }))
            window.close();
    });

    UnixSignalWatcher termination;
    QObject::connect(
        &termination, &UnixSignalWatcher::terminationRequested, &window, [&window](int) { window.close(); });
    if (options.quitAfterSeconds > 0) {
        QTimer::singleShot(options.quitAfterSeconds * 1000, &window, [&window, &options] {
            if (!options.screenshotPath.isEmpty()) {
                const bool saved = window.grab().save(options.screenshotPath);
                qCInfo(lcStart).noquote()
                    << (saved ? "screenshot saved to" : "could not save a screenshot to") << options.screenshotPath;
            }
            window.close();
        });
    }
    return QApplication::exec();
}

} // namespace sd
