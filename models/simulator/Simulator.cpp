// SPDX-License-Identifier: GPL-3.0-or-later
#include "simulator/Simulator.h"

#include "simulator/CannedAnswers.h"
#include "simulator/JsonRpcAnswer.h"
#include "simulator/RawFaultServer.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>

#include <algorithm>
#include <memory>

namespace sd {

Q_LOGGING_CATEGORY(lcSimulator, "signaldeck.simulator", QtInfoMsg)

using namespace std::chrono_literals;

namespace {

constexpr int kThrottleBurst = 5;
constexpr double kThrottlePerSecond = 5.0;
constexpr double kFlakyDefaultRate = 0.3;

QString pathOf(const QString& route)
{
    return route.left(route.indexOf(u'?'));
}

void writeAnswer(const SimulatedAnswer& answer, QHttpServerResponder&& responder, bool headersOnly)
{
    if (responder.socket()->state() != QAbstractSocket::ConnectedState)
        return;
    const auto status = static_cast<QHttpServerResponder::StatusCode>(answer.status);
    if (headersOnly) {
        // Qt HTTP Server 6.4 sends a body even to HEAD; the client would read it as the start of the next
        // response on the connection. Headers with the would-be length, then no body.
        responder.writeStatusLine(status);
        responder.writeHeader(QByteArrayLiteral("Content-Type"), answer.contentType);
        responder.writeHeader(QByteArrayLiteral("Content-Length"), QByteArray::number(answer.body.size()));
        for (const auto& [name, value] : answer.headers)
            responder.writeHeader(name, value);
        responder.writeBody(QByteArray());
        return;
    }
    QHttpServerResponse response(answer.contentType, answer.body, status);
    for (const auto& [name, value] : answer.headers)
        response.addHeader(name, value);
    response.write(std::move(responder));
}

} // namespace

Simulator::Simulator(QObject* parent)
    : QObject(parent)
    , m_throttle(kThrottleBurst, kThrottlePerSecond)
{
    m_clock.start();
}

Simulator::~Simulator()
{
    stop();
}

bool Simulator::start(quint16 port, quint16 rawPort, int extraHttpPorts)
{
    if (isRunning()) {
        m_error = QStringLiteral("the simulator is already running on port %1").arg(m_port.load());
        return false;
    }
    m_error.clear();
    m_http = new QHttpServer(this);
    addRoutes();
    QList<quint16> httpPorts;
    for (int i = 0; i <= std::max(0, extraHttpPorts); ++i) {
        const quint16 wanted = i == 0 ? port : 0;
        auto* tcp = new QTcpServer(m_http);
        tcp->setListenBacklogSize(1024); // a benchmark opening hundreds of connections at once must not see SYN drops
        if (!tcp->listen(QHostAddress::LocalHost, wanted)) {
            m_error = QStringLiteral("cannot listen on 127.0.0.1:%1: %2").arg(wanted).arg(tcp->errorString());
            stop();
            return false;
        }
        // newConnection is emitted once per accepted connection.
        connect(tcp, &QTcpServer::newConnection, this, [this] { m_acceptedConnections.fetch_add(1); });
        m_http->bind(tcp);
        httpPorts.append(tcp->serverPort());
    }

    m_raw = new RawFaultServer(this);
    connect(m_raw, &RawFaultServer::requestArrived, this, &Simulator::countRequest);
    connect(m_raw, &RawFaultServer::hangingConnectionsChanged, this,
        [this](int count) { m_hangingConnections.store(count); });
    if (!m_raw->listen(QHostAddress::LocalHost, rawPort)) {
        m_error
            = QStringLiteral("cannot listen on 127.0.0.1:%1 for raw faults: %2").arg(rawPort).arg(m_raw->errorString());
        stop();
        return false;
    }
    {
        QMutexLocker lock(&m_mutex);
        m_extraPorts = httpPorts.mid(1);
    }
    m_rawPort.store(m_raw->port());
    m_port.store(httpPorts.first());
    restartScenario();
    qCDebug(lcSimulator) << "simulator on" << baseUrl().toString() << "raw faults on" << rawBaseUrl().toString();
    return true;
}

void Simulator::stop()
{
    m_port.store(0);
    m_rawPort.store(0);
    {
        QMutexLocker lock(&m_mutex);
        m_extraPorts.clear();
    }
    delete m_http;
    m_http = nullptr;
    delete m_raw;
    m_raw = nullptr;
    m_hangingConnections.store(0);
}

QString Simulator::errorString() const
{
    return m_error;
}

QUrl Simulator::baseUrl() const
{
    const quint16 p = port();
    return p == 0 ? QUrl() : QUrl(QStringLiteral("http://127.0.0.1:%1").arg(p));
}

QUrl Simulator::rawBaseUrl() const
{
    const quint16 p = rawPort();
    return p == 0 ? QUrl() : QUrl(QStringLiteral("http://127.0.0.1:%1").arg(p));
}

QList<QUrl> Simulator::httpBaseUrls() const
{
    const QUrl first = baseUrl();
    if (first.isEmpty())
        return {};
    QList<QUrl> bases { first };
    QMutexLocker lock(&m_mutex);
    for (quint16 extra : m_extraPorts)
        bases.append(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(extra)));
    return bases;
}

