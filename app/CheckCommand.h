// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "controller/CredentialLoading.h"
#include "core/EndpointConfig.h"
#include "policy/RateBudget.h"
#include "schedule/EngineTypes.h"

#include <QByteArray>
#include <QTextStream>

#include <chrono>
#include <optional>

namespace sd {

/// One line of a `--check` report: the endpoint's last result and status, or (finished == false) an
/// endpoint the check's deadline or a SIGTERM cut short, whose state is unknown.
struct CheckRow {
    ProbeResult result;
    EndpointStatus status;
    bool finished = true;
};
using CheckRows = QList<CheckRow>;

/// `signaldeck --check`: probes every endpoint once (retries included) within an overall deadline
/// (`deadline`, default defaultCheckDeadline()), prints a table or the JSON object of docs/CLI.md (schema:
/// resources/schemas/check-result.schema.json) and returns the Nagios exit code.
/// On SIGTERM or at the deadline it prints what it has, the endpoints not finished as unknown.
int runCheck(const AppConfig& config, bool json, QTextStream& out, const CredentialLoadResult& credentials = {},
    std::optional<std::chrono::milliseconds> deadline = std::nullopt);

/// The largest timeout × attempts over the endpoints, plus the retry backoff ceilings and a margin.
std::chrono::milliseconds defaultCheckDeadline(const AppConfig& config);

/// The rows of a finished one-shot run, with the one-probe verdict applied: a probe that ended in
/// server_error or assertion_failed is 100 % errors, so S4 Critical with the probe's own reason
/// ("HTTP 500: internal server error") — a sliding window of one probe cannot raise S4 by itself.
CheckRows checkRows(const ProbeResults& results, const EndpointStatuses& statuses);
void applySingleProbeVerdict(CheckRow& row);

/// The `--check --json` document; with a budget, a top-level `limits` object says whether the config's
/// demand is over the global probe cap.
QByteArray checkJson(const CheckRows& rows, const std::optional<RateBudget>& limits = {});
/// The human table for the same (with the cap's note when the demand is over it).
QString checkTable(const CheckRows& rows, const std::optional<RateBudget>& limits = {});
/// The worst finished state; Unknown beats Ok when an endpoint did not finish (Nagios: CRITICAL >
/// WARNING > UNKNOWN > OK).
SignalState worstState(const CheckRows& rows);
/// The worst overall state of the endpoints (the headless summary).
SignalState worstState(const EndpointStatuses& statuses);

} // namespace sd
