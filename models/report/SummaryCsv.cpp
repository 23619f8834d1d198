// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/SummaryCsv.h"

#include "history/HistorySchema.h"
#include "report/CsvWriter.h"

using namespace Qt::StringLiterals;

namespace sd {

SummaryCsv::SummaryCsv(CsvWriter& writer)
    : m_writer(writer)
{
}

QStringList SummaryCsv::columns()
{
    QStringList c { u"endpoint"_s, u"from_utc"_s, u"to_utc"_s, u"probes"_s, u"uptime_percent"_s, u"latency_mean_ms"_s,
        u"latency_p50_ms"_s, u"latency_p95_ms"_s, u"latency_p99_ms"_s };
    for (FailureSignal s : kAllSignals)
        c.append(signalCode(s));
    for (Outcome o : HistorySchema::kStoredOutcomes)
        c.append(outcomeCode(o));
    c.append({ u"longest_outage_start_utc"_s, u"longest_outage_seconds"_s, u"longest_outage_ongoing"_s });
    for (FailureSignal s : kAllSignals)
        c.append(u"state_"_s + signalCode(s));
    c.append(u"cert_expires_utc"_s);
    return c;
}

void SummaryCsv::writeHeader()
{
    for (const QString& c : columns())
        m_writer.addText(c);
    m_writer.endRow();
}

void SummaryCsv::writeRow(const EndpointSummary& s)
{
    CsvWriter& w = m_writer;
    const ProbeAggregate& a = s.stats;
    w.addText(s.endpoint);
    w.addUtcTimestamp(s.fromMs);
    w.addUtcTimestamp(s.toMs);
    w.addInteger(a.probes());
    if (const ProbeAggregate& up = s.uptimeStats ? *s.uptimeStats : a; up.probes() > 0)
        w.addDecimal(up.uptimePercent(), 3);
    else
        w.addEmpty();
    if (a.latencyCount() > 0) {
        w.addDecimal(a.latencyMeanMs(), 3);
        for (double p : { 50.0, 95.0, 99.0 })
            w.addDecimal(a.latencyPercentileMs(p), 3);
    } else {
        for (int i = 0; i < 4; ++i)
            w.addEmpty();
    }
    for (qint64 c : a.signalCounts())
        w.addInteger(c);
    for (qint64 c : a.outcomeCounts())
        w.addInteger(c);
    if (s.longestOutage) {
        w.addUtcTimestamp(s.longestOutage->startMs);
        w.addDecimal(static_cast<double>(s.longestOutage->durationMs) / 1000.0, 3);
        w.addUtf8(s.longestOutage->ongoing ? "true" : "false");
    } else {
        for (int i = 0; i < 3; ++i)
            w.addEmpty();
    }
    for (int i = 0; i < kSignalCount; ++i) {
        if (s.currentStates)
            w.addText(stateCode(s.currentStates->at(static_cast<size_t>(i))));
        else
            w.addEmpty();
    }
    if (s.certExpires.isValid())
        w.addUtcTimestamp(s.certExpires.toMSecsSinceEpoch());
    else
        w.addEmpty();
    w.endRow();
}

} // namespace sd
