// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/HistoryConnection.h"

#include "history/SqliteErrors.h"

#include <QAtomicInteger>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHistoryDb, "signaldeck.history.db", QtInfoMsg)

namespace sd {

namespace {
QAtomicInteger<quint64> g_connectionCounter;
constexpr qint64 kPageSize = 4096;

QMutex g_observerMutex;
HistoryConnection::OpenObserver g_openObserver; ///< guarded by g_observerMutex
} // namespace

void HistoryConnection::setOpenObserver(OpenObserver observer)
{
    const QMutexLocker lock(&g_observerMutex);
    g_openObserver = std::move(observer);
}

HistoryConnection::HistoryConnection(QString path, Settings settings)
    : m_path(std::move(path))
    , m_settings(settings)
    , m_name(u"signaldeck-history-%1"_s.arg(g_connectionCounter.fetchAndAddRelaxed(1)))
{
}

HistoryConnection::~HistoryConnection()
{
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
}

bool HistoryConnection::fail(HistoryError kind, const QString& text)
{
    m_errorKind = kind;
    m_errorText = text;
    return false;
}

bool HistoryConnection::exec(const QString& sql, QString* firstValue)
{
    QSqlQuery q(m_db);
    if (!q.exec(sql) || (firstValue && !q.next())) {
        const QSqlError e = q.lastError();
        const HistoryError kind = classifySqliteCode(sqlitePrimaryCode(e));
        return fail(kind == HistoryError::None ? HistoryError::Other : kind, e.text());
    }
    if (firstValue)
        *firstValue = q.value(0).toString();
    return true;
}

bool HistoryConnection::open()
{
    {
        const QMutexLocker lock(&g_observerMutex);
        if (g_openObserver)
            g_openObserver(m_path, m_settings.mode);
    }
    m_errorKind = HistoryError::None;
    m_errorText.clear();
    QString why;
    if (!looksLikeSqlite(m_path, &why))
        return fail(HistoryError::Corrupt, why);
    if (m_settings.mode == Mode::Reader && !QFileInfo::exists(m_path))
        return fail(HistoryError::Other, u"no history database at %1"_s.arg(m_path));

    if (!m_db.isValid())
        m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_name);
    m_db.setDatabaseName(m_path);
    m_db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(m_settings.busyTimeoutMs));
    if (!m_db.open()) {
        const HistoryError kind = classifySqliteCode(sqlitePrimaryCode(m_db.lastError()));
        return fail(kind == HistoryError::None ? HistoryError::Unwritable : kind, m_db.lastError().text());
    }
    // Reading the schema is the first access to the file's content: a damaged file fails here.
    if (!exec(u"SELECT count(*) FROM sqlite_master"_s))
        return false;
    if (m_settings.mode == Mode::Reader)
        return exec(u"PRAGMA query_only = ON"_s);

    QString journalMode;
    if (!exec(u"PRAGMA journal_mode = WAL"_s, &journalMode))
        return false;
    if (journalMode.compare(u"wal"_s, Qt::CaseInsensitive) != 0)
        qCWarning(lcHistoryDb) << "WAL is not available for" << m_path << "- journal mode is" << journalMode;
    if (!exec(u"PRAGMA synchronous = NORMAL"_s) || !exec(u"PRAGMA journal_size_limit = 16777216"_s))
        return false;
    if (m_settings.maxDatabaseBytes > 0) {
        const qint64 pages = std::max<qint64>(m_settings.maxDatabaseBytes / kPageSize, 16);
        QString appliedPages;
        if (!exec(u"PRAGMA max_page_count = %1"_s.arg(pages), &appliedPages))
            return false;
    }
    return true;
}

bool HistoryConnection::looksLikeSqlite(const QString& path, QString* why)
{
    QFile file(path);
    if (!file.exists() || file.size() == 0)
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        // Unreadable is not corrupt: the open that follows reports the real reason.
        return true;
    }
    static constexpr QByteArrayView kMagic("SQLite format 3\0", 16);
    const QByteArray head = file.read(100);
    if (head.size() < 100 || QByteArrayView(head).first(16) != kMagic) {
        if (why)
            *why = u"%1 is not a SQLite database (bad header)"_s.arg(path);
        return false;
    }
    return true;
}

QString HistoryConnection::setAside(const QString& path, const QDateTime& nowUtc, QString* error)
{
    const QString stamp = nowUtc.toUTC().toString(u"yyyyMMdd'T'HHmmss'Z'"_s);
    QString target = u"%1.corrupt-%2"_s.arg(path, stamp);
    for (int n = 1; QFileInfo::exists(target) && n < 1000; ++n)
        target = u"%1.corrupt-%2-%3"_s.arg(path, stamp).arg(n);
    auto move = [&](const QString& from, const QString& to) {
        QFile file(from);
        if (!file.exists() || file.rename(to))
            return true;
        if (error)
            *error = u"cannot move %1 to %2: %3"_s.arg(from, to, file.errorString());
        return false;
    };
    // The WAL belongs to the damaged file: left in place it would be replayed into the fresh one.
    if (!move(path, target))
        return {};
    if (!move(path + u"-wal"_s, target + u"-wal"_s)) {
        QFile::rename(target, path);
        return {};
    }
    // The -shm file is only an index of the WAL, rebuilt on open; removing it loses nothing.
    if (!move(path + u"-shm"_s, target + u"-shm"_s))
        QFile::remove(path + u"-shm"_s);
    return target;
}

} // namespace sd
