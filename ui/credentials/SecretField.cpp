// SPDX-License-Identifier: GPL-3.0-or-later
#include "SecretField.h"

#include <QHBoxLayout>
#include <QLineEdit>
#include <QToolButton>

namespace sd {

SecretField::SecretField(QWidget* parent)
    : QWidget(parent)
    , m_edit(new QLineEdit(this))
    , m_show(new QToolButton(this))
{
    m_edit->setObjectName(QStringLiteral("secretEdit"));
    m_edit->setEchoMode(QLineEdit::Password);
    m_edit->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhSensitiveData | Qt::ImhNoPredictiveText);
    m_edit->setClearButtonEnabled(true);
    m_show->setObjectName(QStringLiteral("showSecret"));
    m_show->setText(tr("Show"));
    m_show->setCheckable(true);
    m_show->setToolTip(tr("Show or hide the secret as typed"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_show);
    setFocusProxy(m_edit);
    connect(m_show, &QToolButton::toggled, this, &SecretField::setRevealed);
    connect(m_edit, &QLineEdit::textEdited, this, &SecretField::edited);
}

QByteArray SecretField::secret() const
{
    QByteArray text = m_edit->text().toUtf8();
    while (text.endsWith('\n') || text.endsWith('\r'))
        text.chop(1);
    return text;
}

void SecretField::setSecret(const QByteArray& secret)
{
    m_edit->setText(QString::fromUtf8(secret));
    emit edited();
}

void SecretField::clear()
{
    m_edit->clear();
    setRevealed(false);
    emit edited();
}

bool SecretField::isRevealed() const
{
    return m_edit->echoMode() == QLineEdit::Normal;
}

void SecretField::setRevealed(bool revealed)
{
    m_edit->setEchoMode(revealed ? QLineEdit::Normal : QLineEdit::Password);
    m_show->setText(revealed ? tr("Hide") : tr("Show"));
    if (m_show->isChecked() != revealed)
        m_show->setChecked(revealed);
}

void SecretField::setPlaceholderText(const QString& text)
{
    m_edit->setPlaceholderText(text);
}

} // namespace sd
