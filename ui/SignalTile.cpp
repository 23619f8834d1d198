// SPDX-License-Identifier: GPL-3.0-or-later
#include "SignalTile.h"

#include "itemmodels/DisplayText.h"
#include "ui/charts/PaletteStyle.h"
#include "ui/charts/SignalColors.h"

#include <QEvent>
#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>

#include <algorithm>

namespace sd {

namespace {

/// One line of text, elided at the right to its width; the full text stays in the tooltip.
class ElidedLabel : public QLabel {
public:
    explicit ElidedLabel(QWidget* parent)
        : QLabel(parent)
    {
        setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
        setMinimumWidth(10);
    }
    void setFullText(const QString& text)
    {
        m_full = text;
        setToolTip(text);
        refit();
    }
    QString fullText() const { return m_full; }

protected:
    void resizeEvent(QResizeEvent* event) override
    {
        QLabel::resizeEvent(event);
        refit();
    }

private:
    void refit()
    {
        QLabel::setText(fontMetrics().elidedText(m_full, Qt::ElideRight, std::max(10, contentsRect().width())));
    }
    QString m_full;
};

} // namespace

QString shortSignalAction(FailureSignal signal)
{
    switch (signal) {
    case FailureSignal::S1:
        return SignalTile::tr("Retry with backoff; check the network path");
    case FailureSignal::S2:
        return SignalTile::tr("Do not retry: rotate the credential, check scopes");
    case FailureSignal::S3:
        return SignalTile::tr("Do not retry: fix the request or contract");
    case FailureSignal::S4:
        return SignalTile::tr("Back off, honour Retry-After, shed load");
    case FailureSignal::None:
        break;
    }
    return {};
}

SignalTile::SignalTile(FailureSignal signal, QWidget* parent)
    : QFrame(parent)
    , m_signal(signal)
    , m_icon(new QLabel(this))
    , m_title(new QLabel(this))
    , m_stateLabel(new QLabel(this))
    , m_counts(new QLabel(this))
    , m_action(new QLabel(this))
    , m_reason(new ElidedLabel(this))
{
    setObjectName(u"signalTile"_qs + signalCode(signal));
    followPalette(this, [this] { followApplicationPalette(); });
    setFocusPolicy(Qt::StrongFocus);
    setCursor(Qt::PointingHandCursor);
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setMinimumWidth(200);
    m_title->setObjectName(u"tileTitle"_qs);
    m_stateLabel->setObjectName(u"tileState"_qs);
    m_counts->setObjectName(u"tileCounts"_qs);
    m_action->setObjectName(u"tileAction"_qs);
    m_reason->setObjectName(u"tileReason"_qs);

    m_title->setText(u"<b>"_qs + signalCode(signal) + u"</b> "_qs + signalTitle(signal).toHtmlEscaped());
    m_title->setTextFormat(Qt::RichText);
    QFont big = m_stateLabel->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_stateLabel->setFont(big);
    // The action may take two lines, never more (the short form fits two lines of a 200 px tile); the
    // reason takes one, elided. Both keep their height when empty, so the tile never changes size.
    m_action->setWordWrap(true);
    m_action->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_action->setFixedHeight(2 * m_action->fontMetrics().lineSpacing());
    m_action->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    QFont small = m_reason->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_reason->setFont(small);
    m_reason->setFixedHeight(QFontMetrics(small).height());
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
    setFixedHeight(fixedTileHeight());

    setSummary(SignalState::Unknown, 0, 0, {}, {});
}

int SignalTile::fixedTileHeight() const
{
    const auto* grid = static_cast<const QGridLayout*>(layout());
    const QMargins m = grid->contentsMargins();
    const int spacing = grid->verticalSpacing();
    const int head = std::max(32, m_title->fontMetrics().height() + spacing + m_stateLabel->fontMetrics().height());
    const int counts = m_counts->fontMetrics().height();
    return m.top() + head + spacing + counts + spacing + m_action->height() + spacing + m_reason->height() + m.bottom()
        + 2 * frameWidth() + 4;
}

QString SignalTile::actionText() const
{
    return m_action->text();
}

QString SignalTile::reasonText() const
{
    return static_cast<const ElidedLabel*>(m_reason)->fullText();
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
    if (m_styled && !paletteChanged && !m_dirty && state == m_state && warnings == m_warnings
        && criticals == m_criticals && latestReason == m_latestReason && latestEndpoint == m_latestEndpoint
        && m_styledChecked == m_checked)
        return; // called with every engine batch: nothing to redo (style sheets are costly to re-apply)
    const bool restyleNeeded
        = !m_styled || paletteChanged || m_dirty || state != m_state || m_styledChecked != m_checked;
    m_dirty = false;
    m_state = state;
    m_warnings = warnings;
    m_criticals = criticals;
    m_latestReason = latestReason;
    m_latestEndpoint = latestEndpoint;
    m_stateLabel->setText(m_probingPaused ? tr("%1 · paused").arg(sd::stateText(state)) : sd::stateText(state));
    QString counts;
    if (criticals == 0 && warnings == 0)
        counts = state == SignalState::Unknown ? tr("No probes yet") : tr("All endpoints OK");
    else
        counts = tr("%1 critical · %2 warning").arg(criticals).arg(warnings);
    // How the endpoints in trouble are handled, short: the tooltip says it in words.
    QStringList handled;
    QStringList handledLong;
    if (m_handling.acknowledged > 0) {
        handled << tr("%1 ack").arg(m_handling.acknowledged);
        handledLong << tr("%n acknowledged", nullptr, m_handling.acknowledged);
    }
    if (m_handling.maintenance > 0) {
        handled << tr("%1 maint").arg(m_handling.maintenance);
        handledLong << tr("%n in maintenance", nullptr, m_handling.maintenance);
    }
    if (m_handling.paused > 0 && !m_probingPaused) {
        handled << tr("%1 paused").arg(m_handling.paused);
        handledLong << tr("%n not probed (paused)", nullptr, m_handling.paused);
    }
    if (!handled.isEmpty())
        counts += u" · "_qs + handled.join(u" · "_qs);
    m_counts->setText(counts);
    m_counts->setToolTip(handledLong.isEmpty() ? QString() : tr("Of those: %1").arg(handledLong.join(u", "_qs)));
    const bool quiet = state == SignalState::Ok || state == SignalState::Unknown;
    m_action->setText(quiet ? QString() : shortSignalAction(m_signal));
    m_action->setToolTip(quiet ? QString() : signalAction(m_signal));
    const QString reason = latestEndpoint.isEmpty() ? latestReason : latestEndpoint + u": "_qs + latestReason;
    static_cast<ElidedLabel*>(m_reason)->setFullText(state == SignalState::Ok ? QString() : reason);
    setToolTip(signalCode(m_signal) + u" "_qs + signalTitle(m_signal) + u": "_qs + sd::stateText(state)
        + (m_probingPaused ? tr(" (probing is paused)") : QString())
        + (m_checked ? tr(" — click to show all endpoints") : tr(" — click to show only endpoints raising it")));
    setAccessibleName(signalCode(m_signal) + u" "_qs + sd::stateText(state));
    if (restyleNeeded)
        restyle();
}

void SignalTile::setHandling(const Handling& handling, bool probingPaused)
{
    if (handling.acknowledged == m_handling.acknowledged && handling.maintenance == m_handling.maintenance
        && handling.paused == m_handling.paused && probingPaused == m_probingPaused)
        return;
    m_handling = handling;
    m_probingPaused = probingPaused;
    m_dirty = true;
    setSummary(m_state, m_warnings, m_criticals, m_latestReason, m_latestEndpoint);
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
    m_icon->setPixmap(
        (m_probingPaused ? markIcon(MarkGlyph::Paused, accent, 32) : stateIcon(m_state, 32)).pixmap(32, 32));
    // A light wash of the state colour over the base keeps text readable in light and dark palettes.
    const QColor bg = washOver(QPalette().color(QPalette::Base), accent,
        m_state == SignalState::Ok || m_state == SignalState::Unknown ? 0.10 : 0.22);
    m_stateLabel->setStyleSheet(u"color: "_qs + accent.name() + u";"_qs);
    // The checked tile (the table filter) gets a thick border so it reads without colour, too.
    setStyleSheet(u"sd--SignalTile { background-color: "_qs + bg.name() + u"; border: "_qs
        + (m_checked ? u"3px"_qs : u"1px"_qs) + u" solid "_qs + accent.name() + u"; border-radius: 6px; }"_qs);
}

void SignalTile::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::ApplicationPaletteChange)
        followApplicationPalette();
    QFrame::changeEvent(event);
}

void SignalTile::followApplicationPalette()
{
    // Dark mode switched on or off: the wash and the state colour follow at once, not with the next batch.
    if (m_styled && QPalette().color(QPalette::Base) != m_styledBase) {
        m_dirty = true;
        setSummary(m_state, m_warnings, m_criticals, m_latestReason, m_latestEndpoint);
    }
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
