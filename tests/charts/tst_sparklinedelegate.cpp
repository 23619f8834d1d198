// SPDX-License-Identifier: GPL-3.0-or-later
#include "charts/ChartTestData.h"
#include "ui/charts/SignalColors.h"
#include "ui/charts/SparklineDelegate.h"

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QStandardItemModel>
#include <QTableView>
#include <QTest>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace sd;

namespace {

constexpr int kRole = Qt::UserRole + 7;
constexpr int kWidth = 100;
constexpr int kHeight = 20;

/// Paints one cell holding `values` into an image the size of sizeHint().
QImage paintCell(const QList<double>& values, bool selected = false)
{
    QStandardItemModel model(1, 1);
    model.setData(model.index(0, 0), QVariant::fromValue(values), kRole);
    SparklineDelegate delegate(kRole, nullptr);
    QStyleOptionViewItem option;
    option.rect = QRect(QPoint(0, 0), delegate.sizeHint(option, model.index(0, 0)));
    option.palette = QApplication::palette();
    option.state = QStyle::State_Enabled | (selected ? QStyle::State_Selected : QStyle::State_None);
    QImage image(option.rect.size(), QImage::Format_ARGB32);
    image.fill(option.palette.color(QPalette::Base));
    QPainter painter(&image);
    delegate.paint(&painter, option, model.index(0, 0));
    return image;
}

bool isReddish(QColor c)
{
    return c.red() > 150 && c.green() < 120 && c.blue() < 120;
}

/// Reddish pixels in a column band of the image.
int redPixels(const QImage& image, int x0, int x1)
{
    int n = 0;
    for (int x = std::max(0, x0); x <= std::min(image.width() - 1, x1); ++x) {
        for (int y = 0; y < image.height(); ++y)
            n += isReddish(image.pixelColor(x, y)) ? 1 : 0;
    }
    return n;
}

int distance(QColor a, QColor b)
{
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue());
}

/// Antialiased pixels count for the colour they are closer to.
bool nearerTo(QColor c, QColor colour, QColor background)
{
    return distance(c, colour) < distance(c, background);
}

int pixelsOf(const QImage& image, QColor color, int tolerance)
{
    int n = 0;
    for (int x = 0; x < image.width(); ++x) {
        for (int y = 0; y < image.height(); ++y) {
            const QColor c = image.pixelColor(x, y);
            n += std::abs(c.red() - color.red()) + std::abs(c.green() - color.green())
                        + std::abs(c.blue() - color.blue())
                    <= tolerance
                ? 1
                : 0;
        }
    }
    return n;
}

} // namespace

class TestSparklineDelegate : public QObject {
    Q_OBJECT

private slots:
    void sizeHintIsSmall();
    void failedProbesAreRedTicksAtTheBottom();
    void lineFollowsTheValues();
    void selectionUsesHighlightColours();
    void emptyAndDegenerateCellsDoNotCrash_data();
    void emptyAndDegenerateCellsDoNotCrash();
    void paintsInATableView();
};

void TestSparklineDelegate::sizeHintIsSmall()
{
    SparklineDelegate delegate(kRole, nullptr);
    QCOMPARE(delegate.sizeHint(QStyleOptionViewItem(), QModelIndex()), QSize(kWidth, kHeight));
    QCOMPARE(delegate.sparklineRole(), kRole);
}

void TestSparklineDelegate::failedProbesAreRedTicksAtTheBottom()
{
    // Eleven probes; the sixth failed. x of probe i = 3 + 94 * i / 10.
    QList<double> ok { 10, 12, 11, 13, 12, 11, 12, 14, 12, 11, 12 };
    QList<double> failed = ok;
    failed[5] = qQNaN();
    const QImage good = paintCell(ok);
    const QImage bad = paintCell(failed);
    QVERIFY(good != bad);
    QCOMPARE(redPixels(good, 0, kWidth), 0);
    const int tickX = 3 + 94 * 5 / 10;
    QVERIFY2(redPixels(bad, tickX - 1, tickX + 1) >= 3, "no red tick where the probe failed");
    QCOMPARE(redPixels(bad, 0, tickX - 4), 0);
    QCOMPARE(redPixels(bad, tickX + 4, kWidth), 0);
    // The tick stands at the bottom of the cell.
    bool bottomRed = false;
    for (int x = tickX - 1; x <= tickX + 1; ++x)
        bottomRed = bottomRed || isReddish(bad.pixelColor(x, kHeight - 4));
    QVERIFY(bottomRed);
    bool topRed = false;
    for (int x = tickX - 1; x <= tickX + 1; ++x)
        topRed = topRed || isReddish(bad.pixelColor(x, 4));
    QVERIFY(!topRed);

    // Every probe failed: nothing but ticks, still visible.
    const QImage allFailed = paintCell(QList<double>(11, qQNaN()));
    QVERIFY(redPixels(allFailed, 0, kWidth) >= 11 * 3);
}

