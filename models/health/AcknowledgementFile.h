// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QHash>
#include <QString>

/// The acknowledgements an operator gave, kept across restarts so that one who restarts during an incident
/// is not paged again: a small JSON file next to the history database (not in the config the operator edits,
/// not in QSettings), keyed by the stable endpoint id (endpointKey()):
/// `{"version": 1, "acknowledged": [{"endpoint": "<id>", "at": "2026-03-01T22:04:00.000Z"}]}`.
/// Written atomically (QSaveFile); an empty set removes the file. No secret is ever in it.
namespace sd::AcknowledgementFile {

/// "acknowledgements.json"
QString fileName();
/// The acknowledgements in the file; empty, without an error, when there is no file. A file that does not
/// read (damaged, another format) gives what could be read and an `error` naming the path and the problem.
QHash<QString, QDateTime> read(const QString& path, QString* error = nullptr);
/// False with an `error` naming the path when it cannot be written.
bool write(const QString& path, const QHash<QString, QDateTime>& acknowledged, QString* error = nullptr);

} // namespace sd::AcknowledgementFile
