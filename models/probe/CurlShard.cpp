// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/CurlShard.h"

#include "probe/BodyDecoder.h"
#include "probe/TlsHandshake.h"

#include <QFile>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTimer>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <mutex>
#include <unordered_map>

Q_DECLARE_LOGGING_CATEGORY(lcProbe)

namespace sd {

namespace {
constexpr int kMaxRedirects = 5;
/// Idle easy handles kept for reuse (curl_easy_reset is cheaper than a new handle).
constexpr std::size_t kIdleEasyHandles = 64;
/// Connections the multi handle keeps open for reuse (curl's default shrinks with the handles in use).
constexpr long kMaxCachedConnections = 256;
/// A body buffer with more room left than this is shrunk to its size when the body is complete.
constexpr qint64 kSlackBytes = qint64 { 16 } * 1024;
constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

enum class AbortReason : quint8 { None, BodyCap, Undecodable };

bool hasHeader(const QList<std::pair<QByteArray, QByteArray>>& headers, QByteArrayView name)
{
    for (const auto& [n, v] : headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// Answers that have no body whatever their headers say (RFC 9110 §6.4.1).
bool hasNoBody(int httpStatus, bool head)
{
    return head || httpStatus < 200 || httpStatus == 204 || httpStatus == 304;
}

QString undecodable(const QString& encoding, int httpStatus, const QString& why)
{
    return QStringLiteral("body could not be decoded (Content-Encoding: %1, HTTP %2): %3")
        .arg(encoding)
        .arg(httpStatus)
        .arg(why);
}

// "after 418 of 1000 bytes (HTTP 200)": how far a body came before its connection ended (as TransportShard).
QString bodyProgress(qint64 received, qint64 declared, int httpStatus)
{
    if (declared >= 0)
        return QStringLiteral("after %1 of %2 bytes (HTTP %3)").arg(received).arg(declared).arg(httpStatus);
    return QStringLiteral("after %1 bytes, before the end of the body (HTTP %2)").arg(received).arg(httpStatus);
}

QDateTime utcOf(const ASN1_TIME* time)
{
    struct tm tm { };
    if (!time || ASN1_TIME_to_tm(time, &tm) != 1)
        return {};
    return QDateTime(
        QDate(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday), QTime(tm.tm_hour, tm.tm_min, tm.tm_sec), Qt::UTC);
}

// The common name when there is one, else the whole name (RFC 2253).
QString nameOf(const X509_NAME* name)
{
    if (!name)
        return {};
    const int cn = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (cn >= 0) {
        unsigned char* utf8 = nullptr;
        const int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, cn)));
        if (length >= 0) {
            QString text = QString::fromUtf8(reinterpret_cast<const char*>(utf8), length);
            OPENSSL_free(utf8);
            return text;
        }
    }
    BIO* bio = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    QString text = QString::fromUtf8(data, static_cast<qsizetype>(length));
    BIO_free(bio);
    return text;
}

TlsFacts tlsFactsOf(const SSL* ssl)
{
    TlsFacts facts;
    if (!ssl)
        return facts;
    facts.present = true;
    facts.protocol = QString::fromLatin1(SSL_get_version(ssl));
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
    const X509* leaf = SSL_get0_peer_certificate(ssl);
    if (leaf) {
        facts.leafSubject = nameOf(X509_get_subject_name(leaf));
        facts.leafIssuer = nameOf(X509_get_issuer_name(leaf));
        facts.leafExpiresAt = utcOf(X509_get0_notAfter(leaf));
        facts.earliestExpiresAt = facts.leafExpiresAt;
    }
    const int n = chain ? sk_X509_num(chain) : 0;
    for (int i = 0; i < n; ++i) {
        const X509* cert = sk_X509_value(chain, i);
        const QDateTime notAfter = utcOf(X509_get0_notAfter(cert));
        if (notAfter.isValid() && (!facts.earliestExpiresAt.isValid() || notAfter < facts.earliestExpiresAt))
            facts.earliestExpiresAt = notAfter;
        facts.chain.append(QStringLiteral("%1 · %2 · %3")
                               .arg(nameOf(X509_get_subject_name(cert)), nameOf(X509_get_issuer_name(cert)),
                                   notAfter.toString(Qt::ISODate)));
    }
    return facts;
}

/// Why a TLS attempt failed, in the terms the classifier words precisely (docs/SIGNALS.md "TLS"): OpenSSL's
/// verification result when the peer was refused, else the alert in curl's text.
TlsFailure tlsFailureOf(CURL* easy, CURLcode code, const QString& curlText, bool sentClientCertificate)
{
    if (code == CURLE_PEER_FAILED_VERIFICATION) {
        long verify = X509_V_OK;
        curl_easy_getinfo(easy, CURLINFO_SSL_VERIFYRESULT, &verify);
        switch (verify) {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_CERT_UNTRUSTED:
        case X509_V_ERR_CERT_REJECTED:
            return TlsFailure::Untrusted;
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return TlsFailure::Expired;
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return TlsFailure::NotYetValid;
        case X509_V_ERR_CERT_REVOKED:
            return TlsFailure::Revoked;
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return TlsFailure::HostMismatch;
        default:
            break;
        }
        // curl checks the host name itself, after OpenSSL verified the chain ("SSL: no alternative certificate
        // subject name matches target host name '…'", "SSL: certificate subject name '…' does not match …").
        if (curlText.contains(u"subject name"_qs, Qt::CaseInsensitive)
            || curlText.contains(u"does not match"_qs, Qt::CaseInsensitive))
            return TlsFailure::HostMismatch;
        return TlsFailure::Other;
    }
    return tlsFailureOfHandshakeText(curlText, sentClientCertificate);
}

bool isTlsError(CURLcode code)
{
    switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CLIENTCERT:
        return true;
    default:
        return false;
    }
}
} // namespace

