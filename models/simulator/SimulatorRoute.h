// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

namespace sd {

/// One route of the simulator, for `--simulate` to print and for tests to iterate. Raw-fault routes are
/// served by a plain TCP server on a second port (Simulator::rawPort()), because they must break HTTP
/// itself; Simulator::url() picks the right base for either kind.
struct SimulatorRoute {
    QString path; ///< "/healthy"; a template shows its parameter as "/status/{code}"
    QString description; ///< one line
    bool rawFault = false; ///< served on the raw-fault port

    /// The route table, HTTP routes first, then the raw faults.
    static const QList<SimulatorRoute>& all();
    /// True for "/hang", "/close", "/reset" and "/garbage" (a query is ignored).
    static bool isRawFault(QStringView path);
};

} // namespace sd
