// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

#include <functional>

class QWidget;

namespace sd {

/// Style sheets for the few widgets that need colour beyond the palette (a notice banner, a problem in red,
/// a success in green), computed from the application palette's roles so they stay readable in light and
/// dark mode; never fixed colours. Text keeps the palette's Text (or the state colour tuned to the palette,
/// stateColor()); backgrounds are a wash of a state colour over the palette's Base.

/// What a line of text reports.
enum class TextTone : quint8 {
    Problem, ///< an error or a refusal: the Critical colour for this palette
    Good, ///< a check that passed: the OK colour for this palette
};

/// `accent` laid over `base` at `alpha` (0..1), opaque.
QColor washOver(const QColor& base, const QColor& accent, double alpha);
/// The colour of a `tone` line of text on this palette (at least 4.5:1 against its Window and Base).
QColor toneColor(TextTone tone, const QPalette& palette);
/// "color: #rrggbb;" for a `tone` line of text (plus `extra`, e.g. "font-weight: bold;").
QString toneStyleSheet(TextTone tone, const QPalette& palette, const QString& extra = {});
/// A notice banner (no keychain, history faults, a source unreachable): the palette's Text on a wash of the
/// Warning colour over Base, with a Warning border. `selector` names the widget type ("QLabel").
QString noticeStyleSheet(const QPalette& palette, const QString& selector = QStringLiteral("QLabel"));
/// A field that holds an invalid value: a Critical border.
QString invalidFieldStyleSheet(const QPalette& palette);

/// Calls `restyle` now and again whenever the application palette changes (dark mode switched on or off),
/// for as long as `widget` lives. `restyle` computes its colours from QApplication::palette().
void followPalette(QWidget* widget, std::function<void()> restyle);

} // namespace sd
