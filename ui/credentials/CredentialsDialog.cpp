// SPDX-License-Identifier: GPL-3.0-or-later
#include "CredentialsDialog.h"

#include "AddCredentialDialog.h"
#include "SecretField.h"
#include "controller/Controller.h"
#include "credentials/CredentialStore.h"
#include "itemmodels/CredentialTableModel.h"
#include "ui/charts/PaletteStyle.h"
#include "ui/charts/StateCellDelegate.h"

#include <QDialogButtonBox>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace sd {

namespace {

QString fingerprintText(const QString& fingerprint)
{
    return fingerprint.isEmpty() ? QStringLiteral("(none)") : fingerprint;
}

QTableWidgetItem* cell(const QString& text)
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    return item;
}

QTableWidget* makeTable(const QStringList& headers, const QString& objectName, QWidget* parent)
{
    auto* table = new QTableWidget(0, static_cast<int>(headers.size()), parent);
    table->setObjectName(objectName);
    table->setHorizontalHeaderLabels(headers);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setWordWrap(false);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    return table;
}

} // namespace

CredentialsDialog::CredentialsDialog(CredentialsDialogSetup setup, QWidget* parent)
    : QDialog(parent)
    , m_setup(std::move(setup))
    , m_controller(m_setup.controller)
    , m_rotation(m_controller->credentialRotation())
    , m_model(new CredentialTableModel(this))
{
    setObjectName(QStringLiteral("credentialsDialog"));
    setWindowTitle(tr("Credentials — SignalDeck"));
    resize(980, 720);

    m_model->setConfig(m_controller->config());
    m_model->applyStatuses(m_controller->statuses());
    connect(
        m_controller, &Controller::batchReady, this, [this](const EngineBatch& batch) { m_model->applyBatch(batch); });
    connect(m_controller, &Controller::configApplied, this, [this](const AppConfig& config) {
        const QString keep = selectedId();
        m_model->setConfig(config);
        selectCredential(keep);
    });
    connect(m_rotation, &CredentialRotation::verified, this, &CredentialsDialog::showVerification);
    // The controller applies a finished step (config, engine) first, then the dialog shows it.
    connect(m_controller, &Controller::credentialChangeApplied, this, &CredentialsDialog::applyChange);
    auto* ticker = new QTimer(this);
    ticker->setInterval(30'000);
    connect(ticker, &QTimer::timeout, m_model, &CredentialTableModel::refreshRelativeTimes);
    ticker->start();

    auto* layout = new QVBoxLayout(this);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    auto* top = new QWidget(splitter);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    auto* intro = new QLabel(tr("Secrets live in %1 only; the config keeps their metadata and fingerprints.")
                                 .arg(m_controller->credentialStore().location()),
        top);
    intro->setWordWrap(true);
    topLayout->addWidget(intro);
    buildList();
    topLayout->addWidget(m_table, 1);
    auto* listButtons = new QHBoxLayout;
    for (const auto& [name, text, slot] :
        std::initializer_list<std::tuple<const char*, QString, void (CredentialsDialog::*)()>> {
            { "addCredential", tr("&Add…"), &CredentialsDialog::addCredential },
            { "rotateCredential", tr("&Rotate…"), &CredentialsDialog::beginRotation },
            { "rollbackCredential", tr("Roll &back"), &CredentialsDialog::rollbackSelected },
            { "deleteCredential", tr("&Delete…"), &CredentialsDialog::deleteSelected } }) {
        auto* b = new QPushButton(text, top);
        b->setObjectName(QString::fromLatin1(name));
        b->setAutoDefault(false);
        connect(b, &QPushButton::clicked, this, slot);
        listButtons->addWidget(b);
    }
    button(QStringLiteral("rotateCredential"))->setToolTip(tr("Replace the secret: verify the new one, then commit"));
    button(QStringLiteral("rollbackCredential"))
        ->setToolTip(tr("Bring back the secret the last rotation replaced (itself undoable)"));
    button(QStringLiteral("deleteCredential"))
        ->setToolTip(tr("Remove the secret and its previous one from the keychain, and the metadata"));
    listButtons->addStretch(1);
    topLayout->addLayout(listButtons);
    buildRotatePanel();
    topLayout->addWidget(m_rotatePanel);
    splitter->addWidget(top);
    buildAudit();
    auto* auditBox = new QGroupBox(tr("Audit trail (newest first)"), splitter);
    auto* auditLayout = new QVBoxLayout(auditBox);
    auditLayout->addWidget(m_auditTable);
    splitter->addWidget(auditBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    layout->addWidget(splitter, 1);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setFixedHeight(2 * m_status->fontMetrics().lineSpacing() + 4);
    m_status->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_status, 1);
    bottom->addWidget(close);
    layout->addLayout(bottom);

    refreshAudit();
    if (m_model->rowCount() > 0)
        m_table->selectRow(0);
    checkPrevious(selectedId());
    updateButtons();
}

CredentialsDialog::~CredentialsDialog() = default;

void CredentialsDialog::buildList()
{
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("credentialTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(CredentialTableModel::Id, 110);
    m_table->setColumnWidth(CredentialTableModel::Label, 130);
    m_table->setColumnWidth(CredentialTableModel::Scheme, 130);
    m_table->setColumnWidth(CredentialTableModel::Endpoints, 170);
    m_table->setColumnWidth(CredentialTableModel::Age, 70);
    m_table->setColumnWidth(CredentialTableModel::Expires, 110);
    m_table->setColumnWidth(CredentialTableModel::Fingerprint, 90);
    m_table->setItemDelegateForColumn(
        CredentialTableModel::S2, new StateCellDelegate(CredentialTableModel::StateRole, m_table));
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        // The rotate step belongs to one credential: choosing another closes it.
        if (!m_rotatingId.isEmpty() && selectedId() != m_rotatingId && !m_busy)
            cancelRotation();
        checkPrevious(selectedId());
        updateButtons();
    });
    connect(m_table, &QTableView::doubleClicked, this, &CredentialsDialog::beginRotation);
    connect(m_model, &QAbstractItemModel::modelReset, this, &CredentialsDialog::updateButtons);
}

