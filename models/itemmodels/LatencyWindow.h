// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ProbeResult.h"

#include <deque>
#include <optional>

namespace sd {

/// Figures over the last N probes of one endpoint, as the endpoint table shows them.
struct WindowFigures {
    int probes = 0; ///< probes in the window
    int answered = 0; ///< of them, probes that received an HTTP status (the latency percentiles cover these)
    std::optional<double> p50Ms;
    std::optional<double> p95Ms;
    std::optional<double> p99Ms;
    std::optional<double> errorRate; ///< share of probes whose outcome is not Ok, 0..1; nullopt with no probes
    bool operator==(const WindowFigures&) const = default;
};

/// The last `capacity` probes of one endpoint, for latency percentiles and the error rate. Latencies count
/// only for probes that received an HTTP status, like the history store's figures: a timeout measures our
/// deadline, not the server. Percentiles use the nearest-rank method. Probes are added oldest first;
/// older ones (seeded from the history store after a restart) can be put in front.
class LatencyWindow {
public:
    explicit LatencyWindow(int capacity = 100);

    void setCapacity(int capacity);
    int capacity() const { return m_capacity; }

    /// A newer probe; the oldest falls out when the window is full.
    void add(const ProbeResult& result);
    /// A probe older than every probe in the window; ignored when the window is full.
    void addOlder(const ProbeResult& result);
    void clear() { m_samples.clear(); }
    int size() const { return static_cast<int>(m_samples.size()); }

    /// Computes the figures (sorts a copy of the window: call once per change, not per paint).
    WindowFigures figures() const;

private:
    struct Sample {
        double latencyMs;
        bool answered;
        bool ok;
    };
    static Sample sampleOf(const ProbeResult& result);

    int m_capacity;
    std::deque<Sample> m_samples; ///< oldest first
};

} // namespace sd
