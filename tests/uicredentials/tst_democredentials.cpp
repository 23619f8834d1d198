// SPDX-License-Identifier: GPL-3.0-or-later
// The "done when": a rotation done as an operator would, in the running app on the demo, moves the
// auth tile from Critical to OK with the secret only in the OS keychain. The demo dashboard runs with the real
// keychain (tools/run-tests.sh starts gnome-keyring in a private D-Bus session; without one the test skips,
// saying why), the dialog is driven through its buttons, and afterwards the token is looked for everywhere it
// must not be: the config, the settings, the log file, the audit trail, the window's texts.
#include "DashboardStart.h"
#include "DemoEnvironment.h"
#include "Logging.h"
#include "config/ConfigLoader.h"
#include "credentials/CredentialSecret.h"
#include "credentials/CredentialStoreWait.h"
#include "credentials/KeychainCredentialStore.h"
#include "itemmodels/CredentialTableModel.h"
#include "schedule/Engine.h"
#include "ui/MainWindow.h"
#include "ui/SignalTile.h"
#include "ui/credentials/CredentialsDialog.h"
#include "ui/credentials/SecretField.h"

#include <QAction>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace sd;
using namespace Qt::StringLiterals;

namespace {

QByteArray fileBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// Every file under `dir` that contains `needle`.
QStringList filesContaining(const QString& dir, const QByteArray& needle)
{
    QStringList hits;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (fileBytes(path).contains(needle))
            hits.append(path);
    }
    return hits;
}

} // namespace

class TestDemoCredentials : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void rotationInTheDemoTurnsTheAuthTileOk();

private:
    void forgetDemoSecrets();

    KeychainCredentialStore m_keychain;
    QTemporaryDir m_data;
};

void TestDemoCredentials::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setApplicationName(u"signaldeck-tst-democredentials"_s);
    QVERIFY(m_data.isValid());
    const CredentialReply probe = readAndWait(m_keychain, DemoEnvironment::credentialId());
    if (probe.error != CredentialError::None && probe.error != CredentialError::NotFound)
        QSKIP("no Secret Service here; run under tools/run-tests.sh (dbus-run-session + gnome-keyring)");
    // The demo starts from "not in the keychain".
    forgetDemoSecrets();
    // The real logging, so that the log file can be searched for the token afterwards.
    QVERIFY(installLogging(u"debug"_s, false));
    QVERIFY(!logFilePath().isEmpty());
}

void TestDemoCredentials::cleanupTestCase()
{
    forgetDemoSecrets();
}

void TestDemoCredentials::forgetDemoSecrets()
{
    for (const QString& key :
        { DemoEnvironment::credentialId(), CredentialStore::previousKey(DemoEnvironment::credentialId()) })
        removeAndWait(m_keychain, key);
}

