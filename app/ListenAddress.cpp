// SPDX-License-Identifier: GPL-3.0-or-later
#include "ListenAddress.h"

namespace sd {

std::optional<ListenAddress> ListenAddress::parse(const QString& text, QString* error)
{
    QString host;
    QString port = text;
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon >= 0) {
        host = text.left(colon);
        port = text.mid(colon + 1);
    }
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint number = port.toUInt(&ok);
    if (!ok || number == 0 || number > 65535) {
        *error = u"'"_qs + text + u"' has no port (1-65535); use ADDR:PORT, :PORT or PORT"_qs;
        return std::nullopt;
    }
    ListenAddress result;
    result.port = static_cast<quint16>(number);
    if (host.isEmpty() || host == u"localhost") {
        result.address = QHostAddress(QHostAddress::LocalHost);
    } else if (!result.address.setAddress(host)) {
        *error
            = u"'"_qs + host + u"' is not an IP address (use 127.0.0.1, ::1, 0.0.0.0, :: or an interface's address)"_qs;
        return std::nullopt;
    }
    return result;
}

QString ListenAddress::toString() const
{
    const QString host
        = address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']' : address.toString();
    return host + u':' + QString::number(port);
}

} // namespace sd
