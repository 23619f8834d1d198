// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/EndpointConfig.h"
#include "credentials/OAuth2RefreshPolicy.h"

#include <QDateTime>
#include <QObject>

#include <chrono>
#include <functional>
#include <map>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace sd {

class ClockTimer;
class CredentialStore;
struct CredentialReply;
class ProbeClock;

/// Access tokens for the credentials that are OAuth2 client-credentials grants (CredentialConfig::oauth2).
/// For each, the client secret is read from the CredentialStore under clientSecretKey() (`<id>.client-secret`)
/// and sent with HTTP Basic client authentication (RFC 6749 §2.3.1) in a `grant_type=client_credentials`
/// POST to the token URL, with a deadline (10 s). The access token is handed out with tokenReady() and kept
/// in the store under the credential id (its expiry under expiryKey(), `<id>.oauth2-expires`), so that a
/// restart reuses it until it is close to expiry instead of fetching a new one.
///
/// A token is refreshed at 80 % of its lifetime, and once when the engine reports that the API refused it
/// (onCredentialRejected, which Engine::credentialRejected emits once per 401 streak). A failed fetch is
/// retried with exponential backoff and jitter (2 s doubling to 5 min) for as long as it fails, so the source
/// recovers by itself after an identity-provider outage. While the previous token is still valid it stays in
/// use; once there is no usable token, tokenFailed() gives the S2 reason ("OAuth2 token endpoint:
/// invalid_client client authentication failed (HTTP 401) at https://idp.example/token"). Neither the client
/// secret nor a token ever reaches a log, a reason or a status; logs show fingerprints.
///
/// Its time is an input (Options::clock, a ProbeClock, issue 13.5): expiry, refresh and retry are reckoned on
/// that clock's UTC and wait on its timers; the wiring (startOAuth2) passes the engine's clock, so a simulated
/// engine and its token sources share one time. Keychain jobs and token requests are reported to the clock
/// as out on the network (ProbeClock::networkStarted/networkFinished), so a simulated clock stands still
/// until they are answered. The deadline of a token request is real time, as the engine's are.
///
/// Lives in one thread (the GUI's); the store must answer in that thread. It knows no engine: the controller
/// wires it to one (attachTokenSource()).
class OAuth2TokenSource : public QObject {
    Q_OBJECT
public:
    struct Options {
        OAuth2RefreshPolicy policy;
        std::chrono::milliseconds requestTimeout { 10'000 }; ///< deadline of one token request (real time)
        /// UTC now and the refresh and retry timers; empty = systemClock(). The wiring passes Engine::clock().
        std::shared_ptr<ProbeClock> clock;
        std::function<double()> random; ///< jitter in [0, 1); empty = QRandomGenerator
    };

    /// What a dialog may show about one credential's token; never the token.
    struct Status {
        bool managed = false; ///< the credential is an OAuth2 grant this source looks after
        bool hasToken = false; ///< a usable access token is held
        QString fingerprint; ///< of the held token (credentialFingerprint)
        QDateTime expiresUtc; ///< of the held token
        QDateTime nextAttemptUtc; ///< the next refresh or retry
        int failures = 0; ///< failed fetches in a row
        QString lastError; ///< the reason of the latest failure; empty after a success
    };

    /// `store` must outlive the source.
    explicit OAuth2TokenSource(CredentialStore* store, QObject* parent = nullptr);
    OAuth2TokenSource(CredentialStore* store, Options options, QObject* parent = nullptr);
    ~OAuth2TokenSource() override;

    /// The credentials to look after: those with `oauth2` set (the others are ignored). Each new one starts
    /// at once: a stored token that is still good is reused, otherwise one is fetched. Credentials whose
    /// oauth2 settings did not change keep their token; removed ones are dropped.
    void setCredentials(const QList<CredentialConfig>& credentials);
    /// Emits tokenReady for every usable token already held: for a consumer connected after the tokens came
    /// (the wiring, attachTokenSource() in controller/, connects the engine and then calls it).
    void replayTokens();
    /// Fetches a new token for `credentialId` now (after its client secret was changed, say), unless a fetch
    /// is already under way. Ignored for a credential this source does not look after.
    void refreshNow(const QString& credentialId);

    Status status(const QString& credentialId) const;
    /// The credentials this source looks after.
    QStringList credentialIds() const;

    /// The store key of a credential's OAuth2 client secret: `<id>.client-secret`.
    static QString clientSecretKey(const QString& id) { return id + QStringLiteral(".client-secret"); }
    /// The store key of the expiry (ISO 8601 UTC) of the access token kept under `id`: `<id>.oauth2-expires`.
    static QString expiryKey(const QString& id) { return id + QStringLiteral(".oauth2-expires"); }

public slots:
    /// An endpoint using `credentialId` got 401 with the token whose fingerprint is `tokenFingerprint`: fetch
    /// a new one once. A rejection of an older token (already replaced) is ignored; a fetch under way answers
    /// it too; while fetches are failing the token is dropped (tokenFailed) and the backoff goes on.
    void onCredentialRejected(const QString& credentialId, const QString& tokenFingerprint);

signals:
    /// A new access token for `credentialId`. Hand it to the engine; never log it.
    void tokenReady(const QString& credentialId, const QByteArray& accessToken);
    /// `credentialId` has no usable token: fetching failed for `reason` (an S2 reason without secrets).
    /// Emitted after every failed attempt while there is none; the source keeps retrying.
    void tokenFailed(const QString& credentialId, const QString& reason);
    /// status(credentialId) changed.
    void statusChanged(const QString& credentialId);

private:
    struct Entry;
    class InFlight;

    /// Reports one keychain job or token request to the clock as out for as long as the returned handle
    /// (shared by the copies of a callback) lives.
    std::shared_ptr<InFlight> inFlight() const;
    void readStore(const QString& key, std::function<void(const CredentialReply&)> done);
    Entry* entryFor(const QString& id, quint64 generation) const;
    void begin(Entry& e);
    void fetch(Entry& e);
    void post(Entry& e, const QByteArray& clientSecret);
    void onReply(const QString& id, quint64 generation, QNetworkReply* reply, const QByteArray& clientSecret);
    void adopt(Entry& e, const QByteArray& token, const QDateTime& expiresUtc, bool fromStore);
    void fail(Entry& e, const QString& reason);
    void persist(const Entry& e);
    bool usable(const Entry& e, const QDateTime& nowUtc) const;
    QDateTime now() const;
    double jitter() const;

    CredentialStore* m_store;
    Options m_options;
    std::shared_ptr<ProbeClock> m_clock;
    QNetworkAccessManager* m_network;
    std::map<QString, std::unique_ptr<Entry>> m_entries;
    quint64 m_nextGeneration = 1;
};

} // namespace sd
