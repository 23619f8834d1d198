// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/JsonPointer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QStringList>

#include <algorithm>

namespace sd {

namespace {

std::optional<QString> unescapeToken(QStringView token)
{
    QString out;
    out.reserve(token.size());
    for (qsizetype i = 0; i < token.size(); ++i) {
        const QChar c = token[i];
        if (c != u'~') {
            out.append(c);
            continue;
        }
        if (i + 1 >= token.size())
            return std::nullopt;
        const QChar next = token[++i];
        if (next == u'0')
            out.append(u'~');
        else if (next == u'1')
            out.append(u'/');
        else
            return std::nullopt;
    }
    return out;
}

/// An RFC 6901 array index: "0" or digits without a leading zero; -1 otherwise.
qsizetype arrayIndex(const QString& token)
{
    if (token.isEmpty() || (token.size() > 1 && token.front() == u'0'))
        return -1;
    for (QChar c : token) {
        if (c < u'0' || c > u'9')
            return -1;
    }
    bool ok = false;
    const qlonglong index = token.toLongLong(&ok);
    return ok ? static_cast<qsizetype>(index) : -1;
}

/// Splits "/a/b~1c" into unescaped tokens; nullopt when malformed.
std::optional<QStringList> splitPointer(QStringView pointer)
{
    QStringList out;
    if (pointer.isEmpty())
        return out;
    if (pointer.front() != u'/')
        return std::nullopt;
    for (QStringView raw : pointer.sliced(1).split(u'/')) {
        auto token = unescapeToken(raw);
        if (!token)
            return std::nullopt;
        out.append(*token);
    }
    return out;
}

} // namespace

std::optional<QJsonValue> jsonPointerResolve(const QJsonValue& document, QStringView pointer)
{
    const auto tokens = splitPointer(pointer);
    if (!tokens)
        return std::nullopt;
    QJsonValue current = document;
    for (const QString& token : *tokens) {
        if (current.isObject()) {
            const QJsonObject object = current.toObject();
            const auto it = object.constFind(token);
            if (it == object.constEnd())
                return std::nullopt;
            current = it.value();
        } else if (current.isArray()) {
            const QJsonArray array = current.toArray();
            const qsizetype index = arrayIndex(token);
            if (index < 0 || index >= array.size())
                return std::nullopt;
            current = array.at(index);
        } else {
            return std::nullopt;
        }
    }
    return current;
}

bool isValidJsonPointer(QStringView pointer)
{
    return splitPointer(pointer).has_value();
}

std::optional<QJsonValue> parseJsonValue(QByteArrayView text, QString* error)
{
    // QJsonDocument only takes an object or an array at the top, so wrap the text in one: the single
    // element of the array is the value. Offsets are corrected for the added '['.
    QByteArray wrapped;
    wrapped.reserve(text.size() + 2);
    wrapped.append('[').append(text).append(']');
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(wrapped, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (error) {
            const qsizetype offset = std::clamp<qsizetype>(parseError.offset - 1, 0, text.size());
            *error = parseError.errorString() % QStringLiteral(" at byte ") % QString::number(offset);
        }
        return std::nullopt;
    }
    const QJsonArray array = doc.array();
    if (array.size() != 1) {
        if (error)
            *error = array.isEmpty() ? QStringLiteral("empty") : QStringLiteral("more than one value");
        return std::nullopt;
    }
    return array.first();
}

} // namespace sd
