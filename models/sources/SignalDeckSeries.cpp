// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/SignalDeckSeries.h"

#include <QDateTime>
#include <QHash>

#include <algorithm>
#include <cmath>

namespace sd {

QStringList signalDeckSeriesNames()
{
    return { QStringLiteral("signaldeck_endpoint_state"), QStringLiteral("signaldeck_signal_state"),
        QStringLiteral("signaldeck_last_probe_http_status"), QStringLiteral("signaldeck_last_probe_duration_seconds"),
        QStringLiteral("signaldeck_last_probe_timestamp_seconds"), QStringLiteral("signaldeck_last_probe_outcome"),
        QStringLiteral("signaldeck_circuit_state"), QStringLiteral("signaldeck_endpoint_paused") };
}

SignalState stateFromGauge(double value)
{
    if (value == 0)
        return SignalState::Ok;
    if (value == 1)
        return SignalState::Warning;
    if (value == 2)
        return SignalState::Critical;
    return SignalState::Unknown;
}

QList<RemoteEndpoint> buildSignalDeckEndpoints(const QList<PromSample>& samples)
{
    QHash<QString, qsizetype> index; // endpoint + '\n' + location → position in `out`
    QList<RemoteEndpoint> out;
    QList<bool> hasOverall;
    for (const PromSample& sample : samples) {
        const QString name = sample.labels.value(QStringLiteral("__name__"));
        const QString endpoint = sample.labels.value(QStringLiteral("endpoint"));
        if (endpoint.isEmpty() || !name.startsWith(u"signaldeck_") || !std::isfinite(sample.value))
            continue;
        const QString location = sample.labels.value(QStringLiteral("location"));
        const QString key = endpoint + u'\n' + location;
        auto found = index.constFind(key);
        if (found == index.cend()) {
            found = index.insert(key, out.size());
            RemoteEndpoint e;
            e.endpoint = endpoint;
            e.location = location;
            out.append(e);
            hasOverall.append(false);
        }
        RemoteEndpoint& e = out[*found];
        if (e.url.isEmpty())
            e.url = sample.labels.value(QStringLiteral("url"));
        const double v = sample.value;
        if (name == u"signaldeck_endpoint_state") {
            e.overall = stateFromGauge(v);
            hasOverall[*found] = true;
        } else if (name == u"signaldeck_signal_state") {
            if (const auto signal = signalFromCode(sample.labels.value(QStringLiteral("signal"))))
                e.states[static_cast<std::size_t>(signalIndex(*signal))] = stateFromGauge(v);
        } else if (name == u"signaldeck_last_probe_http_status") {
            if (v >= 0 && v <= 999)
                e.httpStatus = static_cast<int>(v);
        } else if (name == u"signaldeck_last_probe_duration_seconds") {
            if (v >= 0 && v < 86'400)
                e.latencyMs = v * 1000.0;
        } else if (name == u"signaldeck_last_probe_timestamp_seconds") {
            if (v > 0 && v < 1e11)
                e.lastProbeUtc = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(v * 1000.0), Qt::UTC);
        } else if (name == u"signaldeck_last_probe_outcome") {
            const QString outcome = sample.labels.value(QStringLiteral("outcome"));
            if (outcomeFromCode(outcome))
                e.outcome = outcome;
        } else if (name == u"signaldeck_circuit_state") {
            if (v == 0 || v == 1 || v == 2)
                e.circuit = static_cast<int>(v);
        } else if (name == u"signaldeck_endpoint_paused") {
            e.paused = v == 1;
        }
    }
    for (qsizetype i = 0; i < out.size(); ++i) {
        if (hasOverall[i])
            continue;
        for (SignalState s : out[i].states)
            out[i].overall = worse(out[i].overall, s);
    }
    std::sort(out.begin(), out.end(), [](const RemoteEndpoint& a, const RemoteEndpoint& b) {
        return std::tie(a.endpoint, a.location) < std::tie(b.endpoint, b.location);
    });
    return out;
}

} // namespace sd
