// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"

#include <QDockWidget>

class QLabel;
class QMainWindow;
class QTableView;

namespace sd {

class FleetModel;
class FleetSource;
class SignalSummaryModel;

/// The fleet: endpoints that remote probers report through the config's `sources` (issue 15.3), one column
/// per location, with a line per source saying whether it answers (and when it last did). Creates and owns
/// one FleetSource per entry, feeds the FleetModel, and hands the remote signal states to the tiles'
/// SignalSummaryModel so that they count local and remote endpoints together. Docks itself at the bottom of
/// `window` and adds its toggle to the View menu.
class FleetDock : public QDockWidget {
    Q_OBJECT
public:
    FleetDock(const QList<SourceConfig>& sources, SignalSummaryModel* tiles, QMainWindow* window);
    ~FleetDock() override;

    FleetModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    QLabel* sourceLabel() const { return m_sourceLabel; }
    const QList<FleetSource*>& sources() const { return m_sources; }

signals:
    /// The remote part of the tiles changed: the window refreshes them.
    void tilesChanged();

private:
    void refresh();

    FleetModel* m_model;
    SignalSummaryModel* m_tiles;
    QLabel* m_sourceLabel;
    QTableView* m_table;
    QList<FleetSource*> m_sources;
    int m_sizedColumns = 0;
};

} // namespace sd
