// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 13 (the GUI-thread part): the window never reads the history database in the GUI thread. A dashboard
// restarts over a stored history (its table starts from the stored samples) and the operator opens the CSV
// export (it lists the endpoints with stored history, a removed one included); every connection to the file
// opens in another thread. Before, both read the file synchronously in the GUI thread.
#include "DashboardStart.h"
#include "credentials/InMemoryCredentialStore.h"
#include "history/HistoryConnection.h"
#include "history/HistoryStore.h"
#include "itemmodels/EndpointTableModel.h"
#include "simulator/Simulator.h"
#include "ui/MainWindow.h"
#include "ui/export/ExportDialog.h"

#include <QAction>
#include <QApplication>
#include <QMutex>
#include <QMutexLocker>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimeZone>

using namespace sd;
using namespace Qt::StringLiterals;

class TestGuiThreadReads : public QObject {
    Q_OBJECT
private:
    QMutex m_mutex;
    QStringList m_guiOpens; ///< guarded by m_mutex
    int m_otherOpens = 0; ///< guarded by m_mutex

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setApplicationName(u"signaldeck-tst-guithreadreads"_s);
    }

    void theWindowReadsTheHistoryOnlyInOtherThreads()
    {
        Simulator sim;
        QVERIFY2(sim.start(), qPrintable(sim.errorString()));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        // A history from an earlier session: 20 probes of "api" and of "retired" (since removed).
        constexpr int kStored = 20;
        const qint64 startMs = QDateTime::currentMSecsSinceEpoch() - 600'000;
        {
            HistoryOptions options;
            options.directory = dir.path();
            HistoryStore store(options);
            ProbeResults earlier;
            for (const QString& name : { u"api"_s, u"retired"_s }) {
                for (int i = 0; i < kStored; ++i) {
                    ProbeResult r;
                    r.endpoint = name;
                    r.url = sim.url(u"/healthy"_s).toString();
                    r.startUtc = QDateTime::fromMSecsSinceEpoch(startMs + qint64 { i } * 1000, QTimeZone::utc());
                    r.latencyUs = 4000 + i;
                    r.httpStatus = 200;
                    r.outcome = Outcome::Ok;
                    r.attempts = 1;
                    earlier.append(r);
                }
            }
            store.append(earlier);
            QVERIFY2(store.flushNow(), qPrintable(store.lastError()));
        }

        HistoryConnection::setOpenObserver([this](const QString& path, HistoryConnection::Mode) {
            const QMutexLocker lock(&m_mutex);
            if (QThread::currentThread() == qApp->thread())
                m_guiOpens << path;
            else
                ++m_otherOpens;
        });
        const auto noObserver = qScopeGuard([] { HistoryConnection::setOpenObserver({}); });

        AppConfig config;
        EndpointConfig api;
        api.id = u"api"_s;
        api.name = u"api"_s;
        api.url = sim.url(u"/healthy"_s);
        api.interval = std::chrono::seconds(30);
        config.endpoints = { api };
        InMemoryCredentialStore credentials;
        DashboardOptions options;
        options.config = config;
        options.sourceLabel = u"test"_s;
        options.dataDir = dir.path();
        options.credentialStore = &credentials;
        options.auditPath = dir.filePath(u"audit.jsonl"_s);
        DashboardSession session(options);
        MainWindow& window = session.window();
        window.show();

        // The table starts from the stored samples.
        EndpointTableModel* model = window.endpointModel();
        const int row = model->rowOfKey(u"api"_s);
        QVERIFY(row >= 0);
        const auto sparkline = [&] {
            return model->index(row, EndpointTableModel::Trend)
                .data(EndpointTableModel::SparklineRole)
                .value<QList<double>>();
        };
        QTRY_VERIFY_WITH_TIMEOUT(sparkline().size() >= kStored, 10'000);

        // The export lists every endpoint with stored history, the removed one included.
        window.action(u"exportCsv"_s)->trigger();
        ExportDialog* dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = window.findChild<ExportDialog*>()) && dialog->isVisible(), 10'000);
        QVERIFY2(dialog->checkedEndpoints().contains(u"retired"_s), qPrintable(dialog->checkedEndpoints().join(u", ")));
        QVERIFY(dialog->checkedEndpoints().contains(u"api"_s));
        dialog->close();

        const QMutexLocker lock(&m_mutex);
        QVERIFY2(m_guiOpens.isEmpty(),
            qPrintable(u"the GUI thread opened the history database %1 time(s): %2"_s.arg(m_guiOpens.size())
                           .arg(m_guiOpens.join(u", "))));
        QVERIFY2(m_otherOpens > 0, "the history was read somewhere: the observer saw no connection at all");
    }
};

QTEST_MAIN(TestGuiThreadReads)
#include "tst_guithreadreads.moc"
