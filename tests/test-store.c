/* test-store.c: the local cache: pages, issuing, the outbox, migrations and damage
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE  /* memmem */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "am-error.h"
#include "am-record-list.h"
#include "am-store-private.h"
#include "am-test-records.h"
#include "am-test-vectors.h"

#define T0 G_GINT64_CONSTANT (1741618800)
#define H0 483783

/* A small portfolio: two properties, three locks, a grant, passcodes,
 * events and an unlock. */
typedef struct
{
  char      *path;
  AmStore   *store;
  AmProperty *austin;
  AmProperty *sao_paulo;
  AmLock     *front;
  AmLock     *garage;
  AmLock     *lobby;
  AmPasscodeRecord *code;
} Fixture;

static AmSyncPage *
portfolio_page (Fixture *f)
{
  AmSyncPage *page = am_sync_page_new ();

  f->austin = am_test_property ("Maple Street Lofts", "1200 Maple Street", "Austin", "America/Chicago");
  f->sao_paulo = am_test_property ("Edifício Aurora", "Rua Augusta 1500", "São Paulo", "America/Sao_Paulo");
  f->front = am_test_lock (f->austin, "Front Door", NULL);
  f->garage = am_test_lock (f->austin, "Garage", "12B");
  f->lobby = am_test_lock (f->sao_paulo, "Portaria", NULL);
  f->code = am_test_passcode (f->front, H0, 2, T0 - 60);

  g_ptr_array_add (page->properties, g_object_ref (f->austin));
  g_ptr_array_add (page->properties, g_object_ref (f->sao_paulo));
  g_ptr_array_add (page->locks, g_object_ref (f->front));
  g_ptr_array_add (page->locks, g_object_ref (f->garage));
  g_ptr_array_add (page->locks, g_object_ref (f->lobby));
  g_ptr_array_add (page->grants, am_test_grant (f->austin, "generate_codes,view_activity"));
  g_ptr_array_add (page->passcodes, g_object_ref (f->code));
  g_ptr_array_add (page->passcodes, am_test_passcode (f->garage, H0 + 5, 905, T0));
  g_ptr_array_add (page->events, am_test_lock_event (f->front, 7, AM_LOCK_EVENT_NAME_KEYPAD_OPEN, T0 + 600));
  g_ptr_array_add (page->unlocks, am_test_unlock (f->lobby, T0 + 900));
  page->cursor = g_strdup ("cursor-1");
  return page;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = NULL;
  g_autoptr(GError) error = NULL;

  f->path = am_test_store_path ();
  f->store = am_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_null (am_store_get_recovery_notice (f->store));

  page = portfolio_page (f);
  am_test_apply (f->store, page);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  g_clear_object (&f->austin);
  g_clear_object (&f->sao_paulo);
  g_clear_object (&f->front);
  g_clear_object (&f->garage);
  g_clear_object (&f->lobby);
  g_clear_object (&f->code);
  g_clear_pointer (&f->path, g_free);
}

/* Whether a getter found its record, which is released at once. */
static gboolean
found (gpointer object)
{
  if (object == NULL)
    return FALSE;
  g_object_unref (object);
  return TRUE;
}

