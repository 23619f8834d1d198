// SPDX-License-Identifier: GPL-3.0-or-later
#include "RowNote.h"

#include <QAbstractItemView>
#include <QScrollBar>
#include <QTimer>

namespace sd {

RowNote::RowNote(QAbstractItemView* view)
    : QLabel(view->viewport())
    , m_view(view)
    , m_timer(new QTimer(this))
{
    setObjectName(u"rowNote"_qs);
    setWordWrap(true);
    setAutoFillBackground(true);
    setFrameShape(QFrame::StyledPanel);
    setMargin(4);
    setForegroundRole(QPalette::ToolTipText);
    setBackgroundRole(QPalette::ToolTipBase);
    hide();
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &QWidget::hide);
    // The row moves (scrolling, a re-sort once the pointer leaves): the note moves with it.
    connect(view->verticalScrollBar(), &QScrollBar::valueChanged, this, &RowNote::place);
    if (view->model())
        connect(view->model(), &QAbstractItemModel::layoutChanged, this, &RowNote::place);
}

void RowNote::showFor(const QModelIndex& index, const QString& text, int milliseconds)
{
    m_row = index;
    setText(text);
    setToolTip(text);
    place();
    show();
    raise();
    m_timer->start(milliseconds);
}

void RowNote::place()
{
    const QWidget* viewport = m_view->viewport();
    const int width = std::min(viewport->width() - 8, std::max(320, viewport->width() / 2));
    setFixedWidth(std::max(80, width));
    const int wrapped = heightForWidth(this->width());
    setFixedHeight(wrapped > 0 ? wrapped : sizeHint().height());
    int y = 2;
    if (m_row.isValid()) {
        const QRect rect = m_view->visualRect(m_view->model()->index(m_row.row(), 0, m_row.parent()));
        y = rect.bottom() + 2;
        if (y + height() > viewport->height())
            y = std::max(0, rect.top() - height() - 2); // the last visible row: above it
    }
    move(4, y);
}

void RowNote::mousePressEvent(QMouseEvent* event)
{
    hide();
    QLabel::mousePressEvent(event);
}

QString probeRefusalText(const QString& name, const QString& refusal)
{
    QString why = refusal;
    const QString prefix = name + u": "_qs;
    if (!name.isEmpty() && why.startsWith(prefix))
        why = why.mid(prefix.size());
    const QString notProbed = u"not probed: "_qs;
    if (why.startsWith(notProbed))
        why = why.mid(notProbed.size());
    return name.isEmpty() ? QObject::tr("Not probed: %1").arg(why)
                          : QObject::tr("%1 was not probed: %2").arg(name, why);
}

} // namespace sd
