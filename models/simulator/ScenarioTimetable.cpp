// SPDX-License-Identifier: GPL-3.0-or-later
#include "simulator/ScenarioTimetable.h"

#include "simulator/CannedAnswers.h"

namespace sd {

using namespace std::chrono_literals;

const QList<ScenarioStep>& scenarioTimetable()
{
    static const QList<ScenarioStep> steps {
        { 0s, 10s, ScenarioPhase::Healthy, QStringLiteral("healthy: 200 pong") },
        { 10s, 20s, ScenarioPhase::S1, QStringLiteral("S1: held 12 s, then 504 Gateway Timeout") },
        { 20s, 30s, ScenarioPhase::S2, QStringLiteral("S2: 401 invalid_token") },
        { 30s, 40s, ScenarioPhase::S3, QStringLiteral("S3: 422 validation error") },
        { 40s, 50s, ScenarioPhase::S4, QStringLiteral("S4: 429 with Retry-After: 5") },
        { 50s, 60s, ScenarioPhase::Recovered, QStringLiteral("recovered: 200 pong") },
    };
    return steps;
}

ScenarioPhase scenarioPhaseAt(std::chrono::milliseconds sinceStart)
{
    const auto position = sinceStart.count() < 0 ? 0ms : sinceStart % kScenarioCycle;
    for (const auto& step : scenarioTimetable()) {
        if (position >= step.from && position < step.to)
            return step.phase;
    }
    return ScenarioPhase::Healthy;
}

SimulatedAnswer scenarioAnswer(ScenarioPhase phase)
{
    switch (phase) {
    case ScenarioPhase::Healthy:
    case ScenarioPhase::Recovered:
        return canned::healthy();
    case ScenarioPhase::S1: {
        auto answer = canned::gateway(504);
        answer.delay = kScenarioHold;
        return answer;
    }
    case ScenarioPhase::S2:
        return canned::authInvalid();
    case ScenarioPhase::S3:
        return canned::input422();
    case ScenarioPhase::S4:
        return canned::throttled(5);
    }
    return canned::healthy();
}

} // namespace sd
