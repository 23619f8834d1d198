// SPDX-License-Identifier: GPL-3.0-or-later
#include "IncidentPolicy.h"

#include <QCoreApplication>
#include <QSet>

#include <limits>

namespace sd {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("sd::IncidentPolicy", text);
}

QString shortTime(const QDateTime& utc)
{
    return utc.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

/// A window as [from, to) in ms since the epoch; an open end is the smallest or largest qint64.
std::pair<qint64, qint64> spanOf(const MaintenanceWindow& w)
{
    return { w.from.isValid() ? w.from.toMSecsSinceEpoch() : std::numeric_limits<qint64>::min(),
        w.to.isValid() ? w.to.toMSecsSinceEpoch() : std::numeric_limits<qint64>::max() };
}

} // namespace

void IncidentPolicy::setConfig(const AppConfig& config)
{
    m_windows = config.maintenance;
    m_windowsOf.clear();
    m_configured.clear();
    QHash<QString, QDateTime> kept;
    for (const EndpointConfig& endpoint : config.endpoints) {
        const QString key = endpointKey(endpoint);
        m_configured.insert(key);
        for (int i = 0; i < m_windows.size(); ++i)
            if (m_windows[i].covers(endpoint))
                m_windowsOf[key].append(i);
        if (m_acknowledged.contains(key))
            kept.insert(key, m_acknowledged.value(key));
    }
    m_acknowledged = kept;
    m_restored.intersect(m_configured);
}

void IncidentPolicy::restoreAcknowledgements(const QHash<QString, QDateTime>& acknowledged)
{
    for (auto it = acknowledged.cbegin(); it != acknowledged.cend(); ++it) {
        if (!m_configured.contains(it.key()) || m_acknowledged.contains(it.key()))
            continue;
        m_acknowledged.insert(it.key(), it.value());
        m_restored.insert(it.key());
    }
}

bool IncidentPolicy::acknowledge(const QString& key, SignalState overall, const QDateTime& nowUtc)
{
    if (overall != SignalState::Critical)
        return false;
    if (!m_acknowledged.contains(key))
        m_acknowledged.insert(key, nowUtc);
    return true;
}

void IncidentPolicy::unacknowledge(const QString& key)
{
    m_acknowledged.remove(key);
    m_restored.remove(key);
}

bool IncidentPolicy::observe(const QString& key, SignalState overall)
{
    // Restored at start: the endpoint's first statuses say Unknown (nothing probed yet), which must not
    // end it; its first real state decides.
    if (overall == SignalState::Unknown && m_restored.contains(key))
        return false;
    m_restored.remove(key);
    if (overall != SignalState::Ok && overall != SignalState::Unknown)
        return false;
    return m_acknowledged.remove(key) > 0;
}

const MaintenanceWindow* IncidentPolicy::activeWindow(const QString& key, const QDateTime& nowUtc) const
{
    const auto it = m_windowsOf.constFind(key);
    if (it == m_windowsOf.cend())
        return nullptr;
    for (int i : it.value())
        if (m_windows[i].activeAt(nowUtc))
            return &m_windows[i];
    return nullptr;
}

IncidentMark IncidentPolicy::mark(const QString& key, const QDateTime& nowUtc) const
{
    if (activeWindow(key, nowUtc))
        return IncidentMark::Maintenance;
    return isAcknowledged(key) ? IncidentMark::Acknowledged : IncidentMark::None;
}

bool IncidentPolicy::notifies(const QString& key, SignalState to, const QDateTime& nowUtc) const
{
    switch (mark(key, nowUtc)) {
    case IncidentMark::Maintenance:
        return false;
    case IncidentMark::Acknowledged:
        return to == SignalState::Ok;
    case IncidentMark::None:
        break;
    }
    return true;
}

bool IncidentPolicy::excludedFromUptime(const QString& key, const QDateTime& utc) const
{
    const auto it = m_windowsOf.constFind(key);
    if (it == m_windowsOf.cend())
        return false;
    return std::any_of(
        it->cbegin(), it->cend(), [&](int i) { return m_windows[i].excludeFromUptime && m_windows[i].activeAt(utc); });
}

QList<std::pair<qint64, qint64>> IncidentPolicy::uptimeExclusions(const QString& key) const
{
    QList<std::pair<qint64, qint64>> out;
    for (int i : m_windowsOf.value(key)) {
        const MaintenanceWindow& w = m_windows[i];
        if (w.excludeFromUptime)
            out.append(spanOf(w));
    }
    return out;
}

QDateTime IncidentPolicy::nextChange(const QDateTime& nowUtc) const
{
    QDateTime next;
    for (const MaintenanceWindow& w : m_windows) {
        for (const QDateTime& edge : { w.from, w.to }) {
            if (edge.isValid() && edge > nowUtc && (!next.isValid() || edge < next))
                next = edge;
        }
    }
    return next;
}

QString IncidentPolicy::describe(const QString& key, const QDateTime& nowUtc) const
{
    if (const MaintenanceWindow* w = activeWindow(key, nowUtc)) {
        QString text = w->to.isValid() ? tr("In maintenance until %1").arg(shortTime(w->to))
                                       : tr("Silenced until the window is removed from the config");
        if (!w->reason.isEmpty())
            text += QStringLiteral(": ") + w->reason;
        return text + tr(" (probing continues; no notifications)");
    }
    if (isAcknowledged(key))
        return tr("Acknowledged at %1: no notifications until it recovers").arg(shortTime(acknowledgedAt(key)));
    return {};
}

void followEndpointChangesInMaintenance(const AppConfig& before, AppConfig& after)
{
    QHash<QString, QString> oldNameOf; // endpointKey() → name before
    for (const EndpointConfig& e : before.endpoints)
        oldNameOf.insert(endpointKey(e), e.name);
    QHash<QString, QString> renamed; // old name → new name
    for (const EndpointConfig& e : std::as_const(after.endpoints)) {
        const auto it = oldNameOf.constFind(endpointKey(e));
        if (it != oldNameOf.cend() && *it != e.name)
            renamed.insert(*it, e.name);
    }
    if (!renamed.isEmpty()) {
        for (MaintenanceWindow& w : after.maintenance) {
            for (QString& name : w.endpoints)
                name = renamed.value(name, name);
            w.endpoints.removeDuplicates();
        }
    }
    dropMissingFromMaintenance(after);
}

QHash<QString, QList<std::pair<qint64, qint64>>> uptimeExclusionsByName(const AppConfig& config)
{
    QHash<QString, QList<std::pair<qint64, qint64>>> out;
    for (const MaintenanceWindow& w : config.maintenance) {
        if (!w.excludeFromUptime)
            continue;
        for (const EndpointConfig& e : config.endpoints)
            if (w.covers(e))
                out[e.name].append(spanOf(w));
    }
    return out;
}

void dropMissingFromMaintenance(AppConfig& config)
{
    QSet<QString> names;
    QSet<QString> tags;
    for (const EndpointConfig& e : std::as_const(config.endpoints)) {
        names.insert(e.name);
        for (const QString& tag : e.tags)
            tags.insert(tag);
    }
    for (MaintenanceWindow& w : config.maintenance) {
        w.endpoints.removeIf([&names](const QString& name) { return !names.contains(name); });
        w.tags.removeIf([&tags](const QString& tag) { return !tags.contains(tag); });
    }
    config.maintenance.removeIf([](const MaintenanceWindow& w) { return w.endpoints.isEmpty() && w.tags.isEmpty(); });
}

} // namespace sd
