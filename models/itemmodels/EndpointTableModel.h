// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/ProbeResult.h"
#include "itemmodels/DisplayText.h"
#include "itemmodels/LatencyWindow.h"
#include "schedule/EngineTypes.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <deque>
#include <optional>
#include <vector>

namespace sd {

class IncidentPolicy;

/// The endpoint table: one row per configured endpoint, in config order. Results, statuses and config changes
/// find their row by endpointKey() (the config's `id`), so a row keeps its live data when the config changes
/// around it (updateEndpoints); entries without a key (hand-made ones) fall back to the row at index
/// `endpointId` with the same name. Rows change only through applyBatch()
/// (the engine flushes a few times a second): a batch emits one dataChanged per contiguous run of changed
/// rows with an explicit role list, or a single full-range dataChanged when most rows changed, never one
/// signal per probe. Latency percentiles and the error rate cover the last windowSize() probes of the live
/// session (probes that received an HTTP status for the latencies, as the history store counts them);
/// uptime covers every probe since start or since the seeded history, except those made in a maintenance
/// window with `excludeFromUptime` (IncidentPolicy, when set). setRangeFigures() shows figures of
/// a chosen time range from the history store instead. DisplayRole holds the text a user reads; SortRole
/// holds numbers (strings for name and host) so that "9 ms" sorts before "100 ms"; a cell with no value
/// has an invalid SortRole and sorts last in ascending order. Times relative to now come from a settable
/// clock; call refreshRelativeTimes() every second or so to update the "Next probe" column.
class EndpointTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Name,
        Host,
        State,
        LastLatency,
        P50,
        P95,
        P99,
        ErrorRate,
        Uptime,
        SignalS1,
        SignalS2,
        SignalS3,
        SignalS4,
        Circuit,
        LastChecked,
        NextProbe,
        Trend,
        Certificate, ///< https: days until the earliest expiry in the server's chain (issue 16)
        Recent, ///< the status strip: the last kStripProbes probes as cells (StatusStripRole)
        ColumnCount
    };
    Q_ENUM(Column)

    /// Documented roles; roleNames() is generated from this enum ("sort", "endpointId", …).
    enum Role {
        SortRole = Qt::UserRole + 1, ///< numbers (double/qint64) for sorting, never display strings
        EndpointIdRole, ///< int, any column
        EndpointNameRole, ///< QString, any column
        CellStateRole, ///< int(SignalState) for State and S1..S4; for Circuit: Ok = closed, Warning = half-open,
                       ///< Critical = open; invalid for other columns
        OverallStateRole, ///< int(SignalState) of the row, any column
        SignalStatesRole, ///< QVariantList of 4 ints (SignalState of S1..S4), any column
        TagsRole, ///< QStringList
        SparklineRole, ///< QList<double>: latest latencies in ms, oldest first (up to 60), NaN for a failed probe
        ReasonRole, ///< the worst signal's reason (empty while every signal is OK or unknown); also the tooltip
        SearchTextRole, ///< lower-case text the text filter matches: name, host, url, tags, signal reasons
        StatusStripRole, ///< QList<int> of the last kStripProbes probes, oldest first: 0 = OK, 1..4 = the
                         ///< signal S1..S4 it raised, 5 = failed without a signal (5xx, failed check)
        PausedRole, ///< bool: not probed now (paused, or its credential cannot be used)
        MarkRole, ///< int(RowMark) of the row, any column: what the State cell shows instead of the state word
    };
    Q_ENUM(Role)

    /// Range figures (from the history store) shown instead of the live window when set.
    struct RangeFigures {
        qint64 probes = 0;
        double uptimePercent = 0; ///< 0..100, over uptimeProbes
        qint64 uptimeProbes = -1; ///< probes the uptime counts (maintenance windows left out); -1 = all
        double p50Ms = 0, p95Ms = 0, p99Ms = 0;
        double errorRate = 0; ///< 0..1
        qint64 answered = -1; ///< probes with an HTTP status (the percentiles' base); -1 = not known
    };

    /// How many rows are in each overall state, and how many are not probed now.
    struct StateCounts {
        int up = 0; ///< OK
        int warning = 0;
        int critical = 0;
        int unknown = 0; ///< no probe finished yet
        int paused = 0; ///< counted in their state, too
    };

    /// What the State cell says besides the state (its icon and colour keep the state): paused wins over
    /// maintenance, maintenance over an acknowledgement (IncidentPolicy).
    enum class RowMark : quint8 { None, Acknowledged, Maintenance, Paused };

    /// Endpoints raising a signal (Warning or Critical) that are marked, for the tiles.
    struct MarkCounts {
        int acknowledged = 0;
        int maintenance = 0;
        int paused = 0;
    };

    static constexpr int kSparklinePoints = 60;
    static constexpr int kStripProbes = 30;
    static constexpr int kDefaultWindowSize = 100;

    explicit EndpointTableModel(QObject* parent = nullptr);

    /// Model reset: one row per endpoint; keeps nothing of the previous rows.
    void setEndpoints(const QList<EndpointConfig>& endpoints);
    /// A changed config, applied row by row (matched by endpointKey()): removed endpoints' rows are removed,
    /// added ones inserted, the others keep their live data (states, last result, sparkline, figures) unless
    /// their request changed (URL, method, headers, body, credential: another request, the row starts over).
    /// No model reset unless the kept rows change order, so selections and the view's scroll stay.
    void updateEndpoints(const QList<EndpointConfig>& endpoints);
    /// Results and statuses of one engine flush. Entries whose id is unknown or whose name does not match
    /// the row (a batch from before a reconfiguration) are ignored.
    void applyBatch(const EngineBatch& batch);
    /// After a restart: fills sparkline, window and uptime from stored samples (any order) that are older
    /// than the live samples already shown; the latest one becomes the last result if none arrived yet.
    void seedHistory(const QHash<QString, ProbeResults>& lastSamplesByEndpointName);
    /// Shows range figures in P50..Uptime and names the range in their headers ("p95 (24 h)"). Endpoints
    /// missing from a non-empty set show empty cells (no probes in that range). Both empty: back to live.
    void setRangeFigures(const QHash<QString, RangeFigures>& byEndpointName, const QString& rangeLabel);
    bool showsRangeFigures() const { return m_rangeActive; }
    QString rangeLabel() const { return m_rangeLabel; }

    /// Probes kept per endpoint for p50/p95/p99 and the error rate (default 100).
    void setWindowSize(int samples);
    int windowSize() const { return m_windowSize; }

    /// Where "now" comes from (default: the system clock, UTC).
    void setClock(Clock clock);
    /// Emits dataChanged for the clock-relative column (Next probe), one signal for all rows.
    void refreshRelativeTimes();

    int rowOfEndpoint(int endpointId) const; ///< by the engine's handle (EndpointStatus::id); -1 when unknown
    int rowOfKey(const QString& key) const; ///< by endpointKey(); -1 when unknown
    EndpointConfig endpoint(int row) const;
    EndpointStatus status(int row) const;
    std::optional<ProbeResult> lastResult(int row) const;
    /// https: the earliest certificate expiry the latest handshake showed; invalid when none was seen.
    QDateTime certificateExpiry(int row) const;
    /// The live window figures of a row (also while range figures are shown).
    WindowFigures windowFigures(int row) const;
    StateCounts stateCounts() const;
    /// Marked endpoints whose `signal` is Warning or Critical (FailureSignal::None: their overall state).
    MarkCounts markCounts(FailureSignal signal) const;
    RowMark rowMark(int row) const;

    /// Where acknowledgements and maintenance windows come from (not owned; null = none). Call
    /// refreshMarks() when the policy changed (an acknowledgement, a window started or ended).
    void setIncidentPolicy(const IncidentPolicy* policy);
    /// One dataChanged over the State column (text, tooltip, MarkRole) of every row.
    void refreshMarks();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    struct Row {
        EndpointConfig config;
        QString host;
        QString searchText;
        EndpointStatus status;
        std::optional<ProbeResult> last;
        LatencyWindow window;
        WindowFigures figures;
        std::deque<double> sparkline; ///< oldest first
        std::deque<quint8> strip; ///< oldest first, StatusStripRole codes
        qint64 uptimeProbes = 0; ///< probes the live uptime counts (not made in an excluded window)
        qint64 uptimeOk = 0;
        qint64 uptimeLeftOut = 0; ///< made in a maintenance window with `excludeFromUptime`
        QDateTime earliestSample; ///< start of the oldest probe counted; seeded history must be older
        TlsFacts tls; ///< of the latest probe that saw a certificate
    };

    bool validRow(int row) const { return row >= 0 && row < static_cast<int>(m_rows.size()); }
    /// The row an engine entry belongs to, -1 when none (a batch from before a reconfiguration).
    int rowFor(const QString& key, int endpointId, const QString& name) const;
    Row freshRow(const EndpointConfig& config) const;
    void rebuildKeys();
    void rebuildSearchText(Row& row) const;
    QVariant display(const Row& row, int column) const;
    QString certificateText(const Row& row) const;
    QVariant toolTip(const Row& row, int column) const;
    QVariant sortValue(const Row& row, int column) const;
    QVariant cellState(const Row& row, int column) const;
    RowMark markOf(const Row& row) const;
    const RangeFigures* rangeOf(const Row& row) const;
    QString worstReason(const Row& row) const;
    void emitRowsChanged(std::vector<int> rows, const QList<int>& roles);
    void countForUptime(Row& row, const ProbeResult& result) const;

    std::vector<Row> m_rows;
    QHash<QString, int> m_rowOfKey; ///< endpointKey() → row
    int m_windowSize = kDefaultWindowSize;
    bool m_rangeActive = false;
    QHash<QString, RangeFigures> m_range;
    QString m_rangeLabel;
    Clock m_clock;
    const IncidentPolicy* m_incidents = nullptr;
};

} // namespace sd
