// SPDX-License-Identifier: GPL-3.0-or-later
#include "TrayNotifier.h"

#include "health/IncidentPolicy.h"
#include "itemmodels/DisplayText.h"
#include "ui/charts/SignalColors.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QMenu>
#include <QSystemTrayIcon>
#include <QTimer>

Q_LOGGING_CATEGORY(lcTray, "signaldeck.ui.tray", QtInfoMsg)

namespace sd {

namespace {
constexpr int kKeptNotices = 50;
}

TrayNotifier::TrayNotifier(QMenu* menu, QObject* parent)
    : QObject(parent)
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &TrayNotifier::flush);
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(this);
        m_tray->setContextMenu(menu);
        connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                emit activated();
        });
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, &TrayNotifier::activated);
    }
    setWorstState(SignalState::Unknown, 0, 0);
    if (m_tray)
        m_tray->show();
}

bool TrayNotifier::trayAvailable() const
{
    return m_tray != nullptr;
}

void TrayNotifier::setWorstState(SignalState state, int warnings, int criticals)
{
    QString toolTip = tr("SignalDeck — %1").arg(stateText(state));
    if (criticals > 0 || warnings > 0)
        toolTip += tr(" (%1 critical, %2 warning)").arg(criticals).arg(warnings);
    if (state == m_worst && toolTip == m_toolTip)
        return;
    const bool iconChanged = state != m_worst || m_toolTip.isEmpty();
    m_worst = state;
    m_toolTip = toolTip;
    if (m_tray) {
        if (iconChanged)
            m_tray->setIcon(stateIcon(state, 64));
        m_tray->setToolTip(m_toolTip);
    }
}

void TrayNotifier::addEvents(const EngineEvents& events)
{
    EngineEvents notified;
    if (m_incidents) {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (const EngineEvent& e : events) {
            if (e.kind != EngineEvent::Kind::Signal || m_incidents->notifies(e.endpointKey, e.toState, now))
                notified.append(e);
            else
                ++m_silenced;
        }
    }
    if (m_digest.add(m_incidents ? notified : events) == 0)
        return;
    flush();
}

void TrayNotifier::flush()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (auto notice = m_digest.take(now)) {
        qCInfo(lcTray).noquote() << "notify:" << notice->title;
        if (m_tray && QSystemTrayIcon::supportsMessages())
            m_tray->showMessage(notice->title, notice->body,
                notice->worst == SignalState::Critical ? QSystemTrayIcon::Critical : QSystemTrayIcon::Information,
                8000);
        m_notices.append(*notice);
        if (m_notices.size() > kKeptNotices)
            m_notices.removeFirst();
        emit noticeShown(*notice);
    }
    if (m_digest.hasPending() && !m_timer->isActive())
        m_timer->start(static_cast<int>(std::max<qint64>(50, m_digest.cooldownRemaining(now))));
}

} // namespace sd
