// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLabel>
#include <QPersistentModelIndex>

class QAbstractItemView;
class QTimer;

namespace sd {

/// A transient note drawn right under a row of the endpoint table, where the operator looked (F5 on a row
/// that cannot be probed now, an acknowledgement): it follows the row while it shows and hides after a few
/// seconds or on a click. The status bar may say the same; this is the place the eye already is.
class RowNote : public QLabel {
    Q_OBJECT
public:
    explicit RowNote(QAbstractItemView* view);

    /// Shows `text` under the row of `index` (the view's model); an invalid index puts it at the top.
    void showFor(const QModelIndex& index, const QString& text, int milliseconds = 8000);
    QModelIndex row() const { return m_row; }

protected:
    void mousePressEvent(QMouseEvent* event) override;

private:
    void place();

    QAbstractItemView* m_view;
    QPersistentModelIndex m_row;
    QTimer* m_timer;
};

/// "quota-exhausted: not probed: credential unavailable" from the engine, said once about `name`:
/// "quota-exhausted was not probed: credential unavailable".
QString probeRefusalText(const QString& name, const QString& refusal);

} // namespace sd
