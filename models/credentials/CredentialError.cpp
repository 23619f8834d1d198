// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/CredentialError.h"

namespace sd {

QString credentialErrorCode(CredentialError error)
{
    switch (error) {
    case CredentialError::None:
        return QStringLiteral("none");
    case CredentialError::NotFound:
        return QStringLiteral("not_found");
    case CredentialError::NoKeychain:
        return QStringLiteral("no_keychain");
    case CredentialError::AccessDenied:
        return QStringLiteral("access_denied");
    case CredentialError::Timeout:
        return QStringLiteral("timeout");
    case CredentialError::Other:
        break;
    }
    return QStringLiteral("other");
}

QString credentialUnavailableReason(CredentialError error)
{
    switch (error) {
    case CredentialError::None:
        return {};
    case CredentialError::NotFound:
        return QStringLiteral("credential unavailable: not in the keychain");
    case CredentialError::NoKeychain:
        return QStringLiteral("credential unavailable: no OS keychain");
    case CredentialError::AccessDenied:
        return QStringLiteral("credential unavailable: keychain access denied (locked?)");
    case CredentialError::Timeout:
        return QStringLiteral("credential unavailable: the keychain did not answer");
    case CredentialError::Other:
        break;
    }
    return QStringLiteral("credential unavailable: keychain error");
}

} // namespace sd