struct CurlShard::Transfer {
    CURL* easy = nullptr;
    ProbeRequest request;
    QString hostKey;
    QElapsedTimer clock;
    qint64 hopStartUs = 0; ///< when the current hop (after redirects) started, on `clock`
    QDateTime startUtc;
    QByteArray traceId;
    QUrl url; ///< of the current hop
    QByteArray method;
    QByteArray urlBytes;
    QByteArray connectTo;
    curl_slist* requestHeaders = nullptr;
    curl_slist* connectToList = nullptr;
    int redirects = 0;
    bool https = false;

    // The response of the current hop.
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray contentEncoding;
    int lastStatus = 0; ///< of the last status line seen (curl takes a 1xx as interim)
    qint64 declaredLength = -1;
    bool chunked = false;
    QByteArray bodyBuffer;
    qint64 kept = 0;
    qint64 bytesRead = 0; ///< body bytes as the checks see them (decoded)
    qint64 rawBytes = 0; ///< body bytes as they came over the wire (what Content-Length counts)
    std::unique_ptr<BodyDecoder> decoder;
    bool truncated = false;
    AbortReason abort = AbortReason::None;
    TlsFacts tls;
    std::array<char, CURL_ERROR_SIZE> error {};

    ~Transfer()
    {
        curl_slist_free_all(requestHeaders);
        curl_slist_free_all(connectToList);
    }

    void resetResponse()
    {
        headers.clear();
        contentEncoding.clear();
        lastStatus = 0;
        declaredLength = -1;
        chunked = false;
        bodyBuffer.clear();
        kept = 0;
        bytesRead = 0;
        rawBytes = 0;
        decoder.reset();
        truncated = false;
        abort = AbortReason::None;
        error[0] = '\0';
    }

    void keep(QByteArrayView piece)
    {
        if (piece.isEmpty())
            return;
        if (kept == 0 && bodyBuffer.capacity() == 0) {
            // One buffer for the whole body, as large as it may become: untouched pages cost no memory,
            // and the body is never copied while it grows (a growing buffer, or pieces joined at the end,
            // would hold it twice at its peak).
            qint64 size = request.endpoint.maxBodyBytes;
            if (declaredLength >= 0 && !(decoder && decoder->decodes()))
                size = std::min(size, declaredLength);
            bodyBuffer.reserve(std::max<qint64>(size, piece.size()));
        }
        bodyBuffer.append(piece);
        kept += piece.size();
    }

    QByteArray body()
    {
        if (bodyBuffer.capacity() - bodyBuffer.size() > kSlackBytes)
            bodyBuffer.squeeze();
        return std::exchange(bodyBuffer, {});
    }
};

