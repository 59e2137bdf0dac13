/* test-cli-cache.c: access-manager-cli properties | locks | passcodes over a filled cache
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "am-cloud-json.h"
#include "am-test-cli.h"
#include "am-test-records.h"
#include "am-test-vectors.h"

#define T0 G_GINT64_CONSTANT (1741618800)  /* 2025-03-10T15:00:00Z */
#define H0 483783                          /* T0 in hours */

#define DASH "—"

/* A cache as a sync left it: three properties, five locks, passcodes on
 * three of them in three time zones. */
typedef struct
{
  char             *dir;         /* the cache's folder, for --data-dir */
  AmProperty       *alder;       /* Austin, America/Chicago */
  AmProperty       *aurora;      /* São Paulo, America/Sao_Paulo */
  AmProperty       *lotus;       /* Bengaluru, Asia/Kolkata */
  AmLock           *back_door;   /* Alder Court: unit, no battery, no mode */
  AmLock           *front_door;  /* Alder Court: no unit */
  AmLock           *portaria;    /* Edifício Aurora: resident */
  AmLock           *seimon;      /* Edifício Aurora: 正門, two columns a character */
  AmLock           *main_gate;   /* Lotus Residency */
  GPtrArray        *portaria_codes;  /* newest first */
  AmPasscodeRecord *front_code;
  AmPasscodeRecord *gate_code;
} Fixture;

#define RUN_ENV(run, xdg, ...) am_test_run_cli (run, NULL, xdg, (const char * const []) { __VA_ARGS__, NULL })
#define RUN(run, f, ...) RUN_ENV (run, NULL, "--data-dir", (f)->dir, __VA_ARGS__)

/* Exit status 0, nothing on stderr. */
static void
assert_ok (AmTestRun *run)
{
  g_assert_cmpstr (run->err, ==, "");
  g_assert_cmpint (run->status, ==, 0);
}

/* The lines of @out, which ends with a newline. */
static GStrv
lines_of (const char *out)
{
  g_auto(GStrv) lines = NULL;
  guint n;

  g_assert_true (g_str_has_suffix (out, "\n"));
  lines = g_strsplit (out, "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpstr (lines[n - 1], ==, "");
  g_clear_pointer (&lines[n - 1], g_free);
  return g_steal_pointer (&lines);
}

/* g_strv_builder_take() is GLib 2.80. */
static void
take (GStrvBuilder *builder,
      char         *text)
{
  g_strv_builder_add (builder, text);
  g_free (text);
}

static gsize
display_width (const char *text,
               const char *end)
{
  gsize width = 0;

  for (const char *c = text; c < end && *c != '\0'; c = g_utf8_next_char (c))
    {
      gunichar ch = g_utf8_get_char (c);
      if (!g_unichar_iszerowidth (ch))
        width += g_unichar_iswide (ch) ? 2 : 1;
    }
  return width;
}

/* The cells of a table's line (separated by two spaces or more), and the
 * terminal column at which each starts. */
static GStrv
cells_of (const char *line,
          GArray     *starts)
{
  g_autoptr(GStrvBuilder) cells = g_strv_builder_new ();
  const char *c = line;

  g_assert_false (g_str_has_suffix (line, " "));
  g_array_set_size (starts, 0);
  while (*c != '\0')
    {
      const char *end = strstr (c, "  ");
      gsize column = display_width (line, c);

      if (end == NULL)
        end = c + strlen (c);
      g_array_append_val (starts, column);
      take (cells, g_strndup (c, (gsize) (end - c)));
      c = end;
      while (*c == ' ')
        c++;
    }
  return g_strv_builder_end (cells);
}

/* Checks a table: every row's cells as @expected says (the header
 * first), each column starting at the same terminal column. */
static void
assert_table (const char          *out,
              const char * const **expected,
              guint                n_rows)
{
  g_auto(GStrv) lines = lines_of (out);
  g_autoptr(GArray) header_starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gsize));

  g_assert_cmpuint (g_strv_length (lines), ==, n_rows);
  for (guint r = 0; r < n_rows; r++)
    {
      g_auto(GStrv) cells = cells_of (lines[r], r == 0 ? header_starts : starts);

      g_assert_cmpstrv (cells, expected[r]);
      if (r > 0)
        for (guint i = 0; i < starts->len; i++)
          g_assert_cmpuint (g_array_index (starts, gsize, i), ==, g_array_index (header_starts, gsize, i));
    }
}

