// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/EndpointTableModel.h"
#include "health/IncidentPolicy.h"

#include "itemmodels/ChangedRows.h"
#include "itemmodels/RoleNames.h"

#include <QMetaEnum>
#include <QStringBuilder>

#include <algorithm>
#include <cmath>
#include <limits>

namespace sd {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QVariant optionalNumber(const std::optional<double>& value)
{
    return value ? QVariant(*value) : QVariant();
}

QString optionalLatency(const std::optional<double>& ms)
{
    return ms ? latencyText(*ms) : QString();
}

int signalColumnIndex(int column)
{
    return column - EndpointTableModel::SignalS1;
}

bool isSignalColumn(int column)
{
    return column >= EndpointTableModel::SignalS1 && column <= EndpointTableModel::SignalS4;
}

quint8 stripCode(const ProbeResult& result)
{
    if (result.outcome == Outcome::Ok)
        return 0;
    const int signal = static_cast<int>(result.signal);
    // FailureSignal: None = 0, S1..S4 = 1..4.
    return signal >= 1 && signal <= 4 ? static_cast<quint8>(signal) : quint8(5);
}

/// The latest probe's latency as an operator reads it: a probe that got no answer has none.
QString lastLatencyText(const ProbeResult& result)
{
    if (result.httpStatus > 0)
        return latencyText(result.latencyMs());
    if (result.outcome == Outcome::Timeout)
        return QStringLiteral("timeout");
    return result.outcome == Outcome::Ok ? latencyText(result.latencyMs()) : QStringLiteral("no answer");
}

bool isPaused(const EndpointStatus& status)
{
    return status.nextReason == NextProbeReason::Paused || !status.pausedBecause.isEmpty();
}

bool isRangeColumn(int column)
{
    return column >= EndpointTableModel::P50 && column <= EndpointTableModel::Uptime;
}

} // namespace

EndpointTableModel::EndpointTableModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
}

EndpointTableModel::Row EndpointTableModel::freshRow(const EndpointConfig& config) const
{
    Row row;
    row.config = config;
    row.host = hostText(row.config.url);
    row.status.id = -1;
    row.status.key = endpointKey(config);
    row.status.name = row.config.name;
    row.window.setCapacity(m_windowSize);
    rebuildSearchText(row);
    return row;
}

void EndpointTableModel::rebuildKeys()
{
    m_rowOfKey.clear();
    m_rowOfKey.reserve(static_cast<qsizetype>(m_rows.size()));
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        m_rowOfKey.insert(endpointKey(m_rows[i].config), static_cast<int>(i));
}

void EndpointTableModel::setEndpoints(const QList<EndpointConfig>& endpoints)
{
    beginResetModel();
    m_rows.clear();
    m_rows.reserve(static_cast<std::size_t>(endpoints.size()));
    for (qsizetype i = 0; i < endpoints.size(); ++i) {
        Row row = freshRow(endpoints[i]);
        // The engine gives its first config's endpoints the handles 0, 1, … in order.
        row.status.id = static_cast<int>(i);
        m_rows.push_back(std::move(row));
    }
    rebuildKeys();
    endResetModel();
}

namespace {
bool sameRequest(const EndpointConfig& a, const EndpointConfig& b)
{
    return a.url == b.url && a.method == b.method && a.kind == b.kind && a.headers == b.headers && a.body == b.body
        && a.credential == b.credential && a.freshConnection == b.freshConnection && a.tls == b.tls;
}
} // namespace

