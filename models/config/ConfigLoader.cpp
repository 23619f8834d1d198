// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/ConfigLoader.h"

#include "config/ConfigReader.h"
#include "config/ConfigWriter.h"
#include "config/DuplicateKeys.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QStandardPaths>

namespace sd {

Q_LOGGING_CATEGORY(lcConfig, "signaldeck.config", QtInfoMsg)

namespace {

// A config is a few kilobytes; anything this large is the wrong file, and must not be read into memory.
constexpr qint64 kMaxConfigFileBytes = qint64 { 16 } * 1024 * 1024;

ConfigParseResult singleError(const QString& path, const QString& message)
{
    ConfigParseResult result;
    result.errors.append(ConfigError { path, message });
    return result;
}

// Where the parser gave up, as an index into `json`. Qt reports most errors just past the offending
// character, and sometimes past whitespace after it; illegal numbers and trailing garbage it reports at
// the character itself. Point at the offending character so editors jump to it.
qsizetype errorIndex(const QByteArray& json, const QJsonParseError& error)
{
    qsizetype index = qBound(qsizetype(0), qsizetype(error.offset), json.size());
    if (index > 0 && error.error != QJsonParseError::IllegalNumber && error.error != QJsonParseError::GarbageAtEnd)
        --index;
    while (index > 0 && index < json.size() && QChar::isSpace(static_cast<unsigned char>(json.at(index))))
        --index;
    return index;
}

// "line:column" of the byte at `index`, both counted from 1; columns count characters (UTF-8 lead bytes).
QString lineAndColumn(const QByteArray& json, qsizetype index)
{
    int line = 1;
    int column = 1;
    for (qsizetype i = 0; i < index; ++i) {
        const auto byte = static_cast<unsigned char>(json.at(i));
        if (byte == '\n') {
            ++line;
            column = 1;
        } else if ((byte & 0xC0) != 0x80) {
            ++column;
        }
    }
    return QString::number(line) + u':' + QString::number(column);
}

// `source` names the file in syntax errors; empty for in-memory JSON.
ConfigParseResult parse(const QByteArray& json, const QString& source)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const QString where = lineAndColumn(json, errorIndex(json, parseError));
        return singleError(source.isEmpty() ? where : source + u':' + where,
            QStringLiteral("JSON syntax error: ") + parseError.errorString());
    }
    // Duplicate keys first: QJsonDocument has silently kept the last of each.
    const QList<ConfigError> duplicates = findDuplicateKeys(json);
    ConfigReader reader;
    if (!source.isEmpty())
        reader.setBaseDirectory(QFileInfo(source).absolutePath());
    ConfigParseResult result = reader.read(document);
    if (!duplicates.isEmpty()) {
        result.errors = duplicates + result.errors;
        result.config.reset();
    }
    return result;
}

} // namespace

ConfigParseResult parseConfig(const QByteArray& json)
{
    return parse(json, {});
}

ConfigParseResult loadConfigFile(const QString& path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return singleError(path, QStringLiteral("file not found"));
    if (info.isDir())
        return singleError(path, QStringLiteral("is a directory, not a config file"));

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return singleError(path, QStringLiteral("cannot read: ") + file.errorString());
    // Read one byte more than allowed, so that files whose size() lies (pipes, /proc) are caught too.
    const QByteArray json = file.read(kMaxConfigFileBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return singleError(path, QStringLiteral("cannot read: ") + file.errorString());
    if (json.size() > kMaxConfigFileBytes)
        return singleError(path, QStringLiteral("file is larger than 16 MiB; this is not a SignalDeck config"));
    if (json.trimmed().isEmpty())
        return singleError(path, QStringLiteral("file is empty"));

    ConfigParseResult result = parse(json, path);
    if (result.ok())
        qCDebug(lcConfig) << "loaded" << path << "with" << result.config->endpoints.size() << "endpoints";
    else
        qCDebug(lcConfig) << "rejected" << path << "with" << result.errors.size() << "errors";
    return result;
}

QByteArray configToJson(const AppConfig& config)
{
    return QJsonDocument(configToJsonObject(config)).toJson(QJsonDocument::Indented);
}

bool saveConfigFile(const QString& path, const AppConfig& config, QString* error)
{
    const auto failWith = [&](const QString& message) {
        qCWarning(lcConfig).noquote() << message;
        if (error)
            *error = message;
        return false;
    };
    if (path.isEmpty())
        return failWith(QStringLiteral("cannot save the config: no file name given"));

    // Never write a file that the next start would refuse to load.
    const QByteArray json = configToJson(config);
    const ConfigParseResult check = parseConfig(json);
    if (!check.ok()) {
        QString message
            = path + QStringLiteral(": not saved, the config is invalid: ") + check.errors.first().toString();
        if (check.errors.size() > 1)
            message += QStringLiteral(" (and %1 more)").arg(check.errors.size() - 1);
        return failWith(message);
    }

    const QString directory = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(directory))
        return failWith(path + QStringLiteral(": cannot create the directory ") + directory);

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return failWith(path + QStringLiteral(": cannot write: ") + file.errorString());
    if (file.write(json) != json.size()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        return failWith(path + QStringLiteral(": cannot write: ") + reason);
    }
    if (!file.commit())
        return failWith(path + QStringLiteral(": cannot write: ") + file.errorString());
    qCDebug(lcConfig) << "saved" << path;
    return true;
}

QString defaultConfigPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + QStringLiteral("/config.json");
}

} // namespace sd
