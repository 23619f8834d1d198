// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/CredentialAuditLog.h"
#include "credentials/CredentialError.h"
#include "credentials/CredentialVerifier.h"

#include <QDateTime>
#include <QObject>

#include <functional>
#include <optional>

namespace sd {

class CredentialStore;

/// What a credential change did. `secret` is the secret now in force after add, rotate and rollback,
/// handed over so that the engine can use it at once; it is held in memory only and must never be logged.
struct CredentialChange {
    enum class Action : quint8 { Add, Rotate, Rollback, Delete };
    enum class Status : quint8 {
        Done,
        Refused, ///< verification failed, or the credential is still in use: nothing changed
        Invalid, ///< bad input (empty secret, duplicate id, …): nothing changed
        NotFound, ///< no such credential in the config, or no secret (or no previous one) in the keychain
        Keychain, ///< the keychain failed (see keychainError)
        Config, ///< the config could not be read or saved
    };
    Action action = Action::Rotate;
    Status status = Status::Done;
    CredentialError keychainError = CredentialError::None;
    QString credential;
    QString message; ///< what happened, for the operator
    QString oldFingerprint;
    QString newFingerprint;
    std::optional<CredentialConfig> metadata; ///< after the change (none after a delete)
    QByteArray secret;
    bool ok() const { return status == Status::Done; }
};

/// "add", "rotate", "rollback", "delete".
QString credentialActionCode(CredentialChange::Action action);

/// The steps of a manual rotation, without widgets: the credentials dialog and `signaldeck credentials`
/// drive it. Each change reads the config file afresh, changes the keychain first and the metadata after,
/// saves the config atomically, and appends to the audit trail; one operation runs at a time.
///  - verify(): probes the endpoints that use the credential with a candidate secret (CredentialVerifier);
///    nothing is written.
///  - add(): stores a new credential's secret and appends its metadata to the config.
///  - commit(): the current secret becomes `<id>.previous`, the candidate becomes current, and the
///    metadata (rotated, fingerprint, expiry) is updated. Given a failed verification it refuses.
///  - rollback(): the previous secret becomes current again (and the current one previous, so a rollback
///    can itself be undone).
///  - remove(): deletes both keychain entries and the metadata; refused while endpoints use the credential.
/// When a config save fails after the keychain changed, the keychain is put back as it was (best effort).
class CredentialRotation : public QObject {
    Q_OBJECT
public:
    CredentialRotation(CredentialStore* store, QString configPath, CredentialAuditLog audit, QObject* parent = nullptr);
    ~CredentialRotation() override;

    /// The clock for metadata and audit times (default: the system clock, UTC).
    void setClock(std::function<QDateTime()> nowUtc) { m_now = std::move(nowUtc); }
    bool busy() const { return m_busy; }
    QString configPath() const { return m_configPath; }
    const CredentialAuditLog& audit() const { return m_audit; }

    /// Each returns false (and does nothing) while another operation is under way.
    bool verify(const QString& id, const QByteArray& candidate);
    bool add(const CredentialConfig& credential, const QByteArray& secret);
    bool commit(
        const QString& id, const QByteArray& candidate, const std::optional<CredentialVerification>& verification);
    bool rollback(const QString& id);
    bool remove(const QString& id);

signals:
    void verified(const sd::CredentialVerification& verification);
    void finished(const sd::CredentialChange& change);

private:
    struct Loaded;
    std::optional<Loaded> load(CredentialChange& change);
    void finish(CredentialChange change);
    void failKeychain(CredentialChange change, const CredentialReply& reply);
    void saveAndAudit(CredentialChange change, const AppConfig& config, const QString& verification,
        const std::function<void()>& undoKeychain);

    CredentialStore* m_store;
    QString m_configPath;
    CredentialAuditLog m_audit;
    CredentialVerifier* m_verifier;
    std::function<QDateTime()> m_now;
    bool m_busy = false;
};

} // namespace sd

Q_DECLARE_METATYPE(sd::CredentialChange)
