// SPDX-License-Identifier: GPL-3.0-or-later
#include "CredentialsCommand.h"

#include "TextTable.h"
#include "config/ConfigLoader.h"
#include "controller/CredentialLoading.h"
#include "credentials/CredentialRotation.h"
#include "credentials/CredentialSecret.h"
#include "credentials/CredentialStoreWait.h"
#include "credentials/KeychainCredentialStore.h"
#include "credentials/OAuth2TokenSource.h"
#include "health/CredentialAdvisory.h"

#include <QEventLoop>
#include <QFile>
#include <QFileInfo>

#ifdef Q_OS_UNIX
#include <termios.h>
#include <unistd.h>
#endif

namespace sd {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnavailable = 3;
constexpr int kExitNotFound = 4;

QString helpText()
{
    return QStringLiteral(
        "Usage: signaldeck credentials [--config PATH] [--audit-file PATH] COMMAND\n"
        "\n"
        "Commands:\n"
        "  list                          the credentials: metadata and fingerprints, never a secret\n"
        "  add ID --scheme bearer|basic|header:NAME [--label L] [--rotation-days N]\n"
        "                                store a new credential (secret on standard input)\n"
        "  add ID --scheme clientCert --cert FILE [--label L] [--rotation-days N]\n"
        "                                a client certificate (mutual TLS): FILE is the certificate (PEM),\n"
        "                                its private key (PEM) comes on standard input and lives only in\n"
        "                                the keychain; to rotate, replace FILE, then rotate ID with the new key\n"
        "  rotate ID [--no-verify]       replace the secret (read from standard input); first probes every\n"
        "                                endpoint that uses it with the new secret and commits only if none\n"
        "                                refuses it; the old secret is kept for rollback\n"
        "  rollback ID                   bring the previous secret back\n"
        "  client-secret ID              store the client secret of an oauth2 credential (standard input);\n"
        "                                SignalDeck fetches and refreshes its access tokens itself\n"
        "  delete ID [--yes]             remove both keychain entries and the metadata (asks for \"yes\" on\n"
        "                                standard input unless --yes)\n"
        "\n"
        "The secret is read from standard input only, never from the command line or the environment:\n"
        "  printf %s \"$TOKEN\" | signaldeck credentials rotate llm-prod\n"
        "For basic it is user:password. Secrets live in the OS keychain (service \"signaldeck\") and nowhere\n"
        "else; without a keychain nothing is written. Every change is appended to the audit trail.\n"
        "\n"
        "Options:\n"
        "  --config PATH       the config file (default: %1)\n"
        "  --audit-file PATH   the audit trail (default: %2)\n"
        "\n"
        "Exit codes:\n"
        "  0  done\n"
        "  1  verification failed or delete not confirmed: nothing was committed\n"
        "  2  usage error (unknown command or option, missing argument, empty or unusable secret)\n"
        "  3  the keychain is unreachable, or the config cannot be read or written\n"
        "  4  no such credential (in the config, or its secret is not in the keychain)\n")
        .arg(defaultConfigPath(), CredentialAuditLog::defaultPath());
}

struct Arguments {
    QString command;
    QString id;
    QString configPath;
    QString auditPath;
    QString scheme;
    QString label;
    QString certFile;
    std::optional<int> rotationDays;
    bool noVerify = false;
    bool yes = false;
    bool help = false;
};

std::optional<Arguments> parse(const QStringList& args, QString& error)
{
    Arguments a;
    a.configPath = defaultConfigPath();
    a.auditPath = CredentialAuditLog::defaultPath();
    QStringList positional;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString& arg = args.at(i);
        const auto value = [&](QString& target) {
            if (i + 1 >= args.size()) {
                error = arg + QStringLiteral(" needs a value");
                return false;
            }
            target = args.at(++i);
            return true;
        };
        if (arg == u"--help" || arg == u"-h") {
            a.help = true;
        } else if (arg == u"--config") {
            if (!value(a.configPath))
                return std::nullopt;
        } else if (arg == u"--audit-file") {
            if (!value(a.auditPath))
                return std::nullopt;
        } else if (arg == u"--scheme") {
            if (!value(a.scheme))
                return std::nullopt;
        } else if (arg == u"--cert") {
            if (!value(a.certFile))
                return std::nullopt;
        } else if (arg == u"--label") {
            if (!value(a.label))
                return std::nullopt;
        } else if (arg == u"--rotation-days") {
            QString days;
            if (!value(days))
                return std::nullopt;
            bool ok = false;
            const int n = days.toInt(&ok);
            if (!ok || n < 1) {
                error = QStringLiteral("--rotation-days: '%1' is not a positive number of days").arg(days);
                return std::nullopt;
            }
            a.rotationDays = n;
        } else if (arg == u"--no-verify") {
            a.noVerify = true;
        } else if (arg == u"--yes") {
            a.yes = true;
        } else if (arg == u"--secret" || arg.startsWith(u"--secret=")) {
            error = QStringLiteral("secrets are read from standard input only, never from the command line");
            return std::nullopt;
        } else if (arg.startsWith(u'-')) {
            error = QStringLiteral("unknown option ") + arg;
            return std::nullopt;
        } else {
            positional.append(arg);
        }
    }
    if (a.help)
        return a;
    if (positional.isEmpty()) {
        error = QStringLiteral("no command given");
        return std::nullopt;
    }
    a.command = positional.takeFirst();
    static const QStringList withId { QStringLiteral("add"), QStringLiteral("rotate"), QStringLiteral("rollback"),
        QStringLiteral("delete"), QStringLiteral("client-secret") };
    if (a.command == u"list") {
        if (!positional.isEmpty()) {
            error = QStringLiteral("list takes no argument");
            return std::nullopt;
        }
    } else if (withId.contains(a.command)) {
        if (positional.size() != 1) {
            error = a.command + QStringLiteral(" needs exactly one credential ID");
            return std::nullopt;
        }
        a.id = positional.takeFirst();
    } else {
        error = QStringLiteral("unknown command '%1'").arg(a.command);
        return std::nullopt;
    }
    const bool addOnly = !a.scheme.isEmpty() || !a.label.isEmpty() || a.rotationDays || !a.certFile.isEmpty();
    if (addOnly && a.command != u"add") {
        error = QStringLiteral("--scheme, --cert, --label and --rotation-days belong to add");
        return std::nullopt;
    }
    if (a.command == u"add" && a.scheme.isEmpty()) {
        error = QStringLiteral("add needs --scheme bearer|basic|header:NAME|clientCert");
        return std::nullopt;
    }
    if (a.command == u"add" && a.scheme == u"clientCert" && a.certFile.isEmpty()) {
        error = QStringLiteral("add --scheme clientCert needs --cert FILE (the certificate, PEM)");
        return std::nullopt;
    }
    if (!a.certFile.isEmpty() && a.scheme != u"clientCert") {
        error = QStringLiteral("--cert belongs to --scheme clientCert");
        return std::nullopt;
    }
    if (a.noVerify && a.command != u"rotate") {
        error = QStringLiteral("--no-verify belongs to rotate");
        return std::nullopt;
    }
    if (a.yes && a.command != u"delete") {
        error = QStringLiteral("--yes belongs to delete");
        return std::nullopt;
    }
    return a;
}

