// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/HistoryReader.h"

#include "history/HistoryQuery.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QMutexLocker>
#include <QTimer>

#include <memory>
#include <optional>

namespace sd {

namespace {

// A reader started before the writer has created the schema (the window opens the reader and the store
// at the same time) asks again this often, for at most this long, before it reports the missing schema.
constexpr int kSchemaRetryMs = 100;
constexpr qint64 kSchemaWaitMs = 30'000;

/// Lives in the reader thread; owns the HistoryQuery (Qt Sql connections belong to one thread).
class HistoryReaderWorker : public QObject {
public:
    HistoryReaderWorker(QString path, HistoryReader* front)
        : m_path(std::move(path))
        , m_front(front)
    {
    }

    void postChart(const HistoryReader::ChartRequest& request)
    {
        {
            const QMutexLocker lock(&m_mutex);
            const bool scheduled = m_chart.has_value();
            m_chart = request;
            if (scheduled)
                return;
        }
        QMetaObject::invokeMethod(
            this, [this] { runChart(); }, Qt::QueuedConnection);
    }

    void postFigures(
        const QStringList& endpoints, qint64 fromMs, qint64 toMs, const QHash<QString, TimeSpans>& excluded)
    {
        {
            const QMutexLocker lock(&m_mutex);
            const bool scheduled = m_figures.has_value();
            m_figures = FiguresRequest { endpoints, fromMs, toMs, excluded };
            if (scheduled)
                return;
        }
        QMetaObject::invokeMethod(
            this, [this] { runFigures(); }, Qt::QueuedConnection);
    }

    void postEndpoints(quint64 id)
    {
        QMetaObject::invokeMethod(
            this, [this, id] { runEndpoints(id); }, Qt::QueuedConnection);
    }

    void postLastSamples(quint64 id, int count)
    {
        QMetaObject::invokeMethod(
            this, [this, id, count] { runLastSamples(id, count); }, Qt::QueuedConnection);
    }

    void reopen()
    {
        QMetaObject::invokeMethod(
            this, [this] { m_query.reset(); }, Qt::QueuedConnection);
    }

    void shutDown() { m_query.reset(); }

private:
    struct FiguresRequest {
        QStringList endpoints;
        qint64 fromMs = 0;
        qint64 toMs = 0;
        QHash<QString, TimeSpans> uptimeExcluded;
    };

    HistoryQuery& query()
    {
        if (!m_query)
            m_query = std::make_unique<HistoryQuery>(m_path);
        return *m_query;
    }

    /// False while the database has no schema yet: `rerun` is then called again shortly, and the request
    /// it would answer stays pending (a newer one still replaces it).
    bool schemaReady(void (HistoryReaderWorker::*rerun)())
    {
        HistoryQuery& q = query();
        if (q.isOpen() || q.open() || !q.awaitingSchema()) {
            m_schemaWait.invalidate();
            return true;
        }
        if (!m_schemaWait.isValid())
            m_schemaWait.start();
        if (m_schemaWait.elapsed() >= kSchemaWaitMs)
            return true; // the writer never came: the answer reports why
        QTimer::singleShot(kSchemaRetryMs, this, [this, rerun] { (this->*rerun)(); });
        return false;
    }

    void runChart()
    {
        if (!schemaReady(&HistoryReaderWorker::runChart))
            return;
        HistoryReader::ChartRequest request;
        {
            const QMutexLocker lock(&m_mutex);
            if (!m_chart)
                return;
            request = *m_chart;
            m_chart.reset();
        }
        HistoryReader::ChartAnswer answer;
        answer.request = request;
        HistoryQuery& q = query();
        answer.series = q.chart(request.endpoint, request.fromMs, request.toMs, request.maxBuckets);
        answer.stats = q.stats(request.endpoint, request.fromMs, request.toMs);
        answer.uptimeStats = request.uptimeExcluded.isEmpty()
            ? answer.stats
            : q.statsOutside(request.endpoint, request.fromMs, request.toMs, request.uptimeExcluded);
        answer.error = q.lastError();
        emit m_front->chartReady(answer);
    }