void CredentialsDialog::buildRotatePanel()
{
    m_rotatePanel = new QGroupBox(this);
    m_rotatePanel->setObjectName(QStringLiteral("rotatePanel"));
    auto* layout = new QVBoxLayout(m_rotatePanel);
    auto* steps = new QLabel(tr("1. Paste the new secret  2. Verify: every endpoint that uses it is probed with it, "
                                "nothing is saved  3. Commit: the keychain gets it, the old one is kept for rollback, "
                                "its endpoints are probed at once"),
        m_rotatePanel);
    steps->setWordWrap(true);
    layout->addWidget(steps);

    auto* secretRow = new QHBoxLayout;
    m_secret = new SecretField(m_rotatePanel);
    m_secret->setObjectName(QStringLiteral("newSecret"));
    m_secret->setPlaceholderText(tr("Paste the new secret"));
    connect(m_secret, &SecretField::edited, this, &CredentialsDialog::invalidateVerification);
    secretRow->addWidget(new QLabel(tr("New secret:"), m_rotatePanel));
    secretRow->addWidget(m_secret, 1);
    auto* demo = new QPushButton(tr("Use the demo's valid token"), m_rotatePanel);
    demo->setObjectName(QStringLiteral("useDemoToken"));
    demo->setAutoDefault(false);
    demo->setToolTip(tr("The demo's simulator accepts one token, made up when it started; this fills it in, "
                        "masked. In real use you paste the token your provider issued."));
    demo->setVisible(!m_setup.demoToken.isEmpty());
    connect(demo, &QPushButton::clicked, this, [this] { m_secret->setSecret(m_setup.demoToken); });
    secretRow->addWidget(demo);
    layout->addLayout(secretRow);

    auto* actions = new QHBoxLayout;
    for (const auto& [name, text, slot] :
        std::initializer_list<std::tuple<const char*, QString, void (CredentialsDialog::*)()>> {
            { "verifyCandidate", tr("&Verify"), &CredentialsDialog::verifyCandidate },
            { "commitCandidate", tr("&Commit"), &CredentialsDialog::commitCandidate },
            { "commitWithoutVerifying", tr("Commit without verifying…"), &CredentialsDialog::commitWithoutVerifying },
            { "cancelRotation", tr("Cancel"), &CredentialsDialog::cancelRotation } }) {
        auto* b = new QPushButton(text, m_rotatePanel);
        b->setObjectName(QString::fromLatin1(name));
        b->setAutoDefault(false);
        connect(b, &QPushButton::clicked, this, slot);
        actions->addWidget(b);
    }
    actions->insertStretch(3, 1);
    layout->addLayout(actions);

    m_verificationTable
        = makeTable({ tr("Endpoint"), tr("HTTP"), tr("Outcome"), tr("Signal"), tr("Latency"), tr("Reason") },
            QStringLiteral("verificationTable"), m_rotatePanel);
    m_verificationTable->setColumnWidth(0, 170);
    m_verificationTable->setColumnWidth(1, 50);
    m_verificationTable->setColumnWidth(2, 90);
    m_verificationTable->setColumnWidth(3, 55);
    m_verificationTable->setColumnWidth(4, 75);
    m_verificationTable->setMinimumHeight(90);
    layout->addWidget(m_verificationTable, 1);
    m_verdict = new QLabel(m_rotatePanel);
    m_verdict->setObjectName(QStringLiteral("verdictLabel"));
    m_verdict->setWordWrap(true);
    // Room for two lines whether or not there is a verdict: the buttons above must not move under the pointer.
    m_verdict->setFixedHeight(2 * m_verdict->fontMetrics().lineSpacing() + 4);
    m_verdict->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    layout->addWidget(m_verdict);
    m_rotatePanel->hide();
}

