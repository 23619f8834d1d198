// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/TransportBackend.h"

#include <algorithm>

namespace sd {

void TransportBackend::start(const ProbeRequest& request)
{
    const QString key = ProbeTransport::hostKeyOf(request.endpoint.url);
    if (m_limiter.tryAcquire(key))
        send(request);
    else
        m_waiting[key].push_back(request);
    updateCounters();
}

void TransportBackend::hostReleased(const QString& hostKey)
{
    m_limiter.release(hostKey);
    auto q = m_waiting.find(hostKey);
    while (q != m_waiting.end() && !q->empty() && m_limiter.tryAcquire(hostKey)) {
        ProbeRequest next = std::move(q->front());
        q->pop_front();
        send(next);
        q = m_waiting.find(hostKey); // send() may have queued or finished at once
    }
    if (q != m_waiting.end() && q->empty())
        m_waiting.erase(q);
    updateCounters();
}

void TransportBackend::dropWaiting()
{
    m_waiting.clear();
    m_limiter = HostInFlightLimiter(m_limiter.capPerHost());
}

void TransportBackend::notePeak(const QString& hostKey)
{
    m_peakPerHost.store(std::max(m_peakPerHost.load(std::memory_order_relaxed), m_limiter.inFlight(hostKey)),
        std::memory_order_relaxed);
}

void TransportBackend::updateCounters()
{
    int waiting = 0;
    for (const auto& q : std::as_const(m_waiting))
        waiting += static_cast<int>(q.size());
    m_queued.store(waiting, std::memory_order_relaxed);
    m_inFlight.store(activeCount(), std::memory_order_relaxed);
}

} // namespace sd