void EndpointTableModel::updateEndpoints(const QList<EndpointConfig>& endpoints)
{
    QHash<QString, qsizetype> wanted;
    for (qsizetype i = 0; i < endpoints.size(); ++i)
        wanted.insert(endpointKey(endpoints[i]), i);

    // Removed rows go first, bottom up, one contiguous run at a time.
    for (int row = rowCount() - 1; row >= 0;) {
        if (wanted.contains(endpointKey(m_rows[static_cast<std::size_t>(row)].config))) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && !wanted.contains(endpointKey(m_rows[static_cast<std::size_t>(first - 1)].config)))
            --first;
        beginRemoveRows({}, first, row);
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + row + 1);
        endRemoveRows();
        row = first - 1;
    }

    // The kept rows take their new config; a changed request starts the row over.
    std::vector<int> changed;
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        Row& row = m_rows[i];
        const EndpointConfig& next = endpoints[wanted.value(endpointKey(row.config))];
        if (row.config == next)
            continue;
        if (!sameRequest(row.config, next)) {
            const int handle = row.status.id;
            row = freshRow(next);
            row.status.id = handle;
        } else {
            row.config = next;
            row.host = hostText(row.config.url);
            row.status.name = next.name;
            if (row.last)
                row.last->endpoint = next.name;
            rebuildSearchText(row);
        }
        changed.push_back(static_cast<int>(i));
    }

    // The kept rows in their new relative order: a reorder is a layout change (selection follows the rows).
    const bool reordered = !std::is_sorted(m_rows.begin(), m_rows.end(), [&wanted](const Row& a, const Row& b) {
        return wanted.value(endpointKey(a.config)) < wanted.value(endpointKey(b.config));
    });
    if (reordered) {
        emit layoutAboutToBeChanged();
        const QModelIndexList before = persistentIndexList();
        QList<QString> keysBefore;
        for (const QModelIndex& index : before)
            keysBefore << endpointKey(m_rows[static_cast<std::size_t>(index.row())].config);
        std::stable_sort(m_rows.begin(), m_rows.end(), [&wanted](const Row& a, const Row& b) {
            return wanted.value(endpointKey(a.config)) < wanted.value(endpointKey(b.config));
        });
        rebuildKeys();
        QModelIndexList after;
        for (qsizetype i = 0; i < before.size(); ++i)
            after << index(m_rowOfKey.value(keysBefore[i]), before[i].column());
        changePersistentIndexList(before, after);
        emit layoutChanged();
        changed.clear(); // rows moved: every kept row is repainted by the layout change anyway
    }
    rebuildKeys();
    emitRowsChanged(std::move(changed),
        { Qt::DisplayRole, Qt::ToolTipRole, SortRole, CellStateRole, OverallStateRole, SignalStatesRole, TagsRole,
            SparklineRole, ReasonRole, SearchTextRole, EndpointNameRole });

    // Added endpoints are inserted at their place in the new order.
    for (qsizetype i = 0; i < endpoints.size(); ++i) {
        const QString key = endpointKey(endpoints[i]);
        if (m_rowOfKey.contains(key))
            continue;
        const int at = static_cast<int>(i);
        beginInsertRows({}, at, at);
        m_rows.insert(m_rows.begin() + at, freshRow(endpoints[i]));
        rebuildKeys();
        endInsertRows();
    }
}

int EndpointTableModel::rowFor(const QString& key, int endpointId, const QString& name) const
{
    if (!key.isEmpty())
        return m_rowOfKey.value(key, -1);
    if (!validRow(endpointId))
        return -1;
    // An id from before a reconfiguration may point at another endpoint now.
    if (!name.isEmpty() && name != m_rows[static_cast<std::size_t>(endpointId)].config.name)
        return -1;
    return endpointId;
}

void EndpointTableModel::rebuildSearchText(Row& row) const
{
    QStringList parts { row.config.name, row.host, row.config.url.toString() };
    parts += row.config.tags;
    for (const QString& reason : row.status.reasons) {
        if (!reason.isEmpty())
            parts.append(reason);
    }
    // Newline-separated so that a filter word never matches across two fields.
    row.searchText = parts.join(u'\n').toLower();
}

