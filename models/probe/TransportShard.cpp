// SPDX-License-Identifier: GPL-3.0-or-later
#include "probe/TransportShard.h"

#include "probe/BodyDecoder.h"
#include "probe/TlsHandshake.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTimer>

Q_LOGGING_CATEGORY(lcProbe, "signaldeck.probe", QtInfoMsg)

namespace sd {

namespace {
constexpr int kMaxRedirects = 5;
/// What Qt may buffer for one reply before we read it: without a bound an endless body fills memory
/// faster than a busy thread reads it (issue 11).
constexpr qint64 kReadBufferBytes = qint64 { 256 } * 1024;

qint64 usSince(const QElapsedTimer& clock)
{
    return clock.nsecsElapsed() / 1000;
}

TransportError transportErrorOf(QNetworkReply::NetworkError error, const QString& detail)
{
    switch (error) {
    case QNetworkReply::NoError:
        return TransportError::None;
    case QNetworkReply::ConnectionRefusedError:
        return TransportError::ConnectionRefused;
    case QNetworkReply::RemoteHostClosedError:
        return detail.contains(QLatin1StringView("reset"), Qt::CaseInsensitive) ? TransportError::ConnectionReset
                                                                                : TransportError::ConnectionClosed;
    case QNetworkReply::HostNotFoundError:
        return TransportError::HostNotFound;
    case QNetworkReply::TimeoutError:
        return TransportError::DeadlineExpired;
    case QNetworkReply::SslHandshakeFailedError:
        return TransportError::TlsFailed;
    case QNetworkReply::ProtocolUnknownError:
    case QNetworkReply::ProtocolInvalidOperationError:
    case QNetworkReply::ProtocolFailure:
        return TransportError::ProtocolError;
    default:
        break;
    }
    if (detail.contains(QLatin1StringView("reset"), Qt::CaseInsensitive))
        return TransportError::ConnectionReset;
    return TransportError::Other;
}

// Qt turns HTTP statuses into error codes of its own, and not by ranges one could trust: 400 and 418
// become ProtocolInvalidOperationError, 407 ProxyAuthenticationRequiredError (105), a 308 without Location
// ProtocolUnknownError. When a status arrived, the status decides. Only errors of the connection itself
// (Qt's 1-99: closed or reset mid-body, too many redirects) and a 2xx/3xx body Qt could not decode count.
bool statusDecides(QNetworkReply::NetworkError error, int httpStatus, bool encoded)
{
    const int code = static_cast<int>(error);
    if (httpStatus <= 0 || (code >= 1 && code <= 99))
        return false;
    const bool undecodable
        = encoded && (error == QNetworkReply::UnknownContentError || error == QNetworkReply::ProtocolFailure);
    return !(undecodable && httpStatus < 400);
}

// Answers that have no body whatever their headers say (RFC 9110 §6.4.1).
bool hasNoBody(int httpStatus, bool head)
{
    return head || httpStatus < 200 || httpStatus == 204 || httpStatus == 304;
}

// The body length the server announced in the bytes we count: Content-Length, unless Qt decoded the
// body (it then drops Content-Length, which counted encoded bytes); -1 when unknown (chunked, decoded).
qint64 declaredLength(const QNetworkReply* reply)
{
    if (reply->attribute(QNetworkRequest::OriginalContentLengthAttribute).isValid()
        || !reply->hasRawHeader("Content-Length"))
        return -1;
    bool ok = false;
    const qint64 length = reply->rawHeader("Content-Length").trimmed().toLongLong(&ok);
    return ok && length >= 0 ? length : -1;
}

// Joins the pieces of a body, freeing each as it is copied: the peak is the body plus one piece.
QByteArray joined(QByteArrayList& pieces, qint64 size)
{
    if (pieces.size() == 1)
        return std::exchange(pieces.front(), {});
    QByteArray out;
    out.reserve(size);
    for (QByteArray& piece : pieces)
        out += std::exchange(piece, {});
    pieces.clear();
    return out;
}

// --- TLS (issue 16) -----------------------------------------------------------------------------------------
// Endpoints with TLS settings of their own (a CA file, a minimum version, a client certificate, skipped
// verification) go through a QNetworkAccessManager of their own per distinct profile: Qt keys its connection
// cache by host and port only, so a connection verified with one trust store must never carry a probe that
// asked for another.
constexpr qint64 kMaxCaFileBytes = qint64 { 4 } * 1024 * 1024;
const char* const kSslErrorsProperty = "sd_sslErrors";
const char* const kClientCertificateProperty = "sd_clientCertificate";

bool hasTlsProfile(const ProbeRequest& request)
{
    const TlsConfig& tls = request.endpoint.tls;
    return !tls.caFile.isEmpty() || !tls.minVersion.isEmpty() || tls.insecureSkipVerify
        || !request.clientCertificatePem.isEmpty();
}

QByteArray tlsProfileKey(const ProbeRequest& request)
{
    const TlsConfig& tls = request.endpoint.tls;
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(tls.caFile.toUtf8());
    hash.addData(QByteArrayView(tls.caMode == TlsConfig::CaMode::Replace ? "\0r" : "\0a"));
    hash.addData(tls.minVersion.toUtf8());
    hash.addData(QByteArrayView(tls.insecureSkipVerify ? "\0i" : "\0v"));
    hash.addData(request.clientCertificatePem);
    hash.addData(QByteArrayView("\0"));
    hash.addData(request.clientKeyPem);
    return "sd-tls-" + hash.result().toHex().left(32);
}

// The certificates of a CA bundle, read once per thread and again when the file changes (an operator
// replaces the bundle and reloads the config); the config loader has checked that it holds some.
QList<QSslCertificate> caCertificates(const QString& path)
{
    thread_local QHash<QString, QList<QSslCertificate>> cache;
    const QFileInfo info(path);
    const QString key = path + u'\n' + QString::number(info.lastModified().toMSecsSinceEpoch()) + u'\n'
        + QString::number(info.size());
    if (const auto it = cache.constFind(key); it != cache.cend())
        return *it;
    QList<QSslCertificate> certificates;
    QFile file(path);
    if (file.open(QIODevice::ReadOnly))
        certificates = QSslCertificate::fromData(file.read(kMaxCaFileBytes), QSsl::Pem);
    if (certificates.isEmpty())
        qCWarning(lcProbe).noquote() << "tls.caFile" << path << "holds no readable certificate";
    if (cache.size() > 64)
        cache.clear();
    cache.insert(key, certificates);
    return certificates;
}

QSslKey privateKeyOf(const QByteArray& pem)
{
    for (const QSsl::KeyAlgorithm algorithm : { QSsl::Rsa, QSsl::Ec, QSsl::Dsa }) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    return {};
}

QSslConfiguration sslConfigurationFor(const ProbeRequest& request)
{
    const TlsConfig& tls = request.endpoint.tls;
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    if (!tls.caFile.isEmpty()) {
        const QList<QSslCertificate> cas = caCertificates(tls.caFile);
        if (tls.caMode == TlsConfig::CaMode::Replace)
            conf.setCaCertificates(cas);
        else
            conf.addCaCertificates(cas);
    }
    if (tls.minVersion == u"1.3")
        conf.setProtocol(QSsl::TlsV1_3OrLater);
    else if (tls.minVersion == u"1.2")
        conf.setProtocol(QSsl::TlsV1_2OrLater);
    if (!request.clientCertificatePem.isEmpty()) {
        conf.setLocalCertificateChain(QSslCertificate::fromData(request.clientCertificatePem, QSsl::Pem));
        conf.setPrivateKey(privateKeyOf(request.clientKeyPem));
    }
    return conf;
}

QString certificateName(const QSslCertificate& certificate, bool issuer)
{
    const QStringList cn = issuer ? certificate.issuerInfo(QSslCertificate::CommonName)
                                  : certificate.subjectInfo(QSslCertificate::CommonName);
    if (!cn.isEmpty())
        return QStringLiteral("CN=") + cn.join(u", "_qs);
    return QString::fromUtf8(
        issuer ? certificate.issuerDisplayName().toUtf8() : certificate.subjectDisplayName().toUtf8());
}

QString protocolName(QSsl::SslProtocol protocol)
{
    switch (protocol) {
    case QSsl::TlsV1_3:
        return QStringLiteral("TLSv1.3");
    case QSsl::TlsV1_2:
        return QStringLiteral("TLSv1.2");
        QT_WARNING_PUSH
        QT_WARNING_DISABLE_DEPRECATED
    case QSsl::TlsV1_1:
        return QStringLiteral("TLSv1.1");
    case QSsl::TlsV1_0:
        return QStringLiteral("TLSv1.0");
        QT_WARNING_POP
    default:
        return {};
    }
}

void fillTlsFacts(const QNetworkReply* reply, TlsFacts& tls)
{
    if (reply->url().scheme() != u"https"_qs)
        return;
    const QSslConfiguration conf = reply->sslConfiguration();
    const QList<QSslCertificate> chain = conf.peerCertificateChain();
    if (chain.isEmpty())
        return;
    tls.present = true;
    tls.protocol = protocolName(conf.sessionProtocol());
    const QSslCertificate& leaf = chain.front();
    tls.leafExpiresAt = leaf.expiryDate().toUTC();
    tls.leafSubject = certificateName(leaf, false);
    tls.leafIssuer = certificateName(leaf, true);
    for (const QSslCertificate& c : chain) {
        const QDateTime expiry = c.expiryDate().toUTC();
        if (!tls.earliestExpiresAt.isValid() || expiry < tls.earliestExpiresAt)
            tls.earliestExpiresAt = expiry;
        tls.chain.append(QStringLiteral("%1 · issued by %2 · expires %3")
                             .arg(certificateName(c, false), certificateName(c, true), expiry.toString(Qt::ISODate)));
    }
}

// Qt's verification errors, most telling first: a missing CA explains the rest.
TlsFailure failureOfSslErrors(const QVariantList& errors)
{
    static constexpr std::pair<QSslError::SslError, TlsFailure> kOrder[] = {
        { QSslError::UnableToGetLocalIssuerCertificate, TlsFailure::Untrusted },
        { QSslError::UnableToGetIssuerCertificate, TlsFailure::Untrusted },
        { QSslError::SelfSignedCertificate, TlsFailure::Untrusted },
        { QSslError::SelfSignedCertificateInChain, TlsFailure::Untrusted },
        { QSslError::UnableToVerifyFirstCertificate, TlsFailure::Untrusted },
        { QSslError::CertificateUntrusted, TlsFailure::Untrusted },
        { QSslError::CertificateRejected, TlsFailure::Untrusted },
        { QSslError::CertificateExpired, TlsFailure::Expired },
        { QSslError::CertificateNotYetValid, TlsFailure::NotYetValid },
        { QSslError::HostNameMismatch, TlsFailure::HostMismatch },
        { QSslError::CertificateRevoked, TlsFailure::Revoked },
    };
    for (const auto& [error, failure] : kOrder) {
        if (errors.contains(QVariant(static_cast<int>(error))))
            return failure;
    }
    return errors.isEmpty() ? TlsFailure::None : TlsFailure::Other;
}

QString undecodable(const BodyDecoder& decoder, int httpStatus, const QString& why)
{
    return QStringLiteral("body could not be decoded (Content-Encoding: %1, HTTP %2): %3")
        .arg(decoder.encoding())
        .arg(httpStatus)
        .arg(why);
}

// "after 418 of 1000 bytes (HTTP 200)": how far a body came before its connection ended.
QString bodyProgress(qint64 received, qint64 declared, int httpStatus)
{
    if (declared >= 0)
        return QStringLiteral("after %1 of %2 bytes (HTTP %3)").arg(received).arg(declared).arg(httpStatus);
    return QStringLiteral("after %1 bytes, before the end of the body (HTTP %2)").arg(received).arg(httpStatus);
}
} // namespace

TransportShard::TransportShard(QObject* parent)
    : TransportBackend(parent)
    , m_nam(new QNetworkAccessManager(this))
{
    qRegisterMetaType<ProbeFacts>();
    m_nam->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
    m_nam->setAutoDeleteReplies(false);
}

TransportShard::~TransportShard()
{
    abortAll();
}

void TransportShard::send(const ProbeRequest& request)
{
    const EndpointConfig& ep = request.endpoint;
    Active a;
    a.ticket = request.ticket;
    a.hostKey = ProbeTransport::hostKeyOf(ep.url);
    a.traceId = ProbeTransport::newTraceId();
    a.maxBody = ep.maxBodyBytes;
    a.deadlineMs = request.deadline.count();
    if (!request.extraHeaders.isEmpty()) {
        a.redirectable = request;
        a.origin = ep.url;
    }
    a.startUtc = QDateTime::currentDateTimeUtc();
    a.clock.start();
    QNetworkReply* reply = issue(request, ep.url, ep.method, true, a.traceId);
    notePeak(a.hostKey);
    watch(reply, std::move(a));
}

QNetworkReply* TransportShard::issue(const ProbeRequest& request, const QUrl& url, const QByteArray& method,
    bool withCredentials, const QByteArray& traceId)
{
    const EndpointConfig& ep = request.endpoint;
    QNetworkRequest req(url);
    req.setMaximumRedirectsAllowed(kMaxRedirects);
    for (const auto& [name, value] : ep.headers)
        req.setRawHeader(name, value);
    if (withCredentials) {
        for (const auto& [name, value] : request.extraHeaders)
            req.setRawHeader(name, value);
    }
    if (!request.extraHeaders.isEmpty())
        req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    // Asked for explicitly, Qt leaves the body encoded and Content-Length intact; BodyDecoder decodes it.
    if (!req.hasRawHeader("Accept-Encoding"))
        req.setRawHeader("Accept-Encoding", QByteArrayLiteral("gzip, deflate"));
    if (!req.hasRawHeader("User-Agent"))
        req.setRawHeader("User-Agent", QByteArrayLiteral("SignalDeck/" SIGNALDECK_VERSION));
    req.setRawHeader("traceparent", "00-" + traceId + '-' + ProbeTransport::newSpanId() + "-01");
    if (ep.freshConnection)
        req.setAttribute(QNetworkRequest::ConnectionCacheExpiryTimeoutSecondsAttribute, 0);
    // Qt's inactivity timer backs up our own deadline; it can only fire later than ours.
    req.setTransferTimeout(static_cast<int>(request.deadline.count()) + 1000);

    QNetworkAccessManager* nam = m_nam;
    if (url.scheme() == u"https"_qs) {
        if (!ep.tls.serverName.isEmpty())
            req.setPeerVerifyName(ep.tls.serverName); // also the SNI Qt sends
        if (hasTlsProfile(request)) {
            req.setSslConfiguration(sslConfigurationFor(request));
            const QString profile = QString::fromLatin1(tlsProfileKey(request));
            nam = findChild<QNetworkAccessManager*>(profile, Qt::FindDirectChildrenOnly);
            if (!nam) {
                nam = new QNetworkAccessManager(this);
                nam->setObjectName(profile);
                nam->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
                nam->setAutoDeleteReplies(false);
            }
        }
    }

    QNetworkReply* reply = nullptr;
    if (method == "POST")
        reply = nam->post(req, ep.body);
    else if (method == "HEAD")
        reply = nam->head(req);
    else
        reply = nam->get(req);
    reply->setProperty(kClientCertificateProperty, !request.clientCertificatePem.isEmpty());
    const bool skipVerify = ep.tls.insecureSkipVerify;
    connect(reply, &QNetworkReply::sslErrors, reply, [reply, skipVerify](const QList<QSslError>& errors) {
        QVariantList codes = reply->property(kSslErrorsProperty).toList();
        for (const QSslError& e : errors)
            codes.append(static_cast<int>(e.error()));
        reply->setProperty(kSslErrorsProperty, codes);
        // Only ever when the operator wrote tls.insecureSkipVerify: true for this endpoint.
        if (skipVerify)
            reply->ignoreSslErrors();
    });
    return reply;
}

void TransportShard::watch(QNetworkReply* reply, Active a)
{
    reply->setReadBufferSize(kReadBufferBytes);
    a.deadlineTimer = new QTimer(reply);
    a.deadlineTimer->setSingleShot(true);
    a.deadlineTimer->setTimerType(Qt::PreciseTimer);
    connect(a.deadlineTimer, &QTimer::timeout, reply, [this, reply] {
        auto it = m_active.find(reply);
        if (it == m_active.end())
            return;
        it->abort = AbortReason::Deadline;
        reply->abort();
    });
    // A followed redirect gets what is left of the attempt's deadline.
    const qint64 left = a.deadlineMs - a.clock.elapsed();
    a.deadlineTimer->start(static_cast<int>(std::max<qint64>(left, 0)));

    connect(reply, &QNetworkReply::socketStartedConnecting, this, [this, reply] {
        auto it = m_active.find(reply);
        if (it != m_active.end() && it->connectingAt < 0)
            it->connectingAt = usSince(it->clock);
    });
    connect(reply, &QNetworkReply::encrypted, this, [this, reply] {
        auto it = m_active.find(reply);
        if (it != m_active.end())
            it->encryptedAt = usSince(it->clock);
    });
    connect(reply, &QNetworkReply::requestSent, this, [this, reply] {
        auto it = m_active.find(reply);
        if (it != m_active.end())
            it->sentAt = usSince(it->clock);
    });
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, reply] {
        auto it = m_active.find(reply);
        if (it != m_active.end() && it->headersAt < 0)
            it->headersAt = usSince(it->clock);
    });
    connect(reply, &QNetworkReply::readyRead, this, [this, reply] { onReadyRead(reply); });
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onFinished(reply); });
    m_active.insert(reply, a);
}