/* What a time reads as on a clock in @zone_id, as GLib's zone database says. */
static char *
local_time (gint64      utc,
            const char *zone_id)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (zone_id);
  g_autoptr(GDateTime) instant = g_date_time_new_from_unix_utc (utc);
  g_autoptr(GDateTime) local = NULL;

  g_assert_nonnull (zone);
  local = g_date_time_to_timezone (instant, zone);
  return g_date_time_format (local, "%Y-%m-%d %H:%M %Z");
}

/* Whether this system has the zone database the expectations come from. */
static gboolean
have_zones (void)
{
  static const char * const ids[] = { "America/Sao_Paulo", "America/Chicago", "Asia/Kolkata" };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (ids[i]);
      if (zone == NULL)
        {
          g_test_skip ("This system has no time zone database.");
          return FALSE;
        }
    }
  return TRUE;
}

static void
fill_cache (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "cache.sqlite", NULL);
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(AmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  AmPasscodeRecord *code;

  f->alder = am_test_property ("Alder Court", "12 Alder St", "Austin", "America/Chicago");
  f->aurora = am_test_property ("Edifício Aurora", "Rua Augusta 100", "São Paulo", "America/Sao_Paulo");
  f->lotus = am_test_property ("Lotus Residency", "4 MG Road", "Bengaluru", "Asia/Kolkata");

  f->back_door = am_test_lock (f->alder, "Back Door", "2B");
  f->back_door->battery = -1;
  f->back_door->battery_at = 0;
  g_clear_pointer (&f->back_door->mode, g_free);
  f->front_door = am_test_lock (f->alder, "Front Door", NULL);
  f->portaria = am_test_lock (f->aurora, "Portaria", "101");
  g_free (f->portaria->mode);
  f->portaria->mode = g_strdup (AM_LOCK_MODE_RESIDENT);
  f->seimon = am_test_lock (f->aurora, "正門", NULL);
  f->main_gate = am_test_lock (f->lotus, "Main Gate", NULL);

  /* Portaria's, newest first: scheduled, revoked, used, expired. */
  f->portaria_codes = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (f->portaria_codes, am_test_passcode (f->portaria, (guint32) (now / 3600 + 48), 2, T0 + 3 * 3600));
  code = am_test_passcode (f->portaria, H0 + 48, 2, T0 + 2 * 3600);
  code->revoked_at = T0 + 2 * 3600 + 600;
  code->revoked_by_id = g_strdup (code->created_by_id);
  code->revoked_by_name = g_strdup (code->created_by_name);
  g_ptr_array_add (f->portaria_codes, code);
  code = am_test_passcode (f->portaria, H0 + 24, 23, T0 + 3600);
  g_clear_pointer (&code->recipient_name, g_free);
  g_clear_pointer (&code->recipient_contact, g_free);
  code->first_used_at = T0 + 25 * 3600;
  code->last_used_at = T0 + 30 * 3600;
  code->use_count = 2;
  g_ptr_array_add (f->portaria_codes, code);
  g_ptr_array_add (f->portaria_codes, am_test_passcode (f->portaria, H0, 2, T0));

  f->front_code = am_test_passcode (f->front_door, H0, 2, T0);
  f->gate_code = am_test_passcode (f->main_gate, H0, 2, T0);

  g_ptr_array_add (page->properties, g_object_ref (f->alder));
  g_ptr_array_add (page->properties, g_object_ref (f->aurora));
  g_ptr_array_add (page->properties, g_object_ref (f->lotus));
  g_ptr_array_add (page->locks, g_object_ref (f->back_door));
  g_ptr_array_add (page->locks, g_object_ref (f->front_door));
  g_ptr_array_add (page->locks, g_object_ref (f->portaria));
  g_ptr_array_add (page->locks, g_object_ref (f->seimon));
  g_ptr_array_add (page->locks, g_object_ref (f->main_gate));
  for (guint i = 0; i < f->portaria_codes->len; i++)
    g_ptr_array_add (page->passcodes, g_object_ref (g_ptr_array_index (f->portaria_codes, i)));
  g_ptr_array_add (page->passcodes, g_object_ref (f->front_code));
  g_ptr_array_add (page->passcodes, g_object_ref (f->gate_code));

  store = am_store_open (path, &error);
  g_assert_no_error (error);
  am_test_apply (store, page);
  /* Closed before the CLI opens it, as after the app quit. */
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  /* A folder that is not the default one, …/xdg-data/access-manager, so
   * that XDG_DATA_HOME=…/xdg-data makes it the default. */
  f->dir = g_build_filename (g_get_user_cache_dir (), "xdg-data", "access-manager", NULL);
  fill_cache (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->alder);
  g_clear_object (&f->aurora);
  g_clear_object (&f->lotus);
  g_clear_object (&f->back_door);
  g_clear_object (&f->front_door);
  g_clear_object (&f->portaria);
  g_clear_object (&f->seimon);
  g_clear_object (&f->main_gate);
  g_clear_pointer (&f->portaria_codes, g_ptr_array_unref);
  g_clear_object (&f->front_code);
  g_clear_object (&f->gate_code);
  g_clear_pointer (&f->dir, g_free);
}