void CredentialsDialog::buildAudit()
{
    m_auditTable
        = makeTable({ tr("Time"), tr("User"), tr("Credential"), tr("Action"), tr("Fingerprint"), tr("Verification") },
            QStringLiteral("auditTable"), this);
    m_auditTable->setColumnWidth(0, 150);
    m_auditTable->setColumnWidth(1, 80);
    m_auditTable->setColumnWidth(2, 110);
    m_auditTable->setColumnWidth(3, 70);
    m_auditTable->setColumnWidth(4, 160);
}

QPushButton* CredentialsDialog::button(const QString& objectName) const
{
    return findChild<QPushButton*>(objectName);
}

QString CredentialsDialog::statusText() const
{
    return m_status->text();
}

QString CredentialsDialog::verdictText() const
{
    return m_verdict->text();
}

QString CredentialsDialog::selectedId() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : m_model->credential(rows.first().row()).id;
}

void CredentialsDialog::selectCredential(const QString& id)
{
    const int row = m_model->rowOf(id);
    if (row >= 0)
        m_table->selectRow(row);
}

void CredentialsDialog::checkPrevious(const QString& id)
{
    if (id.isEmpty())
        return;
    // Only whether it is there: the answer's secret is dropped at once, never shown or kept.
    m_controller->credentialStore().read(
        CredentialStore::previousKey(id), this, [this, id](const CredentialReply& reply) {
            const bool has = reply.ok();
            if (m_hasPrevious.value(id, !has) == has)
                return;
            m_hasPrevious.insert(id, has);
            updateButtons();
        });
}

void CredentialsDialog::setStatus(const QString& text, bool problem)
{
    m_statusIsVerdict = false;
    m_status->setText(text);
    m_status->setStyleSheet(problem ? toneStyleSheet(TextTone::Problem, QGuiApplication::palette()) : QString());
}

void CredentialsDialog::setBusy(bool busy, const QString& text)
{
    m_busy = busy;
    if (!text.isEmpty())
        setStatus(text, false);
    updateButtons();
}

void CredentialsDialog::updateButtons()
{
    const bool selected = !selectedId().isEmpty();
    const bool idle = !m_busy;
    button(QStringLiteral("addCredential"))->setEnabled(idle);
    for (const auto* name : { "rotateCredential", "deleteCredential" })
        button(QString::fromLatin1(name))->setEnabled(idle && selected);
    // Roll back only when the keychain holds a previous secret (a first rotation keeps none).
    const bool previous = selected && m_hasPrevious.value(selectedId(), false);
    QPushButton* rollback = button(QStringLiteral("rollbackCredential"));
    rollback->setEnabled(idle && previous);
    rollback->setToolTip(selected && !previous
            ? tr("Nothing to roll back to: no rotation has replaced a secret of %1 yet").arg(selectedId())
            : tr("Bring back the secret the last rotation replaced (itself undoable)"));
    const bool candidate = !m_rotatingId.isEmpty() && !m_secret->secret().isEmpty();
    button(QStringLiteral("verifyCandidate"))->setEnabled(idle && candidate);
    button(QStringLiteral("commitCandidate"))
        ->setEnabled(idle && candidate && m_verification && m_verification->passed);
    button(QStringLiteral("commitWithoutVerifying"))->setEnabled(idle && candidate);
    button(QStringLiteral("cancelRotation"))->setEnabled(idle);
    button(QStringLiteral("useDemoToken"))->setEnabled(idle);
    m_secret->setEnabled(idle);
}

