// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>

#include <chrono>
#include <utility>

namespace sd {

/// One HTTP answer the simulator will send: status, headers, body and how long to hold it back first.
/// Plain data produced by pure functions (CannedAnswers, JsonRpcAnswer, the scenario), so what a route
/// answers can be tested without a socket; the Simulator only writes it out, after `delay` on a timer.
struct SimulatedAnswer {
    int status = 200;
    QByteArray contentType = QByteArrayLiteral("application/json");
    QList<std::pair<QByteArray, QByteArray>> headers; ///< besides Content-Type and Content-Length
    QByteArray body;
    std::chrono::milliseconds delay { 0 };

    /// First value of a header, case-insensitive; empty when absent.
    QByteArray header(QByteArrayView name) const;
};

} // namespace sd
