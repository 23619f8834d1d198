// SPDX-License-Identifier: GPL-3.0-or-later
#include "IncidentActions.h"

#include "MainWindow.h"
#include "SignalTile.h"
#include "TrayNotifier.h"
#include "controller/Controller.h"
#include "health/AcknowledgementFile.h"
#include "itemmodels/EndpointFilterProxy.h"
#include "itemmodels/EndpointTableModel.h"
#include "ui/charts/StateCellDelegate.h"

#include <QAction>
#include <QDebug>
#include <QItemSelectionModel>
#include <QMenu>
#include <QMenuBar>
#include <QTableView>
#include <QTimeZone>
#include <QTimer>

namespace sd {

IncidentActions::IncidentActions(MainWindow* window)
    : QObject(window)
    , m_window(window)
    , m_edgeTimer(new QTimer(this))
    , m_acknowledgementsPath(window->controller()->acknowledgementsPath())
{
    m_edgeTimer->setSingleShot(true);
    connect(m_edgeTimer, &QTimer::timeout, this, &IncidentActions::refresh);
    window->tray()->setIncidentPolicy(&m_policy);
    window->endpointModel()->setIncidentPolicy(&m_policy);
    connect(window->controller(), &Controller::configApplied, this, &IncidentActions::setConfig);
    // The State cell draws the mark (paused, maintenance, acknowledged) in place of the state icon.
    auto* stateCell = new StateCellDelegate(EndpointTableModel::CellStateRole, window->table());
    stateCell->setMarkRole(EndpointTableModel::MarkRole);
    window->table()->setItemDelegateForColumn(EndpointTableModel::State, stateCell);

    auto make = [this](const QString& name, const QString& text, const QKeySequence& key, auto slot) {
        auto* a = new QAction(text, m_window);
        a->setObjectName(name);
        a->setShortcut(key);
        a->setShortcutContext(Qt::WindowShortcut);
        connect(a, &QAction::triggered, this, slot);
        m_window->addAction(a);
        m_window->table()->addAction(a);
        return a;
    };
    auto* separator = new QAction(m_window);
    separator->setSeparator(true);
    m_window->table()->addAction(separator);
    QAction* ack = make(u"acknowledge"_qs, tr("&Acknowledge"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A),
        &IncidentActions::acknowledgeSelected);
    ack->setToolTip(tr("Stop notifications about the selected critical endpoints until they recover"));
    QAction* start = make(u"startMaintenance"_qs, tr("&Maintenance for 1 hour"),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M), [this] { startMaintenanceForSelected(std::chrono::hours(1)); });
    start->setToolTip(tr("Keep probing the selected endpoints but notify nothing about them for an hour"));
    QAction* end = make(u"endMaintenance"_qs, tr("E&nd maintenance"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
        &IncidentActions::endMaintenanceForSelected);
    if (auto* menu = m_window->menuBar()->findChild<QMenu*>(u"endpointsMenu"_qs)) {
        menu->addSeparator();
        menu->addActions({ ack, start, end });
    }
    m_policy.setConfig(window->config());
    // An operator who restarts during an incident is not paged again about what they acknowledged.
    QString error;
    m_kept = AcknowledgementFile::read(m_acknowledgementsPath, &error);
    if (!error.isEmpty())
        qWarning().noquote() << "acknowledgements not restored:" << error;
    m_policy.restoreAcknowledgements(m_kept);
    setConfig(window->config());
}

void IncidentActions::setConfig(const AppConfig& config)
{
    m_policy.setConfig(config);
    keepAcknowledgements();
    refresh();
}

void IncidentActions::keepAcknowledgements()
{
    const QHash<QString, QDateTime> now = m_policy.acknowledgements();
    if (now == m_kept)
        return;
    QString error;
    if (AcknowledgementFile::write(m_acknowledgementsPath, now, &error))
        m_kept = now;
    else
        qWarning().noquote() << "acknowledgements not kept:" << error;
}

QStringList IncidentActions::selectedNames() const
{
    QStringList names;
    const QModelIndexList rows = m_window->table()->selectionModel()->selectedRows();
    for (const QModelIndex& index : rows)
        names << m_window->endpointModel()->endpoint(m_window->filterProxy()->mapToSource(index).row()).name;
    return names;
}

void IncidentActions::applyBatch(const EngineBatch& batch)
{
    bool changed = false;
    for (const EndpointStatus& status : batch.statuses)
        changed |= m_policy.observe(status.key, status.overall);
    // The State column of all rows only when a mark changed (a paused status comes with the batch's own
    // rows): with a thousand endpoints a full-column refresh per batch cost the GUI thread for nothing.
    if (changed) {
        m_window->endpointModel()->refreshMarks();
        keepAcknowledgements();
    }
    updateHandling();
}

void IncidentActions::refresh()
{
    m_window->endpointModel()->refreshMarks();
    updateHandling();
}

void IncidentActions::updateHandling()
{
    EndpointTableModel* model = m_window->endpointModel();
    const QAction* pause = m_window->action(u"pauseProbing"_qs);
    const bool paused = pause && pause->isChecked();
    for (FailureSignal s : kAllSignals) {
        const EndpointTableModel::MarkCounts c = model->markCounts(s);
        m_window->tile(s)->setHandling({ c.acknowledged, c.maintenance, c.paused }, paused);
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (const QDateTime next = m_policy.nextChange(now); next.isValid())
        m_edgeTimer->start(static_cast<int>(std::clamp<qint64>(now.msecsTo(next) + 50, 50, 3'600'000)));
    else
        m_edgeTimer->stop();
}

void IncidentActions::acknowledgeSelected()
{
    EndpointTableModel* model = m_window->endpointModel();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QStringList acknowledged;
    QStringList notCritical;
    for (const QString& name : selectedNames()) {
        for (int row = 0; row < model->rowCount(); ++row) {
            const EndpointConfig e = model->endpoint(row);
            if (e.name != name)
                continue;
            if (m_policy.acknowledge(endpointKey(e), model->status(row).overall, now))
                acknowledged << name;
            else
                notCritical << name;
        }
    }
    keepAcknowledgements();
    refresh();
    if (!acknowledged.isEmpty())
        emit message(
            tr("Acknowledged %1: no notifications about it until it recovers").arg(acknowledged.join(u", "_qs)));
    else if (!notCritical.isEmpty())
        emit message(tr("Not acknowledged: %1 is not critical").arg(notCritical.join(u", "_qs)));
    else
        emit message(tr("Select a critical endpoint to acknowledge it"));
}

void IncidentActions::startMaintenanceForSelected(std::chrono::minutes duration)
{
    const QStringList names = selectedNames();
    if (names.isEmpty()) {
        emit message(tr("Select the endpoints to put in maintenance"));
        return;
    }
    AppConfig next = m_window->config();
    MaintenanceWindow w;
    w.endpoints = names;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // Whole minutes, as a person would write it (and as the file keeps it).
    w.from = QDateTime(now.date(), QTime(now.time().hour(), now.time().minute()), QTimeZone::utc());
    w.to = w.from.addSecs(std::chrono::duration_cast<std::chrono::seconds>(duration).count() + 60);
    w.reason = tr("set from the window");
    next.maintenance.append(w);
    if (m_window->applyConfig(next))
        emit message(tr("%1 in maintenance until %2: probing continues, nothing is notified")
                         .arg(names.join(u", "_qs), w.to.toLocalTime().toString(u"HH:mm"_qs)));
}

void IncidentActions::endMaintenanceForSelected()
{
    const QStringList names = selectedNames();
    AppConfig next = m_window->config();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    int ended = 0;
    for (MaintenanceWindow& w : next.maintenance) {
        if (!w.activeAt(now))
            continue;
        for (const EndpointConfig& e : std::as_const(next.endpoints)) {
            if (!names.contains(e.name) || !w.covers(e))
                continue;
            w.endpoints.removeAll(e.name);
            if (w.covers(e))
                w.to = now; // covered by a tag: the whole window ends
            ++ended;
        }
    }
    next.maintenance.removeIf([&now](const MaintenanceWindow& w) {
        return (w.endpoints.isEmpty() && w.tags.isEmpty()) || (w.to.isValid() && w.to <= now && !w.excludeFromUptime);
    });
    if (ended == 0) {
        emit message(tr("None of the selected endpoints is in maintenance"));
        return;
    }
    if (m_window->applyConfig(next))
        emit message(tr("Maintenance ended for %1").arg(names.join(u", "_qs)));
}

} // namespace sd
