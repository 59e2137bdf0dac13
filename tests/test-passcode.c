/* test-passcode.c: AM1 derivation and windows against the spec and its vectors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "am-error.h"
#include "am-passcode.h"
#include "am-secret-memory.h"
#include "am-test-vectors.h"
#include "am-time.h"

/* Two start hours whose p = 2 codes share a tag under the spec's example key
 * and lock, 22 hours apart: found by a search over start hours (about one
 * window in 200,000 aliases). */
#define ALIASED_START_H   906583
#define ALIASED_PARTNER_H 906605
#define ALIASED_P         2

static AmPasscodeKey *
example_key (guint8 kv,
             guint  digits)
{
  guint8 k_lock[AM_PASSCODE_KEY_LEN], lock_id[AM_LOCK_ID_LEN];

  am_test_example_lock (k_lock, lock_id);
  return am_passcode_key_new (k_lock, lock_id, kv, digits);
}

static GDateTime *
local_time (const char *zone,
            int         year,
            int         month,
            int         day,
            int         hour)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);

  g_assert_nonnull (tz);
  return g_date_time_new (tz, year, month, day, hour, 0, 0);
}

static void
assert_hex (const guint8 *data,
            gsize         len,
            const char   *expected)
{
  g_autofree char *hex = am_hex_encode (data, len);

  g_assert_cmpstr (hex, ==, expected);
}

