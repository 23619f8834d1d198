// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/ProbeResult.h"
#include "history/HistoryReader.h"
#include "history/TimeRange.h"
#include "schedule/EngineTypes.h"
#include "sources/FleetTypes.h"

#include <QWidget>

#include <optional>

class QLabel;
class QFormLayout;
class QTimer;

namespace sd {

class LatencyChartView;
class ErrorRateChartView;
class FleetRangeReader;
struct FleetRangeAnswer;

/// The pane below the table for the selected endpoint: its latency chart (min/max per pixel column so
/// spikes stay visible, plus the p95 line) and its error rate stacked by signal over the chosen range,
/// the range's figures, and the last probe in detail (status, phases, outcome, signal, reason, trace id).
/// Chart data comes from the history database through a HistoryReader, refreshed every two seconds
/// while an endpoint is selected, so the charts survive restarts and cover 90 days alike.
class DetailPane : public QWidget {
    Q_OBJECT
public:
    explicit DetailPane(HistoryReader* reader, QWidget* parent = nullptr);

    /// The endpoints selected in the table; the charts show the first, the latency chart overlays the p95
    /// of up to three more, the title says how many.
    void setSelection(const QList<EndpointConfig>& endpoints);
    void setRange(const TimeRange& range);
    /// The thresholds the charts draw (latency warning/critical, error-rate warning/critical).
    void setThresholds(const Thresholds& thresholds);
    /// Per endpoint name, the spans its uptime leaves out (maintenance windows with `excludeFromUptime`).
    void setUptimeExclusions(const QHash<QString, TimeSpans>& byEndpointName);
    /// The selected endpoint's most recent probe and status (updated with every engine batch).
    void setLastProbe(const std::optional<ProbeResult>& result, const std::optional<EndpointStatus>& status);
    /// Asks for fresh chart data now (also done by the refresh timer).
    void refresh();

    QString currentEndpoint() const { return m_endpoint; }
    LatencyChartView* latencyChart() const { return m_latency; }
    ErrorRateChartView* errorChart() const { return m_errors; }
    QString figuresText() const;
    QString lastProbeText() const;
    /// Number of chart answers applied so far (tests wait on it).
    int chartUpdates() const { return m_chartUpdates; }

    /// A remote endpoint chosen in the fleet panel (issue 15.3): the charts show its series over the range,
    /// one line per location, read from the source's Prometheus (/api/v1/query_range) every `interval` of
    /// the source; a source that does not answer says so in the charts. setSelection() goes back to local.
    void setRemoteSelection(const RemoteSelection& selection);
    std::optional<RemoteSelection> remoteSelection() const { return m_remote; }
    FleetRangeReader* rangeReader() const { return m_rangeReader; }

signals:
    void chartUpdated();

private:
    void applyChart(const HistoryReader::ChartAnswer& answer);
    /// Asks for the chart of the overlay after `endpoint` (the reader keeps one request at a time).
    void requestOverlayAfter(const QString& endpoint);
    void refreshRemote();
    void applyRemote(const FleetRangeAnswer& answer);

    HistoryReader* m_reader;
    QString m_endpoint;
    QStringList m_overlays; ///< the other selected endpoints whose p95 the latency chart overlays
    HistoryReader::ChartRequest m_lastRequest;
    TimeRange m_range;
    QTimer* m_refresh;
    QLabel* m_title;
    QLabel* m_figures;
    LatencyChartView* m_latency;
    ErrorRateChartView* m_errors;
    QFormLayout* m_probeForm;
    QLabel* m_status;
    QLabel* m_outcome;
    QLabel* m_reason;
    QLabel* m_phases;
    QLabel* m_trace;
    QLabel* m_tls; ///< https: protocol and the presented chain (subject · issuer · expiry per certificate)
    QLabel* m_schedule;
    int m_chartUpdates = 0;
    std::optional<Thresholds> m_thresholds;
    std::optional<RemoteSelection> m_remote;
    FleetRangeReader* m_rangeReader;
    QHash<QString, TimeSpans> m_uptimeExcluded;
};

} // namespace sd
