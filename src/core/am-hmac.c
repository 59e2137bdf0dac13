/* am-hmac.c: HMAC-SHA256 and SHA-256 over secrets, in state that is wiped
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every MAC keyed with a lock key or a subkey of one goes through here, and
 * so does the hash of a session token. GLib's GHmac and GChecksum free their
 * state (as good as the key: the hashes of the padded key) without wiping
 * it, and GHmac keeps the padded key in its stack frame; here the state is
 * nettle's, on the caller's stack, and is wiped before it goes.
 */
#define G_LOG_DOMAIN "am-hmac"

#include "config.h"

#include <nettle/sha2.h>

#include "am-hmac.h"
#include "am-secret-memory.h"

/* nettle builds the padded key (key ⊕ ipad, key ⊕ opad) in its own stack
 * frame, and SHA-256's compression copies each block it hashes to the
 * stack; neither is wiped. Those frames lay below the caller's, where this
 * one lies now: overwrite them. */
static G_GNUC_NO_INLINE void
wipe_stack_below (void)
{
  guint8 scratch[2048];

  am_secret_memory_wipe (scratch, sizeof scratch);
}

/**
 * am_hmac_sha256_init:
 * @self: (out caller-allocates): the MAC to start
 * @key: the key
 * @key_len: its length
 *
 * Keys @self. The caller may wipe @key as soon as this returns.
 */
void
am_hmac_sha256_init (AmHmacSha256 *self,
                     const guint8 *key,
                     gsize         key_len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL || key_len == 0);

  hmac_sha256_set_key (&self->ctx, key_len, key);
  wipe_stack_below ();
}

void
am_hmac_sha256_update (AmHmacSha256 *self,
                       const guint8 *data,
                       gsize         len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  hmac_sha256_update (&self->ctx, len, data);
}

/**
 * am_hmac_sha256_finish:
 * @self: a keyed MAC
 * @out: (out caller-allocates): the MAC of what @self was fed
 *
 * Writes the MAC and wipes @self, which must be keyed again before use.
 */
void
am_hmac_sha256_finish (AmHmacSha256 *self,
                       guint8        out[AM_HMAC_SHA256_LEN])
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  hmac_sha256_digest (&self->ctx, AM_HMAC_SHA256_LEN, out);
  am_hmac_sha256_clear (self);
}

/**
 * am_hmac_sha256_clear:
 * @self: a MAC, keyed or not
 *
 * Wipes @self without finishing it.
 */
void
am_hmac_sha256_clear (AmHmacSha256 *self)
{
  am_secret_memory_wipe (self, sizeof *self);
}

/**
 * am_hmac_sha256:
 * @key: the key
 * @key_len: its length
 * @data: the message
 * @data_len: its length
 * @out: (out caller-allocates): HMAC-SHA256 (@key, @data)
 *
 * One MAC, with nothing of the key left behind but in @key itself.
 */
void
am_hmac_sha256 (const guint8 *key,
                gsize         key_len,
                const guint8 *data,
                gsize         data_len,
                guint8        out[AM_HMAC_SHA256_LEN])
{
  AmHmacSha256 hmac;

  am_hmac_sha256_init (&hmac, key, key_len);
  am_hmac_sha256_update (&hmac, data, data_len);
  am_hmac_sha256_finish (&hmac, out);
}

/**
 * am_sha256:
 * @data: a secret, such as a session token
 * @len: its length
 * @out: (out caller-allocates): its SHA-256
 *
 * Hashes a secret without leaving it in freed memory or on the stack.
 */
void
am_sha256 (const guint8 *data,
           gsize         len,
           guint8        out[AM_HMAC_SHA256_LEN])
{
  struct sha256_ctx sha;

  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (out != NULL);

  sha256_init (&sha);
  sha256_update (&sha, len, data);
  sha256_digest (&sha, AM_HMAC_SHA256_LEN, out);
  am_secret_memory_wipe (&sha, sizeof sha);
  wipe_stack_below ();
}
