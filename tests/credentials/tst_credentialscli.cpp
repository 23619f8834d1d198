// SPDX-License-Identifier: GPL-3.0-or-later
// `signaldeck credentials` as an operator runs it: the real binary, the secret on standard input, the real
// keychain (skipped without one), and a run with no D-Bus session that must fail clearly and write nothing.
#include "TestSecrets.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

using namespace sd::test;
using namespace Qt::StringLiterals;

class TestCredentialsCli : public QObject {
    Q_OBJECT
private:
    struct Run {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    QTemporaryDir m_dir;
    QProcess m_simulator;
    QByteArray m_base;

    QString configPath() const { return m_dir.filePath(u"config.json"_s); }
    QString auditPath() const { return m_dir.filePath(u"audit.jsonl"_s); }

    Run run(const QStringList& args, const QByteArray& input, const QProcessEnvironment& env = {})
    {
        QProcess p;
        if (!env.isEmpty())
            p.setProcessEnvironment(env);
        p.start(QStringLiteral(SIGNALDECK_BINARY),
            QStringList { u"credentials"_s, u"--config"_s, configPath(), u"--audit-file"_s, auditPath() } + args);
        if (!p.waitForStarted(10'000))
            return {};
        p.write(input);
        p.closeWriteChannel();
        if (!p.waitForFinished(60'000)) {
            p.kill();
            p.waitForFinished();
            return {};
        }
        return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, p.readAllStandardOutput(),
            p.readAllStandardError() };
    }

    void writeConfig(const QByteArray& json)
    {
        QFile f(configPath());
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(json);
    }

    bool keychainReachable()
    {
        // `list` needs no keychain; a rollback of an unknown id reaches it and answers "not found" (4).
        writeConfig(R"({"version":1,"credentials":[{"id":"tst-reach"}]})");
        const Run r = run({ u"rollback"_s, u"tst-reach"_s }, {});
        return r.exitCode == 4;
    }

    // Every file under `dir` (the throwaway home, config and audit) is searched for `secret`.
    static QStringList filesContaining(const QString& dir, const QByteArray& secret)
    {
        QStringList hits;
        QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            if (f.open(QIODevice::ReadOnly) && f.readAll().contains(secret))
                hits.append(f.fileName());
        }
        return hits;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_simulator.start(QStringLiteral(SIGNALDECK_BINARY), { u"--simulate"_s });
        QVERIFY(m_simulator.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(m_simulator.canReadLine(), 10'000);
        const QByteArray first = m_simulator.readLine();
        const qsizetype at = first.indexOf("http://");
        QVERIFY2(at >= 0, first.constData());
        m_base = first.mid(at).trimmed();
    }

    void cleanupTestCase()
    {
        m_simulator.terminate();
        m_simulator.waitForFinished(5'000);
    }

    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("says");
        QTest::newRow("no command") << QStringList {} << QByteArray("no command given");
        QTest::newRow("unknown command") << QStringList { u"show"_s } << QByteArray("unknown command 'show'");
        QTest::newRow("secret on the command line")
            << QStringList { u"rotate"_s, u"x"_s, u"--secret"_s, u"abc"_s } << QByteArray("standard input only");
        QTest::newRow("add without scheme") << QStringList { u"add"_s, u"x"_s } << QByteArray("--scheme");
        QTest::newRow("bad rotation days") << QStringList { u"add"_s, u"x"_s, u"--scheme"_s, u"bearer"_s,
            u"--rotation-days"_s, u"0"_s } << QByteArray("--rotation-days");
    }
    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, says);
        const Run r = run(args, {});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(says), r.err.constData());
    }

    void helpDocumentsExitCodes()
    {
        const Run r = run({ u"--help"_s }, {});
        QCOMPARE(r.exitCode, 0);
        for (const char* line : { "0  done", "1  verification failed", "2  usage error",
                 "3  the keychain is unreachable", "4  no such credential" })
            QVERIFY2(r.out.contains(line), line);
    }

