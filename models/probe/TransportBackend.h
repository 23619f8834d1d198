// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ProbeResult.h"
#include "policy/HostInFlightLimiter.h"
#include "probe/ProbeTransport.h"

#include <QDateTime>
#include <QHash>
#include <QObject>

#include <atomic>
#include <deque>

namespace sd {

/// One shard of ProbeTransport: an HTTP implementation living in its own thread ("signaldeck-net-N") that
/// sends the attempts of the hosts it was given and reports the facts the classifier judges. Two exist:
/// TransportShard (Qt Network) and CurlShard (libcurl's multi interface); ProbeTransport picks one kind
/// for all its shards (TransportKind).
///
/// The per-host cap is kept here, for both: attempts over the cap wait in this class, before their clock
/// starts, so that no implementation's own connection queue ever inflates a measured latency. A subclass
/// sends what it is given (send()), and calls hostReleased() when an attempt has finished, before it emits
/// `finished`, so that a slow receiver never idles the host's slot.
///
/// Lives in its shard thread and must only be used from there; the counters are atomics and may be read
/// from anywhere (they may lag a moment behind).
class TransportBackend : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    void setPerHostLimit(int limit) { m_limiter = HostInFlightLimiter(limit); }
    int perHostLimit() const { return m_limiter.capPerHost(); }
    /// Queues or starts one attempt. `finished` is emitted exactly once for it, also on failure.
    void start(const ProbeRequest& request);
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
    /// Sends one attempt; its host's slot is already taken.
    virtual void send(const ProbeRequest& request) = 0;
    /// The attempts the subclass has in flight now.
    virtual int activeCount() const = 0;
    /// An attempt to `hostKey` has finished: frees its slot and starts the host's next waiting attempt.
    void hostReleased(const QString& hostKey);
    /// For abortAll(): drops every waiting attempt and frees every slot.
    void dropWaiting();
    /// Records the host's current in-flight count in the peak (call from send()).
    void notePeak(const QString& hostKey);
    void updateCounters();

private:
    std::atomic<int> m_peakPerHost { 0 };
    std::atomic<int> m_inFlight { 0 };
    std::atomic<int> m_queued { 0 };
    HostInFlightLimiter m_limiter;
    QHash<QString, std::deque<ProbeRequest>> m_waiting;
};

} // namespace sd
