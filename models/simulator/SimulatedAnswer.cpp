// SPDX-License-Identifier: GPL-3.0-or-later
#include "simulator/SimulatedAnswer.h"

namespace sd {

QByteArray SimulatedAnswer::header(QByteArrayView name) const
{
    for (const auto& [key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

} // namespace sd