static guint
count_rows (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  /* Read-write: after a kill the WAL may need recovering, which a
   * read-only connection refuses (SQLITE_READONLY_RECOVERY), as the app's
   * next start would do it. */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = (guint) sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static void
test_open_creates_private_file (void)
{
  g_autofree char *path = am_test_store_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(AmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autofree char *other_path = am_test_store_path ();
  g_autoptr(AmStore) other = NULL;
  g_autofree char *other_dir = g_path_get_dirname (other_path);
  GStatBuf st;

  store = am_store_open (path, &error);
  g_assert_no_error (error);

  /* A file left readable by others is made private. */
  g_mkdir_with_parents (other_dir, 0700);
  g_assert_true (g_file_set_contents (other_path, "", 0, NULL));
  g_chmod (other_path, 0644);
  other = am_store_open (other_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (other_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_ptr_array_add (page->properties, am_test_property ("A", "1 Main", "Austin", "America/Chicago"));
  am_test_apply (store, page);

  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* WAL mode, and the log as private as the file. */
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_open_default_path (void)
{
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "access-manager", "cache.sqlite", NULL);
  g_autofree char *path = am_store_default_path ();
  g_autofree char *dir = g_path_get_dirname (expected);
  g_autoptr(AmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_cmpstr (path, ==, expected);

  /* A folder left open by someone else is made private again. */
  g_mkdir_with_parents (dir, 0755);
  g_chmod (dir, 0755);
  store = am_store_open (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (am_store_get_path (store), ==, expected);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
}

static void
test_page_reads_back (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(AmProperty) property = am_store_get_property (f->store, f->sao_paulo->id);
  g_autoptr(AmLock) lock = am_store_get_lock (f->store, f->garage->id);
  g_autoptr(AmPasscodeRecord) code = am_store_get_passcode (f->store, f->code->id);
  g_autoptr(AmGrant) grant = am_store_get_grant (f->store, f->austin->id);
  g_autofree char *cursor = am_store_get_cursor (f->store);

  g_assert_true (am_property_equal (property, f->sao_paulo));
  g_assert_true (am_lock_equal (lock, f->garage));
  g_assert_true (am_passcode_record_equal (code, f->code));
  g_assert_nonnull (grant);
  g_assert_true (am_grant_has_permission (grant, AM_PERMISSION_VIEW_ACTIVITY));
  g_assert_false (am_grant_has_permission (grant, AM_PERMISSION_REVOKE_CODES));
  g_assert_null (am_store_get_grant (f->store, f->sao_paulo->id));
  g_assert_cmpstr (cursor, ==, "cursor-1");
}

/* A page whose lock belongs to no known property is refused whole: the
 * cache keeps what it had, cursor included. */
static void
test_page_all_or_nothing (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(AmProperty) stray = am_test_property ("Nowhere", "1 Lost Lane", "Austin", "America/Chicago");
  g_autoptr(AmProperty) renamed = am_test_property ("Renamed", "", "", "UTC");
  g_autoptr(AmProperty) still = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;

  g_free (renamed->id);
  renamed->id = g_strdup (f->austin->id);
  g_ptr_array_add (page->properties, g_object_ref (renamed));
  g_ptr_array_add (page->locks, am_test_lock (stray, "Back Door", NULL));
  page->cursor = g_strdup ("cursor-2");

  g_assert_false (am_store_apply_page (f->store, page, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_DATA);
  g_assert_true (g_str_has_suffix (error->message, "."));

  still = am_store_get_property (f->store, f->austin->id);
  g_assert_cmpstr (am_property_get_name (still), ==, "Maple Street Lofts");
  cursor = am_store_get_cursor (f->store);
  g_assert_cmpstr (cursor, ==, "cursor-1");
}

static void
test_page_deletes (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();

  /* Losing the grant on a property is losing the property, its locks and
   * their passcodes. */
  am_sync_page_add_deleted (page, "grant", f->austin->id);
  am_sync_page_add_deleted (page, "lock", f->lobby->id);
  am_test_apply (f->store, page);

  g_assert_null (am_store_get_property (f->store, f->austin->id));
  g_assert_null (am_store_get_lock (f->store, f->front->id));
  g_assert_null (am_store_get_passcode (f->store, f->code->id));
  g_assert_null (am_store_get_lock (f->store, f->lobby->id));
  g_assert_true (found (am_store_get_property (f->store, f->sao_paulo->id)));
  g_assert_cmpuint (count_rows (f->path, "SELECT count(*) FROM lock_events"), ==, 0);
  g_assert_cmpuint (count_rows (f->path, "SELECT count(*) FROM unlocks"), ==, 0);
}

static void
test_issue_writes_passcode_and_outbox (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) record = am_test_passcode (f->lobby, H0 + 24, 3, T0 + 3600);
  g_autoptr(AmPasscodeRecord) stored = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  AmOutboxEntry *entry;
  JsonObject *body;

  g_assert_true (am_store_issue_passcode (f->store, record, &error));
  g_assert_no_error (error);

  stored = am_store_get_passcode (f->store, record->id);
  g_assert_true (am_passcode_record_equal (stored, record));

  outbox = am_store_outbox_list (f->store, G_MAXINT64);
  g_assert_cmpuint (outbox->len, ==, 1);
  entry = g_ptr_array_index (outbox, 0);
  g_assert_cmpstr (entry->kind, ==, AM_OUTBOX_PASSCODE_CREATE);
  g_assert_cmpstr (entry->idempotency_id, ==, record->id);
  g_assert_cmpuint (entry->attempts, ==, 0);

  /* The body is the cloud's request, with no digits in it. */
  json_parser_load_from_data (parser, entry->body, -1, &error);
  g_assert_no_error (error);
  body = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (body, "id"), ==, record->id);
  g_assert_cmpstr (json_object_get_string_member (body, "lock_id"), ==, f->lobby->id);
  g_assert_cmpstr (json_object_get_string_member (body, "kind"), ==, "timed");
  g_assert_cmpint (json_object_get_int_member (body, "start_h"), ==, H0 + 24);
  g_assert_cmpint (json_object_get_int_member (body, "p"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (body, "recipient"), "name"),
                   ==, "Dana Vendor");
  g_assert_false (json_object_has_member (body, "code"));

  /* The same passcode again is refused, and nothing is queued twice. */
  g_assert_false (am_store_issue_passcode (f->store, record, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_EXISTS);
  g_clear_pointer (&outbox, g_ptr_array_unref);
  outbox = am_store_outbox_list (f->store, G_MAXINT64);
  g_assert_cmpuint (outbox->len, ==, 1);
}

static void
test_issue_on_unknown_lock (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(AmProperty) other = am_test_property ("Other", "", "", "UTC");
  g_autoptr(AmLock) gone = am_test_lock (other, "Gone", NULL);
  g_autoptr(AmPasscodeRecord) record = am_test_passcode (gone, H0, 2, T0);
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (am_store_issue_passcode (f->store, record, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_DATA);
  outbox = am_store_outbox_list (f->store, G_MAXINT64);
  g_assert_cmpuint (outbox->len, ==, 0);
}

/* Equal (kv, start_h, p) on a lock means equal digits: the store reports
 * the passcode already issued for the window. */
static void
test_same_window_found (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) same = am_store_find_same_window (f->store, f->front->id, 1, H0, 2);
  g_autoptr(AmPasscodeRecord) other_p = am_store_find_same_window (f->store, f->front->id, 1, H0, 3);
  g_autoptr(AmPasscodeRecord) other_kv = am_store_find_same_window (f->store, f->front->id, 2, H0, 2);
  g_autoptr(AmPasscodeRecord) other_lock = am_store_find_same_window (f->store, f->garage->id, 1, H0, 2);

  g_assert_nonnull (same);
  g_assert_cmpstr (am_passcode_record_get_id (same), ==, f->code->id);
  g_assert_null (other_p);
  g_assert_null (other_kv);
  g_assert_null (other_lock);
}

static void
test_outbox_defer_and_remove (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) a = am_test_passcode (f->front, H0 + 30, 1, T0 + 10);
  g_autoptr(AmPasscodeRecord) b = am_test_passcode (f->front, H0 + 31, 1, T0 + 20);
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  AmOutboxEntry *entry;

  g_assert_true (am_store_issue_passcode (f->store, a, &error));
  g_assert_true (am_store_issue_passcode (f->store, b, &error));
  g_assert_true (am_store_outbox_defer (f->store, a->id, T0 + 300, "The cloud did not answer.", &error));
  g_assert_no_error (error);

  due = am_store_outbox_list (f->store, T0 + 299);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpstr (((AmOutboxEntry *) g_ptr_array_index (due, 0))->idempotency_id, ==, b->id);

  all = am_store_outbox_list (f->store, G_MAXINT64);
  g_assert_cmpuint (all->len, ==, 2);
  entry = g_ptr_array_index (all, 0);
  g_assert_cmpstr (entry->idempotency_id, ==, a->id);
  g_assert_cmpuint (entry->attempts, ==, 1);
  g_assert_cmpint (entry->next_attempt_at, ==, T0 + 300);
  g_assert_cmpstr (entry->last_error, ==, "The cloud did not answer.");

  g_assert_true (am_store_outbox_remove (f->store, a->id, &error));
  g_clear_pointer (&all, g_ptr_array_unref);
  all = am_store_outbox_list (f->store, G_MAXINT64);
  g_assert_cmpuint (all->len, ==, 1);
  /* The passcode stays: only its queue entry is done. */
  g_assert_true (found (am_store_get_passcode (f->store, a->id)));
}

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static int
user_version (const char *path)
{
  return (int) count_rows (path, "PRAGMA user_version");
}

/* Each step of the schema from the one before, with data that was there. */
static void
test_migration_steps (void)
{
  g_autofree char *path = am_test_store_path ();
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  for (int v = 0; v <= 1; v++)
    {
      g_autoptr(AmStore) store = am_store_open_at_version (path, v, &error);
      g_assert_no_error (error);
      g_assert_cmpint (user_version (path), ==, v);
    }

  /* Data as version 1 wrote it. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_sql (db,
    "INSERT INTO properties (pk, id, name, address, city, region, postal_code, timezone, updated_at, sort_key)"
    " VALUES (1, 'a8d1f5de-54fb-4c5c-9c87-2e3fd0b2a3f1', 'Edifício Aurora', 'Rua Augusta 1500',"
    "         'São Paulo', 'SP', '01305-100', 'America/Sao_Paulo', 1741618800, 'edificio aurora');"
    "INSERT INTO locks (id, property, name, unit, model, digits, q_offset_s, kv, updated_at, sort_key)"
    " VALUES ('0e5c9a0b-6d2c-4a6e-8d58-5d3c1b1e9f10', 1, 'Portaria', '12B', 'AM1', 10, 0, 1, 1741618800, 'portaria');");
  sqlite3_close (db);

  /* 1 → 2 finds it by what it is called, where it is and its locks. */
  {
    g_autoptr(AmStore) store = am_store_open_at_version (path, 2, &error);
    g_autoptr(AmDocSet) by_city = NULL;
    g_autoptr(AmDocSet) by_unit = NULL;
    g_autoptr(AmDocSet) by_lock = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (user_version (path), ==, 2);
    by_city = am_store_search (store, "sao");
    by_unit = am_store_search (store, "12b");
    by_lock = am_store_search (store, "PORTA");
    g_assert_true (am_doc_set_contains (by_city, 1));
    g_assert_true (am_doc_set_contains (by_unit, 1));
    g_assert_true (am_doc_set_contains (by_lock, 1));
  }

  /* 2 → 3 counts what was there, and keeps counting. */
  {
    g_autoptr(AmStore) store = am_store_open (path, &error);
    g_autoptr(AmSyncPage) page = am_sync_page_new ();

    g_assert_no_error (error);
    g_assert_null (am_store_get_recovery_notice (store));
    g_assert_cmpint (user_version (path), ==, AM_STORE_SCHEMA_VERSION);
    g_assert_cmpint (am_store_count_ids (store, AM_STORE_LIST_PROPERTIES, NULL), ==, 1);

    g_ptr_array_add (page->properties, am_test_property ("B", "", "", "UTC"));
    g_ptr_array_add (page->properties, am_test_property ("C", "", "", "UTC"));
    am_sync_page_add_deleted (page, "property", "a8d1f5de-54fb-4c5c-9c87-2e3fd0b2a3f1");
    am_test_apply (store, page);
    g_assert_cmpint (am_store_count_ids (store, AM_STORE_LIST_PROPERTIES, NULL), ==, 2);
  }
}

/* The locks' row ids sorted by last activity, newest first: "1,2,3". */
static char *
by_last_activity (AmStore *store)
{
  g_autoptr(GArray) ids = am_store_load_lock_ids_sorted (store, AM_LOCK_SORT_LAST_ACTIVITY, TRUE, NULL, NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (text, "%s%u", i > 0 ? "," : "", g_array_index (ids, guint32, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

#define assert_by_last_activity(store, expected) \
  G_STMT_START { g_autofree char *o_ = by_last_activity (store); g_assert_cmpstr (o_, ==, (expected)); } G_STMT_END

/* 5 → 6: each lock's last activity is its log's newest entry (by
 * sequence, not time) from the log it had, and follows the log after:
 * entries read at a visit, entries a sync brings or rewrites. */
static void
test_migration_last_activity (void)
{
  g_autofree char *path = am_test_store_path ();
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  {
    g_autoptr(AmStore) store = am_store_open_at_version (path, 5, &error);
    g_assert_no_error (error);
  }

  /* As version 5 wrote it: the Front Door's newest entry is older in
   * time than the one before (its clock was set back); the Gate has none. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_sql (db,
    "INSERT INTO properties (pk, id, name, address, city, region, postal_code, timezone, updated_at, sort_key)"
    " VALUES (1, 'a8d1f5de-54fb-4c5c-9c87-2e3fd0b2a3f1', 'Maple Lofts', '1 Maple Street',"
    "         'Austin', 'TX', '78701', 'America/Chicago', 1741618800, 'maple lofts');"
    "INSERT INTO locks (pk, id, property, name, unit, model, digits, q_offset_s, kv, updated_at, sort_key) VALUES"
    " (1, '0e5c9a0b-6d2c-4a6e-8d58-5d3c1b1e9f10', 1, 'Front Door', NULL, 'AM1', 10, 0, 1, 1741618800, 'front door'),"
    " (2, '1f6dab1c-7e3d-4b7f-9e69-6e4d2c2f0a21', 1, 'Garage', '2B', 'AM1', 10, 0, 1, 1741618800, 'garage'),"
    " (3, '2a7ebc2d-8f4e-4c80-8f7a-7f5e3d3a1b32', 1, 'Gate', '1A', 'AM1', 10, 0, 1, 1741618800, 'gate');"
    "INSERT INTO lock_events (lock, seq, event, at, start_h, p) VALUES"
    " (1, 1, 'keypad_open', 1741619400, 0, 0),"
    " (1, 2, 'ble_unlock', 1741618900, 0, 0),"
    " (2, 1, 'keypad_open', 1741619000, 0, 0);");
  sqlite3_close (db);

  {
    g_autoptr(AmStore) store = am_store_open (path, &error);
    g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_object_unref);
    AmLockEventRecord *event = am_lock_event_record_new_empty ();
    g_autoptr(AmSyncPage) page = am_sync_page_new ();

    g_assert_no_error (error);
    g_assert_null (am_store_get_recovery_notice (store));
    g_assert_cmpint (user_version (path), ==, AM_STORE_SCHEMA_VERSION);
    assert_by_last_activity (store, "2,1,3");

    /* An entry read at a visit: the Gate's is the newest now. */
    event->lock_id = g_strdup ("2a7ebc2d-8f4e-4c80-8f7a-7f5e3d3a1b32");
    event->seq = 1;
    event->event = g_strdup (AM_LOCK_EVENT_NAME_KEYPAD_OPEN);
    event->at = T0 + 1200;
    g_ptr_array_add (log, event);
    g_assert_true (am_store_record_lock_log (store, event->lock_id, log, &error));
    g_assert_no_error (error);
    assert_by_last_activity (store, "3,2,1");

    /* The cloud corrects the time of the Front Door's newest entry. */
    event = am_lock_event_record_new_empty ();
    event->lock_id = g_strdup ("0e5c9a0b-6d2c-4a6e-8d58-5d3c1b1e9f10");
    event->seq = 2;
    event->event = g_strdup (AM_LOCK_EVENT_NAME_BLE_UNLOCK);
    event->at = T0 + 1800;
    g_ptr_array_add (page->events, event);
    am_test_apply (store, page);
    assert_by_last_activity (store, "1,3,2");

    /* An older entry of the Front Door's rewritten, later in time than
     * its newest: the newest by sequence stays its last activity. */
    event = am_lock_event_record_new_empty ();
    event->lock_id = g_strdup ("0e5c9a0b-6d2c-4a6e-8d58-5d3c1b1e9f10");
    event->seq = 1;
    event->event = g_strdup (AM_LOCK_EVENT_NAME_KEYPAD_OPEN);
    event->at = T0 + 3000;
    g_ptr_array_set_size (page->events, 0);
    g_ptr_array_add (page->events, event);
    am_test_apply (store, page);
    assert_by_last_activity (store, "1,3,2");
    g_assert_cmpuint (count_rows (path, "SELECT last_event_at FROM locks WHERE pk = 1"), ==, T0 + 1800);
  }
}

static gboolean
damaged_copy_exists (const char *path,
                     goffset     size)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  g_autofree char *prefix = g_strconcat (base, ".damaged-", NULL);
  const char *name;

  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, prefix) && !g_str_has_suffix (name, "-wal") && !g_str_has_suffix (name, "-shm"))
      {
        g_autofree char *full = g_build_filename (dir, name, NULL);
        GStatBuf st;

        if (size < 0)
          return TRUE;
        return g_stat (full, &st) == 0 && st.st_size == size;
      }
  return FALSE;
}

/* A cache that cannot be read is set aside, kept, and replaced by an
 * empty one, and the user is told why the list is empty. */
static void
assert_recovers (const char *path,
                 goffset     damaged_size)
{
  g_autoptr(AmStore) store = NULL;
  g_autoptr(AmRecordList) properties = NULL;
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(GError) error = NULL;

  store = am_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (am_store_get_recovery_notice (store));
  g_assert_nonnull (strstr (am_store_get_recovery_notice (store), "refilled from the cloud"));
  g_assert_true (damaged_copy_exists (path, damaged_size));

  properties = am_record_list_new_properties (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (properties)), ==, 0);

  /* And the fresh cache works. */
  g_ptr_array_add (page->properties, am_test_property ("A", "1 Main", "Austin", "America/Chicago"));
  am_test_apply (store, page);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (properties)), ==, 1);
}

static char *
filled_cache (void)
{
  char *path = am_test_store_path ();
  g_autoptr(AmStore) store = NULL;
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(GError) error = NULL;

  store = am_store_open (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *name = g_strdup_printf ("Property %u", i);
      g_ptr_array_add (page->properties, am_test_property (name, "1 Main Street", "Austin", "America/Chicago"));
    }
  am_test_apply (store, page);
  return path;
}

static void
test_damage_truncated (void)
{
  g_autofree char *path = filled_cache ();
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 64 * 1024);
  g_assert_true (g_file_set_contents (path, contents, (gssize) (len / 2), NULL));

  assert_recovers (path, (goffset) (len / 2));
}

static void
test_damage_garbage (void)
{
  g_autofree char *path = am_test_store_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  guint8 garbage[8192];

  for (guint i = 0; i < sizeof garbage; i++)
    garbage[i] = (guint8) g_test_rand_int_range (0, 256);
  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (path, (const char *) garbage, sizeof garbage, NULL));

  assert_recovers (path, sizeof garbage);
}

