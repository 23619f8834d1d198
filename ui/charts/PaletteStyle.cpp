// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/charts/PaletteStyle.h"

#include "ui/charts/SignalColors.h"

#include <QCoreApplication>
#include <QEvent>
#include <QWidget>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sd {

namespace {

/// Re-runs a restyle when the application palette changes; a child of the widget it styles.
class PaletteFollower : public QObject {
public:
    PaletteFollower(QWidget* widget, std::function<void()> restyle)
        : QObject(widget)
        , m_restyle(std::move(restyle))
    {
        // The application object itself is told of a new application palette (a widget with a style sheet
        // of its own is not); a cheap check per event, for the few widgets styled this way.
        QCoreApplication::instance()->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        // Only the application's palette change: a style sheet sets the widget's own palette, and reacting
        // to that would restyle in a loop.
        if (watched == QCoreApplication::instance() && event->type() == QEvent::ApplicationPaletteChange)
            m_restyle();
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void()> m_restyle;
};

} // namespace

QColor washOver(const QColor& base, const QColor& accent, double alpha)
{
    const double a = std::clamp(alpha, 0.0, 1.0);
    return QColor::fromRgbF(static_cast<float>(base.redF() * (1 - a) + accent.redF() * a),
        static_cast<float>(base.greenF() * (1 - a) + accent.greenF() * a),
        static_cast<float>(base.blueF() * (1 - a) + accent.blueF() * a));
}

QColor toneColor(TextTone tone, const QPalette& palette)
{
    // On a dark palette the state colours are light enough for text; on a light one the state colours are
    // tuned for icons and fills, so text takes a darker shade of them (at least 4.5:1 on a light window).
    if (palette.color(QPalette::Base).lightness() < 128)
        return stateColor(tone == TextTone::Problem ? SignalState::Critical : SignalState::Ok, palette);
    return tone == TextTone::Problem ? QColor(0xb0, 0x1e, 0x1e) : QColor(0x1e, 0x6b, 0x2c);
}

QString toneStyleSheet(TextTone tone, const QPalette& palette, const QString& extra)
{
    return u"color: "_s + toneColor(tone, palette).name() + u";"_s + (extra.isEmpty() ? QString() : u" "_s + extra);
}

QString noticeStyleSheet(const QPalette& palette, const QString& selector)
{
    const QColor accent = stateColor(SignalState::Warning, palette);
    const QColor background = washOver(palette.color(QPalette::Base), accent, 0.22);
    return u"%1 { background: %2; color: %3; border: 1px solid %4; border-radius: 4px; padding: 6px; }"_s.arg(
        selector, background.name(), palette.color(QPalette::Text).name(), accent.name());
}

QString invalidFieldStyleSheet(const QPalette& palette)
{
    return u"border: 2px solid "_s + toneColor(TextTone::Problem, palette).name() + u";"_s;
}

void followPalette(QWidget* widget, std::function<void()> restyle)
{
    restyle();
    new PaletteFollower(widget, std::move(restyle));
}

} // namespace sd
