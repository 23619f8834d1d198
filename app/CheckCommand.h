// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CredentialLoading.h"
#include "core/EndpointConfig.h"
#include "policy/RateBudget.h"
#include "schedule/EngineTypes.h"

#include <QByteArray>
#include <QTextStream>

namespace sd {

/// `signaldeck --check`: probes every endpoint once (retries included), prints a table or the JSON
/// object of DESIGN.md "Public interfaces", and returns the Nagios exit code of the worst state. Endpoints
/// whose credential is not in `credentials` are not sent and report S2 with the reason.
int runCheck(const AppConfig& config, bool json, QTextStream& out, const CredentialLoadResult& credentials = {});

/// The `--check --json` document for finished results and the endpoint statuses they produced; with a
/// budget, a top-level `limits` object says whether the config's demand is over the global probe cap.
QByteArray checkJson(
    const ProbeResults& results, const EndpointStatuses& statuses, const std::optional<RateBudget>& limits = {});
/// The human table for the same (with the cap's note when the demand is over it).
QString checkTable(
    const ProbeResults& results, const EndpointStatuses& statuses, const std::optional<RateBudget>& limits = {});
/// The worst overall state over the statuses (Unknown when there are none).
SignalState worstState(const EndpointStatuses& statuses);

} // namespace sd
