// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QDateTime>

#include <chrono>
#include <optional>

namespace sd {

/// The longest delay a Retry-After may impose; a longer one is clamped so a broken or hostile header
/// cannot silence an endpoint for days.
inline constexpr std::chrono::milliseconds kRetryAfterCap { std::chrono::hours(1) };

/// Parses an HTTP `Retry-After` value (RFC 9110 §10.2.3) into a delay from `nowUtc`: delta-seconds, or an
/// HTTP-date in any of the three forms recipients must accept (IMF-fixdate, obsolete RFC 850, asctime).
/// Lenient where it costs nothing (surrounding spaces, case of names, "UTC" for "GMT"), strict otherwise:
/// garbage, a fraction or a negative number give nullopt; a date in the past gives 0; anything longer
/// than kRetryAfterCap is clamped to it. Pure: the caller passes the current time.
std::optional<std::chrono::milliseconds> parseRetryAfter(QByteArrayView value, const QDateTime& nowUtc);

/// Parses an HTTP-date in any of the three forms of RFC 9110 §5.6.7; an invalid QDateTime when it is not
/// one. `nowUtc` resolves the two-digit year of the RFC 850 form (within 50 years of now).
QDateTime parseHttpDate(QByteArrayView value, const QDateTime& nowUtc);

} // namespace sd
