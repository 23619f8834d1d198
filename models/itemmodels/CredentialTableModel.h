// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "itemmodels/DisplayText.h"
#include "schedule/EngineTypes.h"

#include <QAbstractTableModel>
#include <QHash>

namespace sd {

/// The credentials of a config, one row each, as the credentials dialog lists them: id, label, scheme, the
/// endpoints that use it, age (since the last rotation), expiry countdown (JWT `exp`), fingerprint, and the
/// S2 state. Only metadata is shown: the model never sees a secret. The S2 state of a credential is the
/// worst S2 state the engine reports for its endpoints (statuses are merged by endpoint name, so a batch
/// that carries only changed statuses is enough), together with what its metadata alone says
/// (credentialAdvisory: expired, expiring, older than its policy); Unknown until an endpoint reports.
/// Age and expiry depend on "now", taken from a Clock; refreshRelativeTimes() re-reads it.
class CredentialTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Id, Label, Scheme, Endpoints, Age, Expires, Fingerprint, S2, ColumnCount };
    Q_ENUM(Column)

    /// Documented roles; roleNames() is generated from this enum.
    enum Role {
        SortRole = Qt::UserRole + 1, ///< numbers for Age and Expires (seconds; expiry unknown sorts last) and S2
                                     ///< (int SignalState); the display text elsewhere
        CredentialIdRole, ///< QString, on every column
        StateRole, ///< int(SignalState) of the credential's S2 state, on every column
        ReasonRole, ///< why S2 is not Ok ("chat: HTTP 401 invalid_token"), empty when it is
    };
    Q_ENUM(Role)

    explicit CredentialTableModel(QObject* parent = nullptr);

    /// Replaces the credentials and the endpoint → credential links (one reset). Endpoint statuses seen so
    /// far are kept for endpoints that still exist.
    void setConfig(const AppConfig& config);
    /// Merges endpoint statuses (by name) and updates the S2 column of the credentials whose state changed.
    void applyStatuses(const EndpointStatuses& statuses);
    void applyBatch(const EngineBatch& batch);
    /// Where "now" comes from (default: the system clock, UTC).
    void setClock(Clock clock);
    /// Age and expiry read "now" again (one dataChanged for those columns, and S2 when an advisory moved).
    void refreshRelativeTimes();

    CredentialConfig credential(int row) const;
    /// The row of credential `id`, -1 when absent.
    int rowOf(const QString& id) const;
    /// The endpoints that use the credential in `row`, in config order.
    QStringList endpointsOf(int row) const;
    SignalState s2State(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    struct Row {
        CredentialConfig credential;
        QStringList endpoints;
        SignalState state = SignalState::Unknown;
        QString reason;
    };
    struct EndpointS2 {
        SignalState state = SignalState::Unknown;
        QString reason;
    };

    /// Recomputes the S2 state of `row`; true when it changed.
    bool refreshState(Row& row, const QDateTime& nowUtc) const;
    void emitRowsChanged(const QList<int>& rows, int firstColumn, int lastColumn, const QList<int>& roles);

    QList<Row> m_rows;
    QHash<QString, EndpointS2> m_endpointS2; ///< endpoint name → its latest S2 state
    Clock m_clock;
};

} // namespace sd
