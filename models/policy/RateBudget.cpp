// SPDX-License-Identifier: GPL-3.0-or-later
#include "policy/RateBudget.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace sd {

namespace {

QString rateText(double perSecond)
{
    const QLocale english(QLocale::English);
    // Whole numbers with thousands separators; small rates keep a significant digit or two.
    if (perSecond >= 100.0 || perSecond == std::round(perSecond))
        return english.toString(std::round(perSecond), 'f', 0);
    return english.toString(perSecond, 'g', 2);
}

} // namespace

double probeDemandPerSecond(const QList<EndpointConfig>& endpoints)
{
    double demand = 0.0;
    for (const EndpointConfig& endpoint : endpoints) {
        if (endpoint.interval.count() > 0)
            demand += 1000.0 / static_cast<double>(endpoint.interval.count());
    }
    return demand;
}

RateBudget rateBudgetFor(const AppConfig& config)
{
    RateBudget budget;
    budget.demandPerSecond = probeDemandPerSecond(config.endpoints);
    if (config.limits.maxProbesPerSecond && *config.limits.maxProbesPerSecond > 0.0) {
        budget.maxProbesPerSecond = *config.limits.maxProbesPerSecond;
        budget.capFromConfig = true;
    } else {
        budget.maxProbesPerSecond
            = std::clamp(std::ceil(budget.demandPerSecond * kDemandHeadroom), kDefaultRateFloor, kDefaultRateCeiling);
    }
    if (budget.demandPerSecond > budget.maxProbesPerSecond)
        budget.intervalFactor = budget.demandPerSecond / budget.maxProbesPerSecond;
    return budget;
}

std::chrono::milliseconds stretchedInterval(std::chrono::milliseconds interval, const RateBudget& budget)
{
    if (budget.intervalFactor <= 1.0)
        return interval;
    return std::chrono::milliseconds(std::llround(static_cast<double>(interval.count()) * budget.intervalFactor));
}

QString rateBudgetNote(const RateBudget& budget)
{
    const QString cap = rateText(budget.maxProbesPerSecond);
    if (budget.intervalFactor > 1.0) {
        const QString factor = QLocale(QLocale::English).toString(budget.intervalFactor, 'g', 3);
        return QStringLiteral("demand %1/s over the cap of %2/s: intervals ×%3")
            .arg(rateText(budget.demandPerSecond), cap, factor);
    }
    return QStringLiteral("demand %1/s within the cap of %2/s%3")
        .arg(rateText(budget.demandPerSecond), cap, budget.capFromConfig ? QString() : QStringLiteral(" (default)"));
}

} // namespace sd
