// SPDX-License-Identifier: GPL-3.0-or-later
// Reading the secrets at start: what reaches the engine, what the window and the console say, and that a
// keychain that never answers costs one deadline, not one watchdog per credential.
#include "controller/CredentialLoading.h"
#include "credentials/InMemoryCredentialStore.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace sd;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestCredentialLoading : public QObject {
    Q_OBJECT

private slots:
    void readsEverySecret();
    void missingEntriesAreNamed();
    void noKeychainIsSaidPlainly();
    void aHungKeychainCostsOneDeadline();
    void oauth2CredentialsAreLeftToTheirTokenSource();
    void nothingToRead();
    void secretHeaderNamesForTheRedaction();

private:
    static QList<CredentialConfig> credentials(const QStringList& ids)
    {
        QList<CredentialConfig> out;
        for (const QString& id : ids) {
            CredentialConfig c;
            c.id = id;
            out.append(c);
        }
        return out;
    }
};

void TestCredentialLoading::readsEverySecret()
{
    InMemoryCredentialStore store;
    store.setEntries({ { u"a"_s, "secret-a" }, { u"b"_s, "secret-b" }, { u"a.previous"_s, "old" } });
    const CredentialLoadResult r = loadCredentialsAndWait(store, credentials({ u"a"_s, u"b"_s }));
    QCOMPARE(r.requested, 2);
    QCOMPARE(r.secrets, (QHash<QString, QByteArray> { { u"a"_s, "secret-a" }, { u"b"_s, "secret-b" } }));
    QVERIFY(r.failures.isEmpty());
    QVERIFY(!r.keychainUnavailable());
    QCOMPARE(keychainBannerText(r), QString());
    QCOMPARE(keychainStatusText(r), u"Keychain: 2 secrets loaded"_s);
    QCOMPARE(keychainConsoleText(r), QString());
}

void TestCredentialLoading::missingEntriesAreNamed()
{
    InMemoryCredentialStore store;
    store.setEntries({ { u"a"_s, "secret-a" } });
    const CredentialLoadResult r = loadCredentialsAndWait(store, credentials({ u"c"_s, u"a"_s, u"b"_s }));
    QCOMPARE(r.secrets.keys(), QList<QString> { u"a"_s });
    QCOMPARE(r.missing(), (QStringList { u"b"_s, u"c"_s }));
    QVERIFY(!r.keychainUnavailable()); // the keychain works; two entries are simply not there
    QVERIFY2(keychainBannerText(r).startsWith(u"Not in the keychain: b, c — the endpoints using them are paused "
                                              "(S2 'credential unavailable: not in the keychain')"_s),
        qPrintable(keychainBannerText(r)));
    QCOMPARE(keychainStatusText(r), u"Keychain: 2 missing"_s);
    QVERIFY(keychainConsoleText(r).contains(u"not in the keychain: b, c"_s));
}

void TestCredentialLoading::noKeychainIsSaidPlainly()
{
    InMemoryCredentialStore store;
    store.setFailure(CredentialError::NoKeychain);
    const CredentialLoadResult r = loadCredentialsAndWait(store, credentials({ u"a"_s, u"b"_s }));
    QVERIFY(r.secrets.isEmpty());
    QCOMPARE(r.failures.value(u"a"_s), CredentialError::NoKeychain);
    QCOMPARE(r.keychainProblem, CredentialError::NoKeychain);
    QVERIFY(r.missing().isEmpty());
    QVERIFY2(keychainBannerText(r).startsWith(u"No OS keychain (Secret Service): endpoints that need a credential "
                                              "are paused — S2 'credential unavailable: no OS keychain'."_s),
        qPrintable(keychainBannerText(r)));
    QVERIFY(keychainBannerText(r).contains(u"never kept anywhere else"_s));
    QCOMPARE(keychainStatusText(r), u"Keychain: unavailable"_s);
    const QString console = keychainConsoleText(r);
    QVERIFY2(console.contains(u"the OS keychain is not usable"_s) && console.contains(u"dbus-run-session"_s),
        qPrintable(console));
    QVERIFY(console.contains(store.location()) || console.contains(u"no OS keychain"_s));
}

void TestCredentialLoading::aHungKeychainCostsOneDeadline()
{
    InMemoryCredentialStore store;
    store.setTimeout(60s); // the store's own watchdog would take a minute per job
    store.setAnswering(false);
    QElapsedTimer clock;
    clock.start();
    const CredentialLoadResult r = loadCredentialsAndWait(store, credentials({ u"a"_s, u"b"_s, u"c"_s }), 300ms);
    QVERIFY2(clock.elapsed() < 5'000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(r.failures.size(), 3);
    QCOMPARE(r.failures.value(u"b"_s), CredentialError::Timeout);
    QCOMPARE(r.keychainProblem, CredentialError::Timeout);
    QVERIFY(keychainBannerText(r).contains(u"did not answer"_s));
    QVERIFY(keychainBannerText(r).contains(credentialUnavailableReason(CredentialError::Timeout)));
}

void TestCredentialLoading::oauth2CredentialsAreLeftToTheirTokenSource()
{
    InMemoryCredentialStore store;
    store.setEntries({ { u"plain"_s, "p" } });
    QList<CredentialConfig> list = credentials({ u"plain"_s, u"idp"_s });
    list[1].oauth2 = OAuth2Config {};
    QCOMPARE(CredentialLoading::readable(list).size(), 1);
    const CredentialLoadResult r = loadCredentialsAndWait(store, list);
    QCOMPARE(r.requested, 1);
    QVERIFY(!r.failures.contains(u"idp"_s));
    QCOMPARE(store.jobsStarted(), 1);
}

void TestCredentialLoading::nothingToRead()
{
    InMemoryCredentialStore store;
    CredentialLoading loading(&store);
    QSignalSpy finished(&loading, &CredentialLoading::finished);
    loading.start({});
    QCOMPARE(finished.count(), 0); // always from the event loop
    QVERIFY(finished.wait(1'000));
    const auto r = finished.at(0).at(0).value<CredentialLoadResult>();
    QCOMPARE(r.requested, 0);
    QCOMPARE(keychainStatusText(r), u"Keychain: not needed"_s);
    QCOMPARE(store.jobsStarted(), 0);
}

void TestCredentialLoading::secretHeaderNamesForTheRedaction()
{
    AppConfig config;
    config.credentials = credentials({ u"a"_s, u"b"_s, u"c"_s, u"d"_s });
    config.credentials[0].scheme = u"header:X-Api-Key"_s;
    config.credentials[1].scheme = u"bearer"_s;
    config.credentials[2].scheme = u"header:x-api-key"_s;
    config.credentials[3].scheme = u"header:X-Tenant-Secret"_s;
    QCOMPARE(secretHeaderNames(config), (QStringList { u"X-Api-Key"_s, u"X-Tenant-Secret"_s }));
}

QTEST_GUILESS_MAIN(TestCredentialLoading)
#include "tst_credentialloading.moc"
