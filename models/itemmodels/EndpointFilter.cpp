// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/EndpointFilter.h"

namespace sd {

namespace {

bool hasTag(const QStringList& tags, QStringView tag)
{
    for (const QString& t : tags) {
        if (QStringView(t).compare(tag, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool textMatches(const QString& text, const EndpointFilterFacts& facts)
{
    static constexpr QStringView kTagPrefix = u"tag:";
    const QStringList words = text.simplified().split(u' ', Qt::SkipEmptyParts);
    for (const QString& word : words) {
        if (word.startsWith(kTagPrefix, Qt::CaseInsensitive)) {
            const QStringView tag = QStringView(word).mid(kTagPrefix.size());
            if (!tag.isEmpty() && !hasTag(facts.tags, tag))
                return false;
        } else if (!facts.searchText.contains(word, Qt::CaseInsensitive)) {
            return false;
        }
    }
    return true;
}

} // namespace

bool EndpointFilter::isEmpty() const
{
    return text.trimmed().isEmpty() && tag.trimmed().isEmpty()
        && (!minimumState || *minimumState == SignalState::Unknown) && signal == FailureSignal::None;
}

bool EndpointFilter::accepts(const EndpointFilterFacts& facts) const
{
    if (minimumState && facts.overall < *minimumState)
        return false;
    if (signal != FailureSignal::None) {
        const int index = signalIndex(signal);
        if (index < 0 || index >= kSignalCount)
            return false;
        if (facts.states[static_cast<std::size_t>(index)] < SignalState::Warning)
            return false;
    }
    const QString wantedTag = tag.trimmed();
    if (!wantedTag.isEmpty() && !hasTag(facts.tags, wantedTag))
        return false;
    return textMatches(text, facts);
}

} // namespace sd
