// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/AcknowledgementFile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace sd::AcknowledgementFile {

QString fileName()
{
    return u"acknowledgements.json"_s;
}

QHash<QString, QDateTime> read(const QString& path, QString* error)
{
    QHash<QString, QDateTime> out;
    QFile file(path);
    if (!file.exists())
        return out;
    auto fail = [&](const QString& problem) {
        if (error)
            *error = u"%1: %2"_s.arg(path, problem);
        return out;
    };
    if (!file.open(QIODevice::ReadOnly))
        return fail(file.errorString());
    QJsonParseError parse {};
    const QJsonDocument doc = QJsonDocument::fromJson(file.read(1 << 20), &parse);
    if (parse.error != QJsonParseError::NoError)
        return fail(u"not JSON at offset %1: %2"_s.arg(parse.offset).arg(parse.errorString()));
    const QJsonObject root = doc.object();
    if (root.value(u"version"_s).toInt() != 1 || !root.value(u"acknowledged"_s).isArray())
        return fail(u"expected {\"version\": 1, \"acknowledged\": [...]}"_s);
    const QJsonArray list = root.value(u"acknowledged"_s).toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonObject entry = list.at(i).toObject();
        const QString endpoint = entry.value(u"endpoint"_s).toString();
        const QDateTime at = QDateTime::fromString(entry.value(u"at"_s).toString(), Qt::ISODateWithMs);
        if (endpoint.isEmpty() || !at.isValid()) {
            fail(u"acknowledged[%1]: needs \"endpoint\" and an ISO 8601 \"at\""_s.arg(i));
            continue;
        }
        out.insert(endpoint, at.toUTC());
    }
    return out;
}

bool write(const QString& path, const QHash<QString, QDateTime>& acknowledged, QString* error)
{
    if (acknowledged.isEmpty()) {
        if (!QFile::exists(path) || QFile::remove(path))
            return true;
        if (error)
            *error = u"%1: cannot remove it"_s.arg(path);
        return false;
    }
    QStringList keys = acknowledged.keys();
    keys.sort(); // a stable file for a person reading it
    QJsonArray list;
    for (const QString& key : std::as_const(keys))
        list.append(QJsonObject {
            { u"endpoint"_s, key }, { u"at"_s, acknowledged.value(key).toUTC().toString(Qt::ISODateWithMs) } });
    const QJsonObject root { { u"version"_s, 1 }, { u"acknowledged"_s, list } };
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(root).toJson()) < 0 || !file.commit()) {
        if (error)
            *error = u"%1: %2"_s.arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace sd::AcknowledgementFile
