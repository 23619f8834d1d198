// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include "core/EndpointConfig.h"
#include "credentials/CredentialError.h"

#include <QByteArray>
#include <QHash>
#include <QMetaType>
#include <QObject>
#include <QSet>
#include <QStringList>

#include <chrono>

class QTimer;

namespace sd {

class OAuth2TokenSource;

class CredentialStore;
class Engine;

/// What reading the secrets at start found. `secrets` are held in memory only and never logged.
/// `keychainProblem` is set when the keychain as a whole failed (NoKeychain, AccessDenied, Timeout,
/// Other), as opposed to a single entry that is not there (NotFound, listed in `failures` only).
struct CredentialLoadResult {
    QHash<QString, QByteArray> secrets; ///< credential id → secret
    QHash<QString, CredentialError> failures; ///< credential id → why its secret could not be read
    CredentialError keychainProblem = CredentialError::None;
    QString keychainMessage; ///< the store's words for that problem (never a secret)
    int requested = 0; ///< credentials asked for

    bool keychainUnavailable() const { return keychainProblem != CredentialError::None; }
    /// Ids not in the keychain, sorted.
    QStringList missing() const;
};

/// Reads the secret of every credential in a config from a CredentialStore at start, all at once, within
/// one overall deadline (QtKeychain runs one job at a time, so a hung keychain must not hold the start up
/// for the store's watchdog once per credential). Credentials refreshed by OAuth2 are not read here: their
/// access token comes from the token endpoint. Answers once through `finished`, from the event loop.
class CredentialLoading : public QObject {
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds kDefaultDeadline { 5'000 };

    explicit CredentialLoading(CredentialStore* store, QObject* parent = nullptr);

    /// Starts reading; a load already under way is abandoned (its answers are ignored).
    void start(const QList<CredentialConfig>& credentials, std::chrono::milliseconds deadline = kDefaultDeadline);
    bool busy() const { return !m_pending.isEmpty(); }

    /// The credentials start() reads: every one without OAuth2.
    static QList<CredentialConfig> readable(const QList<CredentialConfig>& credentials);

signals:
    void finished(const sd::CredentialLoadResult& result);

private:
    void answer(quint64 generation, const QString& id, const CredentialReply& reply);
    void finishNow();

    CredentialStore* m_store;
    quint64 m_generation = 0;
    QSet<QString> m_pending;
    CredentialLoadResult m_result;
    QTimer* m_deadline;
};

/// The same, synchronously, for the command line (never on the GUI thread: it runs a local event loop).
CredentialLoadResult loadCredentialsAndWait(CredentialStore& store, const QList<CredentialConfig>& credentials,
    std::chrono::milliseconds deadline = CredentialLoading::kDefaultDeadline);

/// Hands the result to the engine: the secrets, and for every failure the S2 reason of
/// credentialUnavailableReason() ("credential unavailable: no OS keychain"), so those endpoints pause.
void applyCredentialLoad(Engine& engine, const CredentialLoadResult& result);

/// The window's banner: what is wrong with the keychain and what it means, or empty when it is usable.
QString keychainBannerText(const CredentialLoadResult& result);
/// The status-bar label: "Keychain: 2 secrets loaded", "Keychain: 1 missing", "Keychain: unavailable".
QString keychainStatusText(const CredentialLoadResult& result);
/// Lines for standard error (--check, --headless), empty when every secret was read.
QString keychainConsoleText(const CredentialLoadResult& result);

/// Starts the OAuth2 token source for the config's `oauth2` credentials (nullptr when there are none),
/// attached to the engine: tokens go to the engine as they arrive, failures raise S2 with the token
/// endpoint's error. It runs on the engine's clock (Engine::clock()). Call it after applyCredentialLoad(),
/// whose secrets would otherwise replace a token.
std::unique_ptr<OAuth2TokenSource> startOAuth2(Engine& engine, CredentialStore& store, const AppConfig& config);
/// Wires `tokens` to `engine`: tokenReady → Engine::setCredentialSecret, tokenFailed →
/// Engine::setCredentialUnavailable, Engine::credentialRejected → onCredentialRejected; then hands the engine
/// the tokens already held. The wiring lives here, not in models/credentials, which knows no engine.
void attachTokenSource(OAuth2TokenSource& tokens, Engine& engine);
/// For --check: waits (local event loop) until every OAuth2 credential has a token or has failed.
void waitForOAuth2(OAuth2TokenSource& tokens, std::chrono::milliseconds deadline);

/// The header names of `header:NAME` credentials, for the logging redaction.
QStringList secretHeaderNames(const AppConfig& config);

} // namespace sd

Q_DECLARE_METATYPE(sd::CredentialLoadResult)
