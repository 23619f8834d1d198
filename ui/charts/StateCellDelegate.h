// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStyledItemDelegate>

namespace sd {

/// Paints a state cell (overall state, S1–S4, circuit) as icon + word on a light wash of the state colour,
/// so a state reads without colour, too. The state comes from `stateRole` (an int SignalState). A narrow
/// column never shows a cut word ("Criti…"): the full word when it fits, else a short one that keeps the
/// meaning ("Crit", "Warn", "—" for unknown, "half" for half-open), else the icon alone; the tooltip and
/// the accessible text keep the full word.
class StateCellDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    StateCellDelegate(int stateRole, QObject* parent = nullptr);
    /// A role giving an int MarkGlyph (paused, maintenance, acknowledged) drawn instead of the state icon; the
    /// wash keeps the state's colour. -1 (the default): none.
    void setMarkRole(int role) { m_markRole = role; }
    /// The icon paint() draws for `index`.
    QIcon shownIcon(const QModelIndex& index) const;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    /// The text paint() draws in `option.rect` for `index` (empty: the icon alone).
    QString shownText(const QStyleOptionViewItem& option, const QModelIndex& index) const;
    /// The short word for a state word the cell cannot fit ("Critical" → "Crit"); the word itself if none.
    static QString shortWord(const QString& word);

private:
    QString fitText(QStyleOptionViewItem& opt) const;

    int m_stateRole;
    int m_markRole = -1;
};

} // namespace sd
