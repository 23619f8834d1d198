// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/FailureSignal.h"
#include "history/HistoryTypes.h"
#include "history/ProbeAggregate.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>

namespace sd {

class CsvWriter;

/// What one row of the summary report says about an endpoint over a range.
struct EndpointSummary {
    QString endpoint;
    qint64 fromMs = 0;
    qint64 toMs = 0;
    ProbeAggregate stats;
    /// The probes uptime_percent is computed over when some were left out (maintenance windows with
    /// `excludeFromUptime`); unset: all of `stats`.
    std::optional<ProbeAggregate> uptimeStats;
    std::optional<Outage> longestOutage;
    std::optional<std::array<SignalState, kSignalCount>> currentStates; ///< S1..S4, when the caller knows them
    QDateTime certExpires; ///< https: earliest certificate expiry seen live; invalid when not known
};

/// The per-endpoint summary CSV (columns()): range, probes, uptime %, latency mean/p50/p95/p99 in ms,
/// counts per signal and per outcome, the longest outage (start, seconds, whether still ongoing at the end
/// of the range), the current signal states and the certificate expiry (`cert_expires_utc`). Empty cells mean "not
/// applicable": no probes, no latency, no outage, states not given.
class SummaryCsv {
public:
    explicit SummaryCsv(CsvWriter& writer);

    static QStringList columns();
    void writeHeader();
    void writeRow(const EndpointSummary& summary);

private:
    CsvWriter& m_writer;
};

} // namespace sd