static void
test_vectors_derivation (void)
{
  g_autoptr(GPtrArray) vectors = am_test_load_vectors ();
  guint n_checked = 0;

  for (guint i = 0; i < vectors->len; i++)
    {
      JsonObject *v = g_ptr_array_index (vectors, i);
      g_autoptr(AmPasscodeKey) key = NULL;
      guint8 k_lock[AM_PASSCODE_KEY_LEN], lock_id[AM_LOCK_ID_LEN];
      guint8 k_code[AM_PASSCODE_KEY_LEN], m[AM_PASSCODE_MESSAGE_LEN], h[AM_PASSCODE_KEY_LEN];
      char code[AM_PASSCODE_MAX_DIGITS + 1];
      g_autoptr(GError) error = NULL;
      guint kv, digits, p;
      guint32 start_h;

      if (!json_object_has_member (v, "code"))
        continue;

      g_test_message ("vector %s", json_object_get_string_member (v, "id"));
      am_test_vector_lock (v, k_lock, lock_id);
      kv = (guint) json_object_get_int_member (v, "kv");
      digits = (guint) json_object_get_int_member (v, "digits");
      start_h = (guint32) json_object_get_int_member (v, "start_h");
      p = (guint) json_object_get_int_member (v, "p");

      am_passcode_subkey (k_lock, AM_PASSCODE_LABEL_CODE, k_code);
      assert_hex (k_code, sizeof k_code, json_object_get_string_member (v, "k_code_hex"));

      am_passcode_message (lock_id, (guint8) kv, start_h, (guint16) p, (guint8) digits, m);
      assert_hex (m, sizeof m, json_object_get_string_member (v, "m_hex"));

      key = am_passcode_key_new (k_lock, lock_id, (guint8) kv, digits);
      am_passcode_key_mac (key, start_h, p, h);
      assert_hex (h, sizeof h, json_object_get_string_member (v, "hmac_hex"));

      am_passcode_key_derive (key, start_h, p, code, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (code, ==, json_object_get_string_member (v, "code"));
      n_checked++;
    }

  g_assert_cmpuint (n_checked, >=, 20);
}

static void
test_vectors_window (void)
{
  g_autoptr(GPtrArray) vectors = am_test_load_vectors ();

  for (guint i = 0; i < vectors->len; i++)
    {
      JsonObject *v = g_ptr_array_index (vectors, i);
      g_autoptr(GDateTime) start = NULL;
      g_autoptr(GDateTime) end = NULL;
      g_autoptr(GError) error = NULL;
      AmPasscodeWindow by_params, quantised;
      AmPasscodeKind kind;
      guint q;

      if (!json_object_has_member (v, "start_utc"))
        continue;

      q = (guint) json_object_get_int_member (v, "q_offset_s");
      am_passcode_window_for ((guint32) json_object_get_int_member (v, "start_h"),
                              (guint) json_object_get_int_member (v, "p"), q, &by_params, &error);
      g_assert_no_error (error);
      g_assert_cmpint (by_params.starts_at, ==, json_object_get_int_member (v, "start_utc"));
      g_assert_cmpint (by_params.ends_at, ==, json_object_get_int_member (v, "end_utc"));
      g_assert_cmpint (by_params.use_by, ==, by_params.starts_at + 86400);

      kind = g_str_equal (json_object_get_string_member (v, "kind"), "ONE_TIME")
             ? AM_PASSCODE_KIND_ONE_TIME : AM_PASSCODE_KIND_TIMED;
      g_assert_cmpint (by_params.kind, ==, kind);

      /* Asking for exactly the vector's window gives exactly its parameters. */
      start = g_date_time_new_from_unix_utc (json_object_get_int_member (v, "start_utc"));
      end = g_date_time_new_from_unix_utc (json_object_get_int_member (v, "end_utc"));
      am_passcode_window_quantise (start, end, kind, q, &quantised, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (quantised.start_h, ==, by_params.start_h);
      g_assert_cmpuint (quantised.p, ==, by_params.p);
    }
}

static void
test_ble_subkey (void)
{
  guint8 k_lock[AM_PASSCODE_KEY_LEN], k_ble[AM_PASSCODE_KEY_LEN];

  g_assert_true (am_hex_decode (AM_TEST_KEY_HEX, k_lock, sizeof k_lock, NULL));
  am_passcode_subkey (k_lock, AM_PASSCODE_LABEL_BLE, k_ble);
  assert_hex (k_ble, sizeof k_ble, "cc6050877fcbb4b629eeee2bba90689ca786945d42495cb900514f4f2f192dca");
}

static void
test_spec_first_example (void)
{
  g_autoptr(AmPasscodeKey) key = example_key (1, 10);
  g_autoptr(GDateTime) start = g_date_time_new_utc (2025, 3, 10, 15, 0, 0);
  g_autoptr(GDateTime) end = g_date_time_new_utc (2025, 3, 10, 18, 0, 0);
  g_autoptr(GError) error = NULL;
  char code[AM_PASSCODE_MAX_DIGITS + 1];
  AmPasscodeWindow w;

  am_passcode_window_quantise (start, end, AM_PASSCODE_KIND_TIMED, 0, &w, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (w.start_h, ==, 483783);
  g_assert_cmpuint (w.p, ==, 2);
  am_passcode_key_derive (key, w.start_h, w.p, code, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, "5087896002");
}

static void
test_p_table (void)
{
  const struct { guint p; AmPasscodeKind kind; guint hours; } rows[] = {
    { 0, AM_PASSCODE_KIND_TIMED, 1 },
    { 2, AM_PASSCODE_KIND_TIMED, 3 },
    { 671, AM_PASSCODE_KIND_TIMED, 672 },
    { 672, AM_PASSCODE_KIND_TIMED, 29 * 24 },
    { 899, AM_PASSCODE_KIND_TIMED, 256 * 24 },
    { 900, AM_PASSCODE_KIND_ONE_TIME, 1 },
    { 923, AM_PASSCODE_KIND_ONE_TIME, 24 },
    { 924, AM_PASSCODE_KIND_CANCEL_ALL, 0 },
    { 925, AM_PASSCODE_KIND_RESERVED, 0 },
    { 999, AM_PASSCODE_KIND_RESERVED, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_assert_cmpint (am_passcode_kind_for_p (rows[i].p), ==, rows[i].kind);
      g_assert_cmpuint (am_passcode_duration_hours (rows[i].p), ==, rows[i].hours);
    }
}

static void
test_format_zero_padded (void)
{
  char code[AM_PASSCODE_MAX_DIGITS + 1];

  am_passcode_format (0, 0, 10, code);
  g_assert_cmpstr (code, ==, "0000000000");
  am_passcode_format (411897, 5, 10, code);
  g_assert_cmpstr (code, ==, "0411897005");
  am_passcode_format (999999999, 924, 12, code);
  g_assert_cmpstr (code, ==, "999999999924");
}

/* The effective window never grants more than was asked, and is the
 * longest that does not. */
static void
test_window_end_never_widened (void)
{
  for (guint i = 0; i < 5000; i++)
    {
      static const guint qs[] = { 0, 900, 1800, 2700 };
      gboolean one_time = g_test_rand_bit ();
      gint64 start_utc = g_test_rand_int_range (0, 2000000000);
      gint64 max_len = one_time ? 86400 : 256 * 86400;
      gint64 len = 3600 + (gint64) (g_test_rand_double () * (double) (max_len - 3600));
      guint q = qs[g_test_rand_int_range (0, 4)];
      g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (start_utc);
      g_autoptr(GDateTime) end = g_date_time_new_from_unix_utc (start_utc + len);
      g_autoptr(GError) error = NULL;
      AmPasscodeWindow w;

      am_passcode_window_quantise (start, end, one_time ? AM_PASSCODE_KIND_ONE_TIME : AM_PASSCODE_KIND_TIMED,
                                   q, &w, &error);
      g_assert_no_error (error);

      g_assert_cmpint (w.starts_at, <=, start_utc);
      g_assert_cmpint (w.starts_at, >, start_utc - 3600);
      g_assert_cmpint ((w.starts_at - q) % 3600, ==, 0);
      g_assert_cmpint (w.ends_at, <=, start_utc + len);
      g_assert_cmpint (w.ends_at, >, w.starts_at);
      g_assert_cmpint (w.kind, ==, one_time ? AM_PASSCODE_KIND_ONE_TIME : AM_PASSCODE_KIND_TIMED);

      /* The next longer code of the same kind would end too late. */
      if (w.p != 899 && w.p != 923)
        g_assert_cmpint (w.starts_at + 3600 * (gint64) am_passcode_duration_hours (w.p + 1), >, start_utc + len);
    }
}

static gboolean
quantise_utc (gint64             start_utc,
              gint64             end_utc,
              AmPasscodeKind     kind,
              AmPasscodeWindow  *w,
              GError           **error)
{
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (start_utc);
  g_autoptr(GDateTime) end = g_date_time_new_from_unix_utc (end_utc);

  return am_passcode_window_quantise (start, end, kind, 0, w, error);
}

static void
assert_refused (gint64          start_utc,
                gint64          end_utc,
                AmPasscodeKind  kind,
                AmError         expected)
{
  g_autoptr(GError) error = NULL;
  AmPasscodeWindow w;

  g_assert_false (quantise_utc (start_utc, end_utc, kind, &w, &error));
  g_assert_error (error, AM_ERROR, (gint) expected);
  /* A sentence that says what to do. */
  g_assert_true (g_str_has_suffix (error->message, "."));
  g_assert_nonnull (strstr (error->message, "Choose"));
}

static void
assert_accepted (gint64          start_utc,
                 gint64          end_utc,
                 AmPasscodeKind  kind,
                 guint           expected_p)
{
  g_autoptr(GError) error = NULL;
  AmPasscodeWindow w;

  g_assert_true (quantise_utc (start_utc, end_utc, kind, &w, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (w.p, ==, expected_p);
}

#define T0 G_GINT64_CONSTANT (1741618800) /* 2025-03-10T15:00:00Z */

static void
test_window_refused_ends_before_start (void)
{
  assert_refused (T0, T0 - 1, AM_PASSCODE_KIND_TIMED, AM_ERROR_WINDOW_ENDS_BEFORE_START);
  assert_refused (T0, T0 - 7200, AM_PASSCODE_KIND_ONE_TIME, AM_ERROR_WINDOW_ENDS_BEFORE_START);
}

static void
test_window_refused_under_an_hour (void)
{
  assert_refused (T0, T0, AM_PASSCODE_KIND_TIMED, AM_ERROR_WINDOW_TOO_SHORT);
  assert_refused (T0, T0 + 3599, AM_PASSCODE_KIND_TIMED, AM_ERROR_WINDOW_TOO_SHORT);
  assert_refused (T0 + 1800, T0 + 1800 + 3599, AM_PASSCODE_KIND_ONE_TIME, AM_ERROR_WINDOW_TOO_SHORT);
  assert_accepted (T0, T0 + 3600, AM_PASSCODE_KIND_TIMED, 0);
}

static void
test_window_refused_over_256_days (void)
{
  assert_refused (T0, T0 + 256 * 86400 + 1, AM_PASSCODE_KIND_TIMED, AM_ERROR_WINDOW_TOO_LONG);
  assert_accepted (T0, T0 + 256 * 86400, AM_PASSCODE_KIND_TIMED, 899);
  /* 28 days and 23 hours is not a whole number of days past 28: 28 days. */
  assert_accepted (T0, T0 + 28 * 86400 + 23 * 3600, AM_PASSCODE_KIND_TIMED, 671);
  assert_accepted (T0, T0 + 29 * 86400, AM_PASSCODE_KIND_TIMED, 672);
}

static void
test_window_refused_one_time_over_24_hours (void)
{
  assert_refused (T0, T0 + 86400 + 1, AM_PASSCODE_KIND_ONE_TIME, AM_ERROR_ONE_TIME_TOO_LONG);
  assert_accepted (T0, T0 + 86400, AM_PASSCODE_KIND_ONE_TIME, 923);
  assert_accepted (T0, T0 + 86400 + 1, AM_PASSCODE_KIND_TIMED, 23);
}

static void
test_window_refused_first_use_passed (void)
{
  g_autoptr(GError) error = NULL;
  AmPasscodeWindow w;

  /* A week-long window: still issuable until 24 hours after its start. */
  am_passcode_window_for (483783, 167, 0, &w, &error);
  g_assert_no_error (error);
  g_assert_true (am_passcode_window_check_issuable (&w, w.starts_at - 86400 * 30, &error));
  g_assert_true (am_passcode_window_check_issuable (&w, w.use_by - 1, &error));
  g_assert_no_error (error);
  g_assert_false (am_passcode_window_check_issuable (&w, w.use_by, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_FIRST_USE_PASSED);
  g_assert_nonnull (strstr (error->message, "24 hours"));
  g_clear_error (&error);

  /* A three-hour window is over at its end, before the 24 hours. */
  am_passcode_window_for (483783, 2, 0, &w, &error);
  g_assert_no_error (error);
  g_assert_true (am_passcode_window_check_issuable (&w, w.ends_at - 1, &error));
  g_assert_false (am_passcode_window_check_issuable (&w, w.ends_at, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_WINDOW_OVER);
}

static void
test_window_reserved_p (void)
{
  g_autoptr(AmPasscodeKey) key = example_key (1, 10);
  g_autoptr(GError) error = NULL;
  char code[AM_PASSCODE_MAX_DIGITS + 1];
  AmPasscodeWindow w;

  g_assert_false (am_passcode_window_for (483783, 925, 0, &w, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (am_passcode_key_derive (key, 483783, 999, code, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT);
}

static void
assert_local_window (const char *zone,
                     GDateTime  *start,
                     GDateTime  *end,
                     gint64      expected_hours)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);
  g_autoptr(GError) error = NULL;
  guint q = am_time_q_offset_for_zone (tz, g_date_time_to_unix (start));
  AmPasscodeWindow w;

  am_passcode_window_quantise (start, end, AM_PASSCODE_KIND_TIMED, q, &w, &error);
  g_assert_no_error (error);
  /* Whole local hours in, exactly that window out. */
  g_assert_cmpint (w.starts_at, ==, g_date_time_to_unix (start));
  g_assert_cmpint (w.ends_at, ==, g_date_time_to_unix (end));
  g_assert_cmpint ((w.ends_at - w.starts_at) / 3600, ==, expected_hours);
}

/* Midnight to 6 AM on the nights the clocks change: 5 real hours in
 * spring, 7 in autumn. */
static void
test_window_dst_new_york (void)
{
  g_autoptr(GDateTime) spring_start = local_time ("America/New_York", 2025, 3, 9, 0);
  g_autoptr(GDateTime) spring_end = local_time ("America/New_York", 2025, 3, 9, 6);
  g_autoptr(GDateTime) autumn_start = local_time ("America/New_York", 2025, 11, 2, 0);
  g_autoptr(GDateTime) autumn_end = local_time ("America/New_York", 2025, 11, 2, 6);

  assert_local_window ("America/New_York", spring_start, spring_end, 5);
  assert_local_window ("America/New_York", autumn_start, autumn_end, 7);
}

static void
test_window_dst_berlin (void)
{
  g_autoptr(GDateTime) spring_start = local_time ("Europe/Berlin", 2025, 3, 30, 0);
  g_autoptr(GDateTime) spring_end = local_time ("Europe/Berlin", 2025, 3, 30, 6);
  g_autoptr(GDateTime) autumn_start = local_time ("Europe/Berlin", 2025, 10, 26, 0);
  g_autoptr(GDateTime) autumn_end = local_time ("Europe/Berlin", 2025, 10, 26, 6);
  /* A week across the change: 7 × 24 − 1 hours. */
  g_autoptr(GDateTime) week_start = local_time ("Europe/Berlin", 2025, 3, 27, 9);
  g_autoptr(GDateTime) week_end = local_time ("Europe/Berlin", 2025, 4, 3, 9);

  assert_local_window ("Europe/Berlin", spring_start, spring_end, 5);
  assert_local_window ("Europe/Berlin", autumn_start, autumn_end, 7);
  assert_local_window ("Europe/Berlin", week_start, week_end, 7 * 24 - 1);
}

static void
assert_resolves (const char *zone,
                 int         year,
                 int         month,
                 int         day,
                 int         hour,
                 int         minute,
                 guint       expected_n,
                 gint64      expected_gap)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);
  gint64 utc[2];
  guint n = am_time_resolve_local (tz, year, month, day, hour, minute, utc);

  g_assert_cmpuint (n, ==, expected_n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (utc[i]);
      g_autoptr(GDateTime) local = g_date_time_to_timezone (dt, tz);

      g_assert_cmpint (g_date_time_get_hour (local), ==, hour);
      g_assert_cmpint (g_date_time_get_minute (local), ==, minute);
      g_assert_cmpint (g_date_time_get_day_of_month (local), ==, day);
    }
  if (n == 2)
    g_assert_cmpint (utc[1] - utc[0], ==, expected_gap);
}

/* A time skipped or repeated by daylight saving is reported, not guessed. */
static void
test_local_time_skipped_and_repeated (void)
{
  assert_resolves ("America/New_York", 2025, 3, 9, 2, 30, 0, 0);
  assert_resolves ("America/New_York", 2025, 3, 9, 3, 0, 1, 0);
  assert_resolves ("America/New_York", 2025, 11, 2, 1, 30, 2, 3600);
  assert_resolves ("America/New_York", 2025, 11, 2, 2, 0, 1, 0);
  assert_resolves ("Europe/Berlin", 2025, 3, 30, 2, 0, 0, 0);
  assert_resolves ("Europe/Berlin", 2025, 10, 26, 2, 30, 2, 3600);
  assert_resolves ("Europe/Berlin", 2025, 7, 1, 12, 0, 1, 0);
  /* Lord Howe changes by half an hour. */
  assert_resolves ("Australia/Lord_Howe", 2025, 4, 6, 1, 45, 2, 1800);
}

static void
assert_q (const char *zone,
          guint       expected)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);

  g_assert_nonnull (tz);
  /* In both halves of the year: Q follows standard time. */
  g_assert_cmpuint (am_time_q_offset_for_zone (tz, T0), ==, expected);
  g_assert_cmpuint (am_time_q_offset_for_zone (tz, T0 + 183 * 86400), ==, expected);
}

static void
test_q_offset_for_zones (void)
{
  assert_q ("UTC", 0);
  assert_q ("America/New_York", 0);
  assert_q ("Europe/Berlin", 0);
  assert_q ("Asia/Kolkata", 1800);
  assert_q ("Asia/Kathmandu", 2700);
  assert_q ("America/St_Johns", 1800);
  assert_q ("Australia/Adelaide", 1800);
  assert_q ("Australia/Lord_Howe", 1800);
  assert_q ("Pacific/Chatham", 2700);
  assert_q ("Pacific/Marquesas", 1800);
}

static GDateTime *
local_time_min (const char *zone,
                int         year,
                int         month,
                int         day,
                int         hour,
                int         minute)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);

  return g_date_time_new (tz, year, month, day, hour, minute, 0);
}

/* In India (Q 1800) the lock's hours are the property's local hours. */
static void
test_window_kolkata (void)
{
  g_autoptr(GDateTime) start = local_time ("Asia/Kolkata", 2025, 3, 10, 9);
  g_autoptr(GDateTime) end = local_time ("Asia/Kolkata", 2025, 3, 10, 17);
  g_autoptr(GError) error = NULL;
  AmPasscodeWindow w;

  assert_local_window ("Asia/Kolkata", start, end, 8);

  /* Without Q the same request would start half an hour early and lose
   * its last half hour. */
  am_passcode_window_quantise (start, end, AM_PASSCODE_KIND_TIMED, 0, &w, &error);
  g_assert_no_error (error);
  g_assert_cmpint (w.starts_at, ==, g_date_time_to_unix (start) - 1800);
  g_assert_cmpint (w.ends_at, ==, g_date_time_to_unix (end) - 1800);
}

/* Nepal is UTC+5:45, so Q = 20700 mod 3600 = 2700 as the spec defines it:
 * the lock's hours begin at half past the local hour. Windows on those
 * half hours are kept exactly; a request on the local hour starts half an
 * hour earlier and ends half an hour earlier. */
static void
test_window_kathmandu (void)
{
  g_autoptr(GDateTime) start = local_time_min ("Asia/Kathmandu", 2025, 3, 10, 8, 30);
  g_autoptr(GDateTime) end = local_time_min ("Asia/Kathmandu", 2025, 3, 10, 16, 30);
  g_autoptr(GDateTime) start_on_hour = local_time ("Asia/Kathmandu", 2025, 3, 10, 9);
  g_autoptr(GDateTime) end_on_hour = local_time ("Asia/Kathmandu", 2025, 3, 10, 17);
  g_autoptr(GError) error = NULL;
  AmPasscodeWindow w;

  assert_local_window ("Asia/Kathmandu", start, end, 8);

  am_passcode_window_quantise (start_on_hour, end_on_hour, AM_PASSCODE_KIND_TIMED, 2700, &w, &error);
  g_assert_no_error (error);
  g_assert_cmpint (w.starts_at, ==, g_date_time_to_unix (start));
  g_assert_cmpint (w.ends_at, ==, g_date_time_to_unix (end));
}

static void
test_aliasing_refused (void)
{
  g_autoptr(AmPasscodeKey) key = example_key (1, 10);
  g_autoptr(GError) error = NULL;
  char code[AM_PASSCODE_MAX_DIGITS + 1];

  /* The two hours really share a tag ... */
  g_assert_cmpuint (am_passcode_key_tag (key, ALIASED_START_H, ALIASED_P), ==,
                    am_passcode_key_tag (key, ALIASED_PARTNER_H, ALIASED_P));
  g_assert_true (am_passcode_key_is_aliased (key, ALIASED_START_H, ALIASED_P));
  g_assert_true (am_passcode_key_is_aliased (key, ALIASED_PARTNER_H, ALIASED_P));

  /* ... so neither code is issued ... */
  g_assert_false (am_passcode_key_derive (key, ALIASED_START_H, ALIASED_P, code, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_ALIASED);
  g_assert_nonnull (strstr (error->message, "one hour shorter"));
  g_clear_error (&error);

  /* ... while the window one hour shorter is. */
  g_assert_true (am_passcode_key_derive (key, ALIASED_START_H, ALIASED_P - 1, code, &error));
  g_assert_no_error (error);
  g_assert_false (am_passcode_key_is_aliased (key, ALIASED_START_H + 1, ALIASED_P));
}

static void
test_iso8601_needs_an_offset (void)
{
  g_autoptr(GDateTime) z = NULL;
  g_autoptr(GDateTime) offset = NULL;
  g_autoptr(GError) error = NULL;

  z = am_time_parse_iso8601 ("2025-03-10T15:00:00Z", &error);
  g_assert_no_error (error);
  offset = am_time_parse_iso8601 ("2025-03-10T10:00:00-05:00", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_date_time_to_unix (z), ==, T0);
  g_assert_cmpint (g_date_time_to_unix (offset), ==, T0);

  g_assert_null (am_time_parse_iso8601 ("2025-03-10T15:00:00", &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (am_time_parse_iso8601 ("tomorrow", &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (am_time_parse_iso8601 ("1969-12-31T23:00:00Z", &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_OUT_OF_RANGE);
}

static void
test_lock_id_and_key_parsing (void)
{
  g_autoptr(GError) error = NULL;
  guint8 id[AM_LOCK_ID_LEN], key[AM_PASSCODE_KEY_LEN];

  g_assert_true (am_lock_id_parse ("3F2A9C4E-8B1D-4E7A-9C6F-2D5B8E1A7C30", id, &error));
  assert_hex (id, sizeof id, "3f2a9c4e8b1d4e7a9c6f2d5b8e1a7c30");
  g_assert_false (am_lock_id_parse ("3f2a9c4e8b1d4e7a9c6f2d5b8e1a7c30", id, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (am_hex_decode ("0011", key, sizeof key, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (am_hex_decode ("zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", key, sizeof key, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT);
}

static void
test_group_digits (void)
{
  g_autofree char *ten = am_passcode_group_digits ("5087896002");
  g_autofree char *twelve = am_passcode_group_digits ("508789600212");

  g_assert_cmpstr (ten, ==, "508 789 6002");
  g_assert_cmpstr (twelve, ==, "508 789 600 212");
}

/* What held a key, a token or code digits is zero afterwards, every byte
 * of it, also where the compiler could see no later read. */
static void
test_secret_memory_wipe (void)
{
  guint8 *key = g_malloc (32);
  char code[AM_PASSCODE_MAX_DIGITS + 1] = "4837830129";
  char *token = g_strdup ("3q2+7wAAAAC0ZXN0LXRva2VuLXRoYXQtaXMtc2VjcmV0");
  gsize token_len = strlen (token);

  memset (key, 0xa5, 32);
  am_secret_memory_wipe (key, 32);
  for (guint i = 0; i < 32; i++)
    g_assert_cmpuint (key[i], ==, 0);
  am_secret_memory_wipe (code, sizeof code);
  for (guint i = 0; i < sizeof code; i++)
    g_assert_cmpint (code[i], ==, 0);
  am_secret_memory_wipe (token, token_len);
  for (gsize i = 0; i < token_len; i++)
    g_assert_cmpint (token[i], ==, 0);
  /* NULL and empty are no-ops. */
  am_secret_memory_wipe (NULL, 10);
  am_secret_memory_free (NULL);
  am_secret_memory_free (g_strdup (""));
  g_free (token);
  g_free (key);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/passcode/vectors/derivation", test_vectors_derivation);
  g_test_add_func ("/passcode/secret-memory/wipe-zeroes-every-byte", test_secret_memory_wipe);
  g_test_add_func ("/passcode/vectors/window", test_vectors_window);
  g_test_add_func ("/passcode/subkey/ble", test_ble_subkey);
  g_test_add_func ("/passcode/spec-first-example", test_spec_first_example);
  g_test_add_func ("/passcode/p-table/boundaries", test_p_table);
  g_test_add_func ("/passcode/format/zero-padded", test_format_zero_padded);
  g_test_add_func ("/passcode/window/end-never-widened", test_window_end_never_widened);
  g_test_add_func ("/passcode/window/refused/ends-before-start", test_window_refused_ends_before_start);
  g_test_add_func ("/passcode/window/refused/under-an-hour", test_window_refused_under_an_hour);
  g_test_add_func ("/passcode/window/refused/over-256-days", test_window_refused_over_256_days);
  g_test_add_func ("/passcode/window/refused/one-time-over-24-hours", test_window_refused_one_time_over_24_hours);
  g_test_add_func ("/passcode/window/refused/first-use-deadline-passed", test_window_refused_first_use_passed);
  g_test_add_func ("/passcode/window/refused/reserved-p", test_window_reserved_p);
  g_test_add_func ("/passcode/window/dst/new-york", test_window_dst_new_york);
  g_test_add_func ("/passcode/window/dst/berlin", test_window_dst_berlin);
  g_test_add_func ("/passcode/window/q/kolkata-local-hours", test_window_kolkata);
  g_test_add_func ("/passcode/window/q/kathmandu-half-past", test_window_kathmandu);
  g_test_add_func ("/passcode/time/skipped-and-repeated-local-times", test_local_time_skipped_and_repeated);
  g_test_add_func ("/passcode/time/q-offset-for-zones", test_q_offset_for_zones);
  g_test_add_func ("/passcode/time/iso8601-needs-an-offset", test_iso8601_needs_an_offset);
  g_test_add_func ("/passcode/aliasing/refused", test_aliasing_refused);
  g_test_add_func ("/passcode/encoding/lock-id-and-key", test_lock_id_and_key_parsing);
  g_test_add_func ("/passcode/format/grouped-for-reading-aloud", test_group_digits);

  return g_test_run ();
}
