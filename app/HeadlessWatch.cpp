// SPDX-License-Identifier: GPL-3.0-or-later
#include "HeadlessWatch.h"

#include "CheckCommand.h"
#include "Logging.h"
#include "MetricsServer.h"
#include "TextTable.h"
#include "UnixSignalWatcher.h"
#include "controller/Controller.h"
#include "history/HistoryStore.h"
#include "policy/RateBudget.h"
#include "report/MetricsRegistry.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>

namespace sd {

namespace {
QString timeoutText(const EndpointStatus& s)
{
    return QString::number(s.timeoutMs) + u" ms "_qs + (s.adaptiveTimeout ? u"(adaptive)"_qs : u"(fixed)"_qs);
}

QString outcomeCountsText(const EndpointStatus& s)
{
    QStringList parts;
    for (std::size_t i = 0; i < s.outcomeCounts.size(); ++i) {
        if (s.outcomeCounts[i] > 0)
            parts.append(outcomeCode(static_cast<Outcome>(i)) + u'=' + QString::number(s.outcomeCounts[i]));
    }
    return parts.isEmpty() ? u"-"_qs : parts.join(u' ');
}

QString nextProbeText(const EndpointStatus& s)
{
    const QString when = s.nextProbeUtc.isValid() ? s.nextProbeUtc.toString(u"HH:mm:ss"_qs) : u"-"_qs;
    return when + u" ("_qs + nextProbeReasonText(s.nextReason) + u')';
}

QJsonObject statusJson(const EndpointStatus& s)
{
    QJsonObject outcomes;
    for (std::size_t i = 0; i < s.outcomeCounts.size(); ++i)
        outcomes[outcomeCode(static_cast<Outcome>(i))] = static_cast<double>(s.outcomeCounts[i]);
    QJsonObject signalStates;
    for (FailureSignal sig : kAllSignals)
        signalStates[signalCode(sig)] = stateCode(s.states[static_cast<std::size_t>(signalIndex(sig))]);
    return QJsonObject { { u"endpoint"_qs, s.name }, { u"probes"_qs, static_cast<double>(s.probes) },
        { u"attempts"_qs, static_cast<double>(s.attempts) }, { u"outcomes"_qs, outcomes },
        { u"timeoutMs"_qs, static_cast<double>(s.timeoutMs) }, { u"adaptiveTimeout"_qs, s.adaptiveTimeout },
        { u"circuit"_qs, circuitStateCode(s.circuit) }, { u"state"_qs, stateCode(s.overall) },
        { u"signals"_qs, signalStates },
        { u"nextProbe"_qs, s.nextProbeUtc.isValid() ? s.nextProbeUtc.toString(Qt::ISODateWithMs) : QString() },
        { u"nextProbeReason"_qs, nextProbeReasonText(s.nextReason) } };
}

QJsonObject limitsJson(const EngineStats& stats)
{
    return QJsonObject { { u"limits"_qs,
        QJsonObject { { u"demandPerSecond"_qs, stats.demandPerSecond },
            { u"maxProbesPerSecond"_qs, stats.maxProbesPerSecond }, { u"intervalFactor"_qs, stats.intervalFactor },
            { u"note"_qs, stats.rateNote } } } };
}

QJsonObject eventJson(const EngineEvent& e)
{
    return QJsonObject { { u"time"_qs, e.time.toString(Qt::ISODateWithMs) }, { u"kind"_qs, eventKindCode(e.kind) },
        { u"endpoint"_qs, e.endpoint },
        { u"signal"_qs, e.signal == FailureSignal::None ? QJsonValue() : QJsonValue(signalCode(e.signal)) },
        { u"from"_qs, e.from }, { u"to"_qs, e.to }, { u"reason"_qs, e.reason } };
}

} // namespace

QString eventLine(const EngineEvent& e)
{
    const QString what = e.kind == EngineEvent::Kind::Circuit ? u"circuit"_qs
        : e.kind == EngineEvent::Kind::Config                 ? u"config"_qs
        : e.signal == FailureSignal::None                     ? u"overall"_qs
                                                              : signalCode(e.signal);
    if (e.kind == EngineEvent::Kind::Config)
        return e.time.toString(u"HH:mm:ss.zzz"_qs) + u"  "_qs + e.endpoint + u"  config  "_qs + e.reason;
    return e.time.toString(u"HH:mm:ss.zzz"_qs) + u"  "_qs + e.endpoint + u"  "_qs + what + u"  "_qs + e.from + u" → "_qs
        + e.to + u"  "_qs + e.reason;
}

QString headlessSummaryTable(const EndpointStatuses& statuses)
{
    const QStringList header { u"ENDPOINT"_qs, u"STATE"_qs, u"PROBES"_qs, u"ATTEMPTS"_qs, u"OUTCOMES"_qs, u"TIMEOUT"_qs,
        u"CIRCUIT"_qs, u"NEXT PROBE"_qs };
    QList<QStringList> rows;
    for (const EndpointStatus& s : statuses) {
        rows.append({ s.name, stateCode(s.overall), QString::number(s.probes), QString::number(s.attempts),
            outcomeCountsText(s), timeoutText(s), circuitStateCode(s.circuit), nextProbeText(s) });
    }
    return textTable(header, rows);
}

int runHeadless(const AppConfig& config, std::optional<std::chrono::seconds> duration, bool json, QTextStream& out,
    const CredentialLoadResult& credentials, const QString& dataDir, const QString& configPath,
    const std::optional<ListenAddress>& listen)
{
    // Bound before anything else starts, so that an address in use fails fast and plainly.
    MetricsRegistry metrics;
    metrics.setConfig(config, effectiveLocation(config));
    MetricsServer metricsServer(&metrics);
    if (listen) {
        QString error;
        if (!metricsServer.listen(*listen, &error)) {
            QTextStream(stderr) << "signaldeck: --listen: " << error << Qt::endl;
            return 3;
        }
    }

    // The same controller as the window: it owns the engine, the history, the secrets and the config.
    ControllerOptions options;
    options.config = config;
    options.configPath = configPath;
    options.dataDir = dataDir;
    options.preloadedCredentials = credentials;
    Controller controller(options);
    QObject::connect(&controller.history(), &HistoryStore::errorOccurred, &controller,
        [](HistoryError, const QString& message) { qWarning().noquote() << "history:" << message; });
    QEventLoop loop;
    QString rateNote = rateBudgetNote(rateBudgetFor(config));
    QObject::connect(&controller, &Controller::batchReady, &loop, [&](const EngineBatch& batch) {
        if (listen)
            metrics.addBatch(batch);
        if (!batch.stats.rateNote.isEmpty() && batch.stats.rateNote != rateNote) {
            rateNote = batch.stats.rateNote;
            if (json)
                out << QString::fromUtf8(QJsonDocument(limitsJson(batch.stats)).toJson(QJsonDocument::Compact)) << '\n';
            else
                out << "limits: " << rateNote << '\n';
        }
        for (const EngineEvent& e : batch.events) {
            if (json)
                out << QString::fromUtf8(QJsonDocument(eventJson(e)).toJson(QJsonDocument::Compact)) << '\n';
            else
                out << eventLine(e) << '\n';
        }
        out.flush();
    });
    UnixSignalWatcher signalWatcher;
    int stoppedBy = 0;
    QObject::connect(&signalWatcher, &UnixSignalWatcher::terminationRequested, &loop, [&](int number) {
        stoppedBy = number;
        loop.quit();
    });
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    if (duration)
        deadline.start(static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(*duration).count()));

