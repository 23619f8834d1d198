// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"

#include <QJsonObject>

namespace sd {

/// The JSON form of a config, as docs/CONFIG.md describes it. Only `version`, endpoint `name` and `url`,
/// and credential `id` are always written; other keys only where they differ from the defaults, so a
/// saved file stays as short as the one the operator wrote. Reading the result back with ConfigReader
/// gives an equal AppConfig for every valid config, with two representational limits of the format:
/// headers are a JSON object, so they come back sorted by name, and a fixed `timeout` is only kept
/// when the endpoint is not adaptive.
QJsonObject configToJsonObject(const AppConfig& config);

} // namespace sd