    void runFigures()
    {
        if (!schemaReady(&HistoryReaderWorker::runFigures))
            return;
        FiguresRequest request;
        {
            const QMutexLocker lock(&m_mutex);
            if (!m_figures)
                return;
            request = *m_figures;
            m_figures.reset();
        }
        HistoryReader::FiguresAnswer answer;
        answer.fromMs = request.fromMs;
        answer.toMs = request.toMs;
        HistoryQuery& q = query();
        for (const QString& name : std::as_const(request.endpoints)) {
            answer.byEndpoint.insert(name, q.stats(name, request.fromMs, request.toMs));
            if (const auto excluded = request.uptimeExcluded.constFind(name);
                excluded != request.uptimeExcluded.cend() && !excluded->isEmpty())
                answer.uptimeByEndpoint.insert(name, q.statsOutside(name, request.fromMs, request.toMs, *excluded));
            // A newer request makes the rest of this one pointless.
            const QMutexLocker lock(&m_mutex);
            if (m_figures)
                return;
        }
        answer.error = q.lastError();
        emit m_front->figuresReady(answer);
    }

    void runEndpoints(quint64 id)
    {
        HistoryReader::EndpointsAnswer answer;
        answer.requestId = id;
        HistoryQuery& q = query();
        // No waiting for the writer here: an operator asked, and no history yet is an answer.
        if (q.isOpen() || q.open())
            answer.endpoints = q.endpoints();
        answer.error = q.lastError();
        emit m_front->endpointsReady(answer);
    }

    void runLastSamples(quint64 id, int count)
    {
        // Queued again while the writer creates (or migrates) the schema, like the charts.
        HistoryQuery& q = query();
        if (!q.isOpen() && !q.open() && q.awaitingSchema()) {
            if (!m_schemaWait.isValid())
                m_schemaWait.start();
            if (m_schemaWait.elapsed() < kSchemaWaitMs) {
                QTimer::singleShot(kSchemaRetryMs, this, [this, id, count] { runLastSamples(id, count); });
                return;
            }
        }
        m_schemaWait.invalidate();
        HistoryReader::LastSamplesAnswer answer;
        answer.requestId = id;
        answer.byEndpoint = q.lastSamplesPerEndpoint(count);
        answer.error = q.lastError();
        emit m_front->lastSamplesReady(answer);
    }

    QString m_path;
    HistoryReader* m_front;
    std::unique_ptr<HistoryQuery> m_query;
    QElapsedTimer m_schemaWait; ///< since when the reader waits for the writer's schema
    QMutex m_mutex;
    std::optional<HistoryReader::ChartRequest> m_chart;
    std::optional<FiguresRequest> m_figures;
};

HistoryReaderWorker* workerOf(QObject* o)
{
    return static_cast<HistoryReaderWorker*>(o);
}

} // namespace

HistoryReader::HistoryReader(const QString& databasePath, QObject* parent)
    : QObject(parent)
    , m_path(databasePath)
{
    qRegisterMetaType<ChartAnswer>();
    qRegisterMetaType<FiguresAnswer>();
    qRegisterMetaType<EndpointsAnswer>();
    qRegisterMetaType<LastSamplesAnswer>();
    m_thread.setObjectName(QStringLiteral("history-reader"));
    auto* worker = new HistoryReaderWorker(databasePath, this);
    worker->moveToThread(&m_thread);
    m_worker = worker;
    m_thread.start();
}

HistoryReader::~HistoryReader()
{
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker] { workerOf(w)->shutDown(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_worker;
}

void HistoryReader::requestChart(const ChartRequest& request)
{
    workerOf(m_worker)->postChart(request);
}

void HistoryReader::requestFigures(
    const QStringList& endpoints, qint64 fromMs, qint64 toMs, const QHash<QString, TimeSpans>& uptimeExcluded)
{
    workerOf(m_worker)->postFigures(endpoints, fromMs, toMs, uptimeExcluded);
}

quint64 HistoryReader::requestEndpoints()
{
    const quint64 id = ++m_serial;
    workerOf(m_worker)->postEndpoints(id);
    return id;
}

quint64 HistoryReader::requestLastSamples(int count)
{
    const quint64 id = ++m_serial;
    workerOf(m_worker)->postLastSamples(id, count);
    return id;
}

void HistoryReader::reopen()
{
    workerOf(m_worker)->reopen();
}

} // namespace sd
