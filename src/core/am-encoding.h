/* am-encoding.h: hex strings and lock ids as bytes
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AM_LOCK_ID_LEN 16

gboolean am_hex_decode      (const char *text,
                             guint8     *out,
                             gsize       out_len,
                             GError    **error);
char    *am_hex_encode      (const guint8 *data,
                             gsize         len);
gboolean am_lock_id_parse   (const char *text,
                             guint8      out[AM_LOCK_ID_LEN],
                             GError    **error);

G_END_DECLS