/* The JSON array of @out, one line. */
static JsonArray *
json_array_of (const char *out)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_assert_true (g_str_has_suffix (out, "\n"));
  g_assert_cmpuint (am_test_count_lines (out), ==, 1);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  return json_array_ref (json_node_get_array (root));
}

static void
test_properties_table_in_name_order (Fixture       *f,
                                     gconstpointer  data)
{
  g_auto(AmTestRun) run = { 0 };
  g_autofree char *expected = NULL;

  RUN (&run, f, "properties");
  assert_ok (&run);

  /* Widths: NAME 15, CITY 9 (“São Paulo” is nine characters), TIME ZONE 17, LOCKS 5. */
  expected = g_strdup_printf (
    "NAME             CITY       TIME ZONE          LOCKS  ID\n"
    "Alder Court      Austin     America/Chicago    2      %s\n"
    "Edifício Aurora  São Paulo  America/Sao_Paulo  2      %s\n"
    "Lotus Residency  Bengaluru  Asia/Kolkata       1      %s\n",
    am_property_get_id (f->alder), am_property_get_id (f->aurora), am_property_get_id (f->lotus));
  g_assert_cmpstr (run.out, ==, expected);
}

static void
test_properties_search_ignores_accents (Fixture       *f,
                                        gconstpointer  data)
{
  g_auto(AmTestRun) run = { 0 };
  g_auto(AmTestRun) none = { 0 };
  g_auto(AmTestRun) json = { 0 };
  g_autoptr(JsonArray) array = NULL;
  g_autoptr(AmProperty) found = NULL;
  g_auto(GStrv) lines = NULL;

  RUN (&run, f, "properties", "--search", "sao");
  assert_ok (&run);
  lines = lines_of (run.out);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_true (g_str_has_prefix (lines[0], "NAME"));
  g_assert_true (g_str_has_prefix (lines[1], "Edifício Aurora  São Paulo  America/Sao_Paulo  2  "));
  g_assert_true (g_str_has_suffix (lines[1], am_property_get_id (f->aurora)));

  RUN (&json, f, "properties", "--search", "SÃO pau", "--json");
  assert_ok (&json);
  array = json_array_of (json.out);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  found = am_property_from_json (json_array_get_object_element (array, 0), NULL);
  g_assert_nonnull (found);
  g_assert_true (am_property_equal (found, f->aurora));

  RUN (&none, f, "properties", "--search", "Lisboa");
  assert_ok (&none);
  g_assert_cmpstr (none.out, ==, "No properties match “Lisboa”.\n");
}

static void
test_properties_json_equals_records (Fixture       *f,
                                     gconstpointer  data)
{
  AmProperty *expected[] = { f->alder, f->aurora, f->lotus };
  g_auto(AmTestRun) run = { 0 };
  g_autoptr(JsonArray) array = NULL;

  RUN (&run, f, "properties", "--json");
  assert_ok (&run);
  array = json_array_of (run.out);
  g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AmProperty) property = am_property_from_json (json_array_get_object_element (array, i), &error);

      g_assert_no_error (error);
      g_assert_true (am_property_equal (property, expected[i]));
    }
}

