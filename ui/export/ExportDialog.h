// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "report/CsvExport.h"

#include <QDateTime>
#include <QDialog>
#include <QFutureWatcher>

#include <memory>

class QButtonGroup;
class QComboBox;
class QDateTimeEdit;
class QDialogButtonBox;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;

namespace sd {

/// The CSV export dialog (issue 6): a time range (last 5 min, 1 h, 24 h, 7 d, 30 d, 90 d or a custom
/// from / to in local time), the endpoints (a checkable list, all checked at first), raw samples or the
/// per-endpoint summary, and the output file (a default name such as signaldeck-raw-20260302-1015.csv,
/// changed with a save-file dialog). Export runs CsvExport in a worker thread with its own read connection
/// to the history database, with a progress bar and Cancel; CsvExport writes through QSaveFile, so a
/// canceled or failed export leaves no file behind. A failure is shown in the dialog with the path and the
/// reason; the dialog stays open so the operator can fix the path and try again.
///
/// Fill the endpoint list with the endpoints that have history (HistoryQuery::endpoints(), run in a worker):
/// a checked endpoint without history fails the export with that message. When every endpoint is checked the
/// export asks for all endpoints in the history.
class ExportDialog : public QDialog {
    Q_OBJECT
public:
    enum class RangePreset { Last5Minutes, LastHour, Last24Hours, Last7Days, Last30Days, Last90Days, Custom };
    Q_ENUM(RangePreset)

    ExportDialog(QString databasePath, const QStringList& endpoints, QWidget* parent = nullptr);
    /// Cancels a running export and waits for the worker.
    ~ExportDialog() override;

    void setRangePreset(RangePreset preset);
    RangePreset rangePreset() const;
    /// Sets the custom range (and selects it).
    void setCustomRange(const QDateTime& from, const QDateTime& to);
    /// The moment the presets end at; when unset (the default) the time the export starts.
    void setReferenceTime(const QDateTime& now);
    void setKind(ExportRequest::Kind kind);
    ExportRequest::Kind kind() const;
    void setCheckedEndpoints(const QStringList& endpoints);
    QStringList checkedEndpoints() const;
    void setOutputPath(const QString& path);
    QString outputPath() const;
    /// The live S1..S4 states per endpoint, written into summaries.
    void setCurrentStates(const QHash<QString, std::array<SignalState, kSignalCount>>& states);
    /// The live certificate expiry per https endpoint, written into summaries (cert_expires_utc).
    void setCertificateExpiries(const QHash<QString, QDateTime>& expiries) { m_certExpires = expiries; }
    /// Summary only: per endpoint, the spans its uptime_percent leaves out (maintenance `excludeFromUptime`).
    void setUptimeExclusions(const QHash<QString, TimeSpans>& byEndpointName) { m_uptimeExcluded = byEndpointName; }

    /// "signaldeck-raw-YYYYMMDD-HHMM.csv" or "signaldeck-summary-…" for the given local time.
    static QString defaultFileName(ExportRequest::Kind kind, const QDateTime& localTime);
    /// What Export would run now; empty (databasePath empty) with validationError() set when it cannot.
    ExportRequest request() const;
    QString validationError() const;
    bool isRunning() const;
    /// The text shown under the progress bar: progress, success with the path, or the error.
    QString statusText() const;

public slots:
    void startExport();
    void cancelExport();
    /// Opens the save-file dialog on the current output path.
    void chooseOutputFile();

signals:
    void progressChanged(qint64 done, qint64 total);
    /// ok is false on failure and on cancel; `message` is the error (with path and reason) or the summary.
    void exportFinished(bool ok, const QString& path, qint64 rows, const QString& message);

protected:
    void reject() override;

private:
    QDateTime referenceTime() const;
    void updateState();
    void onProgress(qint64 done, qint64 total);
    void onFinished();
    void setStatus(const QString& text, bool error);
    void showPresetRange();

    QString m_databasePath;
    QDateTime m_referenceTime;
    QHash<QString, std::array<SignalState, kSignalCount>> m_currentStates;
    QHash<QString, QDateTime> m_certExpires;
    QHash<QString, TimeSpans> m_uptimeExcluded;
    bool m_outputEdited = false;

    QComboBox* m_range = nullptr;
    QDateTimeEdit* m_from = nullptr;
    QDateTimeEdit* m_to = nullptr;
    QListWidget* m_endpoints = nullptr;
    QRadioButton* m_raw = nullptr;
    QRadioButton* m_summary = nullptr;
    QLineEdit* m_output = nullptr;
    QPushButton* m_browse = nullptr;
    QProgressBar* m_progress = nullptr;
    QPlainTextEdit* m_status = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    QPushButton* m_exportButton = nullptr;
    QPushButton* m_cancelButton = nullptr;

    std::shared_ptr<CsvExport> m_export;
    QString m_runningPath;
    QFutureWatcher<bool> m_watcher;
};

} // namespace sd
