// SPDX-License-Identifier: GPL-3.0-or-later
// The credentials dialog in a running dashboard (engine, window, simulator on loopback), driven as an operator
// drives it: select, Rotate, paste, Verify, Commit, Rollback, Delete, Add. The secrets live in an in-memory
// store here (the real keychain is exercised by tst_democredentials); what is checked is what the operator
// sees and what ends up in the store, the config file, the window's config and the engine.
#include "DashboardStart.h"
#include "config/ConfigLoader.h"
#include "credentials/CredentialSecret.h"
#include "credentials/InMemoryCredentialStore.h"
#include "itemmodels/CredentialTableModel.h"
#include "schedule/Engine.h"
#include "simulator/Simulator.h"
#include "ui/MainWindow.h"
#include "ui/credentials/AddCredentialDialog.h"
#include "ui/credentials/CredentialsDialog.h"
#include "ui/credentials/SecretField.h"

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace sd;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

/// A random token, assembled at run time so that no token-shaped literal is committed.
QByteArray randomToken(const char* prefix)
{
    QByteArray raw(12, Qt::Uninitialized);
    for (char& c : raw)
        c = static_cast<char>(QRandomGenerator::global()->bounded(256));
    return QByteArray(prefix) + '-' + raw.toHex();
}

QByteArray fileBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// Every text a person can read in `root` and its children: labels, buttons, titles, table cells.
QString visibleTexts(const QWidget* root)
{
    QStringList texts { root->windowTitle() };
    for (const QLabel* l : root->findChildren<QLabel*>())
        texts << l->text() << l->toolTip();
    for (const QAbstractButton* b : root->findChildren<QAbstractButton*>())
        texts << b->text() << b->toolTip();
    for (const QTableWidget* t : root->findChildren<QTableWidget*>()) {
        for (int r = 0; r < t->rowCount(); ++r)
            for (int c = 0; c < t->columnCount(); ++c)
                texts << (t->item(r, c) ? t->item(r, c)->text() + t->item(r, c)->toolTip() : QString());
    }
    for (const QTableView* v : root->findChildren<QTableView*>()) {
        const QAbstractItemModel* m = v->model();
        for (int r = 0; r < m->rowCount(); ++r)
            for (int c = 0; c < m->columnCount(); ++c)
                texts << m->index(r, c).data().toString() << m->index(r, c).data(Qt::ToolTipRole).toString();
    }
    return texts.join(u'\n');
}

} // namespace

class TestCredentialsDialog : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void actionOpensTheDialog();
    void listShowsMetadataAndS2();
    void wrongCandidateFailsVerifyAndNothingIsCommitted();
    void rightCandidateVerifiesAndCommitClearsS2();
    void editingAfterVerifyNeedsANewVerify();
    void replacingARefusedCandidateClearsTheRedVerdict();
    void commitWithoutVerifyingAsksFirst();
    void rollbackBringsThePreviousBack();
    void deleteAsksFirstAndRemovesBothEntries();
    void deleteIsRefusedWhileUsed();
    void addStoresANewCredential();
    void showToggleRevealsAndMasks();
    void missingSecretPausesUntilStored();
    void noKeychainSaysSoAndWritesNothing();

private:
    bool startSession();
    CredentialsDialog* openDialog();
    EndpointStatus status(const QString& endpoint);
    SignalState s2(const QString& endpoint) { return status(endpoint).states[1]; }
    CredentialVerification verifyIn(CredentialsDialog* dialog, const QByteArray& candidate);
    CredentialChange click(CredentialsDialog* dialog, const QString& buttonName);
    QMessageBox* messageBox(QWidget* parent, const QString& objectName);
    void verifyNoSecretAnywhere(const QList<QByteArray>& secrets);

    Simulator m_sim;
    QByteArray m_valid;
    QByteArray m_old;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<InMemoryCredentialStore> m_store;
    std::unique_ptr<DashboardSession> m_session;

    QString configPath() const { return m_dir->filePath(u"config.json"_s); }
    QString auditPath() const { return m_dir->filePath(u"credentials-audit.jsonl"_s); }
};

void TestCredentialsDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setApplicationName(u"signaldeck-tst-credentialsdialog"_s);
    QLocale::setDefault(QLocale::c());
    QVERIFY2(m_sim.start(), qPrintable(m_sim.errorString()));
}

void TestCredentialsDialog::init()
{
    m_valid = randomToken("valid");
    m_old = randomToken("old");
    m_sim.setAcceptedTokens({ m_valid });
    m_sim.resetCounts();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<InMemoryCredentialStore>();
    m_store->setEntries({ { u"llm"_s, m_old } });

    // "llm" is used by two endpoints on the token route; "spare" by none.
    AppConfig config;
    CredentialConfig llm;
    llm.id = u"llm"_s;
    llm.label = u"LLM API"_s;
    recordNewSecret(llm, m_old, QDateTime::currentDateTimeUtc().addDays(-5));
    CredentialConfig spare;
    spare.id = u"spare"_s;
    spare.scheme = u"header:X-Api-Key"_s;
    config.credentials = { llm, spare };
    for (const QString& name : { u"chat"_s, u"models"_s }) {
        EndpointConfig e;
        e.name = name;
        e.url = m_sim.url(u"/auth/bearer?e="_s + name);
        e.credential = u"llm"_s;
        e.interval = 2s;
        e.adaptiveTimeout = false;
        e.timeout = 2s;
        config.endpoints.append(e);
    }
    QVERIFY(saveConfigFile(configPath(), config));
}

void TestCredentialsDialog::cleanup()
{
    m_session.reset();
    m_store.reset();
    m_dir.reset();
}