/* Garbage that starts like a database. */
static void
test_damage_bad_pages (void)
{
  g_autofree char *path = filled_cache ();
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  for (gsize i = 100; i < len; i++)
    contents[i] = (char) g_test_rand_int_range (0, 256);
  g_assert_true (g_file_set_contents (path, contents, (gssize) len, NULL));

  assert_recovers (path, (goffset) len);
}

static void
test_damage_unreadable (void)
{
  g_autofree char *path = am_test_store_path ();

  /* Not a file at all. */
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  assert_recovers (path, -1);
}

static void
test_damage_newer_version (void)
{
  g_autofree char *path = filled_cache ();
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_sql (db, "PRAGMA user_version = 99");
  sqlite3_close (db);

  assert_recovers (path, -1);
}

/* Found damaged while in use: the next start sets it aside. */
static void
test_damage_found_later (void)
{
  g_autofree char *path = filled_cache ();
  g_autofree char *marker = g_strconcat (path, ".damaged", NULL);

  g_assert_true (g_file_set_contents (marker, "", 0, NULL));
  assert_recovers (path, -1);
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
}

static gboolean
file_contains (const char   *path,
               const guint8 *needle,
               gsize         needle_len)
{
  g_autofree char *contents = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  return needle_len <= len && memmem (contents, len, needle, needle_len) != NULL;
}

