// SPDX-License-Identifier: GPL-3.0-or-later
// The real `signaldeck` binary against a loopback server that misbehaves on purpose (hostile_server.py):
// it reflects the credential in every way it can, answers 500 and JSON-RPC -32603, hangs, writes terminal
// escapes, and serves HTTPS with a certificate nobody trusts. Secrets live in the real keychain
// (tools/run-tests.sh: dbus-run-session + gnome-keyring); without one the test is skipped.
#include "../credentials/TestSecrets.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <algorithm>
#include <functional>

using namespace Qt::StringLiterals;
using sd::test::randomToken;

namespace {

QByteArray hex(int bytes)
{
    return randomToken("x", bytes).mid(2);
}

/// Every form in which a secret must never appear: raw, base64 (standard and URL-safe, with and
/// without padding), percent-encoded; for "user:password" also the password alone in those forms.
QList<QByteArray> formsOf(const QByteArray& secret)
{
    QList<QByteArray> forms;
    const auto add = [&forms](const QByteArray& value) {
        for (const QByteArray& form : { value, value.toBase64(), value.toBase64(QByteArray::OmitTrailingEquals),
                 value.toBase64(QByteArray::Base64UrlEncoding),
                 value.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals),
                 QUrl::toPercentEncoding(QString::fromLatin1(value)) }) {
            if (!forms.contains(form))
                forms.append(form);
        }
    };
    add(secret);
    if (const qsizetype colon = secret.indexOf(':'); colon > 0)
        add(secret.mid(colon + 1));
    return forms;
}

} // namespace

class TestHostileServer : public QObject {
    Q_OBJECT
private:
    struct Run {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    QTemporaryDir m_dir; // config, audit trail, XDG data (logs) and config homes, history, exports
    QProcess m_server;
    QByteArray m_base; // http://127.0.0.1:PORT
    QByteArray m_tlsBase; // https://127.0.0.1:PORT (self-signed)
    QString m_suffix = QString::fromLatin1(hex(3));
    QString m_bearerId = u"tst-hs-bearer-"_s + m_suffix;
    QString m_basicId = u"tst-hs-basic-"_s + m_suffix;
    QString m_oauthId = u"tst-hs-oauth-"_s + m_suffix;
    // Secrets with characters that base64 and percent-encoding change.
    QByteArray m_bearer = "sdt-" + hex(12) + '/' + hex(3) + '+' + hex(3) + '=';
    QByteArray m_basic = "probe-user:pw-" + hex(10) + "/+";
    QByteArray m_oauthToken = "oat-" + hex(14) + "/=";
    QByteArray m_clientSecret = "ocs-" + hex(12);
    bool m_stored = false;
    QByteArrayList m_transcript; // every stdout and stderr of the binary, for the secret grep

    QString path(const QString& name) const { return m_dir.filePath(name); }
    /// Every path the server has answered, one per line, after the answer was sent (SD_TEST_SERVED_LOG).
    QByteArray servedLog() const
    {
        QFile f(path(u"served.log"_s));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    QProcessEnvironment env() const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(u"XDG_DATA_HOME"_s, path(u"xdg-data"_s));
        e.insert(u"XDG_CONFIG_HOME"_s, path(u"xdg-config"_s));
        return e;
    }

