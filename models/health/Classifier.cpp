// SPDX-License-Identifier: GPL-3.0-or-later
#include "health/Classifier.h"
