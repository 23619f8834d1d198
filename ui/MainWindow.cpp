// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"

#include "DetailPane.h"
#include "EndpointEditorDialog.h"
#include "FirstRunPanel.h"
#include "FleetDock.h"
#include "IncidentActions.h"
#include "RowNote.h"
#include "SignalTile.h"
#include "TableOrderHold.h"
#include "TrayNotifier.h"
#include "controller/Controller.h"
#include "health/IncidentPolicy.h"
#include "history/HistoryReader.h"
#include "history/HistoryStore.h"
#include "itemmodels/EndpointFilterProxy.h"
#include "itemmodels/EndpointTableModel.h"
#include "itemmodels/EventLogModel.h"
#include "itemmodels/SignalSummaryModel.h"
#include "ui/charts/PaletteStyle.h"
#include "ui/charts/SignalColors.h"
#include "ui/charts/SparklineDelegate.h"
#include "ui/charts/StateCellDelegate.h"
#include "ui/charts/StatusStripDelegate.h"
#include "ui/charts/StatusSummaryLine.h"
#include "ui/export/ExportDialog.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcUi, "signaldeck.ui", QtInfoMsg)

namespace sd {

namespace {

constexpr std::array kSignals { FailureSignal::S1, FailureSignal::S2, FailureSignal::S3, FailureSignal::S4 };

/// `up`: the probes the uptime counts (those outside maintenance windows with `excludeFromUptime`).
EndpointTableModel::RangeFigures figuresOf(const ProbeAggregate& a, const ProbeAggregate& up)
{
    EndpointTableModel::RangeFigures f;
    f.probes = a.probes();
    f.uptimePercent = up.uptimePercent();
    f.uptimeProbes = up.probes();
    f.p50Ms = a.latencyPercentileMs(50);
    f.p95Ms = a.latencyPercentileMs(95);
    f.p99Ms = a.latencyPercentileMs(99);
    f.answered = a.latencyCount();
    f.errorRate = a.probes() > 0 ? static_cast<double>(a.errorCount()) / static_cast<double>(a.probes()) : 0.0;
    return f;
}

QString uniqueName(const AppConfig& config, const QString& base)
{
    auto taken = [&config](const QString& name) {
        return std::any_of(config.endpoints.cbegin(), config.endpoints.cend(),
            [&name](const EndpointConfig& e) { return e.name == name; });
    };
    if (!taken(base))
        return base;
    for (int i = 2;; ++i) {
        QString candidate = base + u" "_qs + QString::number(i);
        if (!taken(candidate))
            return candidate;
    }
}

/// ~/.config/SignalDeck/SignalDeck.conf, beside config.json (no organisation name is set, so the default
/// QSettings would say "Unknown Organization"). Window state only, never a secret.
QSettings windowSettings()
{
    return QSettings(QSettings::NativeFormat, QSettings::UserScope, u"SignalDeck"_qs, u"SignalDeck"_qs);
}

} // namespace

MainWindow::MainWindow(DashboardSetup setup, QWidget* parent)
    : QMainWindow(parent)
    , m_setup(std::move(setup))
    , m_controller(m_setup.controller)
    , m_reader(m_controller->historyReader())
    , m_endpoints(new EndpointTableModel(this))
    , m_proxy(new EndpointFilterProxy(this))
    , m_signals(new SignalSummaryModel(this))
    , m_events(new EventLogModel(this))
{
    setObjectName(u"mainWindow"_qs);
    setWindowTitle(m_controller->configPath().isEmpty() ? tr("SignalDeck — %1").arg(m_setup.sourceLabel)
                                                        : tr("SignalDeck — %1").arg(m_controller->configPath()));
    setWindowIcon(stateIcon(SignalState::Ok, 64));
    m_proxy->setSourceModel(m_endpoints);
    m_endpoints->setEndpoints(config().endpoints);
    m_signals->setEndpoints(config().endpoints);

    buildActions();
    buildCentre();
    buildDocks();
    buildStatusBar();
    if (!config().sources.isEmpty()) // issue 15.3: what remote probers report, one column per location
        createFleetDock();
    // Incidents (acknowledge, maintenance), a still table under the pointer, notes by the row, first run.
    m_incidents = new IncidentActions(this);
    m_orderHold = new TableOrderHold(m_table, m_proxy, this);
    m_rowNote = new RowNote(m_table);
    connect(m_incidents, &IncidentActions::message, this, &MainWindow::noteAtCurrentRow);
    m_firstRun = new FirstRunPanel(this);

    connect(m_controller, &Controller::batchReady, this, &MainWindow::applyBatch);
    connect(m_controller, &Controller::configApplied, this, &MainWindow::onConfigApplied);
    connect(m_controller, &Controller::pausedChanged, this, &MainWindow::setPaused);
    connect(m_controller, &Controller::probeNowAnswered, this, [this](int endpointId, const QString& refusal) {
        if (refusal.isEmpty())
            return;
        const int row = m_endpoints->rowOfEndpoint(endpointId);
        const QString text = probeRefusalText(row >= 0 ? m_endpoints->endpoint(row).name : QString(), refusal);
        const QModelIndex at = row >= 0 ? m_proxy->mapFromSource(m_endpoints->index(row, 0)) : QModelIndex();
        m_rowNote->showFor(at.isValid() ? at : m_table->currentIndex(), text);
        statusBar()->showMessage(text, 8000);
    });
    connect(m_signals, &SignalSummaryModel::worstStateChanged, this, [this](SignalState) { updateTiles(); });
    {
        HistoryStore* history = &m_controller->history();
        connect(history, &HistoryStore::errorOccurred, this, [this](HistoryError, const QString& message) {
            m_historyLabel->setText(tr("History: error"));
            m_historyLabel->setToolTip(message);
            setBanner(u"history"_qs, tr("History: %1 — probing continues; new samples wait in memory.").arg(message));
        });
        connect(history, &HistoryStore::recovered, this, [this] {
            m_historyLabel->setText(tr("History: recording"));
            setBanner(u"history"_qs, {});
        });
        // The controller reopens the reader on the fresh file.
        connect(history, &HistoryStore::databaseReset, this, [this](const QString& setAside) {
            setBanner(u"history"_qs,
                tr("The history file was damaged; it was set aside as %1 and a fresh one started.").arg(setAside));
        });
    }
    // After a restart the sparklines and the live window start from what was stored: read in the reader's
    // thread (the GUI thread never opens the database), merged under whatever live probes came first.
    // (Connected before asking: the reader's thread may answer before the next line runs.)
    connect(m_reader, &HistoryReader::lastSamplesReady, this, [this](const HistoryReader::LastSamplesAnswer& answer) {
        if (answer.requestId == m_seedRequest)
            m_endpoints->seedHistory(answer.byEndpoint);
    });
    m_seedRequest = m_reader->requestLastSamples(EndpointTableModel::kSparklinePoints);
    connect(m_reader, &HistoryReader::endpointsReady, this, &MainWindow::showExportDialog);
    connect(m_reader, &HistoryReader::figuresReady, this, [this](const HistoryReader::FiguresAnswer& answer) {
        QHash<QString, EndpointTableModel::RangeFigures> figures;
        for (auto it = answer.byEndpoint.cbegin(); it != answer.byEndpoint.cend(); ++it)
            if (it.value().probes() > 0)
                figures.insert(it.key(), figuresOf(it.value(), answer.uptimeByEndpoint.value(it.key(), it.value())));
        m_endpoints->setRangeFigures(figures, m_range.label());
    });
    m_figuresTimer = new QTimer(this);
    // Range figures cost one stats query per endpoint in the reader thread: often for a small config,
    // less often for a thousand endpoints.
    m_figuresTimer->setInterval(config().endpoints.size() <= 200 ? 5'000 : 30'000);
    connect(m_figuresTimer, &QTimer::timeout, this, &MainWindow::requestFigures);
    m_figuresTimer->start();
    // "Next probe in 12 s" counts down between batches (the engine only sends statuses that changed).
    auto* secondTick = new QTimer(this);
    secondTick->setInterval(1000);
    connect(secondTick, &QTimer::timeout, m_endpoints, &EndpointTableModel::refreshRelativeTimes);
    secondTick->start();

    restoreState();
    updateTiles();
    QTimer::singleShot(3000, this, &MainWindow::requestFigures);
}

MainWindow::~MainWindow() = default;

const AppConfig& MainWindow::config() const
{
    return m_controller->config();
}

SignalTile* MainWindow::tile(FailureSignal signal) const
{
    const int i = signalIndex(signal);
    return i >= 0 && i < 4 ? m_tiles[static_cast<std::size_t>(i)] : nullptr;
}

QAction* MainWindow::action(const QString& objectName) const
{
    return findChild<QAction*>(objectName);
}

void MainWindow::buildActions()
{
    auto make = [this](const QString& name, const QString& text, const QKeySequence& key, auto slot) {
        auto* a = new QAction(text, this);
        a->setObjectName(name);
        if (!key.isEmpty())
            a->setShortcut(key);
        a->setShortcutContext(Qt::WindowShortcut);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        return a;
    };
    QAction* add = make(u"addEndpoint"_qs, tr("&New endpoint…"), QKeySequence::New, &MainWindow::addEndpoint);
    QAction* edit = make(u"editEndpoint"_qs, tr("&Edit…"), QKeySequence(Qt::Key_Return), &MainWindow::editSelected);
    QAction* dup = make(
        u"duplicateEndpoint"_qs, tr("D&uplicate"), QKeySequence(Qt::CTRL | Qt::Key_D), &MainWindow::duplicateSelected);
    QAction* del
        = make(u"deleteEndpoint"_qs, tr("&Delete…"), QKeySequence(QKeySequence::Delete), &MainWindow::deleteSelected);
    QAction* probe = make(u"probeNow"_qs, tr("&Probe now"), QKeySequence(Qt::Key_F5), &MainWindow::probeSelectedNow);
    auto* pause = new QAction(tr("&Pause probing"), this);
    pause->setObjectName(u"pauseProbing"_qs);
    pause->setCheckable(true);
    pause->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    connect(pause, &QAction::toggled, this, &MainWindow::setPaused);
    addAction(pause);
    QAction* find = make(u"focusFilter"_qs, tr("&Filter…"), QKeySequence::Find, [this] {
        m_filter->setFocus(Qt::ShortcutFocusReason);
        m_filter->selectAll();
    });
    QAction* quit = make(u"quit"_qs, tr("&Quit"), QKeySequence::Quit, [] { QApplication::quit(); });
    QAction* credentials = make(u"manageCredentials"_qs, tr("&Credentials…"), QKeySequence(Qt::CTRL | Qt::Key_K),
        [this] { emit credentialsRequested(); });

    QAction* exportCsv
        = make(u"exportCsv"_qs, tr("&Export CSV…"), QKeySequence(Qt::CTRL | Qt::Key_E), &MainWindow::openExportDialog);

    // The file edited elsewhere (sources, endpoints): applied like an edit, what did not change keeps its state.
    QAction* reload = make(u"reloadConfig"_qs, tr("&Reload config file"), QKeySequence(Qt::CTRL | Qt::Key_R), [this] {
        const Controller::Reload result = m_controller->reloadConfigFile();
        statusBar()->showMessage(result.ok ? tr("Config reloaded: %1").arg(result.message)
                                           : tr("Config not reloaded: %1").arg(result.message),
            10'000);
    });
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(reload);
    file->addAction(exportCsv);
    file->addSeparator();
    file->addAction(quit);
    QMenu* endpoints = menuBar()->addMenu(tr("&Endpoints"));
    endpoints->setObjectName(u"endpointsMenu"_qs);
    endpoints->addActions({ add, edit, dup, del });
    endpoints->addSeparator();
    endpoints->addActions({ probe, pause });
    endpoints->addSeparator();
    endpoints->addAction(credentials);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(find);
    view->setObjectName(u"viewMenu"_qs);
    // The table is what an operator scans: on a small screen the detail pane folds away (remembered).
    QAction* details = make(u"toggleDetails"_qs, tr("Show &details"), QKeySequence(Qt::CTRL | Qt::Key_I),
        [this](bool on) { m_detail->setVisible(on); });
    details->setCheckable(true);
    details->setChecked(true);
    view->addAction(details);

    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(u"mainToolBar"_qs);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addActions({ add, edit, dup, del });
    bar->addSeparator();
    bar->addActions({ probe, pause });
    bar->addSeparator();
    bar->addAction(credentials);
    bar->addAction(exportCsv);
    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" Range: "), bar));
    m_rangeBox = new QComboBox(bar);
    m_rangeBox->setObjectName(u"rangeBox"_qs);
    for (const TimeRange& r : TimeRange::presets())
        m_rangeBox->addItem(r.label(), r.key());
    m_rangeBox->addItem(tr("Custom…"), u"custom"_qs);
    m_rangeBox->setToolTip(tr("The time range of the charts and of the table's uptime and percentiles"));
    connect(m_rangeBox, &QComboBox::activated, this, [this](int index) {
        const QString key = m_rangeBox->itemData(index).toString();
        if (key == u"custom")
            showCustomRangeDialog();
        else
            setRange(TimeRange::fromKey(key));
    });
    bar->addWidget(m_rangeBox);

    auto* trayMenu = new QMenu(this);
    trayMenu->addAction(tr("Show SignalDeck"), this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    trayMenu->addAction(pause);
    trayMenu->addAction(quit);
    m_tray = new TrayNotifier(trayMenu, this);
    connect(m_tray, &TrayNotifier::activated, this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    connect(m_tray, &TrayNotifier::noticeShown, this, [this](const TransitionDigest::Notice& notice) {
        // Without a tray host (bare X, some Wayland desktops) the window is where notices go: say so once.
        const bool first = !m_tray->trayAvailable() && !m_saidNoTray;
        m_saidNoTray = m_saidNoTray || first;
        statusBar()->showMessage(first ? notice.title
                    + tr(" — no system tray here: notifications show in this "
                         "status bar and the event log")
                                       : notice.title,
            first ? 20'000 : 10'000);
    });
}

void MainWindow::buildCentre()
{
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);

    m_banner = new QLabel(central);
    m_banner->setObjectName(u"banner"_qs);
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // From the palette's roles (a wash of the warning colour over Base, the palette's Text): a fixed light
    // yellow was unreadable in dark mode.
    followPalette(m_banner, [this] { m_banner->setStyleSheet(noticeStyleSheet(QGuiApplication::palette())); });
    m_banner->hide();
    layout->addWidget(m_banner);

    m_tileBar = new QWidget(central);
    m_tileBar->setObjectName(u"tileBar"_qs);
    auto* tiles = new QHBoxLayout(m_tileBar);
    tiles->setContentsMargins(0, 0, 0, 0);
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
        m_tiles[i] = new SignalTile(kSignals[i], m_tileBar);
        connect(m_tiles[i], &SignalTile::clicked, this, &MainWindow::onTileClicked);
        tiles->addWidget(m_tiles[i]);
    }
    layout->addWidget(m_tileBar);

    auto* filterRow = new QHBoxLayout;
    m_filter = new QLineEdit(central);
    m_filter->setObjectName(u"filterEdit"_qs);
    m_filter->setPlaceholderText(tr("Filter endpoints (Ctrl+F): words match name, host, tags, reasons; tag:prod"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &EndpointFilterProxy::setFilterText);
    m_stateFilter = new QComboBox(central);
    m_stateFilter->setObjectName(u"stateFilter"_qs);
    m_stateFilter->addItem(tr("All states"));
    m_stateFilter->addItem(tr("Warning or worse"), static_cast<int>(SignalState::Warning));
    m_stateFilter->addItem(tr("Critical only"), static_cast<int>(SignalState::Critical));
    connect(m_stateFilter, &QComboBox::currentIndexChanged, this, [this](int index) {
        const QVariant v = m_stateFilter->itemData(index);
        m_proxy->setMinimumState(v.isValid() ? std::optional(static_cast<SignalState>(v.toInt())) : std::nullopt);
    });
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(new StatusSummaryLine(m_endpoints, central));
    filterRow->addWidget(m_stateFilter);
    layout->addLayout(filterRow);

    m_table = new QTableView(central);
    m_table->setObjectName(u"endpointTable"_qs);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(EndpointTableModel::State, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->horizontalHeader()->setStretchLastSection(false);
    // Widths from the header texts (not from a thousand rows), the trend right after the latency.
    for (int column = 0; column < EndpointTableModel::ColumnCount; ++column) {
        const QString header = m_endpoints->headerData(column, Qt::Horizontal).toString();
        const QFontMetrics metrics(m_table->horizontalHeader()->font());
        m_table->setColumnWidth(column, std::max(64, metrics.horizontalAdvance(header) + 34)); // + sort arrow
    }
    m_table->setColumnWidth(EndpointTableModel::Name, 190);
    m_table->setColumnWidth(EndpointTableModel::Host, 120);
    m_table->setColumnWidth(EndpointTableModel::State, 96);
    m_table->setColumnWidth(EndpointTableModel::NextProbe, 170);
    m_table->setColumnWidth(EndpointTableModel::Trend, 110);
    m_table->horizontalHeader()->moveSection(EndpointTableModel::Trend, EndpointTableModel::LastLatency + 1);
    auto* stateDelegate = new StateCellDelegate(EndpointTableModel::CellStateRole, m_table);
    for (int column :
        { int(EndpointTableModel::State), int(EndpointTableModel::SignalS1), int(EndpointTableModel::SignalS2),
            int(EndpointTableModel::SignalS3), int(EndpointTableModel::SignalS4), int(EndpointTableModel::Circuit) })
        m_table->setItemDelegateForColumn(column, stateDelegate);
    m_table->setItemDelegateForColumn(
        EndpointTableModel::Trend, new SparklineDelegate(EndpointTableModel::SparklineRole, m_table));
    m_table->setItemDelegateForColumn(EndpointTableModel::Recent,
        new StatusStripDelegate(EndpointTableModel::StatusStripRole, EndpointTableModel::kStripProbes, m_table));
    m_table->setColumnWidth(EndpointTableModel::Recent, 4 * EndpointTableModel::kStripProbes + 6);
    m_table->horizontalHeader()->moveSection(EndpointTableModel::Recent, EndpointTableModel::State + 1);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (const auto* name : { "probeNow", "editEndpoint", "duplicateEndpoint", "deleteEndpoint" })
        m_table->addAction(action(QString::fromLatin1(name)));
    connect(m_table, &QTableView::doubleClicked, this, &MainWindow::editSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateSelection);

    m_detail = new DetailPane(m_reader, central);
    m_splitter = new QSplitter(Qt::Vertical, central);
    m_splitter->setObjectName(u"mainSplitter"_qs);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 3); // the table takes most of what the window gains
    m_splitter->setStretchFactor(1, 2);
    // The table first: at 1024×700 with the pane shown it keeps at least 5 rows (the pane's charts shorten).
    m_splitter->setSizes({ 560, 340 });
    m_splitter->setChildrenCollapsible(false);
    layout->addWidget(m_splitter, 1);
    setCentralWidget(central);
}

