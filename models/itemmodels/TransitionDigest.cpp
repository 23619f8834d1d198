// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/TransitionDigest.h"

#include <QCoreApplication>

namespace sd {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("sd::TransitionDigest", text);
}

} // namespace

TransitionDigest::TransitionDigest(qint64 cooldownMs, int namesShown)
    : m_cooldownMs(cooldownMs)
    , m_namesShown(namesShown)
{
}

int TransitionDigest::add(const EngineEvents& events)
{
    int counted = 0;
    const QString critical = stateCode(SignalState::Critical);
    for (const EngineEvent& e : events) {
        // The endpoint's overall transition comes with the signal's that caused it: count the signal's.
        if (e.kind != EngineEvent::Kind::Signal || e.signal == FailureSignal::None)
            continue;
        if (e.toState == SignalState::Critical && e.from != critical) {
            m_critical.append({ e.endpoint, e.signal, e.reason });
            ++counted;
        } else if (e.from == critical && e.toState == SignalState::Ok) {
            m_recovered.append({ e.endpoint, e.signal, e.reason });
            ++counted;
        }
    }
    return counted;
}

qint64 TransitionDigest::cooldownRemaining(qint64 nowMs) const
{
    if (!hasPending() || !m_lastShownMs)
        return 0;
    return std::max<qint64>(0, *m_lastShownMs + m_cooldownMs - nowMs);
}

std::optional<TransitionDigest::Notice> TransitionDigest::take(qint64 nowMs)
{
    if (!hasPending() || cooldownRemaining(nowMs) > 0)
        return std::nullopt;
    auto names = [this](const QList<Item>& items) {
        QStringList parts;
        for (qsizetype i = 0; i < items.size() && i < m_namesShown; ++i)
            parts << items[i].endpoint + u" ("_qs + signalCode(items[i].signal) + u")"_qs;
        if (items.size() > m_namesShown)
            parts << tr("and %1 more").arg(items.size() - m_namesShown);
        return parts.join(u", "_qs);
    };
    Notice n;
    n.transitions = static_cast<int>(m_critical.size() + m_recovered.size());
    n.worst = m_critical.isEmpty() ? SignalState::Ok : SignalState::Critical;
    if (n.transitions == 1) {
        const Item& only = m_critical.isEmpty() ? m_recovered.first() : m_critical.first();
        n.title = m_critical.isEmpty()
            ? tr("%1 recovered").arg(only.endpoint)
            : tr("%1: %2 %3 is critical").arg(only.endpoint, signalCode(only.signal), signalTitle(only.signal));
        n.body = m_critical.isEmpty() ? tr("%1 %2 is OK again.").arg(signalCode(only.signal), signalTitle(only.signal))
                                      : only.reason + u"\n"_qs + signalAction(only.signal);
    } else {
        QStringList title;
        QStringList body;
        if (!m_critical.isEmpty()) {
            title << tr("%1 turned critical").arg(m_critical.size());
            body << tr("Critical: %1").arg(names(m_critical));
        }
        if (!m_recovered.isEmpty()) {
            title << tr("%1 recovered").arg(m_recovered.size());
            body << tr("Recovered: %1").arg(names(m_recovered));
        }
        n.title = tr("SignalDeck: ") + title.join(u", "_qs);
        n.body = body.join(u'\n');
    }
    m_critical.clear();
    m_recovered.clear();
    m_lastShownMs = nowMs;
    return n;
}

} // namespace sd
