// SPDX-License-Identifier: GPL-3.0-or-later
#include "Logging.h"

#include "core/Redaction.h"

#include <QDir>
#include <QLoggingCategory>
#include <QMutex>
#include <QStandardPaths>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <vector>

namespace sd {

namespace {
constexpr std::size_t kLogFileBytes = std::size_t(5) * 1024 * 1024;
constexpr std::size_t kLogFiles = 5;

QMutex g_namesMutex;
QStringList g_secretHeaders; // guarded by g_namesMutex
QString g_logFile;

spdlog::level::level_enum levelOf(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return spdlog::level::debug;
    case QtInfoMsg:
        return spdlog::level::info;
    case QtWarningMsg:
        return spdlog::level::warn;
    case QtCriticalMsg:
        return spdlog::level::err;
    case QtFatalMsg:
        return spdlog::level::critical;
    }
    return spdlog::level::info;
}

void messageHandler(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    // Below the level nothing is formatted or redacted: redaction is not free (issue 12).
    if (type != QtFatalMsg && !spdlog::default_logger_raw()->should_log(levelOf(type)))
        return;
    QStringList extra;
    {
        QMutexLocker lock(&g_namesMutex);
        extra = g_secretHeaders;
    }
    const QString clean = redactSecrets(message, extra);
    const char* category = context.category ? context.category : "default";
    spdlog::log(levelOf(type), "[{}] {}", category, clean.toStdString());
    if (type == QtFatalMsg) {
        spdlog::shutdown();
        std::abort();
    }
}
} // namespace

bool installLogging(const QString& level, bool toConsole)
{
    const auto spdLevel = spdlog::level::from_str(level.toLower().toStdString());
    if (spdLevel == spdlog::level::off && level.toLower() != u"off"_qs)
        return false;
    std::vector<spdlog::sink_ptr> sinks;
    if (toConsole)
        sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/logs"_qs;
    if (QDir().mkpath(dir)) {
        try {
            g_logFile = dir + u"/signaldeck.log"_qs;
            sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                g_logFile.toStdString(), kLogFileBytes, kLogFiles));
        } catch (const spdlog::spdlog_ex&) {
            g_logFile.clear(); // an unwritable log file must not stop the app: the console still works
        }
    }
    auto logger = std::make_shared<spdlog::logger>("signaldeck", sinks.begin(), sinks.end());
    logger->set_level(spdLevel);
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
    spdlog::flush_every(std::chrono::seconds(2));
    // Qt's own filtering must let through what spdlog is asked to show.
    if (spdLevel <= spdlog::level::debug)
        QLoggingCategory::setFilterRules(QStringLiteral("signaldeck.*.debug=true"));
    qInstallMessageHandler(messageHandler);
    return true;
}

void setSecretHeaderNames(const QStringList& names)
{
    QMutexLocker lock(&g_namesMutex);
    g_secretHeaders = names;
}

QString logFilePath()
{
    return g_logFile;
}

} // namespace sd
