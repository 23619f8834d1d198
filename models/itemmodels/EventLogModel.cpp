// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/EventLogModel.h"

#include "itemmodels/RoleNames.h"

#include <QMetaEnum>
#include <QStringBuilder>

#include <algorithm>

namespace sd {

namespace {

constexpr int kCircuitSortValue = 5;

QString signalColumnText(const EngineEvent& e)
{
    if (e.kind == EngineEvent::Kind::Circuit)
        return QStringLiteral("circuit");
    if (e.kind == EngineEvent::Kind::Config)
        return QStringLiteral("config");
    return e.signal == FailureSignal::None ? QStringLiteral("overall") : signalCode(e.signal);
}

} // namespace

EventLogModel::EventLogModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
}

void EventLogModel::setCapacity(int maxEvents)
{
    m_capacity = std::max(1, maxEvents);
    dropOldest(rowCount() - m_capacity);
}

void EventLogModel::dropOldest(int count)
{
    if (count <= 0)
        return;
    const int size = rowCount();
    beginRemoveRows({}, size - count, size - 1);
    m_events.erase(m_events.end() - count, m_events.end());
    endRemoveRows();
}

EngineEvents EventLogModel::oneRowPerTransition(const EngineEvents& events)
{
    // The engine reports a signal's transition and, with it, the endpoint's overall one ("ok → critical"
    // twice). The overall row says nothing more when a signal of the same endpoint, at the same time,
    // reached the same state: the log keeps the signal's row, which names the signal.
    EngineEvents out;
    out.reserve(events.size());
    for (const EngineEvent& e : events) {
        if (e.kind == EngineEvent::Kind::Signal && e.signal == FailureSignal::None) {
            const bool told = std::any_of(events.cbegin(), events.cend(), [&e](const EngineEvent& other) {
                return other.kind == EngineEvent::Kind::Signal && other.signal != FailureSignal::None
                    && other.endpointId == e.endpointId && other.endpoint == e.endpoint && other.time == e.time
                    && other.to == e.to;
            });
            if (told)
                continue;
        }
        out.append(e);
    }
    return out;
}

void EventLogModel::appendEvents(const EngineEvents& given)
{
    const EngineEvents events = oneRowPerTransition(given);
    if (events.isEmpty())
        return;
    // Only the newest `capacity` events of a huge batch can stay; make room before inserting.
    const int keep = static_cast<int>(std::min<qsizetype>(events.size(), m_capacity));
    dropOldest(rowCount() + keep - m_capacity);
    beginInsertRows({}, 0, keep - 1);
    for (qsizetype i = events.size() - keep; i < events.size(); ++i)
        m_events.push_front(events[i]);
    endInsertRows();
}

void EventLogModel::applyBatch(const EngineBatch& batch)
{
    appendEvents(batch.events);
}

void EventLogModel::clear()
{
    if (m_events.empty())
        return;
    beginResetModel();
    m_events.clear();
    endResetModel();
}

EngineEvent EventLogModel::eventAt(int row) const
{
    return row >= 0 && row < rowCount() ? m_events[static_cast<std::size_t>(row)] : EngineEvent {};
}

void EventLogModel::setClock(Clock clock)
{
    m_clock = std::move(clock);
    if (!m_events.empty())
        emit dataChanged(index(0, Time), index(rowCount() - 1, Time), { Qt::DisplayRole });
}

int EventLogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_events.size());
}

int EventLogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex& index, int role) const
{
    // Quietly empty for an invalid index: a proxy passes one through for its own invalid indexes.
    if (!index.isValid() || index.model() != this || index.row() >= rowCount())
        return {};
    const EngineEvent& e = m_events[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Time: {
            if (!e.time.isValid())
                return QString();
            const QDateTime local = e.time.toLocalTime();
            const bool today = local.date() == m_clock().toLocalTime().date();
            return local.toString(today ? QStringLiteral("HH:mm:ss") : QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        }
        case Endpoint:
            return e.endpoint;
        case Signal:
            return signalColumnText(e);
        case Transition:
            if (e.kind == EngineEvent::Kind::Config)
                return QStringLiteral("config changed");
            return QString(e.from % QStringLiteral(" \u2192 ") % e.to);
        case Reason:
            return e.reason;
        default:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        switch (column) {
        case Time:
            return e.time.toLocalTime().toString(Qt::ISODateWithMs);
        case Signal:
            if (e.kind == EngineEvent::Kind::Circuit)
                return QStringLiteral("Circuit breaker");
            if (e.kind == EngineEvent::Kind::Config)
                return QStringLiteral("The endpoint's config changed");
            return e.signal == FailureSignal::None ? QStringLiteral("Overall state of the endpoint")
                                                   : signalTitle(e.signal);
        case Reason:
            return e.reason;
        default:
            break;
        }
        return {};
    case SortRole:
        switch (column) {
        case Time:
            return e.time.isValid() ? QVariant(e.time.toMSecsSinceEpoch()) : QVariant();
        case Endpoint:
            return e.endpoint;
        case Signal:
            if (e.kind == EngineEvent::Kind::Config)
                return kCircuitSortValue + 1;
            return e.kind == EngineEvent::Kind::Circuit ? kCircuitSortValue : static_cast<int>(e.signal);
        case Transition:
            return static_cast<int>(e.toState);
        case Reason:
            return e.reason;
        default:
            break;
        }
        return {};
    case KindRole:
        return eventKindCode(e.kind);
    case ToStateRole:
        return static_cast<int>(e.toState);
    case EndpointIdRole:
        return e.endpointId;
    default:
        break;
    }
    return {};
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole) {
        switch (section) {
        case Time:
            return QStringLiteral("Time");
        case Endpoint:
            return QStringLiteral("Endpoint");
        case Signal:
            return QStringLiteral("Signal");
        case Transition:
            return QStringLiteral("Transition");
        case Reason:
            return QStringLiteral("Reason");
        default:
            break;
        }
    }
    return QAbstractTableModel::headerData(section, orientation, role);
}

QHash<int, QByteArray> EventLogModel::roleNames() const
{
    return roleNamesFromEnum(QMetaEnum::fromType<Role>(), QAbstractTableModel::roleNames());
}

} // namespace sd