// Reads the secret: all of standard input, without the line break a terminal or `echo` adds. On a
// terminal the typing is not echoed.
QByteArray readSecret(QTextStream& in, QTextStream& err)
{
    bool terminal = false;
#ifdef Q_OS_UNIX
    const auto* file = qobject_cast<QFile*>(in.device());
    const int fd = file ? file->handle() : -1;
    termios saved {};
    terminal = fd >= 0 && isatty(fd) && tcgetattr(fd, &saved) == 0;
    if (terminal) {
        err << "Secret (not shown; end with Enter, then Ctrl-D): " << Qt::flush;
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
#endif
    QByteArray secret = in.readAll().toUtf8();
#ifdef Q_OS_UNIX
    if (terminal) {
        tcsetattr(fd, TCSAFLUSH, &saved);
        err << Qt::endl;
    }
#endif
    while (secret.endsWith('\n') || secret.endsWith('\r'))
        secret.chop(1);
    return secret;
}

int exitCodeOf(const CredentialChange& change)
{
    switch (change.status) {
    case CredentialChange::Status::Done:
        return kExitOk;
    case CredentialChange::Status::Refused:
        return kExitRefused;
    case CredentialChange::Status::Invalid:
        return kExitUsage;
    case CredentialChange::Status::NotFound:
        return kExitNotFound;
    case CredentialChange::Status::Keychain:
    case CredentialChange::Status::Config:
        break;
    }
    return kExitUnavailable;
}

QString keychainAdvice(CredentialError error)
{
    switch (error) {
    case CredentialError::NoKeychain:
        return QStringLiteral("The OS keychain is not reachable (no D-Bus session or no Secret Service such as "
                              "gnome-keyring or KWallet). SignalDeck never stores secrets anywhere else; nothing "
                              "was written.");
    case CredentialError::AccessDenied:
        return QStringLiteral("The keychain refused access; unlock it and try again. Nothing was written.");
    case CredentialError::Timeout:
        return QStringLiteral("The keychain did not answer in time (is an unlock prompt waiting?).");
    default:
        return {};
    }
}

CredentialChange waitForChange(CredentialRotation& rotation, const std::function<bool()>& start)
{
    QEventLoop loop;
    CredentialChange result;
    QObject::connect(&rotation, &CredentialRotation::finished, &loop, [&](const CredentialChange& change) {
        result = change;
        loop.quit();
    });
    if (start())
        loop.exec();
    return result;
}

QString ageText(const CredentialConfig& c, const QDateTime& now)
{
    const QDateTime since = c.rotated.isValid() ? c.rotated : c.created;
    if (!since.isValid())
        return QStringLiteral("?");
    return QStringLiteral("%1 d").arg(since.secsTo(now) / 86'400);
}

int runList(const Arguments& a, CredentialStore& store, QTextStream& out, QTextStream& err)
{
    const ConfigParseResult loaded = loadConfigFile(a.configPath);
    if (!loaded.ok()) {
        err << "signaldeck credentials: " << a.configPath << " is not a usable config:\n"
            << loaded.errorText() << Qt::endl;
        return kExitUnavailable;
    }
    const AppConfig& config = *loaded.config;
    if (config.credentials.isEmpty()) {
        out << "No credentials in " << a.configPath << Qt::endl;
        return kExitOk;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // The keychain decides S2 as much as the metadata does: a secret that is not there (or a keychain that
    // cannot be read) is S2 critical, as the window shows it. Only presence is used; the secrets are dropped.
    CredentialLoadResult secrets = loadCredentialsAndWait(store, config.credentials);
    for (QByteArray& secret : secrets.secrets)
        secret.fill('\0');
    QList<QStringList> rows;
    for (const CredentialConfig& c : config.credentials) {
        QStringList users;
        for (const EndpointConfig& e : config.endpoints) {
            if (e.credential == c.id)
                users.append(e.name);
        }
        CredentialAdvisory advisory = credentialAdvisory(c, now);
        const bool read = !c.oauth2.has_value();
        if (read && !secrets.secrets.contains(c.id)) {
            const CredentialError why = secrets.failures.value(
                c.id, secrets.keychainUnavailable() ? secrets.keychainProblem : CredentialError::Timeout);
            advisory.state = SignalState::Critical;
            advisory.reason = credentialUnavailableReason(why);
        }
        rows.append({ c.id, c.label.isEmpty() ? QStringLiteral("-") : c.label, c.scheme,
            users.isEmpty() ? QStringLiteral("-") : users.join(u','), ageText(c, now),
            QStringLiteral("%1 d").arg(c.rotationDays),
            c.expires.isValid() ? c.expires.toString(Qt::ISODate) : QStringLiteral("-"),
            c.fingerprint.isEmpty() ? QStringLiteral("-") : c.fingerprint,
            advisory.state == SignalState::Ok ? QStringLiteral("ok")
                                              : stateCode(advisory.state) + QStringLiteral(": ") + advisory.reason });
    }
    out << textTable({ QStringLiteral("ID"), QStringLiteral("LABEL"), QStringLiteral("SCHEME"),
                         QStringLiteral("ENDPOINTS"), QStringLiteral("AGE"), QStringLiteral("POLICY"),
                         QStringLiteral("EXPIRES"), QStringLiteral("FINGERPRINT"), QStringLiteral("S2") },
        rows);
    out.flush();
    return kExitOk;
}

int report(const CredentialChange& change, QTextStream& out, QTextStream& err)
{
    if (change.ok()) {
        out << change.message << Qt::endl;
        return kExitOk;
    }
    err << "signaldeck credentials: " << change.message << Qt::endl;
    if (const QString advice = keychainAdvice(change.keychainError); !advice.isEmpty())
        err << advice << Qt::endl;
    return exitCodeOf(change);
}

void printVerification(const CredentialVerification& v, QTextStream& out)
{
    QList<QStringList> rows;
    for (const EndpointVerification& e : v.endpoints) {
        rows.append({ e.endpoint, e.httpStatus > 0 ? QString::number(e.httpStatus) : QStringLiteral("-"),
            outcomeCode(e.outcome), e.signal == FailureSignal::None ? QStringLiteral("-") : signalCode(e.signal),
            e.reason });
    }
    if (!rows.isEmpty()) {
        out << textTable({ QStringLiteral("ENDPOINT"), QStringLiteral("HTTP"), QStringLiteral("OUTCOME"),
                             QStringLiteral("SIGNAL"), QStringLiteral("REASON") },
            rows);
    }
    out << "verify: " << v.summary << Qt::endl;
}

} // namespace

/// `client-secret ID`: the oauth2 credential's client secret under `<id>.client-secret`, audited like a
/// rotation (no verification: the token source tries it on its next attempt and raises S2 if refused).
static int runClientSecret(const Arguments& a, const AppConfig& config, CredentialStore& store, QTextStream& in,
    QTextStream& out, QTextStream& err)
{
    const auto it = std::find_if(config.credentials.cbegin(), config.credentials.cend(),
        [&](const CredentialConfig& c) { return c.id == a.id; });
    if (!it->oauth2) {
        err << "signaldeck credentials: \"" << a.id << "\" is not an oauth2 credential; use rotate for its secret"
            << Qt::endl;
        return kExitUsage;
    }
    const QString key = OAuth2TokenSource::clientSecretKey(a.id);
    const CredentialReply current = readAndWait(store, key);
    if (!current.ok() && current.error != CredentialError::NotFound) {
        err << "signaldeck credentials: " << current.message << Qt::endl;
        if (const QString advice = keychainAdvice(current.error); !advice.isEmpty())
            err << advice << Qt::endl;
        return kExitUnavailable;
    }
    const QByteArray secret = readSecret(in, err);
    if (secret.isEmpty()) {
        err << "signaldeck credentials: no secret on standard input; nothing was changed" << Qt::endl;
        return kExitUsage;
    }
    const CredentialReply written = writeAndWait(store, key, secret);
    if (!written.ok()) {
        err << "signaldeck credentials: " << written.message << Qt::endl;
        return kExitUnavailable;
    }
    CredentialAuditEntry entry;
    entry.time = QDateTime::currentDateTimeUtc();
    entry.user = CredentialAuditLog::currentUser();
    entry.credential = a.id;
    entry.action = QStringLiteral("client-secret");
    entry.oldFingerprint = current.ok() ? credentialFingerprint(current.secret) : QString();
    entry.newFingerprint = credentialFingerprint(secret);
    entry.verification = QStringLiteral("not applicable (checked by the next token request)");
    QString auditError;
    if (!CredentialAuditLog(a.auditPath).append(entry, &auditError))
        err << "signaldeck credentials: the audit trail was not written: " << auditError << Qt::endl;
    out << "client secret of \"" << a.id << "\" stored in the keychain (fingerprint " << entry.newFingerprint
        << "); running SignalDeck instances use it on their next token request" << Qt::endl;
    return kExitOk;
}

int runCredentialsCommand(const QStringList& args, QTextStream& in, QTextStream& out, QTextStream& err)
{
    KeychainCredentialStore store;
    return runCredentialsCommand(args, in, out, err, store);
}

int runCredentialsCommand(
    const QStringList& args, QTextStream& in, QTextStream& out, QTextStream& err, CredentialStore& store)
{
    QString error;
    const auto parsed = parse(args, error);
    if (!parsed) {
        err << "signaldeck credentials: " << error << "\n(see signaldeck credentials --help)" << Qt::endl;
        return kExitUsage;
    }
    const Arguments& a = *parsed;
    if (a.help) {
        out << helpText() << Qt::flush;
        return kExitOk;
    }
    if (a.command == u"list")
        return runList(a, store, out, err);

    CredentialRotation rotation(&store, a.configPath, CredentialAuditLog(a.auditPath));

    if (a.command == u"add") {
        CredentialConfig meta;
        meta.id = a.id;
        meta.label = a.label;
        meta.scheme = a.scheme;
        if (!a.certFile.isEmpty())
            meta.certFile = QFileInfo(a.certFile).absoluteFilePath();
        if (a.rotationDays)
            meta.rotationDays = *a.rotationDays;
        const QByteArray secret = readSecret(in, err);
        return report(waitForChange(rotation, [&] { return rotation.add(meta, secret); }), out, err);
    }
    if (a.command == u"rollback")
        return report(waitForChange(rotation, [&] { return rotation.rollback(a.id); }), out, err);
    if (a.command == u"delete") {
        if (!a.yes) {
            err << "Delete credential \"" << a.id
                << "\" and its previous secret from the keychain? Type yes: " << Qt::flush;
            if (in.readLine().trimmed() != u"yes") {
                err << "not deleted" << Qt::endl;
                return kExitRefused;
            }
        }
        return report(waitForChange(rotation, [&] { return rotation.remove(a.id); }), out, err);
    }

    // rotate and client-secret: the config and the keychain must both be usable before the new secret is
    // read or sent anywhere.
    const ConfigParseResult loaded = loadConfigFile(a.configPath);
    if (!loaded.ok()) {
        err << "signaldeck credentials: " << a.configPath << " is not a usable config:\n"
            << loaded.errorText() << Qt::endl;
        return kExitUnavailable;
    }
    if (std::none_of(loaded.config->credentials.cbegin(), loaded.config->credentials.cend(),
            [&](const CredentialConfig& c) { return c.id == a.id; })) {
        err << "signaldeck credentials: no credential \"" << a.id << "\" in " << a.configPath << Qt::endl;
        return kExitNotFound;
    }
    if (a.command == u"client-secret")
        return runClientSecret(a, *loaded.config, store, in, out, err);
    const CredentialReply current = readAndWait(store, a.id);
    if (!current.ok() && current.error != CredentialError::NotFound) {
        err << "signaldeck credentials: " << current.message << Qt::endl;
        if (const QString advice = keychainAdvice(current.error); !advice.isEmpty())
            err << advice << Qt::endl;
        return kExitUnavailable;
    }
    const QByteArray candidate = readSecret(in, err);
    if (candidate.isEmpty()) {
        err << "signaldeck credentials: no secret on standard input; nothing was changed" << Qt::endl;
        return kExitUsage;
    }
    std::optional<CredentialVerification> verification;
    if (!a.noVerify) {
        QEventLoop loop;
        QObject::connect(&rotation, &CredentialRotation::verified, &loop, [&](const CredentialVerification& v) {
            verification = v;
            loop.quit();
        });
        if (rotation.verify(a.id, candidate))
            loop.exec();
        if (verification)
            printVerification(*verification, out);
        if (!verification || !verification->passed) {
            err << "signaldeck credentials: \"" << a.id << "\" not rotated: the new secret failed verification"
                << Qt::endl;
            return kExitRefused;
        }
    }
    return report(waitForChange(rotation, [&] { return rotation.commit(a.id, candidate, verification); }), out, err);
}

} // namespace sd
