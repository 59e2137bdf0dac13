/* fuzz-lock-keypad.c: fuzz target for the keypad of the AM1 reference lock
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte sets the lock up (10 or 12 digits, its Q offset); then
 * each line is one thing that happens to it:
 *
 *   @N       its clock is set to N (UTC seconds, the lock's u32 clock)
 *   +N, -N   its clock moves on, or back (a SET_TIME)
 *   rH P     REVOKE of start hour H, p P
 *   b        a Bluetooth UNLOCK
 *   k        its key is rotated, the old one good for an hour
 *   anything else: typed at the keypad
 *
 * The key is passcode.md's vectors' (00..1f), so codes of the vectors open.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "am-fuzz.h"
#include "am-reference-lock.h"

#define LOCK_ID "3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30"

static guint8 k_lock[AM_PASSCODE_KEY_LEN];
static guint8 lock_id[AM_LOCK_ID_LEN];

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  am_fuzz_init_logging ();
  for (guint i = 0; i < sizeof k_lock; i++)
    k_lock[i] = (guint8) i;
  if (!am_lock_id_parse (LOCK_ID, lock_id, NULL))
    g_error ("The vectors' lock id does not parse.");
  return 0;
}

/* The lock's clock is a u32: what a SET_TIME can make it. */
static gint64
clamp_clock (gint64 t)
{
  return CLAMP (t, 0, (gint64) G_MAXUINT32);
}

static gboolean
well_formed (const char *entered,
             guint       digits)
{
  gsize len = strlen (entered);

  if (len != digits)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (entered[i]))
      return FALSE;
  return TRUE;
}

static void
enter (AmReferenceLock *lock,
       gint64           now,
       const char      *entered)
{
  guint digits = am_reference_lock_get_digits (lock);
  AmLockResult result = am_reference_lock_enter (lock, now, entered);
  guint n_log = 0;

  g_assert (am_lock_result_to_string (result) != NULL);
  /* Only a code of the right form ever opens. */
  if (!well_formed (entered, digits))
    g_assert (result == AM_LOCK_RESULT_MALFORMED || result == AM_LOCK_RESULT_LOCKED_OUT);
  am_reference_lock_get_log (lock, &n_log);
  g_assert_cmpuint (n_log, <=, AM_REFERENCE_LOCK_LOG_SIZE);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const guint q_offsets[] = { 0, 900, 1800, 2700 };
  g_autoptr(AmReferenceLock) lock = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;
  gint64 now = 1745578200;
  guint8 kv = 1;

  if (size < 1 || size > 4096)
    return 0;
  lock = am_reference_lock_new (k_lock, lock_id, kv,
                                (data[0] & 1) ? 12 : 10,
                                q_offsets[(data[0] >> 1) & 3]);
  text = g_strndup ((const char *) data + 1, size - 1);
  lines = g_strsplit (text, "\n", 256);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      switch (line[0])
        {
        case '@':
          now = clamp_clock (g_ascii_strtoll (line + 1, NULL, 10));
          break;
        case '+':
        case '-':
          now = clamp_clock (now + CLAMP (g_ascii_strtoll (line, NULL, 10), -(gint64) G_MAXUINT32, (gint64) G_MAXUINT32));
          break;
        case 'r':
          {
            char *end = NULL;
            guint64 start_h = g_ascii_strtoull (line + 1, &end, 10);
            guint64 p = g_ascii_strtoull (end, NULL, 10);

            am_reference_lock_revoke (lock, now, (guint32) MIN (start_h, G_MAXUINT32), (guint) MIN (p, 999));
          }
          break;
        case 'b':
          am_reference_lock_ble_unlock (lock, now);
          break;
        case 'k':
          {
            guint8 next[AM_PASSCODE_KEY_LEN];

            kv++;
            for (guint j = 0; j < sizeof next; j++)
              next[j] = (guint8) (j ^ kv);
            am_reference_lock_rotate_key (lock, next, kv, now + 3600);
          }
          break;
        default:
          enter (lock, now, line);
          break;
        }
    }
  return 0;
}
