// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the real `signaldeck` binary the way cron or a monitoring system would.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <memory>

class TestCli : public QObject {
    Q_OBJECT
private:
    struct Run {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    /// The runs that wait on timers (the demo's hanging endpoint times out after 1 s; the headless watch runs
    /// until it has shown what the test asserts) start together in initTestCase and the test that asserts on
    /// each collects it, so the suite waits for the longest of them rather than their sum. Output goes to
    /// files, so that a run nobody is reading yet never blocks on a full pipe.
    struct Started {
        std::unique_ptr<QProcess> process = std::make_unique<QProcess>();
        QString out;
        QString err;
    };
    QTemporaryDir m_runs;
    std::map<QString, Started> m_started;
    QTemporaryDir m_noKeychainHome;
    QTemporaryDir m_watchData;

    void start(const QString& key, const QStringList& args, const QProcessEnvironment& env = {})
    {
        Started& s = m_started[key];
        s.out = m_runs.filePath(key + u".out"_qs);
        s.err = m_runs.filePath(key + u".err"_qs);
        if (!env.isEmpty())
            s.process->setProcessEnvironment(env);
        s.process->setStandardOutputFile(s.out);
        s.process->setStandardErrorFile(s.err);
        s.process->start(QStringLiteral(SIGNALDECK_BINARY), args);
    }

