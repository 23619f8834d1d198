// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/ConfigError.h"

#include <QObject>

class QThread;

namespace sd {

class Simulator;

/// The built-in demo: the embedded simulator running in its own thread (so that a busy GUI or engine never
/// delays its answers) and the demo config pointed at it.
class DemoEnvironment : public QObject {
    Q_OBJECT
public:
    explicit DemoEnvironment(QObject* parent = nullptr);
    ~DemoEnvironment() override;

    /// Starts the simulator on 127.0.0.1 (`port` 0 = any free port). False with `error` set on failure.
    bool start(quint16 port, QString* error);
    /// The demo config with its placeholders replaced by the running simulator's addresses.
    ConfigParseResult config() const;
    QString baseUrl() const;
    Simulator* simulator() const { return m_simulator; }

private:
    QThread* m_thread;
    Simulator* m_simulator = nullptr;
};

} // namespace sd
