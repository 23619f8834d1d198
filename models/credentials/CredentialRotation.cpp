// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/CredentialRotation.h"

#include "config/ConfigLoader.h"
#include "credentials/CredentialSecret.h"
#include "credentials/CredentialStore.h"

#include <QFileInfo>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcCredentials)

namespace sd {

namespace {

QString quoted(const QString& text)
{
    return u'"' + text + u'"';
}

QString fingerprintText(const QString& fingerprint)
{
    return fingerprint.isEmpty() ? QStringLiteral("(none)") : fingerprint;
}

} // namespace

QString credentialActionCode(CredentialChange::Action action)
{
    switch (action) {
    case CredentialChange::Action::Add:
        return QStringLiteral("add");
    case CredentialChange::Action::Rotate:
        return QStringLiteral("rotate");
    case CredentialChange::Action::Rollback:
        return QStringLiteral("rollback");
    case CredentialChange::Action::Delete:
        break;
    }
    return QStringLiteral("delete");
}

struct CredentialRotation::Loaded {
    AppConfig config;
    qsizetype index = -1; ///< of the credential in config.credentials, -1 when absent
};

CredentialRotation::CredentialRotation(
    CredentialStore* store, QString configPath, CredentialAuditLog audit, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_configPath(std::move(configPath))
    , m_audit(std::move(audit))
    , m_verifier(new CredentialVerifier(this))
    , m_now([] { return QDateTime::currentDateTimeUtc(); })
{
    qRegisterMetaType<CredentialChange>();
    connect(m_verifier, &CredentialVerifier::finished, this, [this](const CredentialVerification& verification) {
        m_busy = false;
        emit verified(verification);
    });
}

CredentialRotation::~CredentialRotation() = default;

std::optional<CredentialRotation::Loaded> CredentialRotation::load(CredentialChange& change)
{
    Loaded loaded;
    if (change.action == CredentialChange::Action::Add && !QFileInfo::exists(m_configPath)) {
        // The first credential on a fresh machine: the config is created with it.
    } else {
        const ConfigParseResult parsed = loadConfigFile(m_configPath);
        if (!parsed.ok()) {
            change.status = CredentialChange::Status::Config;
            change.message = QStringLiteral("cannot read the config:\n") + parsed.errorText();
            return std::nullopt;
        }
        loaded.config = *parsed.config;
    }
    for (qsizetype i = 0; i < loaded.config.credentials.size(); ++i) {
        if (loaded.config.credentials.at(i).id == change.credential)
            loaded.index = i;
    }
    if (loaded.index < 0 && change.action != CredentialChange::Action::Add) {
        change.status = CredentialChange::Status::NotFound;
        change.message = QStringLiteral("no credential %1 in %2").arg(quoted(change.credential), m_configPath);
        return std::nullopt;
    }
    return loaded;
}

void CredentialRotation::finish(CredentialChange change)
{
    // Info, not warning: the caller shows failures to the operator itself.
    qCInfo(lcCredentials).noquote() << change.message;
    // Always from the event loop, so a caller is never re-entered from inside commit() and the like.
    QMetaObject::invokeMethod(
        this,
        [this, change = std::move(change)] {
            m_busy = false;
            emit finished(change);
        },
        Qt::QueuedConnection);
}

void CredentialRotation::failKeychain(CredentialChange change, const CredentialReply& reply)
{
    change.status = reply.error == CredentialError::NotFound ? CredentialChange::Status::NotFound
                                                             : CredentialChange::Status::Keychain;
    change.keychainError = reply.error;
    change.message = reply.message;
    change.metadata.reset();
    change.secret.clear();
    finish(std::move(change));
}

void CredentialRotation::saveAndAudit(CredentialChange change, const AppConfig& config, const QString& verification,
    const std::function<void()>& undoKeychain)
{
    QString error;
    if (!saveConfigFile(m_configPath, config, &error)) {
        if (undoKeychain)
            undoKeychain();
        change.status = CredentialChange::Status::Config;
        change.message = error
            + (undoKeychain ? QStringLiteral(" (the keychain was put back as it was)")
                            : QStringLiteral(" (the keychain entries are already gone)"));
        change.metadata.reset();
        change.secret.clear();
        finish(std::move(change));
        return;
    }
    const CredentialAuditEntry entry { m_now().toUTC(), CredentialAuditLog::currentUser(), change.credential,
        credentialActionCode(change.action), change.oldFingerprint, change.newFingerprint, verification };
    if (QString auditError; !m_audit.append(entry, &auditError))
        change.message += QStringLiteral(" (warning: the audit trail was not written: ") + auditError + u')';
    finish(std::move(change));
}

bool CredentialRotation::verify(const QString& id, const QByteArray& candidate)
{
    if (m_busy)
        return false;
    m_busy = true;
    CredentialChange probe;
    probe.credential = id;
    const auto loaded = load(probe);
    if (!loaded) {
        CredentialVerification failed;
        failed.credential = id;
        failed.summary = QStringLiteral("failed: ") + probe.message;
        QMetaObject::invokeMethod(
            this,
            [this, failed] {
                m_busy = false;
                emit verified(failed);
            },
            Qt::QueuedConnection);
        return true;
    }
    m_verifier->verify(loaded->config, id, candidate);
    return true;
}

bool CredentialRotation::add(const CredentialConfig& credential, const QByteArray& secret)
{
    if (m_busy)
        return false;
    m_busy = true;
    CredentialChange change;
    change.action = CredentialChange::Action::Add;
    change.credential = credential.id;
    auto loaded = load(change);
    if (!loaded) {
        finish(std::move(change));
        return true;
    }
    change.status = CredentialChange::Status::Invalid;
    if (loaded->index >= 0) {
        change.message = QStringLiteral("credential %1 already exists in %2; use rotate to change its secret")
                             .arg(quoted(credential.id), m_configPath);
        finish(std::move(change));
        return true;
    }
    if (const QString problem = secretProblem(credential.scheme, secret); !problem.isEmpty()) {
        change.message = QStringLiteral("credential %1 not added: ").arg(quoted(credential.id)) + problem;
        finish(std::move(change));
        return true;
    }
    CredentialConfig meta = credential;
    meta.created = {};
    recordNewSecret(meta, secret, m_now());
    AppConfig config = loaded->config;
    config.credentials.append(meta);
    // Refuse metadata the config would not load back before the keychain is touched.
    if (const ConfigParseResult check = parseConfig(configToJson(config)); !check.ok()) {
        change.message = QStringLiteral("credential %1 not added: ").arg(quoted(credential.id)) + check.errorText();
        finish(std::move(change));
        return true;
    }
    change.status = CredentialChange::Status::Done;
    const QString id = credential.id;
    m_store->write(id, secret, this, [this, change, config, meta, secret, id](const CredentialReply& reply) mutable {
        if (!reply.ok())
            return failKeychain(change, reply);
        change.newFingerprint = meta.fingerprint;
        change.metadata = meta;
        change.secret = secret;
        change.message = QStringLiteral("added %1 (fingerprint %2)").arg(quoted(id), meta.fingerprint);
        saveAndAudit(
            change, config, QStringLiteral("not applicable"), [this, id] { m_store->remove(id, nullptr, {}); });
    });
    return true;
}

bool CredentialRotation::commit(
    const QString& id, const QByteArray& candidate, const std::optional<CredentialVerification>& verification)
{
    if (m_busy)
        return false;
    m_busy = true;
    CredentialChange change;
    change.action = CredentialChange::Action::Rotate;
    change.credential = id;
    const auto loaded = load(change);
    if (!loaded) {
        finish(std::move(change));
        return true;
    }
    const qsizetype index = loaded->index;
    const QString scheme = loaded->config.credentials.at(index).scheme;
    if (const QString problem = secretProblem(scheme, candidate); !problem.isEmpty()) {
        change.status = CredentialChange::Status::Invalid;
        change.message = QStringLiteral("%1 not rotated: ").arg(quoted(id)) + problem;
        finish(std::move(change));
        return true;
    }
    if (verification && !verification->passed) {
        change.status = CredentialChange::Status::Refused;
        change.message = QStringLiteral("%1 not rotated: verification ").arg(quoted(id)) + verification->summary;
        finish(std::move(change));
        return true;
    }
    const QString verificationText = verification ? verification->summary : QStringLiteral("skipped");
    AppConfig config = loaded->config;

    m_store->read(id, this, [=, this](const CredentialReply& current) {
        if (!current.ok() && current.error != CredentialError::NotFound)
            return failKeychain(change, current);
        const bool hadOld = current.ok();
        const QByteArray old = current.secret;
        auto writeCurrent = [=, this] {
            m_store->write(id, candidate, this, [=, this](const CredentialReply& written) {
                CredentialChange done = change;
                if (!written.ok())
                    return failKeychain(done, written);
                AppConfig updated = config;
                CredentialConfig& meta = updated.credentials[index];
                recordNewSecret(meta, candidate, m_now());
                done.oldFingerprint = hadOld ? credentialFingerprint(old) : QString();
                done.newFingerprint = meta.fingerprint;
                done.metadata = meta;
                done.secret = candidate;
                // Only what is true: with no secret before, nothing was kept and there is nothing to roll back to.
                done.message = hadOld
                    ? QStringLiteral("rotated %1: fingerprint %2 → %3; the old secret is kept as %4")
                          .arg(quoted(id), fingerprintText(done.oldFingerprint), done.newFingerprint,
                              quoted(CredentialStore::previousKey(id)))
                    : QStringLiteral("rotated %1: fingerprint %2; it had no secret before, so there is nothing to "
                                     "roll back to")
                          .arg(quoted(id), done.newFingerprint);
                saveAndAudit(done, updated, verificationText, [this, id, old, hadOld] {
                    if (hadOld)
                        m_store->write(id, old, nullptr, {});
                    else
                        m_store->remove(id, nullptr, {});
                });
            });
        };
        if (!hadOld) {
            writeCurrent();
            return;
        }
        m_store->write(CredentialStore::previousKey(id), old, this, [=, this](const CredentialReply& kept) {
            if (!kept.ok())
                return failKeychain(change, kept);
            writeCurrent();
        });
    });
    return true;
}

bool CredentialRotation::rollback(const QString& id)
{
    if (m_busy)
        return false;
    m_busy = true;
    CredentialChange change;
    change.action = CredentialChange::Action::Rollback;
    change.credential = id;
    const auto loaded = load(change);
    if (!loaded) {
        finish(std::move(change));
        return true;
    }
    const qsizetype index = loaded->index;
    const AppConfig config = loaded->config;
    const QString previousKey = CredentialStore::previousKey(id);

    m_store->read(previousKey, this, [=, this](const CredentialReply& previous) {
        if (!previous.ok()) {
            CredentialChange failed = change;
            if (previous.error == CredentialError::NotFound) {
                failed.status = CredentialChange::Status::NotFound;
                failed.message = QStringLiteral("no previous secret of %1 in %2: nothing to roll back to")
                                     .arg(quoted(id), m_store->location());
                finish(std::move(failed));
                return;
            }
            return failKeychain(failed, previous);
        }
        const QByteArray restored = previous.secret;
        m_store->read(id, this, [=, this](const CredentialReply& current) {
            if (!current.ok() && current.error != CredentialError::NotFound)
                return failKeychain(change, current);
            const bool hadCurrent = current.ok();
            const QByteArray replaced = current.secret;
            m_store->write(id, restored, this, [=, this](const CredentialReply& written) {
                if (!written.ok())
                    return failKeychain(change, written);
                const auto afterSwap = [=, this](const CredentialReply& swapped) {
                    if (!swapped.ok() && swapped.error != CredentialError::NotFound)
                        return failKeychain(change, swapped);
                    CredentialChange done = change;
                    AppConfig updated = config;
                    CredentialConfig& meta = updated.credentials[index];
                    recordNewSecret(meta, restored, m_now());
                    done.oldFingerprint = hadCurrent ? credentialFingerprint(replaced) : QString();
                    done.newFingerprint = meta.fingerprint;
                    done.metadata = meta;
                    done.secret = restored;
                    done.message = QStringLiteral("rolled %1 back: fingerprint %2 → %3 (the replaced secret is now %4)")
                                       .arg(quoted(id), fingerprintText(done.oldFingerprint), done.newFingerprint,
                                           quoted(previousKey));
                    saveAndAudit(done, updated, QStringLiteral("not applicable"),
                        [this, id, previousKey, restored, replaced, hadCurrent] {
                            m_store->write(previousKey, restored, nullptr, {});
                            if (hadCurrent)
                                m_store->write(id, replaced, nullptr, {});
                        });
                };
                // Keep the replaced secret as the previous one, so that a rollback can itself be undone.
                if (hadCurrent)
                    m_store->write(previousKey, replaced, this, afterSwap);
                else
                    m_store->remove(previousKey, this, afterSwap);
            });
        });
    });
    return true;
}

bool CredentialRotation::remove(const QString& id)
{
    if (m_busy)
        return false;
    m_busy = true;
    CredentialChange change;
    change.action = CredentialChange::Action::Delete;
    change.credential = id;
    const auto loaded = load(change);
    if (!loaded) {
        finish(std::move(change));
        return true;
    }
    QStringList users;
    for (const EndpointConfig& endpoint : loaded->config.endpoints) {
        if (endpoint.credential == id)
            users.append(endpoint.name);
    }
    if (!users.isEmpty()) {
        change.status = CredentialChange::Status::Refused;
        change.message = QStringLiteral("%1 is still used by %2; change those endpoints first (nothing was deleted)")
                             .arg(quoted(id), users.join(QStringLiteral(", ")));
        finish(std::move(change));
        return true;
    }
    AppConfig config = loaded->config;
    change.oldFingerprint = config.credentials.at(loaded->index).fingerprint;
    config.credentials.removeAt(loaded->index);

    m_store->remove(id, this, [=, this](const CredentialReply& removed) {
        if (!removed.ok() && removed.error != CredentialError::NotFound)
            return failKeychain(change, removed);
        m_store->remove(CredentialStore::previousKey(id), this, [=, this](const CredentialReply& removedPrevious) {
            if (!removedPrevious.ok() && removedPrevious.error != CredentialError::NotFound)
                return failKeychain(change, removedPrevious);
            CredentialChange done = change;
            done.message = QStringLiteral("deleted %1 (fingerprint %2) from %3 and the config")
                               .arg(quoted(id), fingerprintText(done.oldFingerprint), m_store->location());
            saveAndAudit(done, config, QStringLiteral("not applicable"), {});
        });
    });
    return true;
}

} // namespace sd
