// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/FailureSignal.h"

#include <QFrame>

class QLabel;

namespace sd {

/// One of the four signal tiles at the top of the window: the signal's worst state as icon, word and
/// colour (never colour alone), how many endpoints are in Warning and Critical, the action the signal
/// calls for and the latest reason. A click (or Space/Enter when focused) toggles the table filter on
/// this signal; `checked` shows that the filter is on. The tile's height is fixed (from the font): a long
/// reason is elided to one line (full text in its tooltip) and never moves the filter box or the table.
class SignalTile : public QFrame {
    Q_OBJECT
public:
    explicit SignalTile(FailureSignal signal, QWidget* parent = nullptr);

    FailureSignal signal() const { return m_signal; }
    void setSummary(
        SignalState state, int warnings, int criticals, const QString& latestReason, const QString& latestEndpoint);
    SignalState state() const { return m_state; }
    /// Endpoints in trouble on this signal that are handled: acknowledged, in maintenance, not probed.
    struct Handling {
        int acknowledged = 0;
        int maintenance = 0;
        int paused = 0;
    };
    /// Shown after the counts ("2 critical · 0 warning · 1 ack"); `probingPaused` (all probing paused)
    /// shows a pause glyph instead of the state icon and "Critical · paused".
    void setHandling(const Handling& handling, bool probingPaused);
    bool probingPaused() const { return m_probingPaused; }
    QString stateText() const;
    QString countsText() const;
    /// The short action shown on the tile (the full one is in the tooltip); empty while OK or unknown.
    QString actionText() const;
    /// The reason as given (the label may show it elided).
    QString reasonText() const;
    /// The height every tile has, whatever its texts (from the font).
    int fixedTileHeight() const;

    bool isChecked() const { return m_checked; }
    void setChecked(bool checked);

signals:
    void clicked(sd::FailureSignal signal);

protected:
    void changeEvent(QEvent* event) override;
    /// Restyles when the application palette changed (a tile with its own style sheet is not always told:
    /// followPalette() watches the application too).
    void followApplicationPalette();
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void restyle();

    FailureSignal m_signal;
    SignalState m_state = SignalState::Unknown;
    bool m_checked = false;
    bool m_styled = false;
    bool m_styledChecked = false;
    QColor m_styledBase; ///< the palette's Base when the style sheet was made
    bool m_dirty = false;
    bool m_probingPaused = false;
    Handling m_handling;
    int m_warnings = 0;
    int m_criticals = 0;
    QString m_latestReason;
    QString m_latestEndpoint;
    QLabel* m_icon;
    QLabel* m_title;
    QLabel* m_stateLabel;
    QLabel* m_counts;
    QLabel* m_action;
    QLabel* m_reason;
};

/// The short form of a signal's action for the tiles (signalAction() has the full one).
QString shortSignalAction(FailureSignal signal);

} // namespace sd
