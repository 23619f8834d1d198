// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>
#include <optional>

class QSqlDatabase;
class QSqlQuery;

namespace sd {

/// A forward-only cursor over one SELECT on a Qt Sql SQLite connection, for the loops that read many
/// rows (chart series, exports). Backend::Direct steps the statement with the SQLite C API on the
/// connection handle Qt itself exposes (QSqlDriver::handle()), skipping a QVariant per cell: several
/// times faster. It is only offered when the SQLite library this program links is the very build behind
/// the QSQLITE driver (same sqlite_source_id()), as on Debian where the plugin uses the system library;
/// otherwise Backend::QtSql steps a QSqlQuery. Both return the same values. Use on the connection's thread.
class SqlCursor {
public:
    enum class Backend { Direct, QtSql };

    /// Whether Backend::Direct is safe on this connection.
    static bool directAvailable(QSqlDatabase& db);

    SqlCursor(QSqlDatabase& db, const QString& sql, Backend backend);
    ~SqlCursor();
    SqlCursor(const SqlCursor&) = delete;
    SqlCursor& operator=(const SqlCursor&) = delete;

    /// 0-based parameter index.
    void bind(int index, qint64 value);
    bool exec();
    /// False at the end and on error (see hasError()).
    bool next();

    bool isNull(int column) const;
    bool isBlob(int column) const;
    qint64 integer(int column) const;
    /// Valid until the next call of next() or blob().
    QByteArrayView blob(int column);
    QString text(int column) const;

    bool hasError() const { return !m_error.isEmpty(); }
    QString errorText() const { return m_error; }

private:
    struct Direct;
    std::unique_ptr<Direct> m_direct;
    std::unique_ptr<QSqlQuery> m_query;
    QByteArray m_blobHolder;
    QString m_error;
};

} // namespace sd