QUrl Simulator::url(const QString& route) const
{
    QUrl result = SimulatorRoute::isRawFault(route) ? rawBaseUrl() : baseUrl();
    if (result.isEmpty() || route.isEmpty())
        return result;
    const qsizetype query = route.indexOf(u'?');
    result.setPath(route.left(query));
    if (query >= 0)
        result.setQuery(route.mid(query + 1));
    return result;
}

QByteArray Simulator::expandPlaceholders(QByteArray text) const
{
    text.replace("${SIMULATOR_RAW}", rawBaseUrl().toEncoded());
    text.replace("${SIMULATOR}", baseUrl().toEncoded());
    return text;
}

int Simulator::requestCount(const QString& route) const
{
    QMutexLocker lock(&m_mutex);
    return m_counts.value(pathOf(route));
}

QHash<QString, int> Simulator::requestCounts() const
{
    QMutexLocker lock(&m_mutex);
    return m_counts;
}

void Simulator::resetCounts()
{
    {
        QMutexLocker lock(&m_mutex);
        m_counts.clear();
        m_oauth.resetIssuedCount();
    }
    m_acceptedConnections.store(0);
}

void Simulator::setHealthyLatency(std::chrono::milliseconds latency)
{
    m_healthyLatencyMs.store(std::max<qint64>(0, latency.count()));
}

std::chrono::milliseconds Simulator::healthyLatency() const
{
    return std::chrono::milliseconds(m_healthyLatencyMs.load());
}

void Simulator::setAcceptedTokens(const QList<QByteArray>& tokens)
{
    QMutexLocker lock(&m_mutex);
    m_acceptedTokens = tokens;
}

QList<QByteArray> Simulator::acceptedTokens() const
{
    QMutexLocker lock(&m_mutex);
    return m_acceptedTokens;
}

void Simulator::setOAuthClient(const QString& clientId, const QByteArray& clientSecret, std::chrono::seconds lifetime)
{
    QMutexLocker lock(&m_mutex);
    m_oauth.setClient(clientId, clientSecret, lifetime);
}

void Simulator::setTokenEndpointDown(bool down)
{
    QMutexLocker lock(&m_mutex);
    m_oauth.setDown(down);
}

void Simulator::revokeOAuthTokens()
{
    QMutexLocker lock(&m_mutex);
    m_oauth.revokeAll();
}

int Simulator::oauthTokensIssued() const
{
    QMutexLocker lock(&m_mutex);
    return m_oauth.issuedCount();
}

void Simulator::setOAuthClock(std::function<OAuthTokenIssuer::Clock::time_point()> now)
{
    QMutexLocker lock(&m_mutex);
    m_oauthNow = std::move(now);
}

SimulatedAnswer Simulator::tokenAnswer(const QByteArray& presented)
{
    if (presented.isEmpty())
        return canned::tokenRejected(false);
    QMutexLocker lock(&m_mutex);
    return m_acceptedTokens.contains(presented) ? canned::healthy() : canned::tokenRejected(true);
}

void Simulator::restartScenario(std::chrono::milliseconds position)
{
    m_scenarioOriginNs.store(m_clock.nsecsElapsed() - std::chrono::nanoseconds(position).count());
}

