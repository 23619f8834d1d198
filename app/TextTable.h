// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace sd {

/// A plain-text table for terminals: columns left-aligned to their widest cell, two spaces apart, the last
/// column unpadded, one line per row (header first), trailing blanks trimmed.
QString textTable(const QStringList& header, const QList<QStringList>& rows);

} // namespace sd
