/* am-secret-memory.h: wiping keys and code digits from memory
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void am_secret_memory_wipe (gpointer data,
                            gsize    len);
void am_secret_memory_free (char    *text);

G_END_DECLS
