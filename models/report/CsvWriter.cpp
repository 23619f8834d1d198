// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/CsvWriter.h"

#include <QIODevice>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

namespace sd {

namespace {

bool needsNeutralising(QByteArrayView utf8)
{
    if (utf8.isEmpty())
        return false;
    switch (utf8.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
        return true;
    default:
        return false;
    }
}

bool needsQuoting(QByteArrayView utf8)
{
    for (char c : utf8) {
        if (c == '"' || c == ',' || c == '\r' || c == '\n')
            return true;
    }
    return false;
}

/// Writes the escaped cell through put(char) / put(QByteArrayView).
template <typename Sink> void escapeInto(Sink& sink, QByteArrayView utf8)
{
    const bool neutralise = needsNeutralising(utf8);
    if (!needsQuoting(utf8)) {
        if (neutralise)
            sink.put('\'');
        sink.put(utf8);
        return;
    }
    sink.put('"');
    if (neutralise)
        sink.put('\'');
    for (char c : utf8) {
        if (c == '"')
            sink.put('"');
        sink.put(c);
    }
    sink.put('"');
}

struct ByteArraySink {
    QByteArray& out;
    void put(char c) { out.append(c); }
    void put(QByteArrayView bytes) { out.append(bytes); }
};

void formatUtcTimestamp(char* text, qint64 msSinceEpoch)
{
    // Civil-date arithmetic instead of QDateTime: no allocation, and a million rows a second.
    using namespace std::chrono;
    const sys_time<milliseconds> t { milliseconds(msSinceEpoch) };
    const sys_days day = floor<days>(t);
    const year_month_day ymd { day };
    const hh_mm_ss<milliseconds> tod { t - day };
    auto put = [text](int pos, unsigned value, int width) {
        for (int i = width - 1; i >= 0; --i, value /= 10)
            text[pos + i] = static_cast<char>('0' + value % 10);
    };
    put(0, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
    text[4] = '-';
    put(5, static_cast<unsigned>(ymd.month()), 2);
    text[7] = '-';
    put(8, static_cast<unsigned>(ymd.day()), 2);
    text[10] = 'T';
    put(11, static_cast<unsigned>(tod.hours().count()), 2);
    text[13] = ':';
    put(14, static_cast<unsigned>(tod.minutes().count()), 2);
    text[16] = ':';
    put(17, static_cast<unsigned>(tod.seconds().count()), 2);
    text[19] = '.';
    put(20, static_cast<unsigned>(tod.subseconds().count()), 3);
    text[23] = 'Z';
}

constexpr int kTimestampLength = 24;

} // namespace

CsvWriter::CsvWriter(QIODevice* device, qsizetype bufferBytes)
    : m_device(device)
    , m_bufferBytes(bufferBytes)
{
    m_buffer.resize(bufferBytes + 4096);
}

CsvWriter::~CsvWriter() = default;

char* CsvWriter::take(qsizetype n)
{
    if (m_used + n > m_buffer.size())
        m_buffer.resize(std::max(m_buffer.size() * 2, m_used + n));
    char* at = m_buffer.data() + m_used;
    m_used += n;
    return at;
}

void CsvWriter::put(QByteArrayView bytes)
{
    if (!bytes.isEmpty())
        std::memcpy(take(bytes.size()), bytes.data(), static_cast<size_t>(bytes.size()));
}

void CsvWriter::putEscaped(QByteArrayView utf8)
{
    struct Sink {
        CsvWriter& writer;
        void put(char c) { writer.put(c); }
        void put(QByteArrayView bytes) { writer.put(bytes); }
    } sink { *this };
    escapeInto(sink, utf8);
}

void CsvWriter::beginCell()
{
    if (m_rowStarted)
        put(',');
    m_rowStarted = true;
}

void CsvWriter::addText(QStringView text)
{
    addUtf8(text.toUtf8());
}

void CsvWriter::addUtf8(QByteArrayView utf8)
{
    beginCell();
    putEscaped(utf8);
}

void CsvWriter::addInteger(qint64 value)
{
    beginCell();
    char digits[24];
    const auto res = std::to_chars(std::begin(digits), std::end(digits), value);
    put(QByteArrayView(digits, res.ptr - digits));
}

void CsvWriter::addDecimal(double value, int decimals)
{
    beginCell();
    if (!std::isfinite(value))
        return;
    // std::to_chars never consults the locale, unlike printf or QLocale.
    char digits[64];
    const auto res = std::to_chars(std::begin(digits), std::end(digits), value, std::chars_format::fixed, decimals);
    put(QByteArrayView(digits, res.ptr - digits));
}

void CsvWriter::addFixedPoint(qint64 value, int decimals)
{
    beginCell();
    if (value < 0) {
        put('-');
        value = -value;
    }
    qint64 scale = 1;
    for (int i = 0; i < decimals; ++i)
        scale *= 10;
    char digits[24];
    const auto res = std::to_chars(std::begin(digits), std::end(digits), value / scale);
    put(QByteArrayView(digits, res.ptr - digits));
    if (decimals <= 0)
        return;
    char* frac = take(decimals + 1);
    frac[0] = '.';
    qint64 fraction = value % scale;
    for (int i = decimals; i >= 1; --i, fraction /= 10)
        frac[i] = static_cast<char>('0' + fraction % 10);
}

void CsvWriter::addEmpty()
{
    beginCell();
}

void CsvWriter::addUtcTimestamp(qint64 msSinceEpoch)
{
    beginCell();
    formatUtcTimestamp(take(kTimestampLength), msSinceEpoch);
}

void CsvWriter::addEscaped(QByteArrayView escapedCell)
{
    beginCell();
    put(escapedCell);
}

void CsvWriter::appendUtcTimestamp(QByteArray& out, qint64 msSinceEpoch)
{
    char text[kTimestampLength];
    formatUtcTimestamp(text, msSinceEpoch);
    out.append(text, kTimestampLength);
}

void CsvWriter::endRow()
{
    char* end = take(2);
    end[0] = '\r';
    end[1] = '\n';
    m_rowStarted = false;
    flushIfFull();
}

void CsvWriter::flushIfFull()
{
    if (m_used >= m_bufferBytes)
        flush();
}

bool CsvWriter::flush()
{
    const qsizetype used = m_used;
    m_used = 0;
    if (!m_ok)
        return false;
    if (used == 0)
        return true;
    const qint64 written = m_device->write(m_buffer.constData(), used);
    if (written != used) {
        m_ok = false;
        m_error = m_device->errorString();
    }
    return m_ok;
}

QByteArray CsvWriter::escapeCell(QByteArrayView utf8)
{
    QByteArray out;
    ByteArraySink sink { out };
    escapeInto(sink, utf8);
    return out;
}

} // namespace sd
