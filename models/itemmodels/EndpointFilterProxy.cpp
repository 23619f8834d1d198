// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/EndpointFilterProxy.h"

#include "itemmodels/EndpointTableModel.h"

namespace sd {

EndpointFilterProxy::EndpointFilterProxy(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(EndpointTableModel::SortRole);
    setFilterRole(EndpointTableModel::SearchTextRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void EndpointFilterProxy::setFilter(const EndpointFilter& filter)
{
    if (filter == m_filter)
        return;
    m_filter = filter;
    invalidateFilter();
    emit filterChanged();
}

void EndpointFilterProxy::setFilterText(const QString& text)
{
    EndpointFilter f = m_filter;
    f.text = text;
    setFilter(f);
}

void EndpointFilterProxy::setTagFilter(const QString& tag)
{
    EndpointFilter f = m_filter;
    f.tag = tag;
    setFilter(f);
}

void EndpointFilterProxy::setMinimumState(std::optional<SignalState> state)
{
    EndpointFilter f = m_filter;
    f.minimumState = state;
    setFilter(f);
}

void EndpointFilterProxy::setSignalFilter(FailureSignal signal)
{
    EndpointFilter f = m_filter;
    f.signal = signal;
    setFilter(f);
}

bool EndpointFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_filter.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    EndpointFilterFacts facts;
    facts.searchText = index.data(EndpointTableModel::SearchTextRole).toString();
    facts.tags = index.data(EndpointTableModel::TagsRole).toStringList();
    facts.overall = static_cast<SignalState>(index.data(EndpointTableModel::OverallStateRole).toInt());
    const QVariantList states = index.data(EndpointTableModel::SignalStatesRole).toList();
    for (qsizetype i = 0; i < states.size() && i < kSignalCount; ++i)
        facts.states[static_cast<std::size_t>(i)] = static_cast<SignalState>(states[i].toInt());
    return m_filter.accepts(facts);
}

void EndpointFilterProxy::holdOrder()
{
    if (m_holds++ == 0)
        setDynamicSortFilter(false);
}

void EndpointFilterProxy::releaseOrder()
{
    if (m_holds == 0 || --m_holds > 0)
        return;
    setDynamicSortFilter(true);
    invalidate(); // what changed meanwhile: one re-sort and re-filter now
}

} // namespace sd
