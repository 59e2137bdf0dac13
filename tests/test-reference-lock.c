/* test-reference-lock.c: the AM1 reference lock against the spec's rules and vectors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "am-passcode.h"
#include "am-reference-lock.h"
#include "am-test-vectors.h"

#define SKEW AM_PASSCODE_SKEW_S
#define T0 G_GINT64_CONSTANT (1741618800) /* 2025-03-10T15:00:00Z, start_h 483783 */
#define H0 483783

typedef struct
{
  guint8           k_lock[AM_PASSCODE_KEY_LEN];
  guint8           lock_id[AM_LOCK_ID_LEN];
  AmPasscodeKey   *key;
  AmReferenceLock *lock;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  am_test_example_lock (f->k_lock, f->lock_id);
  f->key = am_passcode_key_new (f->k_lock, f->lock_id, 1, 10);
  f->lock = am_reference_lock_new (f->k_lock, f->lock_id, 1, 10, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->key, am_passcode_key_free);
  g_clear_object (&f->lock);
}

/* The code of (start_h, p), aliased or not: a lock does not care. */
static char *
code_of (AmPasscodeKey *key,
         guint32        start_h,
         guint          p)
{
  char code[AM_PASSCODE_MAX_DIGITS + 1];

  am_passcode_format (am_passcode_key_tag (key, start_h, p), p, am_passcode_key_get_digits (key), code);
  return g_strdup (code);
}

static void
assert_enter (AmReferenceLock *lock,
              gint64           now,
              const char      *entered,
              AmLockResult     expected)
{
  AmLockResult result = am_reference_lock_enter (lock, now, entered);

  if (result != expected)
    g_error ("%s at %" G_GINT64_FORMAT ": %s, expected %s", entered, now,
             am_lock_result_to_string (result), am_lock_result_to_string (expected));
}

static void
test_vectors_checks (void)
{
  g_autoptr(GPtrArray) vectors = am_test_load_vectors ();
  guint n_entries = 0;

  for (guint i = 0; i < vectors->len; i++)
    {
      JsonObject *v = g_ptr_array_index (vectors, i);
      JsonArray *entries = am_test_vector_entries (v);
      g_autoptr(AmReferenceLock) lock = NULL;
      guint8 k_lock[AM_PASSCODE_KEY_LEN], lock_id[AM_LOCK_ID_LEN];

      g_test_message ("vector %s", json_object_get_string_member (v, "id"));
      am_test_vector_lock (v, k_lock, lock_id);
      lock = am_reference_lock_new (k_lock, lock_id,
                                    (guint8) json_object_get_int_member (v, "kv"),
                                    (guint) json_object_get_int_member (v, "digits"),
                                    (guint) json_object_get_int_member (v, "q_offset_s"));

      for (guint j = 0; j < json_array_get_length (entries); j++)
        {
          JsonObject *e = json_array_get_object_element (entries, j);
          AmLockResult expected;

          g_assert_true (am_lock_result_from_string (json_object_get_string_member (e, "expect"), &expected));
          assert_enter (lock, json_object_get_int_member (e, "now_utc"),
                        json_object_get_string_member (e, "entered"), expected);
          n_entries++;
        }
    }

  g_assert_cmpuint (n_entries, >=, 40);
}

typedef struct
{
  guint8 k_lock[AM_PASSCODE_KEY_LEN];
  guint8 lock_id[AM_LOCK_ID_LEN];
  guint8 kv;
  guint  digits;
  guint  q;
} LockSpec;

static void
lock_spec_random (LockSpec *s)
{
  static const guint qs[] = { 0, 900, 1800, 2700 };

  am_test_random_bytes (s->k_lock, sizeof s->k_lock);
  am_test_random_bytes (s->lock_id, sizeof s->lock_id);
  s->kv = (guint8) g_test_rand_int_range (1, 256);
  s->digits = g_test_rand_bit () ? 10 : 12;
  s->q = qs[g_test_rand_int_range (0, 4)];
}

