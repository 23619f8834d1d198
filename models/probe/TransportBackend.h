// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ProbeResult.h"

#include <QDateTime>
#include <QObject>

#include <atomic>

namespace sd {

struct ProbeRequest;

/// One shard of ProbeTransport: an HTTP implementation living in its own thread ("signaldeck-net-N") that
/// sends the attempts of the hosts it was given and reports the facts the classifier judges. Two exist:
/// TransportShard (Qt Network) and CurlShard (libcurl's multi interface); ProbeTransport picks one kind
/// for all its shards (TransportKind).
///
/// Lives in its shard thread and must only be used from there; the counters are atomics and may be read
/// from anywhere (they may lag a moment behind).
class TransportBackend : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    virtual void setPerHostLimit(int limit) = 0;
    /// Queues or starts one attempt. `finished` is emitted exactly once for it, also on failure.
    virtual void start(const ProbeRequest& request) = 0;
    /// Aborts every attempt in flight and drops the queue (no `finished` for dropped ones).
    virtual void abortAll() = 0;

    int inFlight() const { return m_inFlight.load(std::memory_order_relaxed); }
    int queued() const { return m_queued.load(std::memory_order_relaxed); }
    /// The largest number of attempts that were in flight at once to one host since construction.
    int peakInFlightPerHost() const { return m_peakPerHost.load(std::memory_order_relaxed); }

signals:
    /// `startUtc` is when the request was handed to the network; `traceId` the id sent in `traceparent`.
    void finished(quint64 ticket, const sd::ProbeFacts& facts, const QDateTime& startUtc, const QByteArray& traceId);

protected:
    std::atomic<int> m_peakPerHost { 0 };
    std::atomic<int> m_inFlight { 0 };
    std::atomic<int> m_queued { 0 };
};

} // namespace sd