static void
test_locks_table_by_property_then_name (Fixture       *f,
                                        gconstpointer  data)
{
  g_auto(AmTestRun) run = { 0 };
  g_autofree char *expected = NULL;

  RUN (&run, f, "locks");
  assert_ok (&run);

  /* Widths: PROPERTY 15, NAME 10, UNIT 4, BATTERY 7, MODE 8; “正門” takes
   * four columns of a terminal, so six spaces pad it to ten. */
  expected = g_strdup_printf (
    "PROPERTY         NAME        UNIT  BATTERY  MODE      ID\n"
    "Alder Court      Back Door   2B    " DASH "        " DASH "         %s\n"
    "Alder Court      Front Door  " DASH "     87 %%     tour      %s\n"
    "Edifício Aurora  Portaria    101   87 %%     resident  %s\n"
    "Edifício Aurora  正門        " DASH "     87 %%     tour      %s\n"
    "Lotus Residency  Main Gate   " DASH "     87 %%     tour      %s\n",
    am_lock_get_id (f->back_door), am_lock_get_id (f->front_door), am_lock_get_id (f->portaria),
    am_lock_get_id (f->seimon), am_lock_get_id (f->main_gate));
  g_assert_cmpstr (run.out, ==, expected);
}

static void
test_locks_of_one_property (Fixture       *f,
                            gconstpointer  data)
{
  g_auto(AmTestRun) run = { 0 };
  g_auto(AmTestRun) json = { 0 };
  g_autoptr(JsonArray) array = NULL;
  g_auto(GStrv) lines = NULL;
  AmLock *expected[] = { f->portaria, f->seimon };

  RUN (&run, f, "locks", "--property", am_property_get_id (f->aurora));
  assert_ok (&run);
  lines = lines_of (run.out);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_true (g_str_has_prefix (lines[1], "Edifício Aurora  Portaria  "));
  g_assert_true (g_str_has_suffix (lines[1], am_lock_get_id (f->portaria)));
  g_assert_true (g_str_has_prefix (lines[2], "Edifício Aurora  正門  "));
  g_assert_true (g_str_has_suffix (lines[2], am_lock_get_id (f->seimon)));

  RUN (&json, f, "locks", "--property", am_property_get_id (f->aurora), "--json");
  assert_ok (&json);
  array = json_array_of (json.out);
  g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(AmLock) lock = am_lock_from_json (json_array_get_object_element (array, i), NULL);
      g_assert_nonnull (lock);
      g_assert_true (am_lock_equal (lock, expected[i]));
    }
}

static void
test_locks_json_equals_records (Fixture       *f,
                                gconstpointer  data)
{
  AmLock *expected[] = { f->back_door, f->front_door, f->portaria, f->seimon, f->main_gate };
  g_auto(AmTestRun) run = { 0 };
  g_autoptr(JsonArray) array = NULL;

  RUN (&run, f, "locks", "--json");
  assert_ok (&run);
  array = json_array_of (run.out);
  g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AmLock) lock = am_lock_from_json (json_array_get_object_element (array, i), &error);

      g_assert_no_error (error);
      g_assert_true (am_lock_equal (lock, expected[i]));
    }
}

static void
test_locks_unknown_property_exits_2 (Fixture       *f,
                                     gconstpointer  data)
{
  g_auto(AmTestRun) run = { 0 };

  RUN (&run, f, "locks", "--property", "00000000-0000-4000-8000-000000000000");
  am_test_assert_cli_error (&run, "No property with the id “00000000-0000-4000-8000-000000000000”");
}

/* The expected row of a passcode, its times as @zone_id's clock shows them. */
static GStrv
passcode_row (AmPasscodeRecord *record,
              const char       *zone_id,
              gint64            now)
{
  g_autoptr(GStrvBuilder) row = g_strv_builder_new ();
  const char *recipient = am_passcode_record_get_recipient_name (record);

  take (row, local_time (am_passcode_record_get_created_at (record), zone_id));
  g_strv_builder_add (row, am_passcode_record_get_created_by_name (record));
  g_strv_builder_add (row, recipient != NULL ? recipient : DASH);
  take (row, local_time (am_passcode_record_get_starts_at (record), zone_id));
  take (row, local_time (am_passcode_record_get_ends_at (record), zone_id));
  g_strv_builder_add (row, am_passcode_status_to_string (am_passcode_record_get_status (record, now)));
  take (row, g_strdup_printf ("%u", am_passcode_record_get_use_count (record)));
  g_strv_builder_add (row, am_passcode_record_get_id (record));
  return g_strv_builder_end (row);
}

