// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QStringView>
#include <QTextStream>

#include <optional>

namespace sd {

/// `signaldeck export --from T [--to T] [--endpoint NAME]... [--summary] [--data-dir D] -o FILE|-`:
/// writes the raw-samples CSV (or with --summary the per-endpoint summary) of the stored history.
/// `args` are the arguments after the word `export`. A file is written all or nothing; `-o -` streams
/// to `out`. Returns 0 on success, 2 on a usage error (message on `err`), 1 when the history cannot be
/// read or the output cannot be written (the message names the path and the reason).
int runExportCommand(const QStringList& args, QTextStream& out, QTextStream& err);

/// Parses a time argument against `nowMs`: `now`; a relative past time `-90s`, `-30m`, `-24h`, `-7d`,
/// `-2w`; or ISO 8601 (`2026-03-02`, `2026-03-02T10:00`, `2026-03-02T10:00:00.250Z`,
/// `2026-03-02T12:00:00+02:00`), where a time without an offset is UTC. nullopt when unreadable.
std::optional<qint64> parseExportTime(QStringView text, qint64 nowMs);

} // namespace sd
