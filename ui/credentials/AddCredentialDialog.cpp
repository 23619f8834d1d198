// SPDX-License-Identifier: GPL-3.0-or-later
#include "AddCredentialDialog.h"

#include "SecretField.h"
#include "credentials/CredentialSecret.h"
#include "ui/charts/PaletteStyle.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>

namespace sd {

AddCredentialDialog::AddCredentialDialog(QStringList takenIds, QWidget* parent)
    : QDialog(parent)
    , m_taken(std::move(takenIds))
    , m_id(new QLineEdit(this))
    , m_label(new QLineEdit(this))
    , m_scheme(new QComboBox(this))
    , m_header(new QLineEdit(this))
    , m_rotationDays(new QSpinBox(this))
    , m_secret(new SecretField(this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("addCredentialDialog"));
    setWindowTitle(tr("Add credential"));
    m_id->setObjectName(QStringLiteral("credentialId"));
    m_id->setPlaceholderText(tr("llm-prod"));
    m_label->setObjectName(QStringLiteral("credentialLabel"));
    m_label->setPlaceholderText(tr("LLM API (prod)"));
    m_scheme->setObjectName(QStringLiteral("credentialScheme"));
    m_scheme->addItem(tr("Bearer token (Authorization: Bearer …)"), QStringLiteral("bearer"));
    m_scheme->addItem(tr("Basic (user:password)"), QStringLiteral("basic"));
    m_scheme->addItem(tr("Custom header"), QStringLiteral("header:"));
    m_header->setObjectName(QStringLiteral("headerName"));
    m_header->setPlaceholderText(tr("X-Api-Key"));
    m_rotationDays->setObjectName(QStringLiteral("rotationDays"));
    m_rotationDays->setRange(1, 3650);
    m_rotationDays->setValue(CredentialConfig {}.rotationDays);
    m_rotationDays->setSuffix(tr(" days"));
    m_secret->setObjectName(QStringLiteral("newSecret"));
    m_secret->setPlaceholderText(tr("Paste the secret"));
    m_problem->setObjectName(QStringLiteral("problemLabel"));
    m_problem->setWordWrap(true);
    followPalette(
        m_problem, [this] { m_problem->setStyleSheet(toneStyleSheet(TextTone::Problem, QGuiApplication::palette())); });

    auto* form = new QFormLayout(this);
    form->addRow(tr("ID:"), m_id);
    form->addRow(tr("Label:"), m_label);
    form->addRow(tr("Scheme:"), m_scheme);
    form->addRow(tr("Header name:"), m_header);
    form->addRow(tr("Rotate every:"), m_rotationDays);
    form->addRow(tr("Secret:"), m_secret);
    form->addRow(new QLabel(tr("The secret goes to the OS keychain only; the config keeps its fingerprint."), this));
    form->addRow(m_problem);
    form->addRow(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (problem().isEmpty())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit* edit : { m_id, m_header })
        connect(edit, &QLineEdit::textChanged, this, &AddCredentialDialog::updateState);
    connect(m_scheme, &QComboBox::currentIndexChanged, this, &AddCredentialDialog::updateState);
    connect(m_secret, &SecretField::edited, this, &AddCredentialDialog::updateState);
    updateState();
}

CredentialConfig AddCredentialDialog::credential() const
{
    CredentialConfig c;
    c.id = m_id->text().trimmed();
    c.label = m_label->text().trimmed();
    c.scheme = m_scheme->currentData().toString();
    if (c.scheme == u"header:")
        c.scheme += m_header->text().trimmed();
    c.rotationDays = m_rotationDays->value();
    return c;
}

QByteArray AddCredentialDialog::secret() const
{
    return m_secret->secret();
}

QString AddCredentialDialog::problem() const
{
    const CredentialConfig c = credential();
    static const QRegularExpression idPattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*$"));
    if (c.id.isEmpty())
        return tr("Give the credential an ID (endpoints refer to it by that).");
    if (!idPattern.match(c.id).hasMatch())
        return tr("The ID may hold letters, digits, '.', '_' and '-' only.");
    if (c.id.endsWith(u".previous"))
        return tr("IDs ending in \".previous\" are reserved for the secret a rotation replaced.");
    if (m_taken.contains(c.id))
        return tr("There is already a credential \"%1\"; rotate it instead.").arg(c.id);
    if (c.scheme == u"header:")
        return tr("Name the header that carries the secret.");
    const QByteArray s = secret();
    if (s.isEmpty())
        return tr("Paste the secret.");
    return secretProblem(c.scheme, s);
}

void AddCredentialDialog::updateState()
{
    m_header->setEnabled(m_scheme->currentData().toString() == u"header:");
    const QString why = problem();
    m_problem->setText(why);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
}

} // namespace sd
