/* am-encoding.c: hex strings and lock ids as bytes
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "am-encoding"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "am-encoding.h"
#include "am-error.h"

static gboolean
decode_hex_run (const char *text,
                gsize       n_digits,
                guint8     *out)
{
  for (gsize i = 0; i < n_digits; i += 2)
    {
      int hi = g_ascii_xdigit_value (text[i]);
      int lo = g_ascii_xdigit_value (text[i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i / 2] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

/**
 * am_hex_decode:
 * @text: exactly 2 * @out_len hexadecimal digits, either case
 * @out: (out caller-allocates): @out_len bytes
 * @out_len: the number of bytes expected
 * @error: a location for a #GError
 *
 * Returns: %TRUE when @text held exactly @out_len bytes in hex
 */
gboolean
am_hex_decode (const char  *text,
               guint8      *out,
               gsize        out_len,
               GError     **error)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (strlen (text) != out_len * 2 || !decode_hex_run (text, out_len * 2, out))
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                   /* Translators: %u is a number of hexadecimal digits */
                   _("The key must be exactly %u hexadecimal digits (0–9, a–f)."),
                   (guint) (out_len * 2));
      return FALSE;
    }
  return TRUE;
}

/**
 * am_hex_encode:
 * @data: bytes
 * @len: their number
 *
 * Returns: (transfer full): @data as lower-case hex
 */
char *
am_hex_encode (const guint8 *data,
               gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_new (char, len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0xf];
    }
  out[len * 2] = '\0';
  return out;
}

/**
 * am_lock_id_parse:
 * @text: a UUID in its canonical 8-4-4-4-12 form
 * @out: (out caller-allocates): its 16 bytes in RFC 4122 order
 * @error: a location for a #GError
 *
 * The bytes are those of the hex digits in the order they are written,
 * which is how AM1 puts a lock id into a MAC input.
 *
 * Returns: %TRUE when @text is a UUID
 */
gboolean
am_lock_id_parse (const char  *text,
                  guint8       out[AM_LOCK_ID_LEN],
                  GError     **error)
{
  static const gsize group_len[] = { 8, 4, 4, 4, 12 };
  const char *p = text;
  gsize n = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  if (!g_uuid_string_is_valid (text))
    goto invalid;

  for (guint g = 0; g < G_N_ELEMENTS (group_len); g++)
    {
      if (!decode_hex_run (p, group_len[g], out + n))
        goto invalid;
      n += group_len[g] / 2;
      p += group_len[g] + 1;
    }
  return TRUE;

invalid:
  g_set_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
               _("The lock ID must be a UUID such as 3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30."));
  return FALSE;
}
