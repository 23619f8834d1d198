// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/charts/SignalColors.h"

#include <QHash>
#include <QPainter>
#include <QPixmap>
#include <QPolygonF>

#include <cmath>
#include <numbers>

using namespace Qt::StringLiterals;

namespace sd {

namespace {

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

QColor fixedStateColor(SignalState state)
{
    switch (state) {
    case SignalState::Ok:
        return QColor(0x2e, 0x9d, 0x4a);
    case SignalState::Warning:
        return QColor(0xe0, 0x9b, 0x00);
    case SignalState::Critical:
        return QColor(0xd3, 0x2f, 0x2f);
    case SignalState::Unknown:
        break;
    }
    return QColor(0x8a, 0x8a, 0x8a);
}

QPixmap paintStateIcon(SignalState state, int px)
{
    QPixmap pixmap(px, px);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    const qreal s = px;
    const qreal m = s * 0.06;
    const QRectF box(m, m, s - 2 * m, s - 2 * m);
    const QColor fill = fixedStateColor(state);
    // A thin darker rim keeps the shape visible on any background.
    p.setPen(QPen(fill.darker(140), std::max(1.0, s / 16.0)));
    p.setBrush(fill);
    QPen mark(Qt::white, std::max(1.5, s * 0.13), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    switch (state) {
    case SignalState::Ok: {
        p.drawEllipse(box);
        p.setPen(mark);
        p.setBrush(Qt::NoBrush);
        const QPointF tick[] = { { s * 0.28, s * 0.52 }, { s * 0.44, s * 0.68 }, { s * 0.72, s * 0.34 } };
        p.drawPolyline(tick, 3);
        break;
    }
    case SignalState::Warning: {
        const QPolygonF triangle { QPointF(s / 2, m), QPointF(s - m, s - m * 1.5), QPointF(m, s - m * 1.5) };
        p.drawPolygon(triangle);
        mark.setColor(QColor(0x20, 0x20, 0x20));
        p.setPen(mark);
        p.drawLine(QPointF(s / 2, s * 0.36), QPointF(s / 2, s * 0.62));
        p.drawPoint(QPointF(s / 2, s * 0.78));
        break;
    }
    case SignalState::Critical: {
        QPolygonF octagon;
        const QPointF c = box.center();
        // Circumradius of a regular octagon whose flat sides touch the box.
        const qreal r = box.width() / 2 / std::cos(std::numbers::pi / 8);
        for (int i = 0; i < 8; ++i) {
            const double a = std::numbers::pi / 8 + i * std::numbers::pi / 4;
            octagon << QPointF(c.x() + r * std::cos(a), c.y() + r * std::sin(a));
        }
        p.drawPolygon(octagon);
        p.setPen(mark);
        const qreal a = s * 0.33;
        const qreal b = s * 0.67;
        p.drawLine(QPointF(a, a), QPointF(b, b));
        p.drawLine(QPointF(a, b), QPointF(b, a));
        break;
    }
    case SignalState::Unknown: {
        p.drawEllipse(box);
        QFont font;
        font.setBold(true);
        font.setPixelSize(std::max(6, static_cast<int>(s * 0.7)));
        p.setFont(font);
        p.setPen(Qt::white);
        p.drawText(box, Qt::AlignCenter, u"?"_s);
        break;
    }
    }
    return pixmap;
}

} // namespace

QColor stateColor(SignalState state, const QPalette& palette)
{
    const bool dark = isDark(palette);
    switch (state) {
    case SignalState::Ok:
        return dark ? QColor(0x5c, 0xc8, 0x77) : fixedStateColor(state);
    case SignalState::Warning:
        return dark ? QColor(0xf2, 0xbd, 0x3a) : QColor(0xb3, 0x7a, 0x00);
    case SignalState::Critical:
        return dark ? QColor(0xff, 0x6b, 0x6b) : fixedStateColor(state);
    case SignalState::Unknown:
        break;
    }
    return palette.color(QPalette::Disabled, QPalette::WindowText);
}

QColor signalColor(FailureSignal signal)
{
    switch (signal) {
    case FailureSignal::S1:
        return QColor(0xd5, 0x5e, 0x00);
    case FailureSignal::S2:
        return QColor(0xcc, 0x79, 0xa7);
    case FailureSignal::S3:
        return QColor(0x00, 0x72, 0xb2);
    case FailureSignal::S4:
        return QColor(0xe6, 0x9f, 0x00);
    case FailureSignal::None:
        break;
    }
    return QColor(0x99, 0x99, 0x99);
}

QString stateIconText(SignalState state)
{
    switch (state) {
    case SignalState::Ok:
        return u"\u2714"_s;
    case SignalState::Warning:
        return u"\u25B2"_s;
    case SignalState::Critical:
        return u"\u2716"_s;
    case SignalState::Unknown:
        break;
    }
    return u"?"_s;
}

QIcon stateIcon(SignalState state, int size)
{
    size = std::max(size, 8);
    // Table cells ask for these on every paint: paint each state and size once (GUI thread only).
    static QHash<int, QIcon> cache;
    const int key = size * 8 + static_cast<int>(state);
    if (const auto it = cache.constFind(key); it != cache.constEnd())
        return it.value();
    QIcon icon;
    icon.addPixmap(paintStateIcon(state, size));
    QPixmap hiDpi = paintStateIcon(state, size * 2);
    hiDpi.setDevicePixelRatio(2.0);
    icon.addPixmap(hiDpi);
    cache.insert(key, icon);
    return icon;
}

namespace {

QPixmap paintMarkIcon(MarkGlyph glyph, const QColor& color, int px)
{
    QPixmap pixmap(px, px);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    const double s = px;
    switch (glyph) {
    case MarkGlyph::Paused:
        p.setPen(Qt::NoPen);
        p.setBrush(color);
        p.drawRoundedRect(QRectF(s * 0.2, s * 0.15, s * 0.22, s * 0.7), s * 0.05, s * 0.05);
        p.drawRoundedRect(QRectF(s * 0.58, s * 0.15, s * 0.22, s * 0.7), s * 0.05, s * 0.05);
        break;
    case MarkGlyph::Maintenance: {
        p.setPen(QPen(color, std::max(1.5, s * 0.12)));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(QRectF(s * 0.12, s * 0.12, s * 0.76, s * 0.76));
        p.drawLine(QPointF(s * 0.5, s * 0.5), QPointF(s * 0.5, s * 0.26));
        p.drawLine(QPointF(s * 0.5, s * 0.5), QPointF(s * 0.68, s * 0.6));
        break;
    }
    case MarkGlyph::Acknowledged: {
        p.setPen(QPen(color, std::max(2.0, s * 0.16), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        const QPolygonF check { QPointF(s * 0.16, s * 0.52), QPointF(s * 0.4, s * 0.76), QPointF(s * 0.86, s * 0.24) };
        p.drawPolyline(check);
        break;
    }
    case MarkGlyph::None:
        break;
    }
    return pixmap;
}

} // namespace

QIcon markIcon(MarkGlyph glyph, const QColor& color, int size)
{
    if (glyph == MarkGlyph::None)
        return {};
    size = std::max(size, 8);
    static QHash<QString, QIcon> cache;
    const QString key = QString::number(size) + u'/' + QString::number(static_cast<int>(glyph)) + u'/' + color.name();
    if (const auto it = cache.constFind(key); it != cache.constEnd())
        return it.value();
    QIcon icon;
    icon.addPixmap(paintMarkIcon(glyph, color, size));
    QPixmap hiDpi = paintMarkIcon(glyph, color, size * 2);
    hiDpi.setDevicePixelRatio(2.0);
    icon.addPixmap(hiDpi);
    cache.insert(key, icon);
    return icon;
}

} // namespace sd
