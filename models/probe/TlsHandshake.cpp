// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/TlsHandshake.h"

namespace sd {

TlsFailure tlsFailureOfHandshakeText(QStringView detail, bool sentClientCertificate)
{
    const auto has = [&](const char* text) { return detail.contains(QLatin1StringView(text), Qt::CaseInsensitive); };
    const TlsFailure clientCertificate
        = sentClientCertificate ? TlsFailure::ClientCertificateRefused : TlsFailure::ClientCertificateRequired;
    if (has("certificate required") || (!sentClientCertificate && has("handshake failure") && has("alert")))
        return clientCertificate;
    if (has("bad certificate") || has("unknown ca") || has("certificate unknown") || has("certificate expired")
        || has("unsupported certificate") || has("certificate revoked"))
        return clientCertificate;
    if (has("protocol version") || has("unsupported protocol") || has("no protocols available")
        || has("wrong version number") || has("no shared cipher") || has("no cipher") || has("handshake failure"))
        return TlsFailure::Protocol;
    return TlsFailure::Other;
}

} // namespace sd