ScenarioPhase Simulator::scenarioPhase() const
{
    const auto sinceOrigin = std::chrono::nanoseconds(m_clock.nsecsElapsed() - m_scenarioOriginNs.load());
    return scenarioPhaseAt(std::chrono::duration_cast<std::chrono::milliseconds>(sinceOrigin));
}

void Simulator::countRequest(const QString& path)
{
    {
        QMutexLocker lock(&m_mutex);
        ++m_counts[path];
    }
    emit requestReceived(path);
}

SimulatedAnswer Simulator::throttleAnswer()
{
    const auto verdict = m_throttle.take(std::chrono::nanoseconds(m_clock.nsecsElapsed()));
    SimulatedAnswer answer = verdict.allowed ? canned::healthy() : canned::throttled(verdict.retryAfterSeconds);
    answer.headers.removeIf([](const auto& header) { return header.first.startsWith("RateLimit-"); });
    answer.headers.append({ QByteArrayLiteral("RateLimit-Limit"), QByteArray::number(verdict.limit) });
    answer.headers.append({ QByteArrayLiteral("RateLimit-Remaining"), QByteArray::number(verdict.remaining) });
    answer.headers.append({ QByteArrayLiteral("RateLimit-Reset"), QByteArray::number(verdict.resetSeconds) });
    return answer;
}

// Why Qt HTTP Server 6.4 with responders rather than QFuture-returning routes: a route returning a QFuture
// fulfilled by a QPromise crashes in 6.4.2 (QHttpServer takes the result with takeResult(), which resets
// the future's state; ~QPromise then sees it unfinished and runs the continuation a second time on a
// moved-from promise). A route that takes the QHttpServerResponder and moves it into a timer works with
// public API only, and binding the timer to the connection's socket drops the answer when the client has
// gone. Keep-alive works (QNetworkAccessManager reuses one connection for sequential requests). One caveat
// of 6.4: pipelined requests on one connection may be answered out of order when the first is delayed;
// QNetworkAccessManager does not pipeline unless asked to.
void Simulator::send(SimulatedAnswer answer, const QHttpServerRequest& request, QHttpServerResponder&& responder)
{
    const bool headersOnly = request.method() == QHttpServerRequest::Method::Head;
    if (answer.delay <= 0ms) {
        writeAnswer(answer, std::move(responder), headersOnly);
        return;
    }
    QTcpSocket* socket = responder.socket();
    auto pending = std::make_shared<QHttpServerResponder>(std::move(responder));
    // Read before the call: the arguments' order of evaluation is unspecified, and the lambda moves `answer`.
    const auto delay = answer.delay;
    QTimer::singleShot(delay, Qt::PreciseTimer, socket,
        [pending, answer = std::move(answer), headersOnly] { writeAnswer(answer, std::move(*pending), headersOnly); });
}

void Simulator::addRoute(const QString& path, AnswerFunction answerFor)
{
    m_http->route(path,
        [this, answerFor = std::move(answerFor)](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
            countRequest(request.url().path());
            SimulatedAnswer answer = answerFor(request);
            answer.delay = canned::requestedDelay(request.query()).value_or(answer.delay);
            send(std::move(answer), request, std::move(responder));
        });
}