    /// What a started run has written to standard output so far.
    QByteArray outputSoFar(const QString& key) const
    {
        const auto it = m_started.find(key);
        QFile f(it == m_started.end() ? QString() : it->second.out);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    Run finish(const QString& key, int timeoutMs = 60'000)
    {
        const auto it = m_started.find(key);
        if (it == m_started.end())
            return {};
        QProcess& p = *it->second.process;
        // An event loop run by an earlier test may have seen it finish already (waitForFinished is then false).
        if (p.state() != QProcess::NotRunning && !p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished();
            return {};
        }
        const auto read = [](const QString& path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, read(it->second.out),
            read(it->second.err) };
    }

    /// Starts `signaldeck --simulate` and returns its base URL ("http://127.0.0.1:PORT"), empty if it did not
    /// say one.
    static QByteArray startSimulator(QProcess& sim)
    {
        sim.start(QStringLiteral(SIGNALDECK_BINARY), { u"--simulate"_qs });
        if (!sim.waitForStarted())
            return {};
        if (!QTest::qWaitFor([&] { return sim.canReadLine() || sim.state() == QProcess::NotRunning; }, 10'000))
            return {};
        const QByteArray first = sim.readLine();
        const qsizetype at = first.indexOf("http://");
        return at >= 0 ? first.mid(at).trimmed() : QByteArray();
    }

    static Run run(const QStringList& args, int timeoutMs = 60'000, const QProcessEnvironment& env = {})
    {
        QProcess p;
        if (!env.isEmpty())
            p.setProcessEnvironment(env);
        p.start(QStringLiteral(SIGNALDECK_BINARY), args);
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished();
            return {};
        }
        return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, p.readAllStandardOutput(),
            p.readAllStandardError() };
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_runs.isValid() && m_noKeychainHome.isValid() && m_watchData.isValid());
        start(u"demo-json"_qs, { u"--demo"_qs, u"--check"_qs, u"--json"_qs });
        // No D-Bus session, so no Secret Service (checkWithoutKeychainSaysSoOnStderr).
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        const QTemporaryDir& home = m_noKeychainHome;
        env.insert(u"DBUS_SESSION_BUS_ADDRESS"_qs, u"unix:path="_qs + home.filePath(u"no-such-bus"_qs));
        env.remove(u"DISPLAY"_qs);
        env.insert(u"HOME"_qs, home.path());
        env.insert(u"XDG_DATA_HOME"_qs, home.filePath(u"data"_qs));
        env.insert(u"XDG_CONFIG_HOME"_qs, home.filePath(u"config"_qs));
        start(u"demo-no-keychain"_qs, { u"--demo"_qs, u"--check"_qs, u"--json"_qs }, env);
        start(u"demo-table"_qs, { u"--demo"_qs, u"--check"_qs });
        // Every demo endpoint probed at start (SIGNALDECK_STAGGER=off, tests/app/CMakeLists.txt): the watch runs
        // until it has shown its first transitions, then gets SIGTERM (headlessWatchShowsPolitenessAndExits).
        start(u"demo-watch"_qs, { u"--demo"_qs, u"--headless"_qs, u"--data-dir"_qs, m_watchData.path() });
    }

    void demoCheckJsonRaisesEverySignal()
    {
        const Run r = finish(u"demo-json"_qs);
        QCOMPARE(r.exitCode, 2); // CRITICAL: the demo has endpoints that raise S2 and S3 on their first probe
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, r.out.constData());
        QCOMPARE(doc.object().value(u"worst"_qs).toString(), u"critical"_qs);
        const QJsonArray results = doc.object().value(u"results"_qs).toArray();
        QVERIFY(results.size() >= 8);
        QSet<QString> signalsSeen;
        bool sawOk = false;
        for (const auto& v : results) {
            const QJsonObject o = v.toObject();
            for (const char* key : { "endpoint", "url", "httpStatus", "latencyMs", "outcome", "signal", "state",
                     "reason", "attempts", "traceId" })
                QVERIFY2(o.contains(QLatin1StringView(key)), key);
            // An endpoint whose credential is not in the keychain is not sent, so it has no trace id.
            if (o.value(u"attempts"_qs).toInt() > 0)
                QCOMPARE(o.value(u"traceId"_qs).toString().size(), 32);
            else
                QVERIFY2(o.value(u"reason"_qs).toString().startsWith(u"credential unavailable: "_qs),
                    qPrintable(o.value(u"reason"_qs).toString()));
            if (o.value(u"signal"_qs).isString()) {
                signalsSeen.insert(o.value(u"signal"_qs).toString());
                QVERIFY(!o.value(u"reason"_qs).toString().isEmpty());
            }
            sawOk = sawOk || o.value(u"outcome"_qs).toString() == u"ok"_qs;
        }
        QCOMPARE(signalsSeen, (QSet<QString> { u"S1"_qs, u"S2"_qs, u"S3"_qs, u"S4"_qs }));
        QVERIFY(sawOk);

        // --check does not retry a timeout (docs/CLI.md "--check"): the hanging endpoint is S1 after one attempt,
        // so the check waits one timeout, not three. A connection reset is still retried.
        QJsonObject hang;
        QJsonObject reset;
        for (const auto& v : results) {
            const QJsonObject o = v.toObject();
            if (o.value(u"endpoint"_qs).toString() == u"inference-gateway-hang"_qs)
                hang = o;
            else if (o.value(u"endpoint"_qs).toString() == u"settlement-reset"_qs)
                reset = o;
        }
        QCOMPARE(hang.value(u"outcome"_qs).toString(), u"timeout"_qs);
        QCOMPARE(hang.value(u"signal"_qs).toString(), u"S1"_qs);
        QCOMPARE(hang.value(u"state"_qs).toString(), u"warning"_qs);
        QCOMPARE(hang.value(u"attempts"_qs).toInt(), 1);
        QCOMPARE(reset.value(u"signal"_qs).toString(), u"S1"_qs);
        QCOMPARE(reset.value(u"attempts"_qs).toInt(), 3);
    }

    void checkWithoutKeychainSaysSoOnStderr()
    {
        // No D-Bus session, so no Secret Service (started by initTestCase): the credential's endpoints are not
        // sent, S2 says why, and standard error explains what to do.
        const Run r = finish(u"demo-no-keychain"_qs);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("the OS keychain is not usable"), r.err.constData());
        QVERIFY2(r.err.contains("credential unavailable: no OS keychain"), r.err.constData());
        int paused = 0;
        for (const auto& v : QJsonDocument::fromJson(r.out).object().value(u"results"_qs).toArray()) {
            const QJsonObject o = v.toObject();
            if (o.value(u"reason"_qs).toString() != u"credential unavailable: no OS keychain"_qs)
                continue;
            ++paused;
            QCOMPARE(o.value(u"signal"_qs).toString(), u"S2"_qs);
            QCOMPARE(o.value(u"attempts"_qs).toInt(), 0);
        }
        QCOMPARE(paused, 2);
    }

