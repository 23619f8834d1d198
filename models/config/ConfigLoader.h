// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/ConfigError.h"
#include "core/EndpointConfig.h"

#include <QByteArray>
#include <QString>

namespace sd {

/// Reads, validates and writes the SignalDeck config file (JSON, docs/CONFIG.md; every key
/// and rule is in docs/CONFIG.md). Parsing never stops at the first problem: the result lists every error
/// with its JSON path (`endpoints[2].intervall: unknown key`), and a config only when there are none.
/// Loading never writes and never crashes on a bad file: a missing or unreadable file and a JSON syntax
/// error (with `file:line:column`) are errors like any other. Saving is atomic (QSaveFile), creates the
/// directory, and refuses a config that would not load back.
ConfigParseResult parseConfig(const QByteArray& json);
ConfigParseResult loadConfigFile(const QString& path);
/// The id an endpoint without an `id` key gets: "ep-" and 10 hex digits of the SHA-256 of its name, so that
/// the same file gives the same ids at every start and reload.
QString endpointIdFromName(const QString& name);
/// Gives every endpoint without an id one (endpointIdFromName, with "-2", "-3" … on a clash); ids already
/// set stay.
void ensureEndpointIds(QList<EndpointConfig>& endpoints);
/// Indented JSON; parseConfig(configToJson(c)) gives back c for every valid c (see ConfigWriter.h).
QByteArray configToJson(const AppConfig& config);
/// On failure returns false and, if `error` is given, a message that names `path`.
bool saveConfigFile(const QString& path, const AppConfig& config, QString* error = nullptr);
/// QStandardPaths::AppConfigLocation + "/config.json".
QString defaultConfigPath();

} // namespace sd
