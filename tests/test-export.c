/* test-export.c: the CSV export of a lock's or a property's passcodes and log
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real cache file filled by hand; every export is parsed back by an
 * RFC 4180 reader of the test's own, and compared with what the cache holds.
 */
#include "config.h"

#include <string.h>

#include "am-error.h"
#include "am-export.h"
#include "am-store-private.h"
#include "am-test-csv.h"
#include "am-test-records.h"

#define HOUR 3600
#define T0   G_GINT64_CONSTANT (1741618800)   /* 2025-03-10T15:00:00Z */

typedef struct
{
  AmStore    *store;
  AmProperty *austin;
  AmProperty *pune;
  AmLock     *front;       /* Austin */
  AmLock     *garage;      /* Austin */
  AmLock     *gate;        /* Pune */
  GPtrArray  *front_passcodes;
  GPtrArray  *front_events;
} Fixture;

static AmPasscodeRecord *
add_passcode (AmSyncPage *page,
              AmLock     *lock,
              gint64      created_at)
{
  guint32 start_h = (guint32) (created_at / HOUR) + 1;
  AmPasscodeRecord *record = am_test_passcode (lock, start_h, 3, created_at);

  g_ptr_array_add (page->passcodes, record);
  return record;
}

static AmLockEventRecord *
add_event (AmSyncPage *page,
           AmLock     *lock,
           guint32     seq,
           const char *event,
           gint64      at)
{
  AmLockEventRecord *record = am_test_lock_event (lock, seq, event, at);

  g_ptr_array_add (page->events, record);
  return record;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = am_test_store_path ();
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  AmPasscodeRecord *tricky;

  f->store = am_store_open (path, &error);
  g_assert_no_error (error);

  f->austin = am_test_property ("Maple Street Lofts", "1200 Maple Street", "Austin", "America/Chicago");
  f->pune = am_test_property ("Koregaon Residency", "Lane 5", "Pune", "Asia/Kolkata");
  f->front = am_test_lock (f->austin, "Front Door", NULL);
  f->garage = am_test_lock (f->austin, "Garage", "12B");
  f->gate = am_test_lock (f->pune, "Gate", NULL);
  g_ptr_array_add (page->properties, g_object_ref (f->austin));
  g_ptr_array_add (page->properties, g_object_ref (f->pune));
  g_ptr_array_add (page->locks, g_object_ref (f->front));
  g_ptr_array_add (page->locks, g_object_ref (f->garage));
  g_ptr_array_add (page->locks, g_object_ref (f->gate));

  f->front_passcodes = g_ptr_array_new_with_free_func (g_object_unref);
  f->front_events = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (f->front_passcodes, g_object_ref (add_passcode (page, f->front, T0)));
  tricky = add_passcode (page, f->front, T0 + 24 * HOUR);
  g_free (tricky->recipient_name);
  tricky->recipient_name = g_strdup ("=HYPERLINK(\"http://example.com\",\"Click\")");
  g_free (tricky->note);
  tricky->note = g_strdup ("Gate code, \"blue\" door\r\nsecond line; Café ✓");
  g_ptr_array_add (f->front_passcodes, g_object_ref (tricky));
  g_ptr_array_add (f->front_passcodes, g_object_ref (add_passcode (page, f->front, T0 + 20 * 24 * HOUR)));
  add_passcode (page, f->garage, T0 + 2 * HOUR);
  add_passcode (page, f->gate, T0 + 3 * HOUR);

  g_ptr_array_add (f->front_events, g_object_ref (add_event (page, f->front, 1, "keypad_open", T0 + 2 * HOUR)));
  g_ptr_array_add (f->front_events, g_object_ref (add_event (page, f->front, 2, "keypad_reject", T0 + 30 * HOUR)));
  add_event (page, f->garage, 1, "ble_unlock", T0 + 4 * HOUR);
  add_event (page, f->gate, 1, "keypad_open", T0 + 5 * HOUR);

  am_test_apply (f->store, page);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  g_clear_object (&f->austin);
  g_clear_object (&f->pune);
  g_clear_object (&f->front);
  g_clear_object (&f->garage);
  g_clear_object (&f->gate);
  g_clear_pointer (&f->front_passcodes, g_ptr_array_unref);
  g_clear_pointer (&f->front_events, g_ptr_array_unref);
}