    void simulatorPrintsTheDemoToken()
    {
        QProcess p;
        p.start(QStringLiteral(SIGNALDECK_BINARY), { u"--simulate"_qs });
        QVERIFY(p.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains("Ctrl+C"), 20'000);
        p.terminate();
        QVERIFY(p.waitForFinished(10'000));
        // The accepted token is shown to the operator once, on its own line after the explanation.
        const qsizetype at = out.indexOf("/auth/bearer accepts one token");
        QVERIFY2(at >= 0, out.constData());
        const QByteArray token = out.mid(at).split('\n').value(1).trimmed();
        QVERIFY2(token.startsWith("sdk-demo-") && token.size() >= 32, token.constData());
    }

    void demoCheckTable()
    {
        const Run r = finish(u"demo-table"_qs);
        QCOMPARE(r.exitCode, 2);
        const QString text = QString::fromUtf8(r.out);
        QVERIFY(text.contains(u"ENDPOINT"_qs));
        // The demo's credential is in no keychain here: its endpoints report S2 without being sent, and stderr
        // says why (no keychain at all, or no entry in it).
        QVERIFY2(text.contains(u"credential unavailable: "_qs), r.out.constData());
        QVERIFY2(r.err.contains("keychain"), r.err.constData());
        QVERIFY(text.contains(u"worst: CRITICAL"_qs));
    }

    void badConfigIsUnknownWithPlaceAndReason()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"bad.json"_qs);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(
            "{\"version\":1,\"endpoints\":[{\"name\":\"a\",\"url\":\"http://127.0.0.1:1/\",\"interval\":\"10ms\"}]}");
        f.close();
        const QByteArray before = [&] {
            QFile g(path);
            return g.open(QIODevice::ReadOnly) ? g.readAll() : QByteArray();
        }();
        const Run r = run({ u"--config"_qs, path, u"--check"_qs });
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("endpoints[0].interval"), r.err.constData());
        QVERIFY(r.err.contains(path.toUtf8()));
        QFile g(path);
        QVERIFY(g.open(QIODevice::ReadOnly));
        QCOMPARE(g.readAll(), before); // a bad file is never overwritten
    }

    void missingConfigIsUnknown()
    {
        const Run r = run({ u"--config"_qs, u"/nonexistent/signaldeck.json"_qs, u"--check"_qs });
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("/nonexistent/signaldeck.json"), r.err.constData());
    }

