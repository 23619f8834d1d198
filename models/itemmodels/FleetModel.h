// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "itemmodels/SignalSummaryModel.h"
#include "sources/FleetTypes.h"

#include <QAbstractTableModel>
#include <QHash>

namespace sd {

/// The fleet table: what the remote probers of every `sources` entry report. One row per (source, endpoint),
/// one column per location after the Endpoint and Source columns; a cell holds that location's view of the
/// endpoint (state, failing signals, latency or status), empty where the location does not probe it.
/// Rows and columns follow the sources' snapshots (setSnapshot()); a snapshot of a source that is not Up
/// keeps its endpoints but shows them stale: state Unknown, text "stale: …", never as failing.
/// Qt Core only.
class FleetModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { EndpointColumn = 0, SourceColumn = 1, FirstLocationColumn = 2 };
    enum Role {
        CellStateRole = Qt::UserRole + 1, ///< int(SignalState) of the cell (Unknown when stale; none when empty)
        LatencyMsRole, ///< double, -1 unknown
        HttpStatusRole, ///< int, -1 unknown
        OutcomeRole, ///< "ok", "auth", … or empty
        SignalStatesRole, ///< QVariantList of 4 int(SignalState)
        StaleRole, ///< bool: the source is not Up, the cell shows its last known state
        LocationRole, ///< the column's location
        EndpointNameRole,
        CircuitRole, ///< int, -1 unknown
    };
    Q_ENUM(Role)

    explicit FleetModel(QObject* parent = nullptr);

    /// Declares the sources in config order (names as sourceDisplayName()); forgets every snapshot.
    void setSources(const QList<SourceConfig>& sources);
    /// The latest snapshot of source `index`.
    void setSnapshot(int index, const SourceSnapshot& snapshot);
    /// A new list of sources with their snapshots (a config applied: sources kept keep their snapshots, new ones
    /// come as Connecting). Rows of the sources kept stay as they were when the shape does not change.
    void setSnapshots(const QList<SourceSnapshot>& snapshots);

    /// What a row is: the index of its source (config order), its endpoint, and the locations that report it.
    struct RowInfo {
        int source = -1;
        QString endpoint;
        QStringList locations; ///< sorted
    };
    RowInfo rowInfo(int row) const;
    /// True when a location of `row` that is not stale raises `signal` (Warning or worse): what a tile filters by.
    bool rowRaises(int row, FailureSignal signal) const;
    QStringList locations() const { return m_locations; }
    const QList<SourceSnapshot>& snapshots() const { return m_snapshots; }
    /// The cell of `endpoint` from source `source` at `location`; nullptr when there is none.
    const RemoteEndpoint* find(const QString& source, const QString& endpoint, const QString& location) const;
    /// One line per source: "prom-eu (Prometheus): up · 2 endpoints × 2 locations · last query 14:02:11, 12 ms"
    /// or "… down since …: <why> · last successful query 14:01:50".
    QString sourceStatusText() const;
    /// The worst state over every source that is not Up (Unknown when all are up).
    bool anySourceUnhealthy() const;

    /// Every remote (endpoint, location) that is not stale, as the signal tiles count them.
    /// Keys "remote:<source>/<location>/<endpoint>", names "<endpoint> @ <location>".
    QList<SignalSummaryModel::RemoteEndpointSignals> remoteSignals() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// The text of a cell: "OK · 14 ms", "Critical S1 · no HTTP answer", "Critical S2 · HTTP 401".
    static QString cellText(const RemoteEndpoint& endpoint);

signals:
    /// After every snapshot: the tiles and the source line follow.
    void sourcesChanged();

private:
    struct Row {
        int source = 0;
        QString endpoint;
        QHash<QString, int> cells; ///< location → index into m_snapshots[source].endpoints
    };
    void rebuild();

    QList<SourceSnapshot> m_snapshots;
    QStringList m_locations;
    QList<Row> m_rows;
};

} // namespace sd
