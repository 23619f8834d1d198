// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/FleetRange.h"

#include <QMap>
#include <QPromise>
#include <QThreadPool>

#include <algorithm>
#include <cmath>

namespace sd {

namespace {

constexpr qint64 kSecondMs = 1000;
constexpr qint64 kMinuteMs = 60 * kSecondMs;
constexpr qint64 kHourMs = 60 * kMinuteMs;

/// Round steps: whole seconds, minutes and hours, so that the points fall on round times.
constexpr qint64 kRangeSteps[] = { kSecondMs, 2 * kSecondMs, 5 * kSecondMs, 10 * kSecondMs, 15 * kSecondMs,
    30 * kSecondMs, kMinuteMs, 2 * kMinuteMs, 5 * kMinuteMs, 10 * kMinuteMs, 15 * kMinuteMs, 30 * kMinuteMs, kHourMs,
    2 * kHourMs, 3 * kHourMs, 6 * kHourMs, 12 * kHourMs, 24 * kHourMs };

QString stepText(qint64 ms)
{
    if (ms % kHourMs == 0)
        return QStringLiteral("%1 h").arg(ms / kHourMs);
    if (ms % kMinuteMs == 0)
        return QStringLiteral("%1 min").arg(ms / kMinuteMs);
    return QStringLiteral("%1 s").arg(ms / kSecondMs);
}

/// The window each point summarises: the step, and at least a minute (rate() needs two scrapes in it).
qint64 windowSeconds(qint64 stepMs)
{
    return std::max(stepMs, kMinuteMs) / kSecondMs;
}

QString selector(const QString& metric, const QStringList& matchers, const QString& match)
{
    QStringList all = matchers;
    const QString inner = promMatchers(match);
    if (!inner.isEmpty())
        all.append(inner);
    return metric + u'{' + all.join(u',') + u'}';
}

QList<FleetLine> linesOf(const FleetRangeRequest& request, const PromMatrixReply& reply, double scale, double maxValue)
{
    const QString locationLabel = request.source.kind == SourceConfig::Kind::Blackbox ? request.source.locationLabel
                                                                                      : QStringLiteral("location");
    QMap<QString, FleetLine> byLocation;
    for (const PromSeries& series : reply.series) {
        QString location = series.labels.value(locationLabel);
        if (location.isEmpty())
            location = sourceDisplayName(request.source); // as BlackboxFleet names a target without the label
        if (!request.locations.isEmpty() && !request.locations.contains(location))
            continue;
        FleetLine& line = byLocation[location];
        line.location = location;
        for (const auto& [time, value] : series.points) {
            if (!std::isfinite(value) || value < 0)
                continue; // no probe in the window (0/0), or nothing a chart can show
            line.points.append(QPointF(time * 1000.0, std::min(value * scale, maxValue)));
        }
    }
    QList<FleetLine> out = byLocation.values();
    for (FleetLine& line : out)
        std::sort(
            line.points.begin(), line.points.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
    return out;
}

} // namespace

qint64 fleetRangeStepMs(qint64 fromMs, qint64 toMs, int maxPoints)
{
    const qint64 span = std::max<qint64>(toMs - fromMs, 1);
    const qint64 points = std::max(maxPoints, 1);
    for (qint64 step : kRangeSteps) {
        if (span / step <= points)
            return step;
    }
    // Longer than a day per point: whole days.
    return (span / points / (24 * kHourMs) + 1) * 24 * kHourMs;
}

QString promString(const QString& value)
{
    QString escaped = value;
    escaped.replace(u'\\', QStringLiteral("\\\\"));
    escaped.replace(u'"', QStringLiteral("\\\""));
    escaped.replace(u'\n', QStringLiteral("\\n"));
    return u'"' + escaped + u'"';
}

QStringList fleetRangeQueries(const FleetRangeRequest& request, qint64 stepMs)
{
    const QString window = QStringLiteral("[%1s]").arg(windowSeconds(stepMs));
    const SourceConfig& source = request.source;
    if (source.kind == SourceConfig::Kind::Blackbox) {
        const QStringList target { source.endpointLabel + u'=' + promString(request.endpoint) };
        const QString by = QStringLiteral(" by (") + source.locationLabel + QStringLiteral(") ");
        return { u"max"_qs + by + u"(max_over_time("_qs + selector(u"probe_duration_seconds"_qs, target, source.match)
                + window + u"))"_qs,
            u"1 - avg"_qs + by + u"(avg_over_time("_qs + selector(u"probe_success"_qs, target, source.match) + window
                + u"))"_qs };
    }
    const QStringList endpoint { u"endpoint="_qs + promString(request.endpoint) };
    QStringList failed = endpoint;
    failed.append(u"outcome!=\"ok\""_qs);
    return { u"histogram_quantile(0.95, sum by (location, le) (rate("_qs
            + selector(u"signaldeck_probe_duration_seconds_bucket"_qs, endpoint, source.match) + window + u")))"_qs,
        // Where the prober made no probe in the window (an open circuit backs off), the ratio is 0/0: then its
        // own error ratio over its state window (signaldeck_error_ratio), not a gap that reads as healthy.
        u"(sum by (location) (rate("_qs + selector(u"signaldeck_probes_total"_qs, failed, source.match) + window
            + u")) / (sum by (location) (rate("_qs + selector(u"signaldeck_probes_total"_qs, endpoint, source.match)
            + window + u")) > 0)) or max by (location) ("_qs
            + selector(u"signaldeck_error_ratio"_qs, endpoint, source.match) + u")"_qs };
}

FleetRangeAnswer buildFleetRange(
    const FleetRangeRequest& request, qint64 stepMs, const PromMatrixReply& latency, const PromMatrixReply& errors)
{
    FleetRangeAnswer answer;
    answer.request = request;
    answer.stepMs = stepMs;
    for (const PromMatrixReply* reply : { &latency, &errors }) {
        if (!reply->ok()) {
            answer.state = SourceState::Failed;
            answer.error = reply->error;
            return answer;
        }
    }
    const QString windowText = stepText(windowSeconds(stepMs) * kSecondMs);
    answer.latencyMeaning = request.source.kind == SourceConfig::Kind::Blackbox
        ? QStringLiteral("the slowest probe_duration_seconds in each %1").arg(windowText)
        : QStringLiteral("p95 of the probes in each %1, from the probers' histogram").arg(windowText);
    answer.latencyMs = linesOf(request, latency, 1000.0, 86'400'000.0);
    answer.errorPercent = linesOf(request, errors, 100.0, 100.0);
    return answer;
}

FleetRangeReader::FleetRangeReader(QObject* parent)
    : QObject(parent)
    , m_batch(new PromBatch(this))
    , m_parse(new QFutureWatcher<FleetRangeAnswer>(this))
{
    connect(m_batch, &PromBatch::finished, this, &FleetRangeReader::onAnswers);
    connect(m_batch, &PromBatch::timedOut, this, [this] {
        deliverFailure(
            SourceState::Down, QStringLiteral("no answer within %1 ms").arg(m_request.source.timeout.count()));
    });
    connect(m_parse, &QFutureWatcher<FleetRangeAnswer>::finished, this, [this] {
        m_parsing = false;
        if (m_parse->future().resultCount() == 0)
            return;
        FleetRangeAnswer answer = m_parse->result();
        if (!(answer.request == m_request))
            return; // an answer to a request that was replaced
        answer.elapsedMs = m_clock.elapsed();
        emit ready(answer);
    });
}

FleetRangeReader::~FleetRangeReader()
{
    m_batch->disconnect(this);
    m_batch->abort();
}

void FleetRangeReader::cancel()
{
    m_batch->abort();
    m_request = {};
    m_parsing = false;
}

void FleetRangeReader::request(const FleetRangeRequest& request)
{
    m_batch->abort(); // the newer request wins
    m_request = request;
    m_stepMs = fleetRangeStepMs(request.fromMs, request.toMs, request.maxPoints);
    const qint64 start = request.fromMs / m_stepMs * m_stepMs;
    const auto seconds = [](qint64 ms) { return QString::number(static_cast<double>(ms) / 1000.0, 'f', 3); };
    QList<QUrl> urls;
    for (const QString& query : fleetRangeQueries(request, m_stepMs))
        urls.append(promApiUrl(request.source.url, QStringLiteral("api/v1/query_range"),
            { { QStringLiteral("query"), query }, { QStringLiteral("start"), seconds(start) },
                { QStringLiteral("end"), seconds(std::max(request.toMs, start + m_stepMs)) },
                { QStringLiteral("step"), seconds(m_stepMs) } }));
    m_clock.start();
    m_batch->start(urls, request.source.timeout);
}

void FleetRangeReader::deliverFailure(SourceState state, const QString& error)
{
    FleetRangeAnswer answer;
    answer.request = m_request;
    answer.stepMs = m_stepMs;
    answer.state = state;
    answer.error = error;
    answer.elapsedMs = m_clock.elapsed();
    emit ready(answer);
}

void FleetRangeReader::onAnswers(const QList<PromBatch::Answer>& answers)
{
    for (const PromBatch::Answer& a : answers) {
        if (!a.networkError.isEmpty())
            return deliverFailure(SourceState::Down, a.networkError);
    }
    // Parsing on a pool thread (a long range of many locations is megabytes of JSON): the job owns its inputs,
    // so it may outlive this reader; the watcher, a child, then never reports.
    auto promise = std::make_shared<QPromise<FleetRangeAnswer>>();
    m_parse->setFuture(promise->future());
    m_parsing = true;
    promise->start();
    QThreadPool::globalInstance()->start([promise, answers, request = m_request, step = m_stepMs] {
        const PromMatrixReply latency = parsePromMatrixReply(answers.value(0).body, answers.value(0).httpStatus);
        const PromMatrixReply errors = parsePromMatrixReply(answers.value(1).body, answers.value(1).httpStatus);
        promise->addResult(buildFleetRange(request, step, latency, errors));
        promise->finish();
    });
}

} // namespace sd