void EndpointTableModel::applyBatch(const EngineBatch& batch)
{
    std::vector<int> changed;
    changed.reserve(static_cast<std::size_t>(batch.results.size() + batch.statuses.size()));
    std::vector<int> figuresStale;
    for (const ProbeResult& result : batch.results) {
        const int rowIndex = rowFor(result.endpointKey, result.endpointId, result.endpoint);
        if (rowIndex < 0)
            continue;
        Row* row = &m_rows[static_cast<std::size_t>(rowIndex)];
        const bool ok = result.outcome == Outcome::Ok;
        row->window.add(result);
        row->sparkline.push_back(ok ? result.latencyMs() : kNaN);
        if (row->sparkline.size() > static_cast<std::size_t>(kSparklinePoints))
            row->sparkline.pop_front();
        row->strip.push_back(stripCode(result));
        if (row->strip.size() > static_cast<std::size_t>(kStripProbes))
            row->strip.pop_front();
        countForUptime(*row, result);
        if (!row->earliestSample.isValid())
            row->earliestSample = result.startUtc;
        row->last = result;
        if (result.tls.present)
            row->tls = result.tls;
        figuresStale.push_back(rowIndex);
        changed.push_back(rowIndex);
    }
    std::sort(figuresStale.begin(), figuresStale.end());
    figuresStale.erase(std::unique(figuresStale.begin(), figuresStale.end()), figuresStale.end());
    for (int id : figuresStale) {
        Row& row = m_rows[static_cast<std::size_t>(id)];
        row.figures = row.window.figures();
    }

    bool statusesChanged = false;
    for (const EndpointStatus& status : batch.statuses) {
        const int rowIndex = rowFor(status.key, status.id, status.name);
        if (rowIndex < 0)
            continue;
        Row* row = &m_rows[static_cast<std::size_t>(rowIndex)];
        row->status = status;
        row->status.name = row->config.name;
        rebuildSearchText(*row);
        statusesChanged = true;
        changed.push_back(rowIndex);
    }

    QList<int> roles { Qt::DisplayRole, Qt::ToolTipRole, SortRole };
    if (!figuresStale.empty())
        roles += QList<int> { SparklineRole, StatusStripRole };
    if (statusesChanged)
        roles += QList<int> { CellStateRole, OverallStateRole, SignalStatesRole, ReasonRole, SearchTextRole, PausedRole,
            MarkRole }; // paused is a mark: no full-column refreshMarks() needed for it
    emitRowsChanged(std::move(changed), roles);
}

void EndpointTableModel::countForUptime(Row& row, const ProbeResult& result) const
{
    // Probes made in a maintenance window with `excludeFromUptime` are kept everywhere but here.
    if (m_incidents && m_incidents->excludedFromUptime(endpointKey(row.config), result.startUtc)) {
        ++row.uptimeLeftOut;
        return;
    }
    ++row.uptimeProbes;
    if (result.outcome == Outcome::Ok)
        ++row.uptimeOk;
}

void EndpointTableModel::emitRowsChanged(std::vector<int> rows, const QList<int>& roles)
{
    emitChangedRows(this, std::move(rows), 0, ColumnCount - 1, roles);
}

void EndpointTableModel::seedHistory(const QHash<QString, ProbeResults>& lastSamplesByEndpointName)
{
    std::vector<int> changed;
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        Row& row = m_rows[i];
        const auto found = lastSamplesByEndpointName.constFind(row.config.name);
        if (found == lastSamplesByEndpointName.cend())
            continue;
        ProbeResults older;
        for (const ProbeResult& r : *found) {
            if (!row.earliestSample.isValid() || r.startUtc < row.earliestSample)
                older.append(r);
        }
        if (older.isEmpty())
            continue;
        std::stable_sort(older.begin(), older.end(),
            [](const ProbeResult& a, const ProbeResult& b) { return a.startUtc < b.startUtc; });
        // Newest first, each pushed in front of the older ones already there.
        for (qsizetype k = older.size() - 1; k >= 0; --k) {
            const ProbeResult& sample = older.at(k);
            const bool ok = sample.outcome == Outcome::Ok;
            row.window.addOlder(sample);
            if (row.sparkline.size() < static_cast<std::size_t>(kSparklinePoints))
                row.sparkline.push_front(ok ? sample.latencyMs() : kNaN);
            if (row.strip.size() < static_cast<std::size_t>(kStripProbes))
                row.strip.push_front(stripCode(sample));
            countForUptime(row, sample);
        }
        row.earliestSample = older.constFirst().startUtc;
        if (!row.last)
            row.last = older.constLast();
        row.figures = row.window.figures();
        changed.push_back(static_cast<int>(i));
    }
    emitRowsChanged(std::move(changed), { Qt::DisplayRole, Qt::ToolTipRole, SortRole, SparklineRole, StatusStripRole });
}

