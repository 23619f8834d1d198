// SPDX-License-Identifier: GPL-3.0-or-later
#include "DetailPane.h"

#include "config/Duration.h"
#include "itemmodels/DisplayText.h"
#include "sources/FleetRange.h"
#include "ui/charts/ErrorRateChartView.h"
#include "ui/charts/LatencyChartView.h"

#include <QDateTime>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace sd {

namespace {

QString phaseText(const char* name, qint64 us)
{
    if (us < 0)
        return {};
    return QString::fromLatin1(name) + u" "_qs + latencyText(static_cast<double>(us) / 1000.0);
}

QLabel* selectableLabel(QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

} // namespace

DetailPane::DetailPane(HistoryReader* reader, QWidget* parent)
    : QWidget(parent)
    , m_reader(reader)
    , m_refresh(new QTimer(this))
    , m_title(new QLabel(this))
    , m_figures(new QLabel(this))
    , m_latency(new LatencyChartView(this))
    , m_errors(new ErrorRateChartView(this))
    , m_status(selectableLabel(this))
    , m_outcome(selectableLabel(this))
    , m_reason(selectableLabel(this))
    , m_phases(selectableLabel(this))
    , m_trace(selectableLabel(this))
    , m_tls(selectableLabel(this))
    , m_schedule(selectableLabel(this))
    , m_rangeReader(new FleetRangeReader(this))
{
    setObjectName(u"detailPane"_qs);
    m_latency->setObjectName(u"latencyChart"_qs);
    m_errors->setObjectName(u"errorRateChart"_qs);
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_title->setFont(bold);
    m_figures->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* charts = new QSplitter(Qt::Horizontal, this);
    charts->setObjectName(u"chartSplitter"_qs);
    charts->addWidget(m_latency);
    charts->addWidget(m_errors);
    charts->setChildrenCollapsible(false);
    // Shorter charts rather than a table of two rows at 1024×700: the table is what an operator scans.
    for (QWidget* chart : { static_cast<QWidget*>(m_latency), static_cast<QWidget*>(m_errors) })
        chart->setMinimumHeight(124);

    auto* probeBox = new QGroupBox(tr("Last probe"), this);
    m_probeForm = new QFormLayout(probeBox);
    m_probeForm->addRow(tr("HTTP status:"), m_status);
    m_probeForm->addRow(tr("Classified:"), m_outcome);
    m_probeForm->addRow(tr("Reason:"), m_reason);
    m_probeForm->addRow(tr("Phases:"), m_phases);
    m_probeForm->addRow(tr("Trace id:"), m_trace);
    m_probeForm->addRow(tr("TLS:"), m_tls);
    m_tls->setWordWrap(true);
    // A trace id is one long word: wrapped labels cannot break it, and it widened the pane past its scroll
    // area (the other lines were cut at the right). It takes the width it is given; select it to copy it
    // whole, or read it in the tooltip.
    m_trace->setWordWrap(false);
    m_trace->setMinimumWidth(1);
    m_trace->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_probeForm->addRow(tr("Scheduling:"), m_schedule);
    // In a scroll area: a short pane (1400×900 with the event log open) cut its lines in half before.
    auto* probeScroll = new QScrollArea(this);
    probeScroll->setObjectName(u"lastProbeScroll"_qs);
    probeScroll->setWidget(probeBox);
    probeScroll->setWidgetResizable(true);
    probeScroll->setFrameShape(QFrame::NoFrame);
    probeScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Always there, so the wrapped lines are laid out for the width they get (not cut by a late scroll bar).
    probeScroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    probeScroll->setMinimumWidth(280);
    probeScroll->setMaximumWidth(420);

    auto* row = new QHBoxLayout;
    row->addWidget(charts, 1);
    row->addWidget(probeScroll);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_title);
    layout->addWidget(m_figures);
    layout->addLayout(row, 1);

    m_refresh->setInterval(2000);
    connect(m_refresh, &QTimer::timeout, this, &DetailPane::refresh);
    connect(m_reader, &HistoryReader::chartReady, this, &DetailPane::applyChart);
    connect(m_rangeReader, &FleetRangeReader::ready, this, &DetailPane::applyRemote);
    setSelection({});
}

