// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace sd {

/// `signaldeck credentials list | add ID ... | rotate ID [--no-verify] | rollback ID | delete ID`.
/// `args` are the arguments after the word `credentials`; secrets are read from `in` only.
int runCredentialsCommand(const QStringList& args, QTextStream& in, QTextStream& out, QTextStream& err);

} // namespace sd
