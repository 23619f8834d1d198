// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

class QLabel;
class QPushButton;

namespace sd {

class MainWindow;

/// What a first start shows instead of an empty table: what the window is for, and three ways on: start
/// the demo (a simulated API on this machine that plays every failure signal), add the first endpoint
/// (saved to the default config file), or open a config file. It lies over the endpoint table while the
/// config has no endpoint and is never covered by a notification (those go to the status bar).
class FirstRunPanel : public QFrame {
    Q_OBJECT
public:
    explicit FirstRunPanel(MainWindow* window);

    /// Loads `path` and makes it the window's config (edits are saved there); false, with the error shown
    /// in the panel (what and where), when it does not read.
    bool openConfig(const QString& path);
    QString errorText() const;
    QPushButton* demoButton() const { return m_demo; }
    QPushButton* addButton() const { return m_add; }
    QPushButton* openButton() const { return m_open; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateVisibility();
    void place();

    MainWindow* m_window;
    QLabel* m_error;
    QPushButton* m_demo;
    QPushButton* m_add;
    QPushButton* m_open;
};

} // namespace sd
