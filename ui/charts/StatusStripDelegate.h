// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStyledItemDelegate>

namespace sd {

/// Paints an endpoint's last probes as a strip of cells (the uptime bars operators know from Uptime Kuma),
/// oldest left, newest at the right edge: `index.data(stripRole)` is a QList<int> of codes, 0 = OK, 1..4 =
/// the signal S1..S4 a failure raised, 5 = a failure without a signal (5xx, failed check). An OK probe is a
/// short green cell; a failure is a full-height cell in its signal's colour, so failures read by height as
/// well as by colour. Cells the list does not fill yet stay empty. At least 2 px per cell: a narrow column
/// shows the newest probes that fit.
class StatusStripDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    StatusStripDelegate(int stripRole, int cells, QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    /// The cells as painted in `rect` for `codes`: one rectangle per drawn probe, oldest first.
    QList<QRect> cellRects(const QRect& rect, const QList<int>& codes) const;
    /// The colour of a probe code's cell.
    static QColor cellColor(int code, const QPalette& palette);

private:
    int m_role;
    int m_cells;
};

} // namespace sd
