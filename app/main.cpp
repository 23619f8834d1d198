// SPDX-License-Identifier: GPL-3.0-or-later
// Command line, wiring, and the start of the chosen mode; nothing else lives here.
#include "CheckCommand.h"
#include "CredentialsCommand.h"
#include "controller/CredentialLoading.h"
#if SIGNALDECK_GUI
#include "DashboardStart.h"
#endif
#include "DemoEnvironment.h"
#include "ExportCommand.h"
#include "HeadlessWatch.h"
#include "Logging.h"
#include "UnixSignalWatcher.h"
#include "config/ConfigLoader.h"
#include "config/Duration.h"
#include "credentials/KeychainCredentialStore.h"
#include "simulator/Simulator.h"

#if SIGNALDECK_GUI
#include <QApplication>
#endif
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QTextStream>

#include <cstdio>
#include <memory>

namespace {

enum ExitCode { kOk = 0, kUnknown = 3 };

QTextStream& err()
{
    static QTextStream stream(stderr);
    return stream;
}

QTextStream& out()
{
    static QTextStream stream(stdout);
    return stream;
}

int runSimulator(quint16 port)
{
    sd::DemoEnvironment demo;
    QString error;
    if (!demo.start(port, &error)) {
        err() << "signaldeck: cannot start the simulator: " << error << Qt::endl;
        return kUnknown;
    }
    out() << "SignalDeck simulator listening on " << demo.baseUrl() << "\n\n";
    for (const auto& route : sd::Simulator::routes())
        out() << "  " << demo.simulator()->url(route.path).toString().leftJustified(40) << route.description << '\n';
    // Shown here only (never logged): a throwaway token that lets an operator try a rotation end to end.
    out() << "\n/auth/bearer accepts one token, made up now and valid until the simulator stops:\n  "
          << QString::fromLatin1(demo.validToken())
          << "\n(the secret of a credential whose endpoints use /auth/bearer, such as the demo's \""
          << sd::DemoEnvironment::credentialId() << "\")\n";
    out() << "\nCtrl+C stops it." << Qt::endl;
    sd::UnixSignalWatcher watcher;
    // Not qApp: with <QApplication> included it downcasts to QApplication, and --simulate runs a
    // QCoreApplication (UBSan: invalid downcast).
    QObject::connect(
        &watcher, &sd::UnixSignalWatcher::terminationRequested, QCoreApplication::instance(), &QCoreApplication::quit);
    return QCoreApplication::exec();
}

/// The window is the default; subcommands, --check, --headless, --simulate, --help and --version need no
/// display (servers have none), so they get a QCoreApplication.
bool wantsWindow(int argc, char* argv[])
{
    if (argc > 1 && (qstrcmp(argv[1], "export") == 0 || qstrcmp(argv[1], "credentials") == 0))
        return false;
    for (int i = 1; i < argc; ++i) {
        for (const char* flag :
            { "--check", "--headless", "--simulate", "--help", "-h", "--help-all", "--version", "-v", "-?" }) {
            if (qstrcmp(argv[i], flag) == 0)
                return false;
        }
    }
    return true;
}

} // namespace

