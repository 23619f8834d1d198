// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExportCommand.h"

#include "config/ConfigLoader.h"
#include "health/IncidentPolicy.h"
#include "history/HistoryOptions.h"
#include "history/HistoryQuery.h"
#include "history/HistoryStore.h"
#include "report/CsvExport.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QIODevice>
#include <QRegularExpression>
#include <QStringDecoder>

using namespace Qt::StringLiterals;

namespace sd {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitIo = 1;
constexpr int kExitUsage = 2;

/// Lets the exporter stream into a QTextStream that has no device of its own (a string in tests).
class TextStreamDevice : public QIODevice {
public:
    explicit TextStreamDevice(QTextStream& stream)
        : m_stream(stream)
    {
        open(QIODevice::WriteOnly);
    }

protected:
    qint64 readData(char*, qint64) override { return -1; }
    qint64 writeData(const char* data, qint64 size) override
    {
        // The decoder keeps a UTF-8 sequence split across two writes whole.
        m_stream << m_decoder.decode(QByteArrayView(data, size));
        return m_stream.status() == QTextStream::Ok ? size : -1;
    }

private:
    QTextStream& m_stream;
    QStringDecoder m_decoder { QStringDecoder::Utf8 };
};

} // namespace

std::optional<qint64> parseExportTime(QStringView text, qint64 nowMs)
{
    const QString t = text.trimmed().toString();
    if (t.compare(u"now"_s, Qt::CaseInsensitive) == 0)
        return nowMs;
    static const QRegularExpression relative(u"^-(\\d{1,9})(s|m|h|d|w)$"_s);
    if (const auto m = relative.match(t); m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).at(0);
        const qint64 unitMs = unit == u's' ? 1000
            : unit == u'm'                 ? 60'000
            : unit == u'h'                 ? 3'600'000
            : unit == u'd'                 ? 86'400'000
                                           : 7 * 86'400'000LL;
        return nowMs - n * unitMs;
    }
    if (t.size() == 10) {
        const QDate date = QDate::fromString(t, Qt::ISODate);
        if (date.isValid())
            return QDateTime(date, QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
        return std::nullopt;
    }
    QDateTime dt = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (!dt.isValid())
        return std::nullopt;
    if (dt.timeSpec() == Qt::LocalTime)
        dt.setTimeSpec(Qt::UTC);
    return dt.toMSecsSinceEpoch();
}