void CredentialsDialog::invalidateVerification()
{
    // A verdict holds for the exact text that was verified; any edit needs a new one.
    m_verification.reset();
    m_verificationTable->setRowCount(0);
    m_verdict->clear();
    m_verdict->setStyleSheet(QString());
    // "Not verified: nothing was changed" was about the candidate that is gone now.
    if (m_statusIsVerdict)
        setStatus(m_rotationHint, false);
    updateButtons();
}

void CredentialsDialog::addCredential()
{
    if (m_busy)
        return;
    QStringList taken;
    for (const CredentialConfig& c : m_controller->config().credentials)
        taken.append(c.id);
    auto* dialog = new AddCredentialDialog(taken, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (!m_rotation->add(dialog->credential(), dialog->secret()))
            return;
        setBusy(true, tr("Storing %1 in the keychain…").arg(dialog->credential().id));
    });
    dialog->open();
}

void CredentialsDialog::beginRotation()
{
    const QString id = selectedId();
    if (id.isEmpty() || m_busy)
        return;
    const CredentialConfig c = m_model->credential(m_model->rowOf(id));
    m_rotatingId = id;
    m_rotatePanel->setTitle(c.label.isEmpty() ? tr("Rotate %1").arg(id) : tr("Rotate %1 (%2)").arg(c.label, id));
    m_secret->clear();
    invalidateVerification();
    m_rotatePanel->show();
    m_secret->setFocus();
    const QStringList users = m_model->endpointsOf(m_model->rowOf(id));
    m_rotationHint = users.isEmpty()
        ? tr("No endpoint uses %1: there is nothing to verify against.").arg(id)
        : tr("Verify probes %1 with the new secret.").arg(users.join(QStringLiteral(", ")));
    setStatus(m_rotationHint, false);
    updateButtons();
}

void CredentialsDialog::cancelRotation()
{
    if (m_busy)
        return;
    m_rotatingId.clear();
    m_secret->clear();
    invalidateVerification();
    m_rotatePanel->hide();
    updateButtons();
}

void CredentialsDialog::verifyCandidate()
{
    const QByteArray candidate = m_secret->secret();
    if (m_rotatingId.isEmpty() || candidate.isEmpty() || m_busy)
        return;
    invalidateVerification();
    if (m_rotation->verify(m_rotatingId, candidate))
        setBusy(true, tr("Verifying: probing the endpoints of %1 with the new secret…").arg(m_rotatingId));
}

void CredentialsDialog::showVerification(const CredentialVerification& verification)
{
    setBusy(false);
    if (verification.credential != m_rotatingId)
        return;
    m_verification = verification;
    m_verificationTable->setRowCount(static_cast<int>(verification.endpoints.size()));
    for (int row = 0; row < verification.endpoints.size(); ++row) {
        const EndpointVerification& e = verification.endpoints.at(row);
        const QStringList texts { e.endpoint, e.httpStatus > 0 ? QString::number(e.httpStatus) : QStringLiteral("—"),
            outcomeCode(e.outcome), e.signal == FailureSignal::None ? QStringLiteral("—") : signalCode(e.signal),
            QStringLiteral("%1 ms").arg(static_cast<double>(e.latencyUs) / 1000.0, 0, 'f', 1), e.reason };
        const bool refused = e.signal == FailureSignal::S2;
        for (int column = 0; column < texts.size(); ++column) {
            QTableWidgetItem* item = cell(texts.at(column));
            item->setToolTip(e.url + QStringLiteral(": ") + e.reason);
            if (refused)
                item->setForeground(toneColor(TextTone::Problem, QGuiApplication::palette()));
            else if (e.outcome == Outcome::Ok)
                item->setForeground(toneColor(TextTone::Good, QGuiApplication::palette()));
            m_verificationTable->setItem(row, column, item);
        }
    }
    m_verdict->setText((verification.passed ? QStringLiteral("✔ ") : QStringLiteral("✘ ")) + verification.summary);
    m_verdict->setStyleSheet(
        toneStyleSheet(verification.passed ? TextTone::Good : TextTone::Problem, QGuiApplication::palette()));
    setStatus(verification.passed ? tr("Verified: Commit stores the new secret.")
                                  : tr("Not verified: nothing was changed. Check the secret and verify again."),
        !verification.passed);
    m_statusIsVerdict = true;
    updateButtons();
    emit verificationShown(verification);
}

