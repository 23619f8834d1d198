// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/DuplicateKeys.h"

#include "config/ConfigError.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QSet>

#include <optional>

namespace sd {

namespace {

class Scanner {
public:
    explicit Scanner(const QByteArray& json)
        : m_json(json)
    {
    }

    QList<ConfigError> run()
    {
        skipSpace();
        value(QString());
        return m_errors;
    }

private:
    bool at(char c) const { return m_pos < m_json.size() && m_json.at(m_pos) == c; }

    void skipSpace()
    {
        while (m_pos < m_json.size()) {
            const char c = m_json.at(m_pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                return;
            ++m_pos;
        }
    }

    /// A string literal at m_pos, decoded (escapes included) by the JSON parser itself.
    std::optional<QString> string()
    {
        if (!at('"'))
            return std::nullopt;
        const qsizetype start = m_pos++;
        while (m_pos < m_json.size() && m_json.at(m_pos) != '"') {
            if (m_json.at(m_pos) == '\\')
                ++m_pos;
            ++m_pos;
        }
        if (m_pos >= m_json.size())
            return std::nullopt;
        ++m_pos;
        const QByteArray literal = '[' + m_json.sliced(start, m_pos - start) + ']';
        const QJsonDocument decoded = QJsonDocument::fromJson(literal);
        return decoded.isArray() ? std::optional(decoded.array().at(0).toString()) : std::nullopt;
    }

    // The depth is bounded by the parser that accepted the document first.
    bool value(const QString& path) // NOLINT(misc-no-recursion)
    {
        skipSpace();
        if (m_pos >= m_json.size())
            return false;
        const char c = m_json.at(m_pos);
        if (c == '{')
            return object(path);
        if (c == '[')
            return array(path);
        if (c == '"')
            return string().has_value();
        while (m_pos < m_json.size()) {
            const char d = m_json.at(m_pos);
            if (d == ',' || d == '}' || d == ']' || d == ' ' || d == '\t' || d == '\n' || d == '\r')
                break;
            ++m_pos;
        }
        return true;
    }

    bool object(const QString& path) // NOLINT(misc-no-recursion)
    {
        ++m_pos; // '{'
        QSet<QString> keys;
        skipSpace();
        if (at('}')) {
            ++m_pos;
            return true;
        }
        while (m_pos < m_json.size()) {
            skipSpace();
            const auto key = string();
            if (!key)
                return false;
            const QString childPath = configKeyPath(path, *key);
            if (keys.contains(*key))
                m_errors.append(ConfigError { childPath, QStringLiteral("duplicate key") });
            keys.insert(*key);
            skipSpace();
            if (!at(':'))
                return false;
            ++m_pos;
            if (!value(childPath))
                return false;
            skipSpace();
            if (at(',')) {
                ++m_pos;
                continue;
            }
            if (at('}')) {
                ++m_pos;
                return true;
            }
            return false;
        }
        return false;
    }

    bool array(const QString& path) // NOLINT(misc-no-recursion)
    {
        ++m_pos; // '['
        skipSpace();
        if (at(']')) {
            ++m_pos;
            return true;
        }
        for (qsizetype index = 0; m_pos < m_json.size(); ++index) {
            if (!value(path + u'[' + QString::number(index) + u']'))
                return false;
            skipSpace();
            if (at(',')) {
                ++m_pos;
                continue;
            }
            if (at(']')) {
                ++m_pos;
                return true;
            }
            return false;
        }
        return false;
    }

    const QByteArray& m_json;
    qsizetype m_pos = 0;
    QList<ConfigError> m_errors;
};

} // namespace

QList<ConfigError> findDuplicateKeys(const QByteArray& json)
{
    return Scanner(json).run();
}

} // namespace sd
