// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStyledItemDelegate>

namespace sd {

/// Paints a state cell (overall state, S1–S4, circuit) as icon + word on a light wash of the state colour,
/// so a state reads without colour, too. The state comes from `stateRole` (an int SignalState).
class StateCellDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    StateCellDelegate(int stateRole, QObject* parent = nullptr);
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
    int m_stateRole;
};

} // namespace sd