void CredentialsDialog::commitCandidate()
{
    const QByteArray candidate = m_secret->secret();
    if (m_rotatingId.isEmpty() || candidate.isEmpty() || m_busy || !m_verification || !m_verification->passed)
        return;
    if (m_rotation->commit(m_rotatingId, candidate, m_verification))
        setBusy(true, tr("Committing %1…").arg(m_rotatingId));
}

void CredentialsDialog::commitWithoutVerifying()
{
    if (m_rotatingId.isEmpty() || m_secret->secret().isEmpty() || m_busy)
        return;
    const QString id = m_rotatingId;
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Commit without verifying"),
        tr("Commit the new secret of \"%1\" without verifying it?").arg(id), QMessageBox::Yes | QMessageBox::Cancel,
        this);
    box->setObjectName(QStringLiteral("confirmCommitUnverified"));
    box->setInformativeText(tr("Its endpoints have not accepted it yet. If it is wrong they fail with S2 until you "
                               "roll back. The audit trail records the verification as skipped."));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, id](int result) {
        const QByteArray candidate = m_secret->secret();
        if (result != QMessageBox::Yes || id != m_rotatingId || candidate.isEmpty() || m_busy)
            return;
        if (m_rotation->commit(id, candidate, std::nullopt))
            setBusy(true, tr("Committing %1 without verification…").arg(id));
    });
    box->open();
}

void CredentialsDialog::rollbackSelected()
{
    const QString id = selectedId();
    if (id.isEmpty() || m_busy)
        return;
    if (m_rotation->rollback(id))
        setBusy(true, tr("Rolling %1 back…").arg(id));
}

void CredentialsDialog::deleteSelected()
{
    const QString id = selectedId();
    if (id.isEmpty() || m_busy)
        return;
    const QStringList users = m_model->endpointsOf(m_model->rowOf(id));
    if (!users.isEmpty()) {
        setStatus(tr("%1 is still used by %2; change those endpoints first (nothing was deleted).")
                      .arg(id, users.join(QStringLiteral(", "))),
            true);
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Question, tr("Delete credential"),
        tr("Delete the credential \"%1\"?").arg(id), QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmDeleteCredential"));
    box->setInformativeText(tr("Its secret and the previous one are removed from the keychain, and its metadata from "
                               "the config. This cannot be rolled back."));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, id](int result) {
        if (result == QMessageBox::Yes && !m_busy && m_rotation->remove(id))
            setBusy(true, tr("Deleting %1…").arg(id));
    });
    box->open();
}

void CredentialsDialog::applyChange(const CredentialChange& change)
{
    setBusy(false);
    if (!change.ok()) {
        setStatus(change.message, true);
        emit changeFinished(change);
        return;
    }
    // The controller has already put the metadata into the config (saved) and the new secret into the engine,
    // which probes only that credential's endpoints now (Controller::applyCredentialChange).
    QString text = change.message;
    if (change.action == CredentialChange::Action::Rotate || change.action == CredentialChange::Action::Rollback)
        text += tr("; probing its endpoints now");
    setStatus(text, false);
    if (change.action == CredentialChange::Action::Rotate && change.credential == m_rotatingId)
        cancelRotation();
    if (change.action != CredentialChange::Action::Delete) {
        selectCredential(change.credential);
        checkPrevious(change.credential);
    }
    refreshAudit();
    updateButtons();
    emit changeFinished(change);
}

void CredentialsDialog::refreshAudit()
{
    QList<CredentialAuditEntry> entries = m_rotation->audit().entries();
    std::reverse(entries.begin(), entries.end());
    m_auditTable->setRowCount(static_cast<int>(entries.size()));
    for (int row = 0; row < entries.size(); ++row) {
        const CredentialAuditEntry& e = entries.at(row);
        const QStringList texts { e.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")), e.user,
            e.credential, e.action,
            fingerprintText(e.oldFingerprint) + QStringLiteral(" → ") + fingerprintText(e.newFingerprint),
            e.verification };
        for (int column = 0; column < texts.size(); ++column)
            m_auditTable->setItem(row, column, cell(texts.at(column)));
    }
}

} // namespace sd
