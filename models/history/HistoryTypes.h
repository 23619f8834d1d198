// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/FailureSignal.h"
#include "core/ProbeResult.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

#include <array>
#include <limits>

namespace sd {

/// What went wrong with the history database, for the message shown and for tests.
enum class HistoryError : quint8 {
    None,
    Corrupt, ///< not a SQLite file or damaged: set aside as `<name>.corrupt-<timestamp>`, fresh file started
    Locked, ///< another process holds the write lock: samples wait in memory, retried
    DiskFull, ///< disk full or the configured size cap reached: samples wait in memory, retried
    Unwritable, ///< directory or file cannot be created or written: samples wait in memory, retried
    Incompatible, ///< the file was written by a newer SignalDeck: left alone, samples wait in memory
    Other,
};

/// "none", "corrupt", "locked", "disk_full", "unwritable", "incompatible", "other".
QString historyErrorCode(HistoryError e);

/// One raw sample as stored: strings are ids into the lookup tables (see HistoryQuery::endpointName,
/// urlText, reasonText), so streaming a million rows allocates no strings.
struct StoredSample {
    int endpointId = 0;
    int urlId = 0;
    int reasonId = 0; ///< 0 = no reason
    qint64 startMs = 0; ///< UTC, ms since the epoch
    qint64 latencyUs = 0;
    ProbePhases phases;
    int httpStatus = 0;
    qint64 bytesRead = 0;
    bool connectionReused = false;
    bool bodyTruncated = false;
    Outcome outcome = Outcome::Ok;
    FailureSignal signal = FailureSignal::None;
    int attempts = 1;
    QByteArray traceId; ///< 32 lower-case hex digits, or empty
    bool operator==(const StoredSample&) const = default;
};

/// One chart bucket [startMs, endMs): probe and error counts and latency min/max/mean/p95 over the probes
/// that received an HTTP status (latencyCount of them; the latency fields are 0 when there were none).
/// p95 comes from a LatencyHistogram (see ChartBucketBuilder).
struct ChartBucket {
    qint64 startMs = 0;
    qint64 endMs = 0;
    qint64 probes = 0;
    qint64 errors = 0; ///< probes whose outcome is not Ok
    std::array<qint64, kSignalCount> signalCounts {};
    qint64 latencyCount = 0;
    double minLatencyMs = 0;
    double maxLatencyMs = 0;
    double meanLatencyMs = 0;
    double p95LatencyMs = 0;
    bool operator==(const ChartBucket&) const = default;
};

/// A decimated series: only buckets that hold probes are listed (a gap means no probe ran).
struct ChartSeries {
    qint64 bucketMs = 0;
    bool fromRollups = false; ///< true when built from 1-minute rollups (bucketMs is a whole number of minutes)
    QList<ChartBucket> buckets;
    bool operator==(const ChartSeries&) const = default;
};

/// The longest run of consecutive failed probes (outcome not Ok) in a range. It starts at the first
/// failed probe and ends at the next successful probe; an outage still running at the end of the range
/// ends at the end of its last failed probe and is marked ongoing.
struct Outage {
    qint64 startMs = 0;
    qint64 durationMs = 0;
    bool ongoing = false;
    bool operator==(const Outage&) const = default;
};

/// What one maintenance run did.
struct MaintenanceReport {
    qint64 rawDeleted = 0;
    qint64 rollupsDeleted = 0;
    qint64 reasonsDeleted = 0;
    qint64 rawHorizonMs = 0;
    qint64 rollupHorizonMs = 0;
    bool ok = true;
};

} // namespace sd

Q_DECLARE_METATYPE(sd::HistoryError)
Q_DECLARE_METATYPE(sd::MaintenanceReport)
