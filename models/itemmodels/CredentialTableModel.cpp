// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/CredentialTableModel.h"

#include "health/CredentialAdvisory.h"
#include "itemmodels/ChangedRows.h"
#include "itemmodels/RoleNames.h"

#include <QMetaEnum>

#include <limits>

namespace sd {

namespace {

constexpr qint64 kMinute = 60;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;

/// "3 d 4 h", "5 h 12 min", "12 min", "< 1 min".
QString spanText(qint64 seconds)
{
    if (seconds >= kDay)
        return QStringLiteral("%1 d %2 h").arg(seconds / kDay).arg((seconds % kDay) / kHour);
    if (seconds >= kHour)
        return QStringLiteral("%1 h %2 min").arg(seconds / kHour).arg((seconds % kHour) / kMinute);
    if (seconds >= kMinute)
        return QStringLiteral("%1 min").arg(seconds / kMinute);
    return QStringLiteral("< 1 min");
}

QDateTime changedAt(const CredentialConfig& c)
{
    return c.rotated.isValid() ? c.rotated : c.created;
}

/// Seconds since the secret last changed; -1 when unknown.
qint64 ageSeconds(const CredentialConfig& c, const QDateTime& nowUtc)
{
    const QDateTime since = changedAt(c);
    return since.isValid() ? std::max<qint64>(0, since.secsTo(nowUtc)) : -1;
}

QString ageText(const CredentialConfig& c, const QDateTime& nowUtc)
{
    const qint64 age = ageSeconds(c, nowUtc);
    if (age < 0)
        return QStringLiteral("unknown");
    // Days are what the rotation policy counts in.
    return age >= kDay ? QStringLiteral("%1 d").arg(age / kDay) : spanText(age);
}

QString expiryText(const CredentialConfig& c, const QDateTime& nowUtc)
{
    if (!c.expires.isValid())
        return QStringLiteral("—");
    const qint64 left = nowUtc.secsTo(c.expires);
    return left <= 0 ? QStringLiteral("expired %1 ago").arg(spanText(-left)) : QStringLiteral("in ") + spanText(left);
}

} // namespace

CredentialTableModel::CredentialTableModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
}

void CredentialTableModel::setConfig(const AppConfig& config)
{
    beginResetModel();
    m_rows.clear();
    QHash<QString, EndpointS2> kept;
    for (const EndpointConfig& e : config.endpoints) {
        if (const auto it = m_endpointS2.constFind(e.name); it != m_endpointS2.cend())
            kept.insert(e.name, *it);
    }
    m_endpointS2 = kept;
    const QDateTime now = m_clock();
    for (const CredentialConfig& c : config.credentials) {
        Row row;
        row.credential = c;
        for (const EndpointConfig& e : config.endpoints) {
            if (e.credential == c.id)
                row.endpoints.append(e.name);
        }
        refreshState(row, now);
        m_rows.append(row);
    }
    endResetModel();
}

bool CredentialTableModel::refreshState(Row& row, const QDateTime& nowUtc) const
{
    SignalState state = SignalState::Unknown;
    QString reason;
    for (const QString& name : std::as_const(row.endpoints)) {
        const auto it = m_endpointS2.constFind(name);
        if (it == m_endpointS2.cend() || it->state <= state)
            continue;
        state = it->state;
        reason = it->state > SignalState::Ok ? name + QStringLiteral(": ") + it->reason : QString();
    }
    const CredentialAdvisory advisory = credentialAdvisory(row.credential, nowUtc);
    // Unused, the metadata is all there is; used, an advisory only adds what the probes do not show yet.
    if (row.endpoints.isEmpty() || advisory.state > std::max(state, SignalState::Ok)) {
        state = advisory.state;
        reason = advisory.reason;
    }
    const bool changed = state != row.state || reason != row.reason;
    row.state = state;
    row.reason = reason;
    return changed;
}

void CredentialTableModel::emitRowsChanged(
    const QList<int>& rows, int firstColumn, int lastColumn, const QList<int>& roles)
{
    emitChangedRows(this, std::vector<int>(rows.cbegin(), rows.cend()), firstColumn, lastColumn, roles);
}

void CredentialTableModel::applyStatuses(const EndpointStatuses& statuses)
{
    if (statuses.isEmpty())
        return;
    for (const EndpointStatus& s : statuses) {
        m_endpointS2.insert(s.name,
            { s.states[static_cast<std::size_t>(signalIndex(FailureSignal::S2))],
                s.reasons[static_cast<std::size_t>(signalIndex(FailureSignal::S2))] });
    }
    const QDateTime now = m_clock();
    QList<int> changed;
    for (int i = 0; i < m_rows.size(); ++i) {
        if (refreshState(m_rows[i], now))
            changed.append(i);
    }
    // The state is shown in S2 and carried by StateRole/ReasonRole on every column.
    emitRowsChanged(changed, 0, ColumnCount - 1, { Qt::DisplayRole, Qt::ToolTipRole, SortRole, StateRole, ReasonRole });
}

