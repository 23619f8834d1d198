// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QWidget>

class QLineEdit;
class QToolButton;

namespace sd {

/// A masked one-line field for a secret, with a "Show" toggle. The text is hidden by default and again
/// after clear(); input methods are told it is sensitive (no prediction, no history). The secret lives only
/// in the line edit and in what secret() hands out; the widget never logs or stores it.
class SecretField : public QWidget {
    Q_OBJECT
public:
    explicit SecretField(QWidget* parent = nullptr);

    /// The text as UTF-8, without the line break a paste may carry at its end.
    QByteArray secret() const;
    void setSecret(const QByteArray& secret);
    /// Empties the field and masks it again.
    void clear();
    bool isRevealed() const;
    void setRevealed(bool revealed);
    void setPlaceholderText(const QString& text);

    QLineEdit* lineEdit() const { return m_edit; }
    QToolButton* showButton() const { return m_show; }

signals:
    void edited();

private:
    QLineEdit* m_edit;
    QToolButton* m_show;
};

} // namespace sd
