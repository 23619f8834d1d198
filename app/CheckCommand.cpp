// SPDX-License-Identifier: GPL-3.0-or-later
#include "CheckCommand.h"

#include "TextTable.h"
#include "credentials/KeychainCredentialStore.h"
#include "credentials/OAuth2TokenSource.h"
#include "schedule/Engine.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace sd {

SignalState worstState(const EndpointStatuses& statuses)
{
    SignalState worst = SignalState::Unknown;
    for (const EndpointStatus& s : statuses)
        worst = sd::worse(worst, s.overall);
    return worst;
}

namespace {
QJsonValue phase(qint64 us)
{
    return us < 0 ? QJsonValue() : QJsonValue(static_cast<double>(us) / 1000.0);
}

QString latencyText(const ProbeResult& r)
{
    return QString::number(r.latencyMs(), 'f', 1);
}
} // namespace

QByteArray checkJson(
    const ProbeResults& results, const EndpointStatuses& statuses, const std::optional<RateBudget>& limits)
{
    QJsonArray items;
    for (qsizetype i = 0; i < results.size(); ++i) {
        const ProbeResult& r = results.at(i);
        const EndpointStatus* status = i < statuses.size() ? &statuses.at(i) : nullptr;
        QJsonObject o;
        o[u"endpoint"_qs] = r.endpoint;
        o[u"url"_qs] = r.url;
        o[u"httpStatus"_qs] = r.httpStatus > 0 ? QJsonValue(r.httpStatus) : QJsonValue();
        o[u"latencyMs"_qs] = std::round(r.latencyMs() * 1000.0) / 1000.0;
        o[u"outcome"_qs] = outcomeCode(r.outcome);
        o[u"signal"_qs] = r.signal == FailureSignal::None ? QJsonValue() : QJsonValue(signalCode(r.signal));
        o[u"state"_qs] = stateCode(status ? status->overall : SignalState::Unknown);
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
        if (status) {
            QJsonObject signalStates;
            for (FailureSignal s : kAllSignals)
                signalStates[signalCode(s)] = stateCode(status->states[static_cast<std::size_t>(signalIndex(s))]);
            o[u"signals"_qs] = signalStates;
        }
        items.append(o);
    }
    QJsonObject doc { { u"worst"_qs, stateCode(worstState(statuses)) }, { u"results"_qs, items } };
    if (limits) {
        const auto rounded = [](double value) { return std::round(value * 1000.0) / 1000.0; };
        doc[u"limits"_qs] = QJsonObject { { u"demandPerSecond"_qs, rounded(limits->demandPerSecond) },
            { u"maxProbesPerSecond"_qs, rounded(limits->maxProbesPerSecond) },
            { u"maxProbesPerSecondFromConfig"_qs, limits->capFromConfig },
            { u"intervalFactor"_qs, rounded(limits->intervalFactor) }, { u"note"_qs, rateBudgetNote(*limits) } };
    }
    return QJsonDocument(doc).toJson(QJsonDocument::Indented);
}

QString checkTable(
    const ProbeResults& results, const EndpointStatuses& statuses, const std::optional<RateBudget>& limits)
{
    const QStringList header { u"ENDPOINT"_qs, u"HTTP"_qs, u"LATENCY ms"_qs, u"OUTCOME"_qs, u"SIGNAL"_qs, u"STATE"_qs,
        u"TRIES"_qs, u"REASON"_qs };
    QList<QStringList> rows;
    for (qsizetype i = 0; i < results.size(); ++i) {
        const ProbeResult& r = results.at(i);
        const SignalState state = i < statuses.size() ? statuses.at(i).overall : SignalState::Unknown;
        rows.append({ r.endpoint, r.httpStatus > 0 ? QString::number(r.httpStatus) : u"-"_qs, latencyText(r),
            outcomeCode(r.outcome), r.signal == FailureSignal::None ? u"-"_qs : signalCode(r.signal), stateCode(state),
            QString::number(r.attempts), r.reason });
    }
    QString out = textTable(header, rows);
    const SignalState worst = worstState(statuses);
    out += QStringLiteral("\nworst: %1 (%2 endpoints)\n").arg(stateCode(worst).toUpper()).arg(results.size());
    if (limits && limits->intervalFactor > 1.0)
        out += u"limits: "_qs + rateBudgetNote(*limits) + u'\n';
    return out;
}

int runCheck(const AppConfig& config, bool json, QTextStream& out, const CredentialLoadResult& credentials)
{
    Engine engine;
    ProbeResults results;
    EndpointStatuses statuses;
    QEventLoop loop;
    QObject::connect(&engine, &Engine::onceFinished, &loop, [&](const ProbeResults& r, const EndpointStatuses& s) {
        results = r;
        statuses = s;
        loop.quit();
    });
    engine.setConfig(config);
    applyCredentialLoad(engine, credentials);
    // OAuth2 credentials: fetch their tokens first, so the one probe uses them (or says why not).
    KeychainCredentialStore store;
    const std::unique_ptr<OAuth2TokenSource> tokens = startOAuth2(engine, store, config);
    if (tokens)
        waitForOAuth2(*tokens, std::chrono::seconds(15));
    engine.runOnce();
    loop.exec();
    if (json)
        out << QString::fromUtf8(checkJson(results, statuses, rateBudgetFor(config)));
    else
        out << checkTable(results, statuses, rateBudgetFor(config));
    out.flush();
    return nagiosExitCode(worstState(statuses));
}

} // namespace sd
