// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/OAuth2TokenSource.h"

#include "core/ProbeClock.h"
#include "core/Redaction.h"
#include "credentials/CredentialSecret.h"
#include "credentials/CredentialStore.h"
#include "credentials/OAuth2Protocol.h"

#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

Q_LOGGING_CATEGORY(lcOAuth2, "signaldeck.oauth2", QtInfoMsg)

namespace sd {

using namespace std::chrono;

namespace {

constexpr qint64 kMaxAnswerBytes = qint64(64) * 1024;
// A timer's wait is capped (QTimer counts in int milliseconds); a longer wait just re-evaluates early.
constexpr milliseconds kLongestTimer = hours(24);

QString transportError(const QNetworkReply& reply)
{
    switch (reply.error()) {
    case QNetworkReply::ConnectionRefusedError:
        return QStringLiteral("connection refused");
    case QNetworkReply::HostNotFoundError:
        return QStringLiteral("host not found");
    case QNetworkReply::RemoteHostClosedError:
        return QStringLiteral("connection closed by the server");
    case QNetworkReply::TimeoutError:
        return QStringLiteral("connection timed out");
    default:
        break;
    }
    return reply.errorString();
}

// What an identity provider writes into an error is not ours to trust: if it echoes the client secret,
// the secret goes no further.
QString withoutSecret(QString text, const QByteArray& clientSecret)
{
    if (clientSecret.isEmpty())
        return text;
    for (const QByteArray& form :
        { clientSecret, clientSecret.toBase64(), QUrl::toPercentEncoding(QString::fromUtf8(clientSecret)) })
        text.replace(QString::fromUtf8(form), QStringLiteral("<redacted>"));
    return redactSecrets(text);
}

} // namespace

class OAuth2TokenSource::InFlight {
public:
    explicit InFlight(std::shared_ptr<ProbeClock> clock)
        : m_clock(std::move(clock))
    {
        m_clock->networkStarted();
    }
    ~InFlight() { m_clock->networkFinished(); }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

private:
    std::shared_ptr<ProbeClock> m_clock;
};

struct OAuth2TokenSource::Entry {
    CredentialConfig config;
    quint64 generation = 0;
    QByteArray token; ///< the access token; never logged
    QDateTime expiresUtc;
    QDateTime nextAttemptUtc;
    int failures = 0;
    QString lastError;
    bool rejected = false; ///< the API refused the held token
    bool busy = false; ///< reading the store or a request in flight
    bool timedOut = false;
    QPointer<QNetworkReply> reply;
    std::shared_ptr<InFlight> request; ///< the clock is told while `reply` is out
    std::unique_ptr<ClockTimer> timer; ///< the next refresh or retry, on the source's clock
    std::unique_ptr<QTimer> deadline; ///< of the request in flight: real time, as the network is real

