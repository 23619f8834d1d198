// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"

#include <QString>

#include <memory>

namespace sd {

class Engine;
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
};

/// The running dashboard's parts, wired: history store, engine, main window. runDashboard() makes one; the
/// screenshot and widget tests make their own.
class DashboardSession {
public:
    explicit DashboardSession(const DashboardOptions& options);
    ~DashboardSession();
    DashboardSession(const DashboardSession&) = delete;
    DashboardSession& operator=(const DashboardSession&) = delete;

    MainWindow& window() { return *m_window; }
    Engine& engine() { return *m_engine; }
    HistoryStore& history() { return *m_history; }

private:
    std::unique_ptr<HistoryStore> m_history;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<MainWindow> m_window;
};

/// Opens the dashboard (a QApplication must exist): history store, engine, main window; returns the event
/// loop's exit code. The engine's batches go to the history writer directly from the engine thread and to
/// the window through the event loop.
int runDashboard(const DashboardOptions& options);

} // namespace sd
