// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Issue 13's check, shared by the window's test (tst_incrementalconfig) and the controller's (tst_controller):
// after a change to one endpoint, every other endpoint keeps its states, circuit, probe count and event log.
// Header only; the consumer links sd_core, sd_schedule and sd_simulator.
#include "core/EndpointConfig.h"
#include "schedule/EngineTypes.h"
#include "simulator/Simulator.h"

#include <QHash>
#include <QString>
#include <QUrl>

#include <array>
#include <chrono>
#include <functional>

namespace sd::test {

/// What a config change must leave alone on an endpoint it did not change.
struct Seen {
    std::array<SignalState, kSignalCount> states {};
    SignalState overall = SignalState::Unknown;
    CircuitState circuit = CircuitState::Closed;
    qint64 probes = 0;
    qsizetype configEvents = 0; ///< config lines in the event log for this endpoint

    static Seen of(const EndpointStatus& s, qsizetype configEvents)
    {
        return Seen { s.states, s.overall, s.circuit, s.probes, configEvents };
    }
};

/// Why `now` is not what a change to another endpoint may leave after `before`; empty when untouched (a
/// restart would put it back to unknown, closed and 0 probes). These endpoints answer the same way every
/// time, so their states do not move by themselves.
inline QString whatChanged(const Seen& before, const Seen& now)
{
    if (now.probes < before.probes)
        return QStringLiteral("probe count went back from %1 to %2").arg(before.probes).arg(now.probes);
    if (now.overall == SignalState::Unknown)
        return QStringLiteral("back to unknown");
    if (now.states != before.states)
        return QStringLiteral("signal states changed");
    if (now.circuit != before.circuit)
        return QStringLiteral("circuit changed");
    if (now.configEvents != before.configEvents)
        return QStringLiteral("a config event for it");
    return {};
}

/// An endpoint probed every second with a fixed 1 s timeout, named "<id>-endpoint".
inline EndpointConfig quickEndpoint(const QString& id, const QUrl& url)
{
    using namespace std::chrono_literals;
    EndpointConfig e;
    e.id = id;
    e.name = id + QStringLiteral("-endpoint");
    e.url = url;
    e.adaptiveTimeout = false;
    e.timeout = 1s;
    e.interval = 1s;
    return e;
}

/// The four endpoints both tests watch on the simulator: "ok" (healthy), "down" (connection reset: S1, circuit
/// opens), "auth" (S2) and "tok" (needs the credential `credentialId`).
inline QList<EndpointConfig> watchedEndpoints(const Simulator& sim, const QString& credentialId)
{
    QList<EndpointConfig> endpoints { quickEndpoint(QStringLiteral("ok"), sim.url(QStringLiteral("/healthy"))),
        quickEndpoint(QStringLiteral("down"), sim.rawBaseUrl().resolved(QUrl(QStringLiteral("/reset")))),
        quickEndpoint(QStringLiteral("auth"), sim.url(QStringLiteral("/auth/invalid"))),
        quickEndpoint(QStringLiteral("tok"), sim.url(QStringLiteral("/auth/bearer"))) };
    endpoints[3].credential = credentialId;
    return endpoints;
}

/// The four have settled: "down" S1 Critical with its circuit open, "auth" S2 Critical, "ok" and "tok" OK.
inline bool watchedSettled(const std::function<Seen(const QString&)>& seen)
{
    const Seen down = seen(QStringLiteral("down"));
    return down.circuit == CircuitState::Open && down.states[0] == SignalState::Critical
        && seen(QStringLiteral("auth")).states[1] == SignalState::Critical
        && seen(QStringLiteral("ok")).overall == SignalState::Ok
        && seen(QStringLiteral("tok")).overall == SignalState::Ok;
}

} // namespace sd::test
