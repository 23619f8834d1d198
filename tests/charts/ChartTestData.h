// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "history/HistoryTestData.h"

#include <QDir>
#include <QString>

namespace sd::testdata {

/// One hour of 1 s probes as an operator would want to read it: 20–45 ms normally, one 950 ms spike at
/// 20:00, no probes from 40:00 to 45:00, an S1 burst (502) from 10:00 to 11:00, throttling (429, S4)
/// from 50:00 to 52:00, and a 500 every 97 s.
inline ProbeResults operatorHour(qint64 fromMs)
{
    ProbeResults out;
    for (int s = 0; s < 3600; ++s) {
        if (s >= 40 * 60 && s < 45 * 60)
            continue;
        const qint64 t = fromMs + s * 1000;
        qint64 us = 20'000 + (s * 7919) % 15'000 + (s % 300 < 30 ? 10'000 : 0);
        if (s == 20 * 60)
            us = 950'000;
        if (s >= 10 * 60 && s < 11 * 60 && s % 2 == 0)
            out.append(probe(QStringLiteral("api"), t, 30'000, Outcome::Connection, 502, FailureSignal::S1));
        else if (s >= 50 * 60 && s < 52 * 60 && s % 3 != 0)
            out.append(probe(QStringLiteral("api"), t, 5000, Outcome::Throttled, 429, FailureSignal::S4));
        else if (s % 97 == 0)
            out.append(probe(QStringLiteral("api"), t, us, Outcome::ServerError, 500));
        else
            out.append(probe(QStringLiteral("api"), t, us));
    }
    return out;
}

/// Where tests save screenshots: $SIGNALDECK_SCREENSHOT_DIR, else `screenshots/` in the working directory.
inline QString screenshotDir()
{
    QString dir = qEnvironmentVariable("SIGNALDECK_SCREENSHOT_DIR");
    if (dir.isEmpty())
        dir = QDir::current().filePath(QStringLiteral("screenshots"));
    QDir().mkpath(dir);
    return dir;
}

} // namespace sd::testdata
