/* test-hmac.c: the HMAC-SHA256 every lock key goes through, against RFC 4231
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "am-encoding.h"
#include "am-hmac.h"
#include "am-passcode.h"
#include "am-test-vectors.h"

/* RFC 4231, section 4: the HMAC-SHA-256 of each test case. */
static const struct {
  const char *name;
  guint8      key_byte;    /* the key: key_len times this byte … */
  gsize       key_len;
  const char *key_text;    /* … or this text, or 01 02 … 19 */
  guint8      data_byte;   /* the data: data_len times this byte … */
  gsize       data_len;
  const char *data_text;   /* … or this text */
  const char *mac;         /* in full, or the first 128 bits for case 5 */
} rfc4231[] = {
  { "4.2", 0x0b, 20, NULL, 0, 0, "Hi There",
    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
  { "4.3", 0, 0, "Jefe", 0, 0, "what do ya want for nothing?",
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
  { "4.4", 0xaa, 20, NULL, 0xdd, 50, NULL,
    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
  { "4.5", 0, 25, NULL, 0xcd, 50, NULL,
    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
  { "4.6", 0x0c, 20, NULL, 0, 0, "Test With Truncation",
    "a3b6167473100ee06e0c796c2955552b" },
  { "4.7", 0xaa, 131, NULL, 0, 0, "Test Using Larger Than Block-Size Key - Hash Key First",
    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
  { "4.8", 0xaa, 131, NULL, 0, 0,
    "This is a test using a larger than block-size key and a larger than block-size data. "
    "The key needs to be hashed before being used by the HMAC algorithm.",
    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
};

static GBytes *
case_bytes (guint8      byte,
            gsize       len,
            const char *text,
            gboolean    counting)
{
  guint8 *data;

  if (text != NULL)
    return g_bytes_new (text, strlen (text));

  data = g_malloc (len);
  for (gsize i = 0; i < len; i++)
    data[i] = counting ? (guint8) (i + 1) : byte;
  return g_bytes_new_take (data, len);
}

static void
assert_mac (const guint8 *mac,
            const char   *expected)
{
  g_autofree char *hex = am_hex_encode (mac, strlen (expected) / 2);

  g_assert_cmpstr (hex, ==, expected);
}

static void
test_rfc4231_vectors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rfc4231); i++)
    {
      g_autoptr(GBytes) key = case_bytes (rfc4231[i].key_byte, rfc4231[i].key_len, rfc4231[i].key_text,
                                          rfc4231[i].key_byte == 0 && rfc4231[i].key_text == NULL);
      g_autoptr(GBytes) data = case_bytes (rfc4231[i].data_byte, rfc4231[i].data_len, rfc4231[i].data_text, FALSE);
      const guint8 *d = g_bytes_get_data (data, NULL);
      gsize d_len = g_bytes_get_size (data);
      guint8 one_shot[AM_HMAC_SHA256_LEN], in_pieces[AM_HMAC_SHA256_LEN];
      AmHmacSha256 hmac;

      g_test_message ("RFC 4231 test case %s", rfc4231[i].name);
      am_hmac_sha256 (g_bytes_get_data (key, NULL), g_bytes_get_size (key), d, d_len, one_shot);
      assert_mac (one_shot, rfc4231[i].mac);

      /* Fed in pieces of 1, 2, 3, … bytes, as the Bluetooth frames feed
       * their parts, the MAC is the same. */
      am_hmac_sha256_init (&hmac, g_bytes_get_data (key, NULL), g_bytes_get_size (key));
      for (gsize at = 0, piece = 1; at < d_len; at += piece, piece++)
        am_hmac_sha256_update (&hmac, d + at, MIN (piece, d_len - at));
      am_hmac_sha256_finish (&hmac, in_pieces);
      assert_mac (in_pieces, rfc4231[i].mac);
    }
}

/* Each byte of a lock key counts: flipping any bit of any byte gives
 * another MAC, and so another code. */
static void
test_every_key_byte_changes_the_mac (void)
{
  guint8 k_lock[AM_PASSCODE_KEY_LEN], lock_id[AM_LOCK_ID_LEN];
  guint8 m[AM_PASSCODE_MESSAGE_LEN], mac[AM_HMAC_SHA256_LEN], changed[AM_HMAC_SHA256_LEN];

  am_test_example_lock (k_lock, lock_id);
  am_passcode_message (lock_id, 1, 483783, 2, 10, m);
  am_hmac_sha256 (k_lock, sizeof k_lock, m, sizeof m, mac);

  for (guint i = 0; i < sizeof k_lock; i++)
    for (guint bit = 0; bit < 8; bit++)
      {
        k_lock[i] ^= (guint8) (1 << bit);
        am_hmac_sha256 (k_lock, sizeof k_lock, m, sizeof m, changed);
        k_lock[i] ^= (guint8) (1 << bit);
        g_assert_true (memcmp (mac, changed, sizeof mac) != 0);
      }

  /* And the same key gives the same MAC again. */
  am_hmac_sha256 (k_lock, sizeof k_lock, m, sizeof m, changed);
  g_assert_cmpmem (mac, sizeof mac, changed, sizeof changed);
}

/* A keyed state copied for each message, as a passcode key keeps one,
 * gives the MAC of a fresh one; finishing leaves none of the key's state
 * in the caller's memory. */
static void
test_finish_leaves_no_key_state (void)
{
  static const guint8 zeroes[sizeof (AmHmacSha256)] = { 0 };
  guint8 k_lock[AM_PASSCODE_KEY_LEN], lock_id[AM_LOCK_ID_LEN];
  guint8 m[AM_PASSCODE_MESSAGE_LEN], fresh[AM_HMAC_SHA256_LEN], copied[AM_HMAC_SHA256_LEN];
  AmHmacSha256 keyed, copy;

  am_test_example_lock (k_lock, lock_id);
  am_passcode_message (lock_id, 1, 483783, 2, 10, m);
  am_hmac_sha256 (k_lock, sizeof k_lock, m, sizeof m, fresh);

  am_hmac_sha256_init (&keyed, k_lock, sizeof k_lock);
  for (guint round = 0; round < 3; round++)
    {
      copy = keyed;
      am_hmac_sha256_update (&copy, m, sizeof m);
      am_hmac_sha256_finish (&copy, copied);
      g_assert_cmpmem (copied, sizeof copied, fresh, sizeof fresh);
      g_assert_cmpmem (&copy, sizeof copy, zeroes, sizeof zeroes);
    }

  g_assert_true (memcmp (&keyed, zeroes, sizeof keyed) != 0);
  am_hmac_sha256_clear (&keyed);
  g_assert_cmpmem (&keyed, sizeof keyed, zeroes, sizeof zeroes);
}

/* The hash under which the reference cloud stores session tokens:
 * FIPS 180-2's examples. */
static void
test_sha256_vectors (void)
{
  static const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  guint8 digest[AM_HMAC_SHA256_LEN];

  am_sha256 ((const guint8 *) "abc", 3, digest);
  assert_mac (digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  am_sha256 ((const guint8 *) two_blocks, strlen (two_blocks), digest);
  assert_mac (digest, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hmac/sha256/rfc4231-vectors-whole-and-in-pieces", test_rfc4231_vectors);
  g_test_add_func ("/hmac/sha256/every-key-bit-changes-the-mac", test_every_key_byte_changes_the_mac);
  g_test_add_func ("/hmac/sha256/finish-leaves-no-key-state", test_finish_leaves_no_key_state);
  g_test_add_func ("/hmac/sha256-digest/fips-180-vectors", test_sha256_vectors);

  return g_test_run ();
}
