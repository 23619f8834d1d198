// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ProbeResult.h"
#include "history/HistoryOptions.h"
#include "history/HistoryTypes.h"

#include <QDateTime>
#include <QObject>
#include <QThread>

#include <memory>

namespace sd {

class HistoryWriter;
class SampleQueue;

/// The probe history on disk: a SQLite file (WAL, synchronous=NORMAL) written by its own thread with
/// its own connection. append() can be called from any thread and only copies the results into a bounded
/// queue; the writer stores them in batched transactions at least every flushInterval (250 ms by
/// default, so `kill -9` loses at most that), keeps 1-minute rollups in step in the same transactions,
/// and applies retention in the background (raw 7 days, rollups 90 days by default).
///
/// Faults never stop probing. A file that is not SQLite or turns out damaged is moved to
/// `<name>.corrupt-<timestamp>` (never deleted) and a fresh file is started. A file locked by another
/// process, a full disk, an unwritable directory or a file from a newer version are left alone: new
/// samples wait in memory (at most maxPendingSamples, the oldest dropped and counted) and writing is
/// retried every retryInterval. Every fault is reported once through errorOccurred() and lastError();
/// recovered() follows when writes succeed again.
///
/// Reads do not go through the store: open a HistoryQuery on databasePath() on the thread that reads.
class HistoryStore : public QObject {
    Q_OBJECT
public:
    explicit HistoryStore(HistoryOptions options = {}, QObject* parent = nullptr);
    /// Writes what is queued (one attempt), then stops the writer thread.
    ~HistoryStore() override;

    /// QStandardPaths::AppDataLocation (depends on the application name).
    static QString defaultDirectory();
    /// Migrates an existing file written by an older SignalDeck to the current schema, for a command that
    /// only reads (`signaldeck export`) and finds one no writer has opened yet. Empty when done or nothing
    /// to do (current, fresh, newer or damaged files are left to the reader to report); else why not.
    static QString upgradeOlderSchema(const QString& databasePath);
    QString databasePath() const { return m_path; }
    const HistoryOptions& options() const { return m_options; }

    /// Blocks until the writer has tried to store everything appended so far; true when the queue is
    /// empty afterwards. For shutdown, exports and tests; the GUI never needs it.
    bool flushNow();
    /// Runs retention now as if the wall clock said `now` (blocking, like flushNow()).
    MaintenanceReport runMaintenanceNow(const QDateTime& now);

    bool isOpen() const;
    /// The fault currently keeping samples from the disk, None while writes succeed.
    HistoryError currentError() const;
    /// The most recent fault and its message (kept after recovery, empty if there never was one).
    HistoryError lastErrorKind() const;
    QString lastError() const;
    qint64 pendingSamples() const;
    qint64 droppedSamples() const;
    qint64 storedSamples() const;

public slots:
    /// Thread-safe; never touches the disk. Connect the engine's batch signal with a direct connection.
    void append(const sd::ProbeResults& results);

signals:
    void opened(const QString& path);
    void errorOccurred(sd::HistoryError kind, const QString& message);
    void recovered();
    /// A damaged file was set aside and a fresh one started: open HistoryQuery objects again.
    void databaseReset(const QString& setAsidePath);
    void maintenanceFinished(const sd::MaintenanceReport& report);

private:
    HistoryOptions m_options;
    QString m_path;
    std::shared_ptr<SampleQueue> m_queue;
    QThread m_thread;
    HistoryWriter* m_writer = nullptr;
};

} // namespace sd
