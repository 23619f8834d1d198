// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/ChangedRows.h"

#include <algorithm>

namespace sd {

void emitChangedRows(
    QAbstractItemModel* model, std::vector<int> rows, int firstColumn, int lastColumn, const QList<int>& roles)
{
    const int rowCount = model->rowCount();
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    rows.erase(
        std::remove_if(rows.begin(), rows.end(), [rowCount](int r) { return r < 0 || r >= rowCount; }), rows.end());
    if (rows.empty())
        return;
    if (rows.size() * 2 > static_cast<std::size_t>(rowCount)) {
        emit model->dataChanged(model->index(0, firstColumn), model->index(rowCount - 1, lastColumn), roles);
        return;
    }
    std::size_t start = 0;
    for (std::size_t i = 1; i <= rows.size(); ++i) {
        if (i == rows.size() || rows[i] != rows[i - 1] + 1) {
            emit model->dataChanged(
                model->index(rows[start], firstColumn), model->index(rows[i - 1], lastColumn), roles);
            start = i;
        }
    }
}

} // namespace sd
