// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/CredentialStore.h"

#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcCredentials, "signaldeck.credentials", QtInfoMsg)

namespace sd {

namespace {

QString errorText(CredentialError error)
{
    switch (error) {
    case CredentialError::None:
        return {};
    case CredentialError::NotFound:
        return QStringLiteral("not in the keychain");
    case CredentialError::NoKeychain:
        return QStringLiteral("no OS keychain");
    case CredentialError::AccessDenied:
        return QStringLiteral("access denied (is the keychain locked?)");
    case CredentialError::Timeout:
        return QStringLiteral("no answer in time");
    case CredentialError::Other:
        break;
    }
    return QStringLiteral("failed");
}

} // namespace

CredentialStore::CredentialStore(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<CredentialReply>();
}

CredentialStore::~CredentialStore() = default;

void CredentialStore::read(const QString& key, QObject* context, Callback done)
{
    begin(Operation::Read, key, {}, context, std::move(done));
}

void CredentialStore::write(const QString& key, const QByteArray& secret, QObject* context, Callback done)
{
    begin(Operation::Write, key, secret, context, std::move(done));
}

void CredentialStore::remove(const QString& key, QObject* context, Callback done)
{
    begin(Operation::Remove, key, {}, context, std::move(done));
}

void CredentialStore::begin(
    Operation operation, const QString& key, const QByteArray& secret, QObject* context, Callback done)
{
    const quint64 job = m_nextJob++;
    Pending pending;
    pending.operation = operation;
    pending.key = key;
    pending.context = context;
    pending.hasContext = context != nullptr;
    pending.done = std::move(done);
    pending.watchdog = new QTimer(this);
    pending.watchdog->setSingleShot(true);
    connect(pending.watchdog, &QTimer::timeout, this, [this, job] {
        const auto it = m_pending.constFind(job);
        if (it == m_pending.cend())
            return;
        qCWarning(lcCredentials).noquote()
            << describe(it->operation, it->key) << "timed out after" << m_timeout.count() << "ms";
        abandonJob(job);
        finishJob(job, CredentialError::Timeout,
            QStringLiteral("no answer within %1 ms (the keychain runs one job at a time; a hung job blocks the rest)")
                .arg(m_timeout.count()));
    });
    pending.watchdog->start(m_timeout);
    m_pending.insert(job, pending);
    startJob(job, operation, key, secret);
}

QString CredentialStore::describe(Operation operation, const QString& key) const
{
    switch (operation) {
    case Operation::Read:
        return QStringLiteral("reading \"%1\" from %2").arg(key, location());
    case Operation::Write:
        return QStringLiteral("writing \"%1\" to %2").arg(key, location());
    case Operation::Remove:
        break;
    }
    return QStringLiteral("removing \"%1\" from %2").arg(key, location());
}

void CredentialStore::finishJob(quint64 job, CredentialError error, const QString& detail, const QByteArray& secret)
{
    const auto it = m_pending.find(job);
    if (it == m_pending.end())
        return;
    Pending pending = std::move(it.value());
    m_pending.erase(it);
    pending.watchdog->stop();
    pending.watchdog->deleteLater();

    CredentialReply reply;
    reply.error = error;
    const QString what = describe(pending.operation, pending.key);
    if (error == CredentialError::None) {
        reply.message = what + QStringLiteral(": done");
        if (pending.operation == Operation::Read)
            reply.secret = secret;
    } else {
        reply.message = what + QStringLiteral(": ") + errorText(error);
        if (!detail.isEmpty() && detail != errorText(error))
            reply.message += QStringLiteral(": ") + detail;
        qCDebug(lcCredentials).noquote() << reply.message;
    }
    // Always answer from the event loop, so a caller is never re-entered from inside read() or write().
    QMetaObject::invokeMethod(
        this,
        [pending = std::move(pending), reply = std::move(reply)] {
            if (pending.hasContext && !pending.context)
                return;
            if (pending.done)
                pending.done(reply);
        },
        Qt::QueuedConnection);
}

void CredentialStore::abandonJob(quint64 job)
{
    Q_UNUSED(job)
}

} // namespace sd