void TestDemoCredentials::rotationInTheDemoTurnsTheAuthTileOk()
{
    DemoEnvironment demo;
    QString error;
    QVERIFY2(demo.start(0, &error), qPrintable(error));
    const QByteArray token = demo.validToken();
    QVERIFY(token.size() >= 32);
    const ConfigParseResult config = demo.config();
    QVERIFY(config.ok());
    QVERIFY(!QString::fromUtf8(configToJson(*config.config)).contains(QString::fromUtf8(token)));

    DashboardOptions options;
    options.config = *config.config;
    options.sourceLabel = u"demo"_s;
    options.dataDir = m_data.path();
    options.demoToken = token;
    DashboardSession session(options); // the OS keychain, as `signaldeck --demo` uses it
    MainWindow& window = session.window();
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(session.credentialsLoaded(), 10'000);

    // Before: the credential is not in the keychain, so its endpoints are paused with S2 Critical.
    const auto s2Of = [&session](const QString& name) {
        for (const EndpointStatus& s : session.engine().statuses()) {
            if (s.name == name)
                return std::pair(s.states[1], s.reasons[1]);
        }
        return std::pair(SignalState::Unknown, QString());
    };
    QTRY_COMPARE_WITH_TIMEOUT(s2Of(u"llm-chat-token"_s).first, SignalState::Critical, 10'000);
    QCOMPARE(s2Of(u"llm-chat-token"_s).second, u"credential unavailable: not in the keychain"_s);
    QTRY_COMPARE_WITH_TIMEOUT(window.tile(FailureSignal::S2)->state(), SignalState::Critical, 15'000);
    auto* banner = window.findChild<QLabel*>(u"banner"_s);
    QVERIFY2(
        banner->isVisible() && banner->text().contains(u"Not in the keychain: demo-llm"_s), qPrintable(banner->text()));

    // The operator: Endpoints ▸ Credentials…, Rotate, the demo's token, Verify, Commit.
    window.action(u"manageCredentials"_s)->trigger();
    CredentialsDialog* dialog = session.credentialsDialog();
    QVERIFY(dialog);
    dialog->selectCredential(DemoEnvironment::credentialId());
    dialog->button(u"rotateCredential"_s)->click();
    QPushButton* useDemoToken = dialog->button(u"useDemoToken"_s);
    QVERIFY(useDemoToken->isVisible());
    useDemoToken->click();
    QCOMPARE(dialog->secretField()->secret(), token);
    QVERIFY(!dialog->secretField()->isRevealed());

    QSignalSpy verified(dialog, &CredentialsDialog::verificationShown);
    dialog->button(u"verifyCandidate"_s)->click();
    QVERIFY(verified.wait(20'000));
    const auto verification = verified.at(0).at(0).value<CredentialVerification>();
    QVERIFY2(verification.passed, qPrintable(verification.summary));
    QCOMPARE(verification.endpoints.size(), 2);
    QVERIFY2(dialog->verdictText().contains(u"accepted by 2 of 2"_s), qPrintable(dialog->verdictText()));

    QSignalSpy finished(dialog, &CredentialsDialog::changeFinished);
    QVERIFY(dialog->button(u"commitCandidate"_s)->isEnabled());
    dialog->button(u"commitCandidate"_s)->click();
    QVERIFY(finished.wait(20'000));
    const auto change = finished.at(0).at(0).value<CredentialChange>();
    QVERIFY2(change.ok(), qPrintable(change.message));

    // After: both endpoints are probed at once and accepted; the auth tile turns OK.
    QTRY_COMPARE_WITH_TIMEOUT(s2Of(u"llm-chat-token"_s).first, SignalState::Ok, 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(s2Of(u"llm-models-token"_s).first, SignalState::Ok, 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(window.tile(FailureSignal::S2)->state(), SignalState::Ok, 10'000);
    QVERIFY(!banner->isVisible());
    QCOMPARE(window.findChild<QLabel*>(u"keychainLabel"_s)->text(), u"Keychain: 1 secret loaded"_s);
    const int row = dialog->model()->rowOf(DemoEnvironment::credentialId());
    QTRY_COMPARE_WITH_TIMEOUT(dialog->model()->s2State(row), SignalState::Ok, 10'000);
    QCOMPARE(window.config().credentials.at(0).fingerprint, credentialFingerprint(token));
    // What the operator sees afterwards: the list OK, the audit trail with the rotation.
    QDir().mkpath(QStringLiteral(SCREENSHOT_DIR));
    QVERIFY(dialog->grab().save(QStringLiteral(SCREENSHOT_DIR) + u"/credentials-dialog-demo-committed.png"_s));
    QCOMPARE(loadConfigFile(session.credentialsConfigPath()).config->credentials.at(0).fingerprint,
        credentialFingerprint(token));

    // The secret is in the OS keychain, where secret-tool finds it …
    QCOMPARE(readAndWait(m_keychain, DemoEnvironment::credentialId()).secret, token);
    QProcess tool;
    tool.start(u"secret-tool"_s,
        { u"search"_s, u"--all"_s, u"server"_s, u"signaldeck"_s, u"user"_s, DemoEnvironment::credentialId() });
    QVERIFY(tool.waitForFinished(10'000));
    const QByteArray found = tool.readAllStandardOutput() + tool.readAllStandardError();
    QVERIFY2(found.contains("attribute.user = demo-llm"), found.constData());

    // … and nowhere else: not in the config, the audit trail, the settings, the log, the window or the dialog.
    QTRY_VERIFY_WITH_TIMEOUT(fileBytes(logFilePath()).contains("rotated \"demo-llm\""), 10'000);
    window.close(); // writes the window state to the settings
    QSettings settings(QSettings::NativeFormat, QSettings::UserScope, u"SignalDeck"_s, u"SignalDeck"_s); // the window's
    settings.sync();
    const QByteArray& needle = token;
    QVERIFY(!fileBytes(session.credentialsConfigPath()).contains(needle));
    QVERIFY(!fileBytes(CredentialAuditLog::defaultPath()).isEmpty());
    QVERIFY(!fileBytes(CredentialAuditLog::defaultPath()).contains(needle));
    QVERIFY(QFile::exists(settings.fileName()));
    QVERIFY(!fileBytes(settings.fileName()).contains(needle));
    QVERIFY(!fileBytes(logFilePath()).contains(needle));
    for (const QString& dir : { QStandardPaths::writableLocation(QStandardPaths::AppDataLocation),
             QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation), m_data.path() })
        QVERIFY2(filesContaining(dir, needle).isEmpty(), qPrintable(filesContaining(dir, needle).join(u", "_s)));
    QVERIFY(!window.windowTitle().contains(QString::fromUtf8(token)));
    QVERIFY(!dialog->statusText().contains(QString::fromUtf8(token)));
    QVERIFY(dialog->secretField()->secret().isEmpty());
    for (const QLabel* label : window.findChildren<QLabel*>())
        QVERIFY(!label->text().contains(QString::fromUtf8(token)));
}

QTEST_MAIN(TestDemoCredentials)
#include "tst_democredentials.moc"
