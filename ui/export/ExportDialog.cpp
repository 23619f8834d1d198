// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/export/ExportDialog.h"

#include "ui/charts/SignalColors.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QLoggingCategory>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalBlocker>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcExport, "signaldeck.ui.export", QtInfoMsg)

namespace sd {

namespace {

constexpr qint64 kMinuteMs = 60'000;
constexpr qint64 kHourMs = 60 * kMinuteMs;
constexpr qint64 kDayMs = 24 * kHourMs;

qint64 presetSpanMs(ExportDialog::RangePreset preset)
{
    switch (preset) {
    case ExportDialog::RangePreset::Last5Minutes:
        return 5 * kMinuteMs;
    case ExportDialog::RangePreset::LastHour:
        return kHourMs;
    case ExportDialog::RangePreset::Last24Hours:
        return kDayMs;
    case ExportDialog::RangePreset::Last7Days:
        return 7 * kDayMs;
    case ExportDialog::RangePreset::Last30Days:
        return 30 * kDayMs;
    case ExportDialog::RangePreset::Last90Days:
        return 90 * kDayMs;
    case ExportDialog::RangePreset::Custom:
        break;
    }
    return 0;
}

} // namespace

ExportDialog::ExportDialog(QString databasePath, const QStringList& endpoints, QWidget* parent)
    : QDialog(parent)
    , m_databasePath(std::move(databasePath))
{
    setWindowTitle(tr("Export CSV"));

    m_range = new QComboBox(this);
    m_range->addItem(tr("Last 5 minutes"), QVariant::fromValue(RangePreset::Last5Minutes));
    m_range->addItem(tr("Last hour"), QVariant::fromValue(RangePreset::LastHour));
    m_range->addItem(tr("Last 24 hours"), QVariant::fromValue(RangePreset::Last24Hours));
    m_range->addItem(tr("Last 7 days"), QVariant::fromValue(RangePreset::Last7Days));
    m_range->addItem(tr("Last 30 days"), QVariant::fromValue(RangePreset::Last30Days));
    m_range->addItem(tr("Last 90 days"), QVariant::fromValue(RangePreset::Last90Days));
    m_range->addItem(tr("Custom range"), QVariant::fromValue(RangePreset::Custom));
    m_range->setCurrentIndex(2);

    const QDateTime now = QDateTime::currentDateTime();
    m_from = new QDateTimeEdit(now.addDays(-1), this);
    m_to = new QDateTimeEdit(now, this);
    for (QDateTimeEdit* edit : { m_from, m_to }) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(u"yyyy-MM-dd HH:mm:ss"_s);
        edit->setTimeSpec(Qt::LocalTime);
    }
    auto* custom = new QHBoxLayout;
    custom->addWidget(m_from, 1);
    custom->addWidget(new QLabel(tr("to"), this));
    custom->addWidget(m_to, 1);

