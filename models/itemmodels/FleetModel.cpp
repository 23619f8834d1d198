// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/FleetModel.h"

#include "itemmodels/DisplayText.h"
#include "itemmodels/RoleNames.h"

#include <QMap>
#include <QMetaEnum>
#include <QSet>

#include <cmath>

namespace sd {

namespace {

QString kindName(SourceConfig::Kind kind)
{
    return kind == SourceConfig::Kind::Blackbox ? QObject::tr("blackbox_exporter") : QObject::tr("Prometheus");
}

QString timeText(const QDateTime& utc)
{
    return utc.isValid() ? clockTimeText(utc) : QObject::tr("never");
}

} // namespace

FleetModel::FleetModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void FleetModel::setSources(const QList<SourceConfig>& sources)
{
    beginResetModel();
    m_snapshots.clear();
    for (const SourceConfig& source : sources) {
        SourceSnapshot s;
        s.name = sourceDisplayName(source);
        s.kind = source.kind;
        m_snapshots.append(s);
    }
    m_rows.clear();
    m_locations.clear();
    endResetModel();
    emit sourcesChanged();
}

void FleetModel::setSnapshot(int index, const SourceSnapshot& snapshot)
{
    if (index < 0 || index >= m_snapshots.size())
        return;
    m_snapshots[index] = snapshot;
    rebuild();
    emit sourcesChanged();
}

void FleetModel::setSnapshots(const QList<SourceSnapshot>& snapshots)
{
    m_snapshots = snapshots;
    rebuild();
    emit sourcesChanged();
}

FleetModel::RowInfo FleetModel::rowInfo(int row) const
{
    RowInfo info;
    if (row < 0 || row >= m_rows.size())
        return info;
    info.source = m_rows[row].source;
    info.endpoint = m_rows[row].endpoint;
    info.locations = m_rows[row].cells.keys();
    info.locations.sort();
    return info;
}

bool FleetModel::rowRaises(int row, FailureSignal signal) const
{
    if (row < 0 || row >= m_rows.size() || signal == FailureSignal::None)
        return false;
    const SourceSnapshot& source = m_snapshots[m_rows[row].source];
    if (source.stale())
        return false;
    const auto i = static_cast<std::size_t>(signalIndex(signal));
    for (const int cell : m_rows[row].cells) {
        if (source.endpoints[cell].states[i] >= SignalState::Warning)
            return true;
    }
    return false;
}

void FleetModel::rebuild()
{
    QSet<QString> locationSet;
    QMap<std::pair<QString, int>, Row> rows; // by (endpoint, source): sorted by name
    for (int s = 0; s < m_snapshots.size(); ++s) {
        const auto& endpoints = m_snapshots[s].endpoints;
        for (int i = 0; i < endpoints.size(); ++i) {
            const RemoteEndpoint& e = endpoints[i];
            locationSet.insert(e.location);
            Row& row = rows[{ e.endpoint, s }];
            row.source = s;
            row.endpoint = e.endpoint;
            row.cells.insert(e.location, i);
        }
    }
    QStringList locations = locationSet.values();
    locations.sort();
    QList<Row> newRows = rows.values();
    const bool sameShape = locations == m_locations && newRows.size() == m_rows.size()
        && std::equal(newRows.cbegin(), newRows.cend(), m_rows.cbegin(),
            [](const Row& a, const Row& b) { return a.source == b.source && a.endpoint == b.endpoint; });
    if (sameShape) {
        m_rows = std::move(newRows);
        if (!m_rows.isEmpty())
            emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
        return;
    }
    beginResetModel();
    m_locations = std::move(locations);
    m_rows = std::move(newRows);
    endResetModel();
}

const RemoteEndpoint* FleetModel::find(const QString& source, const QString& endpoint, const QString& location) const
{
    for (const Row& row : m_rows) {
        if (row.endpoint != endpoint || m_snapshots[row.source].name != source)
            continue;
        const auto cell = row.cells.constFind(location);
        return cell == row.cells.cend() ? nullptr : &m_snapshots[row.source].endpoints[*cell];
    }
    return nullptr;
}

QString FleetModel::sourceStatusText() const
{
    QStringList lines;
    for (const SourceSnapshot& s : m_snapshots) {
        QSet<QString> endpoints;
        QSet<QString> locations;
        for (const RemoteEndpoint& e : s.endpoints) {
            endpoints.insert(e.endpoint);
            locations.insert(e.location);
        }
        const QString head = tr("%1 (%2)").arg(s.name, kindName(s.kind));
        switch (s.state) {
        case SourceState::Connecting:
            lines.append(tr("%1: connecting…").arg(head));
            break;
        case SourceState::Up:
            lines.append(tr("%1: up · %2 endpoints × %3 locations · last query %4, %5 ms")
                             .arg(head)
                             .arg(endpoints.size())
                             .arg(locations.size())
                             .arg(timeText(s.lastSuccessUtc))
                             .arg(s.lastQueryMs));
            break;
        case SourceState::Down:
        case SourceState::Failed:
            lines.append(tr("%1: source %2 — %3 · last successful query: %4%5")
                             .arg(head, s.state == SourceState::Down ? tr("down") : tr("error"), s.error,
                                 timeText(s.lastSuccessUtc),
                                 s.endpoints.isEmpty() ? QString() : tr(" (its endpoints are shown stale)")));
            break;
        }
    }
    return lines.join(u'\n');
}

bool FleetModel::anySourceUnhealthy() const
{
    return std::any_of(m_snapshots.cbegin(), m_snapshots.cend(),
        [](const SourceSnapshot& s) { return s.state == SourceState::Down || s.state == SourceState::Failed; });
}

QList<SignalSummaryModel::RemoteEndpointSignals> FleetModel::remoteSignals() const
{
    QList<SignalSummaryModel::RemoteEndpointSignals> out;
    for (const SourceSnapshot& s : m_snapshots) {
        if (s.stale())
            continue;
        for (const RemoteEndpoint& e : s.endpoints) {
            SignalSummaryModel::RemoteEndpointSignals r;
            r.key = QStringLiteral("remote:%1/%2/%3").arg(s.name, e.location, e.endpoint);
            r.name = QStringLiteral("%1 @ %2").arg(e.endpoint, e.location);
            r.states = e.states;
            for (std::size_t i = 0; i < r.reasons.size(); ++i) {
                r.reasons[i] = !e.reasons[i].isEmpty() ? e.reasons[i]
                    : e.states[i] >= SignalState::Warning
                    ? tr("%1 as probed from %2 (%3)").arg(stateText(e.states[i]).toLower(), e.location, s.name)
                    : QString();
            }
            out.append(r);
        }
    }
    return out;
}

QString FleetModel::cellText(const RemoteEndpoint& e)
{
    QString text = stateText(e.overall);
    QStringList raised;
    for (FailureSignal signal : kAllSignals)
        if (e.states[static_cast<std::size_t>(signalIndex(signal))] >= SignalState::Warning)
            raised.append(signalCode(signal));
    if (!raised.isEmpty())
        text += u' ' + raised.join(u',');
    if (e.paused)
        return text + tr(" · paused");
    if (e.httpStatus == 0)
        return text + tr(" · no HTTP answer");
    if (e.httpStatus >= 300)
        text += tr(" · HTTP %1").arg(e.httpStatus);
    if (e.latencyMs >= 0 && e.httpStatus != 0)
        text += QStringLiteral(" · ") + latencyText(e.latencyMs);
    return text;
}

int FleetModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int FleetModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : FirstLocationColumn + static_cast<int>(m_locations.size());
}

