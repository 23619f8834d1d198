// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

#include <utility>

namespace sd {

/// The time range the charts, the detail pane and the table's figures cover: a span ending now
/// (5 min … 90 d) or a fixed custom range. Times are UTC ms since the epoch, ranges half-open.
struct TimeRange {
    qint64 spanMs = qint64(60) * 60 * 1000; ///< for a span ending now; 0 for a custom range
    qint64 fromMs = 0; ///< for a custom range
    qint64 toMs = 0;

    static TimeRange lastSpan(qint64 spanMs) { return TimeRange { spanMs, 0, 0 }; }
    static TimeRange custom(qint64 fromMs, qint64 toMs) { return TimeRange { 0, fromMs, toMs }; }
    /// The presets offered in the range selector: 5 min, 1 h, 24 h, 7 d, 30 d, 90 d.
    static QList<TimeRange> presets();

    bool isCustom() const { return spanMs == 0; }
    qint64 resolvedFrom(qint64 nowMs) const { return isCustom() ? fromMs : nowMs - spanMs; }
    qint64 resolvedTo(qint64 nowMs) const { return isCustom() ? toMs : nowMs; }
    qint64 lengthMs() const { return isCustom() ? toMs - fromMs : spanMs; }
    /// "5 min", "1 h", "24 h", "7 d", … or "2026-11-20 10:00 – 2026-11-21 10:00" (local time).
    QString label() const;
    /// "5m", "1h", "24h", "7d", "30d", "90d" or "custom:<from>-<to>", and back (for QSettings).
    QString key() const;
    static TimeRange fromKey(const QString& key);
    bool operator==(const TimeRange&) const = default;
};

/// Half-open spans [first, second) of UTC ms since the epoch, e.g. the maintenance windows an endpoint's
/// uptime leaves out (config `excludeFromUptime`); an open end is the smallest or largest qint64.
using TimeSpans = QList<std::pair<qint64, qint64>>;

/// The parts of [fromMs, toMs) outside every span of `excluded` (spans may overlap or lie outside the
/// range), in time order; empty spans are dropped. Without exclusions: the range itself (when not empty).
TimeSpans spansOutside(qint64 fromMs, qint64 toMs, TimeSpans excluded);

} // namespace sd