    m_endpoints = new QListWidget(this);
    m_endpoints->setMinimumHeight(120);
    for (const QString& name : endpoints) {
        auto* item = new QListWidgetItem(name, m_endpoints);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Checked);
    }
    auto* all = new QPushButton(tr("All"), this);
    auto* none = new QPushButton(tr("None"), this);
    auto* endpointButtons = new QVBoxLayout;
    endpointButtons->addWidget(all);
    endpointButtons->addWidget(none);
    endpointButtons->addStretch();
    auto* endpointRow = new QHBoxLayout;
    endpointRow->addWidget(m_endpoints, 1);
    endpointRow->addLayout(endpointButtons);

    m_raw = new QRadioButton(tr("Raw samples (one row per probe)"), this);
    m_summary = new QRadioButton(tr("Summary (one row per endpoint)"), this);
    m_raw->setChecked(true);
    auto* kindBox = new QVBoxLayout;
    kindBox->addWidget(m_raw);
    kindBox->addWidget(m_summary);

    m_output = new QLineEdit(this);
    m_browse = new QPushButton(tr("Browse\u2026"), this);
    auto* outputRow = new QHBoxLayout;
    outputRow->addWidget(m_output, 1);
    outputRow->addWidget(m_browse);
    QString directory = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (directory.isEmpty())
        directory = QDir::homePath();
    m_output->setText(QDir(directory).filePath(defaultFileName(ExportRequest::Kind::RawSamples, now)));

    auto* endpointsLabel = new QLabel(tr("&Endpoints:"), this);
    endpointsLabel->setBuddy(m_endpoints);
    auto* fileLabel = new QLabel(tr("&File:"), this);
    fileLabel->setBuddy(m_output);
    auto* fromLabel = new QLabel(tr("F&rom:"), this);
    fromLabel->setBuddy(m_from);
    auto* form = new QFormLayout;
    form->addRow(tr("&Range:"), m_range);
    form->addRow(fromLabel, custom);
    form->addRow(endpointsLabel, endpointRow);
    form->addRow(tr("Content:"), kindBox);
    form->addRow(fileLabel, outputRow);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setVisible(false);
    // Read-only text rather than a QLabel: a long path must wrap anywhere, and copy without decoration.
    m_status = new QPlainTextEdit(this);
    m_status->setReadOnly(true);
    m_status->setFrameShape(QFrame::NoFrame);
    m_status->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_status->setFocusPolicy(Qt::ClickFocus);
    m_status->setFixedHeight(m_status->fontMetrics().lineSpacing() * 3 + 8);
    m_status->viewport()->setAutoFillBackground(false);

    m_buttons = new QDialogButtonBox(this);
    m_exportButton = m_buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_cancelButton = m_buttons->addButton(QDialogButtonBox::Close);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);

    connect(m_range, &QComboBox::currentIndexChanged, this, &ExportDialog::updateState);
    connect(m_from, &QDateTimeEdit::dateTimeChanged, this, &ExportDialog::updateState);
    connect(m_to, &QDateTimeEdit::dateTimeChanged, this, &ExportDialog::updateState);
    connect(m_endpoints, &QListWidget::itemChanged, this, &ExportDialog::updateState);
    connect(all, &QPushButton::clicked, this, [this] { setCheckedEndpoints({}); });
    connect(none, &QPushButton::clicked, this, [this] {
        for (int i = 0; i < m_endpoints->count(); ++i)
            m_endpoints->item(i)->setCheckState(Qt::Unchecked);
    });
    connect(m_raw, &QRadioButton::toggled, this, [this] {
        // Follow the content in the default name until the operator types a name of their own.
        if (!m_outputEdited) {
            const QFileInfo current(m_output->text());
            m_output->setText(current.dir().filePath(defaultFileName(kind(), QDateTime::currentDateTime())));
        }
        updateState();
    });
    connect(m_output, &QLineEdit::textEdited, this, [this] {
        m_outputEdited = true;
        updateState();
    });
    connect(m_browse, &QPushButton::clicked, this, &ExportDialog::chooseOutputFile);
    connect(m_exportButton, &QPushButton::clicked, this, &ExportDialog::startExport);
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        if (isRunning())
            cancelExport();
        else
            reject();
    });
    connect(&m_watcher, &QFutureWatcher<bool>::finished, this, &ExportDialog::onFinished);
    updateState();
}

ExportDialog::~ExportDialog()
{
    if (isRunning()) {
        m_export->cancel();
        m_watcher.waitForFinished();
    }
}

QString ExportDialog::defaultFileName(ExportRequest::Kind kind, const QDateTime& localTime)
{
    return u"signaldeck-%1-%2.csv"_s.arg(
        kind == ExportRequest::Kind::Summary ? u"summary"_s : u"raw"_s, localTime.toString(u"yyyyMMdd-HHmm"_s));
}

void ExportDialog::setRangePreset(RangePreset preset)
{
    m_range->setCurrentIndex(m_range->findData(QVariant::fromValue(preset)));
}

ExportDialog::RangePreset ExportDialog::rangePreset() const
{
    return m_range->currentData().value<RangePreset>();
}

void ExportDialog::setCustomRange(const QDateTime& from, const QDateTime& to)
{
    setRangePreset(RangePreset::Custom);
    m_from->setDateTime(from.toLocalTime());
    m_to->setDateTime(to.toLocalTime());
}

