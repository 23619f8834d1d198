// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/FailureSignal.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

namespace sd {

/// How an endpoint in trouble is being handled, as the table and the tiles show it.
enum class IncidentMark : quint8 {
    None,
    Acknowledged, ///< an operator acknowledged it while Critical; ends by itself when it is OK again
    Maintenance, ///< a maintenance window or silence (config key `maintenance`) is in force
};

/// Decides, for the tray and the window, whether a transition is notified and how an endpoint is marked.
/// An operator acknowledges a Critical endpoint: its further "turned critical" notifications stop, it is
/// shown as acknowledged, and the acknowledgement clears itself once the endpoint is OK again (its
/// recovery is still notified). A maintenance window of the config covers endpoints by name or tag while
/// it is in force: probing continues, nothing about them is notified, and they are shown as "in
/// maintenance". Endpoints are matched by endpointKey(). Pure logic: time is passed in; no widgets.
class IncidentPolicy {
public:
    /// The config's windows and which endpoints they cover. Acknowledgements of endpoints that are no
    /// longer configured are dropped; the others stay.
    void setConfig(const AppConfig& config);

    /// Acknowledges an endpoint whose overall state is Critical; false, and nothing changes, otherwise.
    bool acknowledge(const QString& key, SignalState overall, const QDateTime& nowUtc);
    void unacknowledge(const QString& key);
    bool isAcknowledged(const QString& key) const { return m_acknowledged.contains(key); }
    /// When it was acknowledged (invalid when it is not).
    QDateTime acknowledgedAt(const QString& key) const { return m_acknowledged.value(key); }
    /// The endpoint's overall state now: an acknowledgement ends when it is OK (or unknown: reconfigured;
    /// but not one restored at start while the endpoint has no state yet). True when this ended one.
    bool observe(const QString& key, SignalState overall);
    /// Every acknowledgement: endpointKey() → when (for AcknowledgementFile).
    QHash<QString, QDateTime> acknowledgements() const { return m_acknowledged; }
    /// After a restart: the acknowledgements kept from the last session, for the endpoints configured now
    /// (call setConfig() first). They hold while the endpoint has no state yet, and end as any other does.
    void restoreAcknowledgements(const QHash<QString, QDateTime>& acknowledged);

    /// The first window (in config order) in force for the endpoint at `nowUtc`; null when none.
    const MaintenanceWindow* activeWindow(const QString& key, const QDateTime& nowUtc) const;
    /// Maintenance wins over an acknowledgement.
    IncidentMark mark(const QString& key, const QDateTime& nowUtc) const;
    /// Whether a transition of the endpoint to `to` is notified: never while in maintenance; while
    /// acknowledged only a recovery to OK.
    bool notifies(const QString& key, SignalState to, const QDateTime& nowUtc) const;
    /// A window in force with `excludeFromUptime` covers the endpoint at `utc`.
    bool excludedFromUptime(const QString& key, const QDateTime& utc) const;
    /// The windows covering the endpoint with `excludeFromUptime`, as [from, to) in ms since the epoch
    /// (an open end is given as the largest qint64), for leaving them out of its uptime.
    QList<std::pair<qint64, qint64>> uptimeExclusions(const QString& key) const;
    /// The next time after `nowUtc` a window starts or ends (invalid when none): the marks change then.
    QDateTime nextChange(const QDateTime& nowUtc) const;
    /// A one-line explanation for a tooltip ("in maintenance until 15:00 UTC: database upgrade").
    QString describe(const QString& key, const QDateTime& nowUtc) const;

private:
    QList<MaintenanceWindow> m_windows;
    QHash<QString, QList<int>> m_windowsOf; ///< endpointKey() → indexes into m_windows
    QHash<QString, QDateTime> m_acknowledged; ///< endpointKey() → when
    QSet<QString> m_configured; ///< endpointKey() of every configured endpoint
    QSet<QString> m_restored; ///< restored acknowledgements whose endpoint has had no state since
};

/// Drops the names of endpoints that are no longer configured from the windows of `config`, and the windows
/// left naming nothing (an endpoint deleted or renamed in the window must not make the config unreadable).
void dropMissingFromMaintenance(AppConfig& config);

/// What a config change does to the maintenance windows naming endpoints: an endpoint renamed (the same
/// endpointKey() in `before` and `after`, another name) keeps its windows under its new name; then the names
/// of endpoints no longer configured are dropped (dropMissingFromMaintenance). For edits made in the
/// window or through the Controller, not for a file the operator wrote (that is validated as written).
void followEndpointChangesInMaintenance(const AppConfig& before, AppConfig& after);

/// Per endpoint name, the spans its uptime leaves out: the windows covering it with `excludeFromUptime`,
/// as [from, to) in UTC ms since the epoch (an open end is the smallest or largest qint64). Endpoints
/// without such a window are not listed.
QHash<QString, QList<std::pair<qint64, qint64>>> uptimeExclusionsByName(const AppConfig& config);

} // namespace sd