    void addRotateRollbackWithSecretsOnStdin()
    {
        if (!keychainReachable())
            QSKIP("no Secret Service here; run under tools/run-tests.sh (dbus-run-session + gnome-keyring)");
        const QString id = u"tst-cli-"_s + QString::fromLatin1(randomToken("id", 4));
        const QByteArray first = randomToken("first");
        const QByteArray wrong = randomToken("wrong");
        writeConfig(R"({"version":1})");

        Run r = run({ u"add"_s, id, u"--scheme"_s, u"bearer"_s, u"--label"_s, u"CLI test"_s }, first + '\n');
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // Now an endpoint uses it: the simulator's token route, which accepts nothing yet.
        QFile f(configPath());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
        f.close();
        root.insert(u"endpoints"_s,
            QJsonArray { QJsonObject { { u"name"_s, u"chat"_s },
                { u"url"_s, QString::fromUtf8(m_base + "/auth/bearer") }, { u"credential"_s, id } } });
        writeConfig(QJsonDocument(root).toJson());

        r = run({ u"list"_s }, {});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(
            r.out.contains(id.toUtf8()) && r.out.contains("CLI test") && r.out.contains("chat"), r.out.constData());
        QVERIFY(!r.out.contains(first));

        // A candidate the API refuses: verification fails, exit 1, nothing committed.
        const QByteArray configBefore = [&] {
            QFile g(configPath());
            return g.open(QIODevice::ReadOnly) ? g.readAll() : QByteArray();
        }();
        r = run({ u"rotate"_s, id }, wrong);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains("401") && r.out.contains("S2"), r.out.constData());
        QVERIFY2(r.err.contains("not rotated"), r.err.constData());
        QFile g(configPath());
        QVERIFY(g.open(QIODevice::ReadOnly));
        QCOMPARE(g.readAll(), configBefore);
        g.close();

        // --no-verify commits without asking the API.
        r = run({ u"rotate"_s, id, u"--no-verify"_s }, wrong);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = run({ u"rollback"_s, id }, {});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("rolled"));

        r = run({ u"delete"_s, id }, "no\n");
        QCOMPARE(r.exitCode, 1);
        r = run({ u"delete"_s, id, u"--yes"_s }, {});
        QCOMPARE(r.exitCode, 1); // still used by "chat"
        QVERIFY2(r.err.contains("still used by chat"), r.err.constData());
        root.remove(u"endpoints"_s);
        QVERIFY(g.open(QIODevice::ReadOnly));
        root.insert(u"credentials"_s, QJsonDocument::fromJson(g.readAll()).object().value(u"credentials"_s));
        g.close();
        writeConfig(QJsonDocument(root).toJson());
        r = run({ u"delete"_s, id, u"--yes"_s }, {});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = run({ u"rollback"_s, id }, {});
        QCOMPARE(r.exitCode, 4);