namespace {
size_t onWrite(char* data, size_t size, size_t count, void* userp)
{
    auto* t = static_cast<CurlShard::Transfer*>(userp);
    const qint64 length = static_cast<qint64>(size) * static_cast<qint64>(count);
    if (!t->decoder)
        t->decoder = std::make_unique<BodyDecoder>(t->contentEncoding);
    const qint64 room = std::max<qint64>(t->request.endpoint.maxBodyBytes - t->kept, 0);
    const QByteArrayView raw(data, length);
    t->rawBytes += length;
    qint64 arrived = length;
    if (t->decoder->decodes()) {
        const qint64 before = t->decoder->decodedBytes();
        t->keep(t->decoder->decode(raw, room));
        arrived = t->decoder->decodedBytes() - before;
        if (!t->decoder->error().isEmpty()) {
            t->bytesRead += arrived;
            t->abort = AbortReason::Undecodable;
            return 0; // cuts the transfer (CURLE_WRITE_ERROR)
        }
    } else {
        t->keep(raw.first(std::min(length, room)));
    }
    t->bytesRead += arrived;
    if (arrived > room) {
        // Past the cap: cut the transfer rather than download an unbounded body.
        t->truncated = true;
        t->abort = AbortReason::BodyCap;
        return 0;
    }
    return static_cast<size_t>(length);
}

size_t onHeader(char* data, size_t size, size_t count, void* userp)
{
    auto* t = static_cast<CurlShard::Transfer*>(userp);
    const size_t length = size * count;
    const QByteArrayView line = QByteArrayView(data, static_cast<qsizetype>(length)).trimmed();
    if (line.startsWith("HTTP/")) {
        // A new response (an interim 1xx comes before the final one): its headers replace the last.
        t->headers.clear();
        t->contentEncoding.clear();
        t->declaredLength = -1;
        t->chunked = false;
        const qsizetype space = line.indexOf(' ');
        t->lastStatus
            = space > 0 ? line.sliced(space + 1).first(std::min<qsizetype>(3, line.size() - space - 1)).toInt() : 0;
        if (t->https && !t->tls.present) {
            const curl_tlssessioninfo* session = nullptr;
            if (curl_easy_getinfo(t->easy, CURLINFO_TLS_SSL_PTR, &session) == CURLE_OK && session
                && session->backend == CURLSSLBACKEND_OPENSSL)
                t->tls = tlsFactsOf(static_cast<const SSL*>(session->internals));
        }
        return length;
    }
    if (line.isEmpty())
        return length;
    if ((data[0] == ' ' || data[0] == '\t') && !t->headers.isEmpty()) {
        // An obsolete folded line continues the previous header.
        t->headers.back().second += ' ' + line.toByteArray();
        return length;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return length;
    QByteArray name = line.first(colon).trimmed().toByteArray();
    QByteArray value = line.sliced(colon + 1).trimmed().toByteArray();
    if (name.compare("Content-Encoding", Qt::CaseInsensitive) == 0) {
        t->contentEncoding = value;
    } else if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
        bool ok = false;
        const qint64 declared = value.toLongLong(&ok);
        t->declaredLength = ok && declared >= 0 ? declared : -1;
    } else if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
        t->chunked = value.toLower().contains("chunked");
    }
    t->headers.append({ std::move(name), std::move(value) });
    return length;
}

qint64 infoUs(CURL* easy, CURLINFO info)
{
    curl_off_t us = 0;
    if (curl_easy_getinfo(easy, info, &us) != CURLE_OK)
        return -1;
    return static_cast<qint64>(us);
}

// "[::1]" for an IPv6 literal, the name as it is otherwise (CURLOPT_CONNECT_TO's syntax).
QString connectHost(const QString& host)
{
    return host.contains(u':') ? u'[' + host + u']' : host;
}
} // namespace

