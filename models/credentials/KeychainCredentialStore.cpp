// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/KeychainCredentialStore.h"

#include <qt6keychain/keychain.h>

namespace sd {

namespace {

// QtKeychain reports a missing D-Bus session or Secret Service as OtherError; its text tells them apart
// from genuine failures.
bool meansNoKeychain(const QString& detail)
{
    static const QStringList hints { QStringLiteral("could not connect"), QStringLiteral("d-bus"),
        QStringLiteral("dbus"), QStringLiteral("org.freedesktop.secrets"), QStringLiteral("secret service"),
        QStringLiteral("not provided by any .service"), QStringLiteral("no such interface"),
        QStringLiteral("kwallet") };
    const QString lower = detail.toLower();
    return std::any_of(hints.cbegin(), hints.cend(), [&lower](const QString& hint) { return lower.contains(hint); });
}

CredentialError errorOf(QKeychain::Error error, const QString& detail)
{
    switch (error) {
    case QKeychain::NoError:
        return CredentialError::None;
    case QKeychain::EntryNotFound:
        return CredentialError::NotFound;
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return CredentialError::AccessDenied;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return CredentialError::NoKeychain;
    case QKeychain::OtherError:
        return meansNoKeychain(detail) ? CredentialError::NoKeychain : CredentialError::Other;
    case QKeychain::CouldNotDeleteEntry:
        break;
    }
    return CredentialError::Other;
}

} // namespace

KeychainCredentialStore::KeychainCredentialStore(QObject* parent)
    : KeychainCredentialStore(defaultService(), parent)
{
}

KeychainCredentialStore::KeychainCredentialStore(QString service, QObject* parent)
    : CredentialStore(parent)
    , m_service(std::move(service))
{
}

KeychainCredentialStore::~KeychainCredentialStore()
{
    // Jobs still queued in QtKeychain finish (and delete themselves) without us.
    for (const auto& job : std::as_const(m_jobs)) {
        if (job)
            job->disconnect(this);
    }
}

QString KeychainCredentialStore::location() const
{
    return QStringLiteral("the OS keychain (service \"%1\")").arg(m_service);
}

void KeychainCredentialStore::startJob(quint64 job, Operation operation, const QString& key, const QByteArray& secret)
{
    QKeychain::Job* keychainJob = nullptr;
    switch (operation) {
    case Operation::Read:
        keychainJob = new QKeychain::ReadPasswordJob(m_service);
        break;
    case Operation::Write: {
        auto* write = new QKeychain::WritePasswordJob(m_service);
        write->setBinaryData(secret);
        keychainJob = write;
        break;
    }
    case Operation::Remove:
        keychainJob = new QKeychain::DeletePasswordJob(m_service);
        break;
    }
    // Never store a secret anywhere but the keychain (on Linux the fallback would be a plain-text file).
    keychainJob->setInsecureFallback(false);
    keychainJob->setAutoDelete(true);
    keychainJob->setKey(key);
    m_jobs.insert(job, keychainJob);
    connect(keychainJob, &QKeychain::Job::finished, this,
        [this, job](QKeychain::Job* finished) { onJobFinished(job, finished); });
    keychainJob->start();
}

void KeychainCredentialStore::onJobFinished(quint64 job, QKeychain::Job* keychainJob)
{
    m_jobs.remove(job);
    const QString detail = keychainJob->errorString();
    const CredentialError error = errorOf(keychainJob->error(), detail);
    QByteArray secret;
    if (error == CredentialError::None) {
        if (auto* read = qobject_cast<QKeychain::ReadPasswordJob*>(keychainJob))
            secret = read->binaryData();
    }
    finishJob(job, error, detail, secret);
}

void KeychainCredentialStore::abandonJob(quint64 job)
{
    if (const QPointer<QKeychain::Job> keychainJob = m_jobs.take(job))
        keychainJob->disconnect(this);
}

} // namespace sd
