/* bench-passcode.c: AM1 derivation and lock-check speed against raw HMAC-SHA256
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints one JSON line. Each figure is the median of interleaved rounds, and
 * the raw HMAC-SHA256 rate on a 29-byte message, keyed afresh each time with
 * the primitive the code uses (am_hmac_sha256(): nettle, wiped), is measured
 * in the same rounds as the baseline: compare ratios across machines, not
 * absolute rates.
 */
#include "config.h"

#include <stdio.h>

#include "am-hmac.h"
#include "am-passcode.h"
#include "am-reference-lock.h"

#define T0 G_GINT64_CONSTANT (1741618800)

typedef struct
{
  guint8         k_lock[AM_PASSCODE_KEY_LEN];
  guint8         lock_id[AM_LOCK_ID_LEN];
  AmPasscodeKey *key;
  guint32        start_h;
  guint64        sink;
} Bench;

typedef guint64 (*BenchFunc) (Bench *b, guint64 n);

static guint64
run_raw_hmac (Bench   *b,
              guint64  n)
{
  guint8 m[AM_PASSCODE_MESSAGE_LEN] = { 0 };
  guint8 digest[AM_HMAC_SHA256_LEN];

  for (guint64 i = 0; i < n; i++)
    {
      m[25] = (guint8) i;
      am_hmac_sha256 (b->k_lock, sizeof b->k_lock, m, sizeof m, digest);
      b->sink += digest[0];
    }
  return n;
}

static guint64
run_derive (Bench   *b,
            guint64  n)
{
  char code[AM_PASSCODE_MAX_DIGITS + 1];

  for (guint64 i = 0; i < n; i++)
    {
      guint32 h = b->start_h++;

      am_passcode_format (am_passcode_key_tag (b->key, h, 2), 2, 10, code);
      b->sink += (guint8) code[0];
    }
  return n;
}

static guint64
run_derive_checked (Bench   *b,
                    guint64  n)
{
  char code[AM_PASSCODE_MAX_DIGITS + 1];

  for (guint64 i = 0; i < n; i++)
    if (am_passcode_key_derive (b->key, b->start_h++, 2, code, NULL))
      b->sink += (guint8) code[0];
  return n;
}

/* A wrong code at a time when the search covers 25 start hours. */
static guint64
run_lock_check (Bench    *b,
                guint64   n,
                gboolean  previous_key)
{
  g_autoptr(AmReferenceLock) lock = am_reference_lock_new (b->k_lock, b->lock_id, 1, 10, 0);
  guint64 hmacs;

  if (previous_key)
    {
      guint8 k_new[AM_PASSCODE_KEY_LEN] = { 0xaa };
      am_reference_lock_rotate_key (lock, k_new, 2, G_MAXINT64);
    }

  for (guint64 i = 0; i < n; i++)
    {
      am_reference_lock_enter (lock, T0, "1234567002");
      /* Keep the keypad out of lockout, as a fresh lock would be. */
      am_reference_lock_ble_unlock (lock, T0);
    }
  hmacs = am_reference_lock_get_hmac_count (lock);
  return n > 0 ? hmacs / n : 0;
}

static guint64
run_lock_check_current (Bench   *b,
                        guint64  n)
{
  run_lock_check (b, n, FALSE);
  return n;
}

static guint64
run_lock_check_previous (Bench   *b,
                         guint64  n)
{
  run_lock_check (b, n, TRUE);
  return n;
}

/* Operations a second over one round of about @round_us. */
static double
rate (Bench     *b,
      BenchFunc  func,
      gint64     round_us)
{
  guint64 n = 16, done = 0;
  gint64 start = g_get_monotonic_time (), elapsed;

  do
    {
      done += func (b, n);
      n *= 2;
      elapsed = g_get_monotonic_time () - start;
    }
  while (elapsed < round_us);

  return (double) done * G_USEC_PER_SEC / (double) elapsed;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return values[n / 2];
}

int
main (int    argc,
      char **argv)
{
  enum { RAW, DERIVE, CHECKED, LOCK, LOCK_PREV, N_FIGURES };
  static const BenchFunc funcs[N_FIGURES] = {
    run_raw_hmac, run_derive, run_derive_checked, run_lock_check_current, run_lock_check_previous,
  };
  gboolean quick = argc > 1 && g_str_equal (argv[1], "--quick");
  guint rounds = quick ? 3 : 7;
  gint64 round_us = quick ? 20000 : 150000;
  double samples[N_FIGURES][7], figures[N_FIGURES];
  Bench b = { .start_h = 480000 };

  for (guint i = 0; i < sizeof b.k_lock; i++)
    b.k_lock[i] = (guint8) i;
  g_assert_true (am_lock_id_parse ("3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30", b.lock_id, NULL));
  b.key = am_passcode_key_new (b.k_lock, b.lock_id, 1, 10);

  for (guint r = 0; r < rounds; r++)
    for (guint f = 0; f < N_FIGURES; f++)
      samples[f][r] = rate (&b, funcs[f], round_us);
  for (guint f = 0; f < N_FIGURES; f++)
    figures[f] = median (samples[f], rounds);

  printf ("{\"benchmark\":\"passcode\",\"rounds\":%u,"
          "\"raw_hmac_sha256_29b_per_s\":%.0f,"
          "\"derive_per_s\":%.0f,"
          "\"derive_alias_checked_per_s\":%.0f,"
          "\"derive_vs_raw_hmac\":%.3f,"
          "\"alias_check_slowdown\":%.1f,"
          "\"lock_check_worst_hmacs\":%" G_GUINT64_FORMAT ","
          "\"lock_check_worst_hmacs_previous_key\":%" G_GUINT64_FORMAT ","
          "\"lock_check_worst_per_s\":%.0f,"
          "\"lock_check_worst_previous_key_per_s\":%.0f,"
          "\"lock_check_worst_us\":%.2f}\n",
          rounds,
          figures[RAW], figures[DERIVE], figures[CHECKED],
          figures[DERIVE] / figures[RAW],
          figures[DERIVE] / figures[CHECKED],
          run_lock_check (&b, 1, FALSE), run_lock_check (&b, 1, TRUE),
          figures[LOCK], figures[LOCK_PREV],
          1e6 / figures[LOCK]);

  am_passcode_key_free (b.key);
  return b.sink == 42 ? 1 : 0;
}