/* A lock fresh from the factory. */
static AmReferenceLock *
lock_spec_new_lock (const LockSpec *s)
{
  return am_reference_lock_new (s->k_lock, s->lock_id, s->kv, s->digits, s->q);
}

static void
assert_fresh_lock (const LockSpec *s,
                   gint64          now,
                   const char     *code,
                   AmLockResult    expected)
{
  g_autoptr(AmReferenceLock) lock = lock_spec_new_lock (s);

  assert_enter (lock, now, code, expected);
}

/* Random keys, windows and kinds: a code opens a fresh lock from its start
 * minus the skew, not a second earlier, and not after its end or its
 * first-use deadline. */
static void
test_random_codes_open_in_their_window (void)
{
  guint n = g_test_thorough () ? 20000 : 1000;
  guint n_aliased = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AmPasscodeKey) key = NULL;
      g_autoptr(AmReferenceLock) lock = NULL;
      guint p = (guint) g_test_rand_int_range (0, AM_PASSCODE_P_CANCEL_ALL + 1);
      guint32 start_h = (guint32) g_test_rand_int_range (440000, 560000);
      char code[AM_PASSCODE_MAX_DIGITS + 1];
      AmLockResult accepted;
      AmPasscodeWindow w;
      gint64 deadline, inside;
      LockSpec s;

      lock_spec_random (&s);
      key = am_passcode_key_new (s.k_lock, s.lock_id, s.kv, s.digits);
      am_passcode_window_for (start_h, p, s.q, &w, NULL);
      /* A generator never issues an aliased code; the lock could not tell
       * it from its neighbour. */
      if (!am_passcode_key_derive (key, start_h, p, code, NULL))
        {
          n_aliased++;
          continue;
        }

      accepted = w.kind == AM_PASSCODE_KIND_CANCEL_ALL ? AM_LOCK_RESULT_CANCELLED : AM_LOCK_RESULT_OPEN;
      deadline = MIN (w.ends_at, w.use_by) + SKEW;
      inside = w.starts_at - SKEW + (gint64) (g_test_rand_double () * (double) (deadline - w.starts_at + SKEW));

      assert_fresh_lock (&s, w.starts_at - SKEW - 1, code, AM_LOCK_RESULT_NO_MATCH);
      assert_fresh_lock (&s, inside, code, accepted);
      assert_fresh_lock (&s, deadline - 1, code, accepted);
      assert_fresh_lock (&s, deadline, code, AM_LOCK_RESULT_NO_MATCH);

      lock = lock_spec_new_lock (&s);
      assert_enter (lock, w.starts_at - SKEW, code, accepted);
      switch (w.kind)
        {
        case AM_PASSCODE_KIND_TIMED:
          /* Once typed, good until its end, even past the 24 hours. */
          assert_enter (lock, w.ends_at + SKEW - 1, code, AM_LOCK_RESULT_OPEN);
          assert_enter (lock, w.ends_at + SKEW, code, AM_LOCK_RESULT_NO_MATCH);
          break;
        case AM_PASSCODE_KIND_ONE_TIME:
        case AM_PASSCODE_KIND_CANCEL_ALL:
          assert_enter (lock, w.starts_at, code, AM_LOCK_RESULT_USED);
          break;
        case AM_PASSCODE_KIND_RESERVED:
        default:
          g_assert_not_reached ();
        }
    }

  g_test_message ("%u codes, %u aliased and not issued", n, n_aliased);
  g_assert_cmpuint (n_aliased, <, n / 100 + 2);
}