void DetailPane::setSelection(const QList<EndpointConfig>& endpoints)
{
    if (m_remote) { // back to the local history
        m_remote.reset();
        m_rangeReader->cancel();
        m_refresh->setInterval(2000);
        m_endpoint.clear();
        m_latency->showNothing(tr("Loading history…"));
        m_errors->showNothing(tr("Loading history…"));
        m_figures->setWordWrap(false);
        m_figures->setToolTip({});
    }
    const QString previous = m_endpoint;
    m_endpoint = endpoints.isEmpty() ? QString() : endpoints.first().name;
    QStringList overlays;
    for (qsizetype i = 1; i < endpoints.size() && overlays.size() < LatencyChartView::kMaxOverlays; ++i)
        overlays << endpoints.at(i).name;
    const bool overlaysChanged = overlays != m_overlays;
    if (overlaysChanged) {
        m_overlays = overlays;
        m_latency->clearOverlays();
    }
    if (m_endpoint.isEmpty()) {
        m_title->setText(tr("Select an endpoint to see its charts and last probe"));
        m_figures->clear();
        m_refresh->stop();
        m_latency->showNothing(tr("Select an endpoint to see its latency"));
        m_errors->showNothing(tr("Select an endpoint to see its errors"));
        setLastProbe(std::nullopt, std::nullopt);
        return;
    }
    const EndpointConfig& first = endpoints.first();
    QString title = first.name + u" — "_qs + first.url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
    if (endpoints.size() > 1)
        title += tr("   (%1 selected; the latency chart overlays the p95 of %2 more)")
                     .arg(endpoints.size())
                     .arg(m_overlays.size());
    m_title->setText(title);
    if (previous != m_endpoint || overlaysChanged) {
        m_figures->setText(tr("Loading history…"));
        refresh();
    }
    // Called with every engine batch: restarting the timer each time would keep it from ever firing.
    if (!m_refresh->isActive())
        m_refresh->start();
}

void DetailPane::setRange(const TimeRange& range)
{
    if (m_range == range)
        return;
    m_range = range;
    refresh();
}

void DetailPane::setThresholds(const Thresholds& thresholds)
{
    if (m_thresholds == thresholds)
        return;
    m_thresholds = thresholds;
    const auto warnMs = static_cast<double>(thresholds.latencyWarn.count());
    const auto critMs = static_cast<double>(thresholds.latencyCritical.count());
    m_latency->setThresholds({ { warnMs, tr("warning %1").arg(latencyText(warnMs)), false },
        { critMs, tr("critical %1").arg(latencyText(critMs)), true } });
    const double warnRate = 100.0 * thresholds.errorRateWarn;
    const double critRate = 100.0 * thresholds.errorRateCritical;
    const auto rate = [](double percent) -> QString { return QString::number(percent, 'g', 3) + u" %"_qs; };
    m_errors->setThresholds({ { warnRate, tr("warning %1").arg(rate(warnRate)), false },
        { critRate, tr("critical %1").arg(rate(critRate)), true } });
}

void DetailPane::setUptimeExclusions(const QHash<QString, TimeSpans>& byEndpointName)
{
    if (m_uptimeExcluded == byEndpointName)
        return;
    m_uptimeExcluded = byEndpointName;
    refresh();
}

void DetailPane::refresh()
{
    if (m_remote)
        return refreshRemote();
    if (m_endpoint.isEmpty())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    HistoryReader::ChartRequest request;
    request.endpoint = m_endpoint;
    request.fromMs = m_range.resolvedFrom(now);
    request.toMs = m_range.resolvedTo(now);
    // About two points per horizontal pixel: one bucket per pixel column gives its min and its max.
    request.maxBuckets = std::max(60, m_latency->preferredBucketCount());
    request.uptimeExcluded = m_uptimeExcluded.value(m_endpoint);
    m_lastRequest = request;
    m_reader->requestChart(request);
}

