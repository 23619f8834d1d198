// SPDX-License-Identifier: GPL-3.0-or-later
// The widgets arrive with the dashboard issue; the library exists so that the layering is in place.
namespace sd::ui {
int placeholder();
int placeholder() { return 0; }
} // namespace sd::ui
