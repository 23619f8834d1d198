// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/ConfigError.h"

#include <QByteArray>
#include <QList>

namespace sd {

/// Every key that occurs twice in the same JSON object of `json`, as a ConfigError at the path of the
/// second occurrence ("endpoints[2].url: duplicate key"), in document order. QJsonDocument keeps the last
/// of two equal keys without a word, so an operator who pasted a second "url" would probe a URL they did
/// not mean; this small scanner reads the raw bytes instead. `json` must already be valid JSON (the
/// parser has accepted it); on anything else it stops and returns what it found so far.
QList<ConfigError> findDuplicateKeys(const QByteArray& json);

} // namespace sd
