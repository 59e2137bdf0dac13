/* test-cli.c: access-manager-cli passcode, as a script or a lock maker uses it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "am-test-cli.h"
#include "am-test-vectors.h"
#include "am-time.h"

#define RUN(run, input, ...) am_test_run_cli (run, input, NULL, (const char * const []) { __VA_ARGS__, NULL })

/* The spec's example key as a script pipes it: one line on standard input. */
#define KEY_LINE AM_TEST_KEY_HEX "\n"

static char *
int_string (JsonObject *object,
            const char *member)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (object, member));
}

static void
test_derive_vectors_by_hour (void)
{
  g_autoptr(GPtrArray) vectors = am_test_load_vectors ();

  for (guint i = 0; i < vectors->len; i++)
    {
      JsonObject *v = g_ptr_array_index (vectors, i);
      g_autofree char *kv = NULL, *q = NULL, *digits = NULL, *start_h = NULL, *p = NULL;
      g_autofree char *key_line = NULL, *expected = NULL;
      g_auto(AmTestRun) run = { 0 };

      if (!json_object_has_member (v, "code"))
        continue;

      kv = int_string (v, "kv");
      q = int_string (v, "q_offset_s");
      digits = int_string (v, "digits");
      start_h = int_string (v, "start_h");
      p = int_string (v, "p");
      key_line = g_strdup_printf ("%s\n", json_object_get_string_member (v, "k_lock_hex"));
      RUN (&run, key_line, "passcode", "derive", "--key-stdin",
           "--lock-id", json_object_get_string_member (v, "lock_id"),
           "--kv", kv, "--q-offset", q, "--digits", digits,
           "--start-h", start_h, "--p", p);

      expected = g_strdup_printf ("%s\n", json_object_get_string_member (v, "code"));
      g_assert_cmpstr (run.err, ==, "");
      g_assert_cmpint (run.status, ==, 0);
      g_assert_cmpstr (run.out, ==, expected);
    }
}

/* The same codes from their windows as ISO 8601 times, in UTC and in a
 * property's own offset, as --json. */
static void
test_derive_vectors_by_time_json (void)
{
  g_autoptr(GPtrArray) vectors = am_test_load_vectors ();
  g_autoptr(GTimeZone) chicago = g_time_zone_new_identifier ("America/Chicago");

  for (guint i = 0; i < vectors->len; i++)
    {
      JsonObject *v = g_ptr_array_index (vectors, i);
      g_autofree char *kv = NULL, *q = NULL, *digits = NULL;
      g_autofree char *start_z = NULL, *end_z = NULL, *end_local = NULL, *key_line = NULL;
      g_autoptr(GDateTime) end_utc = NULL;
      g_autoptr(GDateTime) end_in_chicago = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_auto(AmTestRun) run = { 0 };
      gboolean one_time;
      JsonObject *out;

      if (!json_object_has_member (v, "code"))
        continue;

      kv = int_string (v, "kv");
      q = int_string (v, "q_offset_s");
      digits = int_string (v, "digits");
      start_z = am_time_format_utc (json_object_get_int_member (v, "start_utc"));
      end_z = am_time_format_utc (json_object_get_int_member (v, "end_utc"));
      end_utc = g_date_time_new_from_unix_utc (json_object_get_int_member (v, "end_utc"));
      end_in_chicago = g_date_time_to_timezone (end_utc, chicago);
      end_local = g_date_time_format_iso8601 (end_in_chicago);
      one_time = g_str_equal (json_object_get_string_member (v, "kind"), "ONE_TIME");
      key_line = g_strdup_printf ("%s\n", json_object_get_string_member (v, "k_lock_hex"));

      {
        const char *args[] = {
          "passcode", "derive", "--key-stdin",
          "--lock-id", json_object_get_string_member (v, "lock_id"),
          "--kv", kv, "--q-offset", q, "--digits", digits,
          "--start", start_z, "--end", end_local, "--json",
          one_time ? "--one-time" : NULL,
          NULL
        };
        am_test_run_cli (&run, key_line, NULL, args);
      }
      g_assert_cmpstr (run.err, ==, "");
      g_assert_cmpint (run.status, ==, 0);
      g_assert_true (g_str_has_suffix (run.out, "}\n"));
      g_assert_cmpuint (am_test_count_lines (run.out), ==, 1);

      json_parser_load_from_data (parser, run.out, -1, &error);
      g_assert_no_error (error);
      out = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (out, "code"), ==, json_object_get_string_member (v, "code"));
      g_assert_cmpint (json_object_get_int_member (out, "start_h"), ==, json_object_get_int_member (v, "start_h"));
      g_assert_cmpint (json_object_get_int_member (out, "p"), ==, json_object_get_int_member (v, "p"));
      g_assert_cmpstr (json_object_get_string_member (out, "kind"), ==, one_time ? "one_time" : "timed");
      g_assert_cmpstr (json_object_get_string_member (out, "starts_at"), ==, start_z);
      g_assert_cmpstr (json_object_get_string_member (out, "ends_at"), ==, end_z);
      {
        g_autofree char *use_by = am_time_format_utc (json_object_get_int_member (v, "start_utc") + 86400);
        g_assert_cmpstr (json_object_get_string_member (out, "use_by"), ==, use_by);
      }
    }
}