void EndpointTableModel::setRangeFigures(const QHash<QString, RangeFigures>& byEndpointName, const QString& rangeLabel)
{
    m_range = byEndpointName;
    m_rangeLabel = rangeLabel;
    m_rangeActive = !byEndpointName.isEmpty() || !rangeLabel.isEmpty();
    emit headerDataChanged(Qt::Horizontal, P50, Uptime);
    if (!m_rows.empty())
        emit dataChanged(index(0, P50), index(rowCount() - 1, Uptime), { Qt::DisplayRole, Qt::ToolTipRole, SortRole });
}

void EndpointTableModel::setWindowSize(int samples)
{
    m_windowSize = std::max(1, samples);
    for (Row& row : m_rows) {
        row.window.setCapacity(m_windowSize);
        row.figures = row.window.figures();
    }
    if (!m_rows.empty())
        emit dataChanged(
            index(0, P50), index(rowCount() - 1, ErrorRate), { Qt::DisplayRole, Qt::ToolTipRole, SortRole });
}

void EndpointTableModel::setClock(Clock clock)
{
    m_clock = std::move(clock);
    refreshRelativeTimes();
}

void EndpointTableModel::refreshRelativeTimes()
{
    if (!m_rows.empty())
        emit dataChanged(index(0, NextProbe), index(rowCount() - 1, NextProbe), { Qt::DisplayRole });
}

int EndpointTableModel::rowOfEndpoint(int endpointId) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].status.id == endpointId)
            return static_cast<int>(i);
    return -1;
}

int EndpointTableModel::rowOfKey(const QString& key) const
{
    return m_rowOfKey.value(key, -1);
}

EndpointConfig EndpointTableModel::endpoint(int row) const
{
    return validRow(row) ? m_rows[static_cast<std::size_t>(row)].config : EndpointConfig {};
}

EndpointStatus EndpointTableModel::status(int row) const
{
    return validRow(row) ? m_rows[static_cast<std::size_t>(row)].status : EndpointStatus {};
}

std::optional<ProbeResult> EndpointTableModel::lastResult(int row) const
{
    return validRow(row) ? m_rows[static_cast<std::size_t>(row)].last : std::nullopt;
}

WindowFigures EndpointTableModel::windowFigures(int row) const
{
    return validRow(row) ? m_rows[static_cast<std::size_t>(row)].figures : WindowFigures {};
}

EndpointTableModel::RowMark EndpointTableModel::rowMark(int row) const
{
    return validRow(row) ? markOf(m_rows[static_cast<std::size_t>(row)]) : RowMark::None;
}

EndpointTableModel::RowMark EndpointTableModel::markOf(const Row& r) const
{
    if (isPaused(r.status))
        return RowMark::Paused;
    if (!m_incidents)
        return RowMark::None;
    switch (m_incidents->mark(endpointKey(r.config), m_clock())) {
    case IncidentMark::Maintenance:
        return RowMark::Maintenance;
    case IncidentMark::Acknowledged:
        return RowMark::Acknowledged;
    case IncidentMark::None:
        break;
    }
    return RowMark::None;
}

EndpointTableModel::MarkCounts EndpointTableModel::markCounts(FailureSignal signal) const
{
    MarkCounts counts;
    const int i = signalIndex(signal);
    for (int row = 0; row < rowCount(); ++row) {
        const EndpointStatus& st = m_rows[static_cast<std::size_t>(row)].status;
        const SignalState state = i >= 0 && i < kSignalCount ? st.states[static_cast<std::size_t>(i)] : st.overall;
        if (state != SignalState::Warning && state != SignalState::Critical)
            continue;
        switch (rowMark(row)) {
        case RowMark::Acknowledged:
            ++counts.acknowledged;
            break;
        case RowMark::Maintenance:
            ++counts.maintenance;
            break;
        case RowMark::Paused:
            ++counts.paused;
            break;
        case RowMark::None:
            break;
        }
    }
    return counts;
}

