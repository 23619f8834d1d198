// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <optional>

namespace sd {

/// The adaptive timeout of one endpoint, computed as TCP computes its retransmission timeout
/// (RFC 6298): the first RTT sample R sets SRTT = R and RTTVAR = R/2; later samples update
/// RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R| and then SRTT = 7/8 SRTT + 1/8 R; RTO = SRTT + max(G, 4 RTTVAR)
/// with a granularity G of 1 ms, rounded up to whole milliseconds and clamped to the endpoint's
/// [timeoutMin, timeoutMax]. Before the first sample the RTO is the given initial value, or the upper
/// bound. Karn's rule: a sample from a retried attempt is ignored, since it was taken while the path was
/// misbehaving. A timeout doubles the current RTO (clamped) without touching SRTT and RTTVAR, so the
/// next valid sample recomputes the RTO from the smoothed history. Pure arithmetic, no clocks.
class RtoEstimator {
public:
    /// `minRto` and `maxRto` are swapped if given in the wrong order; `initialRto` is clamped to them.
    RtoEstimator(std::chrono::milliseconds minRto, std::chrono::milliseconds maxRto,
        std::optional<std::chrono::milliseconds> initialRto = std::nullopt);

    /// Feeds the round-trip time of one successful attempt (any HTTP answer counts; its latency is a
    /// valid RTT). Returns false when the sample was ignored: a retried attempt (Karn) or a negative time.
    bool addSample(std::chrono::microseconds rtt, bool fromRetriedAttempt);
    /// An attempt ran into the RTO: back off by doubling it, up to the upper bound.
    void onTimeout();

    /// The timeout to use for the next attempt.
    std::chrono::milliseconds rto() const { return m_rto; }
    /// Smoothed RTT and its variation in microseconds; nullopt before the first valid sample.
    std::optional<double> srttUs() const;
    std::optional<double> rttvarUs() const;
    bool hasSample() const { return m_hasSample; }

    std::chrono::milliseconds minRto() const { return m_min; }
    std::chrono::milliseconds maxRto() const { return m_max; }

private:
    std::chrono::milliseconds clamp(std::chrono::milliseconds rto) const;

    std::chrono::milliseconds m_min;
    std::chrono::milliseconds m_max;
    std::chrono::milliseconds m_rto;
    bool m_hasSample = false;
    double m_srttUs = 0.0;
    double m_rttvarUs = 0.0;
};

} // namespace sd