void Simulator::addRoutes()
{
    const auto fixed = [](SimulatedAnswer (*make)()) { return [make](const QHttpServerRequest&) { return make(); }; };

    addRoute(QStringLiteral("/healthy"), [this](const QHttpServerRequest&) {
        auto answer = canned::healthy();
        answer.delay = healthyLatency();
        return answer;
    });
    addRoute(QStringLiteral("/slow"), [](const QHttpServerRequest&) {
        auto answer = canned::healthy();
        answer.delay = canned::kSlowDelay;
        return answer;
    });
    addRoute(QStringLiteral("/auth/invalid"), fixed(&canned::authInvalid));
    addRoute(QStringLiteral("/auth/forbidden"), fixed(&canned::authForbidden));
    addRoute(QStringLiteral("/auth/bearer"), [this](const QHttpServerRequest& request) {
        const QByteArray authorization = request.value(QByteArrayLiteral("Authorization"));
        static constexpr QByteArrayView kBearer = "Bearer ";
        const bool bearer = authorization.size() > kBearer.size()
            && QByteArrayView(authorization).first(kBearer.size()).compare(kBearer, Qt::CaseInsensitive) == 0;
        return tokenAnswer(bearer ? authorization.mid(kBearer.size()).trimmed() : QByteArray());
    });
    addRoute(QStringLiteral("/auth/api-key"), [this](const QHttpServerRequest& request) {
        return tokenAnswer(request.value(QByteArrayLiteral("X-Api-Key")));
    });
    addRoute(QStringLiteral("/oauth/token"), [this](const QHttpServerRequest& request) {
        const bool post = request.method() == QHttpServerRequest::Method::Post;
        QMutexLocker lock(&m_mutex);
        return m_oauth.tokenAnswer(post, request.value(QByteArrayLiteral("Authorization")), request.body(),
            m_oauthNow ? m_oauthNow() : OAuthTokenIssuer::Clock::now());
    });
    addRoute(QStringLiteral("/oauth/protected"), [this](const QHttpServerRequest& request) {
        QMutexLocker lock(&m_mutex);
        return m_oauth.protectedAnswer(request.value(QByteArrayLiteral("Authorization")),
            m_oauthNow ? m_oauthNow() : OAuthTokenIssuer::Clock::now());
    });
    addRoute(QStringLiteral("/redirect"),
        [](const QHttpServerRequest& request) { return canned::redirect(request.query()); });
    addRoute(QStringLiteral("/input/400"), fixed(&canned::input400));
    addRoute(QStringLiteral("/input/422"), fixed(&canned::input422));
    addRoute(QStringLiteral("/jsonrpc"), [](const QHttpServerRequest& request) {
        SimulatedAnswer answer;
        answer.body = jsonrpc::answer(request.body());
        if (answer.body.isEmpty()) { // only notifications: nothing to answer
            answer.status = 204;
            answer.contentType = QByteArrayLiteral("application/x-empty");
        }
        return answer;
    });
    addRoute(QStringLiteral("/jsonrpc/invalid-params"), [](const QHttpServerRequest& request) {
        SimulatedAnswer answer;
        answer.body = jsonrpc::answerInvalidParams(request.body());
        return answer;
    });
    addRoute(QStringLiteral("/throttle"), [this](const QHttpServerRequest&) { return throttleAnswer(); });
    addRoute(QStringLiteral("/throttle/always"), [](const QHttpServerRequest&) { return canned::throttled(3); });
    addRoute(QStringLiteral("/unavailable"), fixed(&canned::unavailable));
    addRoute(QStringLiteral("/flaky"), [](const QHttpServerRequest& request) {
        const double rate = canned::requestedRate(request.query(), kFlakyDefaultRate);
        return QRandomGenerator::global()->generateDouble() < rate ? canned::serverError() : canned::healthy();
    });
    addRoute(QStringLiteral("/server-error"), fixed(&canned::serverError));
    addRoute(QStringLiteral("/gateway/502"), [](const QHttpServerRequest&) { return canned::gateway(502); });
    addRoute(QStringLiteral("/gateway/504"), [](const QHttpServerRequest&) { return canned::gateway(504); });
    addRoute(QStringLiteral("/big"), fixed(&canned::big));
    addRoute(
        QStringLiteral("/scenario"), [this](const QHttpServerRequest&) { return scenarioAnswer(scenarioPhase()); });
    addRoute(QStringLiteral("/business"), fixed(&canned::business));

    m_http->route(QStringLiteral("/status/<arg>"),
        [this](int code, const QHttpServerRequest& request, QHttpServerResponder&& responder) {
            countRequest(request.url().path());
            SimulatedAnswer answer = canned::status(code);
            answer.delay = canned::requestedDelay(request.query()).value_or(0ms);
            send(std::move(answer), request, std::move(responder));
        });

    m_http->setMissingHandler([this](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
        const QString path = request.url().path();
        countRequest(path);
        const QString hint = SimulatorRoute::isRawFault(path)
            ? QStringLiteral("raw-fault routes are served on ") + url(path).toString()
            : QString();
        send(canned::notFound(path, hint), request, std::move(responder));
    });
}

} // namespace sd
