// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "health/IncidentPolicy.h"
#include "schedule/EngineTypes.h"

#include <QObject>

#include <chrono>

class QAction;
class QTimer;

namespace sd {

class MainWindow;

/// The window's incident handling: owns the IncidentPolicy the tray and the endpoint table ask, and the
/// actions on the selected endpoints (table context menu, Endpoints menu, shortcuts): Acknowledge
/// (Ctrl+Shift+A), Maintenance for 1 hour (Ctrl+Shift+M: a window written to the config, so it is saved and
/// survives a restart) and End maintenance (Ctrl+Shift+E). Keeps the tiles' "1 ack · 2 maint" and the
/// table's marks current as batches arrive and as windows start and end. Acknowledgements survive a restart
/// while the endpoint is still critical: they are kept in the controller's acknowledgementsPath() (next to
/// the history, by endpoint id) and read back at start.
class IncidentActions : public QObject {
    Q_OBJECT
public:
    explicit IncidentActions(MainWindow* window);

    const IncidentPolicy& policy() const { return m_policy; }
    /// Ends acknowledgements of endpoints that recovered; refreshes marks and tiles.
    void applyBatch(const EngineBatch& batch);
    /// Acknowledges the selected endpoints that are Critical; says so in the window either way.
    void acknowledgeSelected();
    /// Adds a window from now for `duration` over the selected endpoints to the config (saved).
    void startMaintenanceForSelected(std::chrono::minutes duration);
    /// Ends the windows in force over the selected endpoints (a window by tag ends for all of its endpoints).
    void endMaintenanceForSelected();
    /// Re-reads the marks into the table and the tiles, and arms the timer for the next window edge.
    void refresh();

signals:
    /// What an action did, for the window to show by the row ("3 acknowledged", "nothing critical").
    void message(const QString& text);

private:
    /// The tiles' acknowledged / maintenance / paused counts and the next edge of a window.
    void updateHandling();
    QStringList selectedNames() const;
    void setConfig(const AppConfig& config);
    /// Writes the acknowledgements to the controller's acknowledgementsPath() when they changed.
    void keepAcknowledgements();

    MainWindow* m_window;
    IncidentPolicy m_policy;
    QTimer* m_edgeTimer;
    QString m_acknowledgementsPath;
    QHash<QString, QDateTime> m_kept; ///< what the file holds
};

} // namespace sd
