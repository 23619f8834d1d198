// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractItemModel>
#include <QList>

#include <vector>

namespace sd {

/// Emits `model`'s dataChanged for the changed `rows` over columns firstColumn..lastColumn with `roles`: one
/// signal per contiguous run of rows, or a single one over every row when more than half of them changed
/// (cheaper for every view and proxy than many runs). `rows` may be unsorted and hold duplicates. The one
/// implementation the item models share.
void emitChangedRows(
    QAbstractItemModel* model, std::vector<int> rows, int firstColumn, int lastColumn, const QList<int>& roles);

} // namespace sd
