// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QString>

namespace sd {

/// Caps the attempts in flight per host (default 4). Qt Network opens at most 6 connections per host
/// and queues the rest, and a queued probe reports the queue wait as latency (docs/SIGNALS.md "Probing
/// politely"); staying under that limit keeps the measured latency honest. The key is whatever the
/// caller groups connections by (QUrl::host(), or scheme://host:port), compared exactly. Not thread-safe:
/// it belongs to the scheduler's thread.
class HostInFlightLimiter {
public:
    /// A cap below 1 is taken as 1.
    explicit HostInFlightLimiter(int capPerHost = 4);

    /// Counts one more attempt in flight to `host` if it is under the cap; false (and no change) if not.
    bool tryAcquire(const QString& host);
    /// The attempt to `host` has finished. A release without an acquire is ignored (and logged).
    void release(const QString& host);
    int inFlight(const QString& host) const;
    /// Over all hosts.
    int totalInFlight() const;
    int capPerHost() const { return m_cap; }

private:
    int m_cap;
    QHash<QString, int> m_inFlight; ///< only hosts with at least one attempt in flight
};

} // namespace sd
