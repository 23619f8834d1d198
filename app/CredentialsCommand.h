// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace sd {

class CredentialStore;

/// `signaldeck credentials list | add ID ... | rotate ID [--no-verify] | rollback ID | delete ID`.
/// `args` are the arguments after the word `credentials`; secrets are read from `in` only. Uses the OS
/// keychain; exit codes are in the --help text and docs/CONFIG.md.
int runCredentialsCommand(const QStringList& args, QTextStream& in, QTextStream& out, QTextStream& err);
/// The same against a given store (tests use an in-memory one).
int runCredentialsCommand(
    const QStringList& args, QTextStream& in, QTextStream& out, QTextStream& err, CredentialStore& store);

} // namespace sd
