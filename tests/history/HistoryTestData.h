// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ProbeResult.h"

#include <QDateTime>
#include <QString>

namespace sd::testdata {

inline const QDateTime kBase = QDateTime(QDate(2026, 3, 2), QTime(10, 0), Qt::UTC);

inline qint64 baseMs(qint64 offsetMs = 0)
{
    return kBase.toMSecsSinceEpoch() + offsetMs;
}

/// A probe result with the fields a test cares about; the rest as a plain success would have them.
inline ProbeResult probe(const QString& endpoint, qint64 startMs, qint64 latencyUs, Outcome outcome = Outcome::Ok,
    int httpStatus = 200, FailureSignal signal = FailureSignal::None, const QString& reason = {})
{
    ProbeResult r;
    r.endpoint = endpoint;
    r.url = QStringLiteral("https://api.example.com/%1").arg(endpoint);
    r.startUtc = QDateTime::fromMSecsSinceEpoch(startMs, Qt::UTC);
    r.latencyUs = latencyUs;
    r.httpStatus = httpStatus;
    r.outcome = outcome;
    r.signal = signal;
    r.reason = reason;
    r.attempts = 1;
    return r;
}

} // namespace sd::testdata