void EndpointTableModel::setIncidentPolicy(const IncidentPolicy* policy)
{
    m_incidents = policy;
    refreshMarks();
}

void EndpointTableModel::refreshMarks()
{
    if (m_rows.empty())
        return;
    emit dataChanged(index(0, State), index(rowCount() - 1, State), { Qt::DisplayRole, Qt::ToolTipRole, MarkRole });
}

EndpointTableModel::StateCounts EndpointTableModel::stateCounts() const
{
    StateCounts counts;
    for (const Row& row : m_rows) {
        switch (row.status.overall) {
        case SignalState::Ok:
            ++counts.up;
            break;
        case SignalState::Warning:
            ++counts.warning;
            break;
        case SignalState::Critical:
            ++counts.critical;
            break;
        case SignalState::Unknown:
            ++counts.unknown;
            break;
        }
        if (isPaused(row.status))
            ++counts.paused;
    }
    return counts;
}

int EndpointTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int EndpointTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const EndpointTableModel::RangeFigures* EndpointTableModel::rangeOf(const Row& row) const
{
    const auto found = m_range.constFind(row.config.name);
    return found == m_range.cend() || found->probes <= 0 ? nullptr : &*found;
}

QString EndpointTableModel::worstReason(const Row& row) const
{
    SignalState worst = SignalState::Ok;
    QString reason;
    for (std::size_t i = 0; i < row.status.states.size(); ++i) {
        if (row.status.states[i] > worst) {
            worst = row.status.states[i];
            reason = row.status.reasons[i];
        }
    }
    return reason;
}

QVariant EndpointTableModel::display(const Row& row, int column) const
{
    const EndpointStatus& st = row.status;
    if (m_rangeActive && isRangeColumn(column)) {
        const RangeFigures* range = rangeOf(row);
        if (!range)
            return QString();
        const bool noAnswer = range->answered == 0; // percentiles of nothing: not "0.0 ms"
        switch (column) {
        case P50:
            return noAnswer ? QStringLiteral("\u2014") : latencyText(range->p50Ms);
        case P95:
            return noAnswer ? QStringLiteral("\u2014") : latencyText(range->p95Ms);
        case P99:
            return noAnswer ? QStringLiteral("\u2014") : latencyText(range->p99Ms);
        case ErrorRate:
            return percentText(100.0 * range->errorRate);
        case Uptime:
            // Every probe of the range made in a maintenance window left out of the uptime: none to count.
            return range->uptimeProbes == 0 ? QStringLiteral("\u2014") : percentText(range->uptimePercent);
        default:
            break;
        }
    }
    if (isSignalColumn(column))
        return stateText(st.states[static_cast<std::size_t>(signalColumnIndex(column))]);
    switch (column) {
    case Name:
        return row.config.name;
    case Host:
        return row.host;
    case State:
        switch (markOf(row)) {
        case RowMark::Paused:
            return QStringLiteral("Paused");
        case RowMark::Maintenance:
            return QStringLiteral("Maintenance");
        case RowMark::Acknowledged:
            return QStringLiteral("Acknowledged");
        case RowMark::None:
            break;
        }
        return stateText(st.overall);
    case LastLatency:
        return row.last ? lastLatencyText(*row.last) : QString();
    case P50:
        return optionalLatency(row.figures.p50Ms);
    case P95:
        return optionalLatency(row.figures.p95Ms);
    case P99:
        return optionalLatency(row.figures.p99Ms);
    case ErrorRate:
        return row.figures.errorRate ? percentText(100.0 * *row.figures.errorRate) : QString();
    case Uptime:
        return row.uptimeProbes > 0
            ? percentText(100.0 * static_cast<double>(row.uptimeOk) / static_cast<double>(row.uptimeProbes))
            : QString();
    case Circuit:
        return circuitText(st.circuit);
    case LastChecked:
        return row.last ? clockTimeText(row.last->startUtc) : QString();
    case NextProbe:
        return nextProbeText(st, m_clock());
    case Certificate:
        return certificateText(row);
    default:
        break;
    }
    return {};
}

