// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CredentialLoading.h"
#include "core/EndpointConfig.h"
#include "schedule/EngineTypes.h"

#include <QByteArray>
#include <QTextStream>

namespace sd {

/// `signaldeck --check`: probes every endpoint once (retries included), prints a table or the JSON
/// object of docs/CLI.md (schema: resources/schemas/check-result.schema.json), and returns the Nagios exit code of the
/// worst state. Endpoints whose credential is not in `credentials` are not sent and report S2 with the reason.
int runCheck(const AppConfig& config, bool json, QTextStream& out, const CredentialLoadResult& credentials = {});

/// The `--check --json` document for finished results and the endpoint statuses they produced.
QByteArray checkJson(const ProbeResults& results, const EndpointStatuses& statuses);
/// The human table for the same.
QString checkTable(const ProbeResults& results, const EndpointStatuses& statuses);
/// The worst overall state over the statuses (Unknown when there are none).
SignalState worstState(const EndpointStatuses& statuses);

} // namespace sd