static void
test_check_vectors (void)
{
  g_autoptr(GPtrArray) vectors = am_test_load_vectors ();

  for (guint i = 0; i < vectors->len; i++)
    {
      JsonObject *v = g_ptr_array_index (vectors, i);
      JsonArray *entries = am_test_vector_entries (v);
      g_autoptr(GString) input = g_string_new (NULL);
      g_autoptr(GString) expected = g_string_new (NULL);
      g_autofree char *kv = int_string (v, "kv");
      g_autofree char *q = int_string (v, "q_offset_s");
      g_autofree char *digits = int_string (v, "digits");
      g_auto(AmTestRun) run = { 0 };

      /* The key's line first, then the entries. */
      g_string_append_printf (input, "%s\n", json_object_get_string_member (v, "k_lock_hex"));
      for (guint j = 0; j < json_array_get_length (entries); j++)
        {
          JsonObject *e = json_array_get_object_element (entries, j);

          g_string_append_printf (input, "%" G_GINT64_FORMAT " %s\n",
                                  json_object_get_int_member (e, "now_utc"),
                                  json_object_get_string_member (e, "entered"));
          g_string_append_printf (expected, "%s\n", json_object_get_string_member (e, "expect"));
        }

      RUN (&run, input->str, "passcode", "check", "--key-stdin",
           "--lock-id", json_object_get_string_member (v, "lock_id"),
           "--kv", kv, "--q-offset", q, "--digits", digits);
      g_assert_cmpstr (run.err, ==, "");
      g_assert_cmpint (run.status, ==, 0);
      g_assert_cmpstr (run.out, ==, expected->str);
    }
}

#define LOCK "--key-stdin", "--lock-id", AM_TEST_LOCK_ID

