// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "history/HistoryTypes.h"

#include <QByteArray>
#include <QHash>
#include <QStringList>

namespace sd {

class CsvWriter;
class HistoryQuery;

/// The raw-samples CSV: one row per probe with the columns of columns(): UTC time with ms, endpoint,
/// URL (no userinfo, secret query values as REDACTED), HTTP status (empty when none), latency and phase
/// times in ms with µs precision (empty when not reported), connection reuse, outcome code, signal code,
/// reason, attempts, trace id. Strings that repeat (endpoint, URL, reason) are redacted and escaped once
/// per id and cached, which keeps a million-row export fast.
class RawSampleCsv {
public:
    RawSampleCsv(CsvWriter& writer, HistoryQuery& names);

    static QStringList columns();
    void writeHeader();
    void writeRow(const StoredSample& sample);

private:
    const QByteArray& cached(QHash<int, QByteArray>& cache, int id, int kind);

    CsvWriter& m_writer;
    HistoryQuery& m_names;
    QHash<int, QByteArray> m_endpoints;
    QHash<int, QByteArray> m_urls;
    QHash<int, QByteArray> m_reasons;
};

} // namespace sd
