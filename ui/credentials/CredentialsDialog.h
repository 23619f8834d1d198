// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/CredentialRotation.h"

#include <QDialog>
#include <QHash>

#include <optional>

class QGroupBox;
class QLabel;
class QPushButton;
class QTableView;
class QTableWidget;

namespace sd {

class Controller;
class CredentialTableModel;
class SecretField;

/// What the credentials dialog works with; app/ builds it.
struct CredentialsDialogSetup {
    /// The session: its store (where secrets live), its rotation (keychain, config file, audit trail), its
    /// engine's statuses (the S2 column). Must outlive the dialog.
    Controller* controller = nullptr;
    /// The demo simulator's accepted token, offered by "Use the demo's valid token"; empty outside the demo.
    QByteArray demoToken;
};

/// Manual rotation, as an operator does it ("Credentials…", Ctrl+K). The list (CredentialTableModel)
/// shows each credential's metadata and S2 state; Add stores a new one, Delete (asked first) removes its
/// keychain entries, Rollback brings the previous secret back. Rotate opens a step below the list: paste the
/// new secret (masked, with a show toggle) → Verify probes every endpoint that uses the credential with the
/// candidate and shows each answer classified → Commit, enabled only after a passing verification (or,
/// asked first, without one), writes the keychain, keeps the old secret as previous and re-probes those
/// endpoints at once. Every change goes through the controller's CredentialRotation (keychain, config file,
/// audit trail); the controller then applies the new metadata to the running config, so that it and the file
/// agree, and the new secret to the engine (Controller::applyCredentialChange); the dialog only shows it and
/// sends intents. The audit trail is listed at the bottom. No
/// secret is ever shown in a label, a title, a log line or the settings.
class CredentialsDialog : public QDialog {
    Q_OBJECT
public:
    CredentialsDialog(CredentialsDialogSetup setup, QWidget* parent = nullptr);
    ~CredentialsDialog() override;

    CredentialTableModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    CredentialRotation* rotation() const { return m_rotation; }
    SecretField* secretField() const { return m_secret; }
    QGroupBox* rotatePanel() const { return m_rotatePanel; }
    QTableWidget* verificationTable() const { return m_verificationTable; }
    QTableWidget* auditTable() const { return m_auditTable; }
    /// The buttons by object name: addCredential, rotateCredential, rollbackCredential, deleteCredential,
    /// verifyCandidate, commitCandidate, commitWithoutVerifying, cancelRotation, useDemoToken.
    QPushButton* button(const QString& objectName) const;
    /// The last message (what a change did, or why it did not).
    QString statusText() const;
    /// The verdict of the latest verification, empty when there is none for the text in the field.
    QString verdictText() const;
    const std::optional<CredentialVerification>& verification() const { return m_verification; }
    /// The credential being rotated, empty when the rotate step is closed.
    QString rotatingId() const { return m_rotatingId; }

    void selectCredential(const QString& id);
    QString selectedId() const;

public slots:
    void addCredential();
    /// Opens the rotate step for the selected credential.
    void beginRotation();
    void cancelRotation();
    void verifyCandidate();
    void commitCandidate();
    /// Asks first; then commits with no verification (recorded as "skipped" in the audit trail).
    void commitWithoutVerifying();
    void rollbackSelected();
    /// Asks first; then removes both keychain entries and the metadata.
    void deleteSelected();

signals:
    void verificationShown(const sd::CredentialVerification& verification);
    /// After every add, rotate, rollback or delete, done or not, once the controller applied it.
    void changeFinished(const sd::CredentialChange& change);

private:
    /// Asks the keychain whether `id` has a previous secret (Roll back is enabled only then).
    void checkPrevious(const QString& id);
    void buildList();
    void buildRotatePanel();
    void buildAudit();
    void showVerification(const CredentialVerification& verification);
    void applyChange(const CredentialChange& change);
    void refreshAudit();
    void setStatus(const QString& text, bool problem);
    void setBusy(bool busy, const QString& text = {});
    void invalidateVerification();
    void updateButtons();

    CredentialsDialogSetup m_setup;
    Controller* m_controller;
    CredentialRotation* m_rotation;
    CredentialTableModel* m_model;
    QTableView* m_table = nullptr;
    QGroupBox* m_rotatePanel = nullptr;
    SecretField* m_secret = nullptr;
    QTableWidget* m_verificationTable = nullptr;
    QLabel* m_verdict = nullptr;
    QTableWidget* m_auditTable = nullptr;
    QLabel* m_status = nullptr;
    QString m_rotatingId;
    std::optional<CredentialVerification> m_verification;
    bool m_busy = false;
    bool m_statusIsVerdict = false; ///< the status line speaks of the verdict on the current candidate
    QString m_rotationHint; ///< what the status line says while a rotation waits for a candidate
    QHash<QString, bool> m_hasPrevious; ///< credential id → the keychain holds `<id>.previous` (asked, not read)
};

} // namespace sd
