// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/ProbeResult.h"

#include <QDateTime>
#include <QString>

#include <chrono>
#include <optional>

namespace sd {

/// The verdict on one attempt: outcome, the signal it raises, a short human reason, and the
/// throttling facts the scheduler needs (Retry-After, rate-limit remaining).
struct Classification {
    Outcome outcome = Outcome::Ok;
    FailureSignal signal = FailureSignal::None;
    QString reason;
    std::optional<std::chrono::milliseconds> retryAfter;
    qint64 rateLimitRemaining = -1;
    bool operator==(const Classification&) const = default;
};

/// Sorts the facts of one attempt into the four-signal contract of DESIGN.md. A pure function:
/// `nowUtc` is only used to turn an HTTP-date Retry-After into a delay.
Classification classify(const EndpointConfig& endpoint, const ProbeFacts& facts, const QDateTime& nowUtc);

} // namespace sd
