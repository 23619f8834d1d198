// SPDX-License-Identifier: GPL-3.0-or-later
#include "EndpointEditorDialog.h"

#include "config/ConfigLoader.h"
#include "config/ConfigWriter.h"
#include "config/Duration.h"
#include "controller/Controller.h"
#include "itemmodels/DisplayText.h"
#include "ui/charts/PaletteStyle.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace sd {

namespace {
/// A config holding just `endpoint`: what configToJsonObject() needs to write one endpoint.
AppConfig withOnly(const EndpointConfig& endpoint)
{
    AppConfig config;
    config.endpoints = { endpoint };
    return config;
}

QString joinedStatuses(const QList<int>& statuses)
{
    QStringList parts;
    for (int s : statuses)
        parts << QString::number(s);
    return parts.join(u", "_qs);
}

void markInvalid(QWidget* field, bool invalid)
{
    field->setProperty("invalid", invalid);
    field->setStyleSheet(invalid ? invalidFieldStyleSheet(QGuiApplication::palette()) : QString());
}

} // namespace

EndpointEditorDialog::EndpointEditorDialog(
    const AppConfig& config, int index, const EndpointConfig& initial, QWidget* parent)
    : QDialog(parent)
    , m_config(config)
    , m_index(index)
    , m_name(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_method(new QComboBox(this))
    , m_kind(new QComboBox(this))
    , m_interval(new QLineEdit(this))
    , m_timeout(new QLineEdit(this))
    , m_timeoutMin(new QLineEdit(this))
    , m_timeoutMax(new QLineEdit(this))
    , m_checks(new QPlainTextEdit(this))
    , m_errorCodes(new QPlainTextEdit(this))
    , m_expect(new QLineEdit(this))
    , m_headers(new QPlainTextEdit(this))
    , m_body(new QPlainTextEdit(this))
    , m_credential(new QComboBox(this))
    , m_tags(new QLineEdit(this))
    , m_maxBody(new QLineEdit(this))
    , m_fresh(new QCheckBox(tr("Open a fresh connection for every probe"), this))
    , m_errors(new QLabel(this))
    , m_probeResult(new QLabel(this))
    , m_probe(new QPushButton(tr("&Probe now"), this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this))
{
    setObjectName(u"endpointEditor"_qs);
    setWindowTitle(index < 0 ? tr("Add endpoint") : tr("Edit endpoint — %1").arg(initial.name));
    m_method->addItems({ u"GET"_qs, u"HEAD"_qs, u"POST"_qs });
    m_kind->addItem(tr("HTTP"), u"http"_qs);
    m_kind->addItem(tr("JSON-RPC"), u"jsonrpc"_qs);
    m_credential->setObjectName(u"credentialBox"_qs);
    m_credential->addItem(tr("(none)"), QString());
    for (const CredentialConfig& c : std::as_const(config.credentials))
        m_credential->addItem(c.label.isEmpty() ? c.id : c.label + u" ("_qs + c.id + u")"_qs, c.id);
    m_url->setPlaceholderText(u"https://api.example.com/v1/health"_qs);
    m_interval->setPlaceholderText(u"30s"_qs);
    m_timeout->setPlaceholderText(tr("adaptive, or a duration such as 5s"));
    m_expect->setPlaceholderText(tr("any 2xx; or a list such as 200, 204"));
    m_headers->setPlaceholderText(tr("One per line: Name: value (secrets belong in a credential)"));
    m_headers->setMaximumHeight(70);
    m_body->setMaximumHeight(70);
    m_tags->setPlaceholderText(tr("comma-separated, e.g. prod, llm"));
    m_timeoutMin->setObjectName(u"timeoutMin"_qs);
    m_timeoutMax->setObjectName(u"timeoutMax"_qs);
    m_checks->setObjectName(u"checks"_qs);
    m_errorCodes->setObjectName(u"errorCodes"_qs);
    m_timeoutMin->setPlaceholderText(u"1s"_qs);
    m_timeoutMax->setPlaceholderText(u"10s"_qs);
    m_timeoutMin->setToolTip(tr("The adaptive timeout never goes below this (50ms … 10m)"));
    m_timeoutMax->setToolTip(tr("The adaptive timeout never goes above this (50ms … 10m)"));
    m_checks->setPlaceholderText(
        tr(R"(none; e.g. [ { "contains": "ok" }, { "jsonPointer": "/status", "equals": "up" } ])"));
    m_errorCodes->setPlaceholderText(
        tr(R"(none; e.g. { "pointer": "/error/code", "map": [ { "code": 401001, "signal": "S2" } ] })"));
    m_checks->setToolTip(tr("Body checks as in the config file (docs/CONFIG.md, \"Body checks\"); a failed check "
                            "counts as an error"));
    m_errorCodes->setToolTip(tr("Business error codes in a JSON body mapped to a signal, as in the config file "
                                "(docs/CONFIG.md, \"Error-code map\")"));
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_checks->setFont(mono);
    m_errorCodes->setFont(mono);
    m_checks->setMaximumHeight(70);
    m_errorCodes->setMaximumHeight(70);
    m_maxBody->setPlaceholderText(u"65536"_qs);
    m_errors->setObjectName(u"validationErrors"_qs);
    m_errors->setWordWrap(true);
    m_errors->setTextInteractionFlags(Qt::TextSelectableByMouse);
    followPalette(
        m_errors, [this] { m_errors->setStyleSheet(toneStyleSheet(TextTone::Problem, QGuiApplication::palette())); });
    m_errors->hide();
    m_probeResult->setObjectName(u"probeResult"_qs);
    m_probeResult->setWordWrap(true);
    m_probeResult->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&URL:"), m_url);
    form->addRow(tr("&Method:"), m_method);
    form->addRow(tr("&Kind:"), m_kind);
    form->addRow(tr("&Interval:"), m_interval);
    form->addRow(tr("&Timeout:"), m_timeout);
    auto* bounds = new QHBoxLayout;
    bounds->addWidget(new QLabel(tr("adaptive between"), this));
    bounds->addWidget(m_timeoutMin, 1);
    bounds->addWidget(new QLabel(tr("and"), this));
    bounds->addWidget(m_timeoutMax, 1);
    form->addRow(tr("Timeout bounds:"), bounds);
    form->addRow(tr("&Expected status:"), m_expect);
    form->addRow(tr("&Headers:"), m_headers);
    form->addRow(tr("&Body:"), m_body);
    form->addRow(tr("Body chec&ks (JSON):"), m_checks);
    form->addRow(tr("Error c&odes (JSON):"), m_errorCodes);
    form->addRow(tr("&Credential:"), m_credential);
    form->addRow(tr("T&ags:"), m_tags);
    form->addRow(tr("Max body bytes:"), m_maxBody);
    form->addRow(QString(), m_fresh);

    auto* probeRow = new QHBoxLayout;
    probeRow->addWidget(m_probe);
    probeRow->addWidget(m_probeResult, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_errors);
    layout->addLayout(probeRow);
    layout->addWidget(m_buttons);

    m_original = index >= 0 && index < config.endpoints.size()
        ? configToJsonObject(withOnly(config.endpoints.at(index))).value(u"endpoints"_qs).toArray().at(0).toObject()
        : configToJsonObject(withOnly(initial)).value(u"endpoints"_qs).toArray().at(0).toObject();
    fillForm(initial);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &EndpointEditorDialog::tryAccept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_probe, &QPushButton::clicked, this, &EndpointEditorDialog::runProbe);
    m_probe->setEnabled(false); // until setController(): the probe goes through the session's engine
    // Re-check as the user types, but only once there is something to say (no red form on open).
    auto* debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(300);
    connect(debounce, &QTimer::timeout, this, [this] {
        if (m_errors->isVisible())
            validate();
    });
    for (QLineEdit* edit :
        { m_name, m_url, m_interval, m_timeout, m_timeoutMin, m_timeoutMax, m_expect, m_tags, m_maxBody })
        connect(edit, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    for (QPlainTextEdit* edit : { m_checks, m_errorCodes })
        connect(edit, &QPlainTextEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    resize(640, sizeHint().height());
}

EndpointEditorDialog::~EndpointEditorDialog() = default;

void EndpointEditorDialog::fillForm(const EndpointConfig& e)
{
    m_name->setText(e.name);
    m_url->setText(e.url.toString());
    m_method->setCurrentText(QString::fromLatin1(e.method));
    m_kind->setCurrentIndex(e.kind == EndpointKind::JsonRpc ? 1 : 0);
    m_interval->setText(formatDuration(e.interval));
    m_timeout->setText(e.adaptiveTimeout ? u"adaptive"_qs : formatDuration(e.timeout));
    m_timeoutMin->setText(formatDuration(e.timeoutMin));
    m_timeoutMax->setText(formatDuration(e.timeoutMax));
    // The checks and the map exactly as the config file writes them.
    const QJsonObject written = configToJsonObject(withOnly(e)).value(u"endpoints"_qs).toArray().at(0).toObject();
    const QJsonValue checks = written.value(u"checks"_qs);
    m_checks->setPlainText(checks.isArray() && !checks.toArray().isEmpty()
            ? QString::fromUtf8(QJsonDocument(checks.toArray()).toJson(QJsonDocument::Compact))
            : QString());
    const QJsonValue codes = written.value(u"errorCodes"_qs);
    m_errorCodes->setPlainText(codes.isObject()
            ? QString::fromUtf8(QJsonDocument(codes.toObject()).toJson(QJsonDocument::Compact))
            : QString());
    m_expect->setText(joinedStatuses(e.expectStatus));
    QStringList headerLines;
    for (const auto& [name, value] : e.headers)
        headerLines << QString::fromLatin1(name) + u": "_qs + QString::fromUtf8(value);
    m_headers->setPlainText(headerLines.join(u'\n'));
    m_body->setPlainText(QString::fromUtf8(e.body));
    const int credentialIndex = m_credential->findData(e.credential);
    if (credentialIndex >= 0)
        m_credential->setCurrentIndex(credentialIndex);
    else if (!e.credential.isEmpty()) {
        m_credential->addItem(e.credential, e.credential);
        m_credential->setCurrentIndex(m_credential->count() - 1);
    }
    m_tags->setText(e.tags.join(u", "_qs));
    m_maxBody->setText(QString::number(e.maxBodyBytes));
    m_fresh->setChecked(e.freshConnection);
}

QJsonObject EndpointEditorDialog::formObject() const
{
    // Start from the original so that keys the form does not show (checks, errorCodes, timeoutMin/Max) stay.
    QJsonObject o = m_original;
    for (const auto* key :
        { "name", "url", "method", "kind", "interval", "timeout", "timeoutMin", "timeoutMax", "expectStatus", "headers",
            "body", "checks", "errorCodes", "credential", "tags", "maxBodyBytes", "freshConnection" })
        o.remove(QLatin1StringView(key));
    o.insert(u"name"_qs, m_name->text().trimmed());
    o.insert(u"url"_qs, m_url->text().trimmed());
    o.insert(u"method"_qs, m_method->currentText());
    o.insert(u"kind"_qs, m_kind->currentData().toString());
    if (!m_interval->text().trimmed().isEmpty())
        o.insert(u"interval"_qs, m_interval->text().trimmed());
    if (!m_timeout->text().trimmed().isEmpty())
        o.insert(u"timeout"_qs, m_timeout->text().trimmed());
    if (!m_timeoutMin->text().trimmed().isEmpty())
        o.insert(u"timeoutMin"_qs, m_timeoutMin->text().trimmed());
    if (!m_timeoutMax->text().trimmed().isEmpty())
        o.insert(u"timeoutMax"_qs, m_timeoutMax->text().trimmed());
    // JSON that does not parse goes to the config parser as a string, so its message names the key.
    const auto jsonField = [&o](const char* key, const QPlainTextEdit* edit) {
        const QString text = edit->toPlainText().trimmed();
        if (text.isEmpty())
            return;
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
        if (doc.isArray())
            o.insert(QLatin1StringView(key), doc.array());
        else if (doc.isObject())
            o.insert(QLatin1StringView(key), doc.object());
        else
            o.insert(QLatin1StringView(key), text);
    };
    jsonField("checks", m_checks);
    jsonField("errorCodes", m_errorCodes);
    const QString expect = m_expect->text().trimmed();
    if (!expect.isEmpty()) {
        QJsonArray statuses;
        for (const QString& part : expect.split(u',', Qt::SkipEmptyParts)) {
            bool ok = false;
            const int code = part.trimmed().toInt(&ok);
            // Text that is not a number goes to the parser as it is, so its message names it.
            statuses.append(ok ? QJsonValue(code) : QJsonValue(part.trimmed()));
        }
        o.insert(u"expectStatus"_qs, statuses);
    }
    QJsonObject headers;
    const QStringList headerLines = m_headers->toPlainText().split(u'\n', Qt::SkipEmptyParts);
    for (const QString& line : headerLines) {
        const qsizetype colon = line.indexOf(u':');
        if (colon <= 0)
            headers.insert(line.trimmed(), QJsonValue::Null);
        else
            headers.insert(line.left(colon).trimmed(), line.mid(colon + 1).trimmed());
    }
    if (!headers.isEmpty())
        o.insert(u"headers"_qs, headers);
    if (!m_body->toPlainText().isEmpty())
        o.insert(u"body"_qs, m_body->toPlainText());
    const QString credential = m_credential->currentData().toString();
    if (!credential.isEmpty())
        o.insert(u"credential"_qs, credential);
    QJsonArray tags;
    for (const QString& tag : m_tags->text().split(u',', Qt::SkipEmptyParts))
        if (!tag.trimmed().isEmpty())
            tags.append(tag.trimmed());
    if (!tags.isEmpty())
        o.insert(u"tags"_qs, tags);
    const QString maxBody = m_maxBody->text().trimmed();
    if (!maxBody.isEmpty()) {
        bool ok = false;
        const qint64 bytes = maxBody.toLongLong(&ok);
        o.insert(u"maxBodyBytes"_qs, ok ? QJsonValue(bytes) : QJsonValue(maxBody));
    }
    if (m_fresh->isChecked())
        o.insert(u"freshConnection"_qs, true);
    return o;
}

ConfigParseResult EndpointEditorDialog::candidate() const
{
    QJsonObject root = configToJsonObject(m_config);
    QJsonArray endpoints = root.value(u"endpoints"_qs).toArray();
    if (m_index >= 0 && m_index < endpoints.size()) {
        // The edited endpoint keeps its id: the running engine keeps whatever the edit does not invalidate.
        QJsonObject form = formObject();
        const QString id = m_config.endpoints.at(m_index).id;
        if (!id.isEmpty())
            form.insert(u"id"_qs, id);
        endpoints.replace(m_index, form);
    } else
        endpoints.append(formObject());
    root.insert(u"endpoints"_qs, endpoints);
    return parseConfig(QJsonDocument(root).toJson(QJsonDocument::Compact));
}

void EndpointEditorDialog::showErrors(const QList<ConfigError>& errors)
{
    const int position = m_index >= 0 ? m_index : static_cast<int>(m_config.endpoints.size());
    const QString prefix = u"endpoints["_qs + QString::number(position) + u"]"_qs;
    QStringList lines;
    QSet<QString> keys;
    for (const ConfigError& e : errors) {
        QString path = e.path;
        if (path.startsWith(prefix)) {
            path = path.mid(prefix.size());
            if (path.startsWith(u'.'))
                path = path.mid(1);
            keys.insert(path.section(u'.', 0, 0).section(u'[', 0, 0));
        }
        lines << (path.isEmpty() ? e.message : path + u": "_qs + e.message);
    }
    const std::pair<const char*, QWidget*> fields[]
        = { { "name", m_name }, { "url", m_url }, { "interval", m_interval }, { "timeout", m_timeout },
              { "timeoutMin", m_timeoutMin }, { "timeoutMax", m_timeoutMax }, { "expectStatus", m_expect },
              { "headers", m_headers }, { "body", m_body }, { "checks", m_checks }, { "errorCodes", m_errorCodes },
              { "credential", m_credential }, { "tags", m_tags }, { "maxBodyBytes", m_maxBody } };
    for (const auto& [key, widget] : fields)
        markInvalid(widget, keys.contains(QLatin1StringView(key)));
    m_errors->setText(lines.join(u'\n'));
    m_errors->setVisible(!lines.isEmpty());
}

bool EndpointEditorDialog::validate()
{
    const ConfigParseResult parsed = candidate();
    showErrors(parsed.errors);
    return parsed.ok();
}

QString EndpointEditorDialog::errorText() const
{
    return m_errors->isVisible() ? m_errors->text() : QString();
}

QString EndpointEditorDialog::probeText() const
{
    return m_probeResult->text();
}

void EndpointEditorDialog::tryAccept()
{
    const ConfigParseResult parsed = candidate();
    showErrors(parsed.errors);
    if (!parsed.ok())
        return;
    m_result = parsed.config;
    accept();
}

void EndpointEditorDialog::setController(Controller* controller)
{
    m_controller = controller;
    m_probe->setEnabled(controller != nullptr);
    if (controller) {
        connect(controller, &Controller::oneShotFinished, this, [this](quint64 id, const ProbeResult& r) {
            if (id != 0 && id == m_oneShot)
                showProbeResult({ r });
        });
    }
}

void EndpointEditorDialog::runProbe()
{
    if (!m_controller)
        return;
    const ConfigParseResult parsed = candidate();
    showErrors(parsed.errors);
    if (!parsed.ok()) {
        m_probeResult->setText(tr("Fix the errors above first."));
        return;
    }
    const int position = m_index >= 0 ? m_index : static_cast<int>(parsed.config->endpoints.size()) - 1;
    const EndpointConfig endpoint = parsed.config->endpoints.at(position);
    // The session's engine holds the secrets: the probe carries the endpoint's real credential.
    m_probe->setEnabled(false);
    m_probeResult->setText(tr("Probing %1…").arg(endpoint.url.toDisplayString(QUrl::RemoveUserInfo)));
    m_oneShot = m_controller->probeOnce(endpoint);
}

void EndpointEditorDialog::showProbeResult(const ProbeResults& results)
{
    m_probe->setEnabled(true);
    if (results.isEmpty()) {
        m_probeResult->setText(tr("No result."));
    } else {
        const ProbeResult& r = results.constLast();
        const QString verdict
            = r.signal == FailureSignal::None ? tr("OK") : signalCode(r.signal) + u" "_qs + signalTitle(r.signal);
        m_probeResult->setText(tr("%1 · HTTP %2 · %3 · %4 — %5")
                                   .arg(verdict, r.httpStatus > 0 ? QString::number(r.httpStatus) : tr("no status"),
                                       latencyText(r.latencyMs()), outcomeCode(r.outcome),
                                       r.reason.isEmpty() ? tr("as expected") : r.reason));
    }
    emit probeFinished();
}

} // namespace sd