void MainWindow::buildDocks()
{
    auto* dock = new QDockWidget(tr("Event log"), this);
    dock->setObjectName(u"eventLogDock"_qs);
    auto* view = new QTableView(dock);
    view->setObjectName(u"eventLog"_qs);
    view->setModel(m_events);
    view->verticalHeader()->hide();
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setWordWrap(false);
    view->horizontalHeader()->setStretchLastSection(true);
    view->setColumnWidth(EventLogModel::Time, 80);
    view->setColumnWidth(EventLogModel::Endpoint, 150);
    view->setColumnWidth(EventLogModel::Signal, 60);
    view->setColumnWidth(EventLogModel::Transition, 150);
    view->setItemDelegateForColumn(EventLogModel::Transition, new StateCellDelegate(EventLogModel::ToStateRole, view));
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    connect(view, &QTableView::activated, this,
        [this](const QModelIndex& index) { selectEndpoint(m_events->eventAt(index.row()).endpoint); });
    dock->setWidget(view);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    // Short by default (it folds with Ctrl+L, and keeps what the operator drags it to): at 1024×700 the table
    // keeps 5 rows beside the detail pane.
    resizeDocks({ dock }, { 90 }, Qt::Vertical);
    if (auto* viewMenu = findChild<QMenu*>(u"viewMenu"_qs)) {
        QAction* toggle = dock->toggleViewAction();
        toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
        viewMenu->addAction(toggle);
    }
}

