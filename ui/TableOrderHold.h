// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QPointer>
#include <QSet>

class QTableView;
class QWidget;

namespace sd {

class EndpointFilterProxy;

/// Keeps the endpoint table still while the operator is at it: while the pointer is over the table, while
/// a row's context menu is open, and while a dialog of the window is open (the editor, a confirmation),
/// the proxy holds its order (EndpointFilterProxy::holdOrder); it sorts once when all of them are over.
/// The context menu is the table's actions, shown by this class so that it knows when the menu closes.
class TableOrderHold : public QObject {
    Q_OBJECT
public:
    TableOrderHold(QTableView* table, EndpointFilterProxy* proxy, QWidget* window);
    ~TableOrderHold() override;

    bool pointerInside() const { return m_pointerHold; }
    /// The menu the table shows on a right click (for tests: it is open while the hold lasts).
    void showContextMenu(const QPoint& viewportPos);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void setPointerHold(bool hold);
    void holdWhileAlive(QObject* object);
    void setDialogHold(QObject* dialog, bool hold);

    QTableView* m_table;
    QPointer<EndpointFilterProxy> m_proxy;
    QWidget* m_window;
    bool m_pointerHold = false;
    int m_ownHolds = 0;
    QSet<QObject*> m_heldDialogs;
    QSet<QObject*> m_watchedDialogs;
};

} // namespace sd
