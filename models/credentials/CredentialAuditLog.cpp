// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentials/CredentialAuditLog.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>

#ifdef Q_OS_UNIX
#include <pwd.h>
#include <unistd.h>
#endif

namespace sd {

QJsonObject CredentialAuditEntry::toJson() const
{
    return QJsonObject { { QStringLiteral("time"), time.toUTC().toString(Qt::ISODate) },
        { QStringLiteral("user"), user }, { QStringLiteral("credential"), credential },
        { QStringLiteral("action"), action }, { QStringLiteral("oldFingerprint"), oldFingerprint },
        { QStringLiteral("newFingerprint"), newFingerprint }, { QStringLiteral("verification"), verification } };
}

std::optional<CredentialAuditEntry> CredentialAuditEntry::fromJson(const QJsonObject& object)
{
    CredentialAuditEntry entry;
    entry.time = QDateTime::fromString(object.value(u"time").toString(), Qt::ISODate).toUTC();
    entry.user = object.value(u"user").toString();
    entry.credential = object.value(u"credential").toString();
    entry.action = object.value(u"action").toString();
    entry.oldFingerprint = object.value(u"oldFingerprint").toString();
    entry.newFingerprint = object.value(u"newFingerprint").toString();
    entry.verification = object.value(u"verification").toString();
    if (!entry.time.isValid() || entry.credential.isEmpty() || entry.action.isEmpty())
        return std::nullopt;
    return entry;
}

CredentialAuditLog::CredentialAuditLog(QString path)
    : m_path(std::move(path))
{
}

QString CredentialAuditLog::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        + QStringLiteral("/credentials-audit.jsonl");
}

QString CredentialAuditLog::currentUser()
{
#ifdef Q_OS_UNIX
    if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name)
        return QString::fromLocal8Bit(pw->pw_name);
#endif
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("USERNAME");
    return user.isEmpty() ? QStringLiteral("unknown") : user;
}

bool CredentialAuditLog::append(const CredentialAuditEntry& entry, QString* error) const
{
    const auto failWith = [&](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    const QString directory = QFileInfo(m_path).absolutePath();
    if (!QDir().mkpath(directory))
        return failWith(m_path + QStringLiteral(": cannot create the directory ") + directory);
    QFile file(m_path);
    const bool existed = file.exists();
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
        return failWith(m_path + QStringLiteral(": cannot append: ") + file.errorString());
    if (!existed)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const QByteArray line = QJsonDocument(entry.toJson()).toJson(QJsonDocument::Compact) + '\n';
    if (file.write(line) != line.size() || !file.flush())
        return failWith(m_path + QStringLiteral(": cannot append: ") + file.errorString());
    return true;
}

QList<CredentialAuditEntry> CredentialAuditLog::entries() const
{
    QList<CredentialAuditEntry> out;
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return out;
    while (!file.atEnd()) {
        const QJsonDocument line = QJsonDocument::fromJson(file.readLine());
        if (!line.isObject())
            continue;
        if (auto entry = CredentialAuditEntry::fromJson(line.object()))
            out.append(*entry);
    }
    return out;
}

} // namespace sd
