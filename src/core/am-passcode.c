/* am-passcode.c: AM1 offline passcodes: subkeys, windows and derivation
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pure module: the contract is docs/passcode.md. Nothing here reads the
 * clock; callers pass `now` where it matters.
 */
#define G_LOG_DOMAIN "am-passcode"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "am-error.h"
#include "am-hmac.h"
#include "am-passcode.h"
#include "am-secret-memory.h"
#include "am-time.h"

struct _AmPasscodeKey
{
  /* HMAC keyed with K_code and fed nothing yet: copied for every MAC, so
   * that K_code is hashed into the pads once, not once a code. As good as
   * K_code: wiped with the key. */
  AmHmacSha256 keyed;
  guint8       lock_id[AM_LOCK_ID_LEN];
  guint8       kv;
  guint8       digits;
  guint64      modulus;
};

/* K_code and H are HMAC-SHA256 outputs. */
G_STATIC_ASSERT (AM_HMAC_SHA256_LEN == AM_PASSCODE_KEY_LEN);

static const guint64 powers_of_ten[] = {
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
  1000000000, 10000000000, 100000000000, 1000000000000,
};

static guint64
tag_modulus (guint digits)
{
  return powers_of_ten[digits - 3];
}

static void
put_u32_be (guint8  *out,
            guint32  v)
{
  out[0] = (guint8) (v >> 24);
  out[1] = (guint8) (v >> 16);
  out[2] = (guint8) (v >> 8);
  out[3] = (guint8) v;
}

static guint64
get_u64_be (const guint8 *in)
{
  guint64 v = 0;

  for (guint i = 0; i < 8; i++)
    v = v << 8 | in[i];
  return v;
}

/**
 * am_passcode_kind_for_p:
 * @p: the last three digits of a code
 *
 * Returns: the kind of code @p stands for; %AM_PASSCODE_KIND_RESERVED for
 *   925..999 and anything above
 */
AmPasscodeKind
am_passcode_kind_for_p (guint p)
{
  if (p <= 899)
    return AM_PASSCODE_KIND_TIMED;
  if (p <= 923)
    return AM_PASSCODE_KIND_ONE_TIME;
  if (p == AM_PASSCODE_P_CANCEL_ALL)
    return AM_PASSCODE_KIND_CANCEL_ALL;
  return AM_PASSCODE_KIND_RESERVED;
}

/**
 * am_passcode_kind_to_string:
 * @kind: a kind
 *
 * Returns: the kind's name as the cloud API spells it
 */
const char *
am_passcode_kind_to_string (AmPasscodeKind kind)
{
  switch (kind)
    {
    case AM_PASSCODE_KIND_TIMED:
      return "timed";
    case AM_PASSCODE_KIND_ONE_TIME:
      return "one_time";
    case AM_PASSCODE_KIND_CANCEL_ALL:
      return "cancel_all";
    case AM_PASSCODE_KIND_RESERVED:
    default:
      return "reserved";
    }
}

/**
 * am_passcode_duration_hours:
 * @p: the last three digits of a code
 *
 * Returns: the hours a timed or one-time code lasts; 0 for the other kinds
 */
guint
am_passcode_duration_hours (guint p)
{
  if (p <= 671)
    return p + 1;
  if (p <= 899)
    return 24 * (p - 643);
  if (p <= 923)
    return p - 899;
  return 0;
}

gboolean
am_passcode_digits_valid (guint digits)
{
  return digits == 10 || digits == 12;
}

gboolean
am_passcode_q_offset_valid (guint q_offset_s)
{
  return q_offset_s == 0 || q_offset_s == 900 || q_offset_s == 1800 || q_offset_s == 2700;
}

/**
 * am_passcode_subkey:
 * @k_lock: the lock key
 * @label: %AM_PASSCODE_LABEL_CODE or %AM_PASSCODE_LABEL_BLE
 * @out: (out caller-allocates): the subkey
 *
 * HMAC-SHA256(K_lock, label || 0x01): HKDF-Expand with one block.
 */