void MainWindow::buildStatusBar()
{
    m_pausedLabel = new QLabel(this);
    m_rateLabel = new QLabel(tr("0.0 probes/s"), this);
    m_rateLabel->setObjectName(u"rateLabel"_qs);
    m_inFlightLabel = new QLabel(tr("0 in flight"), this);
    m_inFlightLabel->setObjectName(u"inFlightLabel"_qs);
    m_keychainLabel = new QLabel(tr("Keychain: not needed"), this);
    m_keychainLabel->setObjectName(u"keychainLabel"_qs);
    followPalette(m_keychainLabel, [this] {
        m_keychainLabel->setStyleSheet(m_keychainLabel->property("problem").toBool()
                ? toneStyleSheet(TextTone::Problem, QGuiApplication::palette(), u"font-weight: bold;"_qs)
                : QString());
    });
    m_historyLabel = new QLabel(tr("History: recording"), this);
    m_historyLabel->setObjectName(u"historyLabel"_qs);
    m_historyLabel->setToolTip(m_controller->historyPath());
    for (QLabel* l : { m_pausedLabel, m_rateLabel, m_inFlightLabel, m_keychainLabel, m_historyLabel })
        statusBar()->addPermanentWidget(l);
    // Not on a first run (no config yet, no demo): its panel says what to do.
    if (m_controller->configPath().isEmpty() && m_setup.sourceLabel == u"demo")
        statusBar()->showMessage(tr("Demo: edits are not saved. Write a config (docs/CONFIG.md) to keep yours."));
}

