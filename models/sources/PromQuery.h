// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

namespace sd {

/// One sample of an instant vector from Prometheus's /api/v1/query.
struct PromSample {
    QHash<QString, QString> labels; ///< including __name__ when the series has one
    double value = 0;
    double timestamp = 0; ///< Unix seconds
};

/// A parsed /api/v1/query answer: the samples, or an error that says what was wrong with it.
struct PromVectorReply {
    QList<PromSample> samples;
    QString error; ///< empty on success
    bool ok() const { return error.isEmpty(); }
};

/// One series of a range matrix from /api/v1/query_range: its labels and its [time, value] points.
struct PromSeries {
    QHash<QString, QString> labels;
    QList<std::pair<double, double>> points; ///< (Unix seconds, value); NaN and ±Inf kept as such
};

/// A parsed /api/v1/query_range answer.
struct PromMatrixReply {
    QList<PromSeries> series;
    QString error; ///< empty on success
    bool ok() const { return error.isEmpty(); }
};

/// Limits on what one answer may hold, so that a hostile or confused server cannot make the window hang
/// or grow without bound: beyond them the answer is refused with an error naming the limit.
inline constexpr qint64 kMaxPromReplyBytes = qint64 { 64 } * 1024 * 1024;
inline constexpr qsizetype kMaxPromSamples = 500'000;
inline constexpr qsizetype kMaxPromLabels = 64;
inline constexpr qsizetype kMaxPromLabelValue = 4096;

/// Parses the body of a /api/v1/query answer (any HTTP status: Prometheus puts its errors in the same
/// JSON envelope). Only `resultType` "vector" is accepted. Pure; never throws.
PromVectorReply parsePromVectorReply(const QByteArray& body, int httpStatus);

/// Parses the body of a /api/v1/query_range answer, like parsePromVectorReply(): only `resultType` "matrix";
/// at most kMaxPromSamples points in all. Pure; never throws.
PromMatrixReply parsePromMatrixReply(const QByteArray& body, int httpStatus);

/// The selector that reads the metrics `names` narrowed by the config's `match` (`{job="x"}` or empty):
/// `{__name__=~"name1|name2",job="x"}`.
QString promSelector(const QStringList& names, const QString& match);

/// The matchers inside the config's `match` (`{job="x"}` → `job="x"`), empty when there are none.
QString promMatchers(const QString& match);

/// Text from a server cut to `max` characters, control characters escaped (safe to show and log).
QString serverText(const QString& text, qsizetype max = 300);

} // namespace sd
