// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/FailureSignal.h"

namespace sd {

QString signalCode(FailureSignal s)
{
    switch (s) {
    case FailureSignal::S1:
        return QStringLiteral("S1");
    case FailureSignal::S2:
        return QStringLiteral("S2");
    case FailureSignal::S3:
        return QStringLiteral("S3");
    case FailureSignal::S4:
        return QStringLiteral("S4");
    case FailureSignal::None:
        break;
    }
    return {};
}

std::optional<FailureSignal> signalFromCode(QStringView code)
{
    for (FailureSignal s : kAllSignals) {
        if (code.compare(signalCode(s), Qt::CaseInsensitive) == 0)
            return s;
    }
    return std::nullopt;
}

QString signalTitle(FailureSignal s)
{
    switch (s) {
    case FailureSignal::S1:
        return QStringLiteral("Timeout & connection");
    case FailureSignal::S2:
        return QStringLiteral("Auth & credentials");
    case FailureSignal::S3:
        return QStringLiteral("Input rejected");
    case FailureSignal::S4:
        return QStringLiteral("Throttled & degraded");
    case FailureSignal::None:
        break;
    }
    return QStringLiteral("None");
}

QString signalAction(FailureSignal s)
{
    switch (s) {
    case FailureSignal::S1:
        return QStringLiteral("Retry with exponential backoff and jitter; check the network path; widen the timeout "
                              "only if latency grew.");
    case FailureSignal::S2:
        return QStringLiteral("Do not retry: rotate the credential and check its scopes and roles.");
    case FailureSignal::S3:
        return QStringLiteral("Do not retry: fix the request or the API contract.");
    case FailureSignal::S4:
        return QStringLiteral("Back off, honour Retry-After, shed load.");
    case FailureSignal::None:
        break;
    }
    return {};
}

namespace {
struct OutcomeName {
    Outcome outcome;
    const char* code;
};
constexpr std::array<OutcomeName, 8> kOutcomeNames { {
    { Outcome::Ok, "ok" },
    { Outcome::Timeout, "timeout" },
    { Outcome::Connection, "connection" },
    { Outcome::Auth, "auth" },
    { Outcome::Input, "input" },
    { Outcome::Throttled, "throttled" },
    { Outcome::ServerError, "server_error" },
    { Outcome::AssertionFailed, "assertion_failed" },
} };
} // namespace

QString outcomeCode(Outcome o)
{
    for (const auto& n : kOutcomeNames) {
        if (n.outcome == o)
            return QString::fromLatin1(n.code);
    }
    return {};
}

std::optional<Outcome> outcomeFromCode(QStringView code)
{
    for (const auto& n : kOutcomeNames) {
        if (code == QLatin1StringView(n.code))
            return n.outcome;
    }
    return std::nullopt;
}

FailureSignal defaultSignalFor(Outcome o)
{
    switch (o) {
    case Outcome::Timeout:
    case Outcome::Connection:
        return FailureSignal::S1;
    case Outcome::Auth:
        return FailureSignal::S2;
    case Outcome::Input:
        return FailureSignal::S3;
    case Outcome::Throttled:
        return FailureSignal::S4;
    case Outcome::Ok:
    case Outcome::ServerError:
    case Outcome::AssertionFailed:
        break;
    }
    return FailureSignal::None;
}

QString stateCode(SignalState s)
{
    switch (s) {
    case SignalState::Ok:
        return QStringLiteral("ok");
    case SignalState::Warning:
        return QStringLiteral("warning");
    case SignalState::Critical:
        return QStringLiteral("critical");
    case SignalState::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

int nagiosExitCode(SignalState worst)
{
    switch (worst) {
    case SignalState::Ok:
        return 0;
    case SignalState::Warning:
        return 1;
    case SignalState::Critical:
        return 2;
    case SignalState::Unknown:
        break;
    }
    return 3;
}

} // namespace sd
