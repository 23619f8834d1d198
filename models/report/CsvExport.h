// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/FailureSignal.h"
#include "history/TimeRange.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

#include <array>
#include <atomic>

class QIODevice;

namespace sd {

class CsvWriter;

/// What to export: raw samples or the per-endpoint summary, over [fromMs, toMs) UTC, for some
/// endpoints (all when empty), from the history database at databasePath.
struct ExportRequest {
    enum class Kind { RawSamples, Summary };
    Kind kind = Kind::RawSamples;
    QString databasePath;
    qint64 fromMs = 0;
    qint64 toMs = 0;
    QStringList endpoints;
    /// Summary only: the live S1..S4 states per endpoint, when the caller has them (the GUI does).
    QHash<QString, std::array<SignalState, kSignalCount>> currentStates;
    /// Summary only: https endpoints' earliest certificate expiry as last seen live, when the caller has it.
    QHash<QString, QDateTime> certExpires;
    /// Summary only: spans left out of an endpoint's uptime_percent (its maintenance windows with
    /// `excludeFromUptime`); the other columns count every probe.
    QHash<QString, TimeSpans> uptimeExcluded;
};

/// Streams an export from the history database into CSV: row by row from a database cursor through a
/// 64 KiB buffer, so memory stays flat however many rows there are. Runs on the calling thread (the
/// GUI runs it in a worker) with its own read connection; progress() is emitted every 16,384 rows (per
/// endpoint for summaries) and at the end; cancel() may be called from any thread, including from a
/// slot connected to progress(). writeToFile() goes through QSaveFile: the target appears complete or
/// not at all; a cancel or failure leaves no partial file behind.
class CsvExport : public QObject {
    Q_OBJECT
public:
    explicit CsvExport(ExportRequest request, QObject* parent = nullptr);

    /// All or nothing. On failure errorString() names the path and the reason.
    bool writeToFile(const QString& path);
    /// Streams into an open device (stdout, a socket); what was written before a failure stays written.
    bool writeTo(QIODevice* device);

    void cancel() { m_canceled.store(true); }
    bool wasCanceled() const { return m_canceled.load(); }
    QString errorString() const { return m_error; }
    qint64 rowsWritten() const { return m_rows; }

signals:
    void progress(qint64 done, qint64 total);

private:
    bool fail(const QString& message);
    bool deviceFailed(const CsvWriter& writer);

    ExportRequest m_request;
    std::atomic<bool> m_canceled { false };
    QString m_error;
    bool m_deviceFailed = false;
    qint64 m_rows = 0;
};

} // namespace sd
