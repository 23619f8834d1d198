// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/ProbeClock.h"

#include <QTimer>

namespace sd {

ProbeClock::~ProbeClock() = default;

namespace {

class SystemTimer final : public ClockTimer {
public:
    SystemTimer(bool singleShot, QObject* parent)
        : ClockTimer(parent)
        , m_timer(new QTimer(this))
    {
        m_timer->setSingleShot(singleShot);
        m_timer->setTimerType(Qt::PreciseTimer);
        connect(m_timer, &QTimer::timeout, this, &ClockTimer::timeout);
    }
    void start(std::chrono::milliseconds interval) override { m_timer->start(interval); }
    void stop() override { m_timer->stop(); }
    bool isActive() const override { return m_timer->isActive(); }

private:
    QTimer* m_timer;
};

class SystemClock final : public ProbeClock {
public:
    MonotonicTime now() const override { return std::chrono::steady_clock::now(); }
    QDateTime utcNow() const override { return QDateTime::currentDateTimeUtc(); }
    ClockTimer* createTimer(bool singleShot, QObject* parent) override { return new SystemTimer(singleShot, parent); }
};

} // namespace

std::shared_ptr<ProbeClock> systemClock()
{
    static const auto clock = std::make_shared<SystemClock>();
    return clock;
}

} // namespace sd
