// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/RetryAfter.h"

#include <QByteArrayList>

#include <algorithm>
#include <array>

namespace sd {

namespace {

constexpr std::array<const char*, 7> kShortDays { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
constexpr std::array<const char*, 7> kLongDays { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
    "Sunday" };
constexpr std::array<const char*, 12> kMonths { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
    "Nov", "Dec" };

bool isDigits(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

/// A number of 1..maxDigits ASCII digits; -1 otherwise.
int number(QByteArrayView s, qsizetype minDigits, qsizetype maxDigits)
{
    if (s.size() < minDigits || s.size() > maxDigits || !isDigits(s))
        return -1;
    int n = 0;
    for (char c : s)
        n = n * 10 + (c - '0');
    return n;
}

bool isDayName(QByteArrayView s)
{
    for (const char* d : kShortDays) {
        if (s.compare(QByteArrayView(d), Qt::CaseInsensitive) == 0)
            return true;
    }
    for (const char* d : kLongDays) {
        if (s.compare(QByteArrayView(d), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

int month(QByteArrayView s)
{
    for (int i = 0; i < 12; ++i) {
        if (s.compare(QByteArrayView(kMonths[static_cast<size_t>(i)]), Qt::CaseInsensitive) == 0)
            return i + 1;
    }
    return -1;
}

bool isGmt(QByteArrayView s)
{
    return s.compare("GMT", Qt::CaseInsensitive) == 0 || s.compare("UTC", Qt::CaseInsensitive) == 0;
}

/// "08:49:37"; an invalid QTime otherwise. A leap second (60) is read as 59.
QTime timeOfDay(QByteArrayView s)
{
    if (s.size() != 8 || s[2] != ':' || s[5] != ':')
        return {};
    const int h = number(s.sliced(0, 2), 2, 2);
    const int m = number(s.sliced(3, 2), 2, 2);
    const int sec = number(s.sliced(6, 2), 2, 2);
    if (h < 0 || m < 0 || sec < 0 || sec > 60)
        return {};
    return QTime(h, m, std::min(sec, 59));
}

QDateTime makeUtc(int year, int mon, int day, QTime time)
{
    const QDate date(year, mon, day);
    if (year < 0 || mon < 0 || day < 0 || !date.isValid() || !time.isValid())
        return {};
    return QDateTime(date, time, Qt::UTC);
}

/// RFC 9110: a two-digit year that looks more than 50 years in the future is in the past century.
int expandTwoDigitYear(int yy, int nowYear)
{
    int year = nowYear / 100 * 100 + yy;
    if (year > nowYear + 50)
        year -= 100;
    else if (year < nowYear - 50)
        year += 100;
    return year;
}

QByteArrayList tokens(QByteArrayView value)
{
    QByteArrayList out;
    for (const QByteArray& t : value.toByteArray().split(' ')) {
        if (!t.isEmpty())
            out.append(t);
    }
    return out;
}

} // namespace

QDateTime parseHttpDate(QByteArrayView value, const QDateTime& nowUtc)
{
    const QByteArrayList t = tokens(value.trimmed());
    if (t.isEmpty())
        return {};

    if (t.front().endsWith(',')) {
        if (!isDayName(QByteArrayView(t.front()).chopped(1)))
            return {};
        // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
        if (t.size() == 6 && isGmt(t[5]))
            return makeUtc(number(t[3], 4, 4), month(t[2]), number(t[1], 1, 2), timeOfDay(t[4]));
        // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
        if (t.size() == 4 && isGmt(t[3])) {
            const QByteArrayList d = t[1].split('-');
            if (d.size() != 3)
                return {};
            int year = number(d[2], 2, 4);
            if (year >= 0 && d[2].size() == 2) {
                if (!nowUtc.isValid())
                    return {};
                year = expandTwoDigitYear(year, nowUtc.date().year());
            }
            return makeUtc(year, month(d[1]), number(d[0], 1, 2), timeOfDay(t[2]));
        }
        return {};
    }

    // asctime: "Sun Nov  6 08:49:37 1994" (the day is space-padded, hence the token split)
    if (t.size() == 5 && isDayName(t[0]))
        return makeUtc(number(t[4], 4, 4), month(t[1]), number(t[2], 1, 2), timeOfDay(t[3]));
    return {};
}

std::optional<std::chrono::milliseconds> parseRetryAfter(QByteArrayView value, const QDateTime& nowUtc)
{
    using std::chrono::milliseconds;
    const QByteArrayView v = value.trimmed();
    if (v.isEmpty())
        return std::nullopt;

    if (isDigits(v)) {
        // More than 10 digits cannot fit and is far beyond the cap anyway.
        if (v.size() > 10)
            return kRetryAfterCap;
        const qint64 seconds = v.toLongLong();
        return std::min(milliseconds(seconds * 1000), kRetryAfterCap);
    }

    if (!nowUtc.isValid())
        return std::nullopt;
    const QDateTime when = parseHttpDate(v, nowUtc);
    if (!when.isValid())
        return std::nullopt;
    const qint64 delta = nowUtc.msecsTo(when);
    return std::clamp(milliseconds(delta), milliseconds::zero(), kRetryAfterCap);
}

} // namespace sd
