// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/CredentialStore.h"

namespace sd {

/// Synchronous forms of the CredentialStore operations for the command line: each runs a local event loop
/// until the store answers (the store's watchdog bounds the wait). Never call them on the GUI thread.
CredentialReply readAndWait(CredentialStore& store, const QString& key);
CredentialReply writeAndWait(CredentialStore& store, const QString& key, const QByteArray& secret);
CredentialReply removeAndWait(CredentialStore& store, const QString& key);

} // namespace sd
