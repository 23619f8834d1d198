// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

namespace sd {

/// Why a keychain operation failed. NoKeychain covers "no D-Bus session", "no Secret Service" and "no
/// backend on this platform"; AccessDenied a locked keychain or a user who said no; Timeout a job that
/// did not finish within the store's watchdog.
enum class CredentialError : quint8 { None, NotFound, NoKeychain, AccessDenied, Timeout, Other };

/// "none", "not_found", "no_keychain", "access_denied", "timeout", "other".
QString credentialErrorCode(CredentialError error);

/// The answer to one keychain operation. `message` says what was done, where and what went wrong
/// ("reading \"llm-prod\" from the OS keychain (Secret Service, service \"signaldeck\"): no OS keychain:
/// Could not connect"); it never contains a secret. `secret` is set by successful reads only and must
/// never be logged.
struct CredentialReply {
    CredentialError error = CredentialError::None;
    QString message;
    QByteArray secret;
    bool ok() const { return error == CredentialError::None; }
};

/// The S2 reason shown for an endpoint whose credential could not be read: "credential unavailable: no OS
/// keychain", "credential unavailable: not in the keychain", and so on.
QString credentialUnavailableReason(CredentialError error);

} // namespace sd

Q_DECLARE_METATYPE(sd::CredentialReply)