void CurlShard::globalInit()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlShard::CurlShard(QObject* parent)
    : TransportBackend(parent)
    , m_timer(new QTimer(this))
{
    globalInit();
    qRegisterMetaType<ProbeFacts>();
    m_multi = curl_multi_init();
    curl_multi_setopt(m_multi, CURLMOPT_SOCKETFUNCTION, &CurlShard::onSocket);
    curl_multi_setopt(m_multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(m_multi, CURLMOPT_TIMERFUNCTION, &CurlShard::onTimer);
    curl_multi_setopt(m_multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(m_multi, CURLMOPT_MAXCONNECTS, kMaxCachedConnections);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] { socketEvent(CURL_SOCKET_TIMEOUT, 0); });
}

CurlShard::~CurlShard()
{
    abortAll();
    for (void* easy : m_idleEasy)
        curl_easy_cleanup(easy);
    m_idleEasy.clear();
    curl_multi_cleanup(m_multi);
    for (const SocketWatch& w : std::as_const(m_sockets)) {
        delete w.read;
        delete w.write;
    }
}

int CurlShard::onSocket(void* /*easy*/, int fd, int what, void* userp, void* /*socketp*/)
{
    static_cast<CurlShard*>(userp)->watchSocket(fd, what);
    return 0;
}

int CurlShard::onTimer(void* /*multi*/, long timeoutMs, void* userp)
{
    auto* self = static_cast<CurlShard*>(userp);
    if (timeoutMs < 0)
        self->m_timer->stop();
    else
        self->m_timer->start(static_cast<int>(std::min<long>(timeoutMs, 24L * 3600 * 1000)));
    return 0;
}

void CurlShard::watchSocket(int fd, int what)
{
    if (what == CURL_POLL_REMOVE) {
        const auto it = m_sockets.constFind(fd);
        if (it == m_sockets.cend())
            return;
        // curl closes the socket soon: disable now, delete when no notifier signal can be running.
        for (QSocketNotifier* n : { it->read, it->write }) {
            if (n) {
                n->setEnabled(false);
                n->deleteLater();
            }
        }
        m_sockets.erase(it);
        return;
    }
    SocketWatch& w = m_sockets[fd];
    const bool wantRead = what == CURL_POLL_IN || what == CURL_POLL_INOUT;
    const bool wantWrite = what == CURL_POLL_OUT || what == CURL_POLL_INOUT;
    if (wantRead && !w.read) {
        w.read = new QSocketNotifier(fd, QSocketNotifier::Read, this);
        connect(w.read, &QSocketNotifier::activated, this, [this, fd] { socketEvent(fd, CURL_CSELECT_IN); });
    }
    if (wantWrite && !w.write) {
        w.write = new QSocketNotifier(fd, QSocketNotifier::Write, this);
        connect(w.write, &QSocketNotifier::activated, this, [this, fd] { socketEvent(fd, CURL_CSELECT_OUT); });
    }
    if (w.read)
        w.read->setEnabled(wantRead);
    if (w.write)
        w.write->setEnabled(wantWrite);
}

void CurlShard::socketEvent(int fd, int mask)
{
    int running = 0;
    curl_multi_socket_action(m_multi, fd, mask, &running);
    processDone();
}

void CurlShard::processDone()
{
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(m_multi, &left)) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL* easy = msg->easy_handle;
        const CURLcode code = msg->data.result;
        const auto it = m_active.constFind(easy);
        curl_multi_remove_handle(m_multi, easy);
        if (it == m_active.cend()) {
            recycleEasy(easy);
            continue;
        }
        finish(*it, static_cast<int>(code));
    }
}

void* CurlShard::takeEasy()
{
    if (!m_idleEasy.empty()) {
        void* easy = m_idleEasy.back();
        m_idleEasy.pop_back();
        return easy;
    }
    return curl_easy_init();
}

void CurlShard::recycleEasy(void* easy)
{
    if (m_idleEasy.size() < kIdleEasyHandles) {
        curl_easy_reset(easy);
        m_idleEasy.push_back(easy);
    } else {
        curl_easy_cleanup(easy);
    }
}

