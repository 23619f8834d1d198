// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/SampleQueue.h"

#include <QMutexLocker>

#include <algorithm>

namespace sd {

SampleQueue::SampleQueue(qsizetype capacity)
    : m_capacity(std::max<qsizetype>(capacity, 1))
{
}

void SampleQueue::push(const ProbeResults& results)
{
    QMutexLocker lock(&m_mutex);
    m_items.insert(m_items.end(), results.begin(), results.end());
    dropOverflowLocked();
}

ProbeResults SampleQueue::take(qsizetype max)
{
    QMutexLocker lock(&m_mutex);
    const auto n = std::min<qsizetype>(max, static_cast<qsizetype>(m_items.size()));
    ProbeResults out;
    out.reserve(n);
    auto end = m_items.begin() + n;
    std::move(m_items.begin(), end, std::back_inserter(out));
    m_items.erase(m_items.begin(), end);
    return out;
}

void SampleQueue::pushFront(const ProbeResults& batch)
{
    QMutexLocker lock(&m_mutex);
    m_items.insert(m_items.begin(), batch.begin(), batch.end());
    dropOverflowLocked();
}

qsizetype SampleQueue::size() const
{
    QMutexLocker lock(&m_mutex);
    return static_cast<qsizetype>(m_items.size());
}

qint64 SampleQueue::dropped() const
{
    QMutexLocker lock(&m_mutex);
    return m_dropped;
}

void SampleQueue::dropOverflowLocked()
{
    const auto size = static_cast<qsizetype>(m_items.size());
    if (size <= m_capacity)
        return;
    const qsizetype excess = size - m_capacity;
    m_items.erase(m_items.begin(), m_items.begin() + excess);
    m_dropped += excess;
}

} // namespace sd
