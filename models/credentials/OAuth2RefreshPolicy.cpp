// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/OAuth2RefreshPolicy.h"

#include <algorithm>
#include <cmath>

namespace sd {

using std::chrono::milliseconds;

milliseconds OAuth2RefreshPolicy::refreshDelay(const QDateTime& nowUtc, const QDateTime& expiresUtc) const
{
    const qint64 leftMs = nowUtc.msecsTo(expiresUtc);
    const auto delay = milliseconds(static_cast<qint64>(std::floor(static_cast<double>(leftMs) * refreshFraction)));
    return std::max(delay, minimumRefreshDelay);
}

bool OAuth2RefreshPolicy::reusable(const QDateTime& nowUtc, const QDateTime& expiresUtc) const
{
    return expiresUtc.isValid() && nowUtc.msecsTo(expiresUtc) > reuseMargin.count();
}

milliseconds OAuth2RefreshPolicy::retryDelay(int failures, double jitter) const
{
    const int doublings = std::clamp(failures - 1, 0, 30);
    const double nominal = std::min(
        static_cast<double>(backoffBase.count()) * std::pow(2.0, doublings), static_cast<double>(backoffCap.count()));
    const double kept = 0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0);
    return milliseconds(std::max<qint64>(1, static_cast<qint64>(nominal * kept)));
}

milliseconds OAuth2RefreshPolicy::nextAttemptDelay(
    int failures, double jitter, const QDateTime& nowUtc, const QDateTime& tokenExpiresUtc) const
{
    const milliseconds backoff = retryDelay(failures, jitter);
    if (!tokenExpiresUtc.isValid())
        return backoff;
    const milliseconds untilExpiry(nowUtc.msecsTo(tokenExpiresUtc));
    return untilExpiry > milliseconds(0) ? std::min(backoff, untilExpiry) : backoff;
}

} // namespace sd