        QFile audit(auditPath());
        QVERIFY(audit.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = audit.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 4); // add, rotate, rollback, delete
        QVERIFY(lines.at(1).contains(R"("verification":"skipped")"));
        for (const QByteArray& secret : { first, wrong })
            QVERIFY2(filesContaining(m_dir.path(), secret).isEmpty(),
                qPrintable(filesContaining(m_dir.path(), secret).join(u", "_s)));
    }

    void clientSecretOfAnOAuth2Credential()
    {
        if (!keychainReachable())
            QSKIP("no Secret Service here; run under tools/run-tests.sh (dbus-run-session + gnome-keyring)");
        const QString id = u"tst-oauth-"_s + QString::fromLatin1(randomToken("id", 4));
        const QByteArray secret = randomToken("client");
        writeConfig(QJsonDocument(
            QJsonObject { { u"version"_s, 1 },
                { u"credentials"_s,
                    QJsonArray { QJsonObject { { u"id"_s, id },
                                     { u"oauth2"_s,
                                         QJsonObject { { u"tokenUrl"_s, QString::fromUtf8(m_base + "/oauth/token") },
                                             { u"clientId"_s, u"signaldeck"_s } } } },
                        QJsonObject { { u"id"_s, u"plain"_s } } } } })
                        .toJson());
        const QByteArray configBefore = [this] {
            QFile f(configPath());
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();

        Run r = run({ u"client-secret"_s, id }, secret + '\n');
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(!r.out.contains(secret) && !r.err.contains(secret));
        // In the keychain under <id>.client-secret, where the token source reads it …
        QProcess tool;
        tool.start(
            u"secret-tool"_s, { u"lookup"_s, u"server"_s, u"signaldeck"_s, u"user"_s, id + u".client-secret"_s });
        QVERIFY(tool.waitForFinished(10'000));
        const QByteArray stored = tool.readAllStandardOutput().trimmed();
        // QtKeychain keeps binary secrets base64-encoded in the Secret Service.
        QVERIFY(stored == secret || QByteArray::fromBase64(stored) == secret);
        // … audited, and nowhere else.
        QFile audit(auditPath());
        QVERIFY(audit.open(QIODevice::ReadOnly));
        const QByteArray trail = audit.readAll();
        QVERIFY(trail.contains("\"client-secret\""));
        QVERIFY(!trail.contains(secret));
        QFile config(configPath());
        QVERIFY(config.open(QIODevice::ReadOnly));
        QCOMPARE(config.readAll(), configBefore);

        // A credential without oauth2 has no client secret: usage error, nothing written.
        r = run({ u"client-secret"_s, u"plain"_s }, secret + '\n');
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("not an oauth2 credential"), r.err.constData());
        r = run({ u"client-secret"_s, u"nobody"_s }, secret + '\n');
        QCOMPARE(r.exitCode, 4);
    }

    void listShowsAMissingSecretAsS2Critical()
    {
        // The window shows S2 Critical for a credential whose secret is not in the keychain; so does `list`
        // (it said "ok" from the metadata alone).
        const QString id = u"tst-missing-"_s + QString::fromLatin1(randomToken("id", 4));
        writeConfig(QStringLiteral(R"({"version":1,"credentials":[{"id":"%1"}]})").arg(id).toUtf8());
        const Run r = run({ u"list"_s }, {});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(id.toUtf8()), r.out.constData());
        QVERIFY2(r.out.contains("critical: credential unavailable"), r.out.constData());
        QVERIFY2(!r.out.contains(" ok"), r.out.constData());
    }

    void rotatingAFirstSecretPromisesNoRollback()
    {
        if (!keychainReachable())
            QSKIP("no Secret Service here; run under tools/run-tests.sh (dbus-run-session + gnome-keyring)");
        // A credential with no secret yet (the demo's): the rotation keeps nothing, and must not say it does.
        const QString id = u"tst-first-"_s + QString::fromLatin1(randomToken("id", 4));
        writeConfig(QStringLiteral(R"({"version":1,"credentials":[{"id":"%1"}]})").arg(id).toUtf8());
        Run r = run({ u"rotate"_s, id, u"--no-verify"_s }, randomToken("first") + '\n');
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(!r.out.contains(".previous"), r.out.constData());
        QVERIFY2(r.out.contains("nothing to roll back to"), r.out.constData());
        r = run({ u"rollback"_s, id }, {});
        QCOMPARE(r.exitCode, 4);
        r = run({ u"delete"_s, id, u"--yes"_s }, {});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

    void noDbusSessionSaysSoAndWritesNothing()
    {
        QTemporaryDir home;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path="_s + home.filePath(u"no-such-bus"_s));
        env.insert(u"HOME"_s, home.path());
        env.insert(u"XDG_DATA_HOME"_s, home.filePath(u"data"_s));
        env.insert(u"XDG_CONFIG_HOME"_s, home.filePath(u"config"_s));
        writeConfig(R"({"version":1})");
        const QByteArray configBefore = R"({"version":1})";
        const QByteArray secret = randomToken("nodbus");
        QFile::remove(auditPath());

        Run r = run({ u"add"_s, u"offline"_s, u"--scheme"_s, u"bearer"_s }, secret, env);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("no OS keychain") && r.err.contains("nothing was written"), r.err.constData());
        QFile f(configPath());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), configBefore);
        QVERIFY(!QFile::exists(auditPath()));
        QVERIFY(filesContaining(home.path(), secret).isEmpty());
        QVERIFY(filesContaining(m_dir.path(), secret).isEmpty());

        writeConfig(R"({"version":1,"credentials":[{"id":"offline"}]})");
        r = run({ u"rotate"_s, u"offline"_s }, secret, env);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("not reachable"), r.err.constData());
        QVERIFY(filesContaining(m_dir.path(), secret).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCredentialsCli)
#include "tst_credentialscli.moc"
