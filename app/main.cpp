// SPDX-License-Identifier: GPL-3.0-or-later
// Command line, wiring, and the start of the chosen mode; nothing else lives here.
#include "CheckCommand.h"
#include "CredentialsCommand.h"
#include "DemoEnvironment.h"
#include "ExportCommand.h"
#include "HeadlessWatch.h"
#include "Logging.h"
#include "UnixSignalWatcher.h"
#include "config/ConfigLoader.h"
#include "simulator/Simulator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QTextStream>

#include <cstdio>

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
    out() << "\nCtrl+C stops it." << Qt::endl;
    sd::UnixSignalWatcher watcher;
    QObject::connect(&watcher, &sd::UnixSignalWatcher::terminationRequested, qApp, &QCoreApplication::quit);
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
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
    const QCommandLineOption durationOpt(QStringLiteral("duration"),
        QStringLiteral("With --headless: stop after this many seconds."), QStringLiteral("seconds"));
    const QCommandLineOption simulateOpt(
        QStringLiteral("simulate"), QStringLiteral("Run only the simulator (the demo API on loopback) until stopped."));
    const QCommandLineOption portOpt(QStringLiteral("port"), QStringLiteral("With --simulate or --demo: the port."),
        QStringLiteral("port"), QStringLiteral("0"));
    const QCommandLineOption logLevelOpt(QStringLiteral("log-level"),
        QStringLiteral("trace, debug, info, warning, error or off (default: warning)."), QStringLiteral("level"),
        QStringLiteral("warning"));
    parser.addOptions(
        { configOpt, demoOpt, checkOpt, jsonOpt, headlessOpt, durationOpt, simulateOpt, portOpt, logLevelOpt });
    parser.process(app);

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

    sd::DemoEnvironment demo;
    sd::ConfigParseResult loaded;
    QString source;
    if (parser.isSet(demoOpt)) {
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

    if (parser.isSet(checkOpt))
        return sd::runCheck(config, parser.isSet(jsonOpt), out());
    if (parser.isSet(headlessOpt))
        return sd::runHeadless(config, duration, parser.isSet(jsonOpt), out());

    // The dashboard arrives with its own issue; until then the default mode is a one-shot check.
    return sd::runCheck(config, parser.isSet(jsonOpt), out());
}
