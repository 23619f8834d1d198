// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ProbeResult.h"

#include <QStringView>

namespace sd {

/// A handshake that failed without a certificate verification error: the alert the server sent (in the TLS
/// library's words, which both transports pass on) tells why. A "handshake failure" alert to a probe that
/// sent no client certificate is read as "client certificate required": TLS 1.2 has no alert of its own
/// for it (docs/SIGNALS.md "TLS").
TlsFailure tlsFailureOfHandshakeText(QStringView detail, bool sentClientCertificate);

} // namespace sd