QVariant FleetModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    if (section == EndpointColumn)
        return tr("Endpoint");
    if (section == SourceColumn)
        return tr("Source");
    const int i = section - FirstLocationColumn;
    if (i < 0 || i >= m_locations.size())
        return {};
    return role == Qt::ToolTipRole ? tr("As probed from %1").arg(m_locations[i]) : m_locations[i];
}

QVariant FleetModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.model() != this || index.row() >= m_rows.size())
        return {};
    const Row& row = m_rows[index.row()];
    const SourceSnapshot& source = m_snapshots[row.source];
    if (role == EndpointNameRole)
        return row.endpoint;
    if (index.column() == EndpointColumn)
        return role == Qt::DisplayRole || role == Qt::ToolTipRole ? QVariant(row.endpoint) : QVariant();
    if (index.column() == SourceColumn) {
        if (role == Qt::DisplayRole)
            return source.stale() ? tr("%1 (%2)").arg(source.name, sourceStateCode(source.state)) : source.name;
        if (role == Qt::ToolTipRole)
            return source.error.isEmpty() ? kindName(source.kind) : source.error;
        return {};
    }
    const int locationIndex = index.column() - FirstLocationColumn;
    if (locationIndex < 0 || locationIndex >= m_locations.size())
        return {};
    const QString& location = m_locations[locationIndex];
    if (role == LocationRole)
        return location;
    const auto cell = row.cells.constFind(location);
    if (cell == row.cells.cend())
        return {}; // this location does not probe this endpoint: an empty cell, no state icon
    const RemoteEndpoint& e = source.endpoints[*cell];
    const bool stale = source.stale();
    switch (role) {
    case Qt::DisplayRole:
        return stale ? tr("stale: %1").arg(cellText(e)) : cellText(e);
    case Qt::ToolTipRole: {
        QStringList lines;
        lines.append(tr("%1 as probed from %2").arg(e.endpoint, e.location));
        if (!e.url.isEmpty() && e.url != e.endpoint)
            lines.append(e.url);
        for (FailureSignal signal : kAllSignals) {
            const auto i = static_cast<std::size_t>(signalIndex(signal));
            lines.append(tr("%1 %2: %3%4")
                             .arg(signalCode(signal), signalTitle(signal), stateText(e.states[i]),
                                 e.reasons[i].isEmpty() ? QString() : QStringLiteral(" — ") + e.reasons[i]));
        }
        if (!e.outcome.isEmpty())
            lines.append(tr("last probe: %1, HTTP %2, %3 at %4")
                             .arg(e.outcome)
                             .arg(e.httpStatus)
                             .arg(e.latencyMs >= 0 ? latencyText(e.latencyMs) : tr("no latency"))
                             .arg(timeText(e.lastProbeUtc)));
        if (e.circuit >= 0)
            lines.append(tr("circuit: %1")
                             .arg(e.circuit == 0      ? tr("closed")
                                     : e.circuit == 1 ? tr("half-open")
                                                      : tr("open")));
        if (stale)
            lines.append(tr("STALE: the source is %1 (%2); this is the state as of %3")
                             .arg(sourceStateCode(source.state), source.error, timeText(source.lastSuccessUtc)));
        return lines.join(u'\n');
    }
    case CellStateRole:
        return static_cast<int>(stale ? SignalState::Unknown : e.overall);
    case LatencyMsRole:
        return e.latencyMs;
    case HttpStatusRole:
        return e.httpStatus;
    case OutcomeRole:
        return e.outcome;
    case SignalStatesRole: {
        QVariantList states;
        for (SignalState s : e.states)
            states.append(static_cast<int>(s));
        return states;
    }
    case StaleRole:
        return stale;
    case CircuitRole:
        return e.circuit;
    default:
        return {};
    }
}

QHash<int, QByteArray> FleetModel::roleNames() const
{
    return roleNamesFromEnum(QMetaEnum::fromType<Role>(), QAbstractTableModel::roleNames());
}

} // namespace sd
