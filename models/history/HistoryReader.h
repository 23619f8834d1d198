// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ProbeResult.h"
#include "history/HistoryTypes.h"
#include "history/ProbeAggregate.h"
#include "history/TimeRange.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <QThread>

namespace sd {

class HistoryQuery;

/// Every read of the history database the window makes, answered by a thread of its own so that a slow
/// disk or a 90-day range never stalls the window: the GUI thread never opens a connection. Chart and figure
/// requests are coalesced: while one query runs, only the newest request of each kind waits, older ones are
/// dropped (a user clicking through endpoints only needs the last one). The one-off requests (the endpoints
/// with history, the last samples per endpoint) are each answered, with the id requestX() returned.
/// Results come back as value types.
class HistoryReader : public QObject {
    Q_OBJECT
public:
    struct ChartRequest {
        QString endpoint;
        qint64 fromMs = 0;
        qint64 toMs = 0;
        int maxBuckets = 800;
        /// Spans left out of the uptime (maintenance windows with `excludeFromUptime`); see uptimeStats.
        TimeSpans uptimeExcluded;
    };
    struct ChartAnswer {
        ChartRequest request;
        ChartSeries series;
        ProbeAggregate stats;
        /// The probes the uptime is computed over: `stats` without the request's uptimeExcluded spans.
        ProbeAggregate uptimeStats;
        QString error;
    };
    struct FiguresAnswer {
        qint64 fromMs = 0;
        qint64 toMs = 0;
        QHash<QString, ProbeAggregate> byEndpoint;
        /// For the endpoints that had spans left out of their uptime: the probes outside them.
        QHash<QString, ProbeAggregate> uptimeByEndpoint;
        QString error;
    };
    struct EndpointsAnswer {
        quint64 requestId = 0;
        QStringList endpoints; ///< every endpoint with stored history, sorted
        QString error;
    };
    struct LastSamplesAnswer {
        quint64 requestId = 0;
        QHash<QString, ProbeResults> byEndpoint; ///< endpoint name → its last samples, oldest first
        QString error;
    };

    explicit HistoryReader(const QString& databasePath, QObject* parent = nullptr);
    ~HistoryReader() override;

    QString databasePath() const { return m_path; }
    void requestChart(const ChartRequest& request);
    /// Per-endpoint counts, uptime and percentiles over the range for the table; the uptime of an endpoint
    /// named in `uptimeExcluded` leaves those spans out (FiguresAnswer::uptimeByEndpoint).
    void requestFigures(
        const QStringList& endpoints, qint64 fromMs, qint64 toMs, const QHash<QString, TimeSpans>& uptimeExcluded = {});
    /// The names of every endpoint with stored history (the export dialog's list); answered at once (empty,
    /// with the reason) when there is no readable history yet. Returns the id endpointsReady() carries.
    quint64 requestEndpoints();
    /// The last `count` samples of every endpoint (the table's sparklines after a restart); waits for the
    /// writer's schema like the charts do. Returns the id lastSamplesReady() carries.
    quint64 requestLastSamples(int count);
    /// After the store set a damaged file aside: reopen on the next query.
    void reopen();

signals:
    void chartReady(const sd::HistoryReader::ChartAnswer& answer);
    void figuresReady(const sd::HistoryReader::FiguresAnswer& answer);
    void endpointsReady(const sd::HistoryReader::EndpointsAnswer& answer);
    void lastSamplesReady(const sd::HistoryReader::LastSamplesAnswer& answer);

private:
    QString m_path;
    QThread m_thread;
    QObject* m_worker = nullptr;
    quint64 m_serial = 0;
};

} // namespace sd

Q_DECLARE_METATYPE(sd::HistoryReader::ChartAnswer)
Q_DECLARE_METATYPE(sd::HistoryReader::FiguresAnswer)
Q_DECLARE_METATYPE(sd::HistoryReader::EndpointsAnswer)
Q_DECLARE_METATYPE(sd::HistoryReader::LastSamplesAnswer)