/* Exports and parses the file back. */
static GPtrArray *
export (Fixture    *f,
        const char *lock_id,
        const char *property_id,
        gint64      from,
        gint64      to,
        guint      *n_rows)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GPtrArray *rows;

  g_assert_true (am_export_write_csv (f->store, lock_id, property_id, from, to, out, n_rows, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_true (g_utf8_validate (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL));
  rows = am_test_csv_parse (bytes);

  /* The header first, as documented. */
  g_assert_cmpuint (rows->len, >=, 1);
  g_assert_cmpstrv ((const char * const *) g_ptr_array_index (rows, 0), am_export_columns);
  for (guint i = 1; i < rows->len; i++)
    g_assert_cmpuint (g_strv_length (g_ptr_array_index (rows, i)), ==, AM_EXPORT_N_COLUMNS);
  return rows;
}

static const char *
cell (GPtrArray  *rows,
      guint       row,
      const char *column)
{
  return am_test_csv_cell (rows, row, column);
}

/* The ids of the rows of @record ("passcode", "event") in the file's order. */
static GPtrArray *
ids_of (GPtrArray  *rows,
        const char *record,
        const char *column)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 1; i < rows->len; i++)
    if (g_str_equal (cell (rows, i, "record"), record))
      g_ptr_array_add (ids, g_strdup (cell (rows, i, column)));
  return ids;
}

static gboolean
has_id (GPtrArray  *ids,
        const char *id)
{
  return g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL);
}

/* Cells */

static void
test_cell_quoting (void)
{
  static const struct
  {
    const char *text;
    const char *cell;
  } cases[] = {
    { NULL, "" },
    { "", "" },
    { "Front Door", "Front Door" },
    { "Café ✓ Koregaon", "Café ✓ Koregaon" },
    { "a,b", "\"a,b\"" },
    { "say \"hi\"", "\"say \"\"hi\"\"\"" },
    { "two\nlines", "\"two\nlines\"" },
    { "two\r\nlines", "\"two\r\nlines\"" },
    /* Formula injection: a spreadsheet would run these. */
    { "=1+2", "'=1+2" },
    { "+1 512 555 0100", "'+1 512 555 0100" },
    { "-2+3", "'-2+3" },
    { "@SUM(A1)", "'@SUM(A1)" },
    { "\tindent", "'\tindent" },
    { "=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"" },
    /* Harmless where it is not the first character. */
    { "a=b", "a=b" },
    { "2026-03-14T09:00:00-05:00", "2026-03-14T09:00:00-05:00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *cell_text = am_export_csv_cell (cases[i].text);

      g_assert_cmpstr (cell_text, ==, cases[i].cell);
    }
}

static void
test_row_crlf (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *cells[] = { "a", NULL, "b,c" };

  am_export_csv_add_row (out, cells, G_N_ELEMENTS (cells));
  g_assert_cmpstr (out->str, ==, "a,,\"b,c\"\r\n");
}

/* A lock */

static void
test_lock_exactly (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) passcodes = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint n_rows = 0;

  rows = export (f, am_lock_get_id (f->front), NULL, 0, 0, &n_rows);
  g_assert_cmpuint (n_rows, ==, 5);
  g_assert_cmpuint (rows->len, ==, 1 + 5);

  /* Its passcodes, oldest issued first, then its log in order; nothing of
   * another lock. */
  passcodes = ids_of (rows, "passcode", "passcode_id");
  g_assert_cmpuint (passcodes->len, ==, f->front_passcodes->len);
  for (guint i = 0; i < passcodes->len; i++)
    g_assert_cmpstr (g_ptr_array_index (passcodes, i), ==,
                     am_passcode_record_get_id (g_ptr_array_index (f->front_passcodes, i)));
  events = ids_of (rows, "event", "seq");
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (events, 0), ==, "1");
  g_assert_cmpstr (g_ptr_array_index (events, 1), ==, "2");
  for (guint i = 1; i < rows->len; i++)
    {
      g_assert_cmpstr (cell (rows, i, "lock_id"), ==, am_lock_get_id (f->front));
      g_assert_cmpstr (cell (rows, i, "lock"), ==, "Front Door");
      g_assert_cmpstr (cell (rows, i, "property"), ==, "Maple Street Lofts");
    }

  /* Times in the property's zone, with its offset: T0 is 10:00 in Austin
   * (CDT, the day after the change to summer time). */
  g_assert_cmpstr (cell (rows, 1, "time"), ==, "2025-03-10T10:00:00-05:00");
  g_assert_cmpstr (cell (rows, 1, "kind"), ==, "timed");
  g_assert_cmpstr (cell (rows, 1, "recipient"), ==, "Dana Vendor");
  g_assert_cmpstr (cell (rows, 1, "issued_by"), ==, "Lee Agent");
  g_assert_cmpstr (cell (rows, 1, "use_count"), ==, "0");
  g_assert_cmpstr (cell (rows, 1, "event"), ==, "");
  g_assert_true (g_str_has_suffix (cell (rows, 1, "window_start"), "-05:00"));
  g_assert_cmpstr (cell (rows, 4, "event"), ==, "keypad_open");
  g_assert_cmpstr (cell (rows, 4, "time"), ==, "2025-03-10T12:00:00-05:00");
  g_assert_cmpstr (cell (rows, 4, "kind"), ==, "");

  /* What a user typed comes back as typed, quotes, commas, line breaks
   * and all, with the formula guard in front where it starts like one. */
  g_assert_cmpstr (cell (rows, 2, "recipient"), ==, "'=HYPERLINK(\"http://example.com\",\"Click\")");
  g_assert_cmpstr (cell (rows, 2, "note"), ==, "Gate code, \"blue\" door\r\nsecond line; Café ✓");
}