bool TransportShard::followRedirect(QNetworkReply* reply, Active& a, ProbeFacts& f)
{
    if (!a.redirectable || a.abort != AbortReason::None)
        return false;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QVariant target = reply->attribute(QNetworkRequest::RedirectionTargetAttribute);
    if (!(status == 301 || status == 302 || status == 303 || status == 307 || status == 308) || !target.isValid())
        return false;
    const QUrl from = reply->url();
    const QUrl to = from.resolved(target.toUrl());
    if (a.redirects >= kMaxRedirects) {
        f.transportError = TransportError::Other;
        f.transportDetail = QStringLiteral("more than %1 redirects").arg(kMaxRedirects);
        return false;
    }
    if (to.scheme() != u"http"_qs && to.scheme() != u"https"_qs)
        return false;
    if (from.scheme() == u"https"_qs && to.scheme() != u"https"_qs) {
        f.transportError = TransportError::Other;
        f.transportDetail = QStringLiteral("refused a redirect from https to http");
        return false;
    }

    const ProbeRequest& request = *a.redirectable;
    QByteArray method = request.endpoint.method;
    if ((status == 303 && method != "HEAD") || ((status == 301 || status == 302) && method == "POST"))
        method = QByteArrayLiteral("GET");
    const bool sameOrigin = ProbeTransport::hostKeyOf(to) == ProbeTransport::hostKeyOf(a.origin);
    if (!sameOrigin)
        qCDebug(lcProbe) << "redirect to another origin:" << ProbeTransport::hostKeyOf(to) << "gets no credentials";
    a.redirects += 1;
    a.pieces.clear();
    a.kept = 0;
    a.bytesRead = 0;
    a.rawBytes = 0;
    a.decoder.reset();
    a.truncated = false;
    a.headersAt = -1;
    a.deadlineTimer = nullptr; // it belonged to the old reply
    QNetworkReply* next = issue(request, to, method, sameOrigin, a.traceId);
    watch(next, std::move(a));
    return true;
}

