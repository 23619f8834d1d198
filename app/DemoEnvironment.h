// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/ConfigError.h"

#include <QObject>

class QThread;

namespace sd {

class Simulator;

/// The built-in demo: the embedded simulator running in its own thread (so that a busy GUI or engine never
/// delays its answers) and the demo config pointed at it. The demo's credential ("demo-llm", on
/// `/auth/bearer`) is refused until the operator rotates it to validToken(): a random token made up at each
/// start, accepted by this simulator only, and found in no file (the config names the credential, never a
/// secret).
class DemoEnvironment : public QObject {
    Q_OBJECT
public:
    explicit DemoEnvironment(QObject* parent = nullptr);
    ~DemoEnvironment() override;

    /// Starts the simulator on 127.0.0.1: HTTP on `port`, raw faults on `port` + 1 (`port` 0 = any free
    /// ports). False with `error` set on failure (either port taken, `port` 65535).
    bool start(quint16 port, QString* error);
    /// The demo config with its placeholders replaced by the running simulator's addresses.
    ConfigParseResult config() const;
    QString baseUrl() const;
    Simulator* simulator() const { return m_simulator; }
    /// The one token `/auth/bearer` accepts while this demo runs; empty before start().
    QByteArray validToken() const { return m_validToken; }
    /// The id of the demo's credential in the demo config.
    static QString credentialId() { return QStringLiteral("demo-llm"); }

private:
    QThread* m_thread;
    Simulator* m_simulator = nullptr;
    QByteArray m_validToken;
};

} // namespace sd