void MainWindow::setBanner(const QString& key, const QString& text)
{
    if (text.isEmpty())
        m_banners.remove(key);
    else
        m_banners.insert(key, text);
    QStringList lines = m_banners.values();
    m_banner->setText(lines.join(u'\n'));
    m_banner->setVisible(!lines.isEmpty());
}

void MainWindow::setKeychainStatus(const QString& text, bool available)
{
    m_keychainLabel->setText(text);
    m_keychainLabel->setProperty("problem", !available);
    m_keychainLabel->setStyleSheet(available
            ? QString()
            : toneStyleSheet(TextTone::Problem, QGuiApplication::palette(), u"font-weight: bold;"_qs));
}

void MainWindow::applyBatch(const EngineBatch& batch)
{
    ++m_batches;
    m_endpoints->applyBatch(batch);
    m_signals->applyBatch(batch);
    m_events->applyBatch(batch);
    m_tray->addEvents(batch.events);
    updateTiles();
    m_incidents->applyBatch(batch);
    // The engine's own rate covers one flush (200 ms) and jumps; the status bar averages the last 5 s and
    // is rewritten once a second: each new text relaid out the status bar and the window (5 times a second).
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    m_rateSamples.append({ nowMs, batch.stats.probesFinished });
    while (m_rateSamples.size() > 2 && m_rateSamples.at(1).first <= nowMs - 5000)
        m_rateSamples.removeFirst();
    if (nowMs - m_statusTextMs >= 1000) {
        m_statusTextMs = nowMs;
        updateRateLabels(batch.stats, nowMs);
    }
    if (!batch.results.isEmpty() || !batch.statuses.isEmpty())
        updateSelection();
    // A first look should show charts: once the first results are in, select the worst endpoint that has
    // data (not a paused one with "no probes stored") unless the user already picked one.
    if (!m_autoSelected && !batch.results.isEmpty() && !m_table->selectionModel()->hasSelection()
        && !m_detail->remoteSelection()) {
        if (const int row = worstRowWithData(); row >= 0) {
            m_autoSelected = true;
            m_table->selectRow(row);
        }
    }
}

