// SPDX-License-Identifier: GPL-3.0-or-later
#include "SignalTile.h"

#include "itemmodels/DisplayText.h"
#include "ui/charts/SignalColors.h"

#include <QEvent>
#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>

namespace sd {

SignalTile::SignalTile(FailureSignal signal, QWidget* parent)
    : QFrame(parent)
    , m_signal(signal)
    , m_icon(new QLabel(this))
    , m_title(new QLabel(this))
    , m_stateLabel(new QLabel(this))
    , m_counts(new QLabel(this))
    , m_action(new QLabel(this))
    , m_reason(new QLabel(this))
{
    setObjectName(u"signalTile"_qs + signalCode(signal));
    setFocusPolicy(Qt::StrongFocus);
    setCursor(Qt::PointingHandCursor);
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setMinimumWidth(200);

    m_title->setText(u"<b>"_qs + signalCode(signal) + u"</b> "_qs + signalTitle(signal).toHtmlEscaped());
    m_title->setTextFormat(Qt::RichText);
    QFont big = m_stateLabel->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_stateLabel->setFont(big);
    m_action->setWordWrap(true);
    m_reason->setWordWrap(true);
    QFont small = m_reason->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_reason->setFont(small);
    m_reason->setForegroundRole(QPalette::PlaceholderText);

    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(10, 8, 10, 8);
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(2);
    grid->addWidget(m_icon, 0, 0, 2, 1, Qt::AlignTop);
    grid->addWidget(m_title, 0, 1);
    grid->addWidget(m_stateLabel, 1, 1);
    grid->addWidget(m_counts, 2, 0, 1, 2);
    grid->addWidget(m_action, 3, 0, 1, 2);
    grid->addWidget(m_reason, 4, 0, 1, 2);
    grid->setColumnStretch(1, 1);
    grid->setRowStretch(5, 1);

    setSummary(SignalState::Unknown, 0, 0, {}, {});
}

QString SignalTile::stateText() const
{
    return m_stateLabel->text();
}

QString SignalTile::countsText() const
{
    return m_counts->text();
}

void SignalTile::setSummary(
    SignalState state, int warnings, int criticals, const QString& latestReason, const QString& latestEndpoint)
{
    // A new system palette (dark mode switched on) needs the wash recomputed even if the state stayed.
    const bool paletteChanged = QPalette().color(QPalette::Base) != m_styledBase;
    if (m_styled && !paletteChanged && state == m_state && warnings == m_warnings && criticals == m_criticals
        && latestReason == m_latestReason && latestEndpoint == m_latestEndpoint && m_styledChecked == m_checked)
        return; // called with every engine batch: nothing to redo (style sheets are costly to re-apply)
    const bool restyleNeeded = !m_styled || paletteChanged || state != m_state || m_styledChecked != m_checked;
    m_state = state;
    m_warnings = warnings;
    m_criticals = criticals;
    m_latestReason = latestReason;
    m_latestEndpoint = latestEndpoint;
    m_stateLabel->setText(sd::stateText(state));
    if (criticals == 0 && warnings == 0)
        m_counts->setText(state == SignalState::Unknown ? tr("No probes yet") : tr("All endpoints OK"));
    else
        m_counts->setText(tr("%1 critical · %2 warning").arg(criticals).arg(warnings));
    m_action->setText(state == SignalState::Ok || state == SignalState::Unknown ? QString() : signalAction(m_signal));
    m_action->setVisible(!m_action->text().isEmpty());
    const QString reason = latestEndpoint.isEmpty() ? latestReason : latestEndpoint + u": "_qs + latestReason;
    m_reason->setText(reason.isEmpty() ? QString() : fontMetrics().elidedText(reason, Qt::ElideRight, 600));
    m_reason->setToolTip(reason);
    m_reason->setVisible(!reason.isEmpty() && state != SignalState::Ok);
    setToolTip(signalCode(m_signal) + u" "_qs + signalTitle(m_signal) + u": "_qs + sd::stateText(state)
        + (m_checked ? tr(" — click to show all endpoints") : tr(" — click to show only endpoints raising it")));
    setAccessibleName(signalCode(m_signal) + u" "_qs + sd::stateText(state));
    if (restyleNeeded)
        restyle();
}

void SignalTile::setChecked(bool checked)
{
    if (m_checked == checked)
        return;
    m_checked = checked;
    setSummary(m_state, m_warnings, m_criticals, m_latestReason, m_latestEndpoint);
}

void SignalTile::restyle()
{
    m_styled = true;
    m_styledChecked = m_checked;
    m_styledBase = QPalette().color(QPalette::Base);
    const QColor accent = stateColor(m_state, palette());
    m_icon->setPixmap(stateIcon(m_state, 32).pixmap(32, 32));
    const QColor base = QPalette().color(QPalette::Base);
    QColor tint = accent;
    // A light wash of the state colour over the base keeps text readable in light and dark palettes.
    tint.setAlphaF(m_state == SignalState::Ok || m_state == SignalState::Unknown ? 0.10 : 0.22);
    const QColor bg = QColor::fromRgbF(base.redF() * (1 - tint.alphaF()) + tint.redF() * tint.alphaF(),
        base.greenF() * (1 - tint.alphaF()) + tint.greenF() * tint.alphaF(),
        base.blueF() * (1 - tint.alphaF()) + tint.blueF() * tint.alphaF());
    m_stateLabel->setStyleSheet(u"color: "_qs + accent.name() + u";"_qs);
    // The checked tile (the table filter) gets a thick border so it reads without colour, too.
    setStyleSheet(u"sd--SignalTile { background-color: "_qs + bg.name() + u"; border: "_qs
        + (m_checked ? u"3px"_qs : u"1px"_qs) + u" solid "_qs + accent.name() + u"; border-radius: 6px; }"_qs);
}

void SignalTile::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && rect().contains(event->position().toPoint()))
        emit clicked(m_signal);
    QFrame::mouseReleaseEvent(event);
}

void SignalTile::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space || event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) {
        emit clicked(m_signal);
        return;
    }
    QFrame::keyPressEvent(event);
}

} // namespace sd
