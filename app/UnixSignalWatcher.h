// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

class QSocketNotifier;

namespace sd {

/// Turns SIGINT and SIGTERM into a Qt signal, safely: the handler only writes a byte to a socket pair
/// (async-signal-safe); a QSocketNotifier reads it in the event loop. One instance per process. SIGHUP
/// keeps its default (the process ends) unless watchHangup() asks for it as reloadRequested().
class UnixSignalWatcher : public QObject {
    Q_OBJECT
public:
    explicit UnixSignalWatcher(QObject* parent = nullptr);
    ~UnixSignalWatcher() override;

    /// From now on SIGHUP emits reloadRequested() instead of ending the process (`--headless` re-reads its
    /// config, the daemon convention).
    void watchHangup();

signals:
    void terminationRequested(int signalNumber);
    void reloadRequested();

private:
    QSocketNotifier* m_notifier = nullptr;
    bool m_hangup = false;
};

} // namespace sd
