// SPDX-License-Identifier: GPL-3.0-or-later
#include "DashboardStart.h"

#include "UnixSignalWatcher.h"
#include "history/HistoryQuery.h"
#include "history/HistoryStore.h"
#include "itemmodels/EndpointTableModel.h"
#include "schedule/Engine.h"
#include "ui/MainWindow.h"

#include <QApplication>
#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcStart, "signaldeck.app", QtInfoMsg)

namespace sd {

DashboardSession::DashboardSession(const DashboardOptions& options)
{
    HistoryOptions historyOptions;
    historyOptions.directory = options.dataDir;
    m_history = std::make_unique<HistoryStore>(historyOptions);
    m_engine = std::make_unique<Engine>();
    // The writer only copies into its queue: safe and cheap to call from the engine thread.
    HistoryStore* history = m_history.get();
    QObject::connect(
        m_engine.get(), &Engine::batchReady, history,
        [history](const EngineBatch& batch) {
            if (!batch.results.isEmpty())
                history->append(batch.results);
        },
        Qt::DirectConnection);

    DashboardSetup setup;
    setup.engine = m_engine.get();
    setup.history = history;
    setup.historyPath = history->databasePath();
    setup.config = options.config;
    setup.configPath = options.configPath;
    setup.sourceLabel = options.sourceLabel;
    m_window = std::make_unique<MainWindow>(setup);
    // After a restart the sparklines and the live window start from what was stored.
    HistoryQuery query(history->databasePath());
    if (query.isOpen())
        m_window->endpointModel()->seedHistory(query.lastSamplesPerEndpoint(60));
    qCInfo(lcStart).noquote() << "dashboard on" << options.sourceLabel << "- history in" << history->databasePath();
}

DashboardSession::~DashboardSession()
{
    m_engine->stop();
    m_window.reset();
    m_history->flushNow();
}

int runDashboard(const DashboardOptions& options)
{
    DashboardSession session(options);
    MainWindow& window = session.window();
    window.show();

    UnixSignalWatcher termination;
    QObject::connect(&termination, &UnixSignalWatcher::terminationRequested, &window, [&window](int) { window.close(); });
    if (options.quitAfterSeconds > 0) {
        QTimer::singleShot(options.quitAfterSeconds * 1000, &window, [&window, &options] {
            if (!options.screenshotPath.isEmpty()) {
                const bool saved = window.grab().save(options.screenshotPath);
                qCInfo(lcStart).noquote() << (saved ? "screenshot saved to" : "could not save a screenshot to")
                                          << options.screenshotPath;
            }
            window.close();
        });
    }
    return QApplication::exec();
}

} // namespace sd
