// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/HostInFlightLimiter.h"

#include <QLoggingCategory>

#include <algorithm>

namespace sd {

namespace {

Q_LOGGING_CATEGORY(lcPolicy, "signaldeck.policy", QtInfoMsg)

} // namespace

HostInFlightLimiter::HostInFlightLimiter(int capPerHost)
    : m_cap(std::max(1, capPerHost))
{
}

bool HostInFlightLimiter::tryAcquire(const QString& host)
{
    int& count = m_inFlight[host];
    if (count >= m_cap)
        return false;
    ++count;
    return true;
}

void HostInFlightLimiter::release(const QString& host)
{
    const auto it = m_inFlight.find(host);
    if (it == m_inFlight.end()) {
        qCWarning(lcPolicy) << "release without acquire for host" << host;
        return;
    }
    if (--it.value() <= 0)
        m_inFlight.erase(it);
}

int HostInFlightLimiter::inFlight(const QString& host) const
{
    return m_inFlight.value(host, 0);
}

int HostInFlightLimiter::totalInFlight() const
{
    int total = 0;
    for (const int count : m_inFlight)
        total += count;
    return total;
}

} // namespace sd
