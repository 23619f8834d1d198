// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/CredentialAdvisory.h"

namespace sd {

namespace {

constexpr qint64 kExpiryWarningSeconds = qint64(24) * 3600;
constexpr qint64 kSecondsPerDay = qint64(24) * 3600;

// "5 h 3 min", "42 min", "30 s": the rough countdown an operator reads.
QString roughDuration(qint64 seconds)
{
    if (seconds >= 3600)
        return QStringLiteral("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
    if (seconds >= 60)
        return QStringLiteral("%1 min").arg(seconds / 60);
    return QStringLiteral("%1 s").arg(seconds);
}

} // namespace

CredentialAdvisory credentialAdvisory(const CredentialConfig& credential, const QDateTime& nowUtc)
{
    const QString expiresText
        = credential.expires.isValid() ? credential.expires.toUTC().toString(Qt::ISODate) : QString();
    if (credential.expires.isValid()) {
        const qint64 left = nowUtc.secsTo(credential.expires);
        if (left <= 0) {
            return { SignalState::Critical,
                QStringLiteral("credential expired %1 ago (JWT exp %2)").arg(roughDuration(-left), expiresText) };
        }
        if (left <= kExpiryWarningSeconds) {
            return { SignalState::Warning,
                QStringLiteral("credential expires in %1 (JWT exp %2)").arg(roughDuration(left), expiresText) };
        }
    }
    const QDateTime since = credential.rotated.isValid() ? credential.rotated : credential.created;
    if (since.isValid() && credential.rotationDays > 0) {
        const qint64 ageSeconds = since.secsTo(nowUtc);
        if (ageSeconds > credential.rotationDays * kSecondsPerDay) {
            return { SignalState::Warning,
                QStringLiteral("credential is %1 days old (rotation policy: %2 days)")
                    .arg(ageSeconds / kSecondsPerDay)
                    .arg(credential.rotationDays) };
        }
    }
    return {};
}

CredentialAdvisory certificateAdvisory(
    const QString& what, const QDateTime& expiresAt, const TlsConfig& tls, const QDateTime& nowUtc)
{
    if (!expiresAt.isValid())
        return {};
    const qint64 left = nowUtc.secsTo(expiresAt);
    const QString when = expiresAt.toUTC().toString(Qt::ISODate);
    if (left <= 0) {
        return { SignalState::Critical,
            QStringLiteral("%1 expired %2 ago (%3): renew the certificate").arg(what, roughDuration(-left), when) };
    }
    const QString in
        = left >= kSecondsPerDay ? QStringLiteral("%1 days").arg(left / kSecondsPerDay) : roughDuration(left);
    if (left <= tls.certCriticalDays * kSecondsPerDay) {
        return { SignalState::Critical,
            QStringLiteral("%1 expires in %2 (%3): renew the certificate").arg(what, in, when) };
    }
    if (left <= tls.certWarnDays * kSecondsPerDay) {
        return { SignalState::Warning,
            QStringLiteral("%1 expires in %2 (%3): renew the certificate").arg(what, in, when) };
    }
    return {};
}

CredentialAdvisory worseAdvisory(const CredentialAdvisory& a, const CredentialAdvisory& b)
{
    return b.state > a.state ? b : a;
}

} // namespace sd