int main(int argc, char* argv[])
{
    const bool window = wantsWindow(argc, argv);
#if SIGNALDECK_GUI
    std::unique_ptr<QCoreApplication> application
        = window ? std::make_unique<QApplication>(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
#else
    auto application = std::make_unique<QCoreApplication>(argc, argv);
#endif
    QCoreApplication& app = *application;
    QCoreApplication::setApplicationName(QStringLiteral("SignalDeck"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SIGNALDECK_VERSION));

    // Subcommands take their own arguments: `signaldeck export --from ... -o FILE`.
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() > 1 && arguments.at(1) == u"export"_qs) {
        sd::installLogging(QStringLiteral("warning"), true);
        return sd::runExportCommand(arguments.mid(2), out(), err());
    }
    if (arguments.size() > 1 && arguments.at(1) == u"credentials"_qs) {
        sd::installLogging(QStringLiteral("warning"), true);
        static QTextStream in(stdin);
        return sd::runCredentialsCommand(arguments.mid(2), in, out(), err());
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Live health of HTTP APIs, sorted into four failure signals: S1 timeout & connection, S2 auth & "
                       "credentials, S3 input rejected, S4 throttled & degraded."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOpt(QStringLiteral("config"),
        QStringLiteral("Config file (default: %1).").arg(sd::defaultConfigPath()), QStringLiteral("path"));
    const QCommandLineOption demoOpt(
        QStringLiteral("demo"), QStringLiteral("Use the built-in demo: the embedded simulator and its config."));
    const QCommandLineOption checkOpt(QStringLiteral("check"),
        QStringLiteral("Probe every endpoint once, print the results, exit 0/1/2/3 (OK/WARNING/CRITICAL/UNKNOWN)."));
    const QCommandLineOption jsonOpt(
        QStringLiteral("json"), QStringLiteral("With --check or --headless: JSON output."));
    const QCommandLineOption headlessOpt(QStringLiteral("headless"),
        QStringLiteral("Run the engine without widgets; print transitions, and a summary on exit."));
    const QCommandLineOption listenOpt(QStringLiteral("listen"),
        QStringLiteral("With --headless: serve /metrics, /-/healthy and /-/ready on ADDR:PORT (a bare PORT or :PORT "
                       "binds 127.0.0.1)."),
        QStringLiteral("addr:port"));
    const QCommandLineOption durationOpt(QStringLiteral("duration"),
        QStringLiteral("With --headless: stop after this many seconds."), QStringLiteral("seconds"));
    const QCommandLineOption deadlineOpt(QStringLiteral("deadline"),
        QStringLiteral("With --check: the overall deadline, e.g. 30s (default: the largest timeout x attempts, plus "
                       "backoff and a margin). Endpoints not finished by then are reported as unknown."),
        QStringLiteral("duration"));
    const QCommandLineOption simulateOpt(
        QStringLiteral("simulate"), QStringLiteral("Run only the simulator (the demo API on loopback) until stopped."));
    const QCommandLineOption portOpt(QStringLiteral("port"), QStringLiteral("With --simulate or --demo: the port."),
        QStringLiteral("port"), QStringLiteral("0"));
    const QCommandLineOption logLevelOpt(QStringLiteral("log-level"),
        QStringLiteral("trace, debug, info, warning, error or off (default: warning)."), QStringLiteral("level"),
        QStringLiteral("warning"));
    const QCommandLineOption dataDirOpt(QStringLiteral("data-dir"),
        QStringLiteral("Directory of the history database (default: the app's data directory)."),
        QStringLiteral("dir"));
    const QCommandLineOption screenshotOpt(QStringLiteral("screenshot"),
        QStringLiteral("With --quit-after: save a PNG of the window just before quitting."), QStringLiteral("file"));
    const QCommandLineOption quitAfterOpt(QStringLiteral("quit-after"),
        QStringLiteral("Close the window after this many seconds (smoke tests, screenshots)."),
        QStringLiteral("seconds"));
    parser.addOptions({ configOpt, demoOpt, checkOpt, jsonOpt, headlessOpt, listenOpt, durationOpt, deadlineOpt,
        simulateOpt, portOpt, logLevelOpt, dataDirOpt, screenshotOpt, quitAfterOpt });
    parser.process(app);
#if !SIGNALDECK_GUI
    if (window) {
        err() << "signaldeck: built without the GUI (SIGNALDECK_GUI=OFF): the dashboard window is not available."
                 "\n  Use --check, --headless, --simulate, export or credentials; --help lists them."
              << Qt::endl;
        return kUnknown;
    }
#endif

    if (!sd::installLogging(parser.value(logLevelOpt), true)) {
        err() << "signaldeck: --log-level: unknown level '" << parser.value(logLevelOpt)
              << "' (use trace, debug, info, warning, error or off)" << Qt::endl;
        return kUnknown;
    }

    bool portOk = false;
    const uint port = parser.value(portOpt).toUInt(&portOk);
    if (!portOk || port > 65535) {
        err() << "signaldeck: --port: '" << parser.value(portOpt) << "' is not a port number" << Qt::endl;
        return kUnknown;
    }
    if (parser.isSet(simulateOpt))
        return runSimulator(static_cast<quint16>(port));

    std::optional<std::chrono::seconds> duration;
    if (parser.isSet(durationOpt)) {
        bool ok = false;
        const int seconds = parser.value(durationOpt).toInt(&ok);
        if (!ok || seconds <= 0) {
            err() << "signaldeck: --duration: '" << parser.value(durationOpt) << "' is not a positive number of seconds"
                  << Qt::endl;
            return kUnknown;
        }
        duration = std::chrono::seconds(seconds);
    }

    std::optional<std::chrono::milliseconds> deadline;
    if (parser.isSet(deadlineOpt)) {
        deadline = sd::parseDuration(parser.value(deadlineOpt));
        if (!deadline || deadline->count() <= 0) {
            err() << "signaldeck: --deadline: '" << parser.value(deadlineOpt)
                  << "' is not a duration (use a unit: 500ms, 30s, 2m)" << Qt::endl;
            return kUnknown;
        }
    }

    std::optional<sd::ListenAddress> listen;
    if (parser.isSet(listenOpt)) {
        QString error;
        listen = sd::ListenAddress::parse(parser.value(listenOpt), &error);
        if (!listen || !parser.isSet(headlessOpt)) {
            err() << "signaldeck: --listen: " << (listen ? u"needs --headless"_qs : error) << Qt::endl;
            return kUnknown;
        }
    }

    sd::DemoEnvironment demo;
    sd::ConfigParseResult loaded;
    QString source;
    // A first start of the window with no config yet opens an empty window whose first-run panel offers the
    // demo, a first endpoint (saved to the default path) or a config file.
    const bool demoMode = parser.isSet(demoOpt);
    const bool firstRun
        = !demoMode && window && !parser.isSet(configOpt) && !QFileInfo::exists(sd::defaultConfigPath());
    if (firstRun) {
        loaded.config = sd::AppConfig {};
        source = QStringLiteral("no config yet");
    } else if (demoMode) {
        QString error;
        if (!demo.start(static_cast<quint16>(port), &error)) {
            err() << "signaldeck: cannot start the demo simulator: " << error << Qt::endl;
            return kUnknown;
        }
        loaded = demo.config();
        source = QStringLiteral("the built-in demo config");
    } else {
        source = parser.isSet(configOpt) ? parser.value(configOpt) : sd::defaultConfigPath();
        if (!parser.isSet(configOpt) && !QFileInfo::exists(source)) {
            err()
                << "signaldeck: no config at " << source
                << "\n  Run with --demo to try the built-in demo, or write one (see docs/CONFIG.md) and pass --config."
                << Qt::endl;
            return kUnknown;
        }
        loaded = sd::loadConfigFile(source);
    }
    if (!loaded.ok()) {
        err() << "signaldeck: " << source << " is not a usable config:\n" << loaded.errorText() << Qt::endl;
        return kUnknown;
    }
    const sd::AppConfig& config = *loaded.config;
    sd::setSecretHeaderNames(sd::secretHeaderNames(config));

    if (parser.isSet(checkOpt) || parser.isSet(headlessOpt)) {
        // Secrets come from the OS keychain only; without one, the endpoints that need them report S2.
        sd::KeychainCredentialStore store;
        sd::CredentialLoadResult credentials;
        if (!sd::CredentialLoading::readable(config.credentials).isEmpty()) {
            credentials = sd::loadCredentialsAndWait(store, config.credentials);
            err() << sd::keychainConsoleText(credentials) << Qt::flush;
        }
        if (parser.isSet(checkOpt))
            return sd::runCheck(config, parser.isSet(jsonOpt), out(), credentials, deadline);
        return sd::runHeadless(config, duration, parser.isSet(jsonOpt), out(), credentials, parser.value(dataDirOpt),
            demoMode ? QString() : source, listen);
    }

#if SIGNALDECK_GUI
    sd::DashboardOptions dashboard;
    dashboard.config = config;
    dashboard.configPath = demoMode || firstRun ? QString() : QFileInfo(source).absoluteFilePath();
    dashboard.sourceLabel = demoMode ? QStringLiteral("demo") : source;
    dashboard.dataDir = parser.value(dataDirOpt);
    if (demoMode)
        dashboard.demoToken = demo.validToken();
    dashboard.screenshotPath = parser.value(screenshotOpt);
    if (parser.isSet(quitAfterOpt)) {
        bool ok = false;
        dashboard.quitAfterSeconds = parser.value(quitAfterOpt).toInt(&ok);
        if (!ok || dashboard.quitAfterSeconds <= 0) {
            err() << "signaldeck: --quit-after: '" << parser.value(quitAfterOpt)
                  << "' is not a positive number of seconds" << Qt::endl;
            return kUnknown;
        }
    }
    return sd::runDashboard(dashboard);
#else
    return kUnknown; // not reached: the window was refused above
#endif
}