void CredentialTableModel::applyBatch(const EngineBatch& batch)
{
    applyStatuses(batch.statuses);
}

void CredentialTableModel::setClock(Clock clock)
{
    m_clock = std::move(clock);
    refreshRelativeTimes();
}

void CredentialTableModel::refreshRelativeTimes()
{
    if (m_rows.isEmpty())
        return;
    emit dataChanged(index(0, Age), index(rowCount() - 1, Expires), { Qt::DisplayRole, Qt::ToolTipRole, SortRole });
    const QDateTime now = m_clock();
    QList<int> changed;
    for (int i = 0; i < m_rows.size(); ++i) {
        if (refreshState(m_rows[i], now))
            changed.append(i);
    }
    emitRowsChanged(changed, 0, ColumnCount - 1, { Qt::DisplayRole, Qt::ToolTipRole, SortRole, StateRole, ReasonRole });
}

CredentialConfig CredentialTableModel::credential(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows.at(row).credential : CredentialConfig {};
}

int CredentialTableModel::rowOf(const QString& id) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).credential.id == id)
            return i;
    }
    return -1;
}

QStringList CredentialTableModel::endpointsOf(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows.at(row).endpoints : QStringList();
}

SignalState CredentialTableModel::s2State(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows.at(row).state : SignalState::Unknown;
}

int CredentialTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int CredentialTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CredentialTableModel::data(const QModelIndex& index, int role) const
{
    // Quietly empty for an invalid index: a proxy passes one through for its own invalid indexes.
    if (!index.isValid() || index.model() != this || index.row() >= rowCount())
        return {};
    const Row& r = m_rows.at(index.row());
    const CredentialConfig& c = r.credential;
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Id:
            return c.id;
        case Label:
            return c.label;
        case Scheme:
            return c.oauth2 ? c.scheme + QStringLiteral(" (OAuth2)") : c.scheme;
        case Endpoints:
            return r.endpoints.isEmpty() ? QStringLiteral("—") : r.endpoints.join(QStringLiteral(", "));
        case Age:
            return ageText(c, m_clock());
        case Expires:
            return expiryText(c, m_clock());
        case Fingerprint:
            return c.fingerprint.isEmpty() ? QStringLiteral("—") : c.fingerprint;
        case S2:
            return stateText(r.state);
        default:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        switch (column) {
        case Age: {
            const QDateTime since = changedAt(c);
            return since.isValid() ? QStringLiteral("Secret last changed %1 UTC; rotation policy: %2 days")
                                         .arg(since.toString(Qt::ISODate))
                                         .arg(c.rotationDays)
                                   : QStringLiteral("When the secret last changed is not recorded");
        }
        case Expires:
            return c.expires.isValid()
                ? QStringLiteral("The JWT's exp claim: %1 UTC").arg(c.expires.toString(Qt::ISODate))
                : QStringLiteral("No expiry known (the secret is not a JWT with exp)");
        case Fingerprint:
            return QStringLiteral("First 8 hex digits of the SHA-256 of the secret (never the secret)");
        case S2:
            return r.reason.isEmpty() ? stateText(r.state) : r.reason;
        default:
            break;
        }
        return {};
    case SortRole:
        switch (column) {
        case Age:
            return ageSeconds(c, m_clock());
        case Expires:
            return c.expires.isValid() ? m_clock().secsTo(c.expires) : std::numeric_limits<qint64>::max();
        case S2:
            return static_cast<int>(r.state);
        default:
            break;
        }
        return data(index, Qt::DisplayRole);
    case CredentialIdRole:
        return c.id;
    case StateRole:
        return static_cast<int>(r.state);
    case ReasonRole:
        return r.reason;
    default:
        break;
    }
    return {};
}

QVariant CredentialTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole) {
        switch (section) {
        case Id:
            return QStringLiteral("ID");
        case Label:
            return QStringLiteral("Label");
        case Scheme:
            return QStringLiteral("Scheme");
        case Endpoints:
            return QStringLiteral("Used by");
        case Age:
            return QStringLiteral("Age");
        case Expires:
            return QStringLiteral("Expires");
        case Fingerprint:
            return QStringLiteral("Fingerprint");
        case S2:
            return QStringLiteral("S2");
        default:
            break;
        }
    }
    return QAbstractTableModel::headerData(section, orientation, role);
}

QHash<int, QByteArray> CredentialTableModel::roleNames() const
{
    return roleNamesFromEnum(QMetaEnum::fromType<Role>(), QAbstractTableModel::roleNames());
}

} // namespace sd
