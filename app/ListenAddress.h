// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHostAddress>
#include <QString>

#include <optional>

namespace sd {

/// The `--listen ADDR:PORT` of `--headless`: "9464" and ":9464" mean 127.0.0.1:9464 (loopback unless an
/// address is given explicitly); "0.0.0.0:9464", "[::]:9464", "[::1]:9464" and "localhost:9464" are taken
/// as written. Only IP literals and "localhost": no name lookup at start.
struct ListenAddress {
    QHostAddress address;
    quint16 port = 0;

    /// nullopt with the reason in `error` for anything else.
    static std::optional<ListenAddress> parse(const QString& text, QString* error);
    /// "127.0.0.1:9464", "[::1]:9464".
    QString toString() const;
};

} // namespace sd
