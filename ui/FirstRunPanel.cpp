// SPDX-License-Identifier: GPL-3.0-or-later
#include "FirstRunPanel.h"

#include "MainWindow.h"
#include "config/ConfigLoader.h"
#include "itemmodels/EndpointTableModel.h"
#include "ui/charts/PaletteStyle.h"

#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace sd {

FirstRunPanel::FirstRunPanel(MainWindow* window)
    : QFrame(window->centralWidget())
    , m_window(window)
    , m_error(new QLabel(this))
    , m_demo(new QPushButton(tr("Start the &demo"), this))
    , m_add(new QPushButton(tr("&Add the first endpoint…"), this))
    , m_open(new QPushButton(tr("&Open a config file…"), this))
{
    setObjectName(u"firstRunPanel"_qs);
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    auto* title = new QLabel(tr("<b>No endpoints yet</b>"), this);
    auto* text = new QLabel(tr("SignalDeck probes HTTP APIs on a timer and sorts every failure into four signals: "
                               "S1 timeouts and connections, S2 credentials, S3 rejected input, S4 throttling. "
                               "The tiles above show each signal's worst state, this table lists the endpoints, "
                               "and the charts below explain the selected one."),
        this);
    text->setWordWrap(true);
    m_demo->setObjectName(u"firstRunDemo"_qs);
    m_demo->setToolTip(tr("A simulated API on this machine that plays every failure signal; nothing is saved"));
    m_add->setObjectName(u"firstRunAdd"_qs);
    m_add->setToolTip(tr("Saved to %1").arg(defaultConfigPath()));
    m_open->setObjectName(u"firstRunOpen"_qs);
    m_open->setToolTip(tr("A SignalDeck config (JSON, docs/CONFIG.md); edits are saved to it"));
    m_error->setObjectName(u"firstRunError"_qs);
    m_error->setWordWrap(true);
    followPalette(
        m_error, [this] { m_error->setStyleSheet(toneStyleSheet(TextTone::Problem, QGuiApplication::palette())); });
    m_error->hide();
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_demo);
    buttons->addWidget(m_add);
    buttons->addWidget(m_open);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(text);
    layout->addLayout(buttons);
    layout->addWidget(m_error);

    connect(m_demo, &QPushButton::clicked, window, &MainWindow::demoRequested);
    connect(m_add, &QPushButton::clicked, this, [this] {
        if (m_window->configPath().isEmpty())
            m_window->setConfigPath(defaultConfigPath());
        m_window->addEndpoint();
    });
    connect(m_open, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            m_window, tr("Open a config file"), QString(), tr("SignalDeck config (*.json);;All files (*)"));
        if (!path.isEmpty())
            openConfig(path);
    });
    EndpointTableModel* model = window->endpointModel();
    for (auto signal : { &QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved })
        connect(model, signal, this, &FirstRunPanel::updateVisibility);
    connect(model, &QAbstractItemModel::modelReset, this, &FirstRunPanel::updateVisibility);
    window->table()->viewport()->installEventFilter(this);
    window->centralWidget()->installEventFilter(this);
    updateVisibility();
}

QString FirstRunPanel::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

bool FirstRunPanel::openConfig(const QString& path)
{
    const ConfigParseResult loaded = loadConfigFile(path);
    if (!loaded.ok()) {
        m_error->setText(tr("%1 is not a usable config:\n%2").arg(path, loaded.errorText()));
        m_error->show();
        place();
        return false;
    }
    m_error->hide();
    // Applied unsaved (the file is the operator's, as written), then edits go to it.
    const QString previous = m_window->configPath();
    m_window->setConfigPath({});
    if (!m_window->applyConfig(*loaded.config)) {
        m_window->setConfigPath(previous);
        return false;
    }
    m_window->setConfigPath(QFileInfo(path).absoluteFilePath());
    return true;
}

bool FirstRunPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::Resize)
        place();
    return QFrame::eventFilter(watched, event);
}

void FirstRunPanel::updateVisibility()
{
    setVisible(m_window->endpointModel()->rowCount() == 0);
    if (isVisible()) {
        place();
        raise();
    }
}

void FirstRunPanel::place()
{
    // Over the top of the table (lower down it may reach over the detail pane, which has nothing to show).
    const QWidget* viewport = m_window->table()->viewport();
    const QPoint at = viewport->mapTo(parentWidget(), QPoint(0, 0));
    const int width = std::max(200, std::min(720, viewport->width() - 16));
    resize(width, heightForWidth(width) > 0 ? heightForWidth(width) : sizeHint().height());
    move(at.x() + (viewport->width() - width) / 2, at.y() + 8);
}

} // namespace sd