static void
assert_passcode_table (const char       *out,
                       GPtrArray        *records,
                       const char       *zone_id)
{
  static const char * const header[] = {
    "CREATED", "ISSUER", "RECIPIENT", "STARTS", "ENDS", "STATUS", "USES", "ID", NULL
  };
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_ptr_array_add (rows, g_strdupv ((GStrv) header));
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (rows, passcode_row (g_ptr_array_index (records, i), zone_id, now));
  assert_table (out, (const char * const **) rows->pdata, rows->len);
}

static void
test_passcodes_table_newest_first_in_local_time (Fixture       *f,
                                                 gconstpointer  data)
{
  g_auto(AmTestRun) run = { 0 };
  g_autofree char *created = NULL;
  g_auto(GStrv) lines = NULL;
  const char *expected_status[] = { "scheduled", "revoked", "used", "expired" };

  if (!have_zones ())
    return;

  RUN (&run, f, "passcodes", "--lock", am_lock_get_id (f->portaria));
  assert_ok (&run);
  assert_passcode_table (run.out, f->portaria_codes, "America/Sao_Paulo");
  created = local_time (T0, "America/Sao_Paulo");

  /* What a user in São Paulo reads: noon, not 15:00 UTC. */
  g_assert_true (g_str_has_prefix (created, "2025-03-10 12:00 "));
  lines = lines_of (run.out);
  g_assert_true (g_str_has_prefix (lines[4], created));
  for (guint i = 0; i < G_N_ELEMENTS (expected_status); i++)
    g_assert_nonnull (strstr (lines[i + 1], expected_status[i]));
  /* The used one has no recipient. */
  g_assert_nonnull (strstr (lines[3], "  " DASH "  "));
}

static void
test_passcodes_in_each_property_zone (Fixture       *f,
                                      gconstpointer  data)
{
  g_auto(AmTestRun) chicago = { 0 };
  g_auto(AmTestRun) kolkata = { 0 };
  g_autoptr(GPtrArray) front = g_ptr_array_new ();
  g_autoptr(GPtrArray) gate = g_ptr_array_new ();
  g_autofree char *in_chicago = NULL;
  g_autofree char *in_kolkata = NULL;

  if (!have_zones ())
    return;
  in_chicago = local_time (T0, "America/Chicago");
  in_kolkata = local_time (T0, "Asia/Kolkata");

  g_ptr_array_add (front, f->front_code);
  g_ptr_array_add (gate, f->gate_code);

  RUN (&chicago, f, "passcodes", "--lock", am_lock_get_id (f->front_door));
  assert_ok (&chicago);
  assert_passcode_table (chicago.out, front, "America/Chicago");
  g_assert_true (g_str_has_prefix (in_chicago, "2025-03-10 10:00 "));

  RUN (&kolkata, f, "passcodes", "--lock", am_lock_get_id (f->main_gate));
  assert_ok (&kolkata);
  assert_passcode_table (kolkata.out, gate, "Asia/Kolkata");
  g_assert_true (g_str_has_prefix (in_kolkata, "2025-03-10 20:30 "));
}

/* A zone this system does not know: the times in UTC rather than none. */
static void
test_passcodes_unknown_zone_in_utc (Fixture       *f,
                                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "cache.sqlite", NULL);
  g_autoptr(AmProperty) property = am_test_property ("Base Olympus", "1 Crater Rd", "Tharsis", "Mars/Olympus_Mons");
  g_autoptr(AmLock) lock = am_test_lock (property, "Airlock", NULL);
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_auto(AmTestRun) run = { 0 };
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (codes, am_test_passcode (lock, H0, 2, T0));
  g_ptr_array_add (page->properties, g_object_ref (property));
  g_ptr_array_add (page->locks, g_object_ref (lock));
  g_ptr_array_add (page->passcodes, g_object_ref (g_ptr_array_index (codes, 0)));
  {
    g_autoptr(AmStore) store = am_store_open (path, &error);
    g_assert_no_error (error);
    am_test_apply (store, page);
  }

  RUN (&run, f, "passcodes", "--lock", am_lock_get_id (lock));
  assert_ok (&run);
  assert_passcode_table (run.out, codes, "UTC");
  g_assert_nonnull (strstr (run.out, "2025-03-10 15:00 UTC"));
}