QByteArray CurlShard::caBundleFor(const TlsConfig& tls, QString* error)
{
    const auto cached = m_caBundles.constFind(tls.caFile);
    if (cached != m_caBundles.cend())
        return *cached;
    QFile extra(tls.caFile);
    if (!extra.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read tls.caFile %1: %2").arg(tls.caFile, extra.errorString());
        return {};
    }
    // "add": the system store, then the file (curl takes one bundle; CURLOPT_CAINFO_BLOB holds both).
    QByteArray bundle;
    const char* system = nullptr;
    CURL* probe = curl_easy_init();
    if (curl_easy_getinfo(probe, CURLINFO_CAINFO, &system) != CURLE_OK || !system)
        system = kSystemCaBundle;
    QFile systemFile(QString::fromLocal8Bit(system));
    if (systemFile.open(QIODevice::ReadOnly))
        bundle = systemFile.readAll() + '\n';
    curl_easy_cleanup(probe);
    bundle += extra.readAll();
    m_caBundles.insert(tls.caFile, bundle);
    return bundle;
}

void CurlShard::send(const ProbeRequest& request)
{
    auto t = std::make_unique<Transfer>();
    t->request = request;
    t->hostKey = ProbeTransport::hostKeyOf(request.endpoint.url);
    t->traceId = ProbeTransport::newTraceId();
    t->startUtc = QDateTime::currentDateTimeUtc();
    t->clock.start();
    notePeak(t->hostKey);
    const QUrl url = request.endpoint.url;
    const QByteArray method = request.endpoint.method;
    issue(std::move(t), url, method, true);
}