void DetailPane::requestOverlayAfter(const QString& endpoint)
{
    const qsizetype at = endpoint == m_endpoint ? 0 : m_overlays.indexOf(endpoint) + 1;
    if (at <= 0 && endpoint != m_endpoint)
        return;
    if (at >= m_overlays.size())
        return;
    HistoryReader::ChartRequest request = m_lastRequest;
    request.endpoint = m_overlays.at(at);
    request.uptimeExcluded.clear(); // an overlay shows no figures
    m_reader->requestChart(request);
}

void DetailPane::applyChart(const HistoryReader::ChartAnswer& answer)
{
    if (m_remote)
        return; // a local answer that arrived after a remote endpoint was chosen
    if (m_overlays.contains(answer.request.endpoint)) {
        if (answer.error.isEmpty())
            m_latency->setOverlay(answer.request.endpoint, answer.series);
        requestOverlayAfter(answer.request.endpoint);
        return;
    }
    if (answer.request.endpoint != m_endpoint)
        return;
    requestOverlayAfter(m_endpoint);
    m_latency->setSeries(answer.series, answer.request.fromMs, answer.request.toMs);
    m_errors->setSeries(answer.series, answer.request.fromMs, answer.request.toMs);
    const ProbeAggregate& s = answer.stats;
    if (!answer.error.isEmpty()) {
        m_figures->setText(tr("History unavailable: %1").arg(answer.error));
    } else if (s.probes() == 0) {
        m_figures->setText(tr("%1: no probes stored in this range yet").arg(m_range.label()));
    } else {
        // Percentiles over the probes that got an answer only: a failed probe has no latency (not 0.0 ms).
        const QString latencies = s.latencyCount() == 0
            ? tr("no answered probes, so no latency")
            : tr("p50 %1 · p95 %2 · p99 %3 of %4 answered")
                  .arg(latencyText(s.latencyPercentileMs(50)), latencyText(s.latencyPercentileMs(95)),
                      latencyText(s.latencyPercentileMs(99)))
                  .arg(s.latencyCount());
        // Probes made in maintenance windows with `excludeFromUptime` are counted everywhere but in the uptime.
        const ProbeAggregate& up = answer.uptimeStats;
        const QString uptime = up.probes() == 0 ? tr("uptime \u2014 (all in maintenance)")
            : up.probes() == s.probes()         ? tr("uptime %1 %").arg(up.uptimePercent(), 0, 'f', 2)
                                                : tr("uptime %1 % (%2 in maintenance left out)")
                                              .arg(up.uptimePercent(), 0, 'f', 2)
                                              .arg(s.probes() - up.probes());
        m_figures->setText(tr("%1: %2 probes · %3 · %4 · errors S1 %5, S2 %6, S3 %7, S4 %8")
                               .arg(m_range.label())
                               .arg(s.probes())
                               .arg(uptime)
                               .arg(latencies)
                               .arg(s.signalCount(FailureSignal::S1))
                               .arg(s.signalCount(FailureSignal::S2))
                               .arg(s.signalCount(FailureSignal::S3))
                               .arg(s.signalCount(FailureSignal::S4)));
    }
    ++m_chartUpdates;
    emit chartUpdated();
}

