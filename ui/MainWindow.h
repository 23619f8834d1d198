// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "history/HistoryReader.h"
#include "history/TimeRange.h"
#include "schedule/EngineTypes.h"

#include <QMainWindow>

#include <array>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QSplitter;
class QTableView;
class QTimer;

namespace sd {

class Controller;
class DetailPane;
class HistoryReader;
class EndpointFilterProxy;
class EndpointTableModel;
class EventLogModel;
class FleetDock;
class FirstRunPanel;
class IncidentActions;
class RowNote;
class TableOrderHold;
class SignalSummaryModel;
class SignalTile;
class TrayNotifier;

/// What the window works with; app/ builds it and hands it over.
struct DashboardSetup {
    /// The session (config, engine, history, credentials); must outlive the window. The window shows its
    /// state and sends it intents; it never starts, stops or restarts the engine.
    Controller* controller = nullptr;
    QString sourceLabel; ///< "demo" or the config path, for the title
};

/// The dashboard: four signal tiles over the endpoint table (filter box, sparkline column), the detail pane
/// (charts and last probe) for the selection, the event log dock, a status bar (probes per second, in
/// flight, keychain, history) and the tray icon. The controller's batches update the models a few times a
/// second; the widgets never wait on the network or the disk. Edits go through the endpoint editor and are
/// handed to the controller, which saves them atomically (unless this is the demo) and applies them.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(DashboardSetup setup, QWidget* parent = nullptr);
    ~MainWindow() override;

    // For tests and the screenshot tool.
    EndpointTableModel* endpointModel() const { return m_endpoints; }
    EndpointFilterProxy* filterProxy() const { return m_proxy; }
    SignalSummaryModel* signalModel() const { return m_signals; }
    EventLogModel* eventModel() const { return m_events; }
    QTableView* table() const { return m_table; }
    SignalTile* tile(FailureSignal signal) const;
    QWidget* tileBar() const { return m_tileBar; }
    DetailPane* detailPane() const { return m_detail; }
    TrayNotifier* tray() const { return m_tray; }
    FleetDock* fleetDock() const { return m_fleet; } ///< nullptr without config `sources`
    const AppConfig& config() const;
    Controller* controller() const { return m_controller; }
    QLineEdit* filterEdit() const { return m_filter; }
    QAction* action(const QString& objectName) const;
    TimeRange range() const { return m_range; }
    int batchesApplied() const { return m_batches; }
    IncidentActions* incidents() const { return m_incidents; }
    TableOrderHold* orderHold() const { return m_orderHold; }
    RowNote* rowNote() const { return m_rowNote; }
    FirstRunPanel* firstRunPanel() const { return m_firstRun; }
    QString configPath() const;
    /// Where edits are saved from now on (the first run: the default config path, or an opened file).
    void setConfigPath(const QString& path);

    /// Shows or clears the banner above the tiles (no keychain, history faults). Empty text hides it.
    void setBanner(const QString& key, const QString& text);
    void setKeychainStatus(const QString& text, bool available);
    void selectEndpoint(const QString& name);
    void setRange(const TimeRange& range);
    /// Asks the controller to save and apply `config` (endpoint by endpoint); says so when it refuses.
    bool applyConfig(const AppConfig& config, QString* error = nullptr);

public slots:
    void applyBatch(const sd::EngineBatch& batch);
    void addEndpoint();
    void editSelected();
    void duplicateSelected();
    /// Asks first; removes the selected endpoints.
    void deleteSelected();
    void probeSelectedNow();
    void setPaused(bool paused);
    /// The CSV export dialog over the stored history (range and selection preset from the window); it opens
    /// when the history reader has listed the endpoints with stored history.
    void openExportDialog();

signals:
    /// "Credentials…" (Ctrl+K) was chosen; app/ opens the credentials dialog (it owns the keychain store).
    void credentialsRequested();
    /// The first-run panel's "Start the demo" was chosen; app/ starts it.
    void demoRequested();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildActions();
    void buildCentre();
    void buildDocks();
    void buildStatusBar();
    void onTileClicked(FailureSignal signal);
    void updateTiles();
    void updateRateLabels(const EngineStats& stats, qint64 nowMs);
    void updateSelection();
    void requestFigures();
    QList<int> selectedRows() const;
    void restoreState();
    void saveState() const;
    void openEditor(int index, const EndpointConfig& initial);
    void showCustomRangeDialog();
    void showExportDialog(const HistoryReader::EndpointsAnswer& answer);
    /// The controller refused a change (it did not validate or save): says why.
    void showNotSaved(const QString& why);
    void onConfigApplied(const AppConfig& config);
    /// The fleet panel (config `sources`, issue 15.3): made at start or when a config first adds sources.
    void createFleetDock();
    /// A remote endpoint chosen in the fleet panel: the detail pane charts it from Prometheus.
    void showFleetSelection();
    /// Shows `text` by the current row (and in the status bar): where the operator looked.
    void noteAtCurrentRow(const QString& text);
    /// The worst endpoint that has data (a result, not paused), in the table's order; -1 when none.
    int worstRowWithData() const;

    DashboardSetup m_setup;
    Controller* m_controller;
    HistoryReader* m_reader;
    EndpointTableModel* m_endpoints;
    EndpointFilterProxy* m_proxy;
    SignalSummaryModel* m_signals;
    EventLogModel* m_events;
    QWidget* m_tileBar = nullptr;
    std::array<SignalTile*, 4> m_tiles {};
    QLabel* m_banner = nullptr;
    QMap<QString, QString> m_banners;
    QLineEdit* m_filter = nullptr;
    QComboBox* m_stateFilter = nullptr;
    QComboBox* m_rangeBox = nullptr;
    QTableView* m_table = nullptr;
    QSplitter* m_splitter = nullptr;
    DetailPane* m_detail = nullptr;
    TrayNotifier* m_tray = nullptr;
    FleetDock* m_fleet = nullptr;
    IncidentActions* m_incidents = nullptr;
    TableOrderHold* m_orderHold = nullptr;
    RowNote* m_rowNote = nullptr;
    FirstRunPanel* m_firstRun = nullptr;
    bool m_saidNoTray = false;
    QLabel* m_rateLabel = nullptr;
    QLabel* m_inFlightLabel = nullptr;
    QLabel* m_keychainLabel = nullptr;
    QLabel* m_historyLabel = nullptr;
    QLabel* m_pausedLabel = nullptr;
    QTimer* m_figuresTimer = nullptr;
    TimeRange m_range;
    bool m_paused = false;
    bool m_autoSelected = false;
    int m_batches = 0;
    quint64 m_seedRequest = 0; ///< the reader's answer with the stored samples the table starts from
    quint64 m_exportRequest = 0; ///< the endpoint list the export dialog waits for; 0 = none
    QList<std::pair<qint64, qint64>> m_rateSamples; ///< (wall ms, probes finished) over the last 5 s
    qint64 m_statusTextMs = 0; ///< when the rate and in-flight labels were last rewritten
};

} // namespace sd
