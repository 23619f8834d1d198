// SPDX-License-Identifier: GPL-3.0-or-later
#include "StateCellDelegate.h"

#include "core/FailureSignal.h"
#include "ui/charts/SignalColors.h"

#include <QApplication>
#include <QPainter>

namespace sd {

StateCellDelegate::StateCellDelegate(int stateRole, QObject* parent)
    : QStyledItemDelegate(parent)
    , m_stateRole(stateRole)
{
}

void StateCellDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const QVariant stateValue = index.data(m_stateRole);
    if (!stateValue.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const auto state = static_cast<SignalState>(stateValue.toInt());
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    if (!(opt.state & QStyle::State_Selected) && state != SignalState::Unknown && state != SignalState::Ok) {
        QColor wash = stateColor(state, opt.palette);
        wash.setAlphaF(state == SignalState::Critical ? 0.28 : 0.22);
        painter->fillRect(opt.rect, wash);
    }
    opt.icon = stateIcon(state, 16);
    opt.features |= QStyleOptionViewItem::HasDecoration;
    opt.decorationSize = QSize(14, 14);
    opt.backgroundBrush = Qt::NoBrush;
    const QWidget* widget = opt.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
}

} // namespace sd
