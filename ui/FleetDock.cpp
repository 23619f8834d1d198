// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/FleetDock.h"

#include "itemmodels/FleetModel.h"
#include "itemmodels/SignalSummaryModel.h"
#include "sources/FleetSource.h"
#include "ui/charts/PaletteStyle.h"
#include "ui/charts/StateCellDelegate.h"

#include <QGuiApplication>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace sd {

namespace {

/// The rows a tile's signal leaves (every row for None).
class FleetSignalProxy : public QSortFilterProxyModel {
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setSignal(FailureSignal signal)
    {
        if (signal == m_signal)
            return;
        m_signal = signal;
        invalidateRowsFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override
    {
        if (m_signal == FailureSignal::None || parent.isValid())
            return true;
        const auto* fleet = static_cast<const FleetModel*>(sourceModel());
        return fleet->rowRaises(row, m_signal);
    }

private:
    FailureSignal m_signal = FailureSignal::None;
};

} // namespace

FleetDock::FleetDock(const QList<SourceConfig>& sources, SignalSummaryModel* tiles, QMainWindow* window)
    : QDockWidget(tr("Fleet (remote probers)"), window)
    , m_model(new FleetModel(this))
    , m_proxy(new FleetSignalProxy(this))
    , m_tiles(tiles)
{
    setObjectName(QStringLiteral("fleetDock"));
    auto* body = new QWidget(this);
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 2, 4, 4);
    m_sourceLabel = new QLabel(body);
    m_sourceLabel->setObjectName(QStringLiteral("fleetSourceLabel"));
    m_sourceLabel->setWordWrap(true);
    m_sourceLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_sourceLabel);
    m_table = new QTableView(body);
    m_table->setObjectName(QStringLiteral("fleetTable"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setDynamicSortFilter(true);
    m_table->setModel(m_proxy);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    // Cells, not rows: a location's cell charts that location, the endpoint's name every location of the row.
    m_table->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setToolTip(tr("Select an endpoint to chart it from Prometheus: its name for every location, a "
                           "location's cell (Ctrl+click for more) for those locations"));
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setItemDelegate(new StateCellDelegate(FleetModel::CellStateRole, m_table));
    layout->addWidget(m_table);
    setWidget(body);

    m_model->setSources(sources);
    for (const SourceConfig& config : sources)
        m_sources.append(addSource(config));
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &FleetDock::selectionChanged);
    refresh();

    window->addDockWidget(Qt::BottomDockWidgetArea, this, Qt::Vertical);
    // Room for about ten rows once the window has its (restored) layout: taken from the event log above when
    // the fleet panel came out smaller; a layout where it is taller is left alone.
    QTimer::singleShot(0, this, [this, window] {
        if (height() >= 260)
            return;
        if (auto* log = window->findChild<QDockWidget*>(QStringLiteral("eventLogDock")); log && log->isVisible())
            window->resizeDocks({ log, this }, { 110, 280 }, Qt::Vertical);
        else
            window->resizeDocks({ this }, { 280 }, Qt::Vertical);
    });
    if (auto* viewMenu = window->findChild<QMenu*>(QStringLiteral("viewMenu")))
        viewMenu->addAction(toggleViewAction());
    for (FleetSource* source : std::as_const(m_sources))
        source->start();
}

FleetSource* FleetDock::addSource(const SourceConfig& config)
{
    auto* source = new FleetSource(config, this);
    connect(source, &FleetSource::updated, this, [this, source](const SourceSnapshot& snapshot) {
        const auto i = m_sources.indexOf(source);
        if (i < 0)
            return;
        m_model->setSnapshot(static_cast<int>(i), snapshot);
        refresh();
    });
    return source;
}

void FleetDock::setSources(const QList<SourceConfig>& sources)
{
    const bool hadSources = !m_sources.isEmpty();
    QList<FleetSource*> old = m_sources;
    QList<FleetSource*> next;
    QList<FleetSource*> started;
    QList<SourceSnapshot> snapshots;
    for (const SourceConfig& config : sources) {
        const auto same
            = std::find_if(old.begin(), old.end(), [&config](const FleetSource* s) { return s->config() == config; });
        FleetSource* source = nullptr;
        if (same != old.end()) {
            source = *same;
            old.erase(same);
        } else {
            source = addSource(config);
            started.append(source);
        }
        next.append(source);
        snapshots.append(source->snapshot());
    }
    // Removed (or changed) sources go first: their polls are aborted quietly, and they leave the model.
    m_sources = next;
    qDeleteAll(old);
    m_model->setSnapshots(snapshots);
    for (FleetSource* source : std::as_const(started))
        source->start();
    refresh();
    if (sources.isEmpty())
        hide();
    else if (!hadSources)
        show();
    emit selectionChanged(); // a reset model dropped the selection without a word
}

