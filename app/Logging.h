// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace sd {

/// The one Qt message handler of the application: every qDebug/qInfo/qWarning (with its
/// QLoggingCategory) goes to spdlog, which writes to stderr and to a rotating file
/// (AppDataLocation/logs/signaldeck.log, 5 MiB x 5). Secrets are redacted from the message text before
/// spdlog formats anything. `level` is trace, debug, info, warning, error or off.
/// Returns false (and leaves Qt's default handler) when the level is not one of those.
bool installLogging(const QString& level, bool toConsole);

/// Header names whose values are redacted in addition to the defaults (from the config).
void setSecretHeaderNames(const QStringList& names);

/// The log file in use, empty when file logging could not start.
QString logFilePath();

} // namespace sd