void TransportShard::keep(Active& a, const QByteArray& piece)
{
    if (piece.isEmpty())
        return;
    a.pieces.append(piece);
    a.kept += piece.size();
}

void TransportShard::onReadyRead(QNetworkReply* reply)
{
    auto it = m_active.find(reply);
    if (it == m_active.end() || it->abort != AbortReason::None)
        return;
    // Qt holds at most kReadBufferBytes (setReadBufferSize); what the checks need is kept, up to the cap,
    // and the rest is counted and cut.
    while (reply->bytesAvailable() > 0) {
        if (!it->decoder)
            it->decoder = std::make_shared<BodyDecoder>(reply->rawHeader("Content-Encoding"));
        const qint64 room = std::max<qint64>(it->maxBody - it->kept, 0);
        const QByteArray raw = reply->read(kReadBufferBytes);
        if (raw.isEmpty())
            break;
        it->rawBytes += raw.size();
        qint64 arrived = raw.size();
        if (it->decoder->decodes()) {
            const qint64 before = it->decoder->decodedBytes();
            keep(*it, it->decoder->decode(raw, room));
            arrived = it->decoder->decodedBytes() - before;
            if (!it->decoder->error().isEmpty()) {
                it->bytesRead += arrived;
                it->abort = AbortReason::Undecodable;
                reply->abort();
                return;
            }
        } else {
            keep(*it, arrived <= room ? raw : raw.first(room));
        }
        it->bytesRead += arrived;
        if (arrived > room) {
            // Past the cap: count what is waiting and cut the transfer rather than download an unbounded body.
            it->bytesRead += reply->bytesAvailable();
            it->truncated = true;
            it->abort = AbortReason::BodyCap;
            reply->abort();
            return;
        }
    }
}

