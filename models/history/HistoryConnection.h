// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "history/HistoryTypes.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <functional>

namespace sd {

/// One Qt Sql connection to a history file, with a unique connection name, removed from Qt's registry
/// when destroyed. Qt Sql connections belong to the thread that opened them: create, use and destroy a
/// HistoryConnection on one thread. The writer opens it read-write in WAL mode with synchronous=NORMAL
/// (a commit survives a killed process; only a power cut can lose the last commits); readers open it
/// with query_only so they can never change the file.
class HistoryConnection {
public:
    enum class Mode { Writer, Reader };
    struct Settings {
        Mode mode = Mode::Writer;
        int busyTimeoutMs = 1000;
        qint64 maxDatabaseBytes = 0;
    };

    HistoryConnection(QString path, Settings settings);
    ~HistoryConnection();
    HistoryConnection(const HistoryConnection&) = delete;
    HistoryConnection& operator=(const HistoryConnection&) = delete;

    /// Opens and configures the connection; on failure errorKind()/errorText() say why.
    bool open();
    QSqlDatabase& database() { return m_db; }
    const QString& path() const { return m_path; }
    HistoryError errorKind() const { return m_errorKind; }
    QString errorText() const { return m_errorText; }

    /// False (with the reason) when a non-empty file does not start with the SQLite header.
    static bool looksLikeSqlite(const QString& path, QString* why);
    /// Moves the file and its -wal/-shm companions to `<path>.corrupt-<UTC timestamp>` (with a counter
    /// if taken). Returns the new path of the main file, or an empty string and the reason in `error`.
    static QString setAside(const QString& path, const QDateTime& nowUtc, QString* error);

    /// Called in the opening thread each time a connection is about to open a file (before any SQLite work):
    /// the tests that assert which thread reads the history (never the GUI thread) install one. Empty = none.
    /// Thread-safe; costs a mutex per open, nothing per query.
    using OpenObserver = std::function<void(const QString& path, Mode mode)>;
    static void setOpenObserver(OpenObserver observer);

private:
    bool fail(HistoryError kind, const QString& text);
    bool exec(const QString& sql, QString* firstValue = nullptr);

    QString m_path;
    Settings m_settings;
    QString m_name;
    QSqlDatabase m_db;
    HistoryError m_errorKind = HistoryError::None;
    QString m_errorText;
};

} // namespace sd
