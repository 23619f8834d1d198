// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/BlackboxFleet.h"
#include "sources/FleetTypes.h"
#include "sources/PromBatch.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QObject>

#include <memory>

class QTimer;

namespace sd {

/// One entry of the config's `sources`: queries Prometheus's HTTP API (/api/v1/query) every `interval`,
/// asynchronously on the thread it lives in, and publishes a SourceSnapshot after each poll. The answers are
/// parsed and turned into endpoints on a pool thread (an answer for 1,000 endpoints x 3 locations is about
/// 8 MB of JSON: 0.2 s of CPU that the window's thread does not pay). A poll has one
/// deadline (`timeout`) for all its queries together, answers are cut at kMaxPromReplyBytes, and a poll
/// never overlaps the previous one. A source that does not answer is Down (its endpoints are kept but
/// marked stale, never turned into failing endpoints); one that answers with an error or with something
/// that is not a query result is Failed, with the reason.
class FleetSource : public QObject {
    Q_OBJECT
public:
    explicit FleetSource(SourceConfig config, QObject* parent = nullptr);
    ~FleetSource() override;

    /// Polls now, then every interval.
    void start();
    void stop();
    /// Starts a poll unless one is in flight.
    void pollNow();

    const SourceConfig& config() const { return m_config; }
    const SourceSnapshot& snapshot() const { return m_snapshot; }
    bool polling() const { return m_batch->busy() || m_parsing; }

signals:
    void updated(const sd::SourceSnapshot& snapshot);

private:
    void onDeadline();
    void finishPoll(const QList<PromBatch::Answer>& answers);
    struct Parsed {
        QString error; ///< the first answer's error (then Failed)
        QList<RemoteEndpoint> endpoints;
    };
    void applyParsed(const Parsed& parsed);
    void fail(SourceState state, const QString& error);

    SourceConfig m_config;
    PromBatch* m_batch;
    QTimer* m_interval;
    QElapsedTimer m_pollClock;
    SourceSnapshot m_snapshot;
    std::shared_ptr<BlackboxFleet> m_blackbox; ///< shared with the parsing job, which may outlive this
    QFutureWatcher<Parsed>* m_parse;
    bool m_parsing = false;
};

} // namespace sd
