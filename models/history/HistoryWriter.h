// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "history/HistoryOptions.h"
#include "history/HistoryTypes.h"
#include "history/ProbeAggregate.h"
#include "history/SampleBlock.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

#include <memory>
#include <optional>

class QTimer;

namespace sd {

class HistoryConnection;
class SampleQueue;

/// The writer half of HistoryStore; lives on the store's own thread and owns the only read-write
/// connection. A timer drains the SampleQueue every flushInterval in transactions of up to 10,000
/// samples, updating the 1-minute rollups of the same samples in the same transaction (so rollups never
/// disagree with raw data), and runs retention every maintenanceInterval in small chunks with flushes
/// between them. Faults are classified and reported; a failed batch goes back to the queue. Not used
/// directly: see HistoryStore.
class HistoryWriter : public QObject {
    Q_OBJECT
public:
    HistoryWriter(HistoryOptions options, QString path, std::shared_ptr<SampleQueue> queue);
    ~HistoryWriter() override;

    // Thread-safe status, read from the store's thread.
    HistoryError currentError() const;
    HistoryError lastErrorKind() const;
    QString lastError() const;
    bool isOpen() const;
    qint64 storedSamples() const;

    // Run on the writer thread (the store invokes them there).
    void start();
    bool flushPending();
    MaintenanceReport runMaintenance(qint64 nowMs);
    void shutdown();

signals:
    void opened(const QString& path);
    void errorOccurred(sd::HistoryError kind, const QString& message);
    void recovered();
    void databaseReset(const QString& setAsidePath);
    void maintenanceFinished(const sd::MaintenanceReport& report);

private:
    struct Lookup {
        QString table;
        QString column;
        QHash<QString, int> cache;
        std::optional<QSqlQuery> select;
        std::optional<QSqlQuery> insert;
    };

    /// The newest block of an endpoint, kept in memory while samples are appended to it.
    struct OpenBlock {
        qint64 rowId = 0; ///< 0 = not inserted yet
        SampleBlock::Encoder encoder;
        bool dirty = false;
    };

    void tick();
    bool tryOpen();
    bool prepareStatements(QString* error);
    void closeConnection();
    bool writeBatch(const ProbeResults& batch, QSqlError* error);
    bool mergeRollups(QHash<QPair<int, qint64>, ProbeAggregate>& deltas, QSqlError* error);
    OpenBlock* openBlock(int endpointId, QSqlError* error);
    bool writeBlock(int endpointId, OpenBlock& block, QSqlError* error);
    std::optional<qint64> insertOutOfOrder(int endpointId, StoredSample sample, QSqlError* error);
    bool trimBlocks(int endpointId, qint64 before, qint64* deleted);
    std::optional<int> lookupId(Lookup& lookup, const QString& value, QSqlError* error);
    void handleWriteError(const QSqlError& error);
    void reportError(HistoryError kind, const QString& message);
    void clearError();
    bool deleteChunked(const QString& sql, int endpointId, qint64 before, qint64* deleted);
    bool collectReasonIds(QSet<int>* ids);
    QString pendingNote() const;

    HistoryOptions m_options;
    QString m_path;
    std::shared_ptr<SampleQueue> m_queue;
    std::unique_ptr<HistoryConnection> m_connection;
    QTimer* m_timer = nullptr;
    QElapsedTimer m_clock;
    qint64 m_nextOpenAttemptMs = 0;
    qint64 m_retryAtMs = 0;
    qint64 m_nextMaintenanceMs = 0;

    Lookup m_endpoints;
    Lookup m_urls;
    Lookup m_reasons;
    QHash<int, OpenBlock> m_openBlocks;
    std::optional<QSqlQuery> m_insertBlock;
    std::optional<QSqlQuery> m_updateBlock;
    std::optional<QSqlQuery> m_newestBlock;
    std::optional<QSqlQuery> m_selectRollup;
    std::optional<QSqlQuery> m_replaceRollup;

    mutable QMutex m_statusMutex;
    HistoryError m_currentError = HistoryError::None;
    HistoryError m_lastErrorKind = HistoryError::None;
    QString m_lastError;
    QString m_lastReported;
    bool m_open = false;
    qint64 m_stored = 0;
};

} // namespace sd
