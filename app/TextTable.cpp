// SPDX-License-Identifier: GPL-3.0-or-later
#include "TextTable.h"

#include "health/Classifier.h"

#include <algorithm>

namespace sd {

QString textTable(const QStringList& header, const QList<QStringList>& cells)
{
    // Server text (a reason) must not reach a terminal as raw escape sequences.
    QList<QStringList> rows;
    for (const QStringList& row : cells) {
        QStringList clean;
        for (const QString& cell : row)
            clean.append(escapeControlCharacters(cell));
        rows.append(clean);
    }
    QList<qsizetype> widths;
    for (qsizetype c = 0; c + 1 < header.size(); ++c) {
        qsizetype w = header.at(c).size();
        for (const auto& row : rows)
            w = std::max(w, row.value(c).size());
        widths.append(w);
    }
    QString out;
    auto line = [&](const QStringList& cells) {
        QString s;
        for (qsizetype c = 0; c < cells.size(); ++c)
            s += c < widths.size() ? cells.at(c).leftJustified(widths.at(c) + 2) : cells.at(c);
        out += s.trimmed();
        out += u'\n';
    };
    line(header);
    for (const auto& row : rows)
        line(row);
    return out;
}

} // namespace sd