void
am_passcode_subkey (const guint8  k_lock[AM_PASSCODE_KEY_LEN],
                    const char   *label,
                    guint8        out[AM_PASSCODE_KEY_LEN])
{
  guint8 info[32];
  gsize len = strlen (label);

  g_return_if_fail (len < sizeof info);

  memcpy (info, label, len);
  info[len] = 0x01;
  am_hmac_sha256 (k_lock, AM_PASSCODE_KEY_LEN, info, len + 1, out);
}

/**
 * am_passcode_message:
 * @lock_id: the lock id's 16 bytes
 * @kv: the key version
 * @start_h: the start hour
 * @p: the kind and duration
 * @digits: the code length
 * @out: (out caller-allocates): the 29-byte MAC input M
 */
void
am_passcode_message (const guint8  lock_id[AM_LOCK_ID_LEN],
                     guint8        kv,
                     guint32       start_h,
                     guint16       p,
                     guint8        digits,
                     guint8        out[AM_PASSCODE_MESSAGE_LEN])
{
  memcpy (out, "AMPC", 4);
  out[4] = 0x01;
  out[5] = kv;
  memcpy (out + 6, lock_id, AM_LOCK_ID_LEN);
  put_u32_be (out + 22, start_h);
  out[26] = (guint8) (p >> 8);
  out[27] = (guint8) p;
  out[28] = digits;
}

/**
 * am_passcode_group_digits:
 * @code: a code's digits
 *
 * Groups a code for reading aloud: threes, with a last group of four
 * rather than one of one ("508 789 6002"; 12 digits "508 789 600 212").
 *
 * Returns: (transfer full): the grouped code, to be wiped by the caller
 *   (am_secret_memory_free())
 */
char *
am_passcode_group_digits (const char *code)
{
  gsize len;
  GString *text;

  g_return_val_if_fail (code != NULL, NULL);

  len = strlen (code);
  text = g_string_sized_new (len + len / 3 + 1);
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && i % 3 == 0 && len - i != 1)
        g_string_append_c (text, ' ');
      g_string_append_c (text, code[i]);
    }
  return g_string_free (text, FALSE);
}

/**
 * am_passcode_format:
 * @tag: the code's tag, below 10^(@digits − 3)
 * @p: the kind and duration
 * @digits: the code length
 * @out: (out caller-allocates): the code, zero-padded to @digits
 */
void
am_passcode_format (guint64  tag,
                    guint    p,
                    guint    digits,
                    char     out[AM_PASSCODE_MAX_DIGITS + 1])
{
  guint64 c;

  g_return_if_fail (am_passcode_digits_valid (digits));
  g_return_if_fail (p <= AM_PASSCODE_P_MAX);
  g_return_if_fail (tag < tag_modulus (digits));

  c = tag * 1000 + p;
  for (guint i = digits; i > 0; i--)
    {
      out[i - 1] = (char) ('0' + c % 10);
      c /= 10;
    }
  out[digits] = '\0';
}

/**
 * am_passcode_window_for:
 * @start_h: the start hour
 * @p: the kind and duration
 * @q_offset_s: the lock's hour-alignment offset Q
 * @out: (out caller-allocates): the window
 * @error: a location for a #GError
 *
 * Returns: %FALSE when @p is reserved or @q_offset_s is not a valid Q
 */
gboolean
am_passcode_window_for (guint32            start_h,
                        guint              p,
                        guint              q_offset_s,
                        AmPasscodeWindow  *out,
                        GError           **error)
{
  AmPasscodeKind kind = am_passcode_kind_for_p (p);

  g_return_val_if_fail (out != NULL, FALSE);

  if (kind == AM_PASSCODE_KIND_RESERVED)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                   _("The code parameter p must be a number from 0 to 924."));
      return FALSE;
    }
  if (!am_passcode_q_offset_valid (q_offset_s))
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                   _("The hour offset Q must be 0, 900, 1800 or 2700 seconds."));
      return FALSE;
    }

  out->kind = kind;
  out->start_h = start_h;
  out->p = (guint16) p;
  out->starts_at = (gint64) start_h * 3600 + q_offset_s;
  out->use_by = out->starts_at + AM_PASSCODE_FIRST_USE_S;
  if (kind == AM_PASSCODE_KIND_CANCEL_ALL)
    out->ends_at = out->use_by;
  else
    out->ends_at = out->starts_at + 3600 * (gint64) am_passcode_duration_hours (p);
  return TRUE;
}

