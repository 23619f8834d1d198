// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/CredentialStore.h"

#include <QHash>
#include <QPointer>

namespace QKeychain {
class Job;
}

namespace sd {

/// The OS keychain through QtKeychain (on Linux: the Secret Service, gnome-keyring or KWallet, via
/// libsecret). Entries are stored under `service()` ("signaldeck") with the credential id as key. The
/// insecure fallback is always off: without a keychain every operation fails with NoKeychain, and nothing
/// is written anywhere else. QtKeychain runs one job at a time for the whole process, so a job that hangs
/// blocks all later ones; the watchdog of CredentialStore reports each of them as Timeout instead.
class KeychainCredentialStore : public CredentialStore {
    Q_OBJECT
public:
    explicit KeychainCredentialStore(QObject* parent = nullptr);
    KeychainCredentialStore(QString service, QObject* parent);
    ~KeychainCredentialStore() override;

    QString service() const { return m_service; }
    QString location() const override;

    /// The QtKeychain service all SignalDeck entries share.
    static QString defaultService() { return QStringLiteral("signaldeck"); }

protected:
    void startJob(quint64 job, Operation operation, const QString& key, const QByteArray& secret) override;
    void abandonJob(quint64 job) override;

private:
    void onJobFinished(quint64 job, QKeychain::Job* keychainJob);

    QString m_service;
    QHash<quint64, QPointer<QKeychain::Job>> m_jobs;
};

} // namespace sd
