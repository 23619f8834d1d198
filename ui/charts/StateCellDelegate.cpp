// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/charts/StateCellDelegate.h"

#include "core/FailureSignal.h"
#include "ui/charts/SignalColors.h"

#include <QApplication>
#include <QHash>
#include <QPainter>

namespace sd {

StateCellDelegate::StateCellDelegate(int stateRole, QObject* parent)
    : QStyledItemDelegate(parent)
    , m_stateRole(stateRole)
{
}

QString StateCellDelegate::shortWord(const QString& word)
{
    static const QHash<QString, QString> kShort {
        { QStringLiteral("Critical"), QStringLiteral("Crit") },
        { QStringLiteral("Warning"), QStringLiteral("Warn") },
        { QStringLiteral("Unknown"), QStringLiteral("\u2014") },
        { QStringLiteral("half-open"), QStringLiteral("half") },
        { QStringLiteral("Acknowledged"), QStringLiteral("Ack") },
        { QStringLiteral("Maintenance"), QStringLiteral("Maint") },
    };
    return kShort.value(word, word);
}

QString StateCellDelegate::fitText(QStyleOptionViewItem& opt) const
{
    const QWidget* widget = opt.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    const int available = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget).width();
    const QFontMetrics metrics(opt.font);
    // A few pixels of slack: the style's own eliding measures with its text margins.
    const auto fits = [&](const QString& text) { return metrics.horizontalAdvance(text) + 2 <= available; };
    if (fits(opt.text))
        return opt.text;
    const QString shorter = shortWord(opt.text);
    if (shorter == opt.text)
        return opt.text; // not a state word (an event's transition): the style elides it
    return fits(shorter) ? shorter : QString();
}

QString StateCellDelegate::shownText(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    if (index.data(m_stateRole).isValid()) {
        opt.features |= QStyleOptionViewItem::HasDecoration;
        opt.decorationSize = QSize(14, 14);
    }
    return fitText(opt);
}

QIcon StateCellDelegate::shownIcon(const QModelIndex& index) const
{
    const auto state = static_cast<SignalState>(index.data(m_stateRole).toInt());
    const auto mark = m_markRole >= 0 ? static_cast<MarkGlyph>(index.data(m_markRole).toInt()) : MarkGlyph::None;
    if (mark == MarkGlyph::None)
        return stateIcon(state, 16);
    const QPalette palette = QApplication::palette();
    return markIcon(mark,
        state == SignalState::Ok || state == SignalState::Unknown ? palette.color(QPalette::Text)
                                                                  : stateColor(state, palette),
        16);
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
    opt.icon = shownIcon(index);
    opt.features |= QStyleOptionViewItem::HasDecoration;
    opt.decorationSize = QSize(14, 14);
    opt.backgroundBrush = Qt::NoBrush;
    opt.text = fitText(opt);
    const QWidget* widget = opt.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
}

} // namespace sd
