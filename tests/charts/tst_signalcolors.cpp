// SPDX-License-Identifier: GPL-3.0-or-later
#include "charts/ChartTestData.h"
#include "ui/charts/SignalColors.h"

#include <QImage>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace sd;

namespace {

constexpr std::array<SignalState, 4> kStates { SignalState::Unknown, SignalState::Ok, SignalState::Warning,
    SignalState::Critical };

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    p.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    p.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    return p;
}

QPalette lightPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0xef, 0xef, 0xef));
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::WindowText, Qt::black);
    return p;
}

/// WCAG contrast ratio of two colours.
double contrast(const QColor& a, const QColor& b)
{
    auto luminance = [](const QColor& c) {
        auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double la = luminance(a) + 0.05;
    const double lb = luminance(b) + 0.05;
    return std::max(la, lb) / std::min(la, lb);
}

} // namespace

class TestSignalColors : public QObject {
    Q_OBJECT

private slots:
    void everyStateHasItsOwnGlyph();
    void stateColoursStayReadableInLightAndDarkMode();
    void signalColoursAreDistinct();
    void iconsDifferInShapeNotOnlyColour();
};

void TestSignalColors::everyStateHasItsOwnGlyph()
{
    QSet<QString> glyphs;
    for (SignalState s : kStates) {
        QVERIFY(!stateIconText(s).isEmpty());
        glyphs.insert(stateIconText(s));
    }
    QCOMPARE(glyphs.size(), 4);
    QCOMPARE(stateIconText(SignalState::Critical), u"\u2716"_s);
}

void TestSignalColors::stateColoursStayReadableInLightAndDarkMode()
{
    for (const QPalette& palette : { lightPalette(), darkPalette() }) {
        QSet<QRgb> colours;
        for (SignalState s : { SignalState::Ok, SignalState::Warning, SignalState::Critical }) {
            const QColor c = stateColor(s, palette);
            colours.insert(c.rgb());
            // Large text and graphics need 3:1 against the background (WCAG 1.4.11).
            QVERIFY2(contrast(c, palette.color(QPalette::Base)) >= 3.0,
                qPrintable(u"%1 on %2: %3"_s.arg(c.name(), palette.color(QPalette::Base).name())
                               .arg(contrast(c, palette.color(QPalette::Base)))));
        }
        QCOMPARE(colours.size(), 3);
    }
    QVERIFY(stateColor(SignalState::Ok, lightPalette()) != stateColor(SignalState::Ok, darkPalette()));
}

void TestSignalColors::signalColoursAreDistinct()
{
    QSet<QRgb> colours;
    for (FailureSignal s : kAllSignals)
        colours.insert(signalColor(s).rgb());
    colours.insert(signalColor(FailureSignal::None).rgb());
    QCOMPARE(colours.size(), 5);
}

void TestSignalColors::iconsDifferInShapeNotOnlyColour()
{
    // Compare the alpha masks: with colour removed, every state must still look different.
    QList<QImage> masks;
    for (SignalState s : kStates) {
        const QIcon icon = stateIcon(s, 32);
        QVERIFY(!icon.isNull());
        const QImage image = icon.pixmap(32, 32).toImage().convertToFormat(QImage::Format_ARGB32);
        QCOMPARE(image.size(), QSize(32, 32));
        QImage grey(image.size(), QImage::Format_Grayscale8);
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const QColor c = image.pixelColor(x, y);
                // Shape and mark, not hue: opaque and light (the white mark) count separately.
                const int level = c.alpha() < 128 ? 0 : (c.lightness() > 200 ? 255 : 128);
                grey.setPixel(x, y, qRgb(level, level, level));
            }
        }
        for (const QImage& other : std::as_const(masks))
            QVERIFY(other != grey);
        masks.append(grey);
        grey.save(QDir(sd::testdata::screenshotDir()).filePath(u"state-icon-%1.png"_s.arg(stateCode(s))));
        icon.pixmap(64, 64).save(
            QDir(sd::testdata::screenshotDir()).filePath(u"state-icon-%1-64.png"_s.arg(stateCode(s))));
    }
}

QTEST_MAIN(TestSignalColors)
#include "tst_signalcolors.moc"
