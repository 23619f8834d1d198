// SPDX-License-Identifier: GPL-3.0-or-later
#include "simulator/Simulator.h"
