// SPDX-License-Identifier: GPL-3.0-or-later
#include "controller/CredentialLoading.h"

#include "credentials/OAuth2TokenSource.h"
#include <QSet>

#include "credentials/CredentialStore.h"
#include "schedule/Engine.h"

#include <QEventLoop>
#include <QLoggingCategory>
#include <QTimer>

#include <algorithm>

Q_LOGGING_CATEGORY(lcCredentialLoading, "signaldeck.credentials.load", QtInfoMsg)

namespace sd {

namespace {

constexpr auto kPausedNote = "endpoints that need a credential are paused";

bool isKeychainWide(CredentialError error)
{
    return error != CredentialError::None && error != CredentialError::NotFound;
}

QString quotedReason(CredentialError error)
{
    return u'\'' + credentialUnavailableReason(error) + u'\'';
}

} // namespace

QStringList CredentialLoadResult::missing() const
{
    QStringList ids;
    for (auto it = failures.cbegin(); it != failures.cend(); ++it) {
        if (it.value() == CredentialError::NotFound)
            ids.append(it.key());
    }
    ids.sort();
    return ids;
}

CredentialLoading::CredentialLoading(CredentialStore* store, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_deadline(new QTimer(this))
{
    qRegisterMetaType<CredentialLoadResult>();
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, [this] {
        // Whatever has not answered by now is reported as a keychain that did not answer.
        for (const QString& id : std::as_const(m_pending))
            m_result.failures.insert(id, CredentialError::Timeout);
        if (!m_pending.isEmpty() && !m_result.keychainUnavailable()) {
            m_result.keychainProblem = CredentialError::Timeout;
            m_result.keychainMessage = QStringLiteral("%1 did not answer within %2 s")
                                           .arg(m_store->location())
                                           .arg(static_cast<double>(m_deadline->interval()) / 1000.0);
        }
        m_pending.clear();
        finishNow();
    });
}

QList<CredentialConfig> CredentialLoading::readable(const QList<CredentialConfig>& credentials)
{
    QList<CredentialConfig> out;
    std::copy_if(credentials.cbegin(), credentials.cend(), std::back_inserter(out),
        [](const CredentialConfig& c) { return !c.oauth2.has_value(); });
    return out;
}

void CredentialLoading::start(const QList<CredentialConfig>& credentials, std::chrono::milliseconds deadline)
{
    const quint64 generation = ++m_generation;
    m_result = {};
    m_pending.clear();
    m_deadline->stop();
    const QList<CredentialConfig> toRead = readable(credentials);
    m_result.requested = static_cast<int>(toRead.size());
    for (const CredentialConfig& c : toRead)
        m_pending.insert(c.id);
    if (m_pending.isEmpty()) {
        QTimer::singleShot(0, this, [this, generation] {
            if (generation == m_generation)
                finishNow();
        });
        return;
    }
    m_deadline->start(static_cast<int>(deadline.count()));
    for (const QString& id : QSet<QString>(m_pending)) {
        m_store->read(
            id, this, [this, generation, id](const CredentialReply& reply) { answer(generation, id, reply); });
    }
}

void CredentialLoading::answer(quint64 generation, const QString& id, const CredentialReply& reply)
{
    if (generation != m_generation || !m_pending.remove(id))
        return;
    if (reply.ok()) {
        m_result.secrets.insert(id, reply.secret);
    } else {
        m_result.failures.insert(id, reply.error);
        if (isKeychainWide(reply.error) && !m_result.keychainUnavailable()) {
            m_result.keychainProblem = reply.error;
            m_result.keychainMessage = reply.message;
        }
    }
    if (m_pending.isEmpty()) {
        m_deadline->stop();
        finishNow();
    }
}

void CredentialLoading::finishNow()
{
    qCInfo(lcCredentialLoading).noquote()
        << QStringLiteral("credentials: %1 of %2 secrets read from %3")
               .arg(m_result.secrets.size())
               .arg(m_result.requested)
               .arg(m_store->location())
        << (m_result.keychainUnavailable() ? QStringLiteral("; ") + m_result.keychainMessage : QString());
    emit finished(m_result);
}

CredentialLoadResult loadCredentialsAndWait(
    CredentialStore& store, const QList<CredentialConfig>& credentials, std::chrono::milliseconds deadline)
{
    CredentialLoading loading(&store);
    CredentialLoadResult result;
    QEventLoop loop;
    QObject::connect(&loading, &CredentialLoading::finished, &loop, [&](const CredentialLoadResult& r) {
        result = r;
        loop.quit();
    });
    loading.start(credentials, deadline);
    loop.exec();
    return result;
}

void applyCredentialLoad(Engine& engine, const CredentialLoadResult& result)
{
    engine.setCredentialSecrets(result.secrets);
    for (auto it = result.failures.cbegin(); it != result.failures.cend(); ++it)
        engine.setCredentialUnavailable(it.key(), credentialUnavailableReason(it.value()));
}

QString keychainBannerText(const CredentialLoadResult& result)
{
    const QString paused = QString::fromLatin1(kPausedNote);
    switch (result.keychainProblem) {
    case CredentialError::NoKeychain:
        return QStringLiteral("No OS keychain (Secret Service): %1 — S2 %2. Start a Secret Service (gnome-keyring or "
                              "KWallet in your D-Bus session) and restart SignalDeck. Secrets are never kept anywhere "
                              "else.")
            .arg(paused, quotedReason(result.keychainProblem));
    case CredentialError::AccessDenied:
        return QStringLiteral("The OS keychain refused access (is it locked?): %1 — S2 %2. Unlock it and restart "
                              "SignalDeck.")
            .arg(paused, quotedReason(result.keychainProblem));
    case CredentialError::Timeout:
        return QStringLiteral("The OS keychain did not answer (is an unlock prompt waiting?): %1 — S2 %2.")
            .arg(paused, quotedReason(result.keychainProblem));
    case CredentialError::Other:
        return QStringLiteral("The OS keychain failed (%1): %2 — S2 %3.")
            .arg(result.keychainMessage, paused, quotedReason(result.keychainProblem));
    case CredentialError::None:
    case CredentialError::NotFound:
        break;
    }
    const QStringList missing = result.missing();
    if (missing.isEmpty())
        return {};
    return QStringLiteral("Not in the keychain: %1 — the endpoints using %2 are paused (S2 %3). Store the secret with "
                          "Endpoints ▸ Credentials… (Ctrl+K).")
        .arg(missing.join(QStringLiteral(", ")), missing.size() == 1 ? QStringLiteral("it") : QStringLiteral("them"),
            quotedReason(CredentialError::NotFound));
}

QString keychainStatusText(const CredentialLoadResult& result)
{
    if (result.requested == 0)
        return QStringLiteral("Keychain: not needed");
    if (result.keychainUnavailable())
        return QStringLiteral("Keychain: unavailable");
    const QStringList missing = result.missing();
    if (!missing.isEmpty())
        return QStringLiteral("Keychain: %1 missing").arg(missing.size());
    return result.secrets.size() == 1 ? QStringLiteral("Keychain: 1 secret loaded")
                                      : QStringLiteral("Keychain: %1 secrets loaded").arg(result.secrets.size());
}

QString keychainConsoleText(const CredentialLoadResult& result)
{
    QString text;
    if (result.keychainUnavailable()) {
        text += QStringLiteral("signaldeck: %1\n").arg(result.keychainMessage);
        text += QStringLiteral("signaldeck: the OS keychain is not usable, so %1 (S2 %2); secrets are never read "
                               "from anywhere else.\n")
                    .arg(QString::fromLatin1(kPausedNote), quotedReason(result.keychainProblem));
        if (result.keychainProblem == CredentialError::NoKeychain)
            text += QStringLiteral("signaldeck: run inside a D-Bus session with a Secret Service (gnome-keyring, "
                                   "KWallet), e.g. dbus-run-session with an unlocked gnome-keyring-daemon.\n");
    }
    const QStringList missing = result.missing();
    if (!missing.isEmpty()) {
        text += QStringLiteral("signaldeck: not in the keychain: %1 — the endpoints using %2 are not probed (S2 %3); "
                               "store a secret with: printf %s \"$SECRET\" | signaldeck credentials rotate %4\n")
                    .arg(missing.join(QStringLiteral(", ")),
                        missing.size() == 1 ? QStringLiteral("it") : QStringLiteral("them"),
                        quotedReason(CredentialError::NotFound),
                        missing.size() == 1 ? missing.constFirst() : QStringLiteral("ID"));
    }
    return text;
}

std::unique_ptr<OAuth2TokenSource> startOAuth2(Engine& engine, CredentialStore& store, const AppConfig& config)
{
    const bool any = std::any_of(config.credentials.cbegin(), config.credentials.cend(),
        [](const CredentialConfig& c) { return c.oauth2.has_value(); });
    if (!any)
        return nullptr;
    OAuth2TokenSource::Options options;
    options.clock = engine.clock(); // one time for the engine and its tokens (a test's simulated clock)
    auto tokens = std::make_unique<OAuth2TokenSource>(&store, std::move(options));
    attachTokenSource(*tokens, engine);
    tokens->setCredentials(config.credentials);
    return tokens;
}

void attachTokenSource(OAuth2TokenSource& tokens, Engine& engine)
{
    QObject::connect(&tokens, &OAuth2TokenSource::tokenReady, &engine, &Engine::setCredentialSecret);
    QObject::connect(&tokens, &OAuth2TokenSource::tokenFailed, &engine, &Engine::setCredentialUnavailable);
    QObject::connect(&engine, &Engine::credentialRejected, &tokens, &OAuth2TokenSource::onCredentialRejected);
    tokens.replayTokens();
}

void waitForOAuth2(OAuth2TokenSource& tokens, std::chrono::milliseconds deadline)
{
    // One list: a QSet built from the iterators of two temporaries walked off the end of the first (issue 11).
    const QStringList ids = tokens.credentialIds();
    QSet<QString> pending(ids.cbegin(), ids.cend());
    for (const QString& id : ids)
        if (tokens.status(id).hasToken)
            pending.remove(id);
    if (pending.isEmpty())
        return;
    QEventLoop loop;
    auto settle = [&pending, &loop](const QString& id) {
        pending.remove(id);
        if (pending.isEmpty())
            loop.quit();
    };
    QObject::connect(&tokens, &OAuth2TokenSource::tokenReady, &loop, [settle](const QString& id) { settle(id); });
    QObject::connect(&tokens, &OAuth2TokenSource::tokenFailed, &loop, [settle](const QString& id) { settle(id); });
    QTimer::singleShot(deadline, &loop, &QEventLoop::quit);
    loop.exec();
}

QStringList secretHeaderNames(const AppConfig& config)
{
    static const QString prefix = QStringLiteral("header:");
    QStringList names;
    for (const CredentialConfig& c : config.credentials) {
        if (c.scheme.startsWith(prefix, Qt::CaseInsensitive)) {
            const QString name = c.scheme.mid(prefix.size()).trimmed();
            if (!name.isEmpty() && !names.contains(name, Qt::CaseInsensitive))
                names.append(name);
        }
    }
    return names;
}

} // namespace sd
