// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Tiny builders for hand-made engine batches, so the model tests need no network and no engine.

#include "core/EndpointConfig.h"
#include "core/ProbeResult.h"
#include "schedule/EngineTypes.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace sd::fixtures {

inline const QDateTime kT0(QDate(2024, 5, 1), QTime(12, 0, 0), Qt::UTC);

inline QString endpointName(int id)
{
    return QStringLiteral("ep-%1").arg(id, 4, 10, QLatin1Char('0'));
}

inline EndpointConfig endpoint(const QString& name, const QString& url, const QStringList& tags = {})
{
    EndpointConfig e;
    e.name = name;
    e.url = QUrl(url);
    e.tags = tags;
    return e;
}

/// `count` endpoints "ep-0000", "ep-0001", … on loopback.
inline QList<EndpointConfig> endpoints(int count)
{
    QList<EndpointConfig> out;
    for (int i = 0; i < count; ++i)
        out.append(endpoint(endpointName(i), QStringLiteral("http://127.0.0.1:%1/health").arg(8000 + i)));
    return out;
}

inline ProbeResult result(int id, double latencyMs, Outcome outcome = Outcome::Ok, int httpStatus = 200,
    const QDateTime& start = kT0, const QString& reason = {})
{
    ProbeResult r;
    r.endpointId = id;
    r.endpoint = endpointName(id);
    r.startUtc = start;
    r.latencyUs = static_cast<qint64>(latencyMs * 1000.0);
    r.outcome = outcome;
    r.signal = defaultSignalFor(outcome);
    r.httpStatus = httpStatus;
    r.reason = reason.isEmpty() ? QStringLiteral("HTTP %1").arg(httpStatus) : reason;
    return r;
}

inline SignalState stateFromChar(QChar c)
{
    switch (c.unicode()) {
    case 'o':
        return SignalState::Ok;
    case 'w':
        return SignalState::Warning;
    case 'c':
        return SignalState::Critical;
    default:
        return SignalState::Unknown;
    }
}

/// A status whose S1..S4 states are spelled as 4 characters: o = OK, w = Warning, c = Critical,
/// - = Unknown ("cw-o": S1 Critical, S2 Warning, S3 Unknown, S4 OK). Non-OK signals get the reason
/// "<S> <state> on <name>" unless `reasons` says otherwise.
inline EndpointStatus status(int id, QStringView states, const QStringList& reasons = {})
{
    EndpointStatus s;
    s.id = id;
    s.name = endpointName(id);
    for (int i = 0; i < kSignalCount && i < states.size(); ++i) {
        const auto si = static_cast<std::size_t>(i);
        s.states[si] = stateFromChar(states[i]);
        s.overall = worse(s.overall, s.states[si]);
        if (i < reasons.size())
            s.reasons[si] = reasons[i];
        else if (s.states[si] >= SignalState::Warning)
            s.reasons[si]
                = QStringLiteral("%1 %2 on %3").arg(signalCode(kAllSignals[si]), stateCode(s.states[si]), s.name);
    }
    return s;
}

inline EngineEvent event(int id, FailureSignal signal, const QString& from, const QString& to, SignalState toState,
    const QDateTime& time, const QString& reason = {})
{
    EngineEvent e;
    e.kind = EngineEvent::Kind::Signal;
    e.time = time;
    e.endpointId = id;
    e.endpoint = endpointName(id);
    e.signal = signal;
    e.from = from;
    e.to = to;
    e.toState = toState;
    e.reason = reason;
    return e;
}

} // namespace sd::fixtures
