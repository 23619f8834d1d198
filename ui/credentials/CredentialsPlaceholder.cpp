// SPDX-License-Identifier: GPL-3.0-or-later
namespace sd {
int credentialsUiPlaceholder();
int credentialsUiPlaceholder() { return 0; }
} // namespace sd