void MainWindow::updateRateLabels(const EngineStats& stats, qint64 nowMs)
{
    const auto& oldest = m_rateSamples.constFirst();
    const double rate = nowMs > oldest.first
        ? static_cast<double>(stats.probesFinished - oldest.second) * 1000.0 / static_cast<double>(nowMs - oldest.first)
        : 0.0;
    // Over the global cap every interval is stretched: the operator must see it, not guess it.
    const QString probesText = tr("%1 probes/s").arg(std::max(0.0, rate), 0, 'f', 1);
    m_rateLabel->setText(stats.intervalFactor > 1.0 ? probesText + QStringLiteral(" — ") + stats.rateNote : probesText);
    m_rateLabel->setToolTip(stats.rateNote);
    m_inFlightLabel->setText(stats.waiting > 0 ? tr("%1 in flight, %2 waiting").arg(stats.inFlight).arg(stats.waiting)
                                               : tr("%1 in flight").arg(stats.inFlight));
}

int MainWindow::worstRowWithData() const
{
    int best = -1;
    int bestRank = -1;
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const int source = m_proxy->mapToSource(m_proxy->index(row, 0)).row();
        if (!m_endpoints->lastResult(source) || m_endpoints->rowMark(source) == EndpointTableModel::RowMark::Paused)
            continue;
        const SignalState state = m_endpoints->status(source).overall;
        const int rank = state == SignalState::Critical ? 3 : state == SignalState::Warning ? 2 : 1;
        if (rank > bestRank) {
            best = row;
            bestRank = rank;
        }
    }
    return best;
}

