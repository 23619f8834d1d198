// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/CsvWriter.h"

#include <QIODevice>

#include <charconv>
#include <chrono>
#include <cmath>

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

void appendEscaped(QByteArray& out, QByteArrayView utf8)
{
    const bool neutralise = needsNeutralising(utf8);
    if (!needsQuoting(utf8)) {
        if (neutralise)
            out.append('\'');
        out.append(utf8);
        return;
    }
    out.append('"');
    if (neutralise)
        out.append('\'');
    for (char c : utf8) {
        if (c == '"')
            out.append('"');
        out.append(c);
    }
    out.append('"');
}

} // namespace

CsvWriter::CsvWriter(QIODevice* device, qsizetype bufferBytes)
    : m_device(device)
    , m_bufferBytes(bufferBytes)
{
    m_buffer.reserve(bufferBytes + 4096);
}

CsvWriter::~CsvWriter() = default;

void CsvWriter::beginCell()
{
    if (m_rowStarted)
        m_buffer.append(',');
    m_rowStarted = true;
}

void CsvWriter::addText(QStringView text)
{
    addUtf8(text.toUtf8());
}

void CsvWriter::addUtf8(QByteArrayView utf8)
{
    beginCell();
    appendEscaped(m_buffer, utf8);
}

void CsvWriter::addInteger(qint64 value)
{
    beginCell();
    char digits[24];
    const auto res = std::to_chars(std::begin(digits), std::end(digits), value);
    m_buffer.append(digits, res.ptr - digits);
}

void CsvWriter::addDecimal(double value, int decimals)
{
    beginCell();
    if (!std::isfinite(value))
        return;
    // std::to_chars never consults the locale, unlike printf or QLocale.
    char digits[64];
    const auto res = std::to_chars(std::begin(digits), std::end(digits), value, std::chars_format::fixed, decimals);
    m_buffer.append(digits, res.ptr - digits);
}

void CsvWriter::addFixedPoint(qint64 value, int decimals)
{
    beginCell();
    if (value < 0) {
        m_buffer.append('-');
        value = -value;
    }
    qint64 scale = 1;
    for (int i = 0; i < decimals; ++i)
        scale *= 10;
    char digits[24];
    const auto res = std::to_chars(std::begin(digits), std::end(digits), value / scale);
    m_buffer.append(digits, res.ptr - digits);
    if (decimals <= 0)
        return;
    m_buffer.append('.');
    qint64 fraction = value % scale;
    char frac[20];
    for (int i = decimals - 1; i >= 0; --i, fraction /= 10)
        frac[i] = static_cast<char>('0' + fraction % 10);
    m_buffer.append(frac, decimals);
}

void CsvWriter::addEmpty()
{
    beginCell();
}

void CsvWriter::addUtcTimestamp(qint64 msSinceEpoch)
{
    beginCell();
    appendUtcTimestamp(m_buffer, msSinceEpoch);
}

void CsvWriter::addEscaped(QByteArrayView escapedCell)
{
    beginCell();
    m_buffer.append(escapedCell);
}

void CsvWriter::appendUtcTimestamp(QByteArray& out, qint64 msSinceEpoch)
{
    // Civil-date arithmetic instead of QDateTime: no allocation, and a million rows a second.
    using namespace std::chrono;
    const sys_time<milliseconds> t { milliseconds(msSinceEpoch) };
    const sys_days day = floor<days>(t);
    const year_month_day ymd { day };
    const hh_mm_ss<milliseconds> tod { t - day };
    char text[24];
    auto put = [&text](int pos, unsigned value, int width) {
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
    out.append(text, 24);
}

void CsvWriter::endRow()
{
    m_buffer.append("\r\n", 2);
    m_rowStarted = false;
    flushIfFull();
}

void CsvWriter::flushIfFull()
{
    if (m_buffer.size() >= m_bufferBytes)
        flush();
}

bool CsvWriter::flush()
{
    if (!m_ok) {
        m_buffer.resize(0);
        return false;
    }
    if (m_buffer.isEmpty())
        return true;
    const qint64 written = m_device->write(m_buffer);
    if (written != m_buffer.size()) {
        m_ok = false;
        m_error = m_device->errorString();
    }
    m_buffer.resize(0); // keeps the capacity, unlike clear()
    return m_ok;
}

QByteArray CsvWriter::escapeCell(QByteArrayView utf8)
{
    QByteArray out;
    appendEscaped(out, utf8);
    return out;
}

} // namespace sd