int runExportCommand(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Export the stored probe history as CSV."_s);
    const QCommandLineOption fromOpt(u"from"_s,
        u"Start of the range: ISO 8601 (UTC unless an offset is given), "
        "'now' or relative like -24h, -7d."_s,
        u"time"_s);
    const QCommandLineOption toOpt(u"to"_s, u"End of the range (default: now)."_s, u"time"_s, u"now"_s);
    const QCommandLineOption endpointOpt(u"endpoint"_s, u"Only this endpoint (repeatable; default: all)."_s, u"name"_s);
    const QCommandLineOption summaryOpt(u"summary"_s, u"One summary row per endpoint instead of raw samples."_s);
    const QCommandLineOption dataDirOpt(u"data-dir"_s,
        u"Directory of the history database (default: %1)."_s.arg(HistoryStore::defaultDirectory()), u"dir"_s);
    const QCommandLineOption outputOpt(
        QStringList { u"o"_s, u"output"_s }, u"Output file, or - for stdout."_s, u"file"_s);
    const QCommandLineOption configOpt(u"config"_s,
        u"Summary: leave this config's maintenance windows with excludeFromUptime out of uptime_percent."_s, u"path"_s);
    const QCommandLineOption helpOpt(QStringList { u"h"_s, u"help"_s }, u"Show this help."_s);
    parser.addOptions({ fromOpt, toOpt, endpointOpt, summaryOpt, dataDirOpt, outputOpt, configOpt, helpOpt });

    auto usageError = [&err](const QString& message) {
        err << "signaldeck export: " << message << "\n"
            << "usage: signaldeck export --from TIME [--to TIME] [--endpoint NAME]... [--summary [--config PATH]] "
               "[--data-dir DIR] -o FILE|-"
            << Qt::endl;
        return kExitUsage;
    };

    if (!parser.parse(QStringList { u"signaldeck export"_s } + args))
        return usageError(parser.errorText());
    if (parser.isSet(helpOpt)) {
        out << parser.helpText() << Qt::flush;
        return kExitOk;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(u"unexpected argument '%1'"_s.arg(parser.positionalArguments().first()));
    if (!parser.isSet(fromOpt))
        return usageError(u"--from is required"_s);
    if (!parser.isSet(outputOpt) || parser.value(outputOpt).isEmpty())
        return usageError(u"-o FILE (or -o - for stdout) is required"_s);

    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const auto from = parseExportTime(parser.value(fromOpt), nowMs);
    if (!from)
        return usageError(u"--from: cannot read '%1' as a time"_s.arg(parser.value(fromOpt)));
    const auto to = parseExportTime(parser.value(toOpt), nowMs);
    if (!to)
        return usageError(u"--to: cannot read '%1' as a time"_s.arg(parser.value(toOpt)));
    if (*to <= *from)
        return usageError(u"--from must be before --to"_s);

    // The maintenance windows an uptime leaves out are the config's (the history does not keep them).
    QHash<QString, TimeSpans> uptimeExcluded;
    if (parser.isSet(configOpt)) {
        const ConfigParseResult config = loadConfigFile(parser.value(configOpt));
        if (!config.ok())
            return usageError(u"--config %1: %2"_s.arg(parser.value(configOpt), config.errorText()));
        uptimeExcluded = uptimeExclusionsByName(*config.config);
    }

    const QString dataDir = parser.isSet(dataDirOpt) ? parser.value(dataDirOpt) : HistoryStore::defaultDirectory();
    const QString databasePath = QDir(dataDir).absoluteFilePath(HistoryOptions().fileName);
    if (!QFileInfo::exists(databasePath)) {
        err << "signaldeck export: no history database at " << databasePath << ": no such file" << Qt::endl;
        return kExitIo;
    }

    // A history written by an older SignalDeck that no dashboard or --headless has opened since.
    if (const QString problem = HistoryStore::upgradeOlderSchema(databasePath); !problem.isEmpty()) {
        err << "signaldeck export: cannot read the history " << databasePath << ": " << problem << Qt::endl;
        return kExitIo;
    }
    {
        // Usage errors first: a misspelt endpoint is the caller's mistake, not an I/O failure.
        HistoryQuery query(databasePath);
        const QStringList known = query.endpoints();
        if (!query.isOpen()) {
            err << "signaldeck export: cannot read the history " << databasePath << ": " << query.lastError()
                << Qt::endl;
            return kExitIo;
        }
        for (const QString& name : parser.values(endpointOpt)) {
            if (!known.contains(name)) {
                return usageError(u"--endpoint: no history for '%1' (known: %2)"_s.arg(
                    name, known.isEmpty() ? u"none"_s : known.join(u", "_s)));
            }
        }
    }

    ExportRequest request;
    request.kind = parser.isSet(summaryOpt) ? ExportRequest::Kind::Summary : ExportRequest::Kind::RawSamples;
    request.databasePath = databasePath;
    request.fromMs = *from;
    request.toMs = *to;
    request.endpoints = parser.values(endpointOpt);
    request.uptimeExcluded = uptimeExcluded;
    CsvExport exporter(request);

    const QString output = parser.value(outputOpt);
    bool ok = false;
    if (output == u"-"_s) {
        out.flush();
        if (QIODevice* device = out.device()) {
            ok = exporter.writeTo(device);
        } else {
            TextStreamDevice adapter(out);
            ok = exporter.writeTo(&adapter);
        }
        out.flush();
    } else {
        ok = exporter.writeToFile(output);
    }
    if (!ok) {
        err << "signaldeck export: " << exporter.errorString() << Qt::endl;
        return kExitIo;
    }
    if (output != u"-"_s)
        out << "signaldeck export: " << exporter.rowsWritten() << " rows written to " << output << Qt::endl;
    return kExitOk;
}

} // namespace sd
