// SPDX-License-Identifier: GPL-3.0-or-later
#include "CredentialsCommand.h"

namespace sd {

int runCredentialsCommand(const QStringList& args, QTextStream& in, QTextStream& out, QTextStream& err)
{
    Q_UNUSED(args)
    Q_UNUSED(in)
    Q_UNUSED(out)
    err << "signaldeck credentials: not available in this build yet" << Qt::endl;
    return 3;
}

} // namespace sd
