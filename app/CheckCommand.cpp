// SPDX-License-Identifier: GPL-3.0-or-later
#include "CheckCommand.h"

#include "TextTable.h"
#include "UnixSignalWatcher.h"
#include "credentials/KeychainCredentialStore.h"
#include "credentials/OAuth2TokenSource.h"
#include "health/Classifier.h"
#include "policy/RetryPolicy.h"
#include "schedule/Engine.h"

#include <QEventLoop>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <csignal>

namespace sd {

using std::chrono::milliseconds;

namespace {

/// Beyond the probes themselves: connection setup, the engine thread, printing.
constexpr milliseconds kCheckMargin { 5'000 };
/// The OAuth2 token fetch before the probes gets at most this much of the deadline.
constexpr milliseconds kOAuth2Wait { 15'000 };

QJsonValue phase(qint64 us)
{
    return us < 0 ? QJsonValue() : QJsonValue(static_cast<double>(us) / 1000.0);
}

QString latencyText(const ProbeResult& r)
{
    return QString::number(r.latencyMs(), 'f', 1);
}

QString secondsText(milliseconds ms)
{
    return QString::number(static_cast<double>(ms.count()) / 1000.0, 'g', 4) + QStringLiteral(" s");
}

} // namespace

milliseconds defaultCheckDeadline(const AppConfig& config)
{
    const RetryPolicy retry;
    const int attempts = retry.config().maxRetries + 1;
    milliseconds backoff { 0 };
    for (int a = 1; a <= retry.config().maxRetries; ++a)
        backoff += retry.delayCeiling(a);
    milliseconds longest { 0 };
    for (const EndpointConfig& e : config.endpoints)
        longest = std::max(longest, (e.adaptiveTimeout ? e.timeoutMax : e.timeout) * attempts);
    return longest + backoff + kCheckMargin;
}

void applySingleProbeVerdict(CheckRow& row)
{
    if (!row.finished)
        return;
    if (row.result.outcome != Outcome::ServerError && row.result.outcome != Outcome::AssertionFailed)
        return;
    const auto s4 = static_cast<std::size_t>(signalIndex(FailureSignal::S4));
    row.status.states[s4] = SignalState::Critical;
    row.status.reasons[s4] = row.result.reason;
    row.status.overall = worse(row.status.overall, SignalState::Critical);
    if (row.result.signal == FailureSignal::None)
        row.result.signal = FailureSignal::S4;
}

CheckRows checkRows(const ProbeResults& results, const EndpointStatuses& statuses)
{
    CheckRows rows;
    for (qsizetype i = 0; i < results.size(); ++i) {
        CheckRow row { results.at(i), i < statuses.size() ? statuses.at(i) : EndpointStatus {}, true };
        applySingleProbeVerdict(row);
        rows.append(row);
    }
    return rows;
}

SignalState worstState(const EndpointStatuses& statuses)
{
    SignalState worst = SignalState::Unknown;
    for (const EndpointStatus& s : statuses)
        worst = sd::worse(worst, s.overall);
    return worst;
}

SignalState worstState(const CheckRows& rows)
{
    SignalState worst = SignalState::Unknown;
    bool unfinished = false;
    for (const CheckRow& row : rows) {
        if (row.finished)
            worst = worse(worst, row.status.overall);
        else
            unfinished = true;
    }
    if (unfinished && worst < SignalState::Warning)
        return SignalState::Unknown;
    return worst;
}

QByteArray checkJson(const CheckRows& rows, const std::optional<RateBudget>& limits)
{
    QJsonArray items;
    for (const CheckRow& row : rows) {
        const ProbeResult& r = row.result;
        const EndpointStatus& status = row.status;
        QJsonObject o;
        o[u"endpoint"_qs] = r.endpoint;
        o[u"url"_qs] = r.url;
        o[u"httpStatus"_qs] = r.httpStatus > 0 ? QJsonValue(r.httpStatus) : QJsonValue();
        o[u"latencyMs"_qs] = std::round(r.latencyMs() * 1000.0) / 1000.0;
        o[u"outcome"_qs] = row.finished ? QJsonValue(outcomeCode(r.outcome)) : QJsonValue();
        o[u"signal"_qs] = r.signal == FailureSignal::None ? QJsonValue() : QJsonValue(signalCode(r.signal));
        o[u"state"_qs] = stateCode(row.finished ? status.overall : SignalState::Unknown);
        o[u"reason"_qs] = r.reason;
        o[u"attempts"_qs] = r.attempts;
        o[u"traceId"_qs] = QString::fromLatin1(r.traceId);
        o[u"startTime"_qs] = r.startUtc.toString(Qt::ISODateWithMs);
        o[u"connectionReused"_qs] = r.connectionReused;
        o[u"bytesRead"_qs] = static_cast<double>(r.bytesRead);
        o[u"phasesMs"_qs] = QJsonObject { { u"queue"_qs, phase(r.phases.queueUs) },
            { u"connect"_qs, phase(r.phases.connectUs) }, { u"sent"_qs, phase(r.phases.sentUs) },
            { u"firstByte"_qs, phase(r.phases.ttfbUs) }, { u"download"_qs, phase(r.phases.downloadUs) } };
        if (r.retryAfter)
            o[u"retryAfterMs"_qs] = static_cast<double>(r.retryAfter->count());
        o[u"certExpiresAt"_qs] = r.tls.present && r.tls.earliestExpiresAt.isValid()
            ? QJsonValue(r.tls.earliestExpiresAt.toUTC().toString(Qt::ISODate))
            : QJsonValue();
        if (r.tls.present) {
            o[u"tls"_qs] = QJsonObject { { u"protocol"_qs, r.tls.protocol },
                { u"leafExpiresAt"_qs, r.tls.leafExpiresAt.toUTC().toString(Qt::ISODate) },
                { u"subject"_qs, r.tls.leafSubject }, { u"issuer"_qs, r.tls.leafIssuer },
                { u"chain"_qs, QJsonArray::fromStringList(r.tls.chain) } };
        }
        if (row.finished) {
            QJsonObject signalStates;
            for (FailureSignal s : kAllSignals)
                signalStates[signalCode(s)] = stateCode(status.states[static_cast<std::size_t>(signalIndex(s))]);
            o[u"signals"_qs] = signalStates;
        }
        items.append(o);
    }
    QJsonObject doc { { u"worst"_qs, stateCode(worstState(rows)) }, { u"results"_qs, items } };
    if (limits) {
        const auto rounded = [](double value) { return std::round(value * 1000.0) / 1000.0; };
        doc[u"limits"_qs] = QJsonObject { { u"demandPerSecond"_qs, rounded(limits->demandPerSecond) },
            { u"maxProbesPerSecond"_qs, rounded(limits->maxProbesPerSecond) },
            { u"maxProbesPerSecondFromConfig"_qs, limits->capFromConfig },
            { u"intervalFactor"_qs, rounded(limits->intervalFactor) }, { u"note"_qs, rateBudgetNote(*limits) } };
    }
    return QJsonDocument(doc).toJson(QJsonDocument::Indented);
}

QString checkTable(const CheckRows& rows, const std::optional<RateBudget>& limits)
{
    const QStringList header { u"ENDPOINT"_qs, u"HTTP"_qs, u"LATENCY ms"_qs, u"OUTCOME"_qs, u"SIGNAL"_qs, u"STATE"_qs,
        u"TRIES"_qs, u"REASON"_qs };
    QList<QStringList> table;
    for (const CheckRow& row : rows) {
        const ProbeResult& r = row.result;
        const SignalState state = row.finished ? row.status.overall : SignalState::Unknown;
        table.append({ r.endpoint, r.httpStatus > 0 ? QString::number(r.httpStatus) : u"-"_qs,
            row.finished ? latencyText(r) : u"-"_qs, row.finished ? outcomeCode(r.outcome) : u"-"_qs,
            r.signal == FailureSignal::None ? u"-"_qs : signalCode(r.signal), stateCode(state),
            QString::number(r.attempts), r.reason });
    }
    QString out = textTable(header, table);
    const SignalState worst = worstState(rows);
    out += QStringLiteral("\nworst: %1 (%2 endpoints)\n").arg(stateCode(worst).toUpper()).arg(rows.size());
    if (limits && limits->intervalFactor > 1.0)
        out += u"limits: "_qs + rateBudgetNote(*limits) + u'\n';
    return out;
}

int runCheck(const AppConfig& config, bool json, QTextStream& out, const CredentialLoadResult& credentials,
    std::optional<milliseconds> deadline)
{
    const milliseconds limit = deadline.value_or(defaultCheckDeadline(config));
    // runOnce() does not retry a timed-out attempt (docs/CLI.md "--check"); the faster S1 failures keep their retries.
    Engine engine;
    CheckRows rows;
    QHash<int, ProbeResult> finishedSoFar; // endpoint id → result of a finished cycle
    QString cutShort; // why the check stopped before every endpoint finished
    bool complete = false;
    QEventLoop loop;
    QObject::connect(&engine, &Engine::batchReady, &loop, [&](const EngineBatch& batch) {
        for (const ProbeResult& r : batch.results)
            finishedSoFar.insert(r.endpointId, r);
    });
    QObject::connect(&engine, &Engine::onceFinished, &loop, [&](const ProbeResults& r, const EndpointStatuses& s) {
        rows = checkRows(r, s);
        complete = true;
        loop.quit();
    });
    QTimer overall;
    overall.setSingleShot(true);
    QObject::connect(&overall, &QTimer::timeout, &loop, [&] {
        cutShort = QStringLiteral("not finished within the check's deadline of ") + secondsText(limit);
        loop.quit();
    });
    UnixSignalWatcher termination;
    QObject::connect(&termination, &UnixSignalWatcher::terminationRequested, &loop, [&](int number) {
        cutShort = QStringLiteral("not finished: the check was stopped (%1)")
                       .arg(number == SIGTERM ? QStringLiteral("SIGTERM") : QStringLiteral("SIGINT"));
        loop.quit();
    });
    overall.start(limit);

    engine.setConfig(config);
    applyCredentialLoad(engine, credentials);
    // OAuth2 credentials: fetch their tokens first, so the one probe uses them (or says why not).
    KeychainCredentialStore store;
    const std::unique_ptr<OAuth2TokenSource> tokens = startOAuth2(engine, store, config);
    if (tokens)
        waitForOAuth2(*tokens, std::min(kOAuth2Wait, limit / 2));
    if (cutShort.isEmpty()) {
        engine.runOnce();
        loop.exec();
    }
    if (!complete) {
        // What finished is reported as it is; the rest is unknown, with the reason the check stopped.
        const EndpointStatuses statuses = engine.statuses();
        for (qsizetype i = 0; i < statuses.size() && i < config.endpoints.size(); ++i) {
            const auto found = finishedSoFar.constFind(statuses.at(i).id);
            CheckRow row;
            row.status = statuses.at(i);
            if (found != finishedSoFar.cend()) {
                row.result = *found;
            } else {
                row.finished = false;
                row.result.endpointId = statuses.at(i).id;
                row.result.endpoint = config.endpoints.at(i).name;
                row.result.url = config.endpoints.at(i).url.toString(QUrl::RemoveUserInfo);
                row.result.attempts = static_cast<int>(statuses.at(i).attempts);
                row.result.reason = cutShort;
            }
            applySingleProbeVerdict(row);
            rows.append(row);
        }
    }
    if (json)
        out << QString::fromUtf8(checkJson(rows, rateBudgetFor(config)));
    else
        out << checkTable(rows, rateBudgetFor(config));
    out.flush();
    return nagiosExitCode(worstState(rows));
}

} // namespace sd