static guint
timed_p_for_hours (gint64 hours)
{
  gint64 days;

  g_assert (hours >= 1);

  if (hours <= 672)
    return (guint) (hours - 1);

  /* Beyond 28 days codes go by whole days, rounded down. */
  days = MIN (hours / 24, AM_PASSCODE_MAX_DAYS);
  return days == 28 ? 671 : (guint) (days + 643);
}

/**
 * am_passcode_window_quantise:
 * @start: the requested start, in any UTC offset
 * @end: the requested end, in any UTC offset
 * @kind: %AM_PASSCODE_KIND_TIMED or %AM_PASSCODE_KIND_ONE_TIME
 * @q_offset_s: the lock's hour-alignment offset Q
 * @out: (out caller-allocates): the effective window, in UTC
 * @error: a location for a #GError
 *
 * Turns a requested window into the one a code can express. The start
 * rounds down to the lock's hour; the end is the latest representable end
 * that is not after @end: a code never grants more time than was asked for.
 * A window that is shorter than an hour, ends before it starts, or is longer
 * than a code of @kind can be is refused, never silently changed.
 *
 * This does not look at the clock: see am_passcode_window_check_issuable().
 *
 * Returns: %TRUE when @out holds the window
 */
gboolean
am_passcode_window_quantise (GDateTime         *start,
                             GDateTime         *end,
                             AmPasscodeKind     kind,
                             guint              q_offset_s,
                             AmPasscodeWindow  *out,
                             GError           **error)
{
  gint64 start_utc, end_utc, start_h, starts_at, hours;
  guint p;

  g_return_val_if_fail (start != NULL, FALSE);
  g_return_val_if_fail (end != NULL, FALSE);
  g_return_val_if_fail (kind == AM_PASSCODE_KIND_TIMED || kind == AM_PASSCODE_KIND_ONE_TIME, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  start_utc = g_date_time_to_unix (start);
  end_utc = g_date_time_to_unix (end);

  if (end_utc < start_utc)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_WINDOW_ENDS_BEFORE_START,
                   _("The access window ends before it starts. Choose an end after the start."));
      return FALSE;
    }
  if (end_utc - start_utc < 3600)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_WINDOW_TOO_SHORT,
                   _("The access window is shorter than one hour. Choose a window of at least one hour."));
      return FALSE;
    }
  if (kind == AM_PASSCODE_KIND_ONE_TIME && end_utc - start_utc > (gint64) AM_PASSCODE_ONE_TIME_MAX_H * 3600)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_ONE_TIME_TOO_LONG,
                   _("A one-time code can cover at most 24 hours. Choose a shorter window, or a reusable code for the whole window."));
      return FALSE;
    }
  if (end_utc - start_utc > (gint64) AM_PASSCODE_MAX_DAYS * 86400)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_WINDOW_TOO_LONG,
                   _("The access window is longer than 256 days. Choose an end at most 256 days after the start."));
      return FALSE;
    }

  start_h = am_floor_div (start_utc - (gint64) q_offset_s, 3600);
  if (start_h < 0 || start_h > G_MAXUINT32)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_OUT_OF_RANGE,
                   _("The access window starts before 1970, which a lock cannot express. Choose a later start."));
      return FALSE;
    }

  starts_at = start_h * 3600 + q_offset_s;
  hours = (end_utc - starts_at) / 3600;
  if (kind == AM_PASSCODE_KIND_ONE_TIME)
    p = 899 + (guint) MIN (hours, AM_PASSCODE_ONE_TIME_MAX_H);
  else
    p = timed_p_for_hours (hours);

  if (!am_passcode_window_for ((guint32) start_h, p, q_offset_s, out, error))
    return FALSE;

  g_assert (out->ends_at <= end_utc);
  return TRUE;
}

