// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "sources/FleetTypes.h"
#include "sources/PromBatch.h"
#include "sources/PromQuery.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QList>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QStringList>

namespace sd {

/// What the detail pane asks for a remote endpoint: its series over [fromMs, toMs) from the source that
/// reports it, one line per location.
struct FleetRangeRequest {
    SourceConfig source;
    QString endpoint; ///< the `endpoint` label (prometheus) or the endpointLabel's value (blackbox)
    QStringList locations; ///< the locations to show; empty = every location that reports the endpoint
    qint64 fromMs = 0; ///< UTC ms since the epoch
    qint64 toMs = 0;
    int maxPoints = 250; ///< per line at most: the step is chosen from the range so that it holds
    bool operator==(const FleetRangeRequest&) const = default;
};

/// One location's line: x in UTC ms since the epoch, y in the chart's unit (ms, or % of probes). Points
/// where Prometheus has no value (no probe in the step's window) are left out.
struct FleetLine {
    QString location;
    QList<QPointF> points;
};

/// A FleetRangeRequest's answer: the latency and error lines, or why there are none.
struct FleetRangeAnswer {
    FleetRangeRequest request;
    qint64 stepMs = 0;
    QList<FleetLine> latencyMs; ///< sorted by location
    QList<FleetLine> errorPercent; ///< sorted by location
    QString latencyMeaning; ///< what a latency point is ("p95 of the probes in each 15 s step", …)
    SourceState state = SourceState::Up; ///< Down: no answer (in time); Failed: an error answer
    QString error; ///< why Down / Failed ("Connection refused", "no answer within 5000 ms", "HTTP 400: …")
    qint64 elapsedMs = 0; ///< request to answer, wall
    bool ok() const { return state == SourceState::Up; }
};

/// The step of a range read: the smallest round duration (1 s … 1 d) that splits [fromMs, toMs) into at
/// most `maxPoints` steps.
qint64 fleetRangeStepMs(qint64 fromMs, qint64 toMs, int maxPoints);

/// The two PromQL expressions of a request at `stepMs`: latency, then error ratio (0…1), each aggregated
/// `by (location)`. prometheus: the p95 of the probers' latency histogram
/// (`signaldeck_probe_duration_seconds_bucket`) over the step (at least 1 min), and the rate of probes whose
/// outcome is not ok ÷ all probes (`signaldeck_probes_total`), or the prober's own `signaldeck_error_ratio` where
/// it made no probe in the window (an open circuit); blackbox: the slowest `probe_duration_seconds`
/// and 1 − the mean `probe_success` over the step. Both narrowed to the endpoint and the source's `match`.
QStringList fleetRangeQueries(const FleetRangeRequest& request, qint64 stepMs);

/// A PromQL string literal: `value` in double quotes, backslashes and quotes escaped.
QString promString(const QString& value);

/// Turns the two matrix answers into lines (errors in percent, latency in ms). Pure.
FleetRangeAnswer buildFleetRange(
    const FleetRangeRequest& request, qint64 stepMs, const PromMatrixReply& latency, const PromMatrixReply& errors);

/// Reads the ranges of a remote endpoint from Prometheus's /api/v1/query_range, asynchronously on the thread
/// it lives in: two queries (latency, errors) under the source's `timeout` together, answers cut at
/// kMaxPromReplyBytes, parsed on a pool thread. One request at a time: a new one replaces the one in flight
/// (its answer is never delivered). A source that does not answer in time or refuses gives an answer with
/// state Down / Failed and the reason — never empty lines that would look healthy.
class FleetRangeReader : public QObject {
    Q_OBJECT
public:
    explicit FleetRangeReader(QObject* parent = nullptr);
    ~FleetRangeReader() override;

    void request(const FleetRangeRequest& request);
    /// Forgets the request in flight (its answer is dropped).
    void cancel();
    bool busy() const { return m_batch->busy() || m_parsing; }

signals:
    void ready(const sd::FleetRangeAnswer& answer);

private:
    void onAnswers(const QList<PromBatch::Answer>& answers);
    void deliverFailure(SourceState state, const QString& error);

    PromBatch* m_batch;
    QFutureWatcher<FleetRangeAnswer>* m_parse;
    FleetRangeRequest m_request;
    qint64 m_stepMs = 0;
    QElapsedTimer m_clock;
    bool m_parsing = false;
    int m_generation = 0; ///< bumped by every request; a parse of an older one is dropped
};

} // namespace sd