static void
test_lockout_escalates (Fixture       *f,
                        gconstpointer  data)
{
  static const guint expected_minutes[] = { 5, 10, 20, 40, 60, 60 };
  g_autofree char *code = code_of (f->key, H0, 23);
  gint64 now = T0;

  for (guint i = 0; i < 4; i++)
    assert_enter (f->lock, now++, "0000000002", AM_LOCK_RESULT_NO_MATCH);
  g_assert_cmpint (am_reference_lock_get_lockout_end (f->lock), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (expected_minutes); i++)
    {
      assert_enter (f->lock, now, "12345", AM_LOCK_RESULT_MALFORMED);
      g_assert_cmpuint (am_reference_lock_get_failures (f->lock), ==, 5 + i);
      g_assert_cmpint (am_reference_lock_get_lockout_end (f->lock), ==, now + 60 * expected_minutes[i]);

      /* A lockout ignores even the right code, and counts nothing. */
      assert_enter (f->lock, now + 1, code, AM_LOCK_RESULT_LOCKED_OUT);
      assert_enter (f->lock, now + 60 * expected_minutes[i] - 1, code, AM_LOCK_RESULT_LOCKED_OUT);
      g_assert_cmpuint (am_reference_lock_get_failures (f->lock), ==, 5 + i);
      now += 60 * expected_minutes[i];
    }

  /* An open resets the count: four failures do not lock out again. */
  now += 1;
  assert_enter (f->lock, now, code, AM_LOCK_RESULT_OPEN);
  g_assert_cmpuint (am_reference_lock_get_failures (f->lock), ==, 0);
  for (guint i = 0; i < 4; i++)
    assert_enter (f->lock, ++now, "9999999002", AM_LOCK_RESULT_NO_MATCH);
  assert_enter (f->lock, ++now, code, AM_LOCK_RESULT_OPEN);
}

static void
test_ble_unlock_resets_failures (Fixture       *f,
                                 gconstpointer  data)
{
  for (guint i = 0; i < 4; i++)
    assert_enter (f->lock, T0 + i, "0000000002", AM_LOCK_RESULT_NO_MATCH);
  am_reference_lock_ble_unlock (f->lock, T0 + 10);
  g_assert_cmpuint (am_reference_lock_get_failures (f->lock), ==, 0);
  assert_enter (f->lock, T0 + 11, "0000000002", AM_LOCK_RESULT_NO_MATCH);
  g_assert_cmpint (am_reference_lock_get_lockout_end (f->lock), ==, 0);
}

/* A table full of unexpired activations refuses the next: it fails closed. */
static void
test_table_full (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *extra = code_of (f->key, H0, AM_REFERENCE_LOCK_TABLE_SIZE);
  g_autofree char *first = code_of (f->key, H0, 0);

  for (guint p = 0; p < AM_REFERENCE_LOCK_TABLE_SIZE; p++)
    {
      g_autofree char *code = code_of (f->key, H0, p);

      assert_enter (f->lock, T0 + p, code, AM_LOCK_RESULT_OPEN);
    }
  assert_enter (f->lock, T0 + 100, extra, AM_LOCK_RESULT_TABLE_FULL);
  /* Codes in the table still open. */
  assert_enter (f->lock, T0 + 101, first, AM_LOCK_RESULT_OPEN);

  /* The one-hour code (p 0) expires at its end plus the skew, which frees
   * its place. */
  assert_enter (f->lock, T0 + 3600 + SKEW, extra, AM_LOCK_RESULT_OPEN);
}

static void
test_revoked_codes_refused (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *code = code_of (f->key, H0, 5);
  g_autofree char *other = code_of (f->key, H0, 6);
  guint n_log;
  const AmLockLogRecord *log;

  /* Revoking an activated code drops it from the table too. */
  assert_enter (f->lock, T0, code, AM_LOCK_RESULT_OPEN);
  am_reference_lock_revoke (f->lock, T0 + 10, H0, 5);
  assert_enter (f->lock, T0 + 20, code, AM_LOCK_RESULT_REVOKED);
  assert_enter (f->lock, T0 + 30, other, AM_LOCK_RESULT_OPEN);

  log = am_reference_lock_get_log (f->lock, &n_log);
  g_assert_cmpuint (n_log, ==, 4);
  g_assert_cmpint (log[1].event, ==, AM_LOCK_EVENT_REVOKE);
  g_assert_cmpuint (log[2].start_h, ==, H0);
  g_assert_cmpuint (log[2].p, ==, 4);

  /* The deny list holds 32: the oldest makes way. */
  for (guint i = 1; i <= AM_REFERENCE_LOCK_DENY_SIZE; i++)
    am_reference_lock_revoke (f->lock, T0 + 40, H0 - i, 5);
  assert_enter (f->lock, T0 + 50, code, AM_LOCK_RESULT_OPEN);
}

