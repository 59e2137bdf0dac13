/* am-i18n.h: the translations of Access Manager's programs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void am_i18n_init (void);

G_END_DECLS
