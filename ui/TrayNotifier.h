// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "itemmodels/TransitionDigest.h"

#include <QObject>

class QMenu;
class QSystemTrayIcon;
class QTimer;

namespace sd {

class IncidentPolicy;

/// The system tray icon (coloured and shaped by the worst state, with a tooltip in words) and the desktop
/// notifications for transitions, grouped by a TransitionDigest. Without a system tray (offscreen, some
/// desktops) it still keeps the notices, so the window's status bar and tests can show them.
class TrayNotifier : public QObject {
    Q_OBJECT
public:
    explicit TrayNotifier(QMenu* menu, QObject* parent = nullptr);

    void setWorstState(SignalState state, int warnings, int criticals);
    void addEvents(const EngineEvents& events);
    /// Transitions of acknowledged endpoints and of endpoints in maintenance are not notified (not owned;
    /// null = everything is).
    void setIncidentPolicy(const IncidentPolicy* policy) { m_incidents = policy; }
    /// Transitions left out by the policy so far.
    int silencedCount() const { return m_silenced; }
    bool trayAvailable() const;
    SignalState worstState() const { return m_worst; }
    QString toolTip() const { return m_toolTip; }
    const QList<TransitionDigest::Notice>& notices() const { return m_notices; }
    /// At most one notice per `cooldownMs` after the first (TransitionDigest: 15 s). Tests shorten it; set it
    /// before the first events, it starts the digest afresh.
    void setCooldownMs(qint64 cooldownMs) { m_digest = TransitionDigest(cooldownMs); }

signals:
    void activated();
    void noticeShown(const sd::TransitionDigest::Notice& notice);

private:
    void flush();

    QSystemTrayIcon* m_tray = nullptr;
    TransitionDigest m_digest;
    QTimer* m_timer;
    SignalState m_worst = SignalState::Unknown;
    QString m_toolTip;
    QList<TransitionDigest::Notice> m_notices;
    const IncidentPolicy* m_incidents = nullptr;
    int m_silenced = 0;
};

} // namespace sd