/**
 * am_passcode_window_check_issuable:
 * @window: a window
 * @now: the current time, UTC seconds
 * @error: a location for a #GError
 *
 * A code must be typed for the first time within 24 hours of its start; a
 * window whose first-use deadline or end has passed would give a code that
 * no lock accepts, so it is not issued.
 *
 * Returns: %TRUE when a code for @window can still be used
 */
gboolean
am_passcode_window_check_issuable (const AmPasscodeWindow  *window,
                                   gint64                   now,
                                   GError                 **error)
{
  g_return_val_if_fail (window != NULL, FALSE);

  if (now >= window->ends_at && window->ends_at <= window->use_by)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_WINDOW_OVER,
                   _("This access window has already ended. Choose a window that ends in the future."));
      return FALSE;
    }
  if (now >= window->use_by)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_FIRST_USE_PASSED,
                   _("This window started more than 24 hours ago, so its code could no longer be used for the first time. Choose a start no earlier than 24 hours ago."));
      return FALSE;
    }
  return TRUE;
}

/**
 * am_passcode_key_new:
 * @k_lock: the lock key, 32 bytes
 * @lock_id: the lock id's 16 bytes
 * @kv: the key version, 1..255
 * @digits: the code length, 10 or 12
 *
 * Prepares a lock key for deriving and checking codes. The caller should
 * wipe @k_lock once it no longer needs it; the key object keeps only the
 * keyed HMAC state.
 *
 * Returns: (transfer full): a new key
 */
AmPasscodeKey *
am_passcode_key_new (const guint8  k_lock[AM_PASSCODE_KEY_LEN],
                     const guint8  lock_id[AM_LOCK_ID_LEN],
                     guint8        kv,
                     guint         digits)
{
  AmPasscodeKey *key;
  guint8 k_code[AM_PASSCODE_KEY_LEN];

  g_return_val_if_fail (k_lock != NULL, NULL);
  g_return_val_if_fail (lock_id != NULL, NULL);
  g_return_val_if_fail (am_passcode_digits_valid (digits), NULL);

  am_passcode_subkey (k_lock, AM_PASSCODE_LABEL_CODE, k_code);

  key = g_new0 (AmPasscodeKey, 1);
  am_hmac_sha256_init (&key->keyed, k_code, sizeof k_code);
  memcpy (key->lock_id, lock_id, AM_LOCK_ID_LEN);
  key->kv = kv;
  key->digits = (guint8) digits;
  key->modulus = tag_modulus (digits);

  am_secret_memory_wipe (k_code, sizeof k_code);
  return key;
}

void
am_passcode_key_free (AmPasscodeKey *key)
{
  if (key == NULL)
    return;

  /* The keyed HMAC state with the rest. */
  am_secret_memory_wipe (key, sizeof *key);
  g_free (key);
}

guint8
am_passcode_key_get_kv (const AmPasscodeKey *key)
{
  g_return_val_if_fail (key != NULL, 0);
  return key->kv;
}

guint
am_passcode_key_get_digits (const AmPasscodeKey *key)
{
  g_return_val_if_fail (key != NULL, 0);
  return key->digits;
}

/**
 * am_passcode_key_mac:
 * @key: a key
 * @start_h: the start hour
 * @p: the kind and duration
 * @out: (out caller-allocates): H = HMAC-SHA256(K_code, M)
 */
