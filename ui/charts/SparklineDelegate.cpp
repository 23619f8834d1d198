// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/charts/SparklineDelegate.h"

#include "ui/charts/SignalColors.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace sd {

SparklineDelegate::SparklineDelegate(int sparklineRole, QObject* parent)
    : QStyledItemDelegate(parent)
    , m_role(sparklineRole)
{
}

QSize SparklineDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    Q_UNUSED(option);
    Q_UNUSED(index);
    return { 100, 20 };
}

void SparklineDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    // Background, selection and focus as the style draws them, without text or icon.
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.icon = QIcon();
    // The sparkline fills the cell, so the whole cell shows the selection.
    opt.showDecorationSelected = true;
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const auto values = index.data(m_role).value<QList<double>>();
    if (values.isEmpty())
        return;
    const QRectF area = QRectF(option.rect).adjusted(3, 3, -3, -3);
    if (area.width() < 4 || area.height() < 4)
        return;

    double largest = 0;
    for (double v : values) {
        if (std::isfinite(v))
            largest = std::max(largest, v);
    }
    const bool selected = option.state & QStyle::State_Selected;
    const QPalette::ColorGroup group = option.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled;
    const QColor lineColor = selected ? option.palette.color(group, QPalette::HighlightedText)
                                      : option.palette.color(group, QPalette::Link);
    const QColor failColor = stateColor(SignalState::Critical, option.palette);

    const qsizetype n = values.size();
    const double dx = n > 1 ? area.width() / static_cast<double>(n - 1) : 0.0;
    auto xAt = [&](qsizetype i) { return n > 1 ? area.left() + dx * static_cast<double>(i) : area.center().x(); };
    const double tickHeight = std::max(3.0, area.height() * 0.3);
    const double lineBottom = area.bottom() - 1.0;
    const double lineHeight = area.height() - 1.0;
    // Rows snap to pixel centres: at 20 px a half-pixel blur costs more than the precision buys.
    auto yAt
        = [&](double v) { return std::floor(largest > 0 ? lineBottom - v / largest * lineHeight : lineBottom) + 0.5; };

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setClipRect(option.rect);
    QPainterPath path;
    QList<QPointF> lonePoints;
    auto finite = [&values](qsizetype i) { return i >= 0 && i < values.size() && std::isfinite(values.at(i)); };
    for (qsizetype i = 0; i < n; ++i) {
        if (!finite(i))
            continue;
        const QPointF p(xAt(i), yAt(values.at(i)));
        if (finite(i - 1))
            path.lineTo(p);
        else
            path.moveTo(p);
        // A probe between failures (or the only one) has no segment: it gets a dot.
        if (!finite(i - 1) && !finite(i + 1))
            lonePoints.append(p);
    }
    painter->setPen(QPen(lineColor, 1.3, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path);
    painter->setPen(Qt::NoPen);
    painter->setBrush(lineColor);
    for (const QPointF& p : std::as_const(lonePoints))
        painter->drawEllipse(p, 1.5, 1.5);

    painter->setRenderHint(QPainter::Antialiasing, false);
    painter->setPen(QPen(failColor, std::max(1.0, std::min(2.0, dx))));
    for (qsizetype i = 0; i < n; ++i) {
        if (std::isfinite(values.at(i)))
            continue;
        const double x = xAt(i);
        painter->drawLine(QPointF(x, area.bottom()), QPointF(x, area.bottom() - tickHeight));
    }
    painter->restore();
}

} // namespace sd