void CurlShard::issue(std::unique_ptr<Transfer> owned, const QUrl& url, const QByteArray& method, bool withCredentials)
{
    Transfer* t = owned.get();
    const EndpointConfig& ep = t->request.endpoint;
    t->easy = takeEasy();
    t->url = url;
    t->method = method;
    t->https = url.scheme() == u"https"_qs;
    t->hopStartUs = t->clock.nsecsElapsed() / 1000;
    t->resetResponse();
    t->tls = {};
    curl_slist_free_all(t->requestHeaders);
    t->requestHeaders = nullptr;
    curl_slist_free_all(t->connectToList);
    t->connectToList = nullptr;
    CURL* easy = t->easy;

    QUrl target = url;
    const TlsConfig& tls = ep.tls;
    const bool sameOrigin = ProbeTransport::hostKeyOf(url) == ProbeTransport::hostKeyOf(ep.url);
    QList<std::pair<QByteArray, QByteArray>> headers = ep.headers;
    if (withCredentials)
        headers += t->request.extraHeaders;
    if (t->https && sameOrigin && !tls.serverName.isEmpty()) {
        // SNI and verification use the server name; the connection goes to the URL's host, which the
        // Host header keeps naming.
        const int port = url.port(443);
        if (!hasHeader(headers, "Host"))
            headers.append({ QByteArrayLiteral("Host"),
                (url.port() > 0 ? url.host(QUrl::FullyEncoded) + u':' + QString::number(port)
                                : url.host(QUrl::FullyEncoded))
                    .toUtf8() });
        t->connectTo = QStringLiteral("%1:%2:%3:%2")
                           .arg(connectHost(tls.serverName))
                           .arg(port)
                           .arg(connectHost(url.host(QUrl::FullyEncoded)))
                           .toUtf8();
        t->connectToList = curl_slist_append(nullptr, t->connectTo.constData());
        curl_easy_setopt(easy, CURLOPT_CONNECT_TO, t->connectToList);
        target.setHost(tls.serverName);
    }
    if (!hasHeader(headers, "Accept-Encoding"))
        headers.append({ QByteArrayLiteral("Accept-Encoding"), QByteArrayLiteral("gzip, deflate") });
    if (!hasHeader(headers, "User-Agent"))
        headers.append({ QByteArrayLiteral("User-Agent"), QByteArrayLiteral("SignalDeck/" SIGNALDECK_VERSION) });
    if (!hasHeader(headers, "Accept"))
        headers.append({ QByteArrayLiteral("Accept"), {} }); // no "Accept: */*" of curl's own, as with Qt
    headers.append(
        { QByteArrayLiteral("traceparent"), "00-" + t->traceId + '-' + ProbeTransport::newSpanId() + "-01" });
    headers.append({ QByteArrayLiteral("Expect"), {} }); // never wait for "100 Continue"
    for (const auto& [name, value] : std::as_const(headers)) {
        // "Name:" with nothing after it removes a header curl would add; "Name;" sends an empty one.
        QByteArray line = name;
        if (value.isEmpty())
            line += name == "Accept" || name == "Expect" ? ':' : ';';
        else
            line += ": " + value;
        t->requestHeaders = curl_slist_append(t->requestHeaders, line.constData());
    }

    t->urlBytes = target.toEncoded();
    curl_easy_setopt(easy, CURLOPT_URL, t->urlBytes.constData());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error.data());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_PROXY, ""); // as Qt: no proxy from the environment
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_HTTP_CONTENT_DECODING, 0L); // BodyDecoder decodes (see the class comment)
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &onWrite);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &onHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->requestHeaders);
    if (method == "POST") {
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(ep.body.size()));
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, ep.body.constData());
    } else if (method == "HEAD") {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    }
    if (ep.freshConnection) {
        curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
    }
    const qint64 left = t->request.deadline.count() - t->clock.elapsed();
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<qint64>(left, 1)));

    QString setupError;
    if (t->https) {
        if (!tls.caFile.isEmpty()) {
            if (tls.caMode == TlsConfig::CaMode::Replace) {
                const QByteArray path = QFile::encodeName(tls.caFile);
                curl_easy_setopt(easy, CURLOPT_CAINFO, path.constData()); // copied by curl
                curl_easy_setopt(easy, CURLOPT_CAPATH, static_cast<char*>(nullptr));
            } else {
                const QByteArray bundle = caBundleFor(tls, &setupError);
                curl_blob blob { const_cast<char*>(bundle.constData()), static_cast<size_t>(bundle.size()),
                    CURL_BLOB_COPY };
                curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob);
            }
        }
        if (tls.minVersion == u"1.2")
            curl_easy_setopt(easy, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
        else if (tls.minVersion == u"1.3")
            curl_easy_setopt(easy, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_3));
        if (tls.insecureSkipVerify) {
            curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (withCredentials && !t->request.clientCertificatePem.isEmpty() && !t->request.clientKeyPem.isEmpty()) {
            // From memory, copied by curl; never a file. Like every credential, only to the original origin: a
            // redirect elsewhere gets no client certificate.
            curl_blob cert { const_cast<char*>(t->request.clientCertificatePem.constData()),
                static_cast<size_t>(t->request.clientCertificatePem.size()), CURL_BLOB_COPY };
            curl_blob key { const_cast<char*>(t->request.clientKeyPem.constData()),
                static_cast<size_t>(t->request.clientKeyPem.size()), CURL_BLOB_COPY };
            curl_easy_setopt(easy, CURLOPT_SSLCERT_BLOB, &cert);
            curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
            curl_easy_setopt(easy, CURLOPT_SSLKEY_BLOB, &key);
            curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
        }
    }

    m_active.insert(easy, owned.release());
    if (!setupError.isEmpty()) {
        qstrncpy(t->error.data(), setupError.toUtf8().constData(), t->error.size());
        finish(t, CURLE_SSL_CACERT_BADFILE);
        return;
    }
    if (left <= 0) {
        finish(t, CURLE_OPERATION_TIMEDOUT);
        return;
    }
    const CURLMcode added = curl_multi_add_handle(m_multi, easy);
    if (added != CURLM_OK) {
        qstrncpy(t->error.data(), curl_multi_strerror(added), t->error.size());
        finish(t, CURLE_FAILED_INIT);
    }
}

