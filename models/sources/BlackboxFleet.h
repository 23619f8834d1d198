// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ProbeResult.h"
#include "health/SignalTracker.h"
#include "sources/FleetTypes.h"
#include "sources/PromQuery.h"

#include <QHash>

#include <memory>

namespace sd {

/// The probe_* metrics of blackbox_exporter a `blackbox` source reads, in one query.
QStringList blackboxSeriesNames();

/// What blackbox_exporter recorded about one probe of one target.
struct BlackboxProbe {
    bool success = false; ///< probe_success
    int httpStatus = 0; ///< probe_http_status_code (0: no HTTP answer)
    double durationSeconds = -1; ///< probe_duration_seconds (-1: absent)
    bool failedDueToRegex = false; ///< probe_failed_due_to_regex
    double sslEarliestExpiry = 0; ///< probe_ssl_earliest_cert_expiry, Unix seconds (0: absent)
};

/// Classifies one blackbox probe with the local rules (docs/SIGNALS.md, models/health/Classifier.h), so that
/// a blackbox fleet reads like SignalDeck's own probes: an HTTP status goes through classify() — 401/403 → S2,
/// 400/404/422 → S3, 429/503 → S4, 502/504 → S1, other 5xx → server_error — unless blackbox counted it a
/// success (the module's valid_status_codes then listed it, like `expectStatus`); no status and not a
/// success → S1 "no HTTP answer"; a 2xx that failed on the module's regex → assertion_failed; any other
/// failed 2xx → assertion_failed. Pure.
ProbeResult classifyBlackboxProbe(const BlackboxProbe& probe, const QString& target, const QDateTime& nowUtc);

/// Turns successive blackbox answers into per-(target, location) signal states with the same state machines
/// as local endpoints (SignalTracker): every new probe (a new probe_success sample time) is fed once; the
/// earliest certificate expiry is judged like a local server certificate (certificateAdvisory(), default
/// 14/3 days) into S2. Targets that disappear from the answer are dropped.
class BlackboxFleet {
public:
    BlackboxFleet(QString endpointLabel, QString locationLabel, QString fallbackLocation, Thresholds thresholds = {});
    ~BlackboxFleet();

    /// `samples`: the answer of the probe_* query; `sampleTimes`: of `timestamp(probe_success{…})` (when each
    /// target's latest probe_success was scraped). Returns every target's state, sorted by target, location.
    QList<RemoteEndpoint> update(
        const QList<PromSample>& samples, const QList<PromSample>& sampleTimes, const QDateTime& nowUtc);

private:
    struct Target;
    QString m_endpointLabel;
    QString m_locationLabel;
    QString m_fallbackLocation;
    Thresholds m_thresholds;
    QHash<QString, std::shared_ptr<Target>> m_targets;
    int m_nextId = 0;
};

} // namespace sd
