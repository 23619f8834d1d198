// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/DisplayText.h"

#include <QStringBuilder>

#include <cmath>

namespace sd {

QString stateText(SignalState state)
{
    switch (state) {
    case SignalState::Ok:
        return QStringLiteral("OK");
    case SignalState::Warning:
        return QStringLiteral("Warning");
    case SignalState::Critical:
        return QStringLiteral("Critical");
    case SignalState::Unknown:
        break;
    }
    return QStringLiteral("Unknown");
}

QString circuitText(CircuitState state)
{
    return circuitStateCode(state);
}

SignalState circuitHealth(CircuitState state)
{
    switch (state) {
    case CircuitState::Open:
        return SignalState::Critical;
    case CircuitState::HalfOpen:
        return SignalState::Warning;
    case CircuitState::Closed:
        break;
    }
    return SignalState::Ok;
}

QString latencyText(double ms)
{
    if (!std::isfinite(ms))
        return {};
    const int decimals = std::abs(ms) < 9.95 ? 1 : 0;
    return QString::number(ms, 'f', decimals) % QStringLiteral(" ms");
}

QString percentText(double percent)
{
    if (!std::isfinite(percent))
        return {};
    return QString::number(percent, 'f', 1) % QStringLiteral(" %");
}

QString hostText(const QUrl& url)
{
    QString host = url.host();
    if (host.contains(u':'))
        host = u'[' % host % u']';
    const int port = url.port();
    return port < 0 ? host : host % u':' % QString::number(port);
}

QString clockTimeText(const QDateTime& time)
{
    if (!time.isValid())
        return {};
    return time.toLocalTime().toString(QStringLiteral("HH:mm:ss"));
}

namespace {
QString inText(qint64 seconds)
{
    if (seconds <= 0)
        return QStringLiteral("due");
    if (seconds < 100)
        return QStringLiteral("in %1 s").arg(seconds);
    if (seconds < qint64(100) * 60)
        return QStringLiteral("in %1 min").arg((seconds + 30) / 60);
    return QStringLiteral("in %1 h").arg((seconds + 1800) / 3600);
}
} // namespace

QString nextProbeText(const EndpointStatus& status, const QDateTime& nowUtc)
{
    if (!status.nextProbeUtc.isValid())
        return status.nextReason == NextProbeReason::Interval ? QString() : nextProbeReasonText(status.nextReason);
    // Rounded up so that "in 1 s" is shown until the probe is really due.
    const qint64 ms = nowUtc.msecsTo(status.nextProbeUtc);
    QString when = inText(ms <= 0 ? 0 : (ms + 999) / 1000);
    if (status.nextReason == NextProbeReason::Interval)
        return when;
    return when % QStringLiteral(" (") % nextProbeReasonText(status.nextReason) % u')';
}

} // namespace sd
