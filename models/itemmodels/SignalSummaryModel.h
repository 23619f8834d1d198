// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "schedule/EngineTypes.h"

#include <QAbstractListModel>

#include <array>
#include <vector>

namespace sd {

/// The dashboard-wide state of the four failure signals: exactly 4 rows, S1..S4 in order. Each row holds
/// the worst state of that signal over all endpoints, how many endpoints have it Warning and Critical, the
/// recommended action, and the most recent reason among the endpoints in the worst state (with the
/// endpoint's name). Rows change only through applyBatch(), with one dataChanged per contiguous run of
/// changed rows and an explicit role list; worstStateChanged() fires when the worst state over all
/// signals changes (the tray icon follows it). DisplayRole is the signal's title, ToolTipRole its action.
class SignalSummaryModel : public QAbstractListModel {
    Q_OBJECT
public:
    /// Documented roles; roleNames() is generated from this enum.
    enum Role {
        SignalRole = Qt::UserRole + 1, ///< int(FailureSignal)
        CodeRole, ///< "S1".."S4"
        TitleRole, ///< "Timeout & connection", …
        WorstStateRole, ///< int(SignalState): worst over endpoints; Unknown before any status
        WarningCountRole, ///< int: endpoints with the signal Warning
        CriticalCountRole, ///< int: endpoints with the signal Critical
        ActionRole, ///< the recommended action (signalAction())
        LatestReasonRole, ///< most recent reason among endpoints in the worst state (empty unless Warning/Critical)
        LatestReasonEndpointRole, ///< the endpoint that reason belongs to
    };
    Q_ENUM(Role)

    explicit SignalSummaryModel(QObject* parent = nullptr);

    /// Forgets every state; the endpoint id is the index in this list, as in the engine's first config.
    void setEndpoints(const QList<EndpointConfig>& endpoints);
    /// A changed config: endpoints matched by endpointKey() keep their states unless their request changed
    /// (then they start over, as in the engine); removed ones no longer count, added ones start unknown.
    void updateEndpoints(const QList<EndpointConfig>& endpoints);
    /// Takes the statuses of one engine flush, matched by their key (hand-made statuses without one: by
    /// index and name); unknown ones are ignored.
    void applyBatch(const EngineBatch& batch);
    /// Endpoints probed elsewhere (config `sources`, FleetModel::remoteSignals()): they count in the tiles with
    /// the local ones. Replaces the previous remote set; an entry keeps its change order while its state and
    /// reason stay the same.
    struct RemoteEndpointSignals {
        QString key;
        QString name;
        std::array<SignalState, kSignalCount> states {};
        std::array<QString, kSignalCount> reasons;
    };
    void setRemoteEndpoints(const QList<RemoteEndpointSignals>& remote);

    /// The worst state over all signals and endpoints (for the tray); Unknown before any status.
    SignalState worstState() const { return m_worst; }
    /// 0..3 for S1..S4; -1 for None.
    int rowOf(FailureSignal signal) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

signals:
    void worstStateChanged(sd::SignalState state);

private:
    struct EndpointSignals {
        QString key; ///< endpointKey()
        QString name;
        QUrl url;
        std::array<SignalState, kSignalCount> states {};
        std::array<QString, kSignalCount> reasons;
        /// When the state or reason last changed, as a batch-order sequence number (no clock needed).
        std::array<quint64, kSignalCount> changedSeq {};
    };
    struct Summary {
        SignalState worst = SignalState::Unknown;
        int warningCount = 0;
        int criticalCount = 0;
        QString latestReason;
        QString latestReasonEndpoint;
        bool operator==(const Summary&) const = default;
    };

    void recompute();

    std::vector<EndpointSignals> m_endpoints;
    std::vector<EndpointSignals> m_remote;
    std::array<Summary, kSignalCount> m_summaries;
    SignalState m_worst = SignalState::Unknown;
    quint64 m_sequence = 0;
};

} // namespace sd
