// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "history/HistoryTypes.h"
#include "history/ProbeAggregate.h"
#include "history/TimeRange.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <QThread>

namespace sd {

class HistoryQuery;

/// Chart and figure queries against the history database, answered by a thread of its own so that a slow
/// disk or a 90-day range never stalls the window. Requests are coalesced: while one query runs, only the
/// newest request of each kind waits, older ones are dropped (a user clicking through endpoints only
/// needs the last one). Results come back as value types with the request's serial number.
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

    explicit HistoryReader(const QString& databasePath, QObject* parent = nullptr);
    ~HistoryReader() override;

    QString databasePath() const { return m_path; }
    void requestChart(const ChartRequest& request);
    /// Per-endpoint counts, uptime and percentiles over the range for the table; the uptime of an endpoint
    /// named in `uptimeExcluded` leaves those spans out (FiguresAnswer::uptimeByEndpoint).
    void requestFigures(
        const QStringList& endpoints, qint64 fromMs, qint64 toMs, const QHash<QString, TimeSpans>& uptimeExcluded = {});
    /// After the store set a damaged file aside: reopen on the next query.
    void reopen();

signals:
    void chartReady(const sd::HistoryReader::ChartAnswer& answer);
    void figuresReady(const sd::HistoryReader::FiguresAnswer& answer);

private:
    QString m_path;
    QThread m_thread;
    QObject* m_worker = nullptr;
};

} // namespace sd

Q_DECLARE_METATYPE(sd::HistoryReader::ChartAnswer)
Q_DECLARE_METATYPE(sd::HistoryReader::FiguresAnswer)
