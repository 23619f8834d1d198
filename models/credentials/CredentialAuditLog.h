// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace sd {

/// One line of the audit trail. Fingerprints only, never a secret.
struct CredentialAuditEntry {
    QDateTime time; ///< UTC
    QString user; ///< the OS user who made the change
    QString credential; ///< the credential id
    QString action; ///< "add", "rotate", "rollback", "delete"
    QString oldFingerprint; ///< empty when there was no secret before
    QString newFingerprint; ///< empty after a delete
    QString verification; ///< "passed: …", "skipped", "not applicable", …

    QJsonObject toJson() const;
    static std::optional<CredentialAuditEntry> fromJson(const QJsonObject& object);
    bool operator==(const CredentialAuditEntry&) const = default;
};

/// The audit trail of credential changes: JSON lines (one object per line, keys `time`, `user`,
/// `credential`, `action`, `oldFingerprint`, `newFingerprint`, `verification`) appended to
/// `credentials-audit.jsonl` beside the application's data (QStandardPaths::AppDataLocation), readable
/// only by its owner. Both the command line and the credentials dialog write it.
class CredentialAuditLog {
public:
    explicit CredentialAuditLog(QString path = defaultPath());

    /// AppDataLocation + "/credentials-audit.jsonl".
    static QString defaultPath();
    /// The name of the OS user running this process.
    static QString currentUser();

    QString path() const { return m_path; }
    /// Appends one line, creating the file and its directory; false with `error` set on failure.
    bool append(const CredentialAuditEntry& entry, QString* error = nullptr) const;
    /// Every readable entry, oldest first (lines that do not parse are skipped).
    QList<CredentialAuditEntry> entries() const;

private:
    QString m_path;
};

} // namespace sd