void FleetDock::setSignalFilter(FailureSignal signal)
{
    m_signalFilter = signal;
    static_cast<FleetSignalProxy*>(m_proxy)->setSignal(signal);
}

std::optional<RemoteSelection> FleetDock::selection() const
{
    const QModelIndexList selected = m_table->selectionModel()->selectedIndexes();
    if (selected.isEmpty())
        return std::nullopt;
    // The first row selected (in table order), and the locations chosen in it.
    int proxyRow = selected.first().row();
    for (const QModelIndex& index : selected)
        proxyRow = std::min(proxyRow, index.row());
    const int row = m_proxy->mapToSource(m_proxy->index(proxyRow, 0)).row();
    const FleetModel::RowInfo info = m_model->rowInfo(row);
    if (info.source < 0 || info.source >= m_sources.size())
        return std::nullopt;
    QStringList locations;
    bool wholeRow = false;
    for (const QModelIndex& index : selected) {
        if (index.row() != proxyRow)
            continue;
        const QString location = index.data(FleetModel::LocationRole).toString();
        if (index.column() < FleetModel::FirstLocationColumn)
            wholeRow = true;
        else if (info.locations.contains(location) && !locations.contains(location))
            locations.append(location);
    }
    if (wholeRow || locations.isEmpty())
        locations = info.locations;
    locations.sort();
    RemoteSelection out;
    out.source = m_sources[info.source]->config();
    out.sourceName = m_model->snapshots().value(info.source).name;
    out.endpoint = info.endpoint;
    out.locations = locations;
    for (const QString& location : std::as_const(locations)) {
        if (const RemoteEndpoint* e = m_model->find(out.sourceName, info.endpoint, location)) {
            if (out.url.isEmpty())
                out.url = e->url;
            const QString stale = m_model->snapshots().value(info.source).stale() ? tr("stale: ") : QString();
            out.cellLines.append(location + u": "_qs + stale + FleetModel::cellText(*e));
        }
    }
    return out;
}

bool FleetDock::select(const QString& sourceName, const QString& endpoint, const QString& location)
{
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        const int row = m_proxy->mapToSource(m_proxy->index(r, 0)).row();
        const FleetModel::RowInfo info = m_model->rowInfo(row);
        if (info.endpoint != endpoint || m_model->snapshots().value(info.source).name != sourceName)
            continue;
        int column = FleetModel::EndpointColumn;
        if (!location.isEmpty()) {
            const auto at = m_model->locations().indexOf(location);
            if (at < 0)
                return false;
            column = FleetModel::FirstLocationColumn + static_cast<int>(at);
        }
        const QModelIndex index = m_proxy->index(r, column);
        m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
        m_table->scrollTo(index);
        return true;
    }
    return false;
}

void FleetDock::clearSelection()
{
    m_table->selectionModel()->clearSelection();
}

FleetDock::~FleetDock()
{
    // The sources first, while the model they feed still exists.
    qDeleteAll(std::exchange(m_sources, {}));
}

void FleetDock::refresh()
{
    const QString text = m_model->sourceStatusText();
    m_sourceLabel->setText(text);
    m_sourceLabel->setStyleSheet(
        m_model->anySourceUnhealthy() ? noticeStyleSheet(QGuiApplication::palette()) : QString());
    // Widths once per new set of columns: the endpoint name wide, each location wide enough for its cell.
    if (m_model->columnCount() != m_sizedColumns) {
        m_sizedColumns = m_model->columnCount();
        m_table->setColumnWidth(FleetModel::EndpointColumn, 190);
        m_table->setColumnWidth(FleetModel::SourceColumn, 130);
        for (int c = FleetModel::FirstLocationColumn; c < m_sizedColumns; ++c)
            m_table->setColumnWidth(c, 230);
    }
    if (m_tiles)
        m_tiles->setRemoteEndpoints(m_model->remoteSignals());
    emit tilesChanged();
    // The chosen endpoint's cells changed with the poll: the detail pane's last-probe lines follow.
    if (m_table->selectionModel()->hasSelection())
        emit selectionChanged();
}

} // namespace sd
