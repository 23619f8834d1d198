// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/FleetDock.h"

#include "itemmodels/FleetModel.h"
#include "itemmodels/SignalSummaryModel.h"
#include "sources/FleetSource.h"
#include "ui/charts/PaletteStyle.h"
#include "ui/charts/StateCellDelegate.h"

#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace sd {

FleetDock::FleetDock(const QList<SourceConfig>& sources, SignalSummaryModel* tiles, QMainWindow* window)
    : QDockWidget(tr("Fleet (remote probers)"), window)
    , m_model(new FleetModel(this))
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
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setItemDelegate(new StateCellDelegate(FleetModel::CellStateRole, m_table));
    layout->addWidget(m_table);
    setWidget(body);

    m_model->setSources(sources);
    for (int i = 0; i < sources.size(); ++i) {
        auto* source = new FleetSource(sources[i], this);
        connect(source, &FleetSource::updated, this, [this, i](const SourceSnapshot& snapshot) {
            m_model->setSnapshot(i, snapshot);
            refresh();
        });
        m_sources.append(source);
    }
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
}

} // namespace sd