static void
test_passcodes_json_equals_records (Fixture       *f,
                                    gconstpointer  data)
{
  g_auto(AmTestRun) run = { 0 };
  g_autoptr(JsonArray) array = NULL;

  RUN (&run, f, "passcodes", "--lock", am_lock_get_id (f->portaria), "--json");
  assert_ok (&run);
  array = json_array_of (run.out);
  g_assert_cmpuint (json_array_get_length (array), ==, f->portaria_codes->len);
  for (guint i = 0; i < f->portaria_codes->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AmPasscodeRecord) record =
        am_passcode_record_from_json (json_array_get_object_element (array, i), &error);

      g_assert_no_error (error);
      g_assert_true (am_passcode_record_equal (record, g_ptr_array_index (f->portaria_codes, i)));
    }
}

static void
test_passcodes_unknown_lock_exits_2 (Fixture       *f,
                                     gconstpointer  data)
{
  g_auto(AmTestRun) run = { 0 };
  g_auto(AmTestRun) missing = { 0 };

  RUN (&run, f, "passcodes", "--lock", "00000000-0000-4000-8000-000000000000");
  am_test_assert_cli_error (&run, "No lock with the id “00000000-0000-4000-8000-000000000000” is in the local cache");

  RUN (&missing, f, "passcodes");
  am_test_assert_cli_error (&missing, "--lock");
}

static void
test_passcodes_lock_without_any_says_so (Fixture       *f,
                                         gconstpointer  data)
{
  g_auto(AmTestRun) run = { 0 };
  g_auto(AmTestRun) json = { 0 };

  RUN (&run, f, "passcodes", "--lock", am_lock_get_id (f->seimon));
  assert_ok (&run);
  g_assert_cmpstr (run.out, ==, "This lock has no passcodes.\n");

  RUN (&json, f, "passcodes", "--lock", am_lock_get_id (f->seimon), "--json");
  assert_ok (&json);
  g_assert_cmpstr (json.out, ==, "[]\n");
}

/* The cache holds no digits, and nothing shows any: no run of ten digits
 * (the shortest code) anywhere but inside a record's id. */
static void
test_passcodes_show_no_code_digits (Fixture       *f,
                                    gconstpointer  data)
{
  AmLock *locks[] = { f->portaria, f->front_door, f->main_gate };
  g_autoptr(GRegex) code = g_regex_new ("[0-9]{10}", 0, 0, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (locks); i++)
    for (guint json = 0; json < 2; json++)
      {
        g_auto(AmTestRun) run = { 0 };
        g_autoptr(GString) out = NULL;

        if (json)
          RUN (&run, f, "passcodes", "--lock", am_lock_get_id (locks[i]), "--json");
        else
          RUN (&run, f, "passcodes", "--lock", am_lock_get_id (locks[i]));
        assert_ok (&run);

        /* Random UUIDs may hold ten decimal digits in a row by chance. */
        out = g_string_new (run.out);
        for (guint j = 0; j < f->portaria_codes->len; j++)
          {
            AmPasscodeRecord *record = g_ptr_array_index (f->portaria_codes, j);
            g_string_replace (out, am_passcode_record_get_id (record), "<id>", 0);
            g_string_replace (out, am_passcode_record_get_created_by_id (record), "<id>", 0);
            if (am_passcode_record_get_revoked_by_id (record) != NULL)
              g_string_replace (out, am_passcode_record_get_revoked_by_id (record), "<id>", 0);
          }
        g_string_replace (out, am_passcode_record_get_id (f->front_code), "<id>", 0);
        g_string_replace (out, am_passcode_record_get_created_by_id (f->front_code), "<id>", 0);
        g_string_replace (out, am_passcode_record_get_id (f->gate_code), "<id>", 0);
        g_string_replace (out, am_passcode_record_get_created_by_id (f->gate_code), "<id>", 0);
        g_string_replace (out, am_lock_get_id (locks[i]), "<id>", 0);

        if (g_regex_match (code, out->str, 0, NULL))
          g_error ("Ten digits in a row in: %s", out->str);
      }
}