void TransportShard::onFinished(QNetworkReply* reply)
{
    auto it = m_active.find(reply);
    if (it == m_active.end()) {
        reply->deleteLater();
        return;
    }
    if (it->abort == AbortReason::None)
        onReadyRead(reply);
    Active a = std::move(it.value());
    m_active.erase(it);
    if (a.deadlineTimer)
        a.deadlineTimer->stop();

    ProbeFacts f;
    if (followRedirect(reply, a, f)) {
        reply->disconnect(this);
        reply->deleteLater();
        return;
    }
    f.latencyUs = usSince(a.clock);
    const QNetworkReply::NetworkError error = reply->error();
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    f.httpStatus = status.isValid() ? status.toInt() : 0;
    if (a.abort == AbortReason::Deadline) {
        f.transportError = TransportError::DeadlineExpired;
        f.transportDetail = QStringLiteral("no complete answer within %1 ms").arg(a.deadlineMs);
    } else if (a.abort == AbortReason::BodyCap) {
        f.transportError = TransportError::None;
    } else if (a.abort == AbortReason::Undecodable) {
        f.transportError = TransportError::ProtocolError;
        f.transportDetail = undecodable(*a.decoder, f.httpStatus, a.decoder->error());
    } else if (error != QNetworkReply::NoError
        && !statusDecides(error, f.httpStatus, reply->hasRawHeader("Content-Encoding"))) {
        const QString qtText = reply->errorString();
        f.transportDetail = qtText;
        f.transportError = transportErrorOf(error, qtText);
        if (error == QNetworkReply::OperationCanceledError)
            f.transportError = TransportError::Other;
        const QVariantList sslErrors = reply->property(kSslErrorsProperty).toList();
        if (!sslErrors.isEmpty()) {
            f.transportError = TransportError::TlsFailed;
            f.tls.failure = failureOfSslErrors(sslErrors);
        } else if (f.transportError == TransportError::TlsFailed
            || (reply->url().scheme() == u"https"_qs && a.encryptedAt < 0 && f.httpStatus == 0
                && (f.transportError == TransportError::ConnectionClosed
                    || f.transportError == TransportError::ConnectionReset || f.transportError == TransportError::Other)
                && qtText.contains(QLatin1StringView("alert"), Qt::CaseInsensitive))
            // TLS 1.3: the server's alert arrives after the client finished its side of the handshake.
            || (reply->url().scheme() == u"https"_qs && f.httpStatus == 0
                && qtText.contains(QLatin1StringView("alert certificate required"), Qt::CaseInsensitive))) {
            f.transportError = TransportError::TlsFailed;
            f.tls.failure = tlsFailureOfHandshakeText(qtText, reply->property(kClientCertificateProperty).toBool());
        }
        if (f.httpStatus > 0) {
            const QByteArray encoding = reply->rawHeader("Content-Encoding");
            if (f.transportError == TransportError::ConnectionClosed
                || f.transportError == TransportError::ConnectionReset) {
                f.transportDetail = bodyProgress(a.rawBytes, declaredLength(reply), f.httpStatus);
            } else if (!encoding.isEmpty()
                && (error == QNetworkReply::UnknownContentError || error == QNetworkReply::ProtocolFailure)) {
                f.transportError = TransportError::ProtocolError;
                f.transportDetail = undecodable(BodyDecoder(encoding), f.httpStatus, qtText);
            }
        }
    } else if (a.abort == AbortReason::None && f.httpStatus > 0
        && !hasNoBody(f.httpStatus, reply->operation() == QNetworkAccessManager::HeadOperation)) {
        // Qt may finish "without error" when the connection closed before Content-Length bytes came, or
        // before the last chunk: the byte count and the encoded stream's own end tell.
        const qint64 declared = declaredLength(reply);
        if (declared >= 0 && a.rawBytes < declared) {
            f.transportError = TransportError::ConnectionClosed;
            f.transportDetail = bodyProgress(a.rawBytes, declared, f.httpStatus);
        } else if (a.decoder && a.decoder->decodes() && a.rawBytes > 0 && !a.decoder->complete()) {
            f.transportError = TransportError::ProtocolError;
            f.transportDetail = undecodable(*a.decoder, f.httpStatus,
                QStringLiteral("the %1 stream ends early, after %2 bytes").arg(a.decoder->encoding()).arg(a.rawBytes));
        }
    }
    {
        const TlsFailure failure = f.tls.failure;
        fillTlsFacts(reply, f.tls);
        f.tls.failure = failure;
    }
    for (const auto& [name, value] : reply->rawHeaderPairs())
        f.headers.append({ name, value });
    f.body = joined(a.pieces, a.kept);
    f.bodyTruncated = a.truncated;
    f.bytesRead = a.bytesRead;
    f.connectionReused = a.connectingAt < 0 && f.httpStatus != 0;
    ProbePhases& p = f.phases;
    const qint64 firstNetworkEvent = a.connectingAt >= 0 ? a.connectingAt : a.sentAt;
    p.queueUs = firstNetworkEvent;
    if (a.connectingAt >= 0) {
        const qint64 connectedAt = a.encryptedAt >= 0 ? a.encryptedAt : a.sentAt;
        if (connectedAt >= 0)
            p.connectUs = connectedAt - a.connectingAt;
    }
    p.sentUs = a.sentAt;
    p.ttfbUs = a.headersAt;
    if (a.headersAt >= 0)
        p.downloadUs = f.latencyUs - a.headersAt;

    qCDebug(lcProbe) << "probe finished" << reply->url().toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery) << "status"
                     << f.httpStatus << "us" << f.latencyUs << "trace" << a.traceId;
    reply->deleteLater();

    // Start the next waiting request before reporting, so that a slow receiver never idles the host slot.
    hostReleased(a.hostKey);
    emit finished(a.ticket, f, a.startUtc, a.traceId);
}

void TransportShard::abortAll()
{
    dropWaiting();
    const auto replies = m_active.keys();
    m_active.clear();
    for (QNetworkReply* r : replies) {
        r->disconnect(this);
        r->abort();
        r->deleteLater();
    }
    updateCounters();
}

} // namespace sd
