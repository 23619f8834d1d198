// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/FailureSignal.h"

#include <QString>
#include <QStringList>

#include <array>
#include <optional>

namespace sd {

/// What the filter needs to know about one endpoint row (EndpointTableModel provides these as roles).
struct EndpointFilterFacts {
    QString searchText; ///< lower-case: name, host, url, tags, signal reasons
    QStringList tags;
    SignalState overall = SignalState::Unknown;
    std::array<SignalState, kSignalCount> states {}; ///< S1..S4
};

/// The rule behind the endpoint table's filter bar, as plain data with a pure decision so that it is
/// tested without any model. All parts must hold for a row to show:
/// - text: every whitespace-separated word occurs in the search text (case-insensitive); a word
///   `tag:x` instead requires a tag equal to x (case-insensitive; a bare `tag:` is ignored while typing);
/// - tag: the endpoint has this tag (case-insensitive); empty = any;
/// - minimumState: the endpoint's overall state is at least this (Warning shows Warning and Critical);
/// - signal: when not None, that signal is Warning or Critical on the endpoint.
struct EndpointFilter {
    QString text;
    QString tag;
    std::optional<SignalState> minimumState;
    FailureSignal signal = FailureSignal::None;

    /// True when the filter lets every row through.
    bool isEmpty() const;
    bool accepts(const EndpointFilterFacts& facts) const;

    bool operator==(const EndpointFilter&) const = default;
};

} // namespace sd
