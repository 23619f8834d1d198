// SPDX-License-Identifier: GPL-3.0-or-later
#include "itemmodels/RoleNames.h"

namespace sd {

QHash<int, QByteArray> roleNamesFromEnum(const QMetaEnum& roles, QHash<int, QByteArray> base)
{
    for (int i = 0; i < roles.keyCount(); ++i) {
        QByteArray name(roles.key(i));
        if (name.endsWith("Role"))
            name.chop(4);
        if (!name.isEmpty() && name[0] >= 'A' && name[0] <= 'Z')
            name[0] = static_cast<char>(name[0] - 'A' + 'a');
        base.insert(roles.value(i), name);
    }
    return base;
}

} // namespace sd
