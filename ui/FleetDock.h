// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/FailureSignal.h"
#include "sources/FleetTypes.h"

#include <QDockWidget>

#include <optional>

class QLabel;
class QMainWindow;
class QSortFilterProxyModel;
class QTableView;

namespace sd {

class FleetModel;
class FleetSource;
class SignalSummaryModel;

/// The fleet: endpoints that remote probers report through the config's `sources` (issue 15.3), one column
/// per location, with a line per source saying whether it answers (and when it last did). Creates and owns
/// one FleetSource per entry, feeds the FleetModel, and hands the remote signal states to the tiles'
/// SignalSummaryModel so that they count local and remote endpoints together. Docks itself at the bottom of
/// `window` and adds its toggle to the View menu. Follows config changes (setSources()), filters by a tile's
/// signal like the local table, and says which remote endpoint (and which locations) the operator chose, for
/// the detail pane's charts: a location's cell chooses that location, the endpoint's name all of them.
class FleetDock : public QDockWidget {
    Q_OBJECT
public:
    FleetDock(const QList<SourceConfig>& sources, SignalSummaryModel* tiles, QMainWindow* window);
    ~FleetDock() override;

    FleetModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    QLabel* sourceLabel() const { return m_sourceLabel; }
    const QList<FleetSource*>& sources() const { return m_sources; }

    /// A new config's sources: those that did not change keep their poller, rows and state; removed ones go
    /// (their rows with them), new ones start. The dock hides without sources and shows when some come.
    void setSources(const QList<SourceConfig>& sources);
    /// Shows only the rows where a location raises `signal` (None: every row), as a tile click does.
    void setSignalFilter(FailureSignal signal);
    FailureSignal signalFilter() const { return m_signalFilter; }
    /// The remote endpoint chosen in the table, with the locations chosen; none when nothing is selected.
    std::optional<RemoteSelection> selection() const;
    /// Selects the row of `endpoint` from source `sourceName` (all its locations, or only `location`).
    bool select(const QString& sourceName, const QString& endpoint, const QString& location = {});
    void clearSelection();

signals:
    /// The remote part of the tiles changed: the window refreshes them.
    void tilesChanged();
    /// The chosen remote endpoint or its locations changed, or their cells did.
    void selectionChanged();

private:
    void refresh();
    FleetSource* addSource(const SourceConfig& config);

    FleetModel* m_model;
    QSortFilterProxyModel* m_proxy;
    FailureSignal m_signalFilter = FailureSignal::None;
    SignalSummaryModel* m_tiles;
    QLabel* m_sourceLabel;
    QTableView* m_table;
    QList<FleetSource*> m_sources;
    int m_sizedColumns = 0;
};

} // namespace sd