/* Without --data-dir, the cache of $XDG_DATA_HOME/access-manager. */
static void
test_default_data_dir_is_xdg_data_home (Fixture       *f,
                                        gconstpointer  data)
{
  g_autofree char *xdg_data_home = g_path_get_dirname (f->dir);
  g_auto(AmTestRun) run = { 0 };
  g_auto(AmTestRun) elsewhere = { 0 };
  g_autofree char *empty = g_build_filename (g_get_user_cache_dir (), "empty-xdg-data", NULL);
  g_autofree char *would_be = g_build_filename (empty, "access-manager", NULL);

  RUN_ENV (&run, xdg_data_home, "properties", "--search", "lotus");
  assert_ok (&run);
  g_assert_cmpuint (am_test_count_lines (run.out), ==, 2);
  g_assert_nonnull (strstr (run.out, am_property_get_id (f->lotus)));

  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
  RUN_ENV (&elsewhere, empty, "properties");
  am_test_assert_cli_error (&elsewhere, would_be);
  g_assert_false (g_file_test (would_be, G_FILE_TEST_EXISTS));
}

static void
test_data_dir_with_equals_sign (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *option = g_strconcat ("--data-dir=", f->dir, NULL);
  g_auto(AmTestRun) run = { 0 };
  g_auto(AmTestRun) empty = { 0 };

  RUN_ENV (&run, NULL, option, "locks", "--property", am_property_get_id (f->lotus));
  assert_ok (&run);
  g_assert_cmpuint (am_test_count_lines (run.out), ==, 2);
  g_assert_nonnull (strstr (run.out, "\nLotus Residency  Main Gate  "));
  g_assert_nonnull (strstr (run.out, am_lock_get_id (f->main_gate)));

  RUN_ENV (&empty, NULL, "--data-dir=", "locks");
  am_test_assert_cli_error (&empty, "--data-dir");
}

/* No cache there: exit 2, one sentence, and no cache made. */
static void
test_missing_cache_exits_2_and_creates_nothing (void)
{
  g_autofree char *parent = g_build_filename (g_get_user_cache_dir (), "empty", NULL);
  g_autofree char *absent = g_build_filename (g_get_user_cache_dir (), "absent", NULL);
  g_autofree char *file = g_build_filename (parent, "cache.sqlite", NULL);
  const char *commands[][4] = {
    { "properties", NULL },
    { "locks", "--json", NULL },
    { "passcodes", "--lock", "00000000-0000-4000-8000-000000000000", NULL },
  };

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(AmTestRun) in_empty = { 0 };
      g_auto(AmTestRun) in_absent = { 0 };

      RUN_ENV (&in_empty, NULL, "--data-dir", parent, commands[i][0], commands[i][1], commands[i][2]);
      am_test_assert_cli_error (&in_empty, "There is no local cache in");
      g_assert_nonnull (strstr (in_empty.err, parent));
      g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

      RUN_ENV (&in_absent, NULL, "--data-dir", absent, commands[i][0], commands[i][1], commands[i][2]);
      am_test_assert_cli_error (&in_absent, "Sign in and sync first");
      g_assert_false (g_file_test (absent, G_FILE_TEST_EXISTS));
    }
}

/* A file that is not a database: the store sets it aside and starts
 * afresh; the CLI says so and shows the empty cache. */
static void
test_damaged_cache_notice_then_empty (void)
{
  static const char garbage[] = "This is not an SQLite database, just bytes that were left here.";

  for (guint json = 0; json < 2; json++)
    {
      g_autofree char *name = g_strdup_printf ("damaged-%u", json);
      g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), name, NULL);
      g_autofree char *file = g_build_filename (dir, "cache.sqlite", NULL);
      g_autoptr(GError) error = NULL;
      g_auto(AmTestRun) run = { 0 };

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_file_set_contents (file, garbage, sizeof garbage, &error);
      g_assert_no_error (error);

      if (json)
        RUN_ENV (&run, NULL, "--data-dir", dir, "properties", "--json");
      else
        RUN_ENV (&run, NULL, "--data-dir", dir, "properties");
      g_assert_cmpint (run.status, ==, 0);
      g_assert_true (g_str_has_prefix (run.err, "access-manager-cli: The local cache could not be read"));
      g_assert_cmpuint (am_test_count_lines (run.err), ==, 1);
      g_assert_cmpstr (run.out, ==, json ? "[]\n" : "No properties in the local cache.\n");
    }
}

