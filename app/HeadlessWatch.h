// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ListenAddress.h"
#include "controller/CredentialLoading.h"
#include "core/EndpointConfig.h"
#include "schedule/EngineTypes.h"

#include <QTextStream>

#include <chrono>
#include <optional>

namespace sd {

/// `signaldeck --headless`: runs the engine with no widgets, prints every signal and circuit transition
/// as it happens and, on exit (duration over, SIGINT or SIGTERM), a summary per endpoint. With `json`
/// each event is one JSON line and the summary one JSON object. Returns the Nagios code of the worst state.
/// Endpoints whose credential is not in `credentials` stay paused with S2 and the reason. Every probe is
/// recorded in the history database in `dataDir` (empty = the default), like the window does, so that
/// `signaldeck export` and a later window show what a server watched.
///
/// SIGHUP re-reads `configPath` (empty: the built-in demo, which has none). A file that does not read is
/// refused with its errors on standard error and the running config stays; one that reads is applied endpoint
/// by endpoint (unchanged endpoints keep their states, circuit and schedule), its secrets are read from the
/// keychain again, and standard error says "config reloaded: 3 endpoints (+1 −0 ~1)". See docs/CLI.md.
/// The engine, the history and the secrets are a Controller's, the same class the window drives.
///
/// With `listen`, serves `/metrics`, `/-/healthy` and `/-/ready` there (docs/METRICS.md); an address that
/// cannot be bound is an error on standard error and exit code 3 before any probe.
int runHeadless(const AppConfig& config, std::optional<std::chrono::seconds> duration, bool json, QTextStream& out,
    const CredentialLoadResult& credentials = {}, const QString& dataDir = {}, const QString& configPath = {},
    const std::optional<ListenAddress>& listen = std::nullopt);

/// The per-endpoint summary table (also used by tests).
QString headlessSummaryTable(const EndpointStatuses& statuses);
/// One line for an event: "12:00:01.234  hang  S1  ok → critical  3 consecutive timeouts".
QString eventLine(const EngineEvent& event);

} // namespace sd
