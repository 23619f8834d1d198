// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/SqlCursor.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#ifdef SIGNALDECK_HAVE_SQLITE3_API
#include <sqlite3.h>
#endif

using namespace Qt::StringLiterals;

namespace sd {

#ifdef SIGNALDECK_HAVE_SQLITE3_API
namespace {
sqlite3* handleOf(QSqlDatabase& db)
{
    const QVariant v = db.driver() ? db.driver()->handle() : QVariant();
    if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3* const*>(v.constData());
}
} // namespace

struct SqlCursor::Direct {
    sqlite3* db = nullptr;
    sqlite3_stmt* stmt = nullptr;
};
#else
struct SqlCursor::Direct { };
#endif

bool SqlCursor::directAvailable(QSqlDatabase& db)
{
#ifdef SIGNALDECK_HAVE_SQLITE3_API
    if (!handleOf(db))
        return false;
    QSqlQuery q(db);
    return q.exec(u"SELECT sqlite_source_id()"_s) && q.next()
        && q.value(0).toString() == QString::fromLatin1(sqlite3_sourceid());
#else
    Q_UNUSED(db);
    return false;
#endif
}

SqlCursor::SqlCursor(QSqlDatabase& db, const QString& sql, Backend backend)
{
#ifdef SIGNALDECK_HAVE_SQLITE3_API
    if (backend == Backend::Direct) {
        m_direct = std::make_unique<Direct>();
        m_direct->db = handleOf(db);
        const QByteArray utf8 = sql.toUtf8();
        if (!m_direct->db
            || sqlite3_prepare_v2(
                   m_direct->db, utf8.constData(), static_cast<int>(utf8.size()), &m_direct->stmt, nullptr)
                != SQLITE_OK) {
            m_error = m_direct->db ? QString::fromUtf8(sqlite3_errmsg(m_direct->db)) : u"no SQLite handle"_s;
        }
        return;
    }
#else
    Q_UNUSED(backend);
#endif
    m_query = std::make_unique<QSqlQuery>(db);
    m_query->setForwardOnly(true);
    if (!m_query->prepare(sql))
        m_error = m_query->lastError().text();
}

SqlCursor::~SqlCursor()
{
#ifdef SIGNALDECK_HAVE_SQLITE3_API
    // Unfinalized statements would keep Qt from closing the connection.
    if (m_direct && m_direct->stmt)
        sqlite3_finalize(m_direct->stmt);
#endif
}

void SqlCursor::bind(int index, qint64 value)
{
#ifdef SIGNALDECK_HAVE_SQLITE3_API
    if (m_direct) {
        if (m_direct->stmt)
            sqlite3_bind_int64(m_direct->stmt, index + 1, value);
        return;
    }
#endif
    m_query->bindValue(index, value);
}

bool SqlCursor::exec()
{
    if (hasError())
        return false;
    if (m_direct)
        return true; // stepping starts the statement
    if (!m_query->exec()) {
        m_error = m_query->lastError().text();
        return false;
    }
    return true;
}

bool SqlCursor::next()
{
    if (hasError())
        return false;
#ifdef SIGNALDECK_HAVE_SQLITE3_API
    if (m_direct) {
        const int rc = sqlite3_step(m_direct->stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc != SQLITE_DONE)
            m_error = QString::fromUtf8(sqlite3_errmsg(m_direct->db));
        return false;
    }
#endif
    if (m_query->next())
        return true;
    if (m_query->lastError().isValid())
        m_error = m_query->lastError().text();
    return false;
}

bool SqlCursor::isNull(int column) const
{
#ifdef SIGNALDECK_HAVE_SQLITE3_API
    if (m_direct)
        return sqlite3_column_type(m_direct->stmt, column) == SQLITE_NULL;
#endif
    return m_query->isNull(column);
}

bool SqlCursor::isBlob(int column) const
{
#ifdef SIGNALDECK_HAVE_SQLITE3_API
    if (m_direct)
        return sqlite3_column_type(m_direct->stmt, column) == SQLITE_BLOB;
#endif
    return m_query->value(column).typeId() == QMetaType::QByteArray;
}

qint64 SqlCursor::integer(int column) const
{
#ifdef SIGNALDECK_HAVE_SQLITE3_API
    if (m_direct)
        return sqlite3_column_int64(m_direct->stmt, column);
#endif
    return m_query->value(column).toLongLong();
}

QByteArrayView SqlCursor::blob(int column)
{
#ifdef SIGNALDECK_HAVE_SQLITE3_API
    if (m_direct) {
        const void* data = sqlite3_column_blob(m_direct->stmt, column);
        const int size = sqlite3_column_bytes(m_direct->stmt, column);
        return QByteArrayView(static_cast<const char*>(data), size);
    }
#endif
    const QVariant v = m_query->value(column);
    m_blobHolder = v.typeId() == QMetaType::QString ? v.toString().toUtf8() : v.toByteArray();
    return m_blobHolder;
}

QString SqlCursor::text(int column) const
{
#ifdef SIGNALDECK_HAVE_SQLITE3_API
    if (m_direct) {
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_direct->stmt, column));
        return QString::fromUtf8(data, sqlite3_column_bytes(m_direct->stmt, column));
    }
#endif
    return m_query->value(column).toString();
}

} // namespace sd
