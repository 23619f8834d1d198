// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringView>

class QIODevice;

namespace sd {

/// Writes RFC 4180 CSV to a QIODevice, row by row, through a small buffer. Cells are UTF-8; a cell
/// containing a quote, comma, CR or LF is quoted with inner quotes doubled; rows end with CRLF. Text
/// cells that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) get a
/// leading `'`. Numbers are written by the writer itself, always with `.` as the decimal point and no
/// grouping, whatever QLocale or the C locale say. Write errors are sticky: check ok() at the end.
class CsvWriter {
public:
    explicit CsvWriter(QIODevice* device, qsizetype bufferBytes = qsizetype { 64 } * 1024);
    ~CsvWriter();
    CsvWriter(const CsvWriter&) = delete;
    CsvWriter& operator=(const CsvWriter&) = delete;

    void addText(QStringView text);
    void addUtf8(QByteArrayView utf8);
    void addInteger(qint64 value);
    /// Fixed notation with `decimals` digits after the point.
    void addDecimal(double value, int decimals);
    /// An integer count of 10^-decimals units, exactly: (187654, 3) writes 187.654.
    void addFixedPoint(qint64 value, int decimals);
    void addEmpty();
    /// UTC ISO-8601 with milliseconds: 2026-03-02T10:00:00.123Z.
    void addUtcTimestamp(qint64 msSinceEpoch);
    /// A cell that went through escapeCell() already (callers cache escaped strings that repeat).
    void addEscaped(QByteArrayView escapedCell);
    void endRow();

    /// Writes the buffer to the device; false once any write failed.
    bool flush();
    bool ok() const { return m_ok; }
    QString errorString() const { return m_error; }

    /// The cell as it would be written: neutralised and quoted where needed.
    static QByteArray escapeCell(QByteArrayView utf8);
    static QByteArray escapeCell(QStringView text) { return escapeCell(text.toUtf8()); }
    static void appendUtcTimestamp(QByteArray& out, qint64 msSinceEpoch);

private:
    void beginCell();
    void flushIfFull();
    /// Room for n more bytes at the end of the buffer (grown if needed), marked as used.
    char* take(qsizetype n);
    void put(char c) { *take(1) = c; }
    void put(QByteArrayView bytes);
    void putEscaped(QByteArrayView utf8);

    QIODevice* m_device;
    QByteArray m_buffer; ///< storage; only the first m_used bytes are content
    qsizetype m_used = 0;
    qsizetype m_bufferBytes;
    bool m_rowStarted = false;
    bool m_ok = true;
    QString m_error;
};

} // namespace sd
