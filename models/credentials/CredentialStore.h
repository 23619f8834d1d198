// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentials/CredentialError.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <chrono>
#include <functional>

class QTimer;

namespace sd {

/// Where SignalDeck keeps secrets, by key (a credential id, or `<id>.previous` for the secret a rotation
/// replaced). Every operation is asynchronous and answers exactly once, through its callback, in the
/// store's thread and never from inside the call itself; the callback is skipped when its context object
/// is gone by then (a null context means "always call").
///
/// Every job has a watchdog: one that has not answered within timeout() (10 s by default) is reported as
/// CredentialError::Timeout and its late answer, if any, is ignored. Implementations provide startJob()
/// and report with finishJob(); they never fall back to storing a secret anywhere else.
class CredentialStore : public QObject {
    Q_OBJECT
public:
    using Callback = std::function<void(const CredentialReply&)>;
    enum class Operation : quint8 { Read, Write, Remove };

    explicit CredentialStore(QObject* parent = nullptr);
    ~CredentialStore() override;

    void read(const QString& key, QObject* context, Callback done);
    void write(const QString& key, const QByteArray& secret, QObject* context, Callback done);
    /// Removing a key that does not exist answers NotFound.
    void remove(const QString& key, QObject* context, Callback done);

    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    std::chrono::milliseconds timeout() const { return m_timeout; }
    /// Jobs started and not answered yet.
    int pendingJobs() const { return static_cast<int>(m_pending.size()); }

    /// Where the secrets are, for messages: "the OS keychain (Secret Service, service \"signaldeck\")".
    virtual QString location() const = 0;

    /// The key under which the secret a rotation replaced is kept: `<id>.previous`.
    static QString previousKey(const QString& id) { return id + QStringLiteral(".previous"); }

protected:
    /// Starts one job; the implementation answers later with finishJob(job, …).
    virtual void startJob(quint64 job, Operation operation, const QString& key, const QByteArray& secret) = 0;
    /// Ends `job`. `detail` is the backend's own words, appended to the message. A job the watchdog already
    /// ended is ignored.
    void finishJob(quint64 job, CredentialError error, const QString& detail, const QByteArray& secret = {});
    /// The watchdog ended `job`: drop whatever refers to it. The default does nothing.
    virtual void abandonJob(quint64 job);

private:
    struct Pending {
        Operation operation = Operation::Read;
        QString key;
        QPointer<QObject> context;
        bool hasContext = false;
        Callback done;
        QTimer* watchdog = nullptr;
    };

    void begin(Operation operation, const QString& key, const QByteArray& secret, QObject* context, Callback done);
    QString describe(Operation operation, const QString& key) const;

    std::chrono::milliseconds m_timeout { 10'000 };
    quint64 m_nextJob = 1;
    QHash<quint64, Pending> m_pending;
};

} // namespace sd
