// SPDX-License-Identifier: GPL-3.0-or-later
namespace sd {
int itemModelsPlaceholder();
int itemModelsPlaceholder() { return 0; }
} // namespace sd
