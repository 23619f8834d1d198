// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/charts/StatusSummaryLine.h"

#include "itemmodels/EndpointTableModel.h"

#include <QTimer>

namespace sd {

StatusSummaryLine::StatusSummaryLine(EndpointTableModel* model, QWidget* parent)
    : QLabel(parent)
    , m_model(model)
    , m_pending(new QTimer(this))
{
    setObjectName(u"statusSummary"_qs);
    setTextFormat(Qt::RichText);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    m_pending->setSingleShot(true);
    m_pending->setInterval(0);
    connect(m_pending, &QTimer::timeout, this, &StatusSummaryLine::recount);
    auto schedule = [this] {
        if (!m_pending->isActive())
            m_pending->start();
    };
    connect(model, &QAbstractItemModel::dataChanged, this, schedule);
    connect(model, &QAbstractItemModel::modelReset, this, schedule);
    connect(model, &QAbstractItemModel::rowsInserted, this, schedule);
    connect(model, &QAbstractItemModel::rowsRemoved, this, schedule);
    recount();
}

void StatusSummaryLine::recount()
{
    const EndpointTableModel::StateCounts c = m_model->stateCounts();
    struct Part {
        int count;
        QString word;
        bool strong;
    };
    const QList<Part> parts { { c.up, tr("up"), false }, { c.warning, tr("warning"), c.critical == 0 && c.warning > 0 },
        { c.critical, tr("critical"), c.critical > 0 }, { c.paused, tr("paused"), false } };
    QStringList plain;
    QStringList rich;
    for (const Part& p : parts) {
        const QString text = QString::number(p.count) + u' ' + p.word;
        plain << text;
        rich << (p.strong ? u"<b>"_qs + text + u"</b>"_qs : text);
    }
    if (c.unknown > 0) {
        const QString text = tr("%1 not probed yet").arg(c.unknown);
        plain << text;
        rich << text;
    }
    const QString separator = u" \u00b7 "_qs;
    const QString joined = plain.join(separator);
    if (joined == m_plain)
        return;
    m_plain = joined;
    setText(rich.join(separator));
    setAccessibleName(m_plain);
}

} // namespace sd
