// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/SimulatedClock.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QThread>
#include <QTimer>

#include <algorithm>

namespace sd::test {

using namespace std::chrono;
using RealClock = steady_clock;

class SimulatedClock::Timer final : public ClockTimer {
public:
    Timer(SimulatedClock& clock, bool singleShot, QObject* parent)
        : ClockTimer(parent)
        , m_clock(clock)
        , singleShot(singleShot)
    {
    }
    ~Timer() override
    {
        const std::lock_guard lock(m_clock.m_mutex);
        std::erase(m_clock.m_timers, this);
        // Callbacks posted to this timer die with it: they will never say they ran.
        m_clock.m_pending -= pendingPosts;
        m_clock.notifyLocked();
    }
    void start(milliseconds interval) override
    {
        const std::lock_guard lock(m_clock.m_mutex);
        active = true;
        this->interval = std::max(interval, milliseconds(0));
        deadline = m_clock.m_now + this->interval;
        ++generation;
        startSerial = ++m_clock.m_startSerial;
    }
    void stop() override
    {
        const std::lock_guard lock(m_clock.m_mutex);
        active = false;
        ++generation;
    }
    bool isActive() const override
    {
        const std::lock_guard lock(m_clock.m_mutex);
        return active;
    }
    void fire() { emit timeout(); }

