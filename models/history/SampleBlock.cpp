// SPDX-License-Identifier: GPL-3.0-or-later
#include "history/SampleBlock.h"

#include "history/HistorySchema.h"

#include <algorithm>
#include <array>

using namespace Qt::StringLiterals;

namespace sd::SampleBlock {

namespace {

constexpr quint8 kHasMeta = 1;
constexpr quint8 kHasMask = 2;
constexpr quint64 kDodEscape = 63;

constexpr quint8 kMaskStatus = 1;
constexpr quint8 kMaskAttempts = 2;
constexpr quint8 kMaskBytes = 4;
constexpr quint8 kMaskReason = 8;
constexpr quint8 kMaskUrl = 16;
constexpr quint8 kMaskLayout = 32;
constexpr quint8 kMaskSigned = 64;

constexpr int kTraceNone = 0;
constexpr int kTraceBinary = 1;
constexpr int kTraceText = 2;
constexpr quint8 kLayoutTtfbRelative = 0x80;
constexpr int kMaxTraceText = 64;

quint64 zigzag(qint64 v)
{
    return (static_cast<quint64>(v) << 1) ^ static_cast<quint64>(v >> 63);
}

qint64 unzigzag(quint64 v)
{
    return static_cast<qint64>(v >> 1) ^ -static_cast<qint64>(v & 1);
}

void putVarint(QByteArray& out, quint64 v)
{
    while (v >= 0x80) {
        out.append(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.append(static_cast<char>(v));
}

void putSigned(QByteArray& out, qint64 v)
{
    putVarint(out, zigzag(v));
}

class Reader {
public:
    explicit Reader(QByteArrayView data)
        : m_data(data)
    {
    }
    bool atEnd() const { return m_pos >= m_data.size(); }
    bool failed() const { return m_failed; }
    quint8 byte()
    {
        if (m_pos >= m_data.size()) {
            m_failed = true;
            return 0;
        }
        return static_cast<quint8>(m_data[m_pos++]);
    }
    quint64 varint()
    {
        quint64 v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const quint8 b = byte();
            if (m_failed)
                return 0;
            v |= static_cast<quint64>(b & 0x7f) << shift;
            if (!(b & 0x80))
                return v;
        }
        m_failed = true;
        return 0;
    }
    qint64 signedVarint() { return unzigzag(varint()); }
    QByteArrayView bytes(qsizetype n)
    {
        if (n < 0 || n > m_data.size() - m_pos) {
            m_failed = true;
            return {};
        }
        const QByteArrayView v = m_data.sliced(m_pos, n);
        m_pos += n;
        return v;
    }

private:
    QByteArrayView m_data;
    qsizetype m_pos = 0;
    bool m_failed = false;
};

int traceKindOf(const QByteArray& hex, QByteArray* raw)
{
    if (hex.isEmpty())
        return kTraceNone;
    if (hex.size() == 32) {
        *raw = QByteArray::fromHex(hex);
        if (raw->size() == 16 && raw->toHex() == hex.toLower())
            return kTraceBinary;
    }
    return kTraceText;
}

std::array<qint64, 5> phasesOf(const ProbePhases& p)
{
    return { p.queueUs, p.connectUs, p.sentUs, p.ttfbUs, p.downloadUs };
}

} // namespace

Encoder::Encoder()
{
    m_data.reserve(kTargetBytes + 256);
    m_data.append(kFormat);
}

void Encoder::append(const StoredSample& s)
{
    qint64 dt = 0;
    if (m_count == 0) {
        m_firstMs = s.startMs;
    } else {
        dt = s.startMs - m_lastMs;
    }
    const quint64 dod = zigzag(dt - m_prevDt);

    const quint8 meta = static_cast<quint8>(HistorySchema::outcomeToStored(s.outcome))
        | static_cast<quint8>((static_cast<int>(s.signal) & 7) << 3) | (s.connectionReused ? 0x40 : 0)
        | (s.bodyTruncated ? 0x80 : 0);
    const quint8 prevMeta = static_cast<quint8>(HistorySchema::outcomeToStored(m_prev.outcome))
        | static_cast<quint8>((static_cast<int>(m_prev.signal) & 7) << 3) | (m_prev.connectionReused ? 0x40 : 0)
        | (m_prev.bodyTruncated ? 0x80 : 0);

    QByteArray rawTrace;
    const int traceKind = traceKindOf(s.traceId, &rawTrace);
    const auto phases = phasesOf(s.phases);
    auto layout = static_cast<quint8>(traceKind << 5);
    for (size_t i = 0; i < phases.size(); ++i) {
        if (phases[i] != -1)
            layout |= static_cast<quint8>(1 << i);
    }
    if (s.phases.ttfbUs >= 0 && s.latencyUs >= s.phases.ttfbUs)
        layout |= kLayoutTtfbRelative;

    quint8 mask = 0;
    if (m_count == 0 || s.httpStatus != m_prev.httpStatus)
        mask |= kMaskStatus;
    if (m_count == 0 || s.attempts != m_prev.attempts)
        mask |= kMaskAttempts;
    if (m_count == 0 || s.bytesRead != m_prev.bytesRead)
        mask |= kMaskBytes;
    if (m_count == 0 || s.reasonId != m_prev.reasonId)
        mask |= kMaskReason;
    if (m_count == 0 || s.urlId != m_prev.urlId)
        mask |= kMaskUrl;
    if (m_count == 0 || layout != m_prevLayout)
        mask |= kMaskLayout;
    // Latency and phases are non-negative in practice: plain varints, unless one of this sample's is not.
    bool negative = s.latencyUs < 0;
    for (const qint64 phase : phases)
        negative = negative || (phase != -1 && phase < 0);
    if (negative)
        mask |= kMaskSigned;
    auto putValue = [this, negative](qint64 v) { putVarint(m_data, negative ? zigzag(v) : static_cast<quint64>(v)); };
    const bool metaChanged = m_count == 0 || meta != prevMeta;

    quint8 control = (metaChanged ? kHasMeta : 0) | (mask ? kHasMask : 0);
    control |= static_cast<quint8>(std::min(dod, kDodEscape) << 2);
    m_data.append(static_cast<char>(control));
    if (dod >= kDodEscape)
        putVarint(m_data, dod);
    if (metaChanged)
        m_data.append(static_cast<char>(meta));
    if (mask) {
        m_data.append(static_cast<char>(mask));
        if (mask & kMaskStatus)
            putSigned(m_data, s.httpStatus);
        if (mask & kMaskAttempts)
            putSigned(m_data, s.attempts);
        if (mask & kMaskBytes)
            putSigned(m_data, s.bytesRead);
        if (mask & kMaskReason)
            putSigned(m_data, s.reasonId);
        if (mask & kMaskUrl)
            putSigned(m_data, s.urlId);
        if (mask & kMaskLayout)
            m_data.append(static_cast<char>(layout));
    }
    putValue(s.latencyUs);
    for (size_t i = 0; i < phases.size(); ++i) {
        if (!(layout & (1 << i)))
            continue;
        if (i == 3 && (layout & kLayoutTtfbRelative))
            putValue(s.latencyUs - phases[i]);
        else
            putValue(phases[i]);
    }
    if (traceKind == kTraceBinary) {
        m_data.append(rawTrace);
    } else if (traceKind == kTraceText) {
        const QByteArray text = s.traceId.left(kMaxTraceText);
        putVarint(m_data, static_cast<quint64>(text.size()));
        m_data.append(text);
    }

    if (s.reasonId > 0 && !m_reasons.contains(s.reasonId))
        m_reasons.append(s.reasonId);
    m_prev = s;
    m_prevLayout = layout;
    m_prevDt = dt;
    m_lastMs = s.startMs;
    ++m_count;
}

QByteArray Encoder::reasonIds() const
{
    QByteArray out;
    for (int id : m_reasons)
        putVarint(out, static_cast<quint64>(id));
    return out;
}

QList<int> decodeReasonIds(QByteArrayView data)
{
    QList<int> ids;
    Reader r(data);
    while (!r.atEnd()) {
        const quint64 v = r.varint();
        if (r.failed())
            break;
        ids.append(static_cast<int>(v));
    }
    return ids;
}

bool decode(
    QByteArrayView data, qint64 firstMs, int endpointId, QList<StoredSample>* out, bool withTraceIds, QString* error)
{
    auto fail = [error](const QString& what) {
        if (error)
            *error = what;
        return false;
    };
    Reader r(data);
    if (r.byte() != static_cast<quint8>(kFormat) || r.failed())
        return fail(u"a sample block has an unknown format"_s);
    StoredSample s;
    s.endpointId = endpointId;
    quint8 layout = 0;
    qint64 t = firstMs;
    qint64 prevDt = 0;
    bool first = true;
    static constexpr char kHex[] = "0123456789abcdef";
    while (!r.atEnd()) {
        const quint8 control = r.byte();
        quint64 dod = control >> 2;
        if (dod == kDodEscape)
            dod = r.varint();
        const qint64 dt = first ? 0 : prevDt + unzigzag(dod);
        if (!first && dt <= 0)
            return fail(u"a sample block's times do not increase"_s);
        t += dt;
        prevDt = dt;
        if (control & kHasMeta) {
            const quint8 meta = r.byte();
            const auto outcome = HistorySchema::outcomeFromStored(meta & 7);
            const auto signal = HistorySchema::signalFromStored((meta >> 3) & 7);
            if (!outcome || !signal)
                return fail(u"a sample block has an unknown outcome or signal"_s);
            s.outcome = *outcome;
            s.signal = *signal;
            s.connectionReused = meta & 0x40;
            s.bodyTruncated = meta & 0x80;
        } else if (first) {
            return fail(u"a sample block starts without its outcome"_s);
        }
        bool negative = false;
        if (control & kHasMask) {
            const quint8 mask = r.byte();
            negative = mask & kMaskSigned;
            if (mask & kMaskStatus)
                s.httpStatus = static_cast<int>(r.signedVarint());
            if (mask & kMaskAttempts)
                s.attempts = static_cast<int>(r.signedVarint());
            if (mask & kMaskBytes)
                s.bytesRead = r.signedVarint();
            if (mask & kMaskReason)
                s.reasonId = static_cast<int>(r.signedVarint());
            if (mask & kMaskUrl)
                s.urlId = static_cast<int>(r.signedVarint());
            if (mask & kMaskLayout)
                layout = r.byte();
        } else if (first) {
            return fail(u"a sample block starts without its fields"_s);
        }
        s.startMs = t;
        auto value = [&r, negative] { return negative ? r.signedVarint() : static_cast<qint64>(r.varint()); };
        s.latencyUs = value();
        std::array<qint64, 5> phases { -1, -1, -1, -1, -1 };
        for (size_t i = 0; i < phases.size(); ++i) {
            if (!(layout & (1 << i)))
                continue;
            phases[i] = value();
            if (i == 3 && (layout & kLayoutTtfbRelative))
                phases[i] = s.latencyUs - phases[i];
        }
        s.phases = { phases[0], phases[1], phases[2], phases[3], phases[4] };
        const int traceKind = (layout >> 5) & 3;
        QByteArrayView trace;
        if (traceKind == kTraceBinary)
            trace = r.bytes(16);
        else if (traceKind == kTraceText)
            trace = r.bytes(static_cast<qsizetype>(std::min<quint64>(r.varint(), kMaxTraceText + 1)));
        else if (traceKind != kTraceNone)
            return fail(u"a sample block has an unknown trace id kind"_s);
        if (r.failed())
            return fail(u"a sample block is truncated"_s);
        if (!withTraceIds || traceKind == kTraceNone) {
            s.traceId.clear();
        } else if (traceKind == kTraceBinary) {
            s.traceId.resize(32);
            for (qsizetype i = 0; i < 16; ++i) {
                const auto byte = static_cast<quint8>(trace[i]);
                s.traceId[2 * i] = kHex[byte >> 4];
                s.traceId[2 * i + 1] = kHex[byte & 0xf];
            }
        } else {
            s.traceId = trace.toByteArray();
        }
        out->append(s);
        first = false;
    }
    return true;
}

} // namespace sd::SampleBlock
