// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStyledItemDelegate>

namespace sd {

/// Paints a latency sparkline in a table cell: `index.data(sparklineRole)` is a QList<double> of latencies
/// in ms, oldest first, where NaN (qQNaN()) marks a failed probe. The line is scaled from zero to the
/// largest latency in the list (so a flat line means steady, not small), broken where a probe failed, and
/// every failure is drawn as a red tick at the bottom of the cell, so failures show even when every probe
/// failed. The cell background and selection come from the style; on a selected row the line takes the
/// highlighted-text colour.
class SparklineDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    SparklineDelegate(int sparklineRole, QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    int sparklineRole() const { return m_role; }

private:
    int m_role;
};

} // namespace sd