void MainWindow::noteAtCurrentRow(const QString& text)
{
    // By the row acted on: the first selected one (the current index may be elsewhere).
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    m_rowNote->showFor(rows.isEmpty() ? m_table->currentIndex() : rows.first(), text);
    statusBar()->showMessage(text, 8000);
}

QString MainWindow::configPath() const
{
    return m_controller->configPath();
}

void MainWindow::setConfigPath(const QString& path)
{
    m_controller->setConfigPath(path);
    setWindowTitle(tr("SignalDeck — %1").arg(path.isEmpty() ? m_setup.sourceLabel : path));
}

void MainWindow::updateTiles()
{
    int warnings = 0;
    int criticals = 0;
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
        const QModelIndex index = m_signals->index(m_signals->rowOf(kSignals[i]), 0);
        const int w = index.data(SignalSummaryModel::WarningCountRole).toInt();
        const int c = index.data(SignalSummaryModel::CriticalCountRole).toInt();
        warnings += w;
        criticals += c;
        m_tiles[i]->setSummary(static_cast<SignalState>(index.data(SignalSummaryModel::WorstStateRole).toInt()), w, c,
            index.data(SignalSummaryModel::LatestReasonRole).toString(),
            index.data(SignalSummaryModel::LatestReasonEndpointRole).toString());
        m_tiles[i]->setChecked(m_proxy->signalFilter() == kSignals[i]);
    }
    const SignalState worst = m_signals->worstState();
    if (worst != m_tray->worstState() || windowIcon().isNull())
        setWindowIcon(stateIcon(worst, 64));
    m_tray->setWorstState(worst, warnings, criticals);
}

void MainWindow::onTileClicked(FailureSignal signal)
{
    m_proxy->setSignalFilter(m_proxy->signalFilter() == signal ? FailureSignal::None : signal);
    if (m_fleet)
        m_fleet->setSignalFilter(m_proxy->signalFilter());
    updateTiles();
    const FailureSignal now = m_proxy->signalFilter();
    statusBar()->showMessage(now == FailureSignal::None
            ? tr("Showing all endpoints")
            : tr("Showing endpoints raising %1 %2 (click the tile again to show all)")
                  .arg(signalCode(now), signalTitle(now)),
        5000);
}

QList<int> MainWindow::selectedRows() const
{
    QList<int> rows;
    const QModelIndexList selected = m_table->selectionModel()->selectedRows();
    for (const QModelIndex& index : selected)
        rows << m_proxy->mapToSource(index).row();
    std::sort(rows.begin(), rows.end());
    return rows;
}

void MainWindow::updateSelection()
{
    const QList<int> rows = selectedRows();
    QList<EndpointConfig> selected;
    for (int row : rows)
        selected << m_endpoints->endpoint(row);
    m_detail->setThresholds(config().thresholds);
    if (rows.isEmpty() && m_detail->remoteSelection()) { // the detail pane charts a remote endpoint (fleet)
        for (const auto* name : { "probeNow", "editEndpoint", "duplicateEndpoint", "deleteEndpoint" })
            action(QString::fromLatin1(name))->setEnabled(false);
        return;
    }
    if (m_fleet && !rows.isEmpty())
        m_fleet->clearSelection(); // one endpoint in the detail pane: the local one chosen last
    m_detail->setUptimeExclusions(uptimeExclusionsByName(config()));
    m_detail->setSelection(selected);
    for (const auto* name : { "probeNow", "editEndpoint", "duplicateEndpoint", "deleteEndpoint" })
        action(QString::fromLatin1(name))->setEnabled(!rows.isEmpty());
    if (!rows.isEmpty())
        m_detail->setLastProbe(m_endpoints->lastResult(rows.first()), m_endpoints->status(rows.first()));
}

void MainWindow::selectEndpoint(const QString& name)
{
    for (int row = 0; row < m_endpoints->rowCount(); ++row) {
        if (m_endpoints->endpoint(row).name != name)
            continue;
        const QModelIndex proxyIndex = m_proxy->mapFromSource(m_endpoints->index(row, 0));
        if (!proxyIndex.isValid())
            return;
        m_table->selectionModel()->select(proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_table->scrollTo(proxyIndex);
        return;
    }
}

void MainWindow::setRange(const TimeRange& range)
{
    m_range = range;
    const int index = m_rangeBox->findData(range.key());
    if (index >= 0) {
        m_rangeBox->setCurrentIndex(index);
    } else {
        const int custom = m_rangeBox->findData(u"custom"_qs);
        m_rangeBox->setItemText(custom, range.label());
        m_rangeBox->setCurrentIndex(custom);
    }
    m_detail->setRange(range);
    requestFigures();
}

void MainWindow::showCustomRangeDialog()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Custom range"));
    const QDateTime now = QDateTime::currentDateTime();
    auto* from = new QDateTimeEdit(
        m_range.isCustom() ? QDateTime::fromMSecsSinceEpoch(m_range.fromMs) : now.addDays(-1), &dialog);
    auto* to = new QDateTimeEdit(m_range.isCustom() ? QDateTime::fromMSecsSinceEpoch(m_range.toMs) : now, &dialog);
    for (QDateTimeEdit* e : { from, to }) {
        e->setCalendarPopup(true);
        e->setDisplayFormat(u"yyyy-MM-dd HH:mm"_qs);
    }
    auto* error = new QLabel(&dialog);
    error->setStyleSheet(toneStyleSheet(TextTone::Problem, QGuiApplication::palette()));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    auto* form = new QFormLayout(&dialog);
    form->addRow(tr("From:"), from);
    form->addRow(tr("To:"), to);
    form->addRow(error);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        if (from->dateTime() >= to->dateTime()) {
            error->setText(tr("The start must be before the end."));
            return;
        }
        dialog.accept();
    });
    if (dialog.exec() == QDialog::Accepted)
        setRange(TimeRange::custom(from->dateTime().toMSecsSinceEpoch(), to->dateTime().toMSecsSinceEpoch()));
    else
        setRange(m_range);
}

