// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/FailureSignal.h"

#include <QDateTime>
#include <QString>

namespace sd {

/// What a credential's metadata alone says about S2, before any probe fails (docs/SIGNALS.md: "S2 Warning when
/// a JWT expires within 24 h or a credential is older than its rotation policy").
struct CredentialAdvisory {
    SignalState state = SignalState::Ok;
    QString reason; ///< empty when Ok
    bool operator==(const CredentialAdvisory&) const = default;
};

/// Pure: the advisory for `credential` at `nowUtc`. Expired (`expires` at or before now) → Critical
/// "credential expired …"; expiring within 24 h → Warning "credential expires in …"; `rotated` (or
/// `created`) more than `rotationDays` days ago → Warning "credential is N days old (rotation policy: M
/// days)". The worst applies; unknown times raise nothing.
CredentialAdvisory credentialAdvisory(const CredentialConfig& credential, const QDateTime& nowUtc);

/// Pure: what a certificate's expiry says about S2 while the probes still succeed (issue 16; docs/SIGNALS.md
/// "Certificates"). `what` names it ("server certificate CN=api.example"). Expired or within
/// `tls.certCriticalDays` of `expiresAt` → Critical, within `tls.certWarnDays` → Warning, each with "renew the
/// certificate"; an invalid time raises nothing.
CredentialAdvisory certificateAdvisory(
    const QString& what, const QDateTime& expiresAt, const TlsConfig& tls, const QDateTime& nowUtc);

/// The worse of two advisories (the first when equal).
CredentialAdvisory worseAdvisory(const CredentialAdvisory& a, const CredentialAdvisory& b);

} // namespace sd