// "12 d", "expired", "⚠ 40 d" when the endpoint skips verification (tls.insecureSkipVerify).
QDateTime EndpointTableModel::certificateExpiry(int row) const
{
    return validRow(row) && m_rows[static_cast<std::size_t>(row)].tls.present
        ? m_rows[static_cast<std::size_t>(row)].tls.earliestExpiresAt
        : QDateTime();
}

QString EndpointTableModel::certificateText(const Row& row) const
{
    const QString badge = row.config.tls.insecureSkipVerify ? QStringLiteral("⚠ ") : QString();
    if (!row.tls.present || !row.tls.earliestExpiresAt.isValid())
        return row.config.tls.insecureSkipVerify && row.config.url.scheme() == u"https" ? QStringLiteral("⚠ unverified")
                                                                                        : QString();
    const qint64 seconds = m_clock().secsTo(row.tls.earliestExpiresAt);
    if (seconds <= 0)
        return badge + QStringLiteral("expired");
    return badge + QStringLiteral("%1 d").arg(seconds / 86'400);
}

QVariant EndpointTableModel::toolTip(const Row& row, int column) const
{
    if (isSignalColumn(column)) {
        const auto i = static_cast<std::size_t>(signalColumnIndex(column));
        const QString title = signalTitle(kAllSignals[i]);
        return row.status.reasons[i].isEmpty() ? title : QString(title % QStringLiteral(": ") % row.status.reasons[i]);
    }
    switch (column) {
    case Name:
    case Host:
        return row.config.url.toString();
    case State: {
        // The cell's word may be the mark: the tooltip keeps the state, and says why it is marked.
        QStringList lines { stateText(row.status.overall) };
        if (isPaused(row.status))
            lines.append(row.status.pausedBecause.isEmpty()
                    ? QStringLiteral("Paused: not probed until resumed")
                    : QStringLiteral("Not probed: ") + row.status.pausedBecause);
        if (m_incidents) {
            if (const QString incident = m_incidents->describe(endpointKey(row.config), m_clock()); !incident.isEmpty())
                lines.append(incident);
        }
        if (const QString reason = worstReason(row); !reason.isEmpty())
            lines.append(reason);
        return lines.join(u'\n');
    }
    case Certificate: {
        QStringList lines;
        if (row.config.tls.insecureSkipVerify)
            lines.append(QStringLiteral("tls.insecureSkipVerify: certificate errors are ignored for this endpoint"));
        if (row.tls.present) {
            lines.append(QStringLiteral("Expires %1 (%2)")
                             .arg(row.tls.earliestExpiresAt.toUTC().toString(Qt::ISODate), row.tls.protocol));
            lines += row.tls.chain;
        }
        return lines.isEmpty() ? QVariant() : QVariant(lines.join(u'\n'));
    }
    case LastLatency:
    case LastChecked:
        if (row.last) {
            const QString when = row.last->startUtc.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
            return row.last->reason.isEmpty() ? when : QString(when % QStringLiteral(": ") % row.last->reason);
        }
        return {};
    case Recent:
        return QStringLiteral("The last %1 probes, oldest left: green OK, coloured by the signal a failure raised")
            .arg(row.strip.size());
    case Uptime:
        if (!m_rangeActive && row.uptimeLeftOut > 0)
            return QStringLiteral("Over %1 probes since start; %2 made in maintenance windows are left out")
                .arg(row.uptimeProbes)
                .arg(row.uptimeLeftOut);
        break;
    case P50:
    case P95:
    case P99:
    case ErrorRate:
        if (!m_rangeActive)
            return QStringLiteral("Over the last %1 probes (%2 with an HTTP answer)")
                .arg(row.figures.probes)
                .arg(row.figures.answered);
        break;
    default:
        break;
    }
    if (m_rangeActive && isRangeColumn(column)) {
        const RangeFigures* range = rangeOf(row);
        if (range && range->answered >= 0 && column >= P50 && column <= P99)
            return range->answered == 0
                ? QStringLiteral("%1 probes in %2, none answered: no latency").arg(range->probes).arg(m_rangeLabel)
                : QStringLiteral("Over the %1 answered of %2 probes in %3")
                      .arg(range->answered)
                      .arg(range->probes)
                      .arg(m_rangeLabel);
        if (range && column == Uptime && range->uptimeProbes >= 0 && range->uptimeProbes != range->probes)
            return QStringLiteral("Over %1 of %2 probes in %3: those made in maintenance windows are left out")
                .arg(range->uptimeProbes)
                .arg(range->probes)
                .arg(m_rangeLabel);
        return QStringLiteral("%1 probes in %2").arg(range ? range->probes : 0).arg(m_rangeLabel);
    }
    const QString reason = worstReason(row);
    return reason.isEmpty() ? QVariant() : QVariant(reason);
}

QVariant EndpointTableModel::sortValue(const Row& row, int column) const
{
    const EndpointStatus& st = row.status;
    if (m_rangeActive && isRangeColumn(column)) {
        const RangeFigures* range = rangeOf(row);
        if (!range)
            return {};
        switch (column) {
        case P50:
            return range->p50Ms;
        case P95:
            return range->p95Ms;
        case P99:
            return range->p99Ms;
        case ErrorRate:
            return range->errorRate;
        case Uptime:
            return range->uptimeProbes == 0 ? QVariant() : QVariant(range->uptimePercent);
        default:
            break;
        }
    }
    if (isSignalColumn(column))
        return static_cast<int>(st.states[static_cast<std::size_t>(signalColumnIndex(column))]);
    switch (column) {
    case Name:
        return row.config.name;
    case Host:
        return row.host;
    case State:
        return static_cast<int>(st.overall);
    case LastLatency:
    case Trend:
        return row.last ? QVariant(row.last->latencyMs()) : QVariant();
    case P50:
        return optionalNumber(row.figures.p50Ms);
    case P95:
        return optionalNumber(row.figures.p95Ms);
    case P99:
        return optionalNumber(row.figures.p99Ms);
    case ErrorRate:
        return optionalNumber(row.figures.errorRate);
    case Uptime:
        return row.uptimeProbes > 0
            ? QVariant(100.0 * static_cast<double>(row.uptimeOk) / static_cast<double>(row.uptimeProbes))
            : QVariant();
    case Circuit:
        return static_cast<int>(circuitHealth(st.circuit));
    case LastChecked:
        return row.last && row.last->startUtc.isValid() ? QVariant(row.last->startUtc.toMSecsSinceEpoch()) : QVariant();
    case NextProbe:
        return st.nextProbeUtc.isValid() ? QVariant(st.nextProbeUtc.toMSecsSinceEpoch()) : QVariant();
    case Certificate:
        return row.tls.present && row.tls.earliestExpiresAt.isValid()
            ? QVariant(row.tls.earliestExpiresAt.toMSecsSinceEpoch())
            : QVariant();
    default:
        break;
    }
    return {};
}

QVariant EndpointTableModel::cellState(const Row& row, int column) const
{
    if (isSignalColumn(column))
        return static_cast<int>(row.status.states[static_cast<std::size_t>(signalColumnIndex(column))]);
    if (column == State)
        return static_cast<int>(row.status.overall);
    if (column == Circuit)
        return static_cast<int>(circuitHealth(row.status.circuit));
    return {};
}

QVariant EndpointTableModel::data(const QModelIndex& index, int role) const
{
    // Quietly empty for an invalid index: a proxy passes one through for its own invalid indexes.
    if (!index.isValid() || index.model() != this || !validRow(index.row()))
        return {};
    const Row& row = m_rows[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(row, column);
    case Qt::ToolTipRole:
        return toolTip(row, column);
    case Qt::TextAlignmentRole:
        if ((column >= LastLatency && column <= Uptime) || column == LastChecked)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case SortRole:
        return sortValue(row, column);
    case EndpointIdRole:
        return index.row();
    case EndpointNameRole:
        return row.config.name;
    case CellStateRole:
        return cellState(row, column);
    case OverallStateRole:
        return static_cast<int>(row.status.overall);
    case SignalStatesRole: {
        QVariantList states;
        for (SignalState s : row.status.states)
            states.append(static_cast<int>(s));
        return states;
    }
    case TagsRole:
        return row.config.tags;
    case SparklineRole:
        return QVariant::fromValue(QList<double>(row.sparkline.begin(), row.sparkline.end()));
    case ReasonRole:
        return worstReason(row);
    case SearchTextRole:
        return row.searchText;
    case StatusStripRole: {
        QList<int> codes;
        codes.reserve(static_cast<qsizetype>(row.strip.size()));
        for (quint8 c : row.strip)
            codes.append(c);
        return QVariant::fromValue(codes);
    }
    case PausedRole:
        return isPaused(row.status);
    case MarkRole:
        return static_cast<int>(markOf(row));
    default:
        break;
    }
    return {};
}

QVariant EndpointTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        static const std::array<QString, ColumnCount> kTitles { QStringLiteral("Name"), QStringLiteral("Host"),
            QStringLiteral("State"), QStringLiteral("Latency"), QStringLiteral("p50"), QStringLiteral("p95"),
            QStringLiteral("p99"), QStringLiteral("Error rate"), QStringLiteral("Uptime"), QStringLiteral("S1"),
            QStringLiteral("S2"), QStringLiteral("S3"), QStringLiteral("S4"), QStringLiteral("Circuit"),
            QStringLiteral("Last checked"), QStringLiteral("Next probe"), QStringLiteral("Trend"),
            QStringLiteral("Certificate"), QStringLiteral("Recent") };
        // Short and of a fixed length: the window sizes the columns from these, and a title that grew with
        // the range ("Error rate (1 h)") was cut. The range is named in the tooltip and the range box.
        return kTitles[static_cast<std::size_t>(section)];
    }
    if (role == Qt::ToolTipRole) {
        if (isSignalColumn(section)) {
            const FailureSignal s = kAllSignals[static_cast<std::size_t>(signalColumnIndex(section))];
            return QString(signalTitle(s) % QStringLiteral(": ") % signalAction(s));
        }
        switch (section) {
        case LastLatency:
            return QStringLiteral("Latency of the latest probe");
        case P50:
        case P95:
        case P99:
            return m_rangeActive
                ? QStringLiteral("Latency percentile over %1, of answered probes only").arg(m_rangeLabel)
                : QStringLiteral("Latency percentile over the last %1 probes, of answered probes only")
                      .arg(m_windowSize);
        case ErrorRate:
            return m_rangeActive ? QStringLiteral("Share of failed probes over %1").arg(m_rangeLabel)
                                 : QStringLiteral("Share of failed probes over the last %1 probes").arg(m_windowSize);
        case Uptime:
            return QString((m_rangeActive ? QStringLiteral("Share of OK probes over %1").arg(m_rangeLabel)
                                          : QStringLiteral("Share of OK probes since start"))
                + QStringLiteral(", leaving out maintenance windows with excludeFromUptime"));
        case Circuit:
            return QStringLiteral("Circuit breaker: closed, open (probing suspended) or half-open");
        case Trend:
            return QStringLiteral("Latency of the last %1 probes; gaps are failed probes").arg(kSparklinePoints);
        case Certificate:
            return QStringLiteral("Days until the earliest certificate in the server's chain expires (https)");
        case Recent:
            return QStringLiteral("The last %1 probes as cells, oldest left: green OK; a failure in the colour of "
                                  "the signal it raised (S1 timeout/connection, S2 auth, S3 input, S4 throttled), "
                                  "grey for 5xx and failed checks; failures are full height")
                .arg(kStripProbes);
        case Name:
            return QStringLiteral("The endpoint's name; hover a row for its URL");
        case Host:
            return QStringLiteral("Host and port probed");
        case State:
            return QStringLiteral("Worst of the four signals");
        case LastChecked:
            return QStringLiteral("When the latest probe started (local time)");
        case NextProbe:
            return QStringLiteral("When the next probe is due, and why if not on its interval");
        default:
            break;
        }
        return {};
    }
    return QAbstractTableModel::headerData(section, orientation, role);
}

QHash<int, QByteArray> EndpointTableModel::roleNames() const
{
    return roleNamesFromEnum(QMetaEnum::fromType<Role>(), QAbstractTableModel::roleNames());
}

} // namespace sd
