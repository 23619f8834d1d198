// SPDX-License-Identifier: GPL-3.0-or-later
// The CredentialStore contract: one asynchronous answer per job, the watchdog, and the real OS keychain
// (Secret Service through QtKeychain) when the test runs inside make test's private keyring.
#include "TestSecrets.h"
#include "credentials/CredentialStoreWait.h"
#include "credentials/InMemoryCredentialStore.h"
#include "credentials/KeychainCredentialStore.h"

#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace sd;
using namespace sd::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestCredentialStore : public QObject {
    Q_OBJECT
private:
    // A key no other test or run uses, so that a shared keyring never mixes runs.
    static QString uniqueKey(const char* what) { return u"tst-"_s + QString::fromLatin1(randomToken(what, 4)); }

    bool keychainReachable(KeychainCredentialStore& store)
    {
        const CredentialReply reply = readAndWait(store, uniqueKey("probe"));
        return reply.error == CredentialError::None || reply.error == CredentialError::NotFound;
    }

    static QByteArray secretTool(const QStringList& args)
    {
        QProcess p;
        p.start(u"secret-tool"_s, args);
        if (!p.waitForFinished(10'000))
            return {};
        return p.readAllStandardOutput() + p.readAllStandardError();
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void answersLaterNeverInsideTheCall()
    {
        InMemoryCredentialStore store;
        bool answered = false;
        store.write(u"a"_s, "x", this, [&](const CredentialReply&) { answered = true; });
        QVERIFY(!answered); // the caller is never re-entered
        QTRY_VERIFY(answered);
    }

    void readWriteRemoveInMemory()
    {
        InMemoryCredentialStore store;
        const QByteArray secret = randomToken();
        QVERIFY(writeAndWait(store, u"id"_s, secret).ok());
        const CredentialReply read = readAndWait(store, u"id"_s);
        QVERIFY(read.ok());
        QCOMPARE(read.secret, secret);
        QVERIFY(!read.message.contains(QString::fromLatin1(secret)));
        QVERIFY(removeAndWait(store, u"id"_s).ok());
        const CredentialReply gone = readAndWait(store, u"id"_s);
        QCOMPARE(gone.error, CredentialError::NotFound);
        QVERIFY2(gone.message.contains(u"\"id\""_s) && gone.message.contains(u"not in the keychain"_s),
            qPrintable(gone.message));
        QCOMPARE(removeAndWait(store, u"id"_s).error, CredentialError::NotFound);
    }

    void watchdogReportsAHungJobAsTimeout()
    {
        InMemoryCredentialStore store;
        store.setTimeout(100ms);
        store.setAnswering(false);
        QElapsedTimer clock;
        clock.start();
        const CredentialReply reply = readAndWait(store, u"llm-prod"_s);
        QCOMPARE(reply.error, CredentialError::Timeout);
        QVERIFY(clock.elapsed() >= 90);
        QVERIFY2(reply.message.contains(u"reading \"llm-prod\""_s) && reply.message.contains(u"100 ms"_s),
            qPrintable(reply.message));
        QCOMPARE(store.pendingJobs(), 0);
        // The store stays usable once the backend answers again.
        store.setAnswering(true);
        QVERIFY(writeAndWait(store, u"llm-prod"_s, "x").ok());
    }

    void callbackSkippedWhenItsContextIsGone()
    {
        InMemoryCredentialStore store;
        auto* context = new QObject;
        bool called = false;
        store.read(u"a"_s, context, [&](const CredentialReply&) { called = true; });
        delete context;
        bool later = false;
        store.read(u"a"_s, this, [&](const CredentialReply&) { later = true; });
        QTRY_VERIFY(later);
        QVERIFY(!called);
    }

    void failureIsReportedWithWhatAndWhere()
    {
        InMemoryCredentialStore store;
        store.setFailure(CredentialError::NoKeychain);
        const CredentialReply reply = writeAndWait(store, u"pay-key"_s, randomToken());
        QCOMPARE(reply.error, CredentialError::NoKeychain);
        QVERIFY2(reply.message.startsWith(u"writing \"pay-key\" to the in-memory test store: no OS keychain"_s),
            qPrintable(reply.message));
        QCOMPARE(credentialUnavailableReason(reply.error), u"credential unavailable: no OS keychain"_s);
        QCOMPARE(
            credentialUnavailableReason(CredentialError::NotFound), u"credential unavailable: not in the keychain"_s);
    }

    void realKeychainWriteReadOverwriteRemove()
    {
        KeychainCredentialStore store;
        if (!keychainReachable(store))
            QSKIP("no Secret Service here; run under tools/run-tests.sh (dbus-run-session + gnome-keyring)");
        const QString key = uniqueKey("rw");
        const QByteArray first = randomToken();
        QVERIFY(writeAndWait(store, key, first).ok());
        QCOMPARE(readAndWait(store, key).secret, first);

        // What an operator sees with the standard tool: the entry is there, under service "signaldeck"
        // (QtKeychain stores the service as the attribute "server" and the key as "user").
        const QByteArray found = secretTool({ u"search"_s, u"--all"_s, u"server"_s, u"signaldeck"_s, u"user"_s, key });
        QVERIFY2(found.contains(QByteArray(QByteArray("attribute.user = ") + key.toUtf8())), found.constData());
        QVERIFY2(found.contains("schema = org.qt.keychain"), found.constData());

        const QByteArray second = randomToken();
        QVERIFY(writeAndWait(store, key, second).ok());
        QCOMPARE(readAndWait(store, key).secret, second);
        QCOMPARE(secretTool({ u"lookup"_s, u"server"_s, u"signaldeck"_s, u"user"_s, key }).isEmpty(), false);

        QVERIFY(removeAndWait(store, key).ok());
        QCOMPARE(readAndWait(store, key).error, CredentialError::NotFound);
        QVERIFY(!secretTool({ u"search"_s, u"--all"_s, u"server"_s, u"signaldeck"_s, u"user"_s, key })
                     .contains("attribute.user"));
    }

    void realKeychainBinarySafe()
    {
        KeychainCredentialStore store;
        if (!keychainReachable(store))
            QSKIP("no Secret Service here; run under tools/run-tests.sh");
        const QString key = uniqueKey("bin");
        QByteArray secret = randomToken();
        secret.append('\0').append("\xff\x01", 2);
        QVERIFY(writeAndWait(store, key, secret).ok());
        QCOMPARE(readAndWait(store, key).secret, secret);
        QVERIFY(removeAndWait(store, key).ok());
    }
};

QTEST_GUILESS_MAIN(TestCredentialStore)
#include "tst_credentialstore.moc"
