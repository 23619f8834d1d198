// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <chrono>
#include <memory>
#include <utility>

namespace sd::test {

/// A real server process on 127.0.0.1 that a test starts and owns: httpbin, nginx or one of the
/// python scripts in tests/support/. start() picks a free port, substitutes it for every "{port}" in the
/// arguments, and returns only when the server's own socket listens there (or says why not: missing program,
/// early exit with its stderr, no answer in time). A port that another process took meanwhile (tests run
/// in parallel) is given up for another one, up to five times. The process is killed when the object goes away.
/// A test that needs a server fails with that message; it never skips. Not thread-safe; one per server.
class LoopbackServer {
public:
    LoopbackServer() = default;
    ~LoopbackServer();
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    bool start(const QString& program, const QStringList& arguments,
        std::chrono::milliseconds wait = std::chrono::seconds(15));
    /// Starts nginx (Debian's nginx-light) in the foreground with a private prefix in a temporary
    /// directory: `locations` is the inside of its one `server {}` block (listen is added).
    bool startNginx(const QString& locations, std::chrono::milliseconds wait = std::chrono::seconds(15));
    void stop();
    /// The next start() tries `port` first (one already written into another server's config, so that both can
    /// start at once); if it is taken, start() goes on with free ports as usual: compare port() afterwards.
    void preferPort(quint16 port) { m_preferredPort = port; }

    quint16 port() const { return m_port; }
    QUrl url(const QString& path) const;
    QString errorString() const { return m_error; }

    /// Debian's interpreter (never a pyenv or virtualenv one: the Debian packages live there).
    static QString python();
    /// A file in tests/support/ of the source tree.
    static QString supportFile(const QString& name);
    /// A port nobody listens on right now.
    static quint16 freePort();
    /// A GET of `url` in its own event loop, for a test or a bench between its steps: the HTTP status (0 without
    /// an answer within `timeout`) and the body.
    static std::pair<int, QByteArray> get(const QUrl& url, std::chrono::milliseconds timeout = std::chrono::seconds(3));

private:
    bool launch(const QString& program, const QStringList& arguments, std::chrono::milliseconds wait);
    bool launchNginx(const QString& locations, std::chrono::milliseconds wait);

    std::unique_ptr<QProcess> m_process;
    std::unique_ptr<QTemporaryDir> m_dir;
    quint16 m_port = 0;
    quint16 m_preferredPort = 0;
    bool m_portTaken = false; ///< the last launch lost its port to another process: worth another port
    QString m_error;
};

} // namespace sd::test
