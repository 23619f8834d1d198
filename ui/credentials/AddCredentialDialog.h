// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace sd {

class SecretField;

/// Asks for a new credential: id, label, scheme (bearer, basic or a custom header), rotation policy and
/// the secret (masked). OK stays refused, with the reason shown, while the id is empty or taken or the
/// secret does not fit the scheme. The caller stores the result through CredentialRotation::add().
class AddCredentialDialog : public QDialog {
    Q_OBJECT
public:
    explicit AddCredentialDialog(QStringList takenIds, QWidget* parent = nullptr);

    /// The metadata as entered (times and fingerprint are set when the secret is stored).
    CredentialConfig credential() const;
    QByteArray secret() const;
    /// Why OK is refused, or empty.
    QString problem() const;

    QLineEdit* idEdit() const { return m_id; }
    QLineEdit* labelEdit() const { return m_label; }
    QComboBox* schemeBox() const { return m_scheme; }
    QLineEdit* headerEdit() const { return m_header; }
    SecretField* secretField() const { return m_secret; }

private:
    void updateState();

    QStringList m_taken;
    QLineEdit* m_id;
    QLineEdit* m_label;
    QComboBox* m_scheme;
    QLineEdit* m_header;
    QSpinBox* m_rotationDays;
    SecretField* m_secret;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
};

} // namespace sd
