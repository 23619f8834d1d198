// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/FailureSignal.h"

#include <QColor>
#include <QIcon>
#include <QPalette>
#include <QString>

namespace sd {

/// Colours, glyphs and icons for signal states and failure signals, shared by the tiles, the endpoint table,
/// the charts and the tray icon so that a state looks the same everywhere. State is never shown by colour
/// alone: every state also has a glyph (stateIconText) and an icon whose shape differs (circle with a check,
/// triangle with "!", octagon with "×", circle with "?"). State colours are brighter on a dark palette so
/// they stay readable in dark mode; signal colours come from the Okabe–Ito palette, which stays distinct for
/// the common forms of colour blindness.

/// Green / amber / red for Ok / Warning / Critical, a subdued grey for Unknown; tuned to the palette's
/// lightness (light or dark mode).
QColor stateColor(SignalState state, const QPalette& palette);
/// S1 vermillion, S2 reddish purple, S3 blue, S4 orange; grey for None (errors that raise no signal).
QColor signalColor(FailureSignal signal);
/// "✔" Ok, "▲" Warning, "✖" Critical, "?" Unknown.
QString stateIconText(SignalState state);
/// A painted icon of `size` × `size` device-independent pixels (also drawn at twice the size for HiDPI).
QIcon stateIcon(SignalState state, int size = 16);

/// How an endpoint in trouble is handled, drawn in place of its state icon (never a font glyph, which a
/// font may lack): two bars for paused, a clock for maintenance, a check mark for acknowledged.
enum class MarkGlyph : quint8 { None, Acknowledged, Maintenance, Paused };
/// The glyph in `color` (the state's colour); a null icon for None.
QIcon markIcon(MarkGlyph glyph, const QColor& color, int size = 16);

} // namespace sd
