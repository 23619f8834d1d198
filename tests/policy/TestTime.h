// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/MonotonicTime.h"

#include <QtGlobal>

#include <chrono>

namespace sd::test {

/// A point on the fake monotonic timeline the policy tests drive: `at(1500ms)` is 1.5 s after zero.
inline MonotonicTime at(std::chrono::nanoseconds sinceZero)
{
    return MonotonicTime {} + sinceZero;
}

/// Milliseconds as a plain number, so QCOMPARE prints both sides on failure.
inline qint64 msOf(std::chrono::milliseconds d)
{
    return static_cast<qint64>(d.count());
}

} // namespace sd::test