    if (!json) {
        out << "Watching " << config.endpoints.size() << " endpoints"
            << (duration ? u" for "_qs + QString::number(duration->count()) + u" s"_qs : QString())
            << "; Ctrl+C prints the summary and exits.\n"
            << "limits: " << rateNote << '\n';
        out.flush();
    }

    // SIGHUP: the controller re-reads the config file; the running config stays unless the new one reads.
    QTextStream err(stderr);
    QObject::connect(&controller, &Controller::configApplied, &loop, [&](const AppConfig& next) {
        setSecretHeaderNames(secretHeaderNames(next));
        metrics.setConfig(next, effectiveLocation(next));
    });
    QObject::connect(&controller, &Controller::credentialsRead, &loop,
        [&](const CredentialLoadResult& result) { err << keychainConsoleText(result) << Qt::flush; });
    signalWatcher.watchHangup();
    QObject::connect(&signalWatcher, &UnixSignalWatcher::reloadRequested, &loop, [&] {
        const Controller::Reload reload = controller.reloadConfigFile();
        if (reload.ok)
            err << "config reloaded: " << reload.message << Qt::endl;
        else
            err << "config reload refused: " << reload.message << "; still running the previous config" << Qt::endl;
    });

    controller.start();
    loop.exec();
    // The plan (next probes) as it stood, then the counts after stop(), which hands over every finished
    // result: the summary and the history agree.
    const EndpointStatuses planned = controller.statuses();
    const bool stored = controller.stop();
    EndpointStatuses statuses = controller.statuses();
    for (qsizetype i = 0; i < statuses.size() && i < planned.size(); ++i) {
        statuses[i].nextProbeUtc = planned.at(i).nextProbeUtc;
        statuses[i].nextReason = planned.at(i).nextReason;
    }
    // Never lose a run silently: say what was not stored and why.
    if (!stored)
        qWarning().noquote() << u"history: "_qs + controller.historyFlushError();
    if (json) {
        QJsonArray items;
        for (const EndpointStatus& s : statuses)
            items.append(statusJson(s));
        out << QString::fromUtf8(
            QJsonDocument(QJsonObject { { u"worst"_qs, stateCode(worstState(statuses)) }, { u"endpoints"_qs, items } })
                .toJson(QJsonDocument::Compact))
            << '\n';
    } else {
        if (stoppedBy != 0)
            out << "\nStopped by signal " << stoppedBy << ".\n";
        out << '\n'
            << headlessSummaryTable(statuses) << "\nworst: " << stateCode(worstState(statuses)).toUpper() << '\n';
    }
    out.flush();
    return nagiosExitCode(worstState(statuses));
}

} // namespace sd
