// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/RawSampleCsv.h"

#include "core/Redaction.h"
#include "history/HistoryQuery.h"
#include "history/HistorySchema.h"
#include "report/CsvWriter.h"

#include <QUrl>

#include <array>

using namespace Qt::StringLiterals;

namespace sd {

namespace {

enum Kind { EndpointName, Url, Reason };

void addPhaseMs(CsvWriter& w, qint64 us)
{
    if (us < 0)
        w.addEmpty();
    else
        w.addFixedPoint(us, 3);
}

// The vocabulary cells, encoded once.
const QByteArray& outcomeCell(Outcome o)
{
    static const auto cells = [] {
        std::array<QByteArray, HistorySchema::kOutcomeCount> c;
        for (size_t i = 0; i < c.size(); ++i)
            c[i] = CsvWriter::escapeCell(QStringView(outcomeCode(HistorySchema::kStoredOutcomes[i])));
        return c;
    }();
    return cells[static_cast<size_t>(HistorySchema::outcomeToStored(o))];
}

const QByteArray& signalCell(FailureSignal s)
{
    static const auto cells = [] {
        std::array<QByteArray, kSignalCount + 1> c;
        for (int i = 0; i <= kSignalCount; ++i)
            c[static_cast<size_t>(i)] = CsvWriter::escapeCell(QStringView(signalCode(static_cast<FailureSignal>(i))));
        return c;
    }();
    const auto i = static_cast<size_t>(s);
    return i < cells.size() ? cells[i] : cells[0];
}

} // namespace

RawSampleCsv::RawSampleCsv(CsvWriter& writer, HistoryQuery& names)
    : m_writer(writer)
    , m_names(names)
{
}

QStringList RawSampleCsv::columns()
{
    return { u"time_utc"_s, u"endpoint"_s, u"url"_s, u"http_status"_s, u"latency_ms"_s, u"queue_ms"_s, u"connect_ms"_s,
        u"sent_ms"_s, u"ttfb_ms"_s, u"download_ms"_s, u"connection_reused"_s, u"outcome"_s, u"signal"_s, u"reason"_s,
        u"attempts"_s, u"trace_id"_s };
}

void RawSampleCsv::writeHeader()
{
    for (const QString& c : columns())
        m_writer.addText(c);
    m_writer.endRow();
}

const QByteArray& RawSampleCsv::cached(QHash<int, QByteArray>& cache, int id, int kind)
{
    auto it = cache.find(id);
    if (it == cache.end()) {
        QString text;
        switch (kind) {
        case EndpointName:
            text = m_names.endpointName(id);
            break;
        case Url:
            // Already redacted when stored; done again so that no file ever carries a secret.
            text = redactedUrl(QUrl(m_names.urlText(id)));
            break;
        default:
            text = redactSecrets(m_names.reasonText(id));
            break;
        }
        it = cache.insert(id, CsvWriter::escapeCell(text));
    }
    return *it;
}

void RawSampleCsv::writeRow(const StoredSample& s)
{
    CsvWriter& w = m_writer;
    w.addUtcTimestamp(s.startMs);
    w.addEscaped(cached(m_endpoints, s.endpointId, EndpointName));
    w.addEscaped(cached(m_urls, s.urlId, Url));
    if (s.httpStatus > 0)
        w.addInteger(s.httpStatus);
    else
        w.addEmpty();
    w.addFixedPoint(s.latencyUs, 3);
    addPhaseMs(w, s.phases.queueUs);
    addPhaseMs(w, s.phases.connectUs);
    addPhaseMs(w, s.phases.sentUs);
    addPhaseMs(w, s.phases.ttfbUs);
    addPhaseMs(w, s.phases.downloadUs);
    w.addUtf8(s.connectionReused ? "true" : "false");
    w.addEscaped(outcomeCell(s.outcome));
    w.addEscaped(signalCell(s.signal));
    if (s.reasonId > 0)
        w.addEscaped(cached(m_reasons, s.reasonId, Reason));
    else
        w.addEmpty();
    w.addInteger(s.attempts);
    w.addUtf8(s.traceId);
    w.endRow();
}

} // namespace sd
