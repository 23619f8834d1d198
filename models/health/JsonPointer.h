// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QJsonValue>
#include <QString>
#include <QStringView>

#include <optional>

namespace sd {

/// RFC 6901 JSON pointers, used by body checks (`"jsonPointer": "/object"`) and the error-code map
/// (`"pointer": "/error/code"`). `jsonPointerResolve` walks `document` along `pointer`: "" is the whole
/// document, each "/token" selects an object member (with "~1" for "/" and "~0" for "~") or an array
/// element (a decimal index without leading zeros; "-" names the element after the last, which never
/// exists). It returns nullopt when the pointer is malformed or names nothing; a member whose value is
/// JSON null resolves to a null QJsonValue, not to nullopt.
std::optional<QJsonValue> jsonPointerResolve(const QJsonValue& document, QStringView pointer);

/// True when `pointer` is a syntactically valid JSON pointer ("" or "/..." with only ~0 and ~1 escapes).
bool isValidJsonPointer(QStringView pointer);

/// Parses JSON text of any top-level kind (object, array, string, number, true, false, null), which
/// QJsonDocument alone does not. nullopt on a syntax error; `error`, when given, then says what and where.
std::optional<QJsonValue> parseJsonValue(QByteArrayView text, QString* error = nullptr);

} // namespace sd
