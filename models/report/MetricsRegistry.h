// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "schedule/EngineTypes.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QString>

#include <array>
#include <map>
#include <optional>

namespace sd {

/// What a headless prober exports on `/metrics` (docs/METRICS.md), accumulated from the engine's batches:
/// results feed the counters and the latency histogram, statuses the gauges. A value class with no
/// threads and no clock of its own; it lives on the thread that receives the batches, and
/// renderMetrics() (MetricsExposition.h) turns it into text when a scraper asks. Endpoints are keyed by
/// name, so a config reload keeps the counters of the endpoints it keeps. Holds no secret: a credential
/// appears only as its id and the expiry from its metadata.
class MetricsRegistry {
public:
    /// Upper bounds of the latency histogram, in seconds; they resolve the 200 ms and 800 ms thresholds.
    static constexpr std::array<double, 11> kLatencyBuckets { 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2,
        6.4 };
    static constexpr int kOutcomeCount = 8;

    struct Endpoint {
        QString name;
        QString url; ///< without user info
        QString tags; ///< sorted, comma-joined
        QString credential; ///< the credential id, empty for none
        QDateTime credentialExpires; ///< invalid when not known
        QDateTime certExpires; ///< https: the earliest expiry in the chain last presented; invalid when not known
        /// Probes by outcome and by the signal each one raised (index 0 = none, 1..4 = S1..S4).
        std::array<std::array<quint64, kSignalCount + 1>, kOutcomeCount> probes {};
        quint64 attempts = 0;
        std::array<quint64, kLatencyBuckets.size()> bucketCounts {}; ///< not cumulative
        quint64 latencyCount = 0;
        double latencySumSeconds = 0.0;
        std::optional<ProbeResult> last;
        std::optional<EndpointStatus> status;
    };

    /// The endpoints to export and their labels; endpoints no longer in `config` are dropped, the others
    /// keep their counters. `location` is the label every series carries (already resolved: not empty).
    void setConfig(const AppConfig& config, const QString& location);
    /// Counts a batch's results and keeps its statuses. Results of endpoints not in the config are ignored.
    void addBatch(const EngineBatch& batch);

    QString location() const { return m_location; }
    /// By name, so that the exposition is sorted and stable.
    const std::map<QString, Endpoint>& endpoints() const { return m_endpoints; }
    /// True once every endpoint has finished a probe or is paused (its credential cannot be used): what
    /// `/-/ready` answers. True for a config without endpoints.
    bool allProbedOnce() const;

private:
    QString m_location;
    std::map<QString, Endpoint> m_endpoints;
};

/// The `location` label: the config's `location`, or the host name when it has none.
QString effectiveLocation(const AppConfig& config);

} // namespace sd
