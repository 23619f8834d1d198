// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/FailureSignal.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <array>

namespace sd {

/// What one remote prober (a location) last reported about one endpoint, read from Prometheus.
struct RemoteEndpoint {
    QString endpoint; ///< the endpoint's name (`endpoint` label), or a blackbox target
    QString location; ///< where it was probed from (`location` label)
    QString url;
    SignalState overall = SignalState::Unknown;
    std::array<SignalState, kSignalCount> states {};
    std::array<QString, kSignalCount> reasons; ///< blackbox only: why (signaldeck probers do not export reasons)
    int httpStatus = -1; ///< -1 unknown, 0 no HTTP answer
    double latencyMs = -1; ///< -1 unknown
    int circuit = -1; ///< -1 unknown, 0 closed, 1 half-open, 2 open
    bool paused = false;
    QString outcome; ///< the last probe's outcome code ("ok", "auth", …), empty when unknown
    QDateTime lastProbeUtc; ///< invalid when unknown
    bool operator==(const RemoteEndpoint&) const = default;
};

/// The state of one source itself: never to be confused with the states of the endpoints it reports.
enum class SourceState : quint8 {
    Connecting, ///< no query has finished yet
    Up, ///< the latest query answered
    Down, ///< the latest query got no answer (refused, unreachable, timed out): endpoints shown are stale
    Failed, ///< Prometheus answered, but with an error or something that is not a query result
};

/// "connecting", "up", "down", "error".
QString sourceStateCode(SourceState state);

/// One refresh of one source, as the window shows it.
struct SourceSnapshot {
    QString name; ///< the source's name (config `name`, else host:port)
    SourceConfig::Kind kind = SourceConfig::Kind::Prometheus;
    SourceState state = SourceState::Connecting;
    QString error; ///< why Down / Failed (names the URL, never a secret)
    QDateTime lastSuccessUtc; ///< the last query that answered; invalid when none did
    QDateTime lastAttemptUtc;
    qint64 lastQueryMs = -1; ///< how long the last answered query took
    /// The endpoints as of lastSuccessUtc (kept while Down / Failed, then stale).
    QList<RemoteEndpoint> endpoints;
    bool stale() const { return state != SourceState::Up; }
};

/// A remote endpoint the operator chose in the window's fleet panel: what the detail pane charts.
struct RemoteSelection {
    SourceConfig source;
    QString sourceName;
    QString endpoint;
    QString url;
    QStringList locations; ///< the locations chosen, sorted (the row's every location when the row was chosen)
    QStringList cellLines; ///< "loc-a: OK · 1.2 ms", one per location chosen, as the fleet table shows them
    bool operator==(const RemoteSelection&) const = default;
};

/// The source's name: config `name`, else the URL's host:port.
QString sourceDisplayName(const SourceConfig& source);

} // namespace sd