void MainWindow::requestFigures()
{
    QStringList names;
    for (const EndpointConfig& e : config().endpoints)
        names << e.name;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_reader->requestFigures(
        names, m_range.resolvedFrom(now), m_range.resolvedTo(now), uptimeExclusionsByName(config()));
}

bool MainWindow::applyConfig(const AppConfig& config, QString* error)
{
    // The controller keeps the maintenance windows readable: renames followed, deleted names dropped.
    QString why;
    if (m_controller->applyConfig(config, &why))
        return true;
    showNotSaved(why);
    if (error)
        *error = why;
    return false;
}

void MainWindow::createFleetDock()
{
    m_fleet = new FleetDock(config().sources, m_signals, this);
    m_fleet->setSignalFilter(m_proxy->signalFilter());
    connect(m_fleet, &FleetDock::tilesChanged, this, &MainWindow::updateTiles);
    connect(m_fleet, &FleetDock::selectionChanged, this, &MainWindow::showFleetSelection);
}

void MainWindow::showFleetSelection()
{
    const std::optional<RemoteSelection> remote = m_fleet->selection();
    if (!remote) {
        if (m_detail->remoteSelection()) {
            m_detail->setSelection({});
            updateSelection(); // back to the local selection, or to none
        }
        return;
    }
    m_table->clearSelection(); // updateSelection() then leaves the detail pane to the fleet
    m_detail->setThresholds(config().thresholds);
    m_detail->setRemoteSelection(*remote);
}

void MainWindow::showNotSaved(const QString& why)
{
    qCWarning(lcUi).noquote() << why;
    QMessageBox::warning(this, tr("Config not saved"), tr("The change was not saved and not applied:\n%1").arg(why));
}

void MainWindow::onConfigApplied(const AppConfig& config)
{
    // Sources follow the config too: unchanged ones keep their rows and states.
    if (m_fleet)
        m_fleet->setSources(config.sources);
    else if (!config.sources.isEmpty())
        createFleetDock();
    // Endpoint by endpoint: whatever did not change keeps its states and table row.
    m_endpoints->updateEndpoints(config.endpoints);
    m_signals->updateEndpoints(config.endpoints);
    updateTiles();
    updateSelection();
    requestFigures();
}

void MainWindow::openEditor(int index, const EndpointConfig& initial)
{
    auto* dialog = new EndpointEditorDialog(config(), index, initial, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setController(m_controller); // "Probe now" asks the session's engine, which holds the secrets
    connect(dialog, &QDialog::accepted, this, [this, dialog, index] {
        if (!dialog->result())
            return;
        // One endpoint's intent, not a whole config: the controller replaces (or adds) just that one.
        const QList<EndpointConfig>& all = dialog->result()->endpoints;
        const EndpointConfig endpoint = all.at(index >= 0 ? index : all.size() - 1);
        QString why;
        if (index >= 0 ? m_controller->updateEndpoint(endpoint, &why) : m_controller->addEndpoint(endpoint, &why))
            selectEndpoint(endpoint.name);
        else
            showNotSaved(why);
    });
    dialog->open();
}

void MainWindow::addEndpoint()
{
    EndpointConfig fresh;
    fresh.name = uniqueName(config(), tr("new-endpoint"));
    openEditor(-1, fresh);
}

void MainWindow::editSelected()
{
    const QList<int> rows = selectedRows();
    if (rows.isEmpty())
        return;
    openEditor(rows.first(), m_endpoints->endpoint(rows.first()));
}

void MainWindow::duplicateSelected()
{
    const QList<int> rows = selectedRows();
    if (rows.isEmpty())
        return;
    EndpointConfig copy = m_endpoints->endpoint(rows.first());
    copy.id.clear(); // another endpoint: it gets its own id when applied
    copy.name = uniqueName(config(), copy.name + tr(" copy"));
    openEditor(-1, copy);
}

void MainWindow::deleteSelected()
{
    const QList<int> rows = selectedRows();
    if (rows.isEmpty())
        return;
    QStringList names;
    QStringList keys;
    for (int row : rows) {
        names << m_endpoints->endpoint(row).name;
        keys << endpointKey(m_endpoints->endpoint(row));
    }
    auto* box = new QMessageBox(QMessageBox::Question, tr("Delete endpoints"),
        names.size() == 1 ? tr("Delete the endpoint \"%1\"?").arg(names.first())
                          : tr("Delete %1 endpoints: %2?").arg(names.size()).arg(names.join(u", "_qs)),
        QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(u"confirmDelete"_qs);
    box->setInformativeText(tr("Probing stops at once. Stored history is kept."));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, names, keys](int result) {
        if (result != QMessageBox::Yes)
            return;
        QString why;
        if (m_controller->removeEndpoints(keys, &why))
            statusBar()->showMessage(tr("Deleted %1").arg(names.join(u", "_qs)), 5000);
        else
            showNotSaved(why);
    });
    box->open();
}

