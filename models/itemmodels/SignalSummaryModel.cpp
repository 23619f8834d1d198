// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/SignalSummaryModel.h"

#include "itemmodels/ChangedRows.h"
#include "itemmodels/RoleNames.h"

#include <QHash>
#include <QMetaEnum>

namespace sd {

SignalSummaryModel::SignalSummaryModel(QObject* parent)
    : QAbstractListModel(parent)
{
}

void SignalSummaryModel::setEndpoints(const QList<EndpointConfig>& endpoints)
{
    m_endpoints.clear();
    m_endpoints.reserve(static_cast<std::size_t>(endpoints.size()));
    for (const EndpointConfig& e : endpoints)
        m_endpoints.push_back(EndpointSignals { endpointKey(e), e.name, e.url, {}, {}, {} });
    recompute();
}

void SignalSummaryModel::updateEndpoints(const QList<EndpointConfig>& endpoints)
{
    QHash<QString, EndpointSignals> old;
    for (EndpointSignals& e : m_endpoints)
        old.emplace(e.key, std::move(e));
    m_endpoints.clear();
    m_endpoints.reserve(static_cast<std::size_t>(endpoints.size()));
    for (const EndpointConfig& config : endpoints) {
        const QString key = endpointKey(config);
        auto found = old.find(key);
        if (found != old.end() && found->url == config.url) {
            EndpointSignals kept = std::move(*found);
            kept.name = config.name;
            m_endpoints.push_back(std::move(kept));
        } else {
            m_endpoints.push_back(EndpointSignals { key, config.name, config.url, {}, {}, {} });
        }
    }
    recompute();
}

void SignalSummaryModel::applyBatch(const EngineBatch& batch)
{
    QHash<QString, std::size_t> byKey;
    for (std::size_t i = 0; i < m_endpoints.size(); ++i)
        byKey.insert(m_endpoints[i].key, i);
    for (const EndpointStatus& status : batch.statuses) {
        std::size_t at = 0;
        if (!status.key.isEmpty()) {
            const auto found = byKey.constFind(status.key);
            if (found == byKey.cend())
                continue;
            at = *found;
        } else {
            if (status.id < 0 || status.id >= static_cast<int>(m_endpoints.size()))
                continue;
            at = static_cast<std::size_t>(status.id);
            if (!status.name.isEmpty() && status.name != m_endpoints[at].name)
                continue;
        }
        EndpointSignals& e = m_endpoints[at];
        for (std::size_t i = 0; i < e.states.size(); ++i) {
            if (e.states[i] != status.states[i] || e.reasons[i] != status.reasons[i]) {
                e.states[i] = status.states[i];
                e.reasons[i] = status.reasons[i];
                e.changedSeq[i] = ++m_sequence;
            }
        }
    }
    if (!batch.statuses.isEmpty())
        recompute();
}

void SignalSummaryModel::setRemoteEndpoints(const QList<RemoteEndpointSignals>& remote)
{
    QHash<QString, std::size_t> old;
    for (std::size_t i = 0; i < m_remote.size(); ++i)
        old.insert(m_remote[i].key, i);
    std::vector<EndpointSignals> next;
    next.reserve(static_cast<std::size_t>(remote.size()));
    for (const RemoteEndpointSignals& r : remote) {
        EndpointSignals e { r.key, r.name, {}, r.states, r.reasons, {} };
        const auto found = old.constFind(r.key);
        for (std::size_t i = 0; i < e.states.size(); ++i) {
            const bool same = found != old.cend() && m_remote[*found].states[i] == e.states[i]
                && m_remote[*found].reasons[i] == e.reasons[i];
            e.changedSeq[i] = same ? m_remote[*found].changedSeq[i] : ++m_sequence;
        }
        next.push_back(std::move(e));
    }
    m_remote = std::move(next);
    recompute();
}

void SignalSummaryModel::recompute()
{
    std::array<Summary, kSignalCount> next;
    for (std::size_t i = 0; i < next.size(); ++i) {
        Summary& s = next[i];
        quint64 latestSeq = 0;
        for (const auto* list : { &m_endpoints, &m_remote })
            for (const EndpointSignals& e : *list) {
                s.worst = worse(s.worst, e.states[i]);
                if (e.states[i] == SignalState::Warning)
                    ++s.warningCount;
                else if (e.states[i] == SignalState::Critical)
                    ++s.criticalCount;
            }
        if (s.worst < SignalState::Warning)
            continue;
        for (const auto* list : { &m_endpoints, &m_remote })
            for (const EndpointSignals& e : *list) {
                if (e.states[i] == s.worst && (s.latestReasonEndpoint.isEmpty() || e.changedSeq[i] > latestSeq)) {
                    latestSeq = e.changedSeq[i];
                    s.latestReason = e.reasons[i];
                    s.latestReasonEndpoint = e.name;
                }
            }
    }

    static const QList<int> kRoles { WorstStateRole, WarningCountRole, CriticalCountRole, LatestReasonRole,
        LatestReasonEndpointRole };
    std::vector<int> changed;
    for (int row = 0; row < kSignalCount; ++row) {
        if (!(next[static_cast<std::size_t>(row)] == m_summaries[static_cast<std::size_t>(row)]))
            changed.push_back(row);
        m_summaries[static_cast<std::size_t>(row)] = next[static_cast<std::size_t>(row)];
    }
    emitChangedRows(this, std::move(changed), 0, 0, kRoles);

    SignalState worst = SignalState::Unknown;
    for (const Summary& s : m_summaries)
        worst = sd::worse(worst, s.worst);
    if (worst != m_worst) {
        m_worst = worst;
        emit worstStateChanged(worst);
    }
}

int SignalSummaryModel::rowOf(FailureSignal signal) const
{
    const int i = signalIndex(signal);
    return i >= 0 && i < kSignalCount ? i : -1;
}

int SignalSummaryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : kSignalCount;
}

QVariant SignalSummaryModel::data(const QModelIndex& index, int role) const
{
    // Quietly empty for an invalid index: a proxy passes one through for its own invalid indexes.
    if (!index.isValid() || index.model() != this || index.row() >= kSignalCount)
        return {};
    const auto row = static_cast<std::size_t>(index.row());
    const FailureSignal signal = kAllSignals[row];
    const Summary& s = m_summaries[row];
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return signalTitle(signal);
    case Qt::ToolTipRole:
    case ActionRole:
        return signalAction(signal);
    case SignalRole:
        return static_cast<int>(signal);
    case CodeRole:
        return signalCode(signal);
    case WorstStateRole:
        return static_cast<int>(s.worst);
    case WarningCountRole:
        return s.warningCount;
    case CriticalCountRole:
        return s.criticalCount;
    case LatestReasonRole:
        return s.latestReason;
    case LatestReasonEndpointRole:
        return s.latestReasonEndpoint;
    default:
        break;
    }
    return {};
}

QHash<int, QByteArray> SignalSummaryModel::roleNames() const
{
    return roleNamesFromEnum(QMetaEnum::fromType<Role>(), QAbstractListModel::roleNames());
}

} // namespace sd