void DetailPane::setLastProbe(const std::optional<ProbeResult>& result, const std::optional<EndpointStatus>& status)
{
    if (!result) {
        for (QLabel* l : { m_status, m_outcome, m_reason, m_phases, m_trace, m_tls })
            l->setText(u"—"_qs);
    } else {
        const ProbeResult& r = *result;
        // A probe without an answer has no latency: a timeout reads as one, not as "5000 ms" or "0.0 ms".
        const QString took = r.httpStatus > 0 || r.outcome == Outcome::Ok ? latencyText(r.latencyMs())
            : r.outcome == Outcome::Timeout ? tr("timeout after %1").arg(latencyText(r.latencyMs()))
                                            : tr("no answer (gave up after %1)").arg(latencyText(r.latencyMs()));
        m_status->setText((r.httpStatus > 0 ? QString::number(r.httpStatus) : tr("none")) + u" · "_qs + took + u" · "_qs
            + r.startUtc.toLocalTime().toString(u"HH:mm:ss"_qs)
            + (r.attempts > 1 ? tr(" · %1 attempts").arg(r.attempts) : QString()));
        m_outcome->setText(outcomeCode(r.outcome)
            + (r.signal == FailureSignal::None ? QString()
                                               : u" → "_qs + signalCode(r.signal) + u" "_qs + signalTitle(r.signal)));
        m_reason->setText(r.reason.isEmpty() ? u"—"_qs : r.reason);
        QStringList phases;
        for (const QString& p : { phaseText("queue", r.phases.queueUs), phaseText("connect", r.phases.connectUs),
                 phaseText("sent", r.phases.sentUs), phaseText("first byte", r.phases.ttfbUs),
                 phaseText("download", r.phases.downloadUs) })
            if (!p.isEmpty())
                phases << p;
        if (r.connectionReused)
            phases << tr("reused connection");
        m_phases->setText(phases.isEmpty() ? u"—"_qs : phases.join(u" · "_qs));
        m_trace->setText(r.traceId.isEmpty() ? u"—"_qs : QString::fromLatin1(r.traceId));
        if (r.tls.present) {
            QStringList lines { tr("%1, earliest expiry %2")
                                    .arg(r.tls.protocol.isEmpty() ? tr("TLS") : r.tls.protocol,
                                        r.tls.earliestExpiresAt.toUTC().toString(Qt::ISODate)) };
            lines += r.tls.chain;
            m_tls->setText(lines.join(u'\n'));
        } else {
            m_tls->setText(u"—"_qs);
        }
        m_trace->setToolTip(r.traceId.isEmpty() ? QString() : QString::fromLatin1(r.traceId));
    }
    if (!status) {
        m_schedule->setText(u"—"_qs);
        return;
    }
    QString schedule = tr("circuit %1").arg(circuitStateCode(status->circuit));
    if (status->nextProbeUtc.isValid())
        schedule += tr(" · next probe %1 (%2)")
                        .arg(status->nextProbeUtc.toLocalTime().toString(u"HH:mm:ss"_qs),
                            nextProbeReasonText(status->nextReason));
    else
        schedule += u" · "_qs + nextProbeReasonText(status->nextReason);
    if (status->timeoutMs > 0)
        schedule += tr(" · timeout %1%2")
                        .arg(latencyText(static_cast<double>(status->timeoutMs)),
                            status->adaptiveTimeout ? tr(" (adaptive)") : QString());
    m_schedule->setText(schedule);
}

QString DetailPane::figuresText() const
{
    return m_figures->text();
}

QString DetailPane::lastProbeText() const
{
    return m_status->text() + u"\n"_qs + m_outcome->text() + u"\n"_qs + m_reason->text() + u"\n"_qs + m_phases->text()
        + u"\n"_qs + m_trace->text() + u"\n"_qs + m_schedule->text();
}

void DetailPane::setRemoteSelection(const RemoteSelection& selection)
{
    const bool same = m_remote && m_remote->source == selection.source && m_remote->endpoint == selection.endpoint
        && m_remote->locations == selection.locations;
    m_remote = selection;
    m_endpoint.clear();
    m_figures->setWordWrap(true); // one clause per location: several locations would widen the pane
    if (!m_overlays.isEmpty()) {
        m_overlays.clear();
        m_latency->clearOverlays();
    }
    QString title = selection.endpoint;
    if (!selection.url.isEmpty() && selection.url != selection.endpoint)
        title += u" — "_qs + selection.url;
    title += tr("   (remote: %1 from %2)").arg(selection.locations.join(u", "_qs), selection.sourceName);
    m_title->setText(title);
    m_status->setText(selection.cellLines.isEmpty() ? u"—"_qs : selection.cellLines.join(u'\n'));
    for (QLabel* l : { m_outcome, m_reason, m_phases, m_trace, m_tls })
        l->setText(u"—"_qs);
    m_schedule->setText(tr("probed by the remote probers; their series read from %1 every %2")
                            .arg(selection.source.url.toString(QUrl::RemoveUserInfo),
                                formatDuration(std::max(selection.source.interval, Millis(2000)))));
    if (!same) {
        const QString reading
            = tr("Reading %1 of %2 from %3…").arg(m_range.label(), selection.endpoint, selection.sourceName);
        m_figures->setText(reading);
        m_latency->showNothing(reading);
        m_errors->showNothing(reading);
        refreshRemote();
    }
    // Prometheus is asked as often as the source polls it (at most every 2 s). Called with every poll: an active
    // timer given its interval again restarts, and would never fire.
    const int interval = static_cast<int>(std::max<qint64>(selection.source.interval.count(), 2000));
    if (m_refresh->interval() != interval)
        m_refresh->setInterval(interval);
    if (!m_refresh->isActive())
        m_refresh->start();
}