void MainWindow::probeSelectedNow()
{
    const QList<int> rows = selectedRows();
    for (int row : rows)
        m_controller->probeNow(endpointKey(m_endpoints->endpoint(row)));
    if (!rows.isEmpty())
        statusBar()->showMessage(tr("Probing %n endpoint(s) now…", nullptr, static_cast<int>(rows.size())), 3000);
}

void MainWindow::setPaused(bool paused)
{
    m_paused = paused;
    m_controller->setPaused(paused);
    // Words, not "⏸": the font may have no such glyph (the tiles and the table draw theirs).
    m_pausedLabel->setText(paused ? tr("Probing paused") : QString());
    m_pausedLabel->setStyleSheet(paused ? u"font-weight: bold;"_qs : QString());
    m_incidents->refresh(); // the tiles and the table say "paused" too
    if (QAction* a = action(u"pauseProbing"_qs); a && a->isChecked() != paused)
        a->setChecked(paused);
}

void MainWindow::openExportDialog()
{
    // Everything with stored history, configured now or not: a report may cover a removed endpoint. The
    // reader's thread lists them; the dialog opens with its answer (showExportDialog).
    if (m_exportRequest == 0)
        m_exportRequest = m_reader->requestEndpoints();
}

void MainWindow::showExportDialog(const HistoryReader::EndpointsAnswer& answer)
{
    if (answer.requestId != m_exportRequest)
        return;
    m_exportRequest = 0;
    QStringList names = answer.endpoints;
    for (const EndpointConfig& e : config().endpoints)
        if (!names.contains(e.name))
            names << e.name;
    names.sort();
    auto* dialog = new ExportDialog(m_controller->historyPath(), names, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QHash<QString, std::array<SignalState, kSignalCount>> states;
    for (int row = 0; row < m_endpoints->rowCount(); ++row)
        states.insert(m_endpoints->endpoint(row).name, m_endpoints->status(row).states);
    dialog->setCurrentStates(states);
    QHash<QString, QDateTime> certExpires;
    for (int row = 0; row < m_endpoints->rowCount(); ++row) {
        if (const QDateTime expiry = m_endpoints->certificateExpiry(row); expiry.isValid())
            certExpires.insert(m_endpoints->endpoint(row).name, expiry);
    }
    dialog->setCertificateExpiries(certExpires);
    dialog->setUptimeExclusions(uptimeExclusionsByName(config()));
    if (m_range.isCustom()) {
        dialog->setCustomRange(
            QDateTime::fromMSecsSinceEpoch(m_range.fromMs), QDateTime::fromMSecsSinceEpoch(m_range.toMs));
    } else {
        const QList<TimeRange> presets = TimeRange::presets();
        const qsizetype index = presets.indexOf(m_range);
        if (index >= 0)
            dialog->setRangePreset(static_cast<ExportDialog::RangePreset>(index));
    }
    const QStringList selected = [this] {
        QStringList out;
        for (int row : selectedRows())
            out << m_endpoints->endpoint(row).name;
        return out;
    }();
    if (selected.size() > 1)
        dialog->setCheckedEndpoints(selected);
    connect(
        dialog, &ExportDialog::exportFinished, this, [this](bool ok, const QString& path, qint64 rows, const QString&) {
            if (ok)
                statusBar()->showMessage(tr("Exported %1 rows to %2").arg(rows).arg(path), 10'000);
        });
    dialog->open();
}

void MainWindow::restoreState()
{
    QSettings settings = windowSettings();
    settings.beginGroup(u"mainWindow"_qs);
    if (!restoreGeometry(settings.value(u"geometry"_qs).toByteArray()))
        resize(1400, 900);
    QMainWindow::restoreState(settings.value(u"state"_qs).toByteArray());
    m_splitter->restoreState(settings.value(u"splitter"_qs).toByteArray());
    m_table->horizontalHeader()->restoreState(settings.value(u"tableHeader"_qs).toByteArray());
    const bool details = settings.value(u"details"_qs, true).toBool();
    m_detail->setVisible(details);
    if (QAction* toggle = action(u"toggleDetails"_qs))
        toggle->setChecked(details);
    const TimeRange range = TimeRange::fromKey(settings.value(u"range"_qs, u"1h"_qs).toString());
    settings.endGroup();
    setRange(range);
}

void MainWindow::saveState() const
{
    QSettings settings = windowSettings();
    settings.beginGroup(u"mainWindow"_qs);
    settings.setValue(u"geometry"_qs, saveGeometry());
    settings.setValue(u"state"_qs, QMainWindow::saveState());
    settings.setValue(u"splitter"_qs, m_splitter->saveState());
    settings.setValue(u"tableHeader"_qs, m_table->horizontalHeader()->saveState());
    settings.setValue(u"details"_qs, !m_detail->isHidden());
    settings.setValue(u"range"_qs, m_range.key());
    settings.endGroup();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveState();
    QMainWindow::closeEvent(event);
}

} // namespace sd
