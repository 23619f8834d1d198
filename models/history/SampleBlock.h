// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "history/HistoryTypes.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace sd::SampleBlock {

/// The raw samples of one endpoint are stored in blocks (schema version 2, table `sample_blocks`): one row
/// per block of consecutive samples, strictly increasing in time, blocks of one endpoint never overlapping.
/// A block is closed when its data reaches kTargetBytes, so that one block fills one 4 KiB page of a rowid
/// table on its own (a cell that large shares its page with nobody, the waste is what is left of the page;
/// the largest row that stays on its page is 4,061 bytes).
///
/// Encoding of `data` (all integers are LEB128 varints, signed ones zigzag-coded):
///   byte 0: format (kFormat). Then per sample:
///   control byte: bit 0 = outcome/signal/flags byte follows, bit 1 = change mask byte follows,
///     bits 2..7 = zigzag(delta of delta of the start time in ms) when < 63, else 63 and a varint follows.
///     (time = previous time + previous delta + this value; the first sample's time is the row's first_ms.)
///   [outcome (bits 0..2) | signal (bits 3..5) | connection reused (bit 6) | body truncated (bit 7)]
///   [change mask: bit 0 HTTP status, 1 attempts, 2 bytes read, 3 reason id, 4 url id, 5 layout, 6 this
///     sample's latency and phases are zigzag-coded (one of them is negative; plain varints otherwise)], then the
///     changed values in that order (the layout as one byte: bits 0..4 = which of the 5 phases are present,
///     bits 5..6 = trace id kind 0 none / 1 16 bytes / 2 text, bit 7 = ttfb stored as latency - ttfb);
///   latency µs; the present phases (queue, connect, sent, ttfb, download); the trace id (16 raw bytes, or
///   a length and the text).
/// Values not in the mask are the previous sample's (the first sample of a block starts from zeros).
inline constexpr char kFormat = 1;
inline constexpr int kTargetBytes = 3900;

/// Builds one block. Samples must come in strictly increasing startMs.
class Encoder {
public:
    Encoder();
    void append(const StoredSample& s);
    bool isEmpty() const { return m_count == 0; }
    bool isFull() const { return m_data.size() >= kTargetBytes; }
    int count() const { return m_count; }
    qint64 firstMs() const { return m_firstMs; }
    qint64 lastMs() const { return m_lastMs; }
    const QByteArray& data() const { return m_data; }
    /// The distinct reason ids the block refers to (for the `reasons` column; empty = NULL).
    QByteArray reasonIds() const;

private:
    QByteArray m_data;
    int m_count = 0;
    qint64 m_firstMs = 0;
    qint64 m_lastMs = 0;
    qint64 m_prevDt = 0;
    StoredSample m_prev;
    quint8 m_prevLayout = 0;
    QList<int> m_reasons;
};

/// Decodes a block; false (with `error`) when the data is malformed. Samples are appended to `out` with
/// `endpointId`. Without `withTraceIds` the trace ids are skipped (charts never read them).
bool decode(QByteArrayView data, qint64 firstMs, int endpointId, QList<StoredSample>* out, bool withTraceIds = true,
    QString* error = nullptr);

/// The ids written by Encoder::reasonIds().
QList<int> decodeReasonIds(QByteArrayView data);

} // namespace sd::SampleBlock