    ~Entry()
    {
        if (reply) {
            QObject::disconnect(reply, &QNetworkReply::finished, nullptr, nullptr);
            reply->abort();
            reply->deleteLater();
        }
    }
};

OAuth2TokenSource::OAuth2TokenSource(CredentialStore* store, QObject* parent)
    : OAuth2TokenSource(store, Options {}, parent)
{
}

OAuth2TokenSource::OAuth2TokenSource(CredentialStore* store, Options options, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_options(std::move(options))
    , m_clock(m_options.clock ? m_options.clock : systemClock())
    , m_network(new QNetworkAccessManager(this))
{
}

OAuth2TokenSource::~OAuth2TokenSource()
{
    m_entries.clear(); // aborts the requests in flight
}

QDateTime OAuth2TokenSource::now() const
{
    return m_clock->utcNow();
}

std::shared_ptr<OAuth2TokenSource::InFlight> OAuth2TokenSource::inFlight() const
{
    return std::make_shared<InFlight>(m_clock);
}

// The handle lives in the callback: the clock hears of the answer once the callback has run, or once it is
// dropped unrun (this source or the store gone first).
void OAuth2TokenSource::readStore(const QString& key, std::function<void(const CredentialReply&)> done)
{
    m_store->read(key, this, [out = inFlight(), done = std::move(done)](const CredentialReply& reply) { done(reply); });
}

double OAuth2TokenSource::jitter() const
{
    return m_options.random ? m_options.random() : QRandomGenerator::global()->generateDouble();
}

OAuth2TokenSource::Entry* OAuth2TokenSource::entryFor(const QString& id, quint64 generation) const
{
    const auto it = m_entries.find(id);
    return it != m_entries.end() && it->second->generation == generation ? it->second.get() : nullptr;
}

void OAuth2TokenSource::setCredentials(const QList<CredentialConfig>& credentials)
{
    QStringList keep;
    std::vector<Entry*> started;
    for (const CredentialConfig& credential : credentials) {
        if (!credential.oauth2)
            continue;
        keep.append(credential.id);
        const auto it = m_entries.find(credential.id);
        if (it != m_entries.end() && it->second->config.oauth2 == credential.oauth2
            && it->second->config.scheme == credential.scheme) {
            it->second->config = credential;
            continue;
        }
        auto entry = std::make_unique<Entry>();
        entry->config = credential;
        entry->generation = m_nextGeneration++;
        entry->timer.reset(m_clock->createTimer(true, nullptr));
        entry->deadline = std::make_unique<QTimer>();
        entry->deadline->setSingleShot(true);
        const QString id = credential.id;
        const quint64 generation = entry->generation;
        connect(entry->timer.get(), &ClockTimer::timeout, this, [this, id, generation] {
            if (Entry* e = entryFor(id, generation))
                fetch(*e);
        });
        connect(entry->deadline.get(), &QTimer::timeout, this, [this, id, generation] {
            Entry* e = entryFor(id, generation);
            if (!e || !e->reply)
                return;
            e->timedOut = true;
            e->reply->abort();
        });
        started.push_back(entry.get());
        m_entries[id] = std::move(entry);
    }
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (keep.contains(it->first)) {
            ++it;
            continue;
        }
        const QString id = it->first;
        it = m_entries.erase(it);
        emit statusChanged(id);
    }
    for (Entry* e : started)
        begin(*e);
}

void OAuth2TokenSource::replayTokens()
{
    const QDateTime nowUtc = now();
    for (const auto& [id, e] : m_entries) {
        if (usable(*e, nowUtc))
            emit tokenReady(id, e->token);
    }
}

void OAuth2TokenSource::refreshNow(const QString& credentialId)
{
    const auto it = m_entries.find(credentialId);
    if (it != m_entries.end())
        fetch(*it->second);
}

void OAuth2TokenSource::onCredentialRejected(const QString& credentialId, const QString& tokenFingerprint)
{
    const auto it = m_entries.find(credentialId);
    if (it == m_entries.end())
        return;
    Entry& e = *it->second;
    if (e.token.isEmpty() || credentialFingerprint(e.token) != tokenFingerprint) {
        qCDebug(lcOAuth2).noquote() << credentialId << "token" << tokenFingerprint
                                    << "was refused by the API; it has been replaced already";
        return;
    }
    e.rejected = true;
    if (e.busy) {
        qCDebug(lcOAuth2).noquote() << credentialId << "was refused by the API; the fetch under way answers that";
        return;
    }
    if (e.failures > 0) {
        // Fetching is failing already: the refused token is gone, and the backoff is not cut short.
        qCInfo(lcOAuth2).noquote() << credentialId << "was refused by the API while its token endpoint fails";
        e.token.clear();
        emit tokenFailed(credentialId, e.lastError);
        emit statusChanged(credentialId);
        return;
    }
    qCInfo(lcOAuth2).noquote() << credentialId << "access token" << tokenFingerprint
                               << "was refused by the API (401); fetching a new one";
    fetch(e);
}

OAuth2TokenSource::Status OAuth2TokenSource::status(const QString& credentialId) const
{
    Status s;
    const auto it = m_entries.find(credentialId);
    if (it == m_entries.end())
        return s;
    const Entry& e = *it->second;
    s.managed = true;
    s.hasToken = usable(e, now());
    if (s.hasToken) {
        s.fingerprint = credentialFingerprint(e.token);
        s.expiresUtc = e.expiresUtc;
    }
    s.nextAttemptUtc = e.nextAttemptUtc;
    s.failures = e.failures;
    s.lastError = e.lastError;
    return s;
}

QStringList OAuth2TokenSource::credentialIds() const
{
    QStringList ids;
    for (const auto& [id, e] : m_entries)
        ids.append(id);
    return ids;
}

bool OAuth2TokenSource::usable(const Entry& e, const QDateTime& nowUtc) const
{
    return !e.token.isEmpty() && !e.rejected && e.expiresUtc.isValid() && nowUtc < e.expiresUtc;
}

// A token from an earlier run is reused when its recorded expiry leaves enough time; otherwise, fetch.
void OAuth2TokenSource::begin(Entry& e)
{
    e.busy = true;
    const QString id = e.config.id;
    const quint64 generation = e.generation;
    readStore(expiryKey(id), [this, id, generation](const CredentialReply& expiryReply) {
        Entry* e = entryFor(id, generation);
        if (!e)
            return;
        const QDateTime expires = QDateTime::fromString(QString::fromLatin1(expiryReply.secret), Qt::ISODate);
        if (!expiryReply.ok() || !m_options.policy.reusable(now(), expires)) {
            e->busy = false;
            fetch(*e);
            return;
        }
        readStore(id, [this, id, generation, expires](const CredentialReply& tokenReply) {
            Entry* e = entryFor(id, generation);
            if (!e)
                return;
            e->busy = false;
            if (tokenReply.ok() && secretProblem(e->config.scheme, tokenReply.secret).isEmpty()) {
                qCInfo(lcOAuth2).noquote()
                    << id << "reuses its stored access token" << credentialFingerprint(tokenReply.secret);
                adopt(*e, tokenReply.secret, expires, true);
            } else {
                fetch(*e);
            }
        });
    });
}

void OAuth2TokenSource::fetch(Entry& e)
{
    if (e.busy)
        return;
    e.busy = true;
    e.timer->stop();
    const QString id = e.config.id;
    const quint64 generation = e.generation;
    // Read on every fetch, so that a client secret changed in the keychain is picked up by the next attempt.
    readStore(clientSecretKey(id), [this, id, generation](const CredentialReply& reply) {
        Entry* e = entryFor(id, generation);
        if (!e)
            return;
        if (!reply.ok() || reply.secret.isEmpty()) {
            e->busy = false;
            const CredentialError error = reply.ok() ? CredentialError::NotFound : reply.error;
            fail(*e,
                credentialUnavailableReason(error)
                    + QStringLiteral(" (OAuth2 client secret, key \"%1\")").arg(clientSecretKey(id)));
            return;
        }
        post(*e, reply.secret);
    });
}

void OAuth2TokenSource::post(Entry& e, const QByteArray& clientSecret)
{
    const OAuth2Config& oauth2 = *e.config.oauth2;
    QNetworkRequest request(oauth2.tokenUrl);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    request.setRawHeader(QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json"));
    request.setRawHeader(QByteArrayLiteral("Authorization"), basicClientAuthorization(oauth2.clientId, clientSecret));
    // The client secret goes to the token URL and nowhere else: no redirects are followed.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);

    qCDebug(lcOAuth2).noquote() << e.config.id << "asks" << redactedUrl(oauth2.tokenUrl) << "for an access token"
                                << "(client" << oauth2.clientId << ")";
    e.request = inFlight();
    QNetworkReply* reply = m_network->post(request, clientCredentialsBody(oauth2.clientId, oauth2.scope));
    e.reply = reply;
    e.timedOut = false;
    e.deadline->start(m_options.requestTimeout);
    const QString id = e.config.id;
    const quint64 generation = e.generation;
    connect(reply, &QNetworkReply::finished, this,
        [this, id, generation, reply, clientSecret] { onReply(id, generation, reply, clientSecret); });
}

void OAuth2TokenSource::onReply(
    const QString& id, quint64 generation, QNetworkReply* reply, const QByteArray& clientSecret)
{
    reply->deleteLater();
    Entry* e = entryFor(id, generation);
    if (!e || e->reply != reply)
        return;
    e->deadline->stop();
    e->reply = nullptr;
    e->busy = false;
    // Released on return, once the answer has been handled (a token handed out, a failure reported).
    const std::shared_ptr<InFlight> request = std::move(e->request);

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QString error;
    if (e->timedOut) {
        error = QStringLiteral("no answer within %1 s")
                    .arg(duration_cast<duration<double>>(m_options.requestTimeout).count(), 0, 'g', 3);
    } else if (status == 0) {
        error = transportError(*reply);
    } else {
        const QString phrase = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        const OAuth2TokenResponse response = parseTokenResponse(status, phrase, reply->read(kMaxAnswerBytes));
        if (response.ok()) {
            const QDateTime nowUtc = now();
            QDateTime expires;
            if (response.expiresIn)
                expires = nowUtc.addSecs(response.expiresIn->count());
            else if (const auto jwt = jwtExpiry(response.accessToken))
                expires = *jwt;
            else
                expires = nowUtc.addSecs(m_options.policy.assumedLifetime.count());
            adopt(*e, response.accessToken, expires, false);
            return;
        }
        error = response.error;
    }
    fail(*e,
        QStringLiteral("OAuth2 token endpoint: ") + withoutSecret(error, clientSecret) + QStringLiteral(" at ")
            + redactedUrl(e->config.oauth2->tokenUrl));
}

void OAuth2TokenSource::adopt(Entry& e, const QByteArray& token, const QDateTime& expiresUtc, bool fromStore)
{
    const QDateTime nowUtc = now();
    e.token = token;
    e.expiresUtc = expiresUtc;
    e.failures = 0;
    e.lastError.clear();
    e.rejected = false;
    const milliseconds delay = std::min(m_options.policy.refreshDelay(nowUtc, expiresUtc), kLongestTimer);
    e.nextAttemptUtc = nowUtc.addMSecs(delay.count());
    e.timer->start(delay);
    qCInfo(lcOAuth2).noquote() << e.config.id << "access token" << credentialFingerprint(token) << "valid for"
                               << nowUtc.secsTo(expiresUtc) << "s; refresh in" << delay.count() / 1000.0 << "s";
    emit tokenReady(e.config.id, token);
    if (!fromStore)
        persist(e);
    emit statusChanged(e.config.id);
}

// The token first, its expiry only once the token is stored: an expiry never describes another token.
void OAuth2TokenSource::persist(const Entry& e)
{
    const QString id = e.config.id;
    const QByteArray expires = e.expiresUtc.toUTC().toString(Qt::ISODate).toLatin1();
    m_store->write(id, e.token, this, [this, id, expires, out = inFlight()](const CredentialReply& reply) {
        if (!reply.ok()) {
            qCWarning(lcOAuth2).noquote() << id << "access token not kept for the next start:" << reply.message;
            return;
        }
        m_store->write(expiryKey(id), expires, this, [id, out = inFlight()](const CredentialReply& expiryReply) {
            if (!expiryReply.ok())
                qCWarning(lcOAuth2).noquote() << id << "token expiry not kept:" << expiryReply.message;
        });
    });
}

void OAuth2TokenSource::fail(Entry& e, const QString& reason)
{
    const QDateTime nowUtc = now();
    ++e.failures;
    e.lastError = reason;
    const bool stillUsable = usable(e, nowUtc);
    const milliseconds delay = std::min(
        m_options.policy.nextAttemptDelay(e.failures, jitter(), nowUtc, stillUsable ? e.expiresUtc : QDateTime()),
        kLongestTimer);
    e.nextAttemptUtc = nowUtc.addMSecs(delay.count());
    e.timer->start(delay);
    if (stillUsable) {
        qCWarning(lcOAuth2).noquote() << e.config.id << "token refresh failed:" << reason
                                      << "- the current token stays in use until" << e.expiresUtc.toString(Qt::ISODate)
                                      << "; next attempt in" << delay.count() / 1000.0 << "s";
    } else {
        qCWarning(lcOAuth2).noquote() << e.config.id << "has no access token:" << reason << "- next attempt in"
                                      << delay.count() / 1000.0 << "s";
        e.token.clear();
        emit tokenFailed(e.config.id, reason);
    }
    emit statusChanged(e.config.id);
}

} // namespace sd