static void
test_refusals (void)
{
  static const struct {
    const char *start, *end;
    gboolean one_time;
    const char *words;
  } cases[] = {
    { "2025-03-10T15:00:00Z", "2025-03-10T14:00:00Z", FALSE, "ends before it starts" },
    { "2025-03-10T15:00:00Z", "2025-03-10T15:59:59Z", FALSE, "shorter than one hour" },
    { "2025-03-10T15:00:00Z", "2025-11-21T15:00:01Z", FALSE, "256 days" },
    { "2025-03-10T15:00:00Z", "2025-03-11T15:00:01Z", TRUE, "at most 24 hours" },
    { "2025-03-10T15:00:00", "2025-03-10T18:00:00Z", FALSE, "UTC offset" },
    { "1969-03-10T15:00:00Z", "2025-03-10T18:00:00Z", FALSE, "before 1970" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(AmTestRun) run = { 0 };

      if (cases[i].one_time)
        RUN (&run, KEY_LINE, "passcode", "derive", LOCK, "--start", cases[i].start, "--end", cases[i].end, "--one-time");
      else
        RUN (&run, KEY_LINE, "passcode", "derive", LOCK, "--start", cases[i].start, "--end", cases[i].end);
      am_test_assert_cli_error (&run, cases[i].words);
    }
}

#define WINDOW "--start-h", "483783", "--p", "2"

static void
test_bad_arguments (void)
{
  static const struct {
    const char *input;
    const char *args[14];
    const char *words;
  } cases[] = {
    { "00\n", { "passcode", "derive", LOCK, WINDOW, NULL }, "64 hexadecimal digits" },
    { AM_TEST_KEY_HEX "00\n", { "passcode", "derive", LOCK, WINDOW, NULL }, "64 hexadecimal digits" },
    { "", { "passcode", "derive", LOCK, WINDOW, NULL }, "No lock key came on standard input" },
    { "\n" KEY_LINE, { "passcode", "derive", LOCK, WINDOW, NULL }, "64 hexadecimal digits" },
    { KEY_LINE, { "passcode", "derive", "--key-stdin", "--lock-id", "not-a-uuid", WINDOW, NULL }, NULL },
    { KEY_LINE, { "passcode", "derive", "--lock-id", AM_TEST_LOCK_ID, WINDOW, NULL }, "--key-stdin" },
    { KEY_LINE, { "passcode", "derive", "--key-stdin", WINDOW, NULL }, "--lock-id" },
    { KEY_LINE, { "passcode", "derive", LOCK, "--start-h", "483783", NULL }, NULL },
    { KEY_LINE, { "passcode", "derive", LOCK, "--start-h", "483783", "--p", "925", NULL }, NULL },
    { KEY_LINE, { "passcode", "derive", LOCK, WINDOW, "--start", "2025-03-10T15:00:00Z", NULL }, NULL },
    { KEY_LINE, { "passcode", "derive", LOCK, WINDOW, "--one-time", NULL }, NULL },
    { KEY_LINE, { "passcode", "derive", LOCK, WINDOW, "--digits", "11", NULL }, NULL },
    { KEY_LINE, { "passcode", "derive", LOCK, WINDOW, "--kv", "256", NULL }, NULL },
    { KEY_LINE, { "passcode", "derive", LOCK, WINDOW, "--kv", "0", NULL }, NULL },
    { KEY_LINE, { "passcode", "derive", LOCK, WINDOW, "--q-offset", "60", NULL }, NULL },
    { KEY_LINE, { "passcode", "derive", LOCK, WINDOW, "--bogus", NULL }, NULL },
    { KEY_LINE, { "passcode", "check", "--lock-id", AM_TEST_LOCK_ID, NULL }, "--key-stdin" },
    { "", { "passcode", "check", LOCK, NULL }, "No lock key came on standard input" },
    { "", { "passcode", "frobnicate", NULL }, NULL },
    { "", { "frobnicate", NULL }, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(AmTestRun) run = { 0 };

      am_test_run_cli (&run, cases[i].input, NULL, cases[i].args);
      am_test_assert_cli_error (&run, cases[i].words);
    }
}

/* A lock key given on the command line, where any user of the machine can
 * read it, is refused with what to do instead; no code comes out, even
 * when the key is right and also on standard input. */
static void
test_key_on_command_line_refused (void)
{
  static const char * const cases[][12] = {
    { "passcode", "derive", "--key", AM_TEST_KEY_HEX, "--lock-id", AM_TEST_LOCK_ID, WINDOW, NULL },
    { "passcode", "derive", "--key=" AM_TEST_KEY_HEX, "--lock-id", AM_TEST_LOCK_ID, WINDOW, NULL },
    { "passcode", "derive", "--key-stdin", "--key", AM_TEST_KEY_HEX, "--lock-id", AM_TEST_LOCK_ID, WINDOW, NULL },
    { "passcode", "derive", "--key", "-", "--lock-id", AM_TEST_LOCK_ID, WINDOW, NULL },
    { "passcode", "check", "--key", AM_TEST_KEY_HEX, "--lock-id", AM_TEST_LOCK_ID, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(AmTestRun) run = { 0 };

      am_test_run_cli (&run, KEY_LINE "1741618200 5087896002\n", NULL, cases[i]);
      am_test_assert_cli_error (&run, "can read a lock key on the command line: "
                                      "pipe the key on standard input with --key-stdin instead");
    }
}

/* The key as scripts pipe it: with or without a newline, from a file
 * written on Windows, padded with spaces, in capitals. The spec's code
 * each time. */
static void
test_key_on_stdin_as_piped (void)
{
  static const char * const inputs[] = {
    AM_TEST_KEY_HEX "\n",
    AM_TEST_KEY_HEX,
    AM_TEST_KEY_HEX "\r\n",
    "  " AM_TEST_KEY_HEX " \t\n",
    "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\n",
    AM_TEST_KEY_HEX "\nwhat follows the key's line is not read\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_auto(AmTestRun) run = { 0 };

      RUN (&run, inputs[i], "passcode", "derive", LOCK, WINDOW);
      g_assert_cmpstr (run.err, ==, "");
      g_assert_cmpint (run.status, ==, 0);
      g_assert_cmpstr (run.out, ==, "5087896002\n");
    }
}

static void
test_derive_refuses_aliased_code (void)
{
  g_auto(AmTestRun) run = { 0 };

  RUN (&run, KEY_LINE, "passcode", "derive", LOCK, "--start-h", "906583", "--p", "2");
  am_test_assert_cli_error (&run, "one hour shorter");
}

static void
test_check_bad_line (void)
{
  g_auto(AmTestRun) run = { 0 };

  RUN (&run, KEY_LINE "1741618200 5087896002\nyesterday 5087896002\n", "passcode", "check", LOCK);
  g_assert_cmpint (run.status, ==, 2);
  /* The lines before the bad one were played; lines count from the key's. */
  g_assert_cmpstr (run.out, ==, "OPEN\n");
  g_assert_nonnull (strstr (run.err, "Line 3"));
}

static void
test_help (void)
{
  g_auto(AmTestRun) run = { 0 };
  g_auto(AmTestRun) derive = { 0 };

  RUN (&run, NULL, "--help");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "passcode"));

  RUN (&derive, NULL, "passcode", "derive", "--help");
  g_assert_cmpint (derive.status, ==, 0);
  g_assert_nonnull (strstr (derive.out, "--one-time"));
  g_assert_nonnull (strstr (derive.out, "--lock-id"));
  /* The key's option reads standard input; none takes its value. */
  g_assert_nonnull (strstr (derive.out, "--key-stdin"));
  g_assert_null (strstr (derive.out, "--key="));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/derive/vectors-by-hour", test_derive_vectors_by_hour);
  g_test_add_func ("/cli/derive/vectors-by-time-json", test_derive_vectors_by_time_json);
  g_test_add_func ("/cli/derive/refuses-aliased-code", test_derive_refuses_aliased_code);
  g_test_add_func ("/cli/derive/refusals", test_refusals);
  g_test_add_func ("/cli/errors/bad-arguments", test_bad_arguments);
  g_test_add_func ("/cli/key/on-command-line-refused", test_key_on_command_line_refused);
  g_test_add_func ("/cli/key/on-stdin-as-scripts-pipe-it", test_key_on_stdin_as_piped);
  g_test_add_func ("/cli/check/vectors", test_check_vectors);
  g_test_add_func ("/cli/check/bad-line", test_check_bad_line);
  g_test_add_func ("/cli/help", test_help);

  return g_test_run ();
}