void CurlShard::finish(Transfer* t, int curlCode)
{
    CURL* easy = t->easy;
    ProbeFacts f;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    f.httpStatus = static_cast<int>(status);
    // A 1xx other than 100 Continue and then the end of the connection: the server meant it as its answer
    // (Qt takes it so too); it is judged by that status.
    auto code = static_cast<CURLcode>(curlCode);
    if ((code == CURLE_GOT_NOTHING || code == CURLE_PARTIAL_FILE || code == CURLE_RECV_ERROR
            || code == CURLE_WEIRD_SERVER_REPLY)
        && t->lastStatus > 100 && t->lastStatus < 200 && (status == 0 || status == t->lastStatus)) {
        f.httpStatus = t->lastStatus;
        code = CURLE_OK;
    }
    const QString curlText
        = t->error[0] != '\0' ? QString::fromUtf8(t->error.data()) : QString::fromUtf8(curl_easy_strerror(code));

    // A redirect is followed here (see the class comment), with what is left of the attempt's deadline.
    if (code == CURLE_OK && t->abort == AbortReason::None
        && (status == 301 || status == 302 || status == 303 || status == 305 || status == 307 || status == 308)) {
        const char* location = nullptr;
        curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &location);
        if (location) {
            const QUrl to = QUrl::fromEncoded(location);
            const bool web = to.scheme() == u"http"_qs || to.scheme() == u"https"_qs;
            if (web && t->redirects >= kMaxRedirects) {
                f.transportError = TransportError::Other;
                f.transportDetail = QStringLiteral("more than %1 redirects").arg(kMaxRedirects);
            } else if (web && t->url.scheme() == u"https"_qs && to.scheme() != u"https"_qs) {
                f.transportError = TransportError::Other;
                f.transportDetail = QStringLiteral("refused a redirect from https to http");
            } else if (web) {
                QByteArray method = t->method;
                if ((status == 303 && method != "HEAD") || ((status == 301 || status == 302) && method == "POST"))
                    method = QByteArrayLiteral("GET");
                const bool sameOrigin
                    = ProbeTransport::hostKeyOf(to) == ProbeTransport::hostKeyOf(t->request.endpoint.url);
                if (!sameOrigin)
                    qCDebug(lcProbe) << "redirect to another origin:" << ProbeTransport::hostKeyOf(to)
                                     << "gets no credentials";
                t->redirects += 1;
                m_active.remove(easy);
                recycleEasy(easy);
                issue(std::unique_ptr<Transfer>(t), to, method, sameOrigin);
                return;
            }
        }
    }

    f.latencyUs = t->clock.nsecsElapsed() / 1000;
    const bool head = t->method == "HEAD";
    if (f.transportError != TransportError::None) {
        // a refused redirect, set above
    } else if (code == CURLE_WRITE_ERROR && t->abort == AbortReason::BodyCap) {
        f.transportError = TransportError::None;
    } else if (code == CURLE_WRITE_ERROR && t->abort == AbortReason::Undecodable) {
        f.transportError = TransportError::ProtocolError;
        f.transportDetail = undecodable(t->decoder->encoding(), f.httpStatus, t->decoder->error());
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
        f.transportError = TransportError::DeadlineExpired;
        f.transportDetail = QStringLiteral("no complete answer within %1 ms").arg(t->request.deadline.count());
    } else if (code == CURLE_COULDNT_CONNECT) {
        f.transportError = TransportError::ConnectionRefused;
        f.transportDetail = curlText;
    } else if (code == CURLE_COULDNT_RESOLVE_HOST) {
        f.transportError = TransportError::HostNotFound;
        f.transportDetail = curlText;
    } else if (isTlsError(code)) {
        f.transportError = TransportError::TlsFailed;
        f.transportDetail = curlText;
        f.tls.failure = tlsFailureOf(easy, code, curlText, !t->request.clientKeyPem.isEmpty());
    } else if (t->https && f.httpStatus == 0 && (code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR)
        && curlText.contains(u"alert"_qs, Qt::CaseInsensitive)) {
        // TLS 1.3: the server's alert (say "certificate required") arrives after the client finished its side
        // of the handshake, so curl reports it on the first read.
        f.transportError = TransportError::TlsFailed;
        f.transportDetail = curlText;
        f.tls.failure = tlsFailureOfHandshakeText(curlText, !t->request.clientKeyPem.isEmpty());
    } else if (code == CURLE_PARTIAL_FILE || code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR
        || code == CURLE_GOT_NOTHING) {
        const bool reset = curlText.contains(u"reset"_qs, Qt::CaseInsensitive);
        f.transportError = reset ? TransportError::ConnectionReset : TransportError::ConnectionClosed;
        f.transportDetail = f.httpStatus > 0 && code != CURLE_GOT_NOTHING
            ? bodyProgress(t->rawBytes, t->chunked ? -1 : t->declaredLength, f.httpStatus)
            : curlText;
    } else if (code == CURLE_WEIRD_SERVER_REPLY || code == CURLE_FILESIZE_EXCEEDED || code == CURLE_HTTP2
        || code == CURLE_HTTP2_STREAM || code == CURLE_BAD_CONTENT_ENCODING || code == CURLE_UNSUPPORTED_PROTOCOL
        || code == CURLE_OUT_OF_MEMORY) {
        // OUT_OF_MEMORY: what curl 7.88 says of a response header beyond its limit (100 KiB a line).
        f.transportError = TransportError::ProtocolError;
        if (code == CURLE_BAD_CONTENT_ENCODING)
            f.transportDetail = undecodable(QString::fromLatin1(t->contentEncoding), f.httpStatus, curlText);
        else if (code == CURLE_OUT_OF_MEMORY || code == CURLE_FILESIZE_EXCEEDED)
            f.transportDetail = QStringLiteral("response header too large, refused (curl: %1)").arg(curlText);
        else
            f.transportDetail = curlText;
    } else if (code != CURLE_OK) {
        f.transportError = TransportError::Other;
        f.transportDetail = curlText;
    } else if (f.httpStatus > 0 && !hasNoBody(f.httpStatus, head) && t->decoder && t->decoder->decodes()
        && t->rawBytes > 0 && !t->decoder->complete()) {
        // curl checked the bytes on the wire (Content-Length, the last chunk); the encoded stream's own end
        // tells the rest.
        f.transportError = TransportError::ProtocolError;
        f.transportDetail = undecodable(t->decoder->encoding(), f.httpStatus,
            QStringLiteral("the %1 stream ends early, after %2 bytes").arg(t->decoder->encoding()).arg(t->rawBytes));
    }

    f.headers = std::move(t->headers);
    f.body = t->body();
    f.bodyTruncated = t->truncated;
    f.bytesRead = t->bytesRead;
    long connects = 0;
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    f.connectionReused = connects == 0 && f.httpStatus != 0;
    if (t->https && f.httpStatus != 0) {
        if (t->tls.present && connects > 0)
            m_lastTls.insert(t->hostKey, t->tls);
        f.tls = t->tls.present ? t->tls : m_lastTls.value(t->hostKey);
    }
    const qint64 offset = t->hopStartUs;
    const qint64 lookup = infoUs(easy, CURLINFO_NAMELOOKUP_TIME_T);
    const qint64 connected = infoUs(easy, CURLINFO_CONNECT_TIME_T);
    const qint64 tlsDone = infoUs(easy, CURLINFO_APPCONNECT_TIME_T);
    const qint64 pretransfer = infoUs(easy, CURLINFO_PRETRANSFER_TIME_T);
    const qint64 firstByte = infoUs(easy, CURLINFO_STARTTRANSFER_TIME_T);
    ProbePhases& p = f.phases;
    if (f.connectionReused) {
        p.queueUs = pretransfer > 0 ? offset + pretransfer : -1;
    } else {
        p.queueUs = lookup >= 0 ? offset + lookup : -1;
        const qint64 connectedAt = tlsDone > 0 ? tlsDone : connected;
        if (connectedAt > 0)
            p.connectUs = connectedAt - std::max<qint64>(lookup, 0);
    }
    if (pretransfer > 0)
        p.sentUs = offset + pretransfer;
    if (firstByte > 0 && f.httpStatus != 0) {
        p.ttfbUs = offset + firstByte;
        p.downloadUs = std::max<qint64>(f.latencyUs - p.ttfbUs, 0);
    }

    qCDebug(lcProbe) << "probe finished (curl)" << t->url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery) << "status"
                     << f.httpStatus << "curl" << curlCode << "us" << f.latencyUs << "trace" << t->traceId;

    const quint64 ticket = t->request.ticket;
    const QDateTime startUtc = t->startUtc;
    const QByteArray traceId = t->traceId;
    const QString key = t->hostKey;
    m_active.remove(easy);
    delete t;
    recycleEasy(easy);
    // Start the next waiting request before reporting, so that a slow receiver never idles the host slot.
    hostReleased(key);
    emit finished(ticket, f, startUtc, traceId);
}

void CurlShard::abortAll()
{
    dropWaiting();
    const auto active = std::exchange(m_active, {});
    for (auto it = active.cbegin(); it != active.cend(); ++it) {
        curl_multi_remove_handle(m_multi, it.key());
        delete it.value();
        recycleEasy(it.key());
    }
    updateCounters();
}

} // namespace sd
