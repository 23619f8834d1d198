// SPDX-License-Identifier: GPL-3.0-or-later
#include "HeadlessWatch.h"

#include "CheckCommand.h"
#include "HistoryRecording.h"
#include "Logging.h"
#include "MetricsServer.h"
#include "TextTable.h"
#include "UnixSignalWatcher.h"
#include "config/ConfigLoader.h"
#include "credentials/KeychainCredentialStore.h"
#include "credentials/OAuth2TokenSource.h"
#include "history/HistoryStore.h"
#include "report/MetricsRegistry.h"
#include "schedule/Engine.h"

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

QString refusalText(const QString& path, const ConfigParseResult& loaded)
{
    QStringList errors;
    for (const ConfigError& error : loaded.errors) {
        const QString text = error.toString();
        errors.append(text.startsWith(path) ? text : path + u": "_qs + text);
    }
    return u"config reload refused: "_qs + errors.join(u"; "_qs) + u"; still running the previous config"_qs;
}
} // namespace

QString configChangeText(const AppConfig& before, const AppConfig& after)
{
    QHash<QString, const EndpointConfig*> old;
    for (const EndpointConfig& e : before.endpoints)
        old.insert(endpointKey(e), &e);
    int added = 0;
    int changed = 0;
    for (const EndpointConfig& e : after.endpoints) {
        const EndpointConfig* previous = old.take(endpointKey(e));
        if (previous == nullptr)
            ++added;
        else if (!(*previous == e))
            ++changed;
    }
    return QStringLiteral("%1 endpoints (+%2 \u2212%3 ~%4)")
        .arg(after.endpoints.size())
        .arg(added)
        .arg(old.size())
        .arg(changed);
}

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

    HistoryOptions historyOptions;
    historyOptions.directory = dataDir;
    HistoryStore history(historyOptions);
    Engine engine;
    recordHistory(engine, history);
    QObject::connect(&history, &HistoryStore::errorOccurred, &history,
        [](HistoryError, const QString& message) { qWarning().noquote() << "history:" << message; });
    QEventLoop loop;
    QString rateNote = rateBudgetNote(rateBudgetFor(config));
    QObject::connect(&engine, &Engine::batchReady, &loop, [&](const EngineBatch& batch) {
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
    engine.setConfig(config);
    applyCredentialLoad(engine, credentials);
    KeychainCredentialStore store;
    std::unique_ptr<OAuth2TokenSource> tokens = startOAuth2(engine, store, config);

    // SIGHUP: re-read the config file; the running config stays unless the new one reads.
    AppConfig running = config;
    QHash<QString, QByteArray> secrets = credentials.secrets;
    QTextStream err(stderr);
    CredentialLoading reloading(&store);
    QObject::connect(&reloading, &CredentialLoading::finished, &loop, [&](const CredentialLoadResult& result) {
        // One secret at a time, and only those that changed: setCredentialSecrets() would also drop the
        // OAuth2 tokens the engine holds, and every changed secret is news worth a probe now.
        for (auto it = result.secrets.cbegin(); it != result.secrets.cend(); ++it) {
            if (secrets.value(it.key()) != it.value())
                engine.setCredentialSecret(it.key(), it.value());
        }
        secrets.insert(result.secrets);
        for (auto it = result.failures.cbegin(); it != result.failures.cend(); ++it) {
            secrets.remove(it.key());
            engine.setCredentialUnavailable(it.key(), credentialUnavailableReason(it.value()));
        }
        err << keychainConsoleText(result) << Qt::flush;
    });
    signalWatcher.watchHangup();
    QObject::connect(&signalWatcher, &UnixSignalWatcher::reloadRequested, &loop, [&] {
        if (configPath.isEmpty()) {
            err << "config reload refused: the built-in demo has no config file; still running the previous config"
                << Qt::endl;
            return;
        }
        const ConfigParseResult loaded = loadConfigFile(configPath);
        if (!loaded.ok()) {
            err << refusalText(configPath, loaded) << Qt::endl;
            return;
        }
        const AppConfig& next = *loaded.config;
        const QString change = configChangeText(running, next);
        if (!(next == running)) {
            setSecretHeaderNames(secretHeaderNames(next));
            // Endpoint by endpoint: unchanged ones keep their states, circuit and schedule (docs/CONFIG.md).
            engine.applyConfig(next);
            metrics.setConfig(next, effectiveLocation(next));
            if (tokens)
                tokens->setCredentials(next.credentials);
            else
                tokens = startOAuth2(engine, store, next);
            running = next;
        }
        // The keychain may hold new secrets (a rotation from the command line) or the config new credentials.
        if (!CredentialLoading::readable(running.credentials).isEmpty())
            reloading.start(running.credentials);
        err << "config reloaded: " << change << Qt::endl;
    });

    engine.start();
    loop.exec();
    // The plan (next probes) as it stood, then the counts after stop(), which hands over every finished
    // result: the summary and the history agree.
    const EndpointStatuses planned = engine.statuses();
    engine.stop();
    EndpointStatuses statuses = engine.statuses();
    for (qsizetype i = 0; i < statuses.size() && i < planned.size(); ++i) {
        statuses[i].nextProbeUtc = planned.at(i).nextProbeUtc;
        statuses[i].nextReason = planned.at(i).nextReason;
    }
    if (!history.flushNow()) {
        // Never lose a run silently: say what was not stored and why.
        qWarning().noquote() << QStringLiteral("history: %1 samples of this run were not stored in %2: %3")
                                    .arg(history.pendingSamples() + history.droppedSamples())
                                    .arg(history.databasePath(), history.lastError());
    }
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