static void
test_cancel_all_spares_later_codes (Fixture       *f,
                                    gconstpointer  data)
{
  g_autofree char *before = code_of (f->key, H0, 47);
  g_autofree char *cancel = code_of (f->key, H0 + 2, AM_PASSCODE_P_CANCEL_ALL);
  g_autofree char *after = code_of (f->key, H0 + 2, 3);
  g_autofree char *later = code_of (f->key, H0 + 3, 3);

  assert_enter (f->lock, T0 + 60, before, AM_LOCK_RESULT_OPEN);
  assert_enter (f->lock, T0 + 2 * 3600 + 60, cancel, AM_LOCK_RESULT_CANCELLED);
  g_assert_cmpuint (am_reference_lock_get_watermark (f->lock), ==, H0 + 2);
  assert_enter (f->lock, T0 + 2 * 3600 + 70, before, AM_LOCK_RESULT_NO_MATCH);
  assert_enter (f->lock, T0 + 2 * 3600 + 80, after, AM_LOCK_RESULT_OPEN);
  assert_enter (f->lock, T0 + 3 * 3600, later, AM_LOCK_RESULT_OPEN);
  /* Typed again, a cancel-all code is spent. */
  assert_enter (f->lock, T0 + 3 * 3600 + 10, cancel, AM_LOCK_RESULT_USED);
}

/* After a key rotation, codes of the previous key open until prev_until. */
static void
test_previous_key (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(AmPasscodeKey) new_key = NULL;
  g_autofree char *old_code = code_of (f->key, H0, 2);
  g_autofree char *old_code_2 = code_of (f->key, H0, 3);
  g_autofree char *new_code = NULL;
  guint8 k_new[AM_PASSCODE_KEY_LEN];

  am_test_random_bytes (k_new, sizeof k_new);
  new_key = am_passcode_key_new (k_new, f->lock_id, 2, 10);
  new_code = code_of (new_key, H0, 2);

  am_reference_lock_rotate_key (f->lock, k_new, 2, T0 + 1800);
  assert_enter (f->lock, T0, new_code, AM_LOCK_RESULT_OPEN);
  assert_enter (f->lock, T0 + 10, old_code, AM_LOCK_RESULT_OPEN);
  assert_enter (f->lock, T0 + 1800, old_code_2, AM_LOCK_RESULT_NO_MATCH);
}

/* The search costs at most 25 HMACs, 50 during a key overlap. */
static void
test_hmac_count_worst_case (Fixture       *f,
                            gconstpointer  data)
{
  guint64 max = 0, before;
  guint8 k_new[AM_PASSCODE_KEY_LEN];

  for (gint64 now = T0; now < T0 + 3600; now += 60)
    {
      g_autoptr(AmReferenceLock) lock = am_reference_lock_new (f->k_lock, f->lock_id, 1, 10, 0);

      am_reference_lock_enter (lock, now, "1234567002");
      max = MAX (max, am_reference_lock_get_hmac_count (lock));
    }
  g_assert_cmpuint (max, ==, 25);

  am_test_random_bytes (k_new, sizeof k_new);
  am_reference_lock_rotate_key (f->lock, k_new, 2, T0 + 86400);
  max = 0;
  for (gint64 now = T0; now < T0 + 3600; now += 60)
    {
      before = am_reference_lock_get_hmac_count (f->lock);
      am_reference_lock_enter (f->lock, now, "1234567002");
      max = MAX (max, am_reference_lock_get_hmac_count (f->lock) - before);
      am_reference_lock_ble_unlock (f->lock, now);
    }
  g_assert_cmpuint (max, ==, 50);
}

