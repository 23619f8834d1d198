// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>

#include <array>
#include <optional>

namespace sd {

/// The four failure signals of the docs/SIGNALS.md contract, plus None for a probe that raised none.
/// The numeric values are stable: S1..S4 map to 1..4 and index arrays via signalIndex().
enum class FailureSignal : quint8 {
    None = 0,
    S1 = 1, ///< Timeout & connection
    S2 = 2, ///< Auth & credentials
    S3 = 3, ///< Input rejected
    S4 = 4, ///< Throttled & degraded
};

inline constexpr int kSignalCount = 4;
inline constexpr std::array<FailureSignal, kSignalCount> kAllSignals { FailureSignal::S1, FailureSignal::S2,
    FailureSignal::S3, FailureSignal::S4 };

/// 0..3 for S1..S4; -1 for None.
constexpr int signalIndex(FailureSignal s)
{
    return static_cast<int>(s) - 1;
}

/// "S1".."S4", or an empty string for None (files and JSON output use these codes).
QString signalCode(FailureSignal s);
/// Parses "S1".."S4" (case-insensitive); nullopt for anything else.
std::optional<FailureSignal> signalFromCode(QStringView code);
/// Human title: "Timeout & connection", ...
QString signalTitle(FailureSignal s);
/// The recommended action shown to the operator for this signal.
QString signalAction(FailureSignal s);

/// What happened to one probe. The string forms are the public `--check --json` vocabulary.
enum class Outcome : quint8 {
    Ok,
    Timeout, ///< our deadline expired (S1)
    Connection, ///< refused, reset, closed, DNS, TLS, garbage, 502/504 (S1)
    Auth, ///< 401/403/407 or a local credential problem (S2)
    Input, ///< 4xx contract errors, JSON-RPC envelope errors, pre-validation (S3)
    Throttled, ///< 429/503, rate limit exhausted (S4)
    ServerError, ///< 500 and other 5xx, JSON-RPC -32603 (no signal; counts in the error rate)
    AssertionFailed, ///< expected status or body check failed (no signal; counts in the error rate)
};

/// "ok", "timeout", "connection", "auth", "input", "throttled", "server_error", "assertion_failed".
QString outcomeCode(Outcome o);
std::optional<Outcome> outcomeFromCode(QStringView code);
/// The signal an outcome raises by default (ServerError and AssertionFailed raise none).
FailureSignal defaultSignalFor(Outcome o);

/// Per-signal and per-endpoint health state. Unknown means "no probe finished yet".
enum class SignalState : quint8 { Unknown = 0, Ok = 1, Warning = 2, Critical = 3 };

/// "unknown", "ok", "warning", "critical".
QString stateCode(SignalState s);
/// The worse of two states (Critical > Warning > Ok > Unknown).
constexpr SignalState worse(SignalState a, SignalState b)
{
    return a > b ? a : b;
}
/// Nagios plugin exit code for a worst state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
int nagiosExitCode(SignalState worst);

} // namespace sd

Q_DECLARE_METATYPE(sd::FailureSignal)
Q_DECLARE_METATYPE(sd::Outcome)
Q_DECLARE_METATYPE(sd::SignalState)