    Run run(const QStringList& args, const QByteArray& input = {}, int timeoutMs = 90'000,
        const std::function<void(QProcess&)>& whileRunning = {})
    {
        QProcess p;
        p.setProcessEnvironment(env());
        // SIGNALDECK_TEST_BINARY runs the same test against another build (say, main's, to see it fail).
        p.start(qEnvironmentVariable("SIGNALDECK_TEST_BINARY", QStringLiteral(SIGNALDECK_BINARY)), args);
        if (!p.waitForStarted(10'000))
            return {};
        p.write(input);
        p.closeWriteChannel();
        if (whileRunning)
            whileRunning(p);
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished();
        }
        Run r { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, p.readAllStandardOutput(),
            p.readAllStandardError() };
        m_transcript << r.out << r.err;
        return r;
    }

    Run credentials(const QStringList& args, const QByteArray& input)
    {
        return run(QStringList { u"credentials"_s, u"--config"_s, path(u"config.json"_s), u"--audit-file"_s,
                       path(u"audit.jsonl"_s) }
                + args,
            input);
    }

    QString writeConfig(const QString& name, const QByteArray& json)
    {
        QFile f(path(name));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        f.write(json);
        return f.fileName();
    }

    QJsonObject endpoint(const QString& name, const QByteArray& route, const QString& credential = {}) const
    {
        QJsonObject o { { u"name"_s, name }, { u"url"_s, QString::fromLatin1(m_base + route) },
            { u"interval"_s, u"1s"_s } };
        if (!credential.isEmpty())
            o.insert(u"credential"_s, credential);
        return o;
    }

    QJsonArray credentialsJson() const
    {
        return QJsonArray { QJsonObject { { u"id"_s, m_bearerId }, { u"scheme"_s, u"bearer"_s } },
            QJsonObject { { u"id"_s, m_basicId }, { u"scheme"_s, u"basic"_s } },
            QJsonObject { { u"id"_s, m_oauthId },
                { u"oauth2"_s,
                    QJsonObject {
                        { u"tokenUrl"_s, QString::fromLatin1(m_base + "/token") }, { u"clientId"_s, u"cid"_s } } } } };
    }

    /// Only the tests about credentials list them: the others must not depend on the keychain.
    QByteArray config(const QJsonArray& endpoints, bool withCredentials = false) const
    {
        QJsonObject root { { u"version"_s, 1 }, { u"endpoints"_s, endpoints } };
        if (withCredentials)
            root.insert(u"credentials"_s, credentialsJson());
        return QJsonDocument(root).toJson();
    }

    static QJsonObject withCheck(QJsonObject o)
    {
        o.insert(u"checks"_s,
            QJsonArray { QJsonObject { { u"jsonPointer"_s, u"/object"_s }, { u"equals"_s, u"expected"_s } } });
        return o;
    }

    static QJsonObject resultOf(const QJsonObject& doc, const QString& name)
    {
        for (const auto& v : doc.value(u"results"_s).toArray()) {
            if (v.toObject().value(u"endpoint"_s).toString() == name)
                return v.toObject();
        }
        return {};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // A self-signed certificate made now: no key is ever committed.
        QProcess openssl;
        openssl.setStandardOutputFile(QProcess::nullDevice());
        openssl.setStandardErrorFile(QProcess::nullDevice());
        openssl.start(u"openssl"_s,
            { u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-days"_s, u"2"_s, u"-subj"_s,
                u"/CN=127.0.0.1"_s, u"-keyout"_s, path(u"key.pem"_s), u"-out"_s, path(u"cert.pem"_s) });
        QVERIFY(openssl.waitForFinished(60'000));
        QCOMPARE(openssl.exitCode(), 0);
        QProcessEnvironment serverEnv = QProcessEnvironment::systemEnvironment();
        serverEnv.insert(u"SD_TEST_SERVED_LOG"_s, path(u"served.log"_s));
        serverEnv.insert(u"SD_TEST_OAUTH_TOKEN"_s, QString::fromLatin1(m_oauthToken));
        m_server.setProcessEnvironment(serverEnv);
        m_server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_server.start(
            u"python3"_s, { QStringLiteral(HOSTILE_SERVER), u"--tls"_s, path(u"cert.pem"_s), path(u"key.pem"_s) });
        QVERIFY(m_server.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(m_server.canReadLine(), 20'000);
        const QList<QByteArray> ports = m_server.readLine().trimmed().split(' ');
        QCOMPARE(ports.size(), 3);
        m_base = "http://127.0.0.1:" + ports.at(1);
        m_tlsBase = "https://127.0.0.1:" + ports.at(2);

        // The secrets go into the real keychain, the way an operator stores them.
        writeConfig(u"config.json"_s, config({}, true));
        Run r = credentials({ u"rotate"_s, m_bearerId, u"--no-verify"_s }, m_bearer);
        if (r.exitCode == 3)
            QSKIP("no Secret Service here; run under tools/run-tests.sh (dbus-run-session + gnome-keyring)");
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = credentials({ u"rotate"_s, m_basicId, u"--no-verify"_s }, m_basic);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = credentials({ u"client-secret"_s, m_oauthId }, m_clientSecret + '\n');
        QVERIFY2(r.exitCode == 0, r.err.constData());
        m_stored = true;
    }

    void cleanupTestCase()
    {
        if (m_stored) {
            writeConfig(u"config.json"_s, config({}, true));
            for (const QString& id : { m_bearerId, m_basicId, m_oauthId })
                credentials({ u"delete"_s, id, u"--yes"_s }, {});
        }
        m_server.kill();
        m_server.waitForFinished();
    }

    // Issue 11.1: --check with an oauth2 credential crashed (a QSet built from the iterators of two
    // temporaries). Now the token is fetched and used.
    void checkWithOAuth2Credential()
    {
        const QString cfg = writeConfig(u"oauth.json"_s, config({ endpoint(u"authed"_s, "/authed", m_oauthId) }, true));
        const Run r = run({ u"--config"_s, cfg, u"--check"_s, u"--json"_s });
        QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
        const QJsonObject result = resultOf(QJsonDocument::fromJson(r.out).object(), u"authed"_s);
        QCOMPARE(result.value(u"outcome"_s).toString(), u"ok"_s);
        QCOMPARE(result.value(u"httpStatus"_s).toInt(), 200);
    }

    // Issue 11.8: one failed probe in --check is 100 % errors: S4 Critical with the real cause, exit 2.
    void checkFailuresAreCritical()
    {
        QJsonObject rpc = endpoint(u"rpc"_s, "/rpc-internal");
        rpc.insert(u"kind"_s, u"jsonrpc"_s);
        rpc.insert(u"method"_s, u"POST"_s);
        rpc.insert(u"body"_s, u"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}"_s);
        const QString cfg = writeConfig(u"failures.json"_s,
            config({ endpoint(u"plain500"_s, "/plain500"), rpc, withCheck(endpoint(u"check"_s, "/ok")) }));
        const Run r = run({ u"--config"_s, cfg, u"--check"_s, u"--json"_s });
        QCOMPARE(r.exitCode, 2);
        const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(doc.value(u"worst"_s).toString(), u"critical"_s);
        const QJsonObject plain = resultOf(doc, u"plain500"_s);
        QCOMPARE(plain.value(u"state"_s).toString(), u"critical"_s);
        QCOMPARE(plain.value(u"signal"_s).toString(), u"S4"_s);
        QCOMPARE(plain.value(u"reason"_s).toString(), u"HTTP 500: internal server error"_s);
        QCOMPARE(plain.value(u"signals"_s).toObject().value(u"S4"_s).toString(), u"critical"_s);
        QCOMPARE(resultOf(doc, u"rpc"_s).value(u"state"_s).toString(), u"critical"_s);
        QVERIFY(resultOf(doc, u"rpc"_s).value(u"reason"_s).toString().contains(u"-32603"_s));
        QCOMPARE(resultOf(doc, u"check"_s).value(u"outcome"_s).toString(), u"assertion_failed"_s);
        QCOMPARE(resultOf(doc, u"check"_s).value(u"state"_s).toString(), u"critical"_s);

        // The table says the same, and exits the same.
        const Run table = run({ u"--config"_s, cfg, u"--check"_s });
        QCOMPARE(table.exitCode, 2);
        QVERIFY2(table.out.contains("HTTP 500: internal server error"), table.out.constData());
    }

    // Issue 11.8: an overall deadline; what did not finish is unknown, what did is reported.
    void checkDeadlineReportsWhatFinished()
    {
        QJsonObject slow = endpoint(u"slow"_s, "/slow");
        slow.insert(u"timeout"_s, u"60s"_s);
        const QString cfg = writeConfig(u"slow.json"_s, config({ endpoint(u"fast"_s, "/ok"), slow }));
        QElapsedTimer clock;
        clock.start();
        const Run r = run({ u"--config"_s, cfg, u"--check"_s, u"--json"_s, u"--deadline"_s, u"1s"_s });
        QVERIFY2(clock.elapsed() < 20'000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(r.exitCode, 3); // UNKNOWN: an endpoint never answered
        const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(doc.value(u"worst"_s).toString(), u"unknown"_s);
        QCOMPARE(resultOf(doc, u"fast"_s).value(u"outcome"_s).toString(), u"ok"_s);
        const QJsonObject unfinished = resultOf(doc, u"slow"_s);
        QCOMPARE(unfinished.value(u"state"_s).toString(), u"unknown"_s);
        QVERIFY2(unfinished.value(u"reason"_s).toString().contains(u"deadline"_s), r.out.constData());
    }

    // Issue 11.8: SIGTERM prints what the check has so far.
    void checkPrintsResultsOnSigterm()
    {
        QJsonObject slow = endpoint(u"slow"_s, "/slow");
        slow.insert(u"timeout"_s, u"60s"_s);
        const QString cfg = writeConfig(u"sigterm.json"_s, config({ endpoint(u"fast"_s, "/ok?sigterm"), slow }));
        const Run r = run({ u"--config"_s, cfg, u"--check"_s, u"--json"_s }, {}, 30'000, [this](QProcess& p) {
            // The fast endpoint has been answered (the server logs what it served), the slow one hangs.
            QTRY_VERIFY_WITH_TIMEOUT(servedLog().contains("/ok?sigterm\n"), 30'000);
            QTest::qWait(1000); // for the answer to be read and judged; the slow one hangs for 30 s
            p.terminate();
        });
        QCOMPARE(r.exitCode, 3);
        const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(resultOf(doc, u"fast"_s).value(u"outcome"_s).toString(), u"ok"_s);
        QCOMPARE(resultOf(doc, u"slow"_s).value(u"state"_s).toString(), u"unknown"_s);
        QVERIFY2(resultOf(doc, u"slow"_s).value(u"reason"_s).toString().contains(u"SIGTERM"_s), r.out.constData());
    }

    // Issue 11.8: server text never drives the terminal.
    void controlCharactersAreEscaped()
    {
        const QString cfg = writeConfig(u"escape.json"_s, config({ endpoint(u"escape"_s, "/escape") }));
        for (const QStringList& args : { QStringList { u"--check"_s }, QStringList { u"--check"_s, u"--json"_s } }) {
            const Run r = run(QStringList { u"--config"_s, cfg } + args);
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(!r.out.contains('\x1b') && !r.out.contains('\x07'), r.out.toPercentEncoding(" \n").constData());
            QVERIFY2(r.out.contains("red alert"), r.out.constData());
        }
    }

    // Issue 11.8: a certificate that does not verify is not retried within the cycle.
    void certificateFailureIsNotRetried()
    {
        QJsonObject tls { { u"name"_s, u"tls"_s }, { u"url"_s, QString::fromLatin1(m_tlsBase + "/ok") } };
        const QString cfg = writeConfig(u"tls.json"_s, config({ tls }));
        const Run r = run({ u"--config"_s, cfg, u"--check"_s, u"--json"_s });
        QCOMPARE(r.exitCode, 1); // one S1 failure is a Warning
        const QJsonObject result = resultOf(QJsonDocument::fromJson(r.out).object(), u"tls"_s);
        QCOMPARE(result.value(u"outcome"_s).toString(), u"connection"_s);
        QCOMPARE(result.value(u"signal"_s).toString(), u"S1"_s);
        QVERIFY2(result.value(u"reason"_s).toString().contains(u"TLS"_s), r.out.constData());
        QCOMPARE(result.value(u"attempts"_s).toInt(), 1);
    }

    // Issue 11.7: a clean exit stores every sample the summary counts.
    void headlessCleanExitStoresEverySample()
    {
        QJsonArray endpoints;
        for (int i = 0; i < 30; ++i) // 30 probes a second: some always finish just before the exit
            endpoints.append(endpoint(u"ok-%1"_s.arg(i), "/ok?round"));
        const QString cfg = writeConfig(u"count.json"_s, config(endpoints));
        const QString data = path(u"history-count"_s);
        // SIGTERM half-way through the second round of 30 (the server has answered 45 of these probes; the first
        // probes are spread over the 1 s interval, so they keep coming): the exit falls into a round.
        const Run r = run({ u"--config"_s, cfg, u"--headless"_s, u"--json"_s, u"--data-dir"_s, data }, {}, 90'000,
            [this](QProcess& p) {
                QTRY_VERIFY_WITH_TIMEOUT(servedLog().count("/ok?round\n") >= 45, 60'000);
                p.terminate();
            });
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        const QJsonObject summary = QJsonDocument::fromJson(lines.last()).object();
        qint64 probes = 0;
        for (const auto& v : summary.value(u"endpoints"_s).toArray())
            probes += v.toObject().value(u"probes"_s).toInteger();
        // Enough probes that some finish just before the exit: the first round at least.
        QVERIFY2(probes >= 30, lines.last().constData());

        qint64 stored = -1;
        {
            auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"count"_s);
            db.setDatabaseName(data + u"/history.sqlite"_s);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"SELECT coalesce(sum(n), 0) FROM sample_blocks"_s) && q.next());
            stored = q.value(0).toLongLong();
        }
        QSqlDatabase::removeDatabase(u"count"_s);
        QCOMPARE(stored, probes);
    }

    // Issue 11.4: of every way a server reflects the credential, none gets a secret written anywhere.
    void echoedSecretsGoNowhere()
    {
        QJsonObject rpc = endpoint(u"jsonrpc"_s, "/echo/jsonrpc", m_bearerId);
        rpc.insert(u"kind"_s, u"jsonrpc"_s);
        rpc.insert(u"method"_s, u"POST"_s);
        rpc.insert(u"body"_s, u"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}"_s);
        QJsonObject code = endpoint(u"error-code"_s, "/echo/error-code", m_bearerId);
        code.insert(u"errorCodes"_s,
            QJsonObject { { u"pointer"_s, u"/error/code"_s },
                { u"map"_s,
                    QJsonArray {
                        QJsonObject { { u"from"_s, 500100 }, { u"to"_s, 500199 }, { u"signal"_s, u"S3"_s } } } } });
        QJsonArray endpoints { endpoint(u"401-description"_s, "/echo/401-description", m_bearerId),
            endpoint(u"401-json"_s, "/echo/401-json", m_bearerId),
            endpoint(u"500-json"_s, "/echo/500-json", m_bearerId), rpc, code,
            withCheck(endpoint(u"check"_s, "/echo/check", m_bearerId)),
            withCheck(endpoint(u"check-escaped"_s, "/echo/check-escaped", m_bearerId)),
            endpoint(u"header"_s, "/echo/header", m_bearerId),
            endpoint(u"basic-401"_s, "/echo/401-description", m_basicId),
            endpoint(u"basic-500"_s, "/echo/500-json", m_basicId),
            withCheck(endpoint(u"oauth-check"_s, "/echo/check", m_oauthId)),
            endpoint(u"oauth-500"_s, "/echo/500-json", m_oauthId) };
        // Each URL names its endpoint (the server ignores the query), so the served log tells when each was asked.
        QList<QByteArray> served;
        for (auto&& v : endpoints) {
            QJsonObject o = v.toObject();
            const QString url = o.value(u"url"_s).toString() + u"?e="_s + o.value(u"name"_s).toString();
            o.insert(u"url"_s, url);
            v = o;
            served.append(url.toLatin1().mid(m_base.size()));
        }
        const QString cfg = writeConfig(u"config.json"_s, config(endpoints, true));
        const QString data = path(u"history-echo"_s);

        const Run json = run({ u"--config"_s, cfg, u"--check"_s, u"--json"_s, u"--log-level"_s, u"debug"_s });
        QCOMPARE(json.exitCode, 2);
        // The server did echo, and what it echoed was cut out (the test would prove nothing otherwise).
        int redacted = 0;
        for (const auto& v : QJsonDocument::fromJson(json.out).object().value(u"results"_s).toArray())
            redacted += v.toObject().value(u"reason"_s).toString().contains(u"<redacted>"_s) ? 1 : 0;
        QVERIFY2(redacted >= 7, json.out.constData());
        run({ u"--config"_s, cfg, u"--check"_s, u"--log-level"_s, u"debug"_s });
        // The watch runs until the server has answered every endpoint once more (the two checks asked each once)
        // and an S2 transition is printed, then stops on SIGTERM.
        const auto everyEndpointServed = [&](int times) {
            const QList<QByteArray> log = servedLog().split('\n');
            return std::all_of(
                served.cbegin(), served.cend(), [&](const QByteArray& line) { return log.count(line) >= times; });
        };
        QVERIFY2(everyEndpointServed(2), servedLog().constData());
        const Run headless
            = run({ u"--config"_s, cfg, u"--headless"_s, u"--data-dir"_s, data, u"--log-level"_s, u"debug"_s }, {},
                90'000, [&](QProcess& p) {
                    QTRY_VERIFY_WITH_TIMEOUT(everyEndpointServed(3) && p.peek(1 << 20).contains("→ critical"), 60'000);
                    p.terminate();
                });
        QVERIFY2(headless.exitCode == 2, headless.err.constData());
        const QString csv = path(u"export.csv"_s);
        const Run exported = run({ u"export"_s, u"--data-dir"_s, data, u"--from"_s, u"-1h"_s, u"-o"_s, csv });
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        QVERIFY2(csvFile.readAll().contains("<redacted>"), "the CSV holds the echoing endpoints' reasons");

        // Rotation verifies a candidate against the same servers: the candidate must not be printed.
        const QByteArray candidate = "cand-" + hex(12) + "/+";
        const Run rotate = credentials({ u"rotate"_s, m_bearerId }, candidate);
        QCOMPARE(rotate.exitCode, 1); // refused (401) by the echoing endpoint: nothing committed

        QList<QByteArray> forms;
        for (const QByteArray& secret : { m_bearer, m_basic, m_oauthToken, m_clientSecret, candidate })
            forms += formsOf(secret);
        for (const QByteArray& text : std::as_const(m_transcript)) {
            for (const QByteArray& form : std::as_const(forms))
                QVERIFY2(!text.contains(form), "a secret reached standard output or error");
        }
        QDirIterator it(m_dir.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext()) {
            const QString file = it.next();
            if (file.endsWith(u".pem"_s))
                continue;
            QFile f(file);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray content = f.readAll();
            ++files;
            for (const QByteArray& form : std::as_const(forms))
                QVERIFY2(!content.contains(form), qPrintable(u"a secret reached "_s + file));
        }
        QVERIFY(files >= 4); // the history, the CSV, the log, the audit trail at least
    }
};

QTEST_GUILESS_MAIN(TestHostileServer)
#include "tst_hostileserver.moc"