    // Guarded by the clock's mutex.
    SimulatedClock& m_clock;
    const bool singleShot;
    bool active = false;
    milliseconds interval { 0 };
    MonotonicTime deadline;
    quint64 generation = 0; ///< bumped by start() and stop(): a fire posted before is void
    quint64 startSerial = 0;
    int pendingPosts = 0;
};

SimulatedClock::SimulatedClock()
    : m_start(RealClock::now())
    , m_now(m_start)
    , m_startUtc(QDateTime::currentDateTimeUtc())
    , m_lastProgress(m_start)
{
}

SimulatedClock::~SimulatedClock() = default;

MonotonicTime SimulatedClock::now() const
{
    const std::lock_guard lock(m_mutex);
    return m_now;
}

QDateTime SimulatedClock::utcNow() const
{
    const std::lock_guard lock(m_mutex);
    return m_startUtc.addMSecs(duration_cast<milliseconds>(m_now - m_start).count());
}

milliseconds SimulatedClock::elapsed() const
{
    const std::lock_guard lock(m_mutex);
    return duration_cast<milliseconds>(m_now - m_start);
}

ClockTimer* SimulatedClock::createTimer(bool singleShot, QObject* parent)
{
    auto* timer = new Timer(*this, singleShot, parent);
    const std::lock_guard lock(m_mutex);
    m_timers.push_back(timer);
    return timer;
}

void SimulatedClock::networkStarted()
{
    const std::lock_guard lock(m_mutex);
    ++m_network;
    progressLocked();
}

void SimulatedClock::networkFinished()
{
    const std::lock_guard lock(m_mutex);
    --m_network;
    progressLocked();
    notifyLocked();
}

void SimulatedClock::progressLocked()
{
    m_lastProgress = RealClock::now();
}

void SimulatedClock::notifyLocked()
{
    if (m_waiter && idleLocked())
        QMetaObject::invokeMethod(m_waiter, &QEventLoop::quit, Qt::QueuedConnection);
}

void SimulatedClock::post(Timer* timer, quint64 generation, bool fire)
{
    ++m_pending;
    ++timer->pendingPosts;
    QMetaObject::invokeMethod(
        timer,
        [this, timer, generation, fire] {
            bool run = false;
            {
                const std::lock_guard lock(m_mutex);
                --timer->pendingPosts;
                run = fire && timer->generation == generation;
            }
            if (run)
                timer->fire();
            const std::lock_guard lock(m_mutex);
            --m_pending;
            progressLocked();
            notifyLocked();
        },
        Qt::QueuedConnection);
}

bool SimulatedClock::waitIdle(RealClock::time_point callDeadline)
{
    for (;;) {
        QEventLoop loop;
        RealClock::time_point wakeAt;
        {
            std::unique_lock lock(m_mutex);
            if (idleLocked()) {
                lock.unlock();
                // The engine may have finished before this thread looked, without this thread's event loop
                // running: deliver what it queued here (its batches) before the test looks at them.
                QCoreApplication::sendPostedEvents(nullptr, QEvent::MetaCall);
                // What they set off in this thread (a token source fetching after a 401) is waited for too.
                lock.lock();
                if (idleLocked())
                    return true;
                lock.unlock();
                continue;
            }
            m_waiter = &loop;
            wakeAt = std::min(callDeadline, m_lastProgress + m_realLimit);
        }
        // Woken early when the engine gets idle; otherwise at the stall bound, which moves on whenever the
        // engine did something meanwhile.
        const auto left = duration_cast<milliseconds>(wakeAt - RealClock::now()) + milliseconds(1);
        if (left > milliseconds(0)) {
            QTimer::singleShot(left, &loop, &QEventLoop::quit);
            loop.exec();
        }
        const std::lock_guard lock(m_mutex);
        m_waiter = nullptr;
        if (idleLocked())
            return true;
        const auto now = RealClock::now();
        const qint64 simulatedMs = duration_cast<milliseconds>(m_now - m_start).count();
        if (now >= m_lastProgress + m_realLimit) {
            m_error
                = QStringLiteral("the engine did nothing for %1 ms of real time with %2 attempts out on the network "
                                 "and %3 timer callbacks not run, at %4 ms of simulated time (%5 timers fired "
                                 "in this call): an attempt lost, or a hang")
                      .arg(m_realLimit.count())
                      .arg(m_network)
                      .arg(m_pending)
                      .arg(simulatedMs)
                      .arg(m_fired);
            return false;
        }
        if (now >= callDeadline) {
            m_error = busyError();
            return false;
        }
    }
}

bool SimulatedClock::barrier(RealClock::time_point realDeadline)
{
    {
        const std::lock_guard lock(m_mutex);
        std::vector<QThread*> threads;
        for (Timer* timer : m_timers) {
            QThread* thread = timer->thread();
            if (std::find(threads.cbegin(), threads.cend(), thread) != threads.cend())
                continue;
            threads.push_back(thread);
            post(timer, 0, false);
        }
    }
    return waitIdle(realDeadline);
}

SimulatedClock::Step SimulatedClock::step(MonotonicTime target, RealClock::time_point realDeadline)
{
    if (!barrier(realDeadline))
        return Step::TimedOut;
    {
        const std::lock_guard lock(m_mutex);
        if (RealClock::now() >= realDeadline) {
            // Idle after every timer, but timers keep falling due: bounded like any busy engine.
            m_error = busyError();
            return Step::TimedOut;
        }
        Timer* next = nullptr;
        for (Timer* timer : m_timers) {
            if (!timer->active || timer->deadline > target)
                continue;
            if (!next || timer->deadline < next->deadline
                || (timer->deadline == next->deadline && timer->startSerial < next->startSerial))
                next = timer;
        }
        if (!next) {
            m_now = std::max(m_now, target);
            return Step::NoneDue;
        }
        m_now = std::max(m_now, next->deadline);
        if (next->singleShot) {
            next->active = false;
        } else {
            // A periodic timer is due again one interval later (never at the same instant: no endless loop).
            next->deadline += std::max(next->interval, milliseconds(1));
            next->startSerial = ++m_startSerial;
        }
        post(next, next->generation, true);
        ++m_fired;
    }
    return waitIdle(realDeadline) ? Step::Fired : Step::TimedOut;
}

QString SimulatedClock::busyError() const
{
    return QStringLiteral("the engine was still busy after %1 ms of real time, at %2 ms of simulated time with %3 "
                          "timers fired in this call and %4 attempts out: it keeps working but never gets idle")
        .arg(callLimit().count())
        .arg(duration_cast<milliseconds>(m_now - m_start).count())
        .arg(m_fired)
        .arg(m_network);
}

RealClock::time_point SimulatedClock::beginCall()
{
    m_error.clear();
    const std::lock_guard lock(m_mutex);
    m_fired = 0;
    progressLocked();
    return m_lastProgress + callLimit();
}

bool SimulatedClock::settle()
{
    return barrier(beginCall());
}

bool SimulatedClock::advance(milliseconds span)
{
    const auto realDeadline = beginCall();
    const MonotonicTime target = now() + span;
    for (;;) {
        switch (step(target, realDeadline)) {
        case Step::TimedOut:
            return false;
        case Step::NoneDue:
            return true;
        case Step::Fired:
            break;
        }
    }
}

bool SimulatedClock::advanceUntil(const std::function<bool()>& done, milliseconds limit)
{
    const auto realDeadline = beginCall();
    const MonotonicTime target = now() + limit;
    if (!barrier(realDeadline))
        return false;
    if (done())
        return true;
    for (;;) {
        switch (step(target, realDeadline)) {
        case Step::TimedOut:
            return false;
        case Step::NoneDue:
            if (done())
                return true;
            m_error = QStringLiteral("not done after %1 ms of simulated time").arg(limit.count());
            return false;
        case Step::Fired:
            if (done())
                return true;
            break;
        }
    }
}

} // namespace sd::test