void ExportDialog::setReferenceTime(const QDateTime& now)
{
    m_referenceTime = now;
    updateState();
}

QDateTime ExportDialog::referenceTime() const
{
    return m_referenceTime.isValid() ? m_referenceTime : QDateTime::currentDateTimeUtc();
}

void ExportDialog::setKind(ExportRequest::Kind kind)
{
    (kind == ExportRequest::Kind::Summary ? m_summary : m_raw)->setChecked(true);
}

ExportRequest::Kind ExportDialog::kind() const
{
    return m_summary->isChecked() ? ExportRequest::Kind::Summary : ExportRequest::Kind::RawSamples;
}

void ExportDialog::setCheckedEndpoints(const QStringList& endpoints)
{
    for (int i = 0; i < m_endpoints->count(); ++i) {
        QListWidgetItem* item = m_endpoints->item(i);
        item->setCheckState(endpoints.isEmpty() || endpoints.contains(item->text()) ? Qt::Checked : Qt::Unchecked);
    }
}

QStringList ExportDialog::checkedEndpoints() const
{
    QStringList names;
    for (int i = 0; i < m_endpoints->count(); ++i) {
        if (m_endpoints->item(i)->checkState() == Qt::Checked)
            names.append(m_endpoints->item(i)->text());
    }
    return names;
}

void ExportDialog::setOutputPath(const QString& path)
{
    m_output->setText(path);
    m_outputEdited = true;
    updateState();
}

QString ExportDialog::outputPath() const
{
    return m_output->text().trimmed();
}

void ExportDialog::setCurrentStates(const QHash<QString, std::array<SignalState, kSignalCount>>& states)
{
    m_currentStates = states;
}

QString ExportDialog::validationError() const
{
    if (m_endpoints->count() > 0 && checkedEndpoints().isEmpty())
        return tr("Choose at least one endpoint.");
    if (rangePreset() == RangePreset::Custom && m_from->dateTime() >= m_to->dateTime())
        return tr("The start of the range must be before its end.");
    if (outputPath().isEmpty())
        return tr("Choose a file to write.");
    return {};
}

ExportRequest ExportDialog::request() const
{
    ExportRequest r;
    if (!validationError().isEmpty())
        return r;
    r.kind = kind();
    r.databasePath = m_databasePath;
    if (rangePreset() == RangePreset::Custom) {
        r.fromMs = m_from->dateTime().toMSecsSinceEpoch();
        r.toMs = m_to->dateTime().toMSecsSinceEpoch();
    } else {
        r.toMs = referenceTime().toMSecsSinceEpoch();
        r.fromMs = r.toMs - presetSpanMs(rangePreset());
    }
    // Everything checked means everything in the history, including endpoints this list does not know.
    const QStringList checked = checkedEndpoints();
    if (checked.size() < m_endpoints->count())
        r.endpoints = checked;
    r.currentStates = m_currentStates;
    r.certExpires = m_certExpires;
    r.uptimeExcluded = m_uptimeExcluded;
    return r;
}

bool ExportDialog::isRunning() const
{
    return m_export != nullptr;
}

QString ExportDialog::statusText() const
{
    return m_status->toPlainText();
}

void ExportDialog::showPresetRange()
{
    // A preset shows the range it stands for, and is where a switch to "Custom" starts from.
    const qint64 span = presetSpanMs(rangePreset());
    if (span <= 0)
        return;
    const QDateTime end = referenceTime().toLocalTime();
    const QSignalBlocker blockFrom(m_from);
    const QSignalBlocker blockTo(m_to);
    m_from->setDateTime(end.addMSecs(-span));
    m_to->setDateTime(end);
}

void ExportDialog::chooseOutputFile()
{
    const QString path
        = QFileDialog::getSaveFileName(this, tr("Export CSV to"), outputPath(), tr("CSV files (*.csv);;All files (*)"));
    if (!path.isEmpty())
        setOutputPath(path);
}