static void
test_log_records_every_entry (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *timed = code_of (f->key, H0, 2);
  g_autofree char *one_time = code_of (f->key, H0, 905);
  const AmLockLogRecord *log;
  guint n;
  static const struct { AmLockEvent event; guint32 start_h; guint16 p; } expected[] = {
    { AM_LOCK_EVENT_KEYPAD_OPEN, H0, 2 },
    { AM_LOCK_EVENT_KEYPAD_OPEN, H0, 905 },
    { AM_LOCK_EVENT_KEYPAD_REJECT, H0, 3 },     /* used */
    { AM_LOCK_EVENT_KEYPAD_REJECT, 0, 1 },      /* malformed */
    { AM_LOCK_EVENT_KEYPAD_REJECT, 0, 2 },      /* no match */
    { AM_LOCK_EVENT_KEYPAD_REJECT, 0, 2 },
    { AM_LOCK_EVENT_KEYPAD_REJECT, 0, 2 },      /* the fifth failure ... */
    { AM_LOCK_EVENT_LOCKOUT, 0, 0 },            /* ... locks out */
    { AM_LOCK_EVENT_KEYPAD_REJECT, 0, 6 },      /* locked out */
    { AM_LOCK_EVENT_BLE_UNLOCK, 0, 0 },
  };

  assert_enter (f->lock, T0, timed, AM_LOCK_RESULT_OPEN);
  assert_enter (f->lock, T0 + 1, one_time, AM_LOCK_RESULT_OPEN);
  assert_enter (f->lock, T0 + 2, one_time, AM_LOCK_RESULT_USED);
  assert_enter (f->lock, T0 + 3, "abc", AM_LOCK_RESULT_MALFORMED);
  assert_enter (f->lock, T0 + 4, "0000000002", AM_LOCK_RESULT_NO_MATCH);
  assert_enter (f->lock, T0 + 5, "0000000003", AM_LOCK_RESULT_NO_MATCH);
  assert_enter (f->lock, T0 + 6, "0000000004", AM_LOCK_RESULT_NO_MATCH);
  assert_enter (f->lock, T0 + 7, timed, AM_LOCK_RESULT_LOCKED_OUT);
  am_reference_lock_ble_unlock (f->lock, T0 + 8);

  log = am_reference_lock_get_log (f->lock, &n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (log[i].seq, ==, i);
      g_assert_cmpint (log[i].event, ==, expected[i].event);
      g_assert_cmpuint (log[i].start_h, ==, expected[i].start_h);
      g_assert_cmpuint (log[i].p, ==, expected[i].p);
    }
  g_assert_cmpuint (log[0].t, ==, T0);
  g_assert_cmpuint (log[8].t, ==, T0 + 7);
}

static void
test_malformed_entries (Fixture       *f,
                        gconstpointer  data)
{
  static const char *entries[] = {
    "", "12345", "50878960020", "508789600", "50878960a2", " 5087896002", "0000000925", "0000000999",
  };

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_autoptr(AmReferenceLock) lock = am_reference_lock_new (f->k_lock, f->lock_id, 1, 10, 0);

      assert_enter (lock, T0, entries[i], AM_LOCK_RESULT_MALFORMED);
    }
  assert_enter (f->lock, T0, "5087896002", AM_LOCK_RESULT_OPEN);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reference-lock/vectors/checks", test_vectors_checks);
  g_test_add_func ("/reference-lock/random/open-in-window-only", test_random_codes_open_in_their_window);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/reference-lock/lockout/escalates", test_lockout_escalates);
  ADD ("/reference-lock/lockout/ble-unlock-resets-failures", test_ble_unlock_resets_failures);
  ADD ("/reference-lock/table/full-fails-closed", test_table_full);
  ADD ("/reference-lock/deny-list/revoked-codes-refused", test_revoked_codes_refused);
  ADD ("/reference-lock/cancel-all/spares-later-codes", test_cancel_all_spares_later_codes);
  ADD ("/reference-lock/keys/previous-key-until-its-end", test_previous_key);
  ADD ("/reference-lock/search/hmac-count-worst-case", test_hmac_count_worst_case);
  ADD ("/reference-lock/log/records-every-entry", test_log_records_every_entry);
  ADD ("/reference-lock/entry/malformed", test_malformed_entries);
#undef ADD

  return g_test_run ();
}
