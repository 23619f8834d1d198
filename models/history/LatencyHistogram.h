// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <array>
#include <optional>

namespace sd {

/// A fixed log-bucket histogram of latencies in microseconds, used for percentiles of rollups and of
/// ranges. Bucket 0 holds [0, 100 µs); bucket i ≥ 1 holds [100·2^((i-1)/16), 100·2^(i/16)) µs, sixteen
/// buckets per doubling, up to bucket 352 which also takes everything above its lower bound (≈ 402 s).
/// A percentile is the nearest-rank sample's bucket reported at the bucket's geometric midpoint and
/// clamped to the observed [min, max] (the first and last rank report min and max exactly): the relative error is at
/// most 2^(1/32) − 1 ≈ 2.2 % for latencies of 100 µs and more, at most 50 µs below that. Histograms merge exactly
/// (counts add), which is why per-minute rollups can answer percentiles over any range of minutes. Stored as a compact
/// sparse blob.
class LatencyHistogram {
public:
    static constexpr int kBucketsPerDoubling = 16;
    static constexpr double kFirstBoundUs = 100.0;
    static constexpr int kDoublings = 22;
    static constexpr int kBucketCount = 1 + kBucketsPerDoubling * kDoublings;

    /// The bucket a latency falls in (negative latencies count as 0).
    static int bucketFor(qint64 latencyUs);
    /// Inclusive lower bound of a bucket in µs (0 for bucket 0).
    static double bucketLowerUs(int bucket);
    /// The value reported for a bucket: 50 µs for bucket 0, the geometric midpoint otherwise.
    static double representativeUs(int bucket);

    void add(qint64 latencyUs, qint64 count = 1);
    void merge(const LatencyHistogram& other);
    qint64 count() const { return m_total; }
    bool isEmpty() const { return m_total == 0; }
    qint64 countInBucket(int bucket) const { return m_counts.at(static_cast<size_t>(bucket)); }

    /// Nearest-rank percentile p in (0, 100], clamped to [minUs, maxUs]; 0 when empty.
    double percentileUs(double p, double minUs, double maxUs) const;

    /// Sparse encoding: a version byte, then (bucket gap, count) pairs as unsigned LEB128 varints.
    QByteArray encode() const;
    /// nullopt when the blob is not a valid encoding.
    static std::optional<LatencyHistogram> decode(QByteArrayView blob);
    /// Adds an encoded histogram without decoding it into a temporary; false (and unchanged) if invalid.
    bool mergeEncoded(QByteArrayView blob);

    bool operator==(const LatencyHistogram&) const = default;

private:
    std::array<qint64, kBucketCount> m_counts {};
    qint64 m_total = 0;
};

} // namespace sd
