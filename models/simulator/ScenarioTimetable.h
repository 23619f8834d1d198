// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "simulator/SimulatedAnswer.h"

#include <QList>
#include <QString>

#include <chrono>

namespace sd {

/// The scripted incident that the simulator's `/scenario` route plays on a 60 s cycle counted from the
/// simulator's start (Simulator::restartScenario() moves the origin):
///
/// | from | to   | phase     | answer                                                                  |
/// |------|------|-----------|-------------------------------------------------------------------------|
/// |  0 s | 10 s | Healthy   | 200 chat.completion "pong"                                              |
/// | 10 s | 20 s | S1        | held 12 s, then 504 Gateway Timeout: a timeout for any probe timeout up |
/// |      |      |           | to 12 s, a gateway 504 for longer ones - S1 either way                  |
/// | 20 s | 30 s | S2        | 401 with `WWW-Authenticate: Bearer error="invalid_token"`               |
/// | 30 s | 40 s | S3        | 422 validation error                                                    |
/// | 40 s | 50 s | S4        | 429 with `Retry-After: 5`                                               |
/// | 50 s | 60 s | Recovered | 200 again, so the operator sees every signal clear                      |
///
/// Probing every 5-10 s sees each phase at least once per cycle.
enum class ScenarioPhase : quint8 { Healthy, S1, S2, S3, S4, Recovered };

struct ScenarioStep {
    std::chrono::milliseconds from;
    std::chrono::milliseconds to; ///< exclusive
    ScenarioPhase phase;
    QString description;
};

inline constexpr std::chrono::milliseconds kScenarioCycle { 60'000 };
/// How long the S1 phase holds a request before its 504.
inline constexpr std::chrono::milliseconds kScenarioHold { 12'000 };

/// The timetable above, in order, covering [0, kScenarioCycle).
const QList<ScenarioStep>& scenarioTimetable();
/// The phase at `sinceStart` (wraps every kScenarioCycle; negative values count as 0).
ScenarioPhase scenarioPhaseAt(std::chrono::milliseconds sinceStart);
/// What `/scenario` answers in a phase.
SimulatedAnswer scenarioAnswer(ScenarioPhase phase);

} // namespace sd
