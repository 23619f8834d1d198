// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QMetaEnum>

namespace sd {

/// roleNames() generated from a model's documented `Role` Q_ENUM: each key with its "Role" suffix
/// dropped and a lower-case first letter ("SortRole" → "sort", "EndpointIdRole" → "endpointId"), added
/// to the standard names in `base`. One place, so that no model keeps a hand-written list that drifts.
QHash<int, QByteArray> roleNamesFromEnum(const QMetaEnum& roles, QHash<int, QByteArray> base);

} // namespace sd