/* A property: each of its locks, none of another property. */
static void
test_property (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) locks = NULL;

  rows = export (f, NULL, am_property_get_id (f->austin), 0, 0, NULL);
  g_assert_cmpuint (rows->len, ==, 1 + 4 + 3);
  locks = ids_of (rows, "passcode", "lock");
  g_assert_true (has_id (locks, "Front Door"));
  g_assert_true (has_id (locks, "Garage"));
  g_assert_false (has_id (locks, "Gate"));
  for (guint i = 1; i < rows->len; i++)
    g_assert_cmpstr (cell (rows, i, "property"), ==, "Maple Street Lofts");
  /* The unit where there is one. */
  for (guint i = 1; i < rows->len; i++)
    g_assert_cmpstr (cell (rows, i, "unit"), ==, g_str_equal (cell (rows, i, "lock"), "Garage") ? "12B" : "");

  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = export (f, NULL, am_property_get_id (f->pune), 0, 0, NULL);
  g_assert_cmpuint (rows->len, ==, 1 + 2);
  g_assert_true (g_str_has_suffix (cell (rows, 1, "time"), "+05:30"));
}

/* The range: passcodes issued in it or whose window overlaps it, events
 * whose time is in it. */
static void
test_range (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) passcodes = NULL;
  g_autoptr(GPtrArray) events = NULL;

  rows = export (f, am_lock_get_id (f->front), NULL, T0 + 20 * HOUR, T0 + 48 * HOUR, NULL);
  passcodes = ids_of (rows, "passcode", "passcode_id");
  g_assert_cmpuint (passcodes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (passcodes, 0), ==,
                   am_passcode_record_get_id (g_ptr_array_index (f->front_passcodes, 1)));
  events = ids_of (rows, "event", "seq");
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (events, 0), ==, "2");

  /* Nothing in it: the header alone. */
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = export (f, am_lock_get_id (f->front), NULL, T0 + 100 * 24 * HOUR, T0 + 101 * 24 * HOUR, NULL);
  g_assert_cmpuint (rows->len, ==, 1);
}

static void
test_unknown_lock (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_false (am_export_write_csv (f->store, "no-such-lock", NULL, 0, 0, out, NULL, NULL, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_suffix (error->message, "."));
}

/* A second, read-only connection, as the façade's export thread uses. */
static void
test_reader (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(AmStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  guint n_rows = 0;

  reader = am_store_open_reader (am_store_get_path (f->store), &error);
  g_assert_no_error (error);
  g_assert_true (am_export_write_csv (reader, am_lock_get_id (f->front), NULL, 0, 0, out, &n_rows, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, 5);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/export/csv/cell-quoting-and-formula-guard", test_cell_quoting);
  g_test_add_func ("/export/csv/row-ends-crlf", test_row_crlf);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/export/lock/holds-exactly-its-passcodes-and-events", test_lock_exactly);
  ADD ("/export/property/holds-its-locks-only", test_property);
  ADD ("/export/range/issued-or-overlapping-and-events-within", test_range);
  ADD ("/export/lock/unknown-is-a-sentence", test_unknown_lock);
  ADD ("/export/reader/second-connection-reads-the-cache", test_reader);

  return g_test_run ();
}
