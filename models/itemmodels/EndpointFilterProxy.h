// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "itemmodels/EndpointFilter.h"

#include <QSortFilterProxyModel>

namespace sd {

/// A thin QSortFilterProxyModel over EndpointTableModel: rows pass EndpointFilter (the rule lives there)
/// with facts read from the source's roles (SearchTextRole, TagsRole, OverallStateRole, SignalStatesRole),
/// and sorting uses EndpointTableModel::SortRole, so numbers sort as numbers. The filter role is
/// SearchTextRole, which the source includes whenever a status changes, so that a row that starts or
/// stops raising a signal appears or disappears with the batch that changed it.
class EndpointFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit EndpointFilterProxy(QObject* parent = nullptr);

    void setFilterText(const QString& text);
    void setTagFilter(const QString& tag);
    void setMinimumState(std::optional<SignalState> state);
    void setSignalFilter(FailureSignal signal);
    /// Replaces the whole filter at once (one re-filter).
    void setFilter(const EndpointFilter& filter);
    FailureSignal signalFilter() const { return m_filter.signal; }
    const EndpointFilter& filter() const { return m_filter; }
    /// While held, the rows keep their order and set as batches change the data (the pointer is over the
    /// table, a row's menu or editor is open: nothing may move under it); released, the proxy sorts and
    /// filters once and follows the data again. Holds nest: each hold needs its release.
    void holdOrder();
    void releaseOrder();
    bool orderHeld() const { return m_holds > 0; }

signals:
    void filterChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    EndpointFilter m_filter;
    int m_holds = 0;
};

} // namespace sd