/* After a whole scenario, no key, token or code digits are anywhere in the
 * cache or its WAL files. */
static void
test_no_secrets_in_files (void)
{
  static const char *suffixes[] = { "", "-wal", "-shm" };
  static const char token[] = "am1.session.4f9d2c7e1b8a6053e2d9c4b7a1f0e8d3";
  g_autofree char *path = am_test_store_path ();
  g_autoptr(AmStore) store = NULL;
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmPasscodeKey) key = NULL;
  g_autofree char *key_hex = NULL;
  guint8 k_lock[AM_PASSCODE_KEY_LEN], lock_id[AM_LOCK_ID_LEN];
  Fixture f = { 0 };

  store = am_store_open (path, &error);
  g_assert_no_error (error);
  {
    g_autoptr(AmSyncPage) page = portfolio_page (&f);
    am_test_apply (store, page);
  }

  am_test_random_bytes (k_lock, sizeof k_lock);
  am_lock_id_parse (f.front->id, lock_id, NULL);
  key = am_passcode_key_new (k_lock, lock_id, 1, 10);
  key_hex = am_hex_encode (k_lock, sizeof k_lock);

  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(AmPasscodeRecord) record = am_test_passcode (f.front, H0 + i, 2 + i, T0 + i);
      char code[AM_PASSCODE_MAX_DIGITS + 1];

      if (!am_passcode_key_derive (key, record->start_h, record->p, code, NULL))
        continue;
      g_assert_true (am_store_issue_passcode (store, record, &error));
      g_assert_no_error (error);
      g_ptr_array_add (codes, g_strdup (code));
    }
  g_assert_cmpuint (codes->len, >=, 49);

  /* Scan while open (WAL and SHM present), then again after closing. */
  for (guint pass = 0; pass < 2; pass++)
    {
      if (pass == 1)
        g_clear_object (&store);

      for (guint s = 0; s < G_N_ELEMENTS (suffixes); s++)
        {
          g_autofree char *file = g_strconcat (path, suffixes[s], NULL);

          if (!g_file_test (file, G_FILE_TEST_EXISTS))
            continue;
          g_assert_false (file_contains (file, k_lock, sizeof k_lock));
          g_assert_false (file_contains (file, (const guint8 *) key_hex, strlen (key_hex)));
          g_assert_false (file_contains (file, (const guint8 *) token, strlen (token)));
          for (guint c = 0; c < codes->len; c++)
            {
              const char *code = g_ptr_array_index (codes, c);
              if (file_contains (file, (const guint8 *) code, strlen (code)))
                g_error ("The digits of a code are in %s", file);
            }
        }
    }

  fixture_tear_down (&f, NULL);
}

