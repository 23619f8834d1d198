// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sources/FleetTypes.h"
#include "sources/PromQuery.h"

namespace sd {

/// The signaldeck_* metrics a `prometheus` source reads (docs/METRICS.md), in one query.
QStringList signalDeckSeriesNames();

/// Builds one RemoteEndpoint per (endpoint, location) from the samples of those metrics, as the headless
/// probers exported them: states 0/1/2 → Ok/Warning/Critical (absent: Unknown), the last status, latency,
/// outcome and probe time, the circuit and paused flag. Samples without an `endpoint` label, of other
/// metrics, or with values out of range are ignored. Sorted by endpoint, then location. Pure.
QList<RemoteEndpoint> buildSignalDeckEndpoints(const QList<PromSample>& samples);

/// A state gauge's value as a state: 0 Ok, 1 Warning, 2 Critical, anything else Unknown.
SignalState stateFromGauge(double value);

} // namespace sd
