// SPDX-License-Identifier: GPL-3.0-or-later
namespace sd {
int credentialsPlaceholder();
int credentialsPlaceholder() { return 0; }
} // namespace sd
