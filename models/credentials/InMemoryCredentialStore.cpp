// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/InMemoryCredentialStore.h"

namespace sd {

InMemoryCredentialStore::InMemoryCredentialStore(QObject* parent)
    : CredentialStore(parent)
{
}

void InMemoryCredentialStore::startJob(quint64 job, Operation operation, const QString& key, const QByteArray& secret)
{
    ++m_jobsStarted;
    if (!m_answering)
        return;
    if (m_failure != CredentialError::None) {
        finishJob(job, m_failure, QStringLiteral("simulated failure"));
        return;
    }
    switch (operation) {
    case Operation::Read: {
        const auto it = m_entries.constFind(key);
        if (it == m_entries.cend())
            finishJob(job, CredentialError::NotFound, {});
        else
            finishJob(job, CredentialError::None, {}, *it);
        return;
    }
    case Operation::Write:
        m_entries.insert(key, secret);
        finishJob(job, CredentialError::None, {});
        return;
    case Operation::Remove:
        finishJob(job, m_entries.remove(key) > 0 ? CredentialError::None : CredentialError::NotFound, {});
        return;
    }
}

} // namespace sd