/* passcode derive is offline: it neither needs nor makes a cache. */
static void
test_passcode_command_needs_no_cache (void)
{
  g_autofree char *absent = g_build_filename (g_get_user_cache_dir (), "absent", NULL);
  g_auto(AmTestRun) run = { 0 };

  am_test_run_cli (&run, AM_TEST_KEY_HEX "\n", NULL, (const char * const []) {
                     "--data-dir", absent, "passcode", "derive",
                     "--key-stdin", "--lock-id", AM_TEST_LOCK_ID,
                     "--start-h", "483783", "--p", "2", NULL });
  assert_ok (&run);
  g_assert_cmpuint (am_test_count_lines (run.out), ==, 1);
  g_assert_cmpuint (strlen (run.out), ==, 11);
  g_assert_false (g_file_test (absent, G_FILE_TEST_EXISTS));
}

static void
test_help_names_the_commands (void)
{
  g_auto(AmTestRun) run = { 0 };
  g_auto(AmTestRun) after = { 0 };

  RUN_ENV (&run, NULL, "--help");
  assert_ok (&run);
  g_assert_nonnull (strstr (run.out, "[--data-dir DIR]"));
  g_assert_nonnull (strstr (run.out, "properties"));
  g_assert_nonnull (strstr (run.out, "locks"));
  g_assert_nonnull (strstr (run.out, "passcodes"));

  RUN_ENV (&after, NULL, "--data-dir", "/nowhere", "passcodes", "--help");
  assert_ok (&after);
  g_assert_nonnull (strstr (after.out, "--lock"));
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("/cli/cache/properties/table-in-name-order", test_properties_table_in_name_order);
  ADD ("/cli/cache/properties/search-ignores-accents", test_properties_search_ignores_accents);
  ADD ("/cli/cache/properties/json-equals-records", test_properties_json_equals_records);
  ADD ("/cli/cache/locks/table-by-property-then-name", test_locks_table_by_property_then_name);
  ADD ("/cli/cache/locks/of-one-property", test_locks_of_one_property);
  ADD ("/cli/cache/locks/json-equals-records", test_locks_json_equals_records);
  ADD ("/cli/cache/locks/unknown-property-exits-2", test_locks_unknown_property_exits_2);
  ADD ("/cli/cache/passcodes/table-newest-first-in-local-time", test_passcodes_table_newest_first_in_local_time);
  ADD ("/cli/cache/passcodes/in-each-property-zone", test_passcodes_in_each_property_zone);
  ADD ("/cli/cache/passcodes/unknown-zone-in-utc", test_passcodes_unknown_zone_in_utc);
  ADD ("/cli/cache/passcodes/json-equals-records", test_passcodes_json_equals_records);
  ADD ("/cli/cache/passcodes/unknown-lock-exits-2", test_passcodes_unknown_lock_exits_2);
  ADD ("/cli/cache/passcodes/lock-without-any-says-so", test_passcodes_lock_without_any_says_so);
  ADD ("/cli/cache/passcodes/show-no-code-digits", test_passcodes_show_no_code_digits);
  ADD ("/cli/cache/data-dir/default-is-xdg-data-home", test_default_data_dir_is_xdg_data_home);
  ADD ("/cli/cache/data-dir/with-equals-sign", test_data_dir_with_equals_sign);
  g_test_add_func ("/cli/cache/missing-cache-exits-2-and-creates-nothing",
                   test_missing_cache_exits_2_and_creates_nothing);
  g_test_add_func ("/cli/cache/damaged-cache-notice-then-empty", test_damaged_cache_notice_then_empty);
  g_test_add_func ("/cli/cache/passcode-command-needs-no-cache", test_passcode_command_needs_no_cache);
  g_test_add_func ("/cli/cache/help-names-the-commands", test_help_names_the_commands);

  return g_test_run ();
}
