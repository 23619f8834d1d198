// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <chrono>

namespace sd {

/// How a HistoryStore keeps its file. The defaults are the product's: raw samples 7 days, 1-minute
/// rollups 90 days, a flush at least every 250 ms (kill -9 loses at most that, plus the transaction in
/// flight), retention every 10 minutes, up to 50,000 samples held in memory while the disk refuses writes.
struct HistoryOptions {
    QString directory; ///< empty = HistoryStore::defaultDirectory()
    QString fileName = QStringLiteral("history.sqlite");
    std::chrono::milliseconds flushInterval { 250 };
    std::chrono::hours rawRetention { 7 * 24 };
    std::chrono::hours rollupRetention { 90 * 24 };
    std::chrono::milliseconds maintenanceInterval { std::chrono::minutes(10) }; ///< 0 = only on request
    std::chrono::milliseconds busyTimeout { 1000 }; ///< how long one write waits for another process's lock
    std::chrono::milliseconds retryInterval { 5000 }; ///< wait before writing again after a failed write
    qsizetype maxPendingSamples = 50'000; ///< memory bound while writes fail; the oldest are dropped first
    qint64 maxDatabaseBytes = 0; ///< 0 = no cap; otherwise writes beyond it fail like a full disk
};

} // namespace sd
