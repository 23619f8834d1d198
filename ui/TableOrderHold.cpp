// SPDX-License-Identifier: GPL-3.0-or-later
#include "TableOrderHold.h"

#include "itemmodels/EndpointFilterProxy.h"

#include <QChildEvent>
#include <QDialog>
#include <QEvent>
#include <QMenu>
#include <QTableView>

namespace sd {

TableOrderHold::TableOrderHold(QTableView* table, EndpointFilterProxy* proxy, QWidget* window)
    : QObject(window)
    , m_table(table)
    , m_proxy(proxy)
    , m_window(window)
{
    m_table->viewport()->installEventFilter(this);
    m_window->installEventFilter(this);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, &TableOrderHold::showContextMenu);
}

TableOrderHold::~TableOrderHold()
{
    // The proxy may outlive the window's children; leave it following the data.
    if (m_proxy)
        for (; m_ownHolds > 0; --m_ownHolds)
            m_proxy->releaseOrder();
}

void TableOrderHold::showContextMenu(const QPoint& viewportPos)
{
    QMenu menu(m_table);
    menu.setObjectName(QStringLiteral("endpointContextMenu"));
    menu.addActions(m_table->actions());
    holdWhileAlive(&menu);
    menu.exec(m_table->viewport()->mapToGlobal(viewportPos));
}

bool TableOrderHold::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_table->viewport()) {
        if (event->type() == QEvent::Enter)
            setPointerHold(true);
        else if (event->type() == QEvent::Leave || event->type() == QEvent::Hide)
            setPointerHold(false);
    } else if (watched == m_window && event->type() == QEvent::ChildPolished) {
        // A dialog of the window (editor, delete confirmation, …), polished just before it is first shown
        // (at ChildAdded it is not a QDialog yet: its constructor has not run). Held while it is shown,
        // not while it merely exists (some are kept hidden for reuse).
        auto* dialog = qobject_cast<QDialog*>(static_cast<QChildEvent*>(event)->child());
        if (dialog && !m_watchedDialogs.contains(dialog)) {
            m_watchedDialogs.insert(dialog);
            dialog->installEventFilter(this);
            connect(dialog, &QObject::destroyed, this, [this, dialog] {
                m_watchedDialogs.remove(dialog);
                setDialogHold(dialog, false);
            });
        }
    } else if (event->type() == QEvent::Show || event->type() == QEvent::Hide) {
        if (watched->isWidgetType() && qobject_cast<QDialog*>(watched))
            setDialogHold(watched, event->type() == QEvent::Show);
    }
    return QObject::eventFilter(watched, event);
}

void TableOrderHold::setPointerHold(bool hold)
{
    if (hold == m_pointerHold || !m_proxy)
        return;
    m_pointerHold = hold;
    if (hold) {
        ++m_ownHolds;
        m_proxy->holdOrder();
    } else {
        --m_ownHolds;
        m_proxy->releaseOrder();
    }
}

void TableOrderHold::setDialogHold(QObject* dialog, bool hold)
{
    if (!m_proxy || hold == m_heldDialogs.contains(dialog))
        return;
    if (hold) {
        m_heldDialogs.insert(dialog);
        ++m_ownHolds;
        m_proxy->holdOrder();
    } else {
        m_heldDialogs.remove(dialog);
        --m_ownHolds;
        m_proxy->releaseOrder();
    }
}

void TableOrderHold::holdWhileAlive(QObject* object)
{
    if (!m_proxy)
        return;
    ++m_ownHolds;
    m_proxy->holdOrder();
    connect(object, &QObject::destroyed, this, [this] {
        if (m_proxy && m_ownHolds > 0) {
            --m_ownHolds;
            m_proxy->releaseOrder();
        }
    });
}

} // namespace sd