void DetailPane::refreshRemote()
{
    if (!m_remote)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    FleetRangeRequest request;
    request.source = m_remote->source;
    request.endpoint = m_remote->endpoint;
    request.locations = m_remote->locations;
    request.fromMs = m_range.resolvedFrom(now);
    request.toMs = m_range.resolvedTo(now);
    // A few hundred points at most, and not more than the plot has pixels.
    request.maxPoints = std::clamp(m_latency->preferredBucketCount(), 60, 250);
    m_rangeReader->request(request);
}

void DetailPane::applyRemote(const FleetRangeAnswer& answer)
{
    if (!m_remote || answer.request.endpoint != m_remote->endpoint || !(answer.request.source == m_remote->source))
        return;
    const QString where = answer.request.source.url.toString(QUrl::RemoveUserInfo);
    if (!answer.ok()) {
        // Never empty charts that look healthy: the charts say the source did not answer, and why.
        const QString text = answer.state == SourceState::Down
            ? tr("Prometheus at %1 did not answer: %2").arg(where, answer.error)
            : tr("Prometheus at %1 answered with an error: %2").arg(where, answer.error);
        m_latency->showNothing(text);
        m_errors->showNothing(text);
        m_figures->setText(tr("%1: no range read — %2").arg(m_range.label(), text));
    } else {
        // The same locations in both charts, in the same order and colours.
        QStringList locations;
        for (const auto* lines : { &answer.latencyMs, &answer.errorPercent })
            for (const FleetLine& line : *lines)
                if (!locations.contains(line.location))
                    locations.append(line.location);
        locations.sort();
        const auto chartLines = [&locations](const QList<FleetLine>& lines) {
            QList<TimeSeriesChartView::Line> out;
            for (const QString& location : std::as_const(locations)) {
                TimeSeriesChartView::Line line { location, {} };
                for (const FleetLine& l : lines)
                    if (l.location == location)
                        line.points = l.points;
                out.append(line);
            }
            return out;
        };
        const QString empty = tr("Prometheus at %1 has no samples of %2 in this range").arg(where, m_remote->endpoint);
        // A line breaks where a step has no value (no probe, or no scrape, in its window).
        const qint64 gap = answer.stepMs * 3 / 2;
        m_latency->setLines(chartLines(answer.latencyMs), answer.request.fromMs, answer.request.toMs, gap, empty);
        m_errors->setLines(chartLines(answer.errorPercent), answer.request.fromMs, answer.request.toMs, gap, empty);
        QStringList latest;
        for (const QString& location : std::as_const(locations)) {
            QStringList parts;
            for (const FleetLine& l : answer.errorPercent)
                if (l.location == location && !l.points.isEmpty())
                    parts << tr("errors %1 %").arg(l.points.last().y(), 0, 'f', 1);
            for (const FleetLine& l : answer.latencyMs)
                if (l.location == location && !l.points.isEmpty())
                    parts << tr("latency %1").arg(latencyText(l.points.last().y()));
            latest << location + u": "_qs + (parts.isEmpty() ? tr("no samples") : parts.join(u", "_qs));
        }
        m_figures->setText(tr("%1 from %2, a point every %3 · latest %4 · read in %5 ms")
                               .arg(m_range.label(), m_remote->sourceName, formatDuration(Millis(answer.stepMs)),
                                   latest.join(u"; "_qs))
                               .arg(answer.elapsedMs));
        m_figures->setToolTip(
            tr("Latency: %1. Errors: the share of probes that did not end ok.").arg(answer.latencyMeaning));
    }
    ++m_chartUpdates;
    emit chartUpdated();
}

} // namespace sd
