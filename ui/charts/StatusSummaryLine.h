// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLabel>

class QTimer;

namespace sd {

class EndpointTableModel;

/// One line over the whole endpoint list: "12 up · 3 warning · 1 critical · 2 paused" (and "· 4 not probed
/// yet" while some have no result), each count a word, not a colour; the worst count is bold. Follows the
/// model by itself (coalesced to at most one recount per event-loop turn), so a window places it with one
/// line: `layout->addWidget(new StatusSummaryLine(model, parent));`.
class StatusSummaryLine : public QLabel {
    Q_OBJECT
public:
    explicit StatusSummaryLine(EndpointTableModel* model, QWidget* parent = nullptr);

    /// The line as plain text (what the label shows without the markup).
    QString summaryText() const { return m_plain; }
    /// Recounts now (the model's signals schedule it anyway).
    void recount();

private:
    EndpointTableModel* m_model;
    QTimer* m_pending;
    QString m_plain;
};

} // namespace sd
