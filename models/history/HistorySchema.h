// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/FailureSignal.h"

#include <QString>
#include <QStringList>

#include <array>
#include <optional>

class QSqlDatabase;

/// The on-disk format of the history database, in one place. Tables (schema version 2):
/// - `schema_migrations(version, applied_ms)`: one row per applied migration.
/// - `meta(key, value)`: `raw_horizon_ms` / `rollup_horizon_ms`, the retention cut-offs last applied
///   (raw samples before the raw horizon are gone, only rollups answer for that time).
/// - `endpoints(id, name)`, `urls(id, url)`, `reasons(id, text)`: lookup tables so a sample stores
///   small integers instead of repeated strings (reason ids are never reused, see AUTOINCREMENT). A
///   sample is keyed by its endpoint's interned id, whatever the name is (a label or a stable id).
/// - `sample_blocks(id, endpoint_id, first_ms, last_ms, n, reasons, data)`, unique on
///   (endpoint_id, first_ms): the raw samples, n consecutive samples of one endpoint per row, times
///   strictly increasing within and across the blocks of an endpoint (see SampleBlock.h for `data`;
///   `reasons` lists the reason ids the block refers to, NULL when none). Times are ms since the epoch
///   (UTC), latency and phases µs, outcome/signal coded as below.
///   Version 1 had one WITHOUT ROWID row per sample (`samples`); the migration to 2 copies every row.
/// - `rollups`, WITHOUT ROWID, clustered on (endpoint_id, minute) with minute = floor(t_ms / 60000):
///   probes, one count per outcome, one per signal, latency count/min/max/sum, p50/p95/p99 and the
///   sparse LatencyHistogram blob (so percentiles merge over any range of minutes).
/// Latency statistics count only probes that received an HTTP status: a timeout's "latency" is our own
/// deadline and a refused connection's is near zero, neither says how fast the API answers.
///
/// Size on disk, measured with bench_history (SQLite 3.40, 4 KiB pages, dbstat; docs/PERFORMANCE.md): a
/// raw sample takes about 28 bytes in version 2 (version 1: about 65), of which 16 are the random trace
/// id; a rollup row about 65 bytes for an endpoint probed every 30 s and about 130 bytes at one probe per
/// second (a wider histogram). Retention frees pages that later inserts reuse, so the file stops growing
/// once both retention windows are full.
namespace sd::HistorySchema {

inline constexpr int kCurrentVersion = 2;
/// A stored version above kCurrentVersion + this is not a newer SignalDeck but a damaged page.
inline constexpr int kPlausibleNewerVersions = 20;
inline constexpr qint64 kMinuteMs = 60'000;
inline constexpr int kFlagConnectionReused = 1;
inline constexpr int kFlagBodyTruncated = 2;
inline constexpr int kReasonMaxChars = 300;

inline constexpr int kOutcomeCount = 8;
/// Outcomes in stored-code order: index = the integer written to disk. Never reorder.
inline constexpr std::array<Outcome, kOutcomeCount> kStoredOutcomes { Outcome::Ok, Outcome::Timeout,
    Outcome::Connection, Outcome::Auth, Outcome::Input, Outcome::Throttled, Outcome::ServerError,
    Outcome::AssertionFailed };
/// Column names of the per-outcome counts in `rollups`, in stored-code order.
inline constexpr std::array<const char*, kOutcomeCount> kOutcomeColumns { "ok", "timeout", "connection", "auth",
    "input", "throttled", "server_error", "assertion_failed" };

int outcomeToStored(Outcome o);
std::optional<Outcome> outcomeFromStored(qint64 code);
std::optional<FailureSignal> signalFromStored(qint64 code);

/// The SQL statements of one migration step (from version - 1 to version).
QStringList migrationStatements(int version);

/// Brings the schema to kCurrentVersion in one transaction per step. On failure returns the database
/// error's native code and text through `error` (code 0 when the file is newer than this program). A
/// version above kCurrentVersion is only "newer" when it is plausible and `PRAGMA quick_check` passes;
/// otherwise the file is damaged (SqliteCode::Corrupt), so that the caller sets it aside.
struct MigrationError {
    int sqliteCode = 0;
    QString message;
};
std::optional<MigrationError> migrate(QSqlDatabase& db, qint64 nowMs);

/// The data step of the migration to version 2: every row of the v1 `samples` table into `sample_blocks`,
/// then `samples` dropped. Runs inside migrate()'s transaction.
std::optional<MigrationError> convertSamplesToBlocks(QSqlDatabase& db);

/// `PRAGMA quick_check`: "ok", or the first problems it found (or the error that stopped it).
QString quickCheck(QSqlDatabase& db);

/// The schema version recorded in the file, 0 for a fresh file; nullopt if it cannot be read.
std::optional<int> storedVersion(QSqlDatabase& db, MigrationError* error = nullptr);

} // namespace sd::HistorySchema
