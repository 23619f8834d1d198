// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <memory>
#include <utility>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace sd {

/// `base` (a Prometheus HTTP API's base URL, any path prefix kept) + `path` ("api/v1/query") with the query
/// parameters `query`, each value percent-encoded.
QUrl promApiUrl(const QUrl& base, const QString& path, const QList<std::pair<QString, QString>>& query);

/// A few GETs to one Prometheus sent together, under one deadline for all of them, each answer cut at
/// kMaxPromReplyBytes: what a FleetSource poll and a FleetRangeReader read share. Asynchronous on the thread
/// it lives in; one batch at a time. Destroying or aborting it is quiet (no signal).
class PromBatch : public QObject {
    Q_OBJECT
public:
    struct Answer {
        QByteArray body;
        int httpStatus = 0;
        QString networkError; ///< set when no (whole) HTTP answer came: refused, reset, larger than the cap
    };

    explicit PromBatch(QObject* parent = nullptr);
    ~PromBatch() override;

    /// Sends one GET per URL; `finished` when every one has ended, `timedOut` when `deadline` passes first.
    /// Ignored (returns false) while a batch is in flight.
    bool start(const QList<QUrl>& urls, Millis deadline);
    /// Drops the batch in flight, quietly.
    void abort();
    bool busy() const { return !m_pending.isEmpty(); }

signals:
    void finished(const QList<sd::PromBatch::Answer>& answers);
    void timedOut();

private:
    struct Pending {
        QPointer<QNetworkReply> reply;
        Answer answer;
        bool done = false;
    };
    void onReadyRead(Pending& pending);
    void onFinished(Pending& pending);
    void onDeadline();

    QNetworkAccessManager* m_network;
    QTimer* m_deadline;
    QList<std::shared_ptr<Pending>> m_pending;
};

} // namespace sd
