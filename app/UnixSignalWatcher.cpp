// SPDX-License-Identifier: GPL-3.0-or-later
#include "UnixSignalWatcher.h"

#include <QSocketNotifier>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace sd {

namespace {
int g_fds[2] = { -1, -1 };

void install(int number, void (*handler)(int))
{
    struct sigaction action { };
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(number, &action, nullptr);
}

void onSignal(int number)
{
    const auto byte = static_cast<char>(number);
    [[maybe_unused]] const auto n = ::write(g_fds[0], &byte, 1);
}
} // namespace

UnixSignalWatcher::UnixSignalWatcher(QObject* parent)
    : QObject(parent)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_fds) != 0)
        return;
    m_notifier = new QSocketNotifier(g_fds[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        char byte = 0;
        if (::read(g_fds[1], &byte, 1) != 1)
            return;
        if (static_cast<int>(byte) == SIGHUP)
            emit reloadRequested();
        else
            emit terminationRequested(static_cast<int>(byte));
    });
    install(SIGINT, onSignal);
    install(SIGTERM, onSignal);
}

void UnixSignalWatcher::watchHangup()
{
    if (m_notifier == nullptr || m_hangup)
        return;
    m_hangup = true;
    install(SIGHUP, onSignal);
}

UnixSignalWatcher::~UnixSignalWatcher()
{
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    if (m_hangup)
        ::signal(SIGHUP, SIG_DFL);
}

} // namespace sd