/* A process issuing codes is killed at 200 random moments; after each, the
 * cache is intact and every passcode has its outbox entry. */
static void
test_kill_while_issuing (void)
{
  g_autofree char *path = am_test_store_path ();
  const char *child = g_getenv ("AM_STORE_ISSUE_LOOP");
  guint n_kills = g_test_thorough () ? 1000 : 200;
  guint max_passcodes = 0;

  /* The store under test runs in the child, which memcheck does not
   * follow; this process would only read the cache with SQLite, under
   * memcheck, 200 times. */
  if (g_getenv ("AM_TEST_MEMCHECK") != NULL)
    {
      g_test_skip ("The child killed here runs outside memcheck");
      return;
    }

  g_assert_nonnull (child);

  for (guint k = 0; k < n_kills; k++)
    {
      const char *argv[] = { child, path, NULL };
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      guint n_passcodes;

      process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
      g_assert_no_error (error);
      g_usleep (g_test_rand_int_range (1000, 40000));
      g_subprocess_send_signal (process, SIGKILL);
      g_subprocess_wait (process, NULL, &error);
      g_assert_no_error (error);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      g_assert_cmpuint (count_rows (path, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'"), ==, 0);
      /* Killed before its first migration was committed: nothing yet. */
      if (count_rows (path, "SELECT count(*) FROM sqlite_master WHERE name = 'outbox'") == 0)
        continue;
      g_assert_cmpuint (count_rows (path,
        "SELECT count(*) FROM passcodes c LEFT JOIN outbox o ON o.idempotency_id = c.id"
        " WHERE o.pk IS NULL AND c.source = 'manual'"), ==, 0);
      g_assert_cmpuint (count_rows (path,
        "SELECT count(*) FROM outbox o LEFT JOIN passcodes c ON c.id = o.idempotency_id WHERE c.pk IS NULL"), ==, 0);
      n_passcodes = count_rows (path, "SELECT count(*) FROM passcodes");
      g_assert_cmpuint (n_passcodes, >=, max_passcodes);
      max_passcodes = n_passcodes;
    }

  g_test_message ("%u kills, %u passcodes issued in all", n_kills, max_passcodes);
  g_assert_cmpuint (max_passcodes, >, 0);
}

static void
test_account_kept (Fixture       *f,
                   gconstpointer  data)
{
  AmAccount account = {
    (char *) "https://cloud.example.com/api", (char *) "5a0c5e1b-1111-4222-8333-944455566677",
    (char *) "Ana Souza", (char *) "ana@example.com", (char *) "6b1d6f2c-2222-4333-9444-a55566677788",
    (char *) "Oak Property Group", TRUE,
  };
  g_autoptr(AmAccount) read = NULL;
  g_autoptr(AmStore) again = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (am_store_get_account (f->store));
  g_assert_true (am_store_set_account (f->store, &account, &error));
  g_assert_no_error (error);
  g_assert_true (am_store_set_signed_in (f->store, FALSE, &error));

  /* Across a restart: who it was, and that the session is over. */
  g_clear_object (&f->store);
  again = am_store_open (f->path, &error);
  g_assert_no_error (error);
  read = am_store_get_account (again);
  g_assert_nonnull (read);
  g_assert_cmpstr (read->server, ==, account.server);
  g_assert_cmpstr (read->user_name, ==, "Ana Souza");
  g_assert_cmpstr (read->org_name, ==, "Oak Property Group");
  g_assert_false (read->signed_in);
  /* Signing out keeps the cache. */
  g_assert_cmpuint (count_rows (f->path, "SELECT count(*) FROM properties"), ==, 2);
}

static void
test_reset_forgets_everything (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) issued = am_test_passcode (f->lobby, H0, 2, T0);
  g_autoptr(GError) error = NULL;

  g_assert_true (am_store_issue_passcode (f->store, issued, &error));
  g_assert_cmpint (am_store_outbox_count (f->store), ==, 1);
  g_assert_true (am_store_reset (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (am_store_outbox_count (f->store), ==, 0);
  g_assert_null (am_store_get_cursor (f->store));
  g_assert_null (am_store_get_account (f->store));
  g_assert_cmpuint (count_rows (f->path, "SELECT count(*) FROM properties"), ==, 0);
  g_assert_cmpuint (count_rows (f->path, "SELECT count(*) FROM passcodes"), ==, 0);
}

/* A sync from scratch drops what the cloud no longer sends, but not a
 * passcode issued here that has not reached the cloud yet. */
static void
test_full_sync_drops_unseen (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *cursor = NULL;
  g_autoptr(AmSyncPage) first = am_sync_page_new ();
  g_autoptr(AmSyncPage) last = am_sync_page_new ();
  g_autoptr(AmPasscodeRecord) issued = am_test_passcode (f->front, H0 + 30, 2, T0);
  g_autoptr(AmPasscodeRecord) gone = NULL;
  g_autoptr(AmLock) gone_lock = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (am_store_issue_passcode (f->store, issued, &error));
  g_assert_true (am_store_begin_full_sync (f->store, &error));
  g_assert_no_error (error);
  g_assert_true (am_store_is_full_sync (f->store));
  g_assert_null (am_store_get_cursor (f->store));

  /* The cloud now sends Austin with its front door only, over two pages. */
  g_ptr_array_add (first->properties, g_object_ref (f->austin));
  g_ptr_array_add (first->locks, g_object_ref (f->front));
  first->cursor = g_strdup ("cursor-a");
  am_test_apply (f->store, first);
  g_ptr_array_add (last->grants, am_test_grant (f->austin, "generate_codes"));
  last->cursor = g_strdup ("cursor-b");
  am_test_apply (f->store, last);
  /* Nothing is dropped before the last page. */
  g_assert_cmpuint (count_rows (f->path, "SELECT count(*) FROM properties"), ==, 2);

  g_assert_true (am_store_finish_full_sync (f->store, &error));
  g_assert_no_error (error);
  g_assert_false (am_store_is_full_sync (f->store));
  g_assert_cmpuint (count_rows (f->path, "SELECT count(*) FROM properties"), ==, 1);
  g_assert_cmpuint (count_rows (f->path, "SELECT count(*) FROM locks"), ==, 1);
  g_assert_cmpuint (count_rows (f->path, "SELECT count(*) FROM grants"), ==, 1);
  gone_lock = am_store_get_lock (f->store, am_lock_get_id (f->garage));
  g_assert_null (gone_lock);
  gone = am_store_get_passcode (f->store, am_passcode_record_get_id (f->code));
  g_assert_null (gone);
  g_clear_object (&gone);
  gone = am_store_get_passcode (f->store, am_passcode_record_get_id (issued));
  g_assert_nonnull (gone);
  g_assert_cmpint (am_store_outbox_count (f->store), ==, 1);
  cursor = am_store_get_cursor (f->store);
  g_assert_cmpstr (cursor, ==, "cursor-b");
}

/* Only the locks whose property grants code generation or Bluetooth
 * unlocking have keys to fetch. */
static void
test_keyed_locks (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) locks = am_store_list_keyed_locks (f->store);
  g_autoptr(AmSyncPage) page = am_sync_page_new ();

  g_assert_cmpuint (locks->len, ==, 2);
  for (guint i = 0; i < locks->len; i++)
    g_assert_cmpstr (am_lock_get_property_id (g_ptr_array_index (locks, i)), ==, am_property_get_id (f->austin));

  g_ptr_array_add (page->grants, am_test_grant (f->austin, "view_activity"));
  g_ptr_array_add (page->grants, am_test_grant (f->sao_paulo, "ble_unlock"));
  am_test_apply (f->store, page);
  g_clear_pointer (&locks, g_ptr_array_unref);
  locks = am_store_list_keyed_locks (f->store);
  g_assert_cmpuint (locks->len, ==, 1);
  g_assert_cmpstr (am_lock_get_id (g_ptr_array_index (locks, 0)), ==, am_lock_get_id (f->lobby));
}

/* A grant lost and given back within one page: the page's records stand. */
static void
test_page_deletion_then_record (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(AmProperty) austin = NULL;

  am_sync_page_add_deleted (page, "grant", am_property_get_id (f->austin));
  am_sync_page_add_deleted (page, "property", am_property_get_id (f->austin));
  g_ptr_array_add (page->properties, g_object_ref (f->austin));
  g_ptr_array_add (page->locks, g_object_ref (f->front));
  g_ptr_array_add (page->grants, am_test_grant (f->austin, "generate_codes"));
  am_test_apply (f->store, page);

  austin = am_store_get_property (f->store, am_property_get_id (f->austin));
  g_assert_nonnull (austin);
  g_assert_true (found (am_store_get_lock (f->store, am_lock_get_id (f->front))));
  g_assert_true (found (am_store_get_grant (f->store, am_property_get_id (f->austin))));
}

/* A passcode revoked in the cloud waits for the lock to confirm it: the
 * lock's REVOKE record of its window, from a Bluetooth visit. */
static void
test_pending_revocations (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  AmPasscodeRecord *revoked = am_test_passcode (f->front, (guint32) (now / 3600), 2, now);
  AmPasscodeRecord *expired = am_test_passcode (f->front, (guint32) (now / 3600) - 100, 2, now - 400000);
  AmLockEventRecord *confirmed;

  revoked->revoked_at = now;
  expired->revoked_at = now;
  g_ptr_array_add (page->passcodes, revoked);
  g_ptr_array_add (page->passcodes, expired);
  am_test_apply (f->store, page);

  /* The expired one can open nothing any more: nothing to tell the lock. */
  pending = am_store_list_pending_revocations (f->store, am_lock_get_id (f->front));
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpstr (am_passcode_record_get_id (g_ptr_array_index (pending, 0)), ==, revoked->id);

  confirmed = am_test_lock_event (f->front, 8, AM_LOCK_EVENT_NAME_REVOKE, now);
  confirmed->start_h = revoked->start_h;
  confirmed->p = revoked->p;
  g_ptr_array_add (events, confirmed);
  g_assert_true (am_store_record_lock_log (f->store, am_lock_get_id (f->front), events, &error));
  g_assert_no_error (error);
  g_clear_pointer (&pending, g_ptr_array_unref);
  pending = am_store_list_pending_revocations (f->store, am_lock_get_id (f->front));
  g_assert_cmpuint (pending->len, ==, 0);
  g_assert_cmpuint (am_store_get_next_lock_seq (f->store, am_lock_get_id (f->front)), ==, 9);
  g_assert_cmpint (am_store_outbox_count (f->store), ==, 1);
}

static void
test_lock_seen (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint battery = 0;
  guint flags = 0;

  g_assert_cmpint (am_store_get_lock_seen (f->store, am_lock_get_id (f->front), &battery, &flags), ==, 0);
  g_assert_true (am_store_set_lock_seen (f->store, am_lock_get_id (f->front), 17, 2, T0, &error));
  g_assert_cmpint (am_store_get_lock_seen (f->store, am_lock_get_id (f->front), &battery, &flags), ==, T0);
  g_assert_cmpint (battery, ==, 17);
  g_assert_cmpuint (flags, ==, 2);
}

/* The first sync, into an empty cache: nothing to drop, and the sync from
 * scratch ends all the same. */
static void
test_full_sync_from_empty (void)
{
  g_autofree char *path = am_test_store_path ();
  g_autoptr(AmStore) store = NULL;
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(AmProperty) property = am_test_property ("Maple Street Lofts", "1200 Maple Street", "Austin", "America/Chicago");
  g_autoptr(AmProperty) kept = NULL;
  g_autoptr(GError) error = NULL;

  store = am_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (am_store_begin_full_sync (store, &error));
  g_ptr_array_add (page->properties, g_object_ref (property));
  page->cursor = g_strdup ("cursor-1");
  am_test_apply (store, page);
  g_assert_true (am_store_finish_full_sync (store, &error));
  g_assert_no_error (error);
  g_assert_false (am_store_is_full_sync (store));
  kept = am_store_get_property (store, am_property_get_id (property));
  g_assert_nonnull (kept);
  g_assert_cmpuint (count_rows (path, "SELECT count(*) FROM properties"), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/open/creates-private-file", test_open_creates_private_file);
  g_test_add_func ("/store/open/default-path-is-private", test_open_default_path);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/store/page/reads-back", test_page_reads_back);
  ADD ("/store/page/all-or-nothing", test_page_all_or_nothing);
  ADD ("/store/page/deletes-cascade", test_page_deletes);
  ADD ("/store/page/deletion-then-record-keeps-record", test_page_deletion_then_record);
  ADD ("/store/issue/writes-passcode-and-outbox", test_issue_writes_passcode_and_outbox);
  ADD ("/store/issue/refused-on-unknown-lock", test_issue_on_unknown_lock);
  ADD ("/store/issue/same-window-found", test_same_window_found);
  ADD ("/store/outbox/defer-and-remove", test_outbox_defer_and_remove);
  ADD ("/store/account/kept-across-restart-and-sign-out", test_account_kept);
  ADD ("/store/account/reset-forgets-everything", test_reset_forgets_everything);
  ADD ("/store/full-sync/drops-unseen-keeps-outbox", test_full_sync_drops_unseen);
  ADD ("/store/keys/locks-with-code-or-bluetooth-grant", test_keyed_locks);
  ADD ("/store/visit/revocation-pending-until-the-lock-confirms", test_pending_revocations);
  ADD ("/store/visit/battery-as-of-the-last-visit", test_lock_seen);
#undef ADD
  g_test_add_func ("/store/full-sync/from-empty-ends-and-keeps", test_full_sync_from_empty);
  g_test_add_func ("/store/migrations/each-step-keeps-data", test_migration_steps);
  g_test_add_func ("/store/migrations/last-activity-from-the-logs", test_migration_last_activity);
  g_test_add_func ("/store/damage/truncated", test_damage_truncated);
  g_test_add_func ("/store/damage/garbage", test_damage_garbage);
  g_test_add_func ("/store/damage/bad-pages", test_damage_bad_pages);
  g_test_add_func ("/store/damage/unreadable", test_damage_unreadable);
  g_test_add_func ("/store/damage/newer-version", test_damage_newer_version);
  g_test_add_func ("/store/damage/found-while-in-use", test_damage_found_later);
  g_test_add_func ("/store/secrets/none-in-files", test_no_secrets_in_files);
  g_test_add_func ("/store/crash/killed-while-issuing", test_kill_while_issuing);

  return g_test_run ();
}
