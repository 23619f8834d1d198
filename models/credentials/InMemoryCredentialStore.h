// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/CredentialStore.h"

#include <QHash>

namespace sd {

/// A CredentialStore in process memory, for tests of the logic around the keychain (rotation, the engine,
/// the watchdog). It can play a keychain that is missing (setFailure(NoKeychain)) or one that never answers
/// (setAnswering(false)), so that the watchdog's Timeout is tested on the same code the real store uses.
class InMemoryCredentialStore : public CredentialStore {
    Q_OBJECT
public:
    explicit InMemoryCredentialStore(QObject* parent = nullptr);

    QString location() const override { return QStringLiteral("the in-memory test store"); }

    /// Every later operation fails with `error` (None restores normal behaviour).
    void setFailure(CredentialError error) { m_failure = error; }
    /// false: later jobs are accepted and never answered.
    void setAnswering(bool answering) { m_answering = answering; }

    QHash<QString, QByteArray> entries() const { return m_entries; }
    void setEntries(const QHash<QString, QByteArray>& entries) { m_entries = entries; }
    /// Jobs started so far, all operations together.
    int jobsStarted() const { return m_jobsStarted; }

protected:
    void startJob(quint64 job, Operation operation, const QString& key, const QByteArray& secret) override;

private:
    QHash<QString, QByteArray> m_entries;
    CredentialError m_failure = CredentialError::None;
    bool m_answering = true;
    int m_jobsStarted = 0;
};

} // namespace sd
