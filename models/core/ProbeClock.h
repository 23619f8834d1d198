// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/MonotonicTime.h"

#include <QDateTime>
#include <QObject>

#include <chrono>
#include <memory>

namespace sd {

/// A timer that counts its ProbeClock's time. It fires (timeout()) in the thread it lives in, like a QTimer.
class ClockTimer : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    /// (Re)starts it: timeout() after `interval` of the clock's time, then every `interval` unless single-shot.
    virtual void start(std::chrono::milliseconds interval) = 0;
    virtual void stop() = 0;
    virtual bool isActive() const = 0;

signals:
    void timeout();
};

/// Time as an input (issue 13.5): everything ProbeScheduler plans with (the monotonic now, the UTC of its
/// events, its due-time and flush timers), and everything an OAuth2TokenSource plans with (token expiry,
/// refresh and retry timers), comes from one of these. It sits in the core layer so that both the engine
/// (models/schedule) and the credentials (models/credentials) take it without depending on each other; the
/// wiring hands a token source its engine's clock (Engine::clock()), so that both share one time. The
/// application runs on systemClock(); the tests run on a simulated clock (tests/support/SimulatedClock.h)
/// that jumps from one due timer to the next, so a minute of probing takes a fraction of a second. The
/// network is never simulated: requests go out to real servers and their deadlines are real time.
///
/// Thread-safe: the engine thread reads it while a test thread advances a simulated one.
class ProbeClock {
public:
    ProbeClock() = default;
    ProbeClock(const ProbeClock&) = delete;
    ProbeClock& operator=(const ProbeClock&) = delete;
    virtual ~ProbeClock();

    virtual MonotonicTime now() const = 0;
    /// The wall-clock time for events, state changes and advisories.
    virtual QDateTime utcNow() const = 0;
    /// A new timer owned by `parent` (it lives and fires in `parent`'s thread).
    virtual ClockTimer* createTimer(bool singleShot, QObject* parent) = 0;
    /// The engine handed one attempt to the network (a token source: a token request, a keychain job), and
    /// got its answer (or dropped it). A simulated clock does not move on while one is out: time stands still
    /// until the replies of what became due are in. The system clock ignores both.
    virtual void networkStarted() { }
    virtual void networkFinished() { }
};

/// std::chrono::steady_clock, QDateTime::currentDateTimeUtc() and precise QTimers.
std::shared_ptr<ProbeClock> systemClock();

} // namespace sd