void
am_passcode_key_mac (const AmPasscodeKey *key,
                     guint32              start_h,
                     guint                p,
                     guint8               out[AM_PASSCODE_KEY_LEN])
{
  AmHmacSha256 hmac;
  guint8 m[AM_PASSCODE_MESSAGE_LEN];

  g_return_if_fail (key != NULL);
  g_return_if_fail (p <= AM_PASSCODE_P_MAX);

  am_passcode_message (key->lock_id, key->kv, start_h, (guint16) p, key->digits, m);
  hmac = key->keyed;
  am_hmac_sha256_update (&hmac, m, sizeof m);
  am_hmac_sha256_finish (&hmac, out);
}

/**
 * am_passcode_key_tag:
 * @key: a key
 * @start_h: the start hour
 * @p: the kind and duration
 *
 * One HMAC evaluation.
 *
 * Returns: the tag of (@start_h, @p): the first 8 bytes of H as a
 *   big-endian integer, modulo 10^(digits − 3)
 */
guint64
am_passcode_key_tag (const AmPasscodeKey *key,
                     guint32              start_h,
                     guint                p)
{
  guint8 h[AM_PASSCODE_KEY_LEN];
  guint64 tag;

  am_passcode_key_mac (key, start_h, p, h);
  tag = get_u64_be (h) % key->modulus;
  am_secret_memory_wipe (h, sizeof h);
  return tag;
}

static gboolean
tag_is_aliased (const AmPasscodeKey *key,
                guint32              start_h,
                guint                p,
                guint64              tag)
{
  for (guint32 d = 1; d <= AM_PASSCODE_ALIAS_RADIUS; d++)
    {
      /* Hours outside 0..2^32−1 have no codes, so nothing aliases there. */
      if (start_h >= d && am_passcode_key_tag (key, start_h - d, p) == tag)
        return TRUE;
      if (start_h <= G_MAXUINT32 - d && am_passcode_key_tag (key, start_h + d, p) == tag)
        return TRUE;
    }
  return FALSE;
}

/**
 * am_passcode_key_is_aliased:
 * @key: a key
 * @start_h: the start hour
 * @p: the kind and duration
 *
 * Whether some other start hour h′ with 0 < |h′ − @start_h| ≤ 25 gives the
 * same tag for @p, so that a lock could resolve the code to the wrong
 * window. Costs up to 51 HMAC evaluations.
 *
 * Returns: %TRUE when the code for (@start_h, @p) must not be issued
 */
gboolean
am_passcode_key_is_aliased (const AmPasscodeKey *key,
                            guint32              start_h,
                            guint                p)
{
  g_return_val_if_fail (key != NULL, FALSE);

  return tag_is_aliased (key, start_h, p, am_passcode_key_tag (key, start_h, p));
}

/**
 * am_passcode_key_derive:
 * @key: a key
 * @start_h: the start hour
 * @p: the kind and duration, 0..924
 * @out: (out caller-allocates): the code, as many digits as @key's lock uses
 * @error: a location for a #GError
 *
 * Derives the code for (@start_h, @p) as a generator must: refusing one
 * that the lock could mistake for a neighboring window (about one in
 * 200,000). The caller then issues the window one hour shorter, or one
 * hour later for a one-hour window.
 *
 * Returns: %TRUE when @out holds a code that may be issued
 */
gboolean
am_passcode_key_derive (const AmPasscodeKey  *key,
                        guint32               start_h,
                        guint                 p,
                        char                  out[AM_PASSCODE_MAX_DIGITS + 1],
                        GError              **error)
{
  guint64 tag;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (am_passcode_kind_for_p (p) == AM_PASSCODE_KIND_RESERVED)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                   _("The code parameter p must be a number from 0 to 924."));
      return FALSE;
    }
  tag = am_passcode_key_tag (key, start_h, p);
  if (tag_is_aliased (key, start_h, p, tag))
    {
      g_set_error (error, AM_ERROR, AM_ERROR_ALIASED,
                   _("The lock could mistake this code for one of a neighboring hour. Make the window one hour shorter, or start it one hour later."));
      return FALSE;
    }

  am_passcode_format (tag, p, key->digits, out);
  return TRUE;
}
