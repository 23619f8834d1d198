// SPDX-License-Identifier: GPL-3.0-or-later
// After a restart the window shows the stored history: the second session's charts and sparklines hold
// the first session's probes before it has probed anything itself.
#include "DashboardStart.h"
#include "DemoEnvironment.h"
#include "controller/Controller.h"
#include "itemmodels/EndpointTableModel.h"
#include "schedule/Engine.h"
#include "ui/DetailPane.h"
#include "ui/MainWindow.h"
#include "ui/charts/LatencyChartView.h"

#include <QDir>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace sd;

class TestRestart : public QObject {
    Q_OBJECT
private slots:
    void secondSessionShowsTheFirstSessionsHistory()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QTemporaryDir dataDir;
        DemoEnvironment demo;
        QString error;
        QVERIFY2(demo.start(0, &error), qPrintable(error));
        DashboardOptions options;
        options.config = *demo.config().config;
        options.sourceLabel = u"demo"_qs;
        options.dataDir = dataDir.path();
        const QString name = u"chat-completions"_qs;

        qint64 firstProbes = 0;
        {
            DashboardSession first(options);
            first.window().show();
            // chat-completions is probed every 5 s: its first probe at start, then two more asked for (Probe
            // now) instead of waited for.
            EndpointTableModel* model = first.window().endpointModel();
            const int row = [&] {
                for (int r = 0; r < model->rowCount(); ++r)
                    if (model->endpoint(r).name == name)
                        return r;
                return -1;
            }();
            QVERIFY(row >= 0);
            QTRY_VERIFY_WITH_TIMEOUT(model->status(row).probes >= 1, 20'000);
            for (qint64 probes = 2; probes <= 3; ++probes) {
                first.controller().probeNow(endpointKey(model->endpoint(row)));
                QTRY_VERIFY_WITH_TIMEOUT(model->status(row).probes >= probes, 10'000);
            }
            firstProbes = model->status(row).probes;
        } // the session's destructor stops the engine and flushes the history

        DashboardSession second(options);
        second.window().setPaused(true); // nothing new: whatever shows comes from the disk
        second.window().setRange(TimeRange::presets().at(2)); // 24 h
        second.window().show();
        EndpointTableModel* model = second.window().endpointModel();
        int row = -1;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->endpoint(r).name == name)
                row = r;
        QVERIFY(row >= 0);
        // The stored samples arrive from the history reader's thread, a moment after the window opens.
        const auto sparklineSize = [&] {
            return model->index(row, EndpointTableModel::Trend)
                .data(EndpointTableModel::SparklineRole)
                .value<QList<double>>()
                .size();
        };
        QTRY_VERIFY2_WITH_TIMEOUT(
            sparklineSize() >= firstProbes, "the sparkline starts from the stored samples", 10'000);
        second.window().selectEndpoint(name);
        QTRY_VERIFY_WITH_TIMEOUT(!second.window().detailPane()->latencyChart()->bandPoints().isEmpty(), 10'000);
        QVERIFY2(second.window().detailPane()->figuresText().contains(u"24 h: "_qs),
            qPrintable(second.window().detailPane()->figuresText()));
        QVERIFY2(second.window().detailPane()->figuresText().contains(QString::number(firstProbes) + u" probes"_qs)
                || second.window().detailPane()->figuresText().contains(
                    QString::number(firstProbes + 1) + u" probes"_qs),
            qPrintable(second.window().detailPane()->figuresText()));
        // tst_screenshots makes the directory too, but ctest may run this test first (-j, a fresh build).
        QVERIFY(QDir().mkpath(QStringLiteral(SCREENSHOT_DIR)));
        QVERIFY(second.window().detailPane()->grab().save(QStringLiteral(SCREENSHOT_DIR "/after-restart-24h.png")));
    }
};

QTEST_MAIN(TestRestart)
#include "tst_restart.moc"
