// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "core/ProbeResult.h"
#include "policy/HostInFlightLimiter.h"
#include "probe/ProbeTransport.h"
#include "probe/TransportBackend.h"

#include <QByteArrayList>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>

#include <deque>
#include <memory>
#include <vector>

class QSocketNotifier;
class QTimer;

namespace sd {

class BodyDecoder;

/// One shard of ProbeTransport on libcurl's multi interface, driven by the event loop of the thread it
/// lives in (curl_multi_socket_action with a QSocketNotifier per socket and one QTimer). The multi handle
/// keeps the connection cache (keep-alive; EndpointConfig::freshConnection asks for a new connection and
/// closes it afterwards). Records the same facts as TransportShard (docs/SIGNALS.md "What one probe
/// records") from curl's own: the phase times (NAMELOOKUP … TOTAL), connection reuse (no new connect), its
/// precise errors (a body cut short is CURLE_PARTIAL_FILE — a chunked body without its last chunk
/// included — never "ok").
///
/// Bodies arrive through the write callback: kept up to the endpoint's cap, then the transfer is cut and
/// the body marked truncated. gzip and deflate are decoded here by BodyDecoder (curl's own decoding is
/// off), so curl holds the encoded bytes against Content-Length and a stream cut short is seen. Requests
/// per host are capped (HostInFlightLimiter) and the rest wait here, before their clock starts.
///
/// Redirects are followed here, never by curl: at most 5, never from https to http, and the credential
/// headers (`extraHeaders`) go only to the original origin (scheme, host, port). TLS follows the
/// endpoint's TlsConfig (CA file added to or replacing the system store, server name, minimum version,
/// verification off when asked, a client certificate from memory) and reports TlsFacts from the
/// connection's OpenSSL session.
class CurlShard : public TransportBackend {
    Q_OBJECT
public:
    explicit CurlShard(QObject* parent = nullptr);
    ~CurlShard() override;

    void abortAll() override;

    /// Once per process, before any shard exists (curl_global_init is not thread-safe).
    static void globalInit();

    struct Transfer; ///< one attempt in flight (its callbacks are free functions; not for other users)

protected:
    void send(const ProbeRequest& request) override;
    int activeCount() const override { return static_cast<int>(m_active.size()); }

private:
    struct SocketWatch {
        QSocketNotifier* read = nullptr;
        QSocketNotifier* write = nullptr;
    };

    void issue(std::unique_ptr<Transfer> t, const QUrl& url, const QByteArray& method, bool withCredentials);
    void finish(Transfer* t, int curlCode);
    void processDone();
    void* takeEasy();
    void recycleEasy(void* easy);
    QByteArray caBundleFor(const TlsConfig& tls, QString* error);

    static int onSocket(void* easy, int fd, int what, void* userp, void* socketp);
    static int onTimer(void* multi, long timeoutMs, void* userp);
    void socketEvent(int fd, int mask);
    void watchSocket(int fd, int what);

    void* m_multi = nullptr;
    QTimer* m_timer = nullptr;
    QHash<int, SocketWatch> m_sockets;
    QHash<void*, Transfer*> m_active; ///< easy handle → transfer (owned)
    std::vector<void*> m_idleEasy;
    QHash<QString, QByteArray> m_caBundles; ///< caFile (mode add) → system store + file
    QHash<QString, TlsFacts> m_lastTls; ///< host key → TLS facts of its last new connection
};

} // namespace sd
