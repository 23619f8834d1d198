// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "schedule/EngineTypes.h"

#include <QList>
#include <QString>

#include <optional>

namespace sd {

/// Decides which desktop notifications to show, so that a storm of transitions never floods the desktop.
/// Only what an operator must hear about counts: a signal turning Critical, and a Critical signal
/// recovering to OK. The first such transition after a quiet spell is shown at once; after that at most
/// one notification per cooldown, which then sums up everything that happened meanwhile ("7 endpoints
/// turned critical: a (S1), b (S1), …; 2 recovered"). Pure logic: time is passed in.
class TransitionDigest {
public:
    struct Notice {
        QString title;
        QString body;
        SignalState worst = SignalState::Ok; ///< Critical when anything in it turned critical
        int transitions = 0;
    };

    explicit TransitionDigest(qint64 cooldownMs = 15'000, int namesShown = 5);

    /// Adds the batch's events that matter; returns how many counted.
    int add(const EngineEvents& events);
    /// A notice when one is due at `nowMs` (the caller asks again after cooldownRemaining()).
    std::optional<Notice> take(qint64 nowMs);
    /// How long until take() may give the pending notice; 0 when nothing is pending or it is due now.
    qint64 cooldownRemaining(qint64 nowMs) const;
    bool hasPending() const { return !m_critical.isEmpty() || !m_recovered.isEmpty(); }

private:
    struct Item {
        QString endpoint;
        FailureSignal signal;
        QString reason;
    };

    qint64 m_cooldownMs;
    int m_namesShown;
    std::optional<qint64> m_lastShownMs;
    QList<Item> m_critical;
    QList<Item> m_recovered;
};

} // namespace sd
