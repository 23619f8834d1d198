// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QStringList>

#include <optional>

namespace sd::testcsv {

/// Parses a CSV file with Python's csv module (the way a spreadsheet-style consumer reads it) and
/// returns its rows, or nullopt with the reason when Python or the parse fails.
inline std::optional<QList<QStringList>> readWithPython(const QString& path, QString* why)
{
    const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (python.isEmpty()) {
        *why = QStringLiteral("python3 not found");
        return std::nullopt;
    }
    const QString script
        = QStringLiteral("import csv, json, sys\n"
                         "with open(sys.argv[1], newline='', encoding='utf-8', errors='strict') as f:\n"
                         "    rows = list(csv.reader(f, strict=True))\n"
                         "json.dump(rows, sys.stdout)\n");
    QProcess p;
    p.start(python, { QStringLiteral("-c"), script, path });
    if (!p.waitForFinished(60'000) || p.exitCode() != 0) {
        *why = QString::fromUtf8(p.readAllStandardError());
        return std::nullopt;
    }
    QList<QStringList> rows;
    const QJsonArray array = QJsonDocument::fromJson(p.readAllStandardOutput()).array();
    for (const auto& row : array) {
        QStringList cells;
        for (const auto& cell : row.toArray())
            cells.append(cell.toString());
        rows.append(cells);
    }
    return rows;
}

} // namespace sd::testcsv