void ExportDialog::updateState()
{
    const bool custom = rangePreset() == RangePreset::Custom;
    if (!custom && !isRunning())
        showPresetRange();
    m_from->setEnabled(custom && !isRunning());
    m_to->setEnabled(custom && !isRunning());
    const QString problem = validationError();
    m_exportButton->setEnabled(!isRunning() && problem.isEmpty());
    m_exportButton->setToolTip(problem);
    for (QWidget* w : std::initializer_list<QWidget*> { m_range, m_endpoints, m_raw, m_summary, m_output, m_browse })
        w->setEnabled(!isRunning());
    m_cancelButton->setText(isRunning() ? tr("Cancel") : tr("Close"));
    if (!isRunning() && !problem.isEmpty())
        setStatus(problem, false);
    else if (!isRunning() && m_status->property("validation").toBool())
        setStatus({}, false);
    m_status->setProperty("validation", !isRunning() && !problem.isEmpty());
}

void ExportDialog::setStatus(const QString& text, bool error)
{
    QPalette p = palette();
    p.setColor(QPalette::Base, p.color(QPalette::Window));
    p.setColor(QPalette::Text, error ? stateColor(SignalState::Critical, palette()) : p.color(QPalette::WindowText));
    m_status->setPalette(p);
    m_status->setPlainText(error && !text.isEmpty() ? stateIconText(SignalState::Critical) + u" "_s + text : text);
}

void ExportDialog::startExport()
{
    if (isRunning())
        return;
    const ExportRequest r = request();
    if (r.databasePath.isEmpty()) {
        setStatus(validationError(), true);
        return;
    }
    m_runningPath = outputPath();
    m_export = std::make_shared<CsvExport>(r);
    // CsvExport reports from the worker thread; the queued connection brings progress to this thread.
    connect(m_export.get(), &CsvExport::progress, this, &ExportDialog::onProgress, Qt::QueuedConnection);
    m_progress->setValue(0);
    m_progress->setVisible(true);
    setStatus(tr("Exporting\u2026"), false);
    qCInfo(lcExport) << "export started:" << m_runningPath;
    const std::shared_ptr<CsvExport> exporter = m_export;
    const QString path = m_runningPath;
    m_watcher.setFuture(QtConcurrent::run([exporter, path] { return exporter->writeToFile(path); }));
    updateState();
}

void ExportDialog::cancelExport()
{
    if (!isRunning())
        return;
    m_export->cancel();
    setStatus(tr("Canceling\u2026"), false);
}

void ExportDialog::onProgress(qint64 done, qint64 total)
{
    if (!isRunning())
        return;
    m_progress->setValue(total > 0 ? static_cast<int>(std::min<qint64>(done * 1000 / total, 1000)) : 0);
    const QLocale locale;
    setStatus(m_export->wasCanceled() ? tr("Canceling\u2026")
                                      : tr("%1 of %2 rows").arg(locale.toString(done), locale.toString(total)),
        false);
    emit progressChanged(done, total);
}

void ExportDialog::onFinished()
{
    const std::shared_ptr<CsvExport> exporter = std::move(m_export);
    const bool ok = m_watcher.result();
    const qint64 rows = exporter->rowsWritten();
    QString message;
    if (ok) {
        m_progress->setValue(1000);
        message = tr("Exported %1 rows to %2").arg(QLocale().toString(rows), m_runningPath);
        setStatus(message, false);
        qCInfo(lcExport) << "export finished:" << rows << "rows to" << m_runningPath;
    } else if (exporter->wasCanceled()) {
        m_progress->setVisible(false);
        message = tr("Export canceled; %1 was not written.").arg(m_runningPath);
        setStatus(message, false);
    } else {
        m_progress->setVisible(false);
        message = tr("Export failed: %1").arg(exporter->errorString());
        setStatus(message, true);
        qCWarning(lcExport) << "export failed:" << exporter->errorString();
    }
    updateState();
    emit exportFinished(ok, m_runningPath, ok ? rows : 0, message);
}

void ExportDialog::reject()
{
    // Closing the window while exporting cancels first; the dialog closes once the worker is done.
    if (isRunning()) {
        cancelExport();
        connect(
            this, &ExportDialog::exportFinished, this, [this] { QDialog::reject(); }, Qt::SingleShotConnection);
        return;
    }
    QDialog::reject();
}

} // namespace sd
