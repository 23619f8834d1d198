// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ProbeResult.h"

#include <QMutex>

#include <deque>

namespace sd {

/// The bounded FIFO between HistoryStore::append() (any thread) and the writer thread. Pushing only
/// takes a mutex for a copy, never waits for the disk. Beyond the capacity the oldest samples are
/// dropped and counted, so a disk that refuses writes costs bounded memory.
class SampleQueue {
public:
    explicit SampleQueue(qsizetype capacity);

    void push(const ProbeResults& results);
    /// Removes and returns up to `max` of the oldest samples.
    ProbeResults take(qsizetype max);
    /// Puts a batch that could not be written back in front (it is older than anything queued since).
    void pushFront(const ProbeResults& batch);

    qsizetype size() const;
    qint64 dropped() const;

private:
    void dropOverflowLocked();

    mutable QMutex m_mutex;
    std::deque<ProbeResult> m_items;
    qsizetype m_capacity;
    qint64 m_dropped = 0;
};

} // namespace sd
