// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/ConfigError.h"
#include "core/EndpointConfig.h"
#include "core/ProbeResult.h"

#include <QDialog>
#include <QJsonObject>
#include <QPointer>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace sd {

class Controller;

/// Adds or edits one endpoint. The form is turned into the endpoint's JSON and checked by the config's own
/// parser against the whole config (so names stay unique and every rule is the file's rule); the parser's
/// messages are shown inline under the form, and the fields they name are marked. The timeout bounds, the
/// body checks and the error-code map are under "Checks and timeouts": the bounds as durations, the checks
/// and the map as the config file's JSON (docs/CONFIG.md), checked by the same parser. Settings the form
/// does not show (TLS) are kept as they were. "Probe now" probes the endpoint as
/// written, once, through the session's engine (setController), and shows the result and its classification.
class EndpointEditorDialog : public QDialog {
    Q_OBJECT
public:
    /// `index` is the endpoint being edited, or -1 to add `initial` as a new one (new or duplicated).
    EndpointEditorDialog(const AppConfig& config, int index, const EndpointConfig& initial, QWidget* parent = nullptr);
    ~EndpointEditorDialog() override;

    /// The config with the edited endpoint in place; set when the dialog was accepted.
    const std::optional<AppConfig>& result() const { return m_result; }
    /// Validates the form now; true when the config would load.
    bool validate();
    /// "Probe now" asks the session's controller (whose engine holds the secrets) for a one-shot probe of the
    /// edited, unsaved endpoint, with its real credential. Without one "Probe now" is disabled: the dialog
    /// never runs an engine of its own.
    void setController(Controller* controller);
    QString errorText() const;
    QString probeText() const;

    QLineEdit* nameEdit() const { return m_name; }
    QLineEdit* urlEdit() const { return m_url; }
    QLineEdit* intervalEdit() const { return m_interval; }
    QComboBox* credentialBox() const { return m_credential; }
    QPushButton* probeButton() const { return m_probe; }
    QLineEdit* timeoutMinEdit() const { return m_timeoutMin; }
    QLineEdit* timeoutMaxEdit() const { return m_timeoutMax; }
    QPlainTextEdit* checksEdit() const { return m_checks; }
    QPlainTextEdit* errorCodesEdit() const { return m_errorCodes; }

signals:
    void probeFinished();

private:
    void fillForm(const EndpointConfig& endpoint);
    QJsonObject formObject() const;
    ConfigParseResult candidate() const;
    void showErrors(const QList<ConfigError>& errors);
    void runProbe();
    void tryAccept();
    void showProbeResult(const ProbeResults& results);

    AppConfig m_config;
    int m_index;
    QJsonObject m_original; ///< the endpoint's JSON as it was (keeps keys the form does not show)
    std::optional<AppConfig> m_result;

    QLineEdit* m_name;
    QLineEdit* m_url;
    QComboBox* m_method;
    QComboBox* m_kind;
    QLineEdit* m_interval;
    QLineEdit* m_timeout;
    QLineEdit* m_timeoutMin;
    QLineEdit* m_timeoutMax;
    QPlainTextEdit* m_checks;
    QPlainTextEdit* m_errorCodes;
    QLineEdit* m_expect;
    QPlainTextEdit* m_headers;
    QPlainTextEdit* m_body;
    QComboBox* m_credential;
    QLineEdit* m_tags;
    QLineEdit* m_maxBody;
    QCheckBox* m_fresh;
    QLabel* m_errors;
    QLabel* m_probeResult;
    QPushButton* m_probe;
    QDialogButtonBox* m_buttons;
    QPointer<Controller> m_controller;
    quint64 m_oneShot = 0;
};

} // namespace sd
