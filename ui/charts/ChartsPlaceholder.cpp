// SPDX-License-Identifier: GPL-3.0-or-later
namespace sd {
int chartsPlaceholder();
int chartsPlaceholder() { return 0; }
} // namespace sd
