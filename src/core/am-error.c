/* am-error.c: the error domain of Access Manager's core
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "am-error"

#include "config.h"

#include "am-error.h"

G_DEFINE_QUARK (am-error-quark, am_error)
