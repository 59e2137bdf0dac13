/* am-hmac.h: HMAC-SHA256 and SHA-256 over secrets, in state that is wiped
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <nettle/hmac.h>

G_BEGIN_DECLS

#define AM_HMAC_SHA256_LEN 32

/**
 * AmHmacSha256:
 *
 * An HMAC-SHA256 in the making, for the stack of its caller. Once keyed it
 * is as good as the key: am_hmac_sha256_finish() or am_hmac_sha256_clear()
 * wipe it. A copy by assignment is a second MAC under the same key.
 */
typedef struct
{
  /*< private >*/
  struct hmac_sha256_ctx ctx;
} AmHmacSha256;

void am_hmac_sha256_init   (AmHmacSha256 *self,
                            const guint8 *key,
                            gsize         key_len);
void am_hmac_sha256_update (AmHmacSha256 *self,
                            const guint8 *data,
                            gsize         len);
void am_hmac_sha256_finish (AmHmacSha256 *self,
                            guint8        out[AM_HMAC_SHA256_LEN]);
void am_hmac_sha256_clear  (AmHmacSha256 *self);

void am_hmac_sha256        (const guint8 *key,
                            gsize         key_len,
                            const guint8 *data,
                            gsize         data_len,
                            guint8        out[AM_HMAC_SHA256_LEN]);
void am_sha256             (const guint8 *data,
                            gsize         len,
                            guint8        out[AM_HMAC_SHA256_LEN]);

G_END_DECLS
