// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "history/HistoryTypes.h"

class QSqlError;

namespace sd {

/// SQLite primary result codes used to tell faults apart (see sqlite3.h).
namespace SqliteCode {
inline constexpr int Busy = 5;
inline constexpr int Locked = 6;
inline constexpr int ReadOnly = 8;
inline constexpr int IoError = 10;
inline constexpr int Corrupt = 11;
inline constexpr int Full = 13;
inline constexpr int CantOpen = 14;
inline constexpr int NotADatabase = 26;
} // namespace SqliteCode

/// The primary SQLite result code of a Qt Sql error (the QSQLITE driver reports it as the native
/// code), 0 when there is none.
int sqlitePrimaryCode(const QSqlError& error);

/// Maps a primary code to the fault the store reacts to.
HistoryError classifySqliteCode(int primaryCode);

} // namespace sd
