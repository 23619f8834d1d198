// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/CsvExport.h"

#include "history/HistoryQuery.h"
#include "report/CsvWriter.h"
#include "report/RawSampleCsv.h"
#include "report/SummaryCsv.h"

#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace sd {

namespace {
constexpr qint64 kProgressEveryRows = 16'384;
}

CsvExport::CsvExport(ExportRequest request, QObject* parent)
    : QObject(parent)
    , m_request(std::move(request))
{
}

bool CsvExport::fail(const QString& message)
{
    m_error = message;
    return false;
}

bool CsvExport::deviceFailed(const CsvWriter& writer)
{
    m_deviceFailed = true;
    return fail(writer.errorString());
}

bool CsvExport::writeToFile(const QString& path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(u"cannot write %1: %2"_s.arg(path, file.errorString()));
    if (!writeTo(&file)) {
        // QSaveFile removes its temporary file when it is destroyed without commit().
        file.cancelWriting();
        if (m_deviceFailed)
            m_error = u"cannot write %1: %2"_s.arg(path, m_error);
        return false;
    }
    if (!file.commit())
        return fail(u"cannot write %1: %2"_s.arg(path, file.errorString()));
    return true;
}

bool CsvExport::writeTo(QIODevice* device)
{
    m_error.clear();
    m_deviceFailed = false;
    m_rows = 0;
    if (m_request.toMs <= m_request.fromMs)
        return fail(u"the export range is empty"_s);
    HistoryQuery query(m_request.databasePath);
    const QStringList known = query.endpoints();
    if (!query.isOpen())
        return fail(u"cannot read the history %1: %2"_s.arg(m_request.databasePath, query.lastError()));
    for (const QString& name : m_request.endpoints) {
        if (!known.contains(name))
            return fail(u"no history for endpoint '%1'"_s.arg(name));
    }
    const QStringList endpoints = m_request.endpoints.isEmpty() ? known : m_request.endpoints;

    CsvWriter writer(device);
    bool ok = true;
    if (m_request.kind == ExportRequest::Kind::Summary) {
        SummaryCsv csv(writer);
        csv.writeHeader();
        const qint64 total = endpoints.size();
        for (const QString& name : endpoints) {
            if (wasCanceled())
                return fail(u"export canceled"_s);
            EndpointSummary row;
            row.endpoint = name;
            row.fromMs = m_request.fromMs;
            row.toMs = m_request.toMs;
            row.stats = query.stats(name, m_request.fromMs, m_request.toMs);
            if (const auto excluded = m_request.uptimeExcluded.constFind(name);
                excluded != m_request.uptimeExcluded.cend() && !excluded->isEmpty())
                row.uptimeStats = query.statsOutside(name, m_request.fromMs, m_request.toMs, *excluded);
            row.longestOutage = query.longestOutage(name, m_request.fromMs, m_request.toMs);
            if (const auto it = m_request.currentStates.constFind(name); it != m_request.currentStates.constEnd())
                row.currentStates = *it;
            row.certExpires = m_request.certExpires.value(name);
            csv.writeRow(row);
            ++m_rows;
            if (!writer.ok())
                return deviceFailed(writer);
            emit progress(m_rows, total);
        }
    } else {
        RawSampleCsv csv(writer, query);
        csv.writeHeader();
        const qint64 total = query.countSamples(endpoints, m_request.fromMs, m_request.toMs);
        emit progress(0, total);
        ok = query.forEachSample(endpoints, m_request.fromMs, m_request.toMs, [&](const StoredSample& s) {
            csv.writeRow(s);
            if (++m_rows % kProgressEveryRows == 0) {
                emit progress(m_rows, total);
                return !wasCanceled() && writer.ok();
            }
            return true;
        });
        if (wasCanceled())
            return fail(u"export canceled"_s);
        if (!writer.ok())
            return deviceFailed(writer);
        if (!ok)
            return fail(u"cannot read the history %1: %2"_s.arg(m_request.databasePath, query.lastError()));
        emit progress(m_rows, std::max(total, m_rows));
    }
    if (!writer.flush())
        return deviceFailed(writer);
    // A cancel that came with the last progress report still means "no file".
    if (wasCanceled())
        return fail(u"export canceled"_s);
    return true;
}

} // namespace sd
