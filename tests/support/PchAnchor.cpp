// SPDX-License-Identifier: GPL-3.0-or-later
// The translation unit of the targets that only make the tests' precompiled headers (tests/CMakeLists.txt).
namespace sd::test {
int pchAnchor()
{
    return 0;
}
} // namespace sd::test