bool TestCredentialsDialog::startSession()
{
    const ConfigParseResult loaded = loadConfigFile(configPath());
    if (!loaded.ok())
        return false;
    DashboardOptions options;
    options.config = *loaded.config;
    options.configPath = configPath();
    options.sourceLabel = configPath();
    options.dataDir = m_dir->filePath(u"data"_s);
    options.credentialStore = m_store.get();
    options.auditPath = auditPath();
    m_session = std::make_unique<DashboardSession>(options);
    m_session->window().show();
    return QTest::qWaitFor([this] { return m_session->credentialsLoaded(); }, 10'000);
}

CredentialsDialog* TestCredentialsDialog::openDialog()
{
    QAction* action = m_session->window().action(u"manageCredentials"_s);
    if (!action)
        return nullptr;
    action->trigger();
    return m_session->credentialsDialog();
}

EndpointStatus TestCredentialsDialog::status(const QString& endpoint)
{
    for (const EndpointStatus& s : m_session->engine().statuses()) {
        if (s.name == endpoint)
            return s;
    }
    return {};
}

CredentialVerification TestCredentialsDialog::verifyIn(CredentialsDialog* dialog, const QByteArray& candidate)
{
    QSignalSpy shown(dialog, &CredentialsDialog::verificationShown);
    dialog->secretField()->setSecret(candidate);
    dialog->button(u"verifyCandidate"_s)->click();
    if (!shown.wait(20'000))
        return {};
    return shown.at(0).at(0).value<CredentialVerification>();
}

CredentialChange TestCredentialsDialog::click(CredentialsDialog* dialog, const QString& buttonName)
{
    QSignalSpy finished(dialog, &CredentialsDialog::changeFinished);
    QPushButton* b = dialog->button(buttonName);
    if (!b || !b->isEnabled())
        return {};
    b->click();
    if (!finished.wait(20'000))
        return {};
    return finished.at(0).at(0).value<CredentialChange>();
}

QMessageBox* TestCredentialsDialog::messageBox(QWidget* parent, const QString& objectName)
{
    QMessageBox* box = nullptr;
    const bool shown = QTest::qWaitFor(
        [&] {
            box = parent->findChild<QMessageBox*>(objectName);
            return box && box->isVisible();
        },
        5'000);
    return shown ? box : nullptr;
}

void TestCredentialsDialog::verifyNoSecretAnywhere(const QList<QByteArray>& secrets)
{
    const QByteArray config = fileBytes(configPath());
    const QByteArray audit = fileBytes(auditPath());
    const QString window = visibleTexts(&m_session->window());
    for (const QByteArray& secret : secrets) {
        QVERIFY(!config.contains(secret));
        QVERIFY(!audit.contains(secret));
        QVERIFY(!window.contains(QString::fromUtf8(secret)));
        QVERIFY(!m_session->window().windowTitle().contains(QString::fromUtf8(secret)));
    }
}

void TestCredentialsDialog::actionOpensTheDialog()
{
    QVERIFY(startSession());
    QAction* action = m_session->window().action(u"manageCredentials"_s);
    QVERIFY(action);
    QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_K));
    QVERIFY(action->text().startsWith(u"&Credentials"_s));
    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->isModal() || dialog->windowModality() != Qt::NonModal);
    // A second request raises the same dialog rather than opening another.
    action->trigger();
    QCOMPARE(m_session->credentialsDialog(), dialog);
    QCOMPARE(m_session->window().findChildren<CredentialsDialog*>().size(), 1);
}

void TestCredentialsDialog::listShowsMetadataAndS2()
{
    QVERIFY(startSession());
    // The old token is refused: both endpoints go S2 Critical, and so does the credential in the list.
    QTRY_COMPARE_WITH_TIMEOUT(s2(u"chat"_s), SignalState::Critical, 15'000);
    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    CredentialTableModel* model = dialog->model();
    QCOMPARE(model->rowCount(), 2);
    const int llm = model->rowOf(u"llm"_s);
    QCOMPARE(model->index(llm, CredentialTableModel::Endpoints).data().toString(), u"chat, models"_s);
    QCOMPARE(model->index(llm, CredentialTableModel::Fingerprint).data().toString(), credentialFingerprint(m_old));
    QCOMPARE(model->index(llm, CredentialTableModel::Age).data().toString(), u"5 d"_s);
    QTRY_COMPARE_WITH_TIMEOUT(model->s2State(llm), SignalState::Critical, 10'000);
    QVERIFY2(model->index(llm, CredentialTableModel::S2).data(Qt::ToolTipRole).toString().contains(u"401"_s),
        qPrintable(model->index(llm, CredentialTableModel::S2).data(Qt::ToolTipRole).toString()));
    QCOMPARE(
        model->index(model->rowOf(u"spare"_s), CredentialTableModel::Scheme).data().toString(), u"header:X-Api-Key"_s);
    verifyNoSecretAnywhere({ m_old, m_valid });
    QVERIFY(!visibleTexts(dialog).contains(QString::fromUtf8(m_old)));
}

void TestCredentialsDialog::wrongCandidateFailsVerifyAndNothingIsCommitted()
{
    QVERIFY(startSession());
    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    const QByteArray configBefore = fileBytes(configPath());
    const AppConfig windowBefore = m_session->window().config();
    dialog->selectCredential(u"llm"_s);
    dialog->button(u"rotateCredential"_s)->click();
    QVERIFY(dialog->rotatePanel()->isVisible());
    QCOMPARE(dialog->rotatingId(), u"llm"_s);
    QVERIFY(!dialog->button(u"commitCandidate"_s)->isEnabled());

    const QByteArray wrong = randomToken("wrong");
    const CredentialVerification v = verifyIn(dialog, wrong);
    QVERIFY(!v.passed);
    QCOMPARE(v.endpoints.size(), 2);
    QVERIFY2(dialog->verdictText().contains(u"failed: refused by"_s), qPrintable(dialog->verdictText()));
    QTableWidget* table = dialog->verificationTable();
    QCOMPARE(table->rowCount(), 2);
    for (int row = 0; row < 2; ++row) {
        QCOMPARE(table->item(row, 1)->text(), u"401"_s);
        QCOMPARE(table->item(row, 2)->text(), u"auth"_s);
        QCOMPARE(table->item(row, 3)->text(), u"S2"_s);
    }
    // Commit stays shut; nothing reached the store, the file, the window or the audit trail.
    QVERIFY(!dialog->button(u"commitCandidate"_s)->isEnabled());
    QCOMPARE(m_store->entries(), (QHash<QString, QByteArray> { { u"llm"_s, m_old } }));
    QCOMPARE(fileBytes(configPath()), configBefore);
    QCOMPARE(m_session->window().config(), windowBefore);
    QVERIFY(!QFile::exists(auditPath()));
    QCOMPARE(dialog->auditTable()->rowCount(), 0);
    verifyNoSecretAnywhere({ m_old, m_valid, wrong });
    QVERIFY(!visibleTexts(dialog).contains(QString::fromUtf8(wrong)));
}

void TestCredentialsDialog::rightCandidateVerifiesAndCommitClearsS2()
{
    QVERIFY(startSession());
    QTRY_COMPARE_WITH_TIMEOUT(s2(u"chat"_s), SignalState::Critical, 15'000);
    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    dialog->selectCredential(u"llm"_s);
    dialog->button(u"rotateCredential"_s)->click();

    const CredentialVerification v = verifyIn(dialog, m_valid);
    QVERIFY2(v.passed, qPrintable(v.summary));
    QVERIFY2(
        dialog->verdictText().contains(u"passed: accepted by 2 of 2 endpoints"_s), qPrintable(dialog->verdictText()));
    for (int row = 0; row < 2; ++row)
        QCOMPARE(dialog->verificationTable()->item(row, 2)->text(), u"ok"_s);
    QVERIFY(dialog->button(u"commitCandidate"_s)->isEnabled());
    QCOMPARE(m_store->entries().value(u"llm"_s), m_old); // verified, not committed

    // The screenshot of the rotate step, with a passing verification on show.
    dialog->resize(980, 720);
    const QString shot = QStringLiteral(SCREENSHOT_DIR) + u"/credentials-dialog-verified.png"_s;
    QDir().mkpath(QStringLiteral(SCREENSHOT_DIR));
    QVERIFY(dialog->grab().save(shot));

    const CredentialChange change = click(dialog, u"commitCandidate"_s);
    QVERIFY2(change.ok(), qPrintable(change.message));
    QCOMPARE(change.action, CredentialChange::Action::Rotate);
    // The keychain has the new secret, the old one kept for rollback.
    QCOMPARE(m_store->entries().value(u"llm"_s), m_valid);
    QCOMPARE(m_store->entries().value(u"llm.previous"_s), m_old);
    // The window and the file agree on the new metadata.
    const ConfigParseResult file = loadConfigFile(configPath());
    QVERIFY(file.ok());
    QCOMPARE(*file.config, m_session->window().config());
    QCOMPARE(m_session->window().config().credentials.at(0).fingerprint, credentialFingerprint(m_valid));
    // S2 clears on the next probe, in the engine and in the dialog's list.
    QTRY_COMPARE_WITH_TIMEOUT(s2(u"chat"_s), SignalState::Ok, 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(s2(u"models"_s), SignalState::Ok, 10'000);
    const int row = dialog->model()->rowOf(u"llm"_s);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->model()->s2State(row), SignalState::Ok, 10'000);
    QCOMPARE(dialog->model()->index(row, CredentialTableModel::Fingerprint).data().toString(),
        credentialFingerprint(m_valid));
    // The rotate step is closed and the field emptied; the audit trail shows the change.
    QVERIFY(!dialog->rotatePanel()->isVisible());
    QVERIFY(dialog->secretField()->secret().isEmpty());
    QVERIFY(!dialog->secretField()->isRevealed());
    QCOMPARE(dialog->auditTable()->rowCount(), 1);
    QCOMPARE(dialog->auditTable()->item(0, 3)->text(), u"rotate"_s);
    QCOMPARE(dialog->auditTable()->item(0, 4)->text(),
        credentialFingerprint(m_old) + u" → "_s + credentialFingerprint(m_valid));
    QVERIFY(dialog->auditTable()->item(0, 5)->text().startsWith(u"passed"_s));
    QVERIFY2(dialog->statusText().contains(u"rotated"_s), qPrintable(dialog->statusText()));
    verifyNoSecretAnywhere({ m_old, m_valid });
    QVERIFY(!visibleTexts(dialog).contains(QString::fromUtf8(m_valid)));
}

void TestCredentialsDialog::editingAfterVerifyNeedsANewVerify()
{
    QVERIFY(startSession());
    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    dialog->selectCredential(u"llm"_s);
    dialog->beginRotation();
    QVERIFY(verifyIn(dialog, m_valid).passed);
    QVERIFY(dialog->button(u"commitCandidate"_s)->isEnabled());
    // One more character typed: the verdict no longer holds for what is in the field.
    QTest::keyClick(dialog->secretField()->lineEdit(), Qt::Key_X);
    QVERIFY(!dialog->button(u"commitCandidate"_s)->isEnabled());
    QVERIFY(!dialog->verification());
    QVERIFY(dialog->verdictText().isEmpty());
    // Choosing another credential closes the step.
    dialog->selectCredential(u"spare"_s);
    QVERIFY(dialog->rotatingId().isEmpty());
    QVERIFY(!dialog->rotatePanel()->isVisible());
}

void TestCredentialsDialog::replacingARefusedCandidateClearsTheRedVerdict()
{
    QVERIFY(startSession());
    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    dialog->selectCredential(u"llm"_s);
    dialog->beginRotation();
    QCoreApplication::processEvents();
    QPushButton* verify = dialog->button(u"verifyCandidate"_s);
    QPushButton* close = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Close);
    QVERIFY(!verifyIn(dialog, randomToken("wrong")).passed);
    QVERIFY2(dialog->statusText().contains(u"Not verified"_s), qPrintable(dialog->statusText()));
    QCoreApplication::processEvents();
    const QPoint verifyAt = verify->mapTo(dialog, QPoint(0, 0));
    const QPoint closeAt = close->mapTo(dialog, QPoint(0, 0));
    // A new candidate pasted: the red words were about the old one.
    dialog->secretField()->setSecret(randomToken("another"));
    QCoreApplication::processEvents();
    QVERIFY2(!dialog->statusText().contains(u"Not verified"_s), qPrintable(dialog->statusText()));
    QVERIFY(dialog->verdictText().isEmpty());
    // And nothing under the pointer moved.
    QCOMPARE(verify->mapTo(dialog, QPoint(0, 0)), verifyAt);
    QCOMPARE(close->mapTo(dialog, QPoint(0, 0)), closeAt);
}

void TestCredentialsDialog::commitWithoutVerifyingAsksFirst()
{
    QVERIFY(startSession());
    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    dialog->selectCredential(u"llm"_s);
    dialog->beginRotation();
    dialog->secretField()->setSecret(m_valid);

    dialog->button(u"commitWithoutVerifying"_s)->click();
    QMessageBox* box = messageBox(dialog, u"confirmCommitUnverified"_s);
    QVERIFY(box);
    QCOMPARE(box->defaultButton(), box->button(QMessageBox::Cancel));
    box->button(QMessageBox::Cancel)->click();
    QTRY_VERIFY(!dialog->findChild<QMessageBox*>(u"confirmCommitUnverified"_s));
    QCOMPARE(m_store->entries().value(u"llm"_s), m_old);

    QSignalSpy finished(dialog, &CredentialsDialog::changeFinished);
    dialog->button(u"commitWithoutVerifying"_s)->click();
    box = messageBox(dialog, u"confirmCommitUnverified"_s);
    QVERIFY(box);
    box->button(QMessageBox::Yes)->click();
    QVERIFY(finished.wait(20'000));
    const auto change = finished.at(0).at(0).value<CredentialChange>();
    QVERIFY2(change.ok(), qPrintable(change.message));
    QCOMPARE(m_store->entries().value(u"llm"_s), m_valid);
    QCOMPARE(dialog->auditTable()->item(0, 5)->text(), u"skipped"_s);
    QTRY_COMPARE_WITH_TIMEOUT(s2(u"chat"_s), SignalState::Ok, 10'000);
}

void TestCredentialsDialog::rollbackBringsThePreviousBack()
{
    QVERIFY(startSession());
    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    dialog->selectCredential(u"llm"_s);
    // Nothing to roll back to yet (the keychain has no llm.previous): Roll back is off and says why.
    QPushButton* rollback = dialog->button(u"rollbackCredential"_s);
    QTest::qWait(200); // the keychain's answer about llm.previous
    QVERIFY(!rollback->isEnabled());
    QVERIFY2(rollback->toolTip().contains(u"Nothing to roll back to"_s), qPrintable(rollback->toolTip()));

    dialog->beginRotation();
    QVERIFY(verifyIn(dialog, m_valid).passed);
    const CredentialChange rotated = click(dialog, u"commitCandidate"_s);
    QVERIFY(rotated.ok());
    QVERIFY2(rotated.message.contains(u"kept as \"llm.previous\""_s), qPrintable(rotated.message));
    QTRY_COMPARE_WITH_TIMEOUT(s2(u"chat"_s), SignalState::Ok, 10'000);

    dialog->selectCredential(u"llm"_s);
    QTRY_VERIFY_WITH_TIMEOUT(rollback->isEnabled(), 5'000);
    CredentialChange change = click(dialog, u"rollbackCredential"_s);
    QVERIFY2(change.ok(), qPrintable(change.message));
    QCOMPARE(m_store->entries().value(u"llm"_s), m_old);
    QCOMPARE(m_store->entries().value(u"llm.previous"_s), m_valid);
    QCOMPARE(m_session->window().config().credentials.at(0).fingerprint, credentialFingerprint(m_old));
    QCOMPARE(*loadConfigFile(configPath()).config, m_session->window().config());
    // The old secret is refused again, at once.
    QTRY_COMPARE_WITH_TIMEOUT(s2(u"chat"_s), SignalState::Critical, 10'000);
    QCOMPARE(dialog->auditTable()->rowCount(), 2);
    QCOMPARE(dialog->auditTable()->item(0, 3)->text(), u"rollback"_s);
}

void TestCredentialsDialog::deleteAsksFirstAndRemovesBothEntries()
{
    m_store->setEntries({ { u"llm"_s, m_old }, { u"spare"_s, m_valid }, { u"spare.previous"_s, m_old } });
    QVERIFY(startSession());
    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    dialog->selectCredential(u"spare"_s);

    dialog->button(u"deleteCredential"_s)->click();
    QMessageBox* box = messageBox(dialog, u"confirmDeleteCredential"_s);
    QVERIFY(box);
    QCOMPARE(box->defaultButton(), box->button(QMessageBox::Cancel));
    box->button(QMessageBox::Cancel)->click();
    QTRY_VERIFY(!dialog->findChild<QMessageBox*>(u"confirmDeleteCredential"_s));
    QVERIFY(m_store->entries().contains(u"spare"_s));

    QSignalSpy finished(dialog, &CredentialsDialog::changeFinished);
    dialog->button(u"deleteCredential"_s)->click();
    box = messageBox(dialog, u"confirmDeleteCredential"_s);
    QVERIFY(box);
    box->button(QMessageBox::Yes)->click();
    QVERIFY(finished.wait(20'000));
    QVERIFY(finished.at(0).at(0).value<CredentialChange>().ok());
    QCOMPARE(m_store->entries(), (QHash<QString, QByteArray> { { u"llm"_s, m_old } }));
    QCOMPARE(m_session->window().config().credentials.size(), 1);
    QCOMPARE(loadConfigFile(configPath()).config->credentials.size(), 1);
    QCOMPARE(dialog->model()->rowCount(), 1);
    QCOMPARE(dialog->auditTable()->item(0, 3)->text(), u"delete"_s);
}

void TestCredentialsDialog::deleteIsRefusedWhileUsed()
{
    QVERIFY(startSession());
    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    dialog->selectCredential(u"llm"_s);
    dialog->button(u"deleteCredential"_s)->click();
    QVERIFY2(dialog->statusText().contains(u"still used by chat, models"_s), qPrintable(dialog->statusText()));
    QVERIFY(!dialog->findChild<QMessageBox*>(u"confirmDeleteCredential"_s));
    QCOMPARE(m_store->entries().value(u"llm"_s), m_old);
}

void TestCredentialsDialog::addStoresANewCredential()
{
    QVERIFY(startSession());
    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    QSignalSpy finished(dialog, &CredentialsDialog::changeFinished);
    dialog->button(u"addCredential"_s)->click();
    AddCredentialDialog* add = nullptr;
    QTRY_VERIFY((add = dialog->findChild<AddCredentialDialog*>()) != nullptr);
    QPushButton* ok = add->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);

    // OK is refused, with the reason shown, until the form is usable.
    QVERIFY(!ok->isEnabled());
    add->idEdit()->setText(u"llm"_s);
    QVERIFY(add->problem().contains(u"already"_s));
    add->idEdit()->setText(u"payments"_s);
    add->labelEdit()->setText(u"Payments gateway"_s);
    add->schemeBox()->setCurrentIndex(add->schemeBox()->findData(u"header:"_s));
    QVERIFY(add->problem().contains(u"header"_s));
    add->headerEdit()->setText(u"X-Api-Key"_s);
    QVERIFY(!ok->isEnabled());
    const QByteArray secret = randomToken("pay");
    add->secretField()->setSecret(secret);
    QVERIFY2(ok->isEnabled(), qPrintable(add->problem()));
    ok->click();

    QVERIFY(finished.wait(20'000));
    const auto change = finished.at(0).at(0).value<CredentialChange>();
    QVERIFY2(change.ok(), qPrintable(change.message));
    QCOMPARE(m_store->entries().value(u"payments"_s), secret);
    const AppConfig config = m_session->window().config();
    QCOMPARE(config.credentials.size(), 3);
    QCOMPARE(config.credentials.constLast().scheme, u"header:X-Api-Key"_s);
    QCOMPARE(config.credentials.constLast().fingerprint, credentialFingerprint(secret));
    QCOMPARE(*loadConfigFile(configPath()).config, config);
    QVERIFY(dialog->model()->rowOf(u"payments"_s) >= 0);
    verifyNoSecretAnywhere({ secret });
}

void TestCredentialsDialog::showToggleRevealsAndMasks()
{
    QVERIFY(startSession());
    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    dialog->selectCredential(u"llm"_s);
    dialog->beginRotation();
    SecretField* field = dialog->secretField();
    QCOMPARE(field->lineEdit()->echoMode(), QLineEdit::Password);
    field->setSecret(m_valid);
    QVERIFY(field->lineEdit()->displayText() != QString::fromUtf8(m_valid));
    field->showButton()->click();
    QCOMPARE(field->lineEdit()->echoMode(), QLineEdit::Normal);
    QCOMPARE(field->lineEdit()->displayText(), QString::fromUtf8(m_valid));
    field->showButton()->click();
    QCOMPARE(field->lineEdit()->echoMode(), QLineEdit::Password);
    field->showButton()->click();
    dialog->button(u"cancelRotation"_s)->click();
    // Cancelled: the field is empty and masked again for next time.
    QVERIFY(field->secret().isEmpty());
    QCOMPARE(field->lineEdit()->echoMode(), QLineEdit::Password);
    // Outside the demo there is no demo token to offer.
    QVERIFY(!dialog->button(u"useDemoToken"_s)->isVisibleTo(dialog));
}

// A credential without a secret in the keychain: paused with S2, named in the banner; storing one through a
// rotation says only what is true (nothing was kept, nothing to roll back to) and lifts the pause.
void TestCredentialsDialog::missingSecretPausesUntilStored()
{
    m_store->setEntries({});
    QVERIFY(startSession());
    MainWindow& window = m_session->window();
    auto* banner = window.findChild<QLabel*>(u"banner"_s);
    QVERIFY(banner && banner->isVisible());
    QVERIFY2(banner->text().contains(u"Not in the keychain: llm, spare"_s), qPrintable(banner->text()));
    QVERIFY2(banner->text().contains(u"Credentials… (Ctrl+K)"_s), qPrintable(banner->text()));
    QCOMPARE(window.findChild<QLabel*>(u"keychainLabel"_s)->text(), u"Keychain: 2 missing"_s);
    QTRY_COMPARE_WITH_TIMEOUT(s2(u"chat"_s), SignalState::Critical, 10'000);
    QCOMPARE(status(u"chat"_s).pausedBecause, u"credential unavailable: not in the keychain"_s);

    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    dialog->selectCredential(u"llm"_s);
    dialog->beginRotation();
    QVERIFY(verifyIn(dialog, m_valid).passed);
    const CredentialChange change = click(dialog, u"commitCandidate"_s);
    QVERIFY2(change.ok(), qPrintable(change.message));
    // The messages match the keychain: it had no secret before, so nothing was kept and Roll back is off.
    QVERIFY2(change.message.contains(u"had no secret before"_s) && !change.message.contains(u"kept as"_s),
        qPrintable(change.message));
    QVERIFY(!m_store->entries().contains(u"llm.previous"_s));
    QVERIFY2(!visibleTexts(dialog).contains(u"kept as"_s), qPrintable(dialog->statusText()));
    dialog->selectCredential(u"llm"_s);
    QPushButton* rollback = dialog->button(u"rollbackCredential"_s);
    QTest::qWait(200); // the keychain's answer about llm.previous
    QVERIFY(!rollback->isEnabled());
    QVERIFY2(rollback->toolTip().contains(u"Nothing to roll back to"_s), qPrintable(rollback->toolTip()));
    QTRY_COMPARE_WITH_TIMEOUT(s2(u"chat"_s), SignalState::Ok, 10'000);
    QVERIFY(status(u"chat"_s).pausedBecause.isEmpty());
    // Only the credential still without a secret is named now.
    QVERIFY2(banner->text().contains(u"Not in the keychain: spare —"_s), qPrintable(banner->text()));
    QCOMPARE(window.findChild<QLabel*>(u"keychainLabel"_s)->text(), u"Keychain: 1 missing"_s);
}

void TestCredentialsDialog::noKeychainSaysSoAndWritesNothing()
{
    m_store->setEntries({});
    m_store->setFailure(CredentialError::NoKeychain);
    QVERIFY(startSession());
    MainWindow& window = m_session->window();
    auto* banner = window.findChild<QLabel*>(u"banner"_s);
    QVERIFY(banner && banner->isVisible());
    QVERIFY2(banner->text().startsWith(u"No OS keychain (Secret Service): endpoints that need a credential are "
                                       "paused — S2 'credential unavailable: no OS keychain'."_s),
        qPrintable(banner->text()));
    auto* label = window.findChild<QLabel*>(u"keychainLabel"_s);
    QCOMPARE(label->text(), u"Keychain: unavailable"_s);
    QVERIFY2(label->styleSheet().contains(u"color: #b01e1e"_s), qPrintable(label->styleSheet())); // problem red
    QTRY_COMPARE_WITH_TIMEOUT(s2(u"chat"_s), SignalState::Critical, 10'000);
    QCOMPARE(status(u"chat"_s).pausedBecause, u"credential unavailable: no OS keychain"_s);
    QCOMPARE(status(u"chat"_s).probes, 0);
    QCOMPARE(m_sim.requestCount(u"/auth/bearer"_s), 0);

    // A rotation verifies (the endpoints are reachable) but cannot commit: said plainly, nothing written.
    const QByteArray configBefore = fileBytes(configPath());
    CredentialsDialog* dialog = openDialog();
    QVERIFY(dialog);
    dialog->selectCredential(u"llm"_s);
    dialog->beginRotation();
    QVERIFY(verifyIn(dialog, m_valid).passed);
    const CredentialChange change = click(dialog, u"commitCandidate"_s);
    QCOMPARE(change.status, CredentialChange::Status::Keychain);
    QCOMPARE(change.keychainError, CredentialError::NoKeychain);
    QVERIFY2(dialog->statusText().contains(u"no OS keychain"_s), qPrintable(dialog->statusText()));
    QVERIFY(m_store->entries().isEmpty());
    QCOMPARE(fileBytes(configPath()), configBefore);
    QVERIFY(banner->isVisible());
}

QTEST_MAIN(TestCredentialsDialog)
#include "tst_credentialsdialog.moc"
