// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/charts/StatusStripDelegate.h"

#include "core/FailureSignal.h"
#include "ui/charts/SignalColors.h"

#include <QApplication>
#include <QPainter>

#include <algorithm>

namespace sd {

StatusStripDelegate::StatusStripDelegate(int stripRole, int cells, QObject* parent)
    : QStyledItemDelegate(parent)
    , m_role(stripRole)
    , m_cells(std::max(1, cells))
{
}

QSize StatusStripDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    Q_UNUSED(option);
    Q_UNUSED(index);
    return { 4 * m_cells + 6, 20 };
}

QColor StatusStripDelegate::cellColor(int code, const QPalette& palette)
{
    if (code == 0)
        return stateColor(SignalState::Ok, palette);
    if (code >= 1 && code <= 4)
        return signalColor(static_cast<FailureSignal>(code));
    return signalColor(FailureSignal::None);
}

QList<QRect> StatusStripDelegate::cellRects(const QRect& rect, const QList<int>& codes) const
{
    const QRect area = rect.adjusted(3, 3, -3, -3);
    QList<QRect> cells;
    if (area.width() < 2 || area.height() < 4 || codes.isEmpty())
        return cells;
    // Whole pixels per cell with a 1 px gap when there is room, so cells never blur into each other.
    const int pitch = std::max(2, area.width() / m_cells);
    const int gap = pitch >= 4 ? 1 : 0;
    const int fit = std::min<int>(static_cast<int>(codes.size()), area.width() / pitch);
    const int okHeight = std::max(3, area.height() * 3 / 5);
    cells.reserve(fit);
    const qsizetype first = codes.size() - fit;
    for (qsizetype i = first; i < codes.size(); ++i) {
        // Newest at the right edge.
        const int x = area.right() + 1 - static_cast<int>(codes.size() - i) * pitch;
        const int h = codes.at(i) == 0 ? okHeight : area.height();
        cells.append(QRect(x, area.bottom() + 1 - h, pitch - gap, h));
    }
    return cells;
}

void StatusStripDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.icon = QIcon();
    opt.showDecorationSelected = true;
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const auto codes = index.data(m_role).value<QList<int>>();
    const QList<QRect> cells = cellRects(option.rect, codes);
    if (cells.isEmpty())
        return;
    const qsizetype first = codes.size() - cells.size();
    for (qsizetype i = 0; i < cells.size(); ++i)
        painter->fillRect(cells.at(i), cellColor(codes.at(first + i), option.palette));
}

} // namespace sd
