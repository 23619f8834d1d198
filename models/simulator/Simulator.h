// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "simulator/OAuthTokenIssuer.h"
#include "simulator/ScenarioTimetable.h"
#include "simulator/SimulatedAnswer.h"
#include "simulator/SimulatorRoute.h"
#include "simulator/ThrottleBucket.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QUrl>

#include <atomic>
#include <chrono>
#include <functional>

class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;

namespace sd {

class RawFaultServer;

/// An API on loopback that plays every failure signal, for the demo, integration tests and benchmarks.
/// HTTP routes (see routes()) are served by Qt HTTP Server on port(); faults that break HTTP itself
/// (`/hang`, `/close`, `/reset`, `/garbage`) by a plain TCP server on rawPort(). url() gives the right base
/// for any route. Every HTTP route honours `?delay=MS`, which replaces the route's own latency; delays run
/// on timers in the simulator's thread, so a thousand requests in flight cost no threads, and keep-alive
/// connections are reused. Request counts are per path (query stripped) and can be read from any thread.
/// To keep a busy thread from delaying its answers, move the Simulator to its own QThread and call start()
/// there (for instance with QMetaObject::invokeMethod and Qt::BlockingQueuedConnection).
class Simulator : public QObject {
    Q_OBJECT
public:
    explicit Simulator(QObject* parent = nullptr);
    ~Simulator() override;

    /// Listens on 127.0.0.1: HTTP routes on `port`, raw faults on `rawPort` (0 = any free port), and the
    /// same HTTP routes on `extraHttpPorts` more free ports. False on failure (port taken, already running)
    /// with errorString() saying why. Extra ports exist for load tests: QNetworkAccessManager opens at most
    /// 6 connections per host and port, so 1,000 requests/s held 20 ms each need several ports.
    bool start(quint16 port = 0, quint16 rawPort = 0, int extraHttpPorts = 0);
    /// Closes both servers and every connection; pending delayed answers are dropped.
    void stop();
    bool isRunning() const { return m_port.load() != 0; }
    QString errorString() const;

    /// The HTTP port, 0 when not running. Thread-safe, as are the URL functions below.
    quint16 port() const { return m_port.load(); }
    /// The raw-fault port, 0 when not running.
    quint16 rawPort() const { return m_rawPort.load(); }
    /// `http://127.0.0.1:PORT` (what `${SIMULATOR}` stands for in the demo config); empty when not running.
    QUrl baseUrl() const;
    /// `http://127.0.0.1:RAWPORT` (what `${SIMULATOR_RAW}` stands for); empty when not running.
    QUrl rawBaseUrl() const;
    /// Every HTTP base, baseUrl() first, then one per extra port; empty when not running.
    QList<QUrl> httpBaseUrls() const;
    /// The full URL of `route` ("/healthy", "/slow?delay=50", "/hang") on the right port; an empty route
    /// gives baseUrl(). Empty when not running.
    QUrl url(const QString& route) const;
    /// Replaces `${SIMULATOR_RAW}` and `${SIMULATOR}` in a config text with the bases of this simulator.
    QByteArray expandPlaceholders(QByteArray text) const;

    /// Requests received for `route` (a path; any query is ignored), on either port. Thread-safe.
    int requestCount(const QString& route) const;
    QHash<QString, int> requestCounts() const;
    /// TCP connections accepted on the HTTP ports: with keep-alive, far fewer than requests. Thread-safe.
    int acceptedConnections() const { return m_acceptedConnections.load(); }
    /// Connections `/hang` holds open right now; they are released when the client gives up. Thread-safe.
    int hangingConnections() const { return m_hangingConnections.load(); }
    /// Zeroes the request and connection counts and oauthTokensIssued().
    void resetCounts();

    /// Extra latency of `/healthy` (default 0). Thread-safe.
    void setHealthyLatency(std::chrono::milliseconds latency);
    std::chrono::milliseconds healthyLatency() const;

    /// The tokens `/auth/bearer` and `/auth/api-key` accept (none by default: every request gets 401), so
    /// that a demo or a test can rotate a credential and see S2 clear. Thread-safe.
    void setAcceptedTokens(const QList<QByteArray>& tokens);
    QList<QByteArray> acceptedTokens() const;

    /// The OAuth2 client that `POST /oauth/token` (client credentials grant, HTTP Basic or form client
    /// authentication) issues access tokens to, and how long they live; `/oauth/protected` accepts those
    /// tokens until they expire. No client by default (every token request gets 401 invalid_client).
    /// Thread-safe, as are the switches below.
    void setOAuthClient(const QString& clientId, const QByteArray& clientSecret, std::chrono::seconds lifetime);
    /// true: `/oauth/token` answers 503 temporarily_unavailable (an identity-provider outage).
    void setTokenEndpointDown(bool down);
    /// Revokes every token issued so far: the next probe of `/oauth/protected` with one gets 401.
    void revokeOAuthTokens();
    /// Access tokens `/oauth/token` has issued since start or resetCounts().
    int oauthTokensIssued() const;
    /// The time the issued tokens live by: a test on simulated time (tests/support/SimulatedClock) passes
    /// its clock's now, so that a token's `expires_in` runs out on that time; empty = the steady clock.
    /// Thread-safe; `now` must be too.
    void setOAuthClock(std::function<OAuthTokenIssuer::Clock::time_point()> now);

    /// Moves the `/scenario` clock so that it stands at `position` into its cycle now (start() sets 0).
    void restartScenario(std::chrono::milliseconds position = std::chrono::milliseconds(0));
    ScenarioPhase scenarioPhase() const;

    /// The route table with one-line descriptions (for `--simulate` to print).
    static const QList<SimulatorRoute>& routes() { return SimulatorRoute::all(); }

Q_SIGNALS:
    /// Emitted in the simulator's thread for every request, with its path.
    void requestReceived(const QString& route);

private:
    using AnswerFunction = std::function<SimulatedAnswer(const QHttpServerRequest&)>;

    void addRoutes();
    void addRoute(const QString& path, AnswerFunction answerFor);
    void countRequest(const QString& path);
    void send(SimulatedAnswer answer, const QHttpServerRequest& request, QHttpServerResponder&& responder);
    SimulatedAnswer throttleAnswer();
    /// 200 when `presented` is an accepted token, else 401.
    SimulatedAnswer tokenAnswer(const QByteArray& presented);

    QHttpServer* m_http = nullptr;
    RawFaultServer* m_raw = nullptr;
    QString m_error;
    QList<quint16> m_extraPorts; ///< guarded by m_mutex
    std::atomic<quint16> m_port { 0 };
    std::atomic<quint16> m_rawPort { 0 };
    std::atomic<qint64> m_healthyLatencyMs { 0 };
    std::atomic<int> m_acceptedConnections { 0 };
    std::atomic<int> m_hangingConnections { 0 };
    std::atomic<qint64> m_scenarioOriginNs { 0 };
    QElapsedTimer m_clock;
    mutable QMutex m_mutex; ///< guards m_counts, m_extraPorts, m_acceptedTokens, m_oauth and m_oauthNow
    QHash<QString, int> m_counts;
    QList<QByteArray> m_acceptedTokens;
    OAuthTokenIssuer m_oauth;
    std::function<OAuthTokenIssuer::Clock::time_point()> m_oauthNow; ///< empty = the steady clock
    ThrottleBucket m_throttle; ///< only touched in the simulator's thread
};

} // namespace sd
