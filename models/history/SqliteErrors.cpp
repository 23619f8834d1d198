// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/SqliteErrors.h"

#include <QSqlError>

using namespace Qt::StringLiterals;

namespace sd {

QString historyErrorCode(HistoryError e)
{
    switch (e) {
    case HistoryError::None:
        return u"none"_s;
    case HistoryError::Corrupt:
        return u"corrupt"_s;
    case HistoryError::Locked:
        return u"locked"_s;
    case HistoryError::DiskFull:
        return u"disk_full"_s;
    case HistoryError::Unwritable:
        return u"unwritable"_s;
    case HistoryError::Incompatible:
        return u"incompatible"_s;
    case HistoryError::Other:
        break;
    }
    return u"other"_s;
}

int sqlitePrimaryCode(const QSqlError& error)
{
    bool ok = false;
    const int code = error.nativeErrorCode().toInt(&ok);
    return ok ? (code & 0xff) : 0;
}

HistoryError classifySqliteCode(int primaryCode)
{
    switch (primaryCode) {
    case 0:
        return HistoryError::None;
    case SqliteCode::Corrupt:
    case SqliteCode::NotADatabase:
        return HistoryError::Corrupt;
    case SqliteCode::Busy:
    case SqliteCode::Locked:
        return HistoryError::Locked;
    case SqliteCode::Full:
        return HistoryError::DiskFull;
    case SqliteCode::ReadOnly:
    case SqliteCode::IoError:
    case SqliteCode::CantOpen:
        return HistoryError::Unwritable;
    default:
        return HistoryError::Other;
    }
}

} // namespace sd
