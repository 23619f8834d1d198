// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "itemmodels/DisplayText.h"
#include "schedule/EngineTypes.h"

#include <QAbstractTableModel>

#include <deque>

namespace sd {

/// The event log: signal and circuit-breaker transitions, newest first (row 0 is the latest), bounded to
/// capacity() entries (10,000 by default; the oldest are dropped). Events arrive in batches, oldest first
/// within a batch, as the engine emits them; each batch inserts its rows at the top in one
/// rowsInserted. Time shows as local "HH:mm:ss" for events of today (per the clock), with the date for
/// older ones; SortRole gives numbers (ms since the epoch for Time, the state for Transition).
class EventLogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Time, Endpoint, Signal, Transition, Reason, ColumnCount };
    Q_ENUM(Column)

    /// Documented roles; roleNames() is generated from this enum.
    enum Role {
        SortRole = Qt::UserRole + 1, ///< numbers for Time (ms since epoch), Signal (0 overall, 1..4, 5 circuit) and
                                     ///< Transition (int SignalState reached); text for Endpoint and Reason
        KindRole, ///< "signal" or "circuit"
        ToStateRole, ///< int(SignalState) the transition reached (circuit: open = Critical, half-open = Warning)
        EndpointIdRole, ///< int
    };
    Q_ENUM(Role)

    static constexpr int kDefaultCapacity = 10'000;

    explicit EventLogModel(QObject* parent = nullptr);

    /// At most this many events are kept (at least 1); shrinking drops the oldest at once.
    void setCapacity(int maxEvents);
    int capacity() const { return m_capacity; }
    /// One row per transition: an endpoint's overall transition that a signal transition of the same
    /// batch and time already tells (same endpoint, same state reached) gets no row of its own.
    void appendEvents(const EngineEvents& events);
    static EngineEvents oneRowPerTransition(const EngineEvents& events);
    void applyBatch(const EngineBatch& batch);
    void clear();
    EngineEvent eventAt(int row) const;
    /// Where "now" comes from, to tell today's events from older ones (default: the system clock).
    void setClock(Clock clock);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    void dropOldest(int count);

    std::deque<EngineEvent> m_events; ///< newest first
    int m_capacity = kDefaultCapacity;
    Clock m_clock;
};

} // namespace sd
