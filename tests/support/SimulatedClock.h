// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ProbeClock.h"

#include <QString>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

class QEventLoop;
class QThread;

namespace sd::test {

/// A ProbeClock for tests (issue 13.5): time moves only when the test says so, and then jumps from one due
/// timer to the next, so a minute of probing takes a fraction of a second and no test waits for an interval
/// to pass. The network stays real: after each timer it fires, the clock waits (event-driven, running the
/// test thread's event loop so that servers living there can answer) until the engine has handled it and
/// every attempt it sent has come back; simulated time stands still meanwhile. Every wait is bounded in real
/// time (setRealTimeLimit), so a hang fails the test with errorString() instead of stalling it. What is
/// bounded is a stall, not the work: a call fails when nothing has happened for the limit (no attempt sent
/// or answered, no timer callback run: an attempt lost, a hang), while a long advance that keeps moving is
/// not cut short. A simulated minute of 600 probes takes a third of a second on a quiet machine but has taken
/// over 15 s under strace at ctest -j6 on 2 cores, and a bound on the whole call failed it there.
///
/// Create it in the test thread, pass it in EngineOptions::clock, and drive it from that thread only.
class SimulatedClock final : public ProbeClock {
public:
    SimulatedClock();
    ~SimulatedClock() override;

    MonotonicTime now() const override;
    QDateTime utcNow() const override;
    ClockTimer* createTimer(bool singleShot, QObject* parent) override;
    void networkStarted() override;
    void networkFinished() override;

    /// Simulated time since construction.
    std::chrono::milliseconds elapsed() const;

    /// Waits, without moving time, until the engine has run what was asked of it and nothing is out on the
    /// network (a probe started by probeNow(), a config applied).
    bool settle();
    /// Moves time forward by `span`, firing every timer that falls due on the way at its own time, each after
    /// the replies of the probes the one before started are in. False when a real-time limit ran out.
    bool advance(std::chrono::milliseconds span);
    /// The same, but stops as soon as `done()` holds (checked before the first timer and after each one).
    /// False when `limit` of simulated time passed first, or a real-time limit ran out.
    bool advanceUntil(const std::function<bool()>& done, std::chrono::milliseconds limit);

    /// How long, in real time, the engine may do nothing while a call waits for it (an attempt out that
    /// never comes back, a callback never run) before the call fails; 15 s unless set.
    void setRealTimeLimit(std::chrono::milliseconds limit) { m_realLimit = limit; }
    /// The bound of one call as a whole (advance(), advanceUntil(), settle()) in real time, so that an engine
    /// that keeps busy without ever getting idle (a livelock) fails too; 8 times the real-time limit unless set.
    void setCallLimit(std::chrono::milliseconds limit) { m_callLimit = limit; }
    /// Why the last call returned false.
    QString errorString() const { return m_error; }

private:
    class Timer;
    enum class Step { Fired, NoneDue, TimedOut };

    /// Starts one call: clears the error and the counters, and returns the call's real-time deadline.
    std::chrono::steady_clock::time_point beginCall();
    /// errorString() of a call that ran out of its whole bound; with the mutex held.
    QString busyError() const;
    Step step(MonotonicTime target, std::chrono::steady_clock::time_point realDeadline);
    /// Runs a no-op through every thread that owns a timer, after whatever was queued there before (an
    /// Engine::start(), say), and waits until the engine is idle.
    bool barrier(std::chrono::steady_clock::time_point realDeadline);
    bool waitIdle(std::chrono::steady_clock::time_point realDeadline);
    void post(Timer* timer, quint64 generation, bool fire);
    bool idleLocked() const { return m_pending == 0 && m_network == 0; }
    void notifyLocked();
    /// Something happened (an attempt sent or answered, a callback run): the stall bound counts from now.
    void progressLocked();

    mutable std::mutex m_mutex;
    MonotonicTime m_start;
    MonotonicTime m_now;
    QDateTime m_startUtc;
    std::vector<Timer*> m_timers;
    quint64 m_startSerial = 0; ///< orders timers due at the same time by when they were started
    int m_network = 0; ///< attempts out on the network
    int m_pending = 0; ///< callbacks posted to timer threads that have not run yet
    QEventLoop* m_waiter = nullptr; ///< the test thread's loop in waitIdle(), quit when idle
    std::chrono::milliseconds m_realLimit { 15'000 };
    std::optional<std::chrono::milliseconds> m_callLimit;
    std::chrono::milliseconds callLimit() const { return m_callLimit.value_or(m_realLimit * 8); }
    std::chrono::steady_clock::time_point m_lastProgress; ///< real time of the engine's latest step
    int m_fired = 0; ///< timers fired in the current call (for errorString())
    QString m_error;
};

} // namespace sd::test
