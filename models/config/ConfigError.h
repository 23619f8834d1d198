// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"

#include <QList>
#include <QString>

#include <optional>

namespace sd {

/// One problem found in a config. `path` says where: a JSON path into the document
/// (`endpoints[3].interval`, `endpoints[0].headers.Authorization`; empty for the document itself), or,
/// for problems with the file as a whole, the file name, with `:line:column` for a JSON syntax error.
/// toString() gives the line an operator reads: `endpoints[3].interval: must be at least 1s`.
struct ConfigError {
    QString path;
    QString message;

    QString toString() const;
    bool operator==(const ConfigError&) const = default;
};

/// The JSON path of `key` under `parent` in the notation of ConfigError::path: `parent.key` for ordinary
/// keys, `parent["odd key"]` for anything else (header names may hold dots).
QString configKeyPath(const QString& parent, QStringView key);

/// The outcome of reading a config: the config when it is valid, otherwise every error found
/// (never just the first). `config` is set only when `errors` is empty.
struct ConfigParseResult {
    std::optional<AppConfig> config;
    QList<ConfigError> errors;

    bool ok() const { return config.has_value() && errors.isEmpty(); }
    /// Every error's toString(), one per line, for a log or a terminal.
    QString errorText() const;
};

} // namespace sd