    void healthyConfigIsOk()
    {
        // A config whose only endpoint is the demo's healthy route is OK (exit 0): start the simulator alone.
        QProcess sim;
        const QByteArray base = startSimulator(sim);
        QVERIFY2(!base.isEmpty(), sim.readAllStandardError().constData());
        QTemporaryDir dir;
        const QString path = dir.filePath(u"ok.json"_qs);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"version\":1,\"endpoints\":[{\"name\":\"h\",\"url\":\"" + base + "/healthy\"}]}");
        f.close();
        const Run r = run({ u"--config"_qs, path, u"--check"_qs, u"--json"_qs });
        sim.terminate(); // SIGTERM: the simulator exits cleanly
        QVERIFY(sim.waitForFinished(5000));
        QCOMPARE(sim.exitCode(), 0);
        QCOMPARE(r.exitCode, 0);
        const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(doc.value(u"worst"_qs).toString(), u"ok"_qs);
        QCOMPARE(doc.value(u"results"_qs).toArray().at(0).toObject().value(u"httpStatus"_qs).toInt(), 200);
    }

    // Issue 12: over the operator's cap every interval is stretched, and --check --json says so.
    void checkJsonSaysWhenTheDemandIsOverTheCap()
    {
        // Two endpoints the simulator answers at once (a refused connection would be retried after a backoff):
        // the limits are what is asserted.
        QProcess sim;
        const QByteArray base = startSimulator(sim);
        QVERIFY2(!base.isEmpty(), sim.readAllStandardError().constData());
        QTemporaryDir dir;
        const QString path = dir.filePath(u"capped.json"_qs);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"version\": 1, \"limits\": {\"maxProbesPerSecond\": 1}, \"endpoints\": ["
                "{\"name\": \"a\", \"url\": \""
            + base
            + "/healthy\", \"interval\": \"1s\"},"
              "{\"name\": \"b\", \"url\": \""
            + base + "/healthy\", \"interval\": \"1s\"}]}");
        f.close();
        const Run r = run({ u"--config"_qs, path, u"--check"_qs, u"--json"_qs });
        sim.terminate();
        QVERIFY(sim.waitForFinished(5000));
        QCOMPARE(r.exitCode, 0);
        const QJsonObject limits = QJsonDocument::fromJson(r.out).object().value(u"limits"_qs).toObject();
        QVERIFY2(!limits.isEmpty(), r.out.constData());
        QCOMPARE(limits.value(u"demandPerSecond"_qs).toDouble(), 2.0);
        QCOMPARE(limits.value(u"maxProbesPerSecond"_qs).toDouble(), 1.0);
        QCOMPARE(limits.value(u"intervalFactor"_qs).toDouble(), 2.0);
        QCOMPARE(limits.value(u"note"_qs).toString(), u"demand 2/s over the cap of 1/s: intervals ×2"_qs);
    }

    void headlessWatchShowsPolitenessAndExits()
    {
        const QTemporaryDir& data = m_watchData; // started by initTestCase
        // Transitions are printed as they happen: the watch runs until the first probes of the S2, S3 and S4
        // endpoints have shown theirs, then stops on SIGTERM as a service manager stops it.
        const auto shown = [&] {
            const QByteArray out = outputSoFar(u"demo-watch"_qs);
            return out.contains("  llm-chat-token  ") && out.contains("  orders-validation  ")
                && out.contains("  quota-exhausted  ");
        };
        QTRY_VERIFY2_WITH_TIMEOUT(shown(), outputSoFar(u"demo-watch"_qs).constData(), 30'000);
        m_started[u"demo-watch"_qs].process->terminate();
        const Run r = finish(u"demo-watch"_qs);
        QCOMPARE(r.exitCode, 2);
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(text.contains(u"Stopped by signal 15."_qs), r.out.constData());
        QVERIFY2(text.contains(u"NEXT PROBE"_qs), r.out.constData());
        QVERIFY2(text.contains(u"Retry-After"_qs), r.out.constData()); // the throttled route is left alone
        QVERIFY2(text.contains(u"→ critical"_qs), r.out.constData()); // transitions printed as they happen
        QVERIFY2(text.contains(u"limits: demand "_qs), r.out.constData()); // the global cap, said at start

        // What the headless watch probed is in the history: a server's record can be exported. Every endpoint
        // the summary counts a probe for is there (those whose transitions were seen at least).
        const Run exported = run({ u"export"_qs, u"--data-dir"_qs, data.path(), u"--from"_qs, u"-1h"_qs,
            u"--summary"_qs, u"-o"_qs, u"-"_qs });
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        QVERIFY2(exported.out.contains("orders-validation"), exported.out.constData());
        QVERIFY2(exported.out.contains("quota-exhausted"), exported.out.constData());
        int probed = 0;
        const QList<QByteArray> lines = r.out.split('\n');
        const qsizetype header = [&] {
            for (qsizetype i = lines.size() - 1; i >= 0; --i) {
                if (lines.at(i).startsWith("ENDPOINT "))
                    return i;
            }
            return qsizetype(-1);
        }();
        QVERIFY2(header >= 0, r.out.constData());
        for (qsizetype i = header + 1; i < lines.size(); ++i) {
            const QList<QByteArray> cells = lines.at(i).simplified().split(' ');
            if (cells.size() < 3 || cells.at(2).toInt() < 1) // ENDPOINT STATE PROBES …
                continue;
            ++probed;
            QVERIFY2(exported.out.contains(QByteArray("\n" + cells.at(0) + ',')), cells.at(0).constData());
        }
        QVERIFY2(probed >= 3, r.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
