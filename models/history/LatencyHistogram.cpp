// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/LatencyHistogram.h"

#include <algorithm>
#include <cmath>

namespace sd {

namespace {

constexpr char kEncodingVersion = 1;

// Lower bounds of buckets 1..N-1, computed once so every caller classifies a value identically.
const std::array<double, LatencyHistogram::kBucketCount>& lowerBounds()
{
    static const auto table = [] {
        std::array<double, LatencyHistogram::kBucketCount> t {};
        t[0] = 0.0;
        for (int i = 1; i < LatencyHistogram::kBucketCount; ++i)
            t[static_cast<size_t>(i)] = LatencyHistogram::kFirstBoundUs
                * std::exp2(static_cast<double>(i - 1) / LatencyHistogram::kBucketsPerDoubling);
        return t;
    }();
    return table;
}

void putVarint(QByteArray& out, quint64 v)
{
    while (v >= 0x80) {
        out.append(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.append(static_cast<char>(v));
}

bool getVarint(QByteArrayView in, qsizetype& pos, quint64& v)
{
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= in.size())
            return false;
        const auto byte = static_cast<quint8>(in[pos++]);
        v |= static_cast<quint64>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0)
            return true;
    }
    return false;
}

} // namespace

int LatencyHistogram::bucketFor(qint64 latencyUs)
{
    const auto& bounds = lowerBounds();
    const double v = static_cast<double>(std::max<qint64>(latencyUs, 0));
    const auto it = std::upper_bound(bounds.begin(), bounds.end(), v);
    return static_cast<int>(it - bounds.begin()) - 1;
}

double LatencyHistogram::bucketLowerUs(int bucket)
{
    return lowerBounds().at(static_cast<size_t>(std::clamp(bucket, 0, kBucketCount - 1)));
}

double LatencyHistogram::representativeUs(int bucket)
{
    if (bucket <= 0)
        return kFirstBoundUs / 2.0;
    return kFirstBoundUs * std::exp2((static_cast<double>(bucket) - 0.5) / kBucketsPerDoubling);
}

void LatencyHistogram::add(qint64 latencyUs, qint64 count)
{
    m_counts[static_cast<size_t>(bucketFor(latencyUs))] += count;
    m_total += count;
}

void LatencyHistogram::merge(const LatencyHistogram& other)
{
    for (size_t i = 0; i < m_counts.size(); ++i)
        m_counts[i] += other.m_counts[i];
    m_total += other.m_total;
}

double LatencyHistogram::percentileUs(double p, double minUs, double maxUs) const
{
    if (m_total == 0)
        return 0.0;
    const auto rank
        = std::clamp<qint64>(static_cast<qint64>(std::ceil(p / 100.0 * static_cast<double>(m_total))), 1, m_total);
    // The smallest and largest samples are known exactly.
    if (rank == 1)
        return minUs;
    if (rank == m_total)
        return std::max(minUs, maxUs);
    qint64 seen = 0;
    for (int i = 0; i < kBucketCount; ++i) {
        seen += m_counts[static_cast<size_t>(i)];
        if (seen >= rank)
            return std::clamp(representativeUs(i), minUs, std::max(minUs, maxUs));
    }
    return maxUs;
}

QByteArray LatencyHistogram::encode() const
{
    QByteArray out;
    out.reserve(16);
    out.append(kEncodingVersion);
    int next = 0;
    for (int i = 0; i < kBucketCount; ++i) {
        const qint64 c = m_counts[static_cast<size_t>(i)];
        if (c == 0)
            continue;
        putVarint(out, static_cast<quint64>(i - next));
        putVarint(out, static_cast<quint64>(c));
        next = i + 1;
    }
    return out;
}

std::optional<LatencyHistogram> LatencyHistogram::decode(QByteArrayView blob)
{
    LatencyHistogram h;
    if (!h.mergeEncoded(blob))
        return std::nullopt;
    return h;
}

bool LatencyHistogram::mergeEncoded(QByteArrayView blob)
{
    if (blob.isEmpty() || blob.front() != kEncodingVersion)
        return false;
    // Validate first so that a damaged blob leaves the histogram unchanged.
    for (int pass = 0; pass < 2; ++pass) {
        qsizetype pos = 1;
        quint64 next = 0;
        while (pos < blob.size()) {
            quint64 gap = 0;
            quint64 count = 0;
            if (!getVarint(blob, pos, gap) || !getVarint(blob, pos, count))
                return false;
            const quint64 bucket = next + gap;
            if (bucket >= static_cast<quint64>(kBucketCount) || count == 0 || count > quint64(1) << 40)
                return false;
            if (pass == 1) {
                m_counts[static_cast<size_t>(bucket)] += static_cast<qint64>(count);
                m_total += static_cast<qint64>(count);
            }
            next = bucket + 1;
        }
    }
    return true;
}

} // namespace sd
