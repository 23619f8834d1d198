// SPDX-License-Identifier: GPL-3.0-or-later
#include "DashboardStart.h"

#include "credentials/OAuth2TokenSource.h"

#include "HistoryRecording.h"
#include "Logging.h"
#include "UnixSignalWatcher.h"
#include "config/ConfigLoader.h"
#include "credentials/CredentialRotation.h"
#include "credentials/KeychainCredentialStore.h"
#include "history/HistoryQuery.h"
#include "history/HistoryStore.h"
#include "itemmodels/EndpointTableModel.h"
#include "schedule/Engine.h"
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
    if (options.credentialStore) {
        m_store = options.credentialStore;
    } else {
        m_ownedStore = std::make_unique<KeychainCredentialStore>();
        m_store = m_ownedStore.get();
    }
    m_loading = std::make_unique<CredentialLoading>(m_store);
    m_credentialsConfigPath = options.configPath;
    if (m_credentialsConfigPath.isEmpty()) {
        m_scratch = std::make_unique<QTemporaryDir>();
        m_credentialsConfigPath = m_scratch->filePath(QStringLiteral("demo-config.json"));
    }
    setSecretHeaderNames(secretHeaderNames(options.config));

    HistoryOptions historyOptions;
    historyOptions.directory = options.dataDir;
    m_history = std::make_unique<HistoryStore>(historyOptions);
    m_engine = std::make_unique<Engine>();
    HistoryStore* history = m_history.get();
    recordHistory(*m_engine, *history);

    DashboardSetup setup;
    setup.engine = m_engine.get();
    setup.history = history;
    setup.historyPath = history->databasePath();
    setup.config = options.config;
    setup.configPath = options.configPath;
    setup.sourceLabel = options.sourceLabel;
    m_window = std::make_unique<MainWindow>(setup);
    // After a restart the sparklines and the live window start from what was stored.
    // (HistoryQuery opens lazily; on a first start with no file the answer is simply empty.)
    HistoryQuery query(history->databasePath());
    m_window->endpointModel()->seedHistory(query.lastSamplesPerEndpoint(60));
    qCInfo(lcStart).noquote() << "dashboard on" << options.sourceLabel << "- history in" << history->databasePath();

    QObject::connect(m_window.get(), &MainWindow::configApplied, m_window.get(),
        [](const AppConfig& config) { setSecretHeaderNames(secretHeaderNames(config)); });
    QObject::connect(
        m_window.get(), &MainWindow::credentialsRequested, m_window.get(), [this] { openCredentialsDialog(); });
    QObject::connect(m_loading.get(), &CredentialLoading::finished, m_window.get(),
        [this](const CredentialLoadResult& result) { onCredentialsLoaded(result); });
    // The window is up at once; the secrets follow (the keychain may take a moment, or prompt to unlock).
    if (!CredentialLoading::readable(options.config.credentials).isEmpty()) {
        m_window->setKeychainStatus(QObject::tr("Keychain: reading…"), true);
        m_loading->start(options.config.credentials);
    } else {
        m_credentialsLoaded = true;
        m_tokens = startOAuth2(*m_engine, *m_store, options.config);
    }
    QObject::connect(m_window.get(), &MainWindow::configApplied, m_window.get(), [this](const AppConfig& config) {
        if (m_tokens)
            m_tokens->setCredentials(config.credentials);
        else if (m_credentialsLoaded)
            m_tokens = startOAuth2(*m_engine, *m_store, config);
    });
}

DashboardSession::~DashboardSession()
{
    m_tokens.reset();
    m_engine->stop();
    m_window.reset();
    m_history->flushNow();
}

void DashboardSession::onCredentialsLoaded(const CredentialLoadResult& loaded)
{
    // A secret the dialog already wrote is newer than what the start-up read found.
    CredentialLoadResult result = loaded;
    for (const QString& id : std::as_const(m_changedByDialog)) {
        result.secrets.remove(id);
        result.failures.remove(id);
    }
    // One by one, so that a secret the dialog set meanwhile is not replaced by the whole set.
    for (auto it = result.secrets.cbegin(); it != result.secrets.cend(); ++it)
        m_engine->setCredentialSecret(it.key(), it.value());
    for (auto it = result.failures.cbegin(); it != result.failures.cend(); ++it)
        m_engine->setCredentialUnavailable(it.key(), credentialUnavailableReason(it.value()));
    m_credentials = result;
    // The engine has the secrets now; the session only keeps which ones were read.
    for (QByteArray& secret : m_credentials.secrets)
        secret = QByteArray();
    m_credentialsLoaded = true;
    // After the keychain secrets, so that their set never replaces a token already handed over.
    if (!m_tokens)
        m_tokens = startOAuth2(*m_engine, *m_store, m_window->config());
    showKeychainState();
}

void DashboardSession::showKeychainState()
{
    m_window->setBanner(QStringLiteral("keychain"), keychainBannerText(m_credentials));
    m_window->setKeychainStatus(keychainStatusText(m_credentials), !m_credentials.keychainUnavailable());
}

void DashboardSession::onCredentialChanged(const CredentialChange& change)
{
    if (!change.ok())
        return;
    if (!m_credentialsLoaded)
        m_changedByDialog.insert(change.credential);
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
    showKeychainState();
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
    if (m_scratch) {
        // The demo has no file: the rotation reads and saves a copy of what the window shows now.
        QString error;
        if (!saveConfigFile(m_credentialsConfigPath, m_window->config(), &error))
            qCWarning(lcStart).noquote() << "the demo's scratch config was not written:" << error;
    }
    CredentialsDialogSetup setup;
    setup.store = m_store;
    setup.engine = m_engine.get();
    setup.configPath = m_credentialsConfigPath;
    setup.auditPath = m_options.auditPath;
    setup.demoToken = m_options.demoToken;
    m_dialog = new CredentialsDialog(setup, m_window.get());
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(m_dialog, &CredentialsDialog::changeFinished, m_window.get(),
        [this](const CredentialChange& change) { onCredentialChanged(change); });
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