void TestSparklineDelegate::lineFollowsTheValues()
{
    // Low then high: the line sits near the bottom on the left and near the top on the right.
    const QImage image = paintCell({ 1, 1, 1, 1, 1, 100, 100, 100, 100, 100 });
    const QColor line = QApplication::palette().color(QPalette::Link);
    const QColor base = QApplication::palette().color(QPalette::Base);
    auto lineRows = [&](int x0, int x1) {
        int top = kHeight;
        int bottom = -1;
        for (int x = x0; x <= x1; ++x) {
            for (int y = 0; y < kHeight; ++y) {
                if (nearerTo(image.pixelColor(x, y), line, base)) {
                    top = std::min(top, y);
                    bottom = std::max(bottom, y);
                }
            }
        }
        return std::pair(top, bottom);
    };
    const auto [leftTop, leftBottom] = lineRows(5, 30);
    const auto [rightTop, rightBottom] = lineRows(70, 95);
    QVERIFY2(leftBottom >= 0 && rightBottom >= 0, "line not drawn in the link colour");
    QVERIFY(leftTop > kHeight / 2);
    QVERIFY(rightBottom < kHeight / 2);
}

void TestSparklineDelegate::selectionUsesHighlightColours()
{
    const QList<double> values { 10, 20, 30, 20, 10, 20, 30 };
    const QImage selected = paintCell(values, true);
    const QPalette palette = QApplication::palette();
    // The whole cell gets the highlight, the line the highlighted-text colour.
    QCOMPARE(selected.pixelColor(1, 1), palette.color(QPalette::Highlight));
    QVERIFY(pixelsOf(selected, palette.color(QPalette::HighlightedText), 60) > 20);
    QVERIFY(pixelsOf(paintCell(values, false), palette.color(QPalette::Link), 60) > 20);
}

void TestSparklineDelegate::emptyAndDegenerateCellsDoNotCrash_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::newRow("empty") << QList<double>();
    QTest::newRow("one value") << QList<double> { 42 };
    QTest::newRow("all zero") << QList<double> { 0, 0, 0 };
    QTest::newRow("infinity") << QList<double> { 1, qInf(), 2 };
    QTest::newRow("a thousand values") << QList<double>(1000, 5.0);
}

void TestSparklineDelegate::emptyAndDegenerateCellsDoNotCrash()
{
    QFETCH(QList<double>, values);
    const QImage image = paintCell(values);
    QCOMPARE(image.size(), QSize(kWidth, kHeight));
    if (values.size() == 1)
        QVERIFY(pixelsOf(image, QApplication::palette().color(QPalette::Link), 90) >= 1);
}

void TestSparklineDelegate::paintsInATableView()
{
    QStandardItemModel model(3, 2);
    for (int row = 0; row < 3; ++row) {
        model.setData(model.index(row, 0), u"endpoint-%1"_s.arg(row));
        QList<double> values;
        for (int i = 0; i < 60; ++i)
            values << (i % 17 == row ? qQNaN() : 20.0 + (i * 7 + row * 13) % 30);
        model.setData(model.index(row, 1), QVariant::fromValue(values), kRole);
    }
    QTableView view;
    view.setModel(&model);
    view.setItemDelegateForColumn(1, new SparklineDelegate(kRole, &view));
    view.resizeColumnsToContents();
    view.resize(360, 160);
    view.selectRow(1);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.columnWidth(1) >= kWidth && view.columnWidth(1) <= kWidth + 1); // + the grid line
    const QImage shot = view.grab().toImage();
    QVERIFY(redPixels(shot, view.columnViewportPosition(1), shot.width()) > 0);
    const QString path = QDir(sd::testdata::screenshotDir()).filePath(u"sparklines.png"_s);
    QVERIFY(view.grab().save(path));
    qInfo() << "screenshot:" << path;
}

QTEST_MAIN(TestSparklineDelegate)
#include "tst_sparklinedelegate.moc"
