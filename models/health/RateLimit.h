// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>

#include <utility>

namespace sd {

/// How many requests the server still allows, read from the response headers; -1 when none says.
/// Understood: the IETF structured `RateLimit` field in both draft shapes (`limit=100, remaining=7,
/// reset=30` and `"default";r=7;t=30`), and every plain header whose name contains "ratelimit" and
/// "remaining" (`RateLimit-Remaining`, `X-RateLimit-Remaining`, OpenAI's
/// `x-ratelimit-remaining-requests` and `-tokens`, Kong's `X-RateLimit-Remaining-Minute`, ...). When
/// several limits are reported the tightest (smallest) wins, since that is the one that throttles first.
/// Values that are not non-negative integers are ignored.
qint64 parseRateLimitRemaining(const QList<std::pair<QByteArray, QByteArray>>& headers);

} // namespace sd
