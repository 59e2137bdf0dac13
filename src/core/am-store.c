/* am-store.c: the local cache: properties, locks, passcodes and activity in SQLite
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SQLite file, private to the user, in WAL mode. It holds what the cloud
 * sent (pages applied in one transaction each, with their cursor) and the
 * outbox of local changes not yet sent. It holds no secret: no lock key, no
 * session token, no code digits (a passcode is kept as its lock, kv, start_h,
 * p and digit count; whoever holds the key derives the digits when shown).
 *
 * The schema grows by migrations keyed on PRAGMA user_version, each a step
 * from the version before. A cache that cannot be read is set aside under a
 * time-stamped name and a new one is started: everything in it can be
 * fetched again from the cloud.
 *
 * After each committed transaction the store emits ::changed once for each
 * kind of record it touched, with the row ids it wrote; record lists reload
 * and emit exactly the items that changed.
 */
#define G_LOG_DOMAIN "am-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "am-cloud-json.h"
#include "am-error.h"
#include "am-records-private.h"
#include "am-store-private.h"
#include "am-text.h"
#include "am-time.h"

/* Pending changes of the search index past which it is rebuilt instead. */
#define SEARCH_INDEX_MAX_PENDING 4096

struct _AmStore
{
  GObject        parent_instance;

  sqlite3       *db;
  char          *path;
  char          *recovery_notice;
  GHashTable    *statements;            /* SQL (by address) → sqlite3_stmt */
  AmSearchIndex *search_index;          /* built on the first search */
  GThread       *search_builder;        /* building it meanwhile, if started */
  gint          *search_built;          /* set by the builder when it is done */
  GHashTable    *changed_during_build;  /* property row ids written since */
  GArray        *property_order;        /* all properties' row ids in order, as
                                         * the builder read them, until one is
                                         * written; else NULL */

  /* Row ids written by the open transaction, by record type; NULL for a
   * type it has not touched. */
  GArray        *changed[AM_N_RECORD_TYPES];
  gboolean       in_transaction;

  /* The lock the last record of a page belonged to: a page lists a lock's
   * passcodes together. Valid within one transaction. */
  char           memo_lock_id[40];
  gint64         memo_lock_pk;

  /* Row ids of the locks whose log the open transaction wrote to, whose
   * last activity is brought up to date before it commits; else NULL. */
  GHashTable    *logged_locks;

  /* During a sync from scratch: the ids each page brings are noted in the
   * temporary table "seen", so that what the cloud no longer sends can go
   * at the end; not when it began on an empty cache, which has nothing to
   * drop. */
  gboolean       full_sync_begun;
  gboolean       noting_seen;
};

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AmStore, am_store, G_TYPE_OBJECT)

/* Each migration takes the schema from the version before to its own; a
 * step may finish in C what SQL cannot do. */
typedef gboolean (*MigrateFunc) (AmStore *self, GError **error);

static gboolean backfill_search_text (AmStore *self, GError **error);

static const struct
{
  const char  *sql;
  MigrateFunc  func;
} migrations[] = {
  /* 1: the cache as the cloud API describes it. */
  { "CREATE TABLE users ("
    "  id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT);"
    "CREATE TABLE properties ("
    "  pk INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    "  address TEXT NOT NULL, city TEXT NOT NULL, region TEXT NOT NULL,"
    "  postal_code TEXT NOT NULL, timezone TEXT NOT NULL, updated_at INTEGER NOT NULL,"
    "  sort_key TEXT NOT NULL);"
    "CREATE INDEX properties_by_name ON properties (sort_key, pk);"
    "CREATE TABLE locks ("
    "  pk INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    "  property INTEGER NOT NULL REFERENCES properties (pk) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, unit TEXT, model TEXT NOT NULL,"
    "  digits INTEGER NOT NULL CHECK (digits IN (10, 12)),"
    "  q_offset_s INTEGER NOT NULL CHECK (q_offset_s IN (0, 900, 1800, 2700)),"
    "  kv INTEGER NOT NULL CHECK (kv BETWEEN 1 AND 255), mode TEXT,"
    "  battery INTEGER CHECK (battery BETWEEN 0 AND 100), battery_at INTEGER,"
    "  updated_at INTEGER NOT NULL, sort_key TEXT NOT NULL);"
    "CREATE INDEX locks_by_property ON locks (property, sort_key, pk);"
    "CREATE TABLE grants ("
    "  property INTEGER PRIMARY KEY REFERENCES properties (pk) ON DELETE CASCADE,"
    "  user_id TEXT NOT NULL, permissions TEXT NOT NULL);"
    "CREATE TABLE passcodes ("
    "  pk INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    "  lock INTEGER NOT NULL REFERENCES locks (pk) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL, kv INTEGER NOT NULL, start_h INTEGER NOT NULL, p INTEGER NOT NULL,"
    "  digits INTEGER NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL,"
    "  use_by INTEGER NOT NULL, recipient_name TEXT, recipient_contact TEXT,"
    "  purpose TEXT NOT NULL, note TEXT, source TEXT NOT NULL,"
    "  created_by_id TEXT NOT NULL, created_by_name TEXT NOT NULL, created_at INTEGER NOT NULL,"
    "  revoked_at INTEGER, revoked_by_id TEXT, revoked_by_name TEXT,"
    "  first_used_at INTEGER, last_used_at INTEGER, use_count INTEGER NOT NULL);"
    "CREATE INDEX passcodes_by_lock ON passcodes (lock, created_at DESC, pk DESC);"
    "CREATE INDEX passcodes_by_window ON passcodes (lock, kv, start_h, p);"
    "CREATE TABLE lock_events ("
    "  pk INTEGER PRIMARY KEY,"
    "  lock INTEGER NOT NULL REFERENCES locks (pk) ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL, event TEXT NOT NULL, at INTEGER NOT NULL,"
    "  start_h INTEGER NOT NULL, p INTEGER NOT NULL, result TEXT, passcode_id TEXT,"
    "  UNIQUE (lock, seq));"
    "CREATE TABLE unlocks ("
    "  pk INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    "  lock INTEGER NOT NULL REFERENCES locks (pk) ON DELETE CASCADE,"
    "  user_id TEXT NOT NULL, user_name TEXT NOT NULL, at INTEGER NOT NULL,"
    "  result TEXT NOT NULL);"
    "CREATE INDEX unlocks_by_lock ON unlocks (lock, at);"
    "CREATE TABLE outbox ("
    "  pk INTEGER PRIMARY KEY, kind TEXT NOT NULL, idempotency_id TEXT NOT NULL UNIQUE,"
    "  body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
    "  created_at INTEGER NOT NULL);"
    "CREATE TABLE sync_state ("
    "  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),"
    "  cursor TEXT, last_success_at INTEGER);"
    "INSERT INTO sync_state (singleton) VALUES (1);",
    NULL },

  /* 2: the text a property is found by: its name, address, city, and the
   * names and units of its locks, folded. */
  { "ALTER TABLE properties ADD COLUMN search_text TEXT NOT NULL DEFAULT '';",
    backfill_search_text },

  /* 3: the number of properties, kept by triggers, so that the list can
   * show its first page before it has read every row id. */
  { "CREATE TABLE counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO counts (name, n) SELECT 'properties', count(*) FROM properties;"
    "CREATE TRIGGER properties_counted AFTER INSERT ON properties"
    "  BEGIN UPDATE counts SET n = n + 1 WHERE name = 'properties'; END;"
    "CREATE TRIGGER properties_uncounted AFTER DELETE ON properties"
    "  BEGIN UPDATE counts SET n = n - 1 WHERE name = 'properties'; END;",
    NULL },

  /* 4: who is signed in, to which cloud; and whether a sync from scratch
   * is under way, which must finish before records it did not see go. */
  { "CREATE TABLE account ("
    "  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),"
    "  server TEXT NOT NULL, user_id TEXT NOT NULL, user_name TEXT NOT NULL,"
    "  user_email TEXT, org_id TEXT NOT NULL, org_name TEXT NOT NULL,"
    "  signed_in INTEGER NOT NULL);"
    "ALTER TABLE sync_state ADD COLUMN full_sync INTEGER NOT NULL DEFAULT 0;",
    NULL },

  /* 5: what the lock said of itself at the last Bluetooth visit. */
  { "ALTER TABLE locks ADD COLUMN seen_battery INTEGER;"
    "ALTER TABLE locks ADD COLUMN seen_flags INTEGER;"
    "ALTER TABLE locks ADD COLUMN seen_at INTEGER;"
    "CREATE INDEX lock_events_revoked ON lock_events (lock, event, start_h, p);",
    NULL },

  /* 6: each lock's last activity, the time of its log's newest entry,
   * kept by the store as it writes entries (refresh_last_activity()), so
   * that the locks dashboard sorts by it without looking up every lock's
   * log. */
  { "ALTER TABLE locks ADD COLUMN last_event_at INTEGER;"
    "UPDATE locks SET last_event_at ="
    "  (SELECT e.at FROM lock_events e WHERE e.lock = locks.pk ORDER BY e.seq DESC LIMIT 1);",
    NULL },
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == AM_STORE_SCHEMA_VERSION);

/* Columns in the order the statements bind them, from 1. */
static const char * const property_columns[] = {
  "id", "name", "address", "city", "region", "postal_code", "timezone", "updated_at", "sort_key", NULL
};
static const char * const lock_columns[] = {
  "id", "property", "name", "unit", "model", "digits", "q_offset_s", "kv", "mode",
  "battery", "battery_at", "updated_at", "sort_key", NULL
};
static const char * const grant_columns[] = {
  "property", "user_id", "permissions", NULL
};
static const char * const passcode_columns[] = {
  "id", "lock", "kind", "kv", "start_h", "p", "digits", "starts_at", "ends_at", "use_by",
  "recipient_name", "recipient_contact", "purpose", "note", "source",
  "created_by_id", "created_by_name", "created_at", "revoked_at", "revoked_by_id",
  "revoked_by_name", "first_used_at", "last_used_at", "use_count", NULL
};
static const char * const lock_event_columns[] = {
  "lock", "seq", "event", "at", "start_h", "p", "result", "passcode_id", NULL
};
static const char * const unlock_columns[] = {
  "id", "lock", "user_id", "user_name", "at", "result", NULL
};

/* Writing a record is an INSERT that does nothing on a conflict with the
 * key (the first @n_key columns), then, for a row that exists, an UPDATE
 * that writes only a row that differs and returns its row id. Both bind
 * the columns as ?1, ?2, … in order. (One INSERT … ON CONFLICT DO UPDATE …
 * RETURNING costs half as much again for the new rows a sync mostly
 * brings.) */
static char *
build_insert (const char         *table,
              const char * const *columns,
              guint               n_key)
{
  GString *sql = g_string_new (NULL);
  guint n = g_strv_length ((char **) columns);

  g_string_append_printf (sql, "INSERT INTO %s (", table);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (sql, "%s%s", i ? ", " : "", columns[i]);
  g_string_append (sql, ") VALUES (");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (sql, "%s?%u", i ? ", " : "", i + 1);
  g_string_append (sql, ") ON CONFLICT (");
  for (guint i = 0; i < n_key; i++)
    g_string_append_printf (sql, "%s%s", i ? ", " : "", columns[i]);
  g_string_append (sql, ") DO NOTHING");
  return g_string_free (sql, FALSE);
}

static char *
build_update (const char         *table,
              const char * const *columns,
              guint               n_key,
              const char         *key)
{
  GString *sql = g_string_new (NULL);
  guint n = g_strv_length ((char **) columns);

  g_string_append_printf (sql, "UPDATE %s SET ", table);
  for (guint i = n_key; i < n; i++)
    g_string_append_printf (sql, "%s%s = ?%u", i > n_key ? ", " : "", columns[i], i + 1);
  g_string_append (sql, " WHERE ");
  for (guint i = 0; i < n_key; i++)
    g_string_append_printf (sql, "%s = ?%u AND ", columns[i], i + 1);
  g_string_append (sql, "(");
  for (guint i = n_key; i < n; i++)
    g_string_append_printf (sql, "%s%s IS NOT ?%u", i > n_key ? " OR " : "", columns[i], i + 1);
  g_string_append_printf (sql, ") RETURNING %s", key);
  return g_string_free (sql, FALSE);
}

typedef struct
{
  char *insert;
  char *update;
} WriteSql;

static const WriteSql *
write_sql (AmRecordType type)
{
  static WriteSql sql[AM_N_RECORD_TYPES];
  static gsize built = 0;
  static const struct {
    const char         *table;
    const char * const *columns;
    guint               n_key;
    const char         *key;
  } tables[] = {
    [AM_RECORD_PROPERTY] = { "properties", property_columns, 1, "pk" },
    [AM_RECORD_LOCK] = { "locks", lock_columns, 1, "pk" },
    [AM_RECORD_GRANT] = { "grants", grant_columns, 1, "property" },
    [AM_RECORD_PASSCODE] = { "passcodes", passcode_columns, 1, "pk" },
    [AM_RECORD_LOCK_EVENT] = { "lock_events", lock_event_columns, 2, "pk" },
    [AM_RECORD_UNLOCK] = { "unlocks", unlock_columns, 1, "pk" },
  };

  if (g_once_init_enter (&built))
    {
      for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
        {
          sql[t].insert = build_insert (tables[t].table, tables[t].columns, tables[t].n_key);
          sql[t].update = build_update (tables[t].table, tables[t].columns, tables[t].n_key, tables[t].key);
        }
      g_once_init_leave (&built, 1);
    }
  return &sql[type];
}

static gboolean
is_damage (int rc)
{
  rc &= 0xff;
  return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

static char *
damage_marker_path (const char *path)
{
  return g_strconcat (path, ".damaged", NULL);
}

/* Turns a failed SQLite call into an error for the user. A damaged file is
 * marked so that the next start sets it aside. */
static gboolean
set_sqlite_error (AmStore  *self,
                  int       rc,
                  GError  **error)
{
  const char *detail = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  if (is_damage (rc))
    {
      g_autofree char *marker = damage_marker_path (self->path);

      g_file_set_contents (marker, "", 0, NULL);
      g_set_error (error, AM_ERROR, AM_ERROR_CACHE_DAMAGED,
                   _("The local cache is damaged. Restart Access Manager: it will set the damaged cache aside and refill it from the cloud."));
    }
  else if ((rc & 0xff) == SQLITE_FULL)
    g_set_error (error, AM_ERROR, AM_ERROR_STORAGE,
                 _("The disk is full, so the local cache could not be written. Free some space and try again."));
  else
    g_set_error (error, AM_ERROR, AM_ERROR_STORAGE,
                 /* Translators: %s is SQLite's own description of the problem */
                 _("The local cache could not be read or written (%s). Check that the disk is not full, then try again."),
                 detail);
  g_debug ("SQLite error %d: %s", rc, detail);
  return FALSE;
}

/* A prepared statement for @sql, reset, with its bindings cleared. */
static sqlite3_stmt *
prepare (AmStore    *self,
         const char *sql)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt == NULL)
    {
      int rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);

      if (rc != SQLITE_OK)
        {
          g_critical ("Cannot prepare “%s”: %s", sql, sqlite3_errmsg (self->db));
          return NULL;
        }
      g_hash_table_insert (self->statements, (gpointer) sql, stmt);
    }

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return stmt;
}

static gboolean
exec (AmStore     *self,
      const char  *sql,
      GError     **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (self, rc, error);
  return TRUE;
}

/* Runs a statement that returns no row, or whose rows are not wanted. */
static gboolean
step_done (AmStore       *self,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);
  return TRUE;
}

/* The text must outlive the statement's next step, which is always so
 * here: a statement is bound and stepped in one go. */
static void
bind_text (sqlite3_stmt *stmt,
           int           column,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, column);
}

/* Times are Unix seconds; 0 is "none" and stored as NULL. */
static void
bind_time (sqlite3_stmt *stmt,
           int           column,
           gint64        t)
{
  if (t != 0)
    sqlite3_bind_int64 (stmt, column, t);
  else
    sqlite3_bind_null (stmt, column);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static void
note_changed (AmStore      *self,
              AmRecordType  type,
              gint64        rowid)
{
  guint32 id = (guint32) rowid;

  if (self->changed[type] == NULL)
    self->changed[type] = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (rowid > 0)
    g_array_append_val (self->changed[type], id);
}

static gboolean
begin (AmStore  *self,
       GError  **error)
{
  g_assert (!self->in_transaction);

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  self->in_transaction = TRUE;
  self->memo_lock_id[0] = '\0';
  return TRUE;
}

static void
rollback (AmStore *self)
{
  g_assert (self->in_transaction);

  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  self->in_transaction = FALSE;
  for (guint t = 0; t < AM_N_RECORD_TYPES; t++)
    g_clear_pointer (&self->changed[t], g_array_unref);
  g_clear_pointer (&self->logged_locks, g_hash_table_unref);
}

/* Brings one property's words in the index up to date. */
static void
refresh_search_entry (AmStore *self,
                      guint32  pk)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT search_text FROM properties WHERE pk = ?1");

  sqlite3_bind_int64 (stmt, 1, pk);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    am_search_index_set (self->search_index, pk, (const char *) sqlite3_column_text (stmt, 0));
  else
    am_search_index_remove (self->search_index, pk);
  sqlite3_reset (stmt);
}

static void
update_search_index (AmStore *self)
{
  GArray *properties = self->changed[AM_RECORD_PROPERTY];

  if (properties == NULL)
    return;

  g_clear_pointer (&self->property_order, g_array_unref);
  if (self->search_builder != NULL)
    {
      /* The index being built may not have seen these. */
      for (guint i = 0; i < properties->len; i++)
        g_hash_table_add (self->changed_during_build,
                          GUINT_TO_POINTER (g_array_index (properties, guint32, i)));
      return;
    }
  if (self->search_index == NULL)
    return;

  if (am_search_index_get_n_pending (self->search_index) + properties->len > SEARCH_INDEX_MAX_PENDING)
    {
      /* Cheaper to build it again, at the next search. */
      g_clear_pointer (&self->search_index, am_search_index_free);
      return;
    }

  for (guint i = 0; i < properties->len; i++)
    refresh_search_entry (self, g_array_index (properties, guint32, i));
}

static gboolean
commit (AmStore  *self,
        GError  **error)
{
  GArray *changed[AM_N_RECORD_TYPES];

  g_assert (self->in_transaction);

  if (!exec (self, "COMMIT", error))
    {
      rollback (self);
      return FALSE;
    }
  self->in_transaction = FALSE;

  update_search_index (self);

  /* Take the sets first: a handler may write to the store. */
  memcpy (changed, self->changed, sizeof changed);
  memset (self->changed, 0, sizeof self->changed);
  for (guint t = 0; t < AM_N_RECORD_TYPES; t++)
    if (changed[t] != NULL)
      {
        g_signal_emit (self, signals[CHANGED], 0, t, changed[t]);
        g_array_unref (changed[t]);
      }
  return TRUE;
}

/* The row id of the record of @type with @id, or 0. */
static gint64
lookup_pk (AmStore      *self,
           AmRecordType  type,
           const char   *id)
{
  static const char * const sql[] = {
    [AM_RECORD_PROPERTY] = "SELECT pk FROM properties WHERE id = ?1",
    [AM_RECORD_LOCK] = "SELECT pk FROM locks WHERE id = ?1",
    [AM_RECORD_PASSCODE] = "SELECT pk FROM passcodes WHERE id = ?1",
  };
  sqlite3_stmt *stmt;
  gint64 pk = 0;

  g_assert (type < G_N_ELEMENTS (sql) && sql[type] != NULL);

  stmt = prepare (self, sql[type]);
  bind_text (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    pk = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return pk;
}

static gint64
lookup_lock_pk (AmStore    *self,
                const char *id)
{
  if (strcmp (self->memo_lock_id, id) != 0)
    {
      self->memo_lock_pk = lookup_pk (self, AM_RECORD_LOCK, id);
      g_strlcpy (self->memo_lock_id, self->memo_lock_pk != 0 ? id : "", sizeof self->memo_lock_id);
    }
  return self->memo_lock_pk;
}

/* Runs a statement that returns the row ids it wrote, and notes them. */
static gboolean
step_returning (AmStore       *self,
                sqlite3_stmt  *stmt,
                AmRecordType   type,
                GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    note_changed (self, type, sqlite3_column_int64 (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);
  return TRUE;
}

typedef void (*BindFunc) (sqlite3_stmt *stmt,
                          gpointer      record,
                          gint64        parent_pk);

/* Writes a record: inserts it, or updates the row with its key where it
 * differs; notes the row if it was written and sets @out_pk to its row id
 * (0 for a row that was already so). */
static gboolean
write_record (AmStore       *self,
              AmRecordType   type,
              BindFunc       bind,
              gpointer       record,
              gint64         parent_pk,
              gint64        *out_pk,
              GError       **error)
{
  const WriteSql *sql = write_sql (type);
  sqlite3_stmt *stmt = prepare (self, sql->insert);
  gint64 pk = 0;
  int rc;

  bind (stmt, record, parent_pk);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);

  if (sqlite3_changes (self->db) > 0)
    pk = sqlite3_last_insert_rowid (self->db);
  else
    {
      stmt = prepare (self, sql->update);
      bind (stmt, record, parent_pk);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          pk = sqlite3_column_int64 (stmt, 0);
          rc = sqlite3_step (stmt);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return set_sqlite_error (self, rc, error);
    }

  if (pk != 0)
    note_changed (self, type, pk);
  if (out_pk != NULL)
    *out_pk = pk;
  return TRUE;
}

static gboolean
fail_unknown_parent (const char  *what,
                     const char  *id,
                     const char  *parent,
                     const char  *parent_id,
                     GError     **error)
{
  g_set_error (error, AM_ERROR, AM_ERROR_INVALID_DATA,
               /* Translators: “a lock 1234… for a property 5678… that is not in
                * the cache”; the first and third %s are record kinds */
               _("The cloud sent %s %s for %s %s that is not in the local cache. Sync again; if this persists, report it to your administrator."),
               what, id, parent, parent_id);
  return FALSE;
}

static void
bind_property (sqlite3_stmt *stmt,
               gpointer      record,
               gint64        parent_pk)
{
  AmProperty *property = record;
  char *sort_key = am_text_fold (property->name);

  bind_text (stmt, 1, property->id);
  bind_text (stmt, 2, property->name);
  bind_text (stmt, 3, property->address);
  bind_text (stmt, 4, property->city);
  bind_text (stmt, 5, property->region);
  bind_text (stmt, 6, property->postal_code);
  bind_text (stmt, 7, property->timezone);
  sqlite3_bind_int64 (stmt, 8, property->updated_at);
  sqlite3_bind_text (stmt, 9, sort_key, -1, g_free);
}

static gboolean
write_property (AmStore     *self,
                AmProperty  *property,
                GHashTable  *stale_search,
                GError     **error)
{
  gint64 pk;

  if (!write_record (self, AM_RECORD_PROPERTY, bind_property, property, 0, &pk, error))
    return FALSE;
  if (pk > 0)
    g_hash_table_add (stale_search, GINT_TO_POINTER ((gint) pk));
  return TRUE;
}

static void
bind_lock (sqlite3_stmt *stmt,
           gpointer      record,
           gint64        property_pk)
{
  AmLock *lock = record;

  bind_text (stmt, 1, lock->id);
  sqlite3_bind_int64 (stmt, 2, property_pk);
  bind_text (stmt, 3, lock->name);
  bind_text (stmt, 4, lock->unit);
  bind_text (stmt, 5, lock->model);
  sqlite3_bind_int (stmt, 6, (int) lock->digits);
  sqlite3_bind_int (stmt, 7, (int) lock->q_offset_s);
  sqlite3_bind_int (stmt, 8, (int) lock->kv);
  bind_text (stmt, 9, lock->mode);
  if (lock->battery >= 0)
    sqlite3_bind_int (stmt, 10, lock->battery);
  bind_time (stmt, 11, lock->battery_at);
  sqlite3_bind_int64 (stmt, 12, lock->updated_at);
  sqlite3_bind_text (stmt, 13, am_text_fold (lock->name), -1, g_free);
}

static gboolean
write_lock (AmStore     *self,
            AmLock      *lock,
            GHashTable  *stale_search,
            GError     **error)
{
  gint64 property_pk = lookup_pk (self, AM_RECORD_PROPERTY, lock->property_id);
  gint64 old_property_pk = 0, pk;
  sqlite3_stmt *stmt;

  if (property_pk == 0)
    return fail_unknown_parent (C_("cloud record", "a lock"), lock->id,
                                C_("cloud record", "a property"), lock->property_id, error);

  /* A lock that moves changes the search text of both properties. */
  stmt = prepare (self, "SELECT property FROM locks WHERE id = ?1");
  bind_text (stmt, 1, lock->id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    old_property_pk = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  if (!write_record (self, AM_RECORD_LOCK, bind_lock, lock, property_pk, &pk, error))
    return FALSE;
  if (pk > 0)
    {
      g_hash_table_add (stale_search, GINT_TO_POINTER ((gint) property_pk));
      if (old_property_pk != 0)
        g_hash_table_add (stale_search, GINT_TO_POINTER ((gint) old_property_pk));
    }
  return TRUE;
}

static void
bind_grant (sqlite3_stmt *stmt,
            gpointer      record,
            gint64        property_pk)
{
  AmGrant *grant = record;

  sqlite3_bind_int64 (stmt, 1, property_pk);
  bind_text (stmt, 2, grant->user_id);
  sqlite3_bind_text (stmt, 3, g_strjoinv (",", grant->permissions), -1, g_free);
}

static gboolean
write_grant (AmStore  *self,
             AmGrant  *grant,
             GError  **error)
{
  gint64 property_pk = lookup_pk (self, AM_RECORD_PROPERTY, grant->property_id);

  if (property_pk == 0)
    return fail_unknown_parent (C_("cloud record", "a grant"), grant->user_id,
                                C_("cloud record", "a property"), grant->property_id, error);

  return write_record (self, AM_RECORD_GRANT, bind_grant, grant, property_pk, NULL, error);
}

static void
bind_passcode (sqlite3_stmt *stmt,
               gpointer      data,
               gint64        lock_pk)
{
  AmPasscodeRecord *record = data;

  bind_text (stmt, 1, record->id);
  sqlite3_bind_int64 (stmt, 2, lock_pk);
  bind_text (stmt, 3, am_passcode_kind_to_string (record->kind));
  sqlite3_bind_int (stmt, 4, (int) record->kv);
  sqlite3_bind_int64 (stmt, 5, record->start_h);
  sqlite3_bind_int (stmt, 6, (int) record->p);
  sqlite3_bind_int (stmt, 7, (int) record->digits);
  sqlite3_bind_int64 (stmt, 8, record->starts_at);
  sqlite3_bind_int64 (stmt, 9, record->ends_at);
  sqlite3_bind_int64 (stmt, 10, record->use_by);
  bind_text (stmt, 11, record->recipient_name);
  bind_text (stmt, 12, record->recipient_contact);
  bind_text (stmt, 13, record->purpose);
  bind_text (stmt, 14, record->note);
  bind_text (stmt, 15, record->source);
  bind_text (stmt, 16, record->created_by_id);
  bind_text (stmt, 17, record->created_by_name);
  sqlite3_bind_int64 (stmt, 18, record->created_at);
  bind_time (stmt, 19, record->revoked_at);
  bind_text (stmt, 20, record->revoked_by_id);
  bind_text (stmt, 21, record->revoked_by_name);
  bind_time (stmt, 22, record->first_used_at);
  bind_time (stmt, 23, record->last_used_at);
  sqlite3_bind_int64 (stmt, 24, record->use_count);
}

static gboolean
write_passcode (AmStore           *self,
                AmPasscodeRecord  *record,
                GError           **error)
{
  gint64 lock_pk = lookup_lock_pk (self, record->lock_id);

  if (lock_pk == 0)
    return fail_unknown_parent (C_("cloud record", "a passcode"), record->id,
                                C_("cloud record", "a lock"), record->lock_id, error);

  return write_record (self, AM_RECORD_PASSCODE, bind_passcode, record, lock_pk, NULL, error);
}

static void
bind_lock_event (sqlite3_stmt *stmt,
                 gpointer      record,
                 gint64        lock_pk)
{
  AmLockEventRecord *event = record;

  sqlite3_bind_int64 (stmt, 1, lock_pk);
  sqlite3_bind_int64 (stmt, 2, event->seq);
  bind_text (stmt, 3, event->event);
  sqlite3_bind_int64 (stmt, 4, event->at);
  sqlite3_bind_int64 (stmt, 5, event->start_h);
  sqlite3_bind_int (stmt, 6, (int) event->p);
  bind_text (stmt, 7, event->result);
  bind_text (stmt, 8, event->passcode_id);
}

static gboolean
write_lock_event (AmStore            *self,
                  AmLockEventRecord  *event,
                  GError            **error)
{
  gint64 lock_pk = lookup_lock_pk (self, event->lock_id);
  gint64 pk = 0;

  if (lock_pk == 0)
    {
      g_autofree char *what = g_strdup_printf ("%u", event->seq);
      return fail_unknown_parent (C_("cloud record", "a lock event"), what,
                                  C_("cloud record", "a lock"), event->lock_id, error);
    }

  if (!write_record (self, AM_RECORD_LOCK_EVENT, bind_lock_event, event, lock_pk, &pk, error))
    return FALSE;
  if (pk != 0)
    {
      if (self->logged_locks == NULL)
        self->logged_locks = g_hash_table_new (NULL, NULL);
      g_hash_table_add (self->logged_locks, GINT_TO_POINTER ((gint) lock_pk));
    }
  return TRUE;
}

/* Each lock's last activity, for the locks whose log the transaction wrote
 * to: once a lock, not once an entry, and from the log itself, whatever
 * order its entries came in. */
static gboolean
refresh_last_activity (AmStore  *self,
                       GError  **error)
{
  g_autoptr(GHashTable) logged = g_steal_pointer (&self->logged_locks);
  GHashTableIter iter;
  gpointer key;

  if (logged == NULL)
    return TRUE;

  g_hash_table_iter_init (&iter, logged);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      sqlite3_stmt *stmt = prepare (self, "UPDATE locks SET last_event_at ="
                                          "  (SELECT e.at FROM lock_events e WHERE e.lock = ?1"
                                          "   ORDER BY e.seq DESC LIMIT 1)"
                                          " WHERE pk = ?1");

      sqlite3_bind_int64 (stmt, 1, GPOINTER_TO_INT (key));
      if (!step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static void
bind_unlock (sqlite3_stmt *stmt,
             gpointer      record,
             gint64        lock_pk)
{
  AmUnlock *unlock = record;

  bind_text (stmt, 1, unlock->id);
  sqlite3_bind_int64 (stmt, 2, lock_pk);
  bind_text (stmt, 3, unlock->user_id);
  bind_text (stmt, 4, unlock->user_name);
  sqlite3_bind_int64 (stmt, 5, unlock->at);
  bind_text (stmt, 6, unlock->result);
}

static gboolean
write_unlock (AmStore   *self,
              AmUnlock  *unlock,
              GError   **error)
{
  gint64 lock_pk = lookup_lock_pk (self, unlock->lock_id);

  if (lock_pk == 0)
    return fail_unknown_parent (C_("cloud record", "an unlock"), unlock->id,
                                C_("cloud record", "a lock"), unlock->lock_id, error);

  return write_record (self, AM_RECORD_UNLOCK, bind_unlock, unlock, lock_pk, NULL, error);
}

/* Deleting a property or lock deletes what hangs below it (foreign keys
 * cascade), so every list below it must look again. */
static void
note_cascade (AmStore      *self,
              AmRecordType  from)
{
  for (guint t = from; t <= AM_RECORD_UNLOCK; t++)
    note_changed (self, t, 0);
}

static gboolean
write_deleted (AmStore       *self,
               AmDeletedRef  *ref,
               GHashTable    *stale_search,
               GError       **error)
{
  sqlite3_stmt *stmt;
  gint64 pk;

  if (g_str_equal (ref->type, "property") || g_str_equal (ref->type, "grant"))
    {
      /* Losing the grant on a property is losing the property. */
      pk = lookup_pk (self, AM_RECORD_PROPERTY, ref->id);
      if (pk == 0)
        return TRUE;
      self->memo_lock_id[0] = '\0';
      stmt = prepare (self, "DELETE FROM properties WHERE pk = ?1");
      sqlite3_bind_int64 (stmt, 1, pk);
      note_changed (self, AM_RECORD_PROPERTY, pk);
      note_cascade (self, AM_RECORD_LOCK);
      g_hash_table_remove (stale_search, GINT_TO_POINTER ((gint) pk));
      return step_done (self, stmt, error);
    }

  if (g_str_equal (ref->type, "lock"))
    {
      self->memo_lock_id[0] = '\0';
      stmt = prepare (self, "DELETE FROM locks WHERE id = ?1 RETURNING property");
      bind_text (stmt, 1, ref->id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        g_hash_table_add (stale_search, GINT_TO_POINTER (sqlite3_column_int (stmt, 0)));
      note_cascade (self, AM_RECORD_LOCK);
      return step_done (self, stmt, error);
    }

  if (g_str_equal (ref->type, "passcode"))
    {
      stmt = prepare (self, "DELETE FROM passcodes WHERE id = ?1");
      bind_text (stmt, 1, ref->id);
      note_changed (self, AM_RECORD_PASSCODE, 0);
      return step_done (self, stmt, error);
    }

  g_set_error (error, AM_ERROR, AM_ERROR_INVALID_DATA,
               _("The cloud asked to delete a record of an unknown kind, “%s”. Update Access Manager, then sync again."),
               ref->type);
  return FALSE;
}

/* The folded text a property is found by. */
static gboolean
refresh_search_text (AmStore  *self,
                     gint64    property_pk,
                     GError  **error)
{
  sqlite3_stmt *stmt = prepare (self,
    "SELECT p.name || ' ' || p.address || ' ' || p.city || ' ' ||"
    "       coalesce ((SELECT group_concat (l.name || ' ' || coalesce (l.unit, ''), ' ')"
    "                  FROM locks l WHERE l.property = p.pk), '')"
    " FROM properties p WHERE p.pk = ?1");
  g_autofree char *folded = NULL;
  int rc;

  sqlite3_bind_int64 (stmt, 1, property_pk);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return rc == SQLITE_DONE ? TRUE : set_sqlite_error (self, rc, error);
    }
  folded = am_text_fold ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  stmt = prepare (self, "UPDATE properties SET search_text = ?2 WHERE pk = ?1 AND search_text IS NOT ?2");
  sqlite3_bind_int64 (stmt, 1, property_pk);
  bind_text (stmt, 2, folded);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) > 0)
    note_changed (self, AM_RECORD_PROPERTY, property_pk);
  return TRUE;
}

static gboolean
refresh_search_texts (AmStore     *self,
                      GHashTable  *stale_search,
                      GError     **error)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, stale_search);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!refresh_search_text (self, GPOINTER_TO_INT (key), error))
      return FALSE;
  return TRUE;
}

static gboolean
backfill_search_text (AmStore  *self,
                      GError  **error)
{
  g_autoptr(GHashTable) all = g_hash_table_new (NULL, NULL);
  sqlite3_stmt *stmt = prepare (self, "SELECT pk FROM properties");

  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_add (all, GINT_TO_POINTER (sqlite3_column_int (stmt, 0)));
  sqlite3_reset (stmt);

  return refresh_search_texts (self, all, error);
}

/* Reading records: each query's columns in the order its reader takes. */

#define PROPERTY_SELECT \
  "SELECT id, name, address, city, region, postal_code, timezone, updated_at FROM properties"

static AmProperty *
read_property (sqlite3_stmt *stmt)
{
  AmProperty *property = am_property_new_empty ();

  property->id = column_text (stmt, 0);
  property->name = column_text (stmt, 1);
  property->address = column_text (stmt, 2);
  property->city = column_text (stmt, 3);
  property->region = column_text (stmt, 4);
  property->postal_code = column_text (stmt, 5);
  property->timezone = column_text (stmt, 6);
  property->updated_at = sqlite3_column_int64 (stmt, 7);
  return property;
}

#define LOCK_SELECT \
  "SELECT l.id, p.id, l.name, l.unit, l.model, l.digits, l.q_offset_s, l.kv, l.mode," \
  "       coalesce (l.battery, -1), l.battery_at, l.updated_at" \
  " FROM locks l JOIN properties p ON p.pk = l.property"

static AmLock *
read_lock (sqlite3_stmt *stmt)
{
  AmLock *lock = am_lock_new_empty ();

  lock->id = column_text (stmt, 0);
  lock->property_id = column_text (stmt, 1);
  lock->name = column_text (stmt, 2);
  lock->unit = column_text (stmt, 3);
  lock->model = column_text (stmt, 4);
  lock->digits = (guint) sqlite3_column_int (stmt, 5);
  lock->q_offset_s = (guint) sqlite3_column_int (stmt, 6);
  lock->kv = (guint) sqlite3_column_int (stmt, 7);
  lock->mode = column_text (stmt, 8);
  lock->battery = sqlite3_column_int (stmt, 9);
  lock->battery_at = sqlite3_column_int64 (stmt, 10);
  lock->updated_at = sqlite3_column_int64 (stmt, 11);
  return lock;
}

#define GRANT_SELECT \
  "SELECT p.id, g.user_id, g.permissions FROM grants g JOIN properties p ON p.pk = g.property"

static AmGrant *
read_grant (sqlite3_stmt *stmt)
{
  AmGrant *grant = am_grant_new_empty ();
  const char *permissions = (const char *) sqlite3_column_text (stmt, 2);

  grant->property_id = column_text (stmt, 0);
  grant->user_id = column_text (stmt, 1);
  grant->permissions = permissions != NULL && *permissions != '\0'
                       ? g_strsplit (permissions, ",", -1) : g_new0 (char *, 1);
  return grant;
}

#define PASSCODE_SELECT \
  "SELECT c.id, l.id, c.kind, c.kv, c.start_h, c.p, c.digits, c.starts_at, c.ends_at, c.use_by," \
  "       c.recipient_name, c.recipient_contact, c.purpose, c.note, c.source," \
  "       c.created_by_id, c.created_by_name, c.created_at, c.revoked_at, c.revoked_by_id," \
  "       c.revoked_by_name, c.first_used_at, c.last_used_at, c.use_count" \
  " FROM passcodes c JOIN locks l ON l.pk = c.lock"

static AmPasscodeRecord *
read_passcode (sqlite3_stmt *stmt)
{
  AmPasscodeRecord *record = am_passcode_record_new_empty ();
  const char *kind = (const char *) sqlite3_column_text (stmt, 2);

  record->id = column_text (stmt, 0);
  record->lock_id = column_text (stmt, 1);
  record->kind = g_strcmp0 (kind, "one_time") == 0 ? AM_PASSCODE_KIND_ONE_TIME : AM_PASSCODE_KIND_TIMED;
  record->kv = (guint) sqlite3_column_int (stmt, 3);
  record->start_h = (guint32) sqlite3_column_int64 (stmt, 4);
  record->p = (guint) sqlite3_column_int (stmt, 5);
  record->digits = (guint) sqlite3_column_int (stmt, 6);
  record->starts_at = sqlite3_column_int64 (stmt, 7);
  record->ends_at = sqlite3_column_int64 (stmt, 8);
  record->use_by = sqlite3_column_int64 (stmt, 9);
  record->recipient_name = column_text (stmt, 10);
  record->recipient_contact = column_text (stmt, 11);
  record->purpose = column_text (stmt, 12);
  record->note = column_text (stmt, 13);
  record->source = column_text (stmt, 14);
  record->created_by_id = column_text (stmt, 15);
  record->created_by_name = column_text (stmt, 16);
  record->created_at = sqlite3_column_int64 (stmt, 17);
  record->revoked_at = sqlite3_column_int64 (stmt, 18);
  record->revoked_by_id = column_text (stmt, 19);
  record->revoked_by_name = column_text (stmt, 20);
  record->first_used_at = sqlite3_column_int64 (stmt, 21);
  record->last_used_at = sqlite3_column_int64 (stmt, 22);
  record->use_count = (guint) sqlite3_column_int64 (stmt, 23);
  return record;
}

#define LOCK_EVENT_SELECT \
  "SELECT l.id, e.seq, e.event, e.at, e.start_h, e.p, e.result, e.passcode_id" \
  " FROM lock_events e JOIN locks l ON l.pk = e.lock"

static AmLockEventRecord *
read_lock_event (sqlite3_stmt *stmt)
{
  AmLockEventRecord *event = am_lock_event_record_new_empty ();

  event->lock_id = column_text (stmt, 0);
  event->seq = (guint32) sqlite3_column_int64 (stmt, 1);
  event->event = column_text (stmt, 2);
  event->at = sqlite3_column_int64 (stmt, 3);
  event->start_h = (guint32) sqlite3_column_int64 (stmt, 4);
  event->p = (guint) sqlite3_column_int (stmt, 5);
  event->result = column_text (stmt, 6);
  event->passcode_id = column_text (stmt, 7);
  return event;
}

/* Runs a query for at most one record. */
static gpointer
read_one (AmStore     *self,
          const char  *sql,
          gpointer   (*reader) (sqlite3_stmt *),
          const char  *key_text,
          gint64       key_int)
{
  sqlite3_stmt *stmt = prepare (self, sql);
  gpointer record = NULL;

  if (key_text != NULL)
    bind_text (stmt, 1, key_text);
  else
    sqlite3_bind_int64 (stmt, 1, key_int);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    record = reader (stmt);
  sqlite3_reset (stmt);
  return record;
}

#define READER(f) ((gpointer (*) (sqlite3_stmt *)) (f))

/* Opening, checking, migrating and, for a damaged file, setting aside. */

static gboolean
migrate (AmStore  *self,
         int       target,
         GError  **error)
{
  sqlite3_stmt *stmt = prepare (self, "PRAGMA user_version");
  int version;

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      int rc = sqlite3_errcode (self->db);
      sqlite3_reset (stmt);
      return set_sqlite_error (self, rc, error);
    }
  version = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);

  if (version > AM_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_CACHE_DAMAGED,
                   _("The local cache was written by a newer version of Access Manager."));
      return FALSE;
    }

  for (int v = version + 1; v <= target; v++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", v);

      g_debug ("Migrating the cache to version %d", v);
      if (!begin (self, error))
        return FALSE;
      if (!exec (self, migrations[v - 1].sql, error) ||
          (migrations[v - 1].func != NULL && !migrations[v - 1].func (self, error)) ||
          !exec (self, set_version, error))
        {
          rollback (self);
          return FALSE;
        }
      if (!commit (self, error))
        return FALSE;
    }
  return TRUE;
}

/* The file private to the user: created 0600, and made so if it was not. */
static gboolean
prepare_file (const char  *path,
              gboolean     is_default,
              GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, AM_ERROR, AM_ERROR_STORAGE,
                   _("The folder “%s” for the local cache could not be created (%s). Check that you have permission to write there."),
                   dir, g_strerror (errsv));
      return FALSE;
    }
  if (is_default)
    g_chmod (dir, 0700);

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return TRUE;  /* Not a file we can open: sqlite3_open_v2() will say so. */
  fchmod (fd, 0600);
  close (fd);
  return TRUE;
}

/* What a write changed that someone may want to hear of once, noted by
 * triggers of this connection only (TEMP): a passcode used for the first
 * time, a lock's battery falling below AM_LOCK_BATTERY_LOW. Only changes
 * of rows the cache held count, not rows it sees for the first time (the
 * first sync brings every past use). A rolled-back write notes nothing. */
#define TRANSITIONS_SQL \
  "CREATE TEMP TABLE IF NOT EXISTS first_uses (id TEXT PRIMARY KEY) WITHOUT ROWID;" \
  "CREATE TEMP TABLE IF NOT EXISTS low_batteries (id TEXT PRIMARY KEY) WITHOUT ROWID;" \
  "CREATE TEMP TRIGGER IF NOT EXISTS note_first_use AFTER UPDATE OF first_used_at ON main.passcodes" \
  "  WHEN old.first_used_at IS NULL AND new.first_used_at IS NOT NULL" \
  "  BEGIN INSERT OR IGNORE INTO first_uses (id) VALUES (new.id); END;" \
  "CREATE TEMP TRIGGER IF NOT EXISTS note_low_battery AFTER UPDATE OF battery ON main.locks" \
  "  WHEN new.battery < " G_STRINGIFY (AM_LOCK_BATTERY_LOW) \
  "   AND (old.battery IS NULL OR old.battery >= " G_STRINGIFY (AM_LOCK_BATTERY_LOW) ")" \
  "  BEGIN INSERT OR IGNORE INTO low_batteries (id) VALUES (new.id); END;"

static gboolean
open_database (AmStore  *self,
               int       target_version,
               GError  **error)
{
  g_autofree char *marker = damage_marker_path (self->path);
  int rc;

  if (g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, AM_ERROR, AM_ERROR_CACHE_DAMAGED,
                   _("The local cache was marked as damaged when it was last used."));
      return FALSE;
    }

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_CACHE_DAMAGED,
                   _("The local cache could not be opened (%s)."), sqlite3_errstr (rc));
      g_clear_pointer (&self->db, sqlite3_close);
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, 5000);

  /* Setting the journal mode reads the header and the schema: a file that
   * is not a database, or that was cut short, fails here. */
  if (!exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !migrate (self, target_version, error))
    {
      if (error != NULL && *error != NULL && (*error)->code == AM_ERROR_STORAGE)
        {
          /* Not damage: the disk, the permissions. */
          return FALSE;
        }
      if (error != NULL && *error != NULL)
        (*error)->code = AM_ERROR_CACHE_DAMAGED;
      return FALSE;
    }
  if (target_version == AM_STORE_SCHEMA_VERSION && !exec (self, TRANSITIONS_SQL, error))
    return FALSE;
  return TRUE;
}

static void
close_database (AmStore *self)
{
  GHashTableIter iter;
  gpointer stmt;

  g_hash_table_iter_init (&iter, self->statements);
  while (g_hash_table_iter_next (&iter, NULL, &stmt))
    sqlite3_finalize (stmt);
  g_hash_table_remove_all (self->statements);
  g_clear_pointer (&self->db, sqlite3_close);
}

/* Moves a damaged cache and its WAL aside under a time-stamped name. */
static gboolean
set_aside (AmStore  *self,
           GError  **error)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *marker = damage_marker_path (self->path);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (self->path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (self->path, ".damaged-", stamp, suffixes[i], NULL);

      if (g_file_test (from, G_FILE_TEST_EXISTS) && g_rename (from, to) != 0)
        {
          int errsv = errno;
          g_set_error (error, AM_ERROR, AM_ERROR_STORAGE,
                       _("The local cache “%s” is damaged and could not be moved aside (%s). Move it away yourself and restart Access Manager."),
                       from, g_strerror (errsv));
          return FALSE;
        }
    }
  g_unlink (marker);
  g_debug ("The damaged cache was moved aside as %s.damaged-%s", self->path, stamp);
  return TRUE;
}

static AmStore *
store_open (const char  *path,
            int          target_version,
            GError     **error)
{
  g_autoptr(AmStore) self = g_object_new (AM_TYPE_STORE, NULL);
  g_autoptr(GError) damage = NULL;
  g_autofree char *default_path = NULL;

  if (path == NULL)
    path = default_path = am_store_default_path ();
  self->path = g_strdup (path);

  if (!prepare_file (self->path, default_path != NULL, error))
    return NULL;

  if (open_database (self, target_version, &damage))
    return g_steal_pointer (&self);

  if (damage->code != AM_ERROR_CACHE_DAMAGED)
    {
      g_propagate_error (error, g_steal_pointer (&damage));
      return NULL;
    }

  g_debug ("Setting the cache aside: %s", damage->message);
  close_database (self);
  if (!set_aside (self, error) ||
      !prepare_file (self->path, default_path != NULL, error))
    return NULL;

  g_clear_error (&damage);
  if (!open_database (self, target_version, &damage))
    {
      g_propagate_error (error, g_steal_pointer (&damage));
      return NULL;
    }

  self->recovery_notice =
    g_strdup (_("The local cache could not be read, so it was set aside and a new one started. "
                "Your properties and activity will be refilled from the cloud at the next sync."));
  return g_steal_pointer (&self);
}

/* The request body of POST /v1/passcodes, with no digits in it. */
static char *
passcode_create_body (AmPasscodeRecord *record)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  am_passcode_record_to_create_json (record, builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void build_result_free (gpointer data);
static void adopt_search_index (AmStore *self);

static void
am_store_finalize (GObject *object)
{
  AmStore *self = (AmStore *) object;

  if (self->db != NULL)
    close_database (self);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->search_builder != NULL)
    build_result_free (g_thread_join (g_steal_pointer (&self->search_builder)));
  g_clear_pointer (&self->search_built, g_free);
  g_clear_pointer (&self->property_order, g_array_unref);
  g_clear_pointer (&self->changed_during_build, g_hash_table_unref);
  g_clear_pointer (&self->logged_locks, g_hash_table_unref);
  g_clear_pointer (&self->search_index, am_search_index_free);
  for (guint t = 0; t < AM_N_RECORD_TYPES; t++)
    g_clear_pointer (&self->changed[t], g_array_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->recovery_notice, g_free);

  G_OBJECT_CLASS (am_store_parent_class)->finalize (object);
}

static void
am_store_class_init (AmStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = am_store_finalize;

  /**
   * AmStore::changed:
   * @self: the store
   * @type: an #AmRecordType
   * @rowids: (element-type guint32): the rows written, by row id; rows that
   *   were deleted are not listed
   *
   * A committed transaction wrote or deleted records of @type.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_ARRAY);
}

static void
am_store_init (AmStore *self)
{
  /* Keyed by the SQL's address: every statement comes from one constant. */
  self->statements = g_hash_table_new (NULL, NULL);
}

/* The page's deleted list owns its references whole: whoever drops one
 * from it (the server filters the list) frees the strings too. */
static void
deleted_ref_free (gpointer data)
{
  AmDeletedRef *ref = data;

  g_free (ref->type);
  g_free (ref->id);
  g_free (ref);
}

AmSyncPage *
am_sync_page_new (void)
{
  AmSyncPage *page = g_new0 (AmSyncPage, 1);

  page->properties = g_ptr_array_new_with_free_func (g_object_unref);
  page->locks = g_ptr_array_new_with_free_func (g_object_unref);
  page->grants = g_ptr_array_new_with_free_func (g_object_unref);
  page->passcodes = g_ptr_array_new_with_free_func (g_object_unref);
  page->events = g_ptr_array_new_with_free_func (g_object_unref);
  page->unlocks = g_ptr_array_new_with_free_func (g_object_unref);
  page->deleted = g_ptr_array_new_with_free_func (deleted_ref_free);
  return page;
}

void
am_sync_page_free (AmSyncPage *page)
{
  if (page == NULL)
    return;

  g_ptr_array_unref (page->properties);
  g_ptr_array_unref (page->locks);
  g_ptr_array_unref (page->grants);
  g_ptr_array_unref (page->passcodes);
  g_ptr_array_unref (page->events);
  g_ptr_array_unref (page->unlocks);
  g_ptr_array_unref (page->deleted);
  g_free (page->cursor);
  g_free (page);
}

void
am_sync_page_add_deleted (AmSyncPage *page,
                          const char *type,
                          const char *id)
{
  AmDeletedRef *ref = g_new (AmDeletedRef, 1);

  ref->type = g_strdup (type);
  ref->id = g_strdup (id);
  g_ptr_array_add (page->deleted, ref);
}

void
am_outbox_entry_free (AmOutboxEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->kind);
  g_free (entry->idempotency_id);
  g_free (entry->body);
  g_free (entry->last_error);
  g_free (entry);
}

/**
 * am_store_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/access-manager/cache.sqlite`
 */
char *
am_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "access-manager", "cache.sqlite", NULL);
}

/**
 * am_store_open:
 * @path: (nullable): the cache file, or %NULL for am_store_default_path()
 * @error: a location for a #GError
 *
 * Opens the cache, creating it (and its folder, private to the user) if
 * need be, and brings its schema up to date. A file that cannot be read is
 * set aside and a fresh cache started; am_store_get_recovery_notice() then
 * says so.
 *
 * Returns: (transfer full) (nullable): the store
 */
AmStore *
am_store_open (const char  *path,
               GError     **error)
{
  return store_open (path, AM_STORE_SCHEMA_VERSION, error);
}

AmStore *
am_store_open_at_version (const char  *path,
                          int          version,
                          GError     **error)
{
  g_return_val_if_fail (version >= 0 && version <= AM_STORE_SCHEMA_VERSION, NULL);

  return store_open (path, version, error);
}

const char *
am_store_get_path (AmStore *self)
{
  g_return_val_if_fail (AM_IS_STORE (self), NULL);
  return self->path;
}

/**
 * am_store_get_recovery_notice:
 * @self: a store
 *
 * Returns: (nullable): a sentence for the user when the cache was set
 *   aside on opening and a fresh one started, else %NULL
 */
const char *
am_store_get_recovery_notice (AmStore *self)
{
  g_return_val_if_fail (AM_IS_STORE (self), NULL);
  return self->recovery_notice;
}

/* Notes the ids of a page's records in "seen", during a sync from scratch. */
static gboolean
note_seen (AmStore           *self,
           const AmSyncPage  *page,
           GError           **error)
{
  sqlite3_stmt *stmt = prepare (self, "INSERT OR IGNORE INTO temp.seen (type, id) VALUES (?1, ?2)");
  const struct
  {
    AmRecordType  type;
    GPtrArray    *records;
  } lists[] = {
    { AM_RECORD_PROPERTY, page->properties },
    { AM_RECORD_LOCK, page->locks },
    { AM_RECORD_GRANT, page->grants },
    { AM_RECORD_PASSCODE, page->passcodes },
    { AM_RECORD_UNLOCK, page->unlocks },
  };

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    for (guint j = 0; j < lists[i].records->len; j++)
      {
        gpointer record = g_ptr_array_index (lists[i].records, j);
        const char *id;

        switch (lists[i].type)
          {
          case AM_RECORD_PROPERTY: id = ((AmProperty *) record)->id; break;
          case AM_RECORD_LOCK: id = ((AmLock *) record)->id; break;
          case AM_RECORD_GRANT: id = ((AmGrant *) record)->property_id; break;
          case AM_RECORD_PASSCODE: id = ((AmPasscodeRecord *) record)->id; break;
          case AM_RECORD_UNLOCK: id = ((AmUnlock *) record)->id; break;
          case AM_RECORD_LOCK_EVENT:
          case AM_RECORD_OUTBOX:
          case AM_N_RECORD_TYPES:
          default: g_assert_not_reached ();
          }
        sqlite3_bind_int (stmt, 1, lists[i].type);
        bind_text (stmt, 2, id);
        if (!step_done (self, stmt, error))
          return FALSE;
      }
  return TRUE;
}

/**
 * am_store_apply_page:
 * @self: a store
 * @page: a page of changes from the cloud
 * @error: a location for a #GError
 *
 * Writes a page and its cursor in one transaction: all of it or, on an
 * error, none of it. Records are written parents first; a record whose
 * parent is neither in the page nor in the cache is an error.
 *
 * Returns: %TRUE when the page is in the cache
 */
gboolean
am_store_apply_page (AmStore           *self,
                     const AmSyncPage  *page,
                     GError           **error)
{
  g_autoptr(GHashTable) stale_search = g_hash_table_new (NULL, NULL);
  gboolean ok = TRUE;

  g_return_val_if_fail (AM_IS_STORE (self), FALSE);
  g_return_val_if_fail (page != NULL, FALSE);

  if (!begin (self, error))
    return FALSE;

  /* A page is the state at its cursor: what it sends exists then, so a
   * deletion it also names (of a grant lost and given back) goes first. */
  for (guint i = 0; ok && i < page->deleted->len; i++)
    ok = write_deleted (self, g_ptr_array_index (page->deleted, i), stale_search, error);
  for (guint i = 0; ok && i < page->properties->len; i++)
    ok = write_property (self, g_ptr_array_index (page->properties, i), stale_search, error);
  for (guint i = 0; ok && i < page->locks->len; i++)
    ok = write_lock (self, g_ptr_array_index (page->locks, i), stale_search, error);
  for (guint i = 0; ok && i < page->grants->len; i++)
    ok = write_grant (self, g_ptr_array_index (page->grants, i), error);
  for (guint i = 0; ok && i < page->passcodes->len; i++)
    ok = write_passcode (self, g_ptr_array_index (page->passcodes, i), error);
  for (guint i = 0; ok && i < page->events->len; i++)
    ok = write_lock_event (self, g_ptr_array_index (page->events, i), error);
  for (guint i = 0; ok && i < page->unlocks->len; i++)
    ok = write_unlock (self, g_ptr_array_index (page->unlocks, i), error);
  ok = ok && refresh_search_texts (self, stale_search, error);
  ok = ok && refresh_last_activity (self, error);
  if (self->noting_seen)
    ok = ok && note_seen (self, page, error);

  if (ok && page->cursor != NULL)
    {
      sqlite3_stmt *stmt = prepare (self, "UPDATE sync_state SET cursor = ?1");

      bind_text (stmt, 1, page->cursor);
      ok = step_done (self, stmt, error);
    }

  if (!ok)
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

/**
 * am_store_get_cursor:
 * @self: a store
 *
 * Returns: (transfer full) (nullable): the cursor stored with the last page
 */
char *
am_store_get_cursor (AmStore *self)
{
  sqlite3_stmt *stmt;
  char *cursor = NULL;

  g_return_val_if_fail (AM_IS_STORE (self), NULL);

  stmt = prepare (self, "SELECT cursor FROM sync_state");
  if (sqlite3_step (stmt) == SQLITE_ROW)
    cursor = column_text (stmt, 0);
  sqlite3_reset (stmt);
  return cursor;
}

gint64
am_store_get_last_sync (AmStore *self)
{
  sqlite3_stmt *stmt;
  gint64 at = 0;

  g_return_val_if_fail (AM_IS_STORE (self), 0);

  stmt = prepare (self, "SELECT last_success_at FROM sync_state");
  if (sqlite3_step (stmt) == SQLITE_ROW)
    at = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return at;
}

gboolean
am_store_set_last_sync (AmStore  *self,
                        gint64    at,
                        GError  **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (AM_IS_STORE (self), FALSE);

  stmt = prepare (self, "UPDATE sync_state SET last_success_at = ?1");
  sqlite3_bind_int64 (stmt, 1, at);
  return step_done (self, stmt, error);
}

/**
 * am_account_free:
 * @account: (nullable): an account
 */
void
am_account_free (AmAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->server);
  g_free (account->user_id);
  g_free (account->user_name);
  g_free (account->user_email);
  g_free (account->org_id);
  g_free (account->org_name);
  g_free (account);
}

/**
 * am_store_get_account:
 * @self: a store
 *
 * Returns: (transfer full) (nullable): the account the cache belongs to,
 *   signed in or not; %NULL before anyone signed in
 */
AmAccount *
am_store_get_account (AmStore *self)
{
  sqlite3_stmt *stmt;
  AmAccount *account = NULL;

  g_return_val_if_fail (AM_IS_STORE (self), NULL);

  stmt = prepare (self, "SELECT server, user_id, user_name, user_email, org_id, org_name, signed_in"
                        " FROM account");
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      account = g_new0 (AmAccount, 1);
      account->server = column_text (stmt, 0);
      account->user_id = column_text (stmt, 1);
      account->user_name = column_text (stmt, 2);
      account->user_email = column_text (stmt, 3);
      account->org_id = column_text (stmt, 4);
      account->org_name = column_text (stmt, 5);
      account->signed_in = sqlite3_column_int (stmt, 6) != 0;
    }
  sqlite3_reset (stmt);
  return account;
}

/**
 * am_store_set_account:
 * @self: a store
 * @account: who signed in, to which cloud
 * @error: a location for a #GError
 *
 * Records who the cache belongs to. The caller makes sure that the cache
 * holds nothing of another account (am_store_reset()).
 */
gboolean
am_store_set_account (AmStore          *self,
                      const AmAccount  *account,
                      GError          **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (AM_IS_STORE (self), FALSE);
  g_return_val_if_fail (account != NULL && account->server != NULL && account->user_id != NULL, FALSE);

  stmt = prepare (self, "INSERT OR REPLACE INTO account (singleton, server, user_id, user_name,"
                        " user_email, org_id, org_name, signed_in) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  bind_text (stmt, 1, account->server);
  bind_text (stmt, 2, account->user_id);
  bind_text (stmt, 3, account->user_name);
  bind_text (stmt, 4, account->user_email);
  bind_text (stmt, 5, account->org_id);
  bind_text (stmt, 6, account->org_name);
  sqlite3_bind_int (stmt, 7, account->signed_in);
  return step_done (self, stmt, error);
}

/**
 * am_store_set_signed_in:
 * @self: a store
 * @signed_in: whether the account's session is valid
 * @error: a location for a #GError
 *
 * Marks the account signed out (its session ended or was refused) or in
 * again; the cache stays either way.
 */
gboolean
am_store_set_signed_in (AmStore   *self,
                        gboolean   signed_in,
                        GError   **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (AM_IS_STORE (self), FALSE);

  stmt = prepare (self, "UPDATE account SET signed_in = ?1");
  sqlite3_bind_int (stmt, 1, signed_in);
  return step_done (self, stmt, error);
}

/**
 * am_store_reset:
 * @self: a store
 * @error: a location for a #GError
 *
 * Forgets every record, the outbox, the cursor and the account: for a
 * cache that is to belong to someone else.
 */
gboolean
am_store_reset (AmStore  *self,
                GError  **error)
{
  g_return_val_if_fail (AM_IS_STORE (self), FALSE);

  if (!begin (self, error))
    return FALSE;
  self->memo_lock_id[0] = '\0';
  if (!exec (self,
             "DELETE FROM properties; DELETE FROM users; DELETE FROM outbox; DELETE FROM account;"
             "UPDATE sync_state SET cursor = NULL, last_success_at = NULL, full_sync = 0;",
             error))
    {
      rollback (self);
      return FALSE;
    }
  for (guint t = AM_RECORD_PROPERTY; t < AM_N_RECORD_TYPES; t++)
    note_changed (self, t, 0);
  return commit (self, error);
}

/**
 * am_store_outbox_count:
 * @self: a store
 *
 * Returns: the number of changes waiting for the cloud
 */
gint64
am_store_outbox_count (AmStore *self)
{
  sqlite3_stmt *stmt;
  gint64 n = 0;

  g_return_val_if_fail (AM_IS_STORE (self), 0);

  stmt = prepare (self, "SELECT count(*) FROM outbox");
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

/**
 * am_store_is_full_sync:
 * @self: a store
 *
 * Returns: whether a sync from scratch was begun and not finished, also by
 *   a process that has ended since
 */
gboolean
am_store_is_full_sync (AmStore *self)
{
  sqlite3_stmt *stmt;
  gboolean full = FALSE;

  g_return_val_if_fail (AM_IS_STORE (self), FALSE);

  stmt = prepare (self, "SELECT full_sync FROM sync_state");
  if (sqlite3_step (stmt) == SQLITE_ROW)
    full = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  return full;
}

/**
 * am_store_begin_full_sync:
 * @self: a store
 * @error: a location for a #GError
 *
 * Starts a sync from scratch: forgets the cursor, and from now on notes
 * the records each page brings, until am_store_finish_full_sync() drops
 * those it did not bring; on an empty cache, the first sync, there is
 * nothing to drop and nothing is noted. A sync from scratch that a process
 * could not finish is begun again from its start, since what it saw is
 * lost.
 */
gboolean
am_store_begin_full_sync (AmStore  *self,
                          GError  **error)
{
  sqlite3_stmt *stmt;
  gboolean empty;

  g_return_val_if_fail (AM_IS_STORE (self), FALSE);

  stmt = prepare (self, "SELECT NOT EXISTS (SELECT 1 FROM properties)");
  empty = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);

  if (!exec (self,
             "CREATE TEMP TABLE IF NOT EXISTS seen (type INTEGER, id TEXT, PRIMARY KEY (type, id))"
             " WITHOUT ROWID; DELETE FROM temp.seen;"
             "UPDATE sync_state SET cursor = NULL, full_sync = 1;",
             error))
    return FALSE;
  self->full_sync_begun = TRUE;
  self->noting_seen = !empty;
  return TRUE;
}

/**
 * am_store_finish_full_sync:
 * @self: a store
 * @error: a location for a #GError
 *
 * Ends a sync from scratch whose last page is in: what the cloud did not
 * send is no longer the user's to see, and goes, except the changes still
 * waiting in the outbox. Lock events are facts of a lock's log and stay
 * while their lock does.
 */
gboolean
am_store_finish_full_sync (AmStore  *self,
                           GError  **error)
{
  g_autoptr(GHashTable) stale_search = g_hash_table_new (NULL, NULL);
  sqlite3_stmt *stmt;
  gboolean ok;
  int rc;

  g_return_val_if_fail (AM_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->full_sync_begun, FALSE);

  if (!self->noting_seen)
    {
      self->full_sync_begun = FALSE;
      return exec (self, "UPDATE sync_state SET full_sync = 0;", error);
    }

  if (!begin (self, error))
    return FALSE;
  self->memo_lock_id[0] = '\0';
  ok = exec (self, "DELETE FROM properties WHERE id NOT IN (SELECT id FROM temp.seen WHERE type = 0);", error);
  if (ok)
    {
      /* The properties whose gone locks they were found by. */
      stmt = prepare (self, "DELETE FROM locks WHERE id NOT IN (SELECT id FROM temp.seen WHERE type = 1)"
                            " RETURNING property");
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_hash_table_add (stale_search, GINT_TO_POINTER (sqlite3_column_int (stmt, 0)));
      sqlite3_reset (stmt);
      ok = rc == SQLITE_DONE || set_sqlite_error (self, rc, error);
    }
  ok = ok &&
       exec (self,
             "DELETE FROM grants WHERE property NOT IN (SELECT p.pk FROM properties p"
             "  JOIN temp.seen s ON s.type = 2 AND s.id = p.id);"
             "DELETE FROM passcodes WHERE id NOT IN (SELECT id FROM temp.seen WHERE type = 3)"
             "  AND id NOT IN (SELECT idempotency_id FROM outbox);"
             "DELETE FROM unlocks WHERE id NOT IN (SELECT id FROM temp.seen WHERE type = 5)"
             "  AND id NOT IN (SELECT idempotency_id FROM outbox);"
             "UPDATE sync_state SET full_sync = 0;"
             "DELETE FROM temp.seen;",
             error) &&
       refresh_search_texts (self, stale_search, error);
  if (!ok)
    {
      rollback (self);
      return FALSE;
    }
  for (guint t = AM_RECORD_PROPERTY; t <= AM_RECORD_UNLOCK; t++)
    note_changed (self, t, 0);
  self->noting_seen = FALSE;
  self->full_sync_begun = FALSE;
  return commit (self, error);
}

/**
 * am_store_list_keyed_locks:
 * @self: a store
 *
 * Returns: (transfer container) (element-type AmLock): the locks on whose
 *   property the user may generate codes or unlock over Bluetooth: those
 *   whose keys the user holds
 */
GPtrArray *
am_store_list_keyed_locks (AmStore *self)
{
  GPtrArray *locks = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;

  g_return_val_if_fail (AM_IS_STORE (self), locks);

  stmt = prepare (self, LOCK_SELECT " JOIN grants g ON g.property = l.property"
                        " WHERE ',' || g.permissions || ',' LIKE '%,generate_codes,%'"
                        "    OR ',' || g.permissions || ',' LIKE '%,ble_unlock,%'"
                        " ORDER BY l.pk");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (locks, read_lock (stmt));
  sqlite3_reset (stmt);
  return locks;
}

/**
 * am_store_get_property:
 * @self: a store
 * @id: a property id
 *
 * Returns: (transfer full) (nullable): the property, if cached
 */
AmProperty *
am_store_get_property (AmStore    *self,
                       const char *id)
{
  g_return_val_if_fail (AM_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return read_one (self, PROPERTY_SELECT " WHERE id = ?1", READER (read_property), id, 0);
}

AmLock *
am_store_get_lock (AmStore    *self,
                   const char *id)
{
  g_return_val_if_fail (AM_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return read_one (self, LOCK_SELECT " WHERE l.id = ?1", READER (read_lock), id, 0);
}

AmGrant *
am_store_get_grant (AmStore    *self,
                    const char *property_id)
{
  g_return_val_if_fail (AM_IS_STORE (self), NULL);
  g_return_val_if_fail (property_id != NULL, NULL);

  return read_one (self, GRANT_SELECT " WHERE p.id = ?1", READER (read_grant), property_id, 0);
}

AmPasscodeRecord *
am_store_get_passcode (AmStore    *self,
                       const char *id)
{
  g_return_val_if_fail (AM_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return read_one (self, PASSCODE_SELECT " WHERE c.id = ?1", READER (read_passcode), id, 0);
}

/**
 * am_store_find_same_window:
 * @self: a store
 * @lock_id: a lock id
 * @kv: a key version
 * @start_h: a start hour
 * @p: the kind and duration
 *
 * A passcode with the same lock, kv, start_h and p has the same digits: a
 * code issued for that window would be the one already given to someone
 * else. The caller offers another window instead.
 *
 * Returns: (transfer full) (nullable): the newest such passcode, if any
 */
AmPasscodeRecord *
am_store_find_same_window (AmStore    *self,
                           const char *lock_id,
                           guint       kv,
                           guint32     start_h,
                           guint       p)
{
  sqlite3_stmt *stmt;
  AmPasscodeRecord *record = NULL;

  g_return_val_if_fail (AM_IS_STORE (self), NULL);
  g_return_val_if_fail (lock_id != NULL, NULL);

  stmt = prepare (self, PASSCODE_SELECT
                  " WHERE l.id = ?1 AND c.kv = ?2 AND c.start_h = ?3 AND c.p = ?4"
                  " ORDER BY c.created_at DESC LIMIT 1");
  bind_text (stmt, 1, lock_id);
  sqlite3_bind_int (stmt, 2, (int) kv);
  sqlite3_bind_int64 (stmt, 3, start_h);
  sqlite3_bind_int (stmt, 4, (int) p);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    record = read_passcode (stmt);
  sqlite3_reset (stmt);
  return record;
}

/* Queues a change for the cloud, inside the caller's transaction. */
static gboolean
queue_change (AmStore     *self,
              const char  *kind,
              const char  *idempotency_id,
              const char  *body,
              GError     **error)
{
  sqlite3_stmt *stmt = prepare (self, "INSERT INTO outbox (kind, idempotency_id, body, created_at)"
                                      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (idempotency_id)"
                                      " DO UPDATE SET body = excluded.body RETURNING pk");

  bind_text (stmt, 1, kind);
  bind_text (stmt, 2, idempotency_id);
  bind_text (stmt, 3, body);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC);
  return step_returning (self, stmt, AM_RECORD_OUTBOX, error);
}

/**
 * am_store_issue_passcode:
 * @self: a store
 * @record: a passcode just derived, not yet shown to anyone
 * @error: a location for a #GError
 *
 * Records an issued passcode and queues it for the cloud, in one
 * transaction written through to the disk, so that a code is never shown
 * without a record of it. Call this before showing the code.
 *
 * Returns: %TRUE when the passcode and its outbox entry are stored
 */
gboolean
am_store_issue_passcode (AmStore           *self,
                         AmPasscodeRecord  *record,
                         GError           **error)
{
  g_autofree char *body = NULL;
  gint64 lock_pk;
  gboolean ok;

  g_return_val_if_fail (AM_IS_STORE (self), FALSE);
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (record), FALSE);

  lock_pk = lookup_pk (self, AM_RECORD_LOCK, record->lock_id);
  if (lock_pk == 0)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_DATA,
                   _("This lock is no longer in the local cache. Sync, then choose the lock again."));
      return FALSE;
    }
  if (lookup_pk (self, AM_RECORD_PASSCODE, record->id) != 0)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_EXISTS,
                   _("This passcode has already been issued."));
      return FALSE;
    }

  body = passcode_create_body (record);

  /* A local change that exists nowhere else: wait for the disk. */
  if (!exec (self, "PRAGMA synchronous = FULL", error) || !begin (self, error))
    return FALSE;

  ok = write_record (self, AM_RECORD_PASSCODE, bind_passcode, record, lock_pk, NULL, error) &&
       queue_change (self, AM_OUTBOX_PASSCODE_CREATE, record->id, body, error);

  ok = ok ? commit (self, error) : (rollback (self), FALSE);
  exec (self, "PRAGMA synchronous = NORMAL", NULL);
  return ok;
}

/* Bluetooth visits: what the lock said, kept and queued for the cloud. */

/**
 * am_store_get_next_lock_seq:
 * @self: a store
 * @lock_id: a lock
 *
 * Returns: the sequence number of the first record of the lock's log the
 *   cache does not hold: where the next READ_LOG starts
 */
guint32
am_store_get_next_lock_seq (AmStore    *self,
                            const char *lock_id)
{
  sqlite3_stmt *stmt;
  guint32 next = 0;

  g_return_val_if_fail (AM_IS_STORE (self), 0);
  g_return_val_if_fail (lock_id != NULL, 0);

  stmt = prepare (self, "SELECT max (seq) + 1 FROM lock_events"
                        " WHERE lock = (SELECT pk FROM locks WHERE id = ?1)");
  bind_text (stmt, 1, lock_id);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    next = (guint32) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return next;
}

/* Runs @write in one transaction that waits for the disk, for a change
 * that exists nowhere else yet. */
static gboolean
write_local (AmStore   *self,
             gboolean (*write) (AmStore *self, gpointer data, GError **error),
             gpointer   data,
             GError   **error)
{
  gboolean ok;

  if (!exec (self, "PRAGMA synchronous = FULL", error))
    return FALSE;
  if (!begin (self, error))
    {
      exec (self, "PRAGMA synchronous = NORMAL", NULL);
      return FALSE;
    }
  ok = write (self, data, error);
  ok = ok ? commit (self, error) : (rollback (self), FALSE);
  exec (self, "PRAGMA synchronous = NORMAL", NULL);
  return ok;
}

typedef struct
{
  const char *lock_id;
  GPtrArray  *events;
} LockLog;

static gboolean
write_lock_log (AmStore  *self,
                gpointer  data,
                GError  **error)
{
  LockLog *log = data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;
  g_autofree char *key = NULL;
  AmLockEventRecord *first = g_ptr_array_index (log->events, 0);
  AmLockEventRecord *last = g_ptr_array_index (log->events, log->events->len - 1);

  for (guint i = 0; i < log->events->len; i++)
    if (!write_lock_event (self, g_ptr_array_index (log->events, i), error))
      return FALSE;
  if (!refresh_last_activity (self, error))
    return FALSE;

  /* The upload, with its lock: {"lock_id", "events"}. */
  am_lock_events_to_upload_json (log->events, builder);
  root = json_builder_get_root (builder);
  json_object_set_string_member (json_node_get_object (root), "lock_id", log->lock_id);
  body = json_to_string (root, FALSE);
  key = g_strdup_printf ("%s/events/%u-%u", log->lock_id, first->seq, last->seq);
  return queue_change (self, AM_OUTBOX_LOCK_EVENTS, key, body, error);
}

/**
 * am_store_record_lock_log:
 * @self: a store
 * @lock_id: the lock
 * @events: (element-type AmLockEventRecord): records of its log, read over
 *   Bluetooth, oldest first
 * @error: a location for a #GError
 *
 * Stores the records and queues them for the cloud, in one transaction; a
 * record the cache holds already is written again, not doubled.
 */
gboolean
am_store_record_lock_log (AmStore     *self,
                          const char  *lock_id,
                          GPtrArray   *events,
                          GError     **error)
{
  LockLog log = { lock_id, events };

  g_return_val_if_fail (AM_IS_STORE (self), FALSE);
  g_return_val_if_fail (lock_id != NULL && events != NULL, FALSE);

  if (events->len == 0)
    return TRUE;
  return write_local (self, write_lock_log, &log, error);
}

static gboolean
write_local_unlock (AmStore  *self,
                    gpointer  data,
                    GError  **error)
{
  AmUnlock *unlock = data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;

  am_unlock_to_create_json (unlock, builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  return write_unlock (self, unlock, error) &&
         queue_change (self, AM_OUTBOX_UNLOCK_CREATE, unlock->id, body, error);
}

/**
 * am_store_record_unlock:
 * @self: a store
 * @unlock: a Bluetooth unlock just made
 * @error: a location for a #GError
 *
 * Stores the unlock and queues it for the cloud, in one transaction.
 */
gboolean
am_store_record_unlock (AmStore   *self,
                        AmUnlock  *unlock,
                        GError   **error)
{
  g_return_val_if_fail (AM_IS_STORE (self), FALSE);
  g_return_val_if_fail (AM_IS_UNLOCK (unlock), FALSE);

  return write_local (self, write_local_unlock, unlock, error);
}

/**
 * am_store_list_pending_revocations:
 * @self: a store
 * @lock_id: a lock
 *
 * Returns: (transfer container) (element-type AmPasscodeRecord): the
 *   passcodes of the lock revoked in the cloud, still able to open it, that
 *   no REVOKE record of the lock's log confirms yet
 */
GPtrArray *
am_store_list_pending_revocations (AmStore    *self,
                                   const char *lock_id)
{
  GPtrArray *passcodes = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;

  g_return_val_if_fail (AM_IS_STORE (self), passcodes);
  g_return_val_if_fail (lock_id != NULL, passcodes);

  stmt = prepare (self, PASSCODE_SELECT " WHERE c.lock = (SELECT pk FROM locks WHERE id = ?1)"
                        " AND c.revoked_at IS NOT NULL AND c.ends_at > ?2"
                        " AND NOT EXISTS (SELECT 1 FROM lock_events e WHERE e.lock = c.lock"
                        "   AND e.event = 'revoke' AND e.start_h = c.start_h AND e.p = c.p)"
                        " ORDER BY c.pk");
  bind_text (stmt, 1, lock_id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC - AM_PASSCODE_SKEW_S);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (passcodes, read_passcode (stmt));
  sqlite3_reset (stmt);
  return passcodes;
}

/* The locks dashboard: filtered in SQL, sorted in memory. The cache reads
 * each lock's row id and sort key in the all-locks order (by property,
 * then lock name), which the indexes give without sorting, and a sort of
 * those pairs by the key alone, ties broken by that order, does the rest:
 * equal keys stay by property and name, and no lock is read as an object.
 * SQLite's own ORDER BY, comparing the names in the records to break the
 * ties, took up to twice as long over 100,000 locks
 * (tests/bench/bench-locks-dashboard); the all-locks order itself needs no
 * sort at all. */
typedef enum
{
  SORT_KEY_INTEGER,
  SORT_KEY_TEXT,
} SortKeyType;

static const struct
{
  const char  *expression;    /* of l, the lock, and p, its property */
  SortKeyType  type;
} lock_sort_keys[] = {
  [AM_LOCK_SORT_PROPERTY] = { "p.sort_key", SORT_KEY_TEXT },
  [AM_LOCK_SORT_NAME] = { "l.sort_key", SORT_KEY_TEXT },
  [AM_LOCK_SORT_UNIT] = { "lower (l.unit)", SORT_KEY_TEXT },
  [AM_LOCK_SORT_BATTERY] = { "coalesce (l.seen_battery, l.battery)", SORT_KEY_INTEGER },
  [AM_LOCK_SORT_MODE] = { "l.mode", SORT_KEY_TEXT },
  [AM_LOCK_SORT_LAST_ACTIVITY] = { "l.last_event_at", SORT_KEY_INTEGER },
  [AM_LOCK_SORT_LAST_VISIT] = { "l.seen_at", SORT_KEY_INTEGER },
};

typedef struct
{
  guint32  rowid;
  guint32  position;        /* in the all-locks order */
  gboolean known;
  union
  {
    gint64      number;
    const char *text;
  } key;
} SortEntry;

typedef struct
{
  SortKeyType type;
  gboolean    descending;
} SortOrder;

static int
compare_sort_entries (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  const SortEntry *x = a, *y = b;
  const SortOrder *order = user_data;
  int result = 0;

  /* Unknown values last, whichever the direction. */
  if (x->known != y->known)
    return x->known ? -1 : 1;
  if (x->known)
    {
      if (order->type == SORT_KEY_INTEGER)
        result = (x->key.number > y->key.number) - (x->key.number < y->key.number);
      else
        result = strcmp (x->key.text, y->key.text);
      if (order->descending)
        result = -result;
    }
  if (result == 0)
    result = (x->position > y->position) - (x->position < y->position);
  return result;
}

static char *
lock_like_pattern (const char *search)
{
  GString *pattern = g_string_new ("%");

  for (const char *c = search; *c != '\0'; c++)
    {
      if (*c == '%' || *c == '_' || *c == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *c);
    }
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

/**
 * am_store_load_lock_ids_sorted:
 * @self: a store
 * @sort: the key to sort by
 * @descending: whether the largest comes first (unknown values go last
 *   either way)
 * @property_id: (nullable): only the locks of this property
 * @search: (nullable): only the locks whose name, unit or property's name
 *   holds this text, ignoring case
 *
 * Returns: (transfer full) (element-type guint32): the locks' row ids
 */
GArray *
am_store_load_lock_ids_sorted (AmStore    *self,
                               AmLockSort  sort,
                               gboolean    descending,
                               const char *property_id,
                               const char *search)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GString) sql = g_string_new ("SELECT l.pk");
  g_autoptr(GArray) entries = NULL;
  g_autoptr(GStringChunk) texts = NULL;
  g_autofree char *pattern = NULL;
  gboolean keyed;
  SortOrder order;
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (AM_IS_STORE (self), ids);
  g_return_val_if_fail (sort < G_N_ELEMENTS (lock_sort_keys), ids);

  /* By property, ascending, is the order the rows come in. */
  keyed = sort != AM_LOCK_SORT_PROPERTY || descending;
  order = (SortOrder) { lock_sort_keys[sort].type, !!descending };

  if (search != NULL && *search != '\0')
    pattern = lock_like_pattern (search);
  if (keyed)
    g_string_append_printf (sql, ", %s", lock_sort_keys[sort].expression);
  g_string_append (sql, " FROM locks l JOIN properties p ON p.pk = l.property");
  if (property_id != NULL)
    g_string_append (sql, " WHERE p.id = ?1");
  if (pattern != NULL)
    g_string_append_printf (sql, " %s (l.name LIKE ?2 ESCAPE '\\' OR l.unit LIKE ?2 ESCAPE '\\'"
                                 " OR p.name LIKE ?2 ESCAPE '\\')",
                            property_id != NULL ? "AND" : "WHERE");
  g_string_append (sql, " ORDER BY p.sort_key, p.pk, l.sort_key, l.pk");

  if (sqlite3_prepare_v2 (self->db, sql->str, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_critical ("Cannot prepare “%s”: %s", sql->str, sqlite3_errmsg (self->db));
      return ids;
    }
  if (property_id != NULL)
    bind_text (stmt, 1, property_id);
  if (pattern != NULL)
    bind_text (stmt, 2, pattern);

  if (!keyed)
    {
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          guint32 id = (guint32) sqlite3_column_int64 (stmt, 0);
          g_array_append_val (ids, id);
        }
      sqlite3_finalize (stmt);
      return ids;
    }

  entries = g_array_new (FALSE, FALSE, sizeof (SortEntry));
  if (order.type == SORT_KEY_TEXT)
    texts = g_string_chunk_new (64 * 1024);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      SortEntry entry = { (guint32) sqlite3_column_int64 (stmt, 0), entries->len, FALSE, { 0 } };

      entry.known = sqlite3_column_type (stmt, 1) != SQLITE_NULL;
      if (entry.known && order.type == SORT_KEY_INTEGER)
        entry.key.number = sqlite3_column_int64 (stmt, 1);
      else if (entry.known)
        entry.key.text = g_string_chunk_insert (texts, (const char *) sqlite3_column_text (stmt, 1));
      g_array_append_val (entries, entry);
    }
  sqlite3_finalize (stmt);

  g_qsort_with_data (entries->data, entries->len, sizeof (SortEntry), compare_sort_entries, &order);
  g_array_set_size (ids, entries->len);
  for (guint i = 0; i < entries->len; i++)
    g_array_index (ids, guint32, i) = g_array_index (entries, SortEntry, i).rowid;
  return ids;
}

/**
 * am_store_list_passcode_issuers:
 * @self: a store
 * @lock_id: a lock
 *
 * Reads every passcode of the lock: for a worker thread's reader
 * (am_store_open_reader()) where a lock has many.
 *
 * Returns: (transfer full): the names of those who issued the lock's
 *   passcodes, each once, in order
 */
GStrv
am_store_list_passcode_issuers (AmStore    *self,
                                const char *lock_id)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  sqlite3_stmt *stmt;

  g_return_val_if_fail (AM_IS_STORE (self), g_strv_builder_end (names));
  g_return_val_if_fail (lock_id != NULL, g_strv_builder_end (names));

  stmt = prepare (self, "SELECT DISTINCT created_by_name FROM passcodes"
                        " WHERE lock = (SELECT pk FROM locks WHERE id = ?1)"
                        " ORDER BY created_by_name COLLATE NOCASE");
  bind_text (stmt, 1, lock_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_strv_builder_add (names, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return g_strv_builder_end (names);
}

/**
 * am_store_set_lock_seen:
 * @self: a store
 * @lock_id: a lock
 * @battery: its battery in percent, or -1 when it did not say
 * @flags: its advert's flags
 * @at: when
 * @error: a location for a #GError
 *
 * Keeps what the lock said of itself at a Bluetooth visit ("battery as of
 * the last Bluetooth visit").
 */
gboolean
am_store_set_lock_seen (AmStore     *self,
                        const char  *lock_id,
                        gint         battery,
                        guint        flags,
                        gint64       at,
                        GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (AM_IS_STORE (self), FALSE);
  g_return_val_if_fail (lock_id != NULL, FALSE);

  stmt = prepare (self, "UPDATE locks SET seen_battery = ?2, seen_flags = ?3, seen_at = ?4 WHERE id = ?1");
  bind_text (stmt, 1, lock_id);
  if (battery >= 0 && battery <= 100)
    sqlite3_bind_int (stmt, 2, battery);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_int (stmt, 3, (int) flags);
  sqlite3_bind_int64 (stmt, 4, at);
  if (!step_done (self, stmt, error))
    return FALSE;

  /* The lock's row reads otherwise now (its battery, its last visit):
   * the lists that show it are told. */
  stmt = prepare (self, "SELECT pk FROM locks WHERE id = ?1");
  bind_text (stmt, 1, lock_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 pk = sqlite3_column_int64 (stmt, 0);

      sqlite3_reset (stmt);
      if (self->in_transaction)
        note_changed (self, AM_RECORD_LOCK, pk);
      else
        {
          g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint32));
          guint32 id = (guint32) pk;

          g_array_append_val (ids, id);
          g_signal_emit (self, signals[CHANGED], 0, (guint) AM_RECORD_LOCK, ids);
        }
    }
  else
    sqlite3_reset (stmt);
  return TRUE;
}

/**
 * am_store_get_lock_seen:
 * @self: a store
 * @lock_id: a lock
 * @battery: (out) (optional): the battery at the last visit, -1 unknown
 * @flags: (out) (optional): the advert's flags then
 *
 * Returns: when the lock was last seen over Bluetooth, 0 for never
 */
gint64
am_store_get_lock_seen (AmStore    *self,
                        const char *lock_id,
                        gint       *battery,
                        guint      *flags)
{
  sqlite3_stmt *stmt;
  gint64 at = 0;

  g_return_val_if_fail (AM_IS_STORE (self), 0);
  g_return_val_if_fail (lock_id != NULL, 0);

  stmt = prepare (self, "SELECT seen_battery, seen_flags, seen_at FROM locks WHERE id = ?1");
  bind_text (stmt, 1, lock_id);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 2) != SQLITE_NULL)
    {
      at = sqlite3_column_int64 (stmt, 2);
      if (battery != NULL)
        *battery = sqlite3_column_type (stmt, 0) != SQLITE_NULL ? sqlite3_column_int (stmt, 0) : -1;
      if (flags != NULL)
        *flags = (guint) sqlite3_column_int (stmt, 1);
    }
  sqlite3_reset (stmt);
  return at;
}

/**
 * am_store_outbox_list:
 * @self: a store
 * @due_by: only entries whose next attempt is not after this time;
 *   %G_MAXINT64 for all
 *
 * Returns: (transfer container) (element-type AmOutboxEntry): the queued
 *   changes, oldest first
 */
GPtrArray *
am_store_outbox_list (AmStore *self,
                      gint64   due_by)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) am_outbox_entry_free);
  sqlite3_stmt *stmt;

  g_return_val_if_fail (AM_IS_STORE (self), entries);

  stmt = prepare (self, "SELECT kind, idempotency_id, body, attempts, next_attempt_at, last_error, created_at"
                        " FROM outbox WHERE next_attempt_at <= ?1 ORDER BY pk");
  sqlite3_bind_int64 (stmt, 1, due_by);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      AmOutboxEntry *entry = g_new0 (AmOutboxEntry, 1);

      entry->kind = column_text (stmt, 0);
      entry->idempotency_id = column_text (stmt, 1);
      entry->body = column_text (stmt, 2);
      entry->attempts = (guint) sqlite3_column_int (stmt, 3);
      entry->next_attempt_at = sqlite3_column_int64 (stmt, 4);
      entry->last_error = column_text (stmt, 5);
      entry->created_at = sqlite3_column_int64 (stmt, 6);
      g_ptr_array_add (entries, entry);
    }
  sqlite3_reset (stmt);
  return entries;
}

static gboolean
write_outbox (AmStore     *self,
              const char  *sql,
              const char  *idempotency_id,
              gint64       next_attempt_at,
              const char  *last_error,
              GError     **error)
{
  sqlite3_stmt *stmt;

  if (!begin (self, error))
    return FALSE;

  stmt = prepare (self, sql);
  bind_text (stmt, 1, idempotency_id);
  if (last_error != NULL)
    {
      sqlite3_bind_int64 (stmt, 2, next_attempt_at);
      bind_text (stmt, 3, last_error);
    }
  if (!step_returning (self, stmt, AM_RECORD_OUTBOX, error))
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

/**
 * am_store_outbox_remove:
 * @self: a store
 * @idempotency_id: an entry's key
 * @error: a location for a #GError
 *
 * Drops an entry the cloud has taken.
 */
gboolean
am_store_outbox_remove (AmStore     *self,
                        const char  *idempotency_id,
                        GError     **error)
{
  g_return_val_if_fail (AM_IS_STORE (self), FALSE);
  g_return_val_if_fail (idempotency_id != NULL, FALSE);

  return write_outbox (self, "DELETE FROM outbox WHERE idempotency_id = ?1 RETURNING pk",
                       idempotency_id, 0, NULL, error);
}

/**
 * am_store_outbox_defer:
 * @self: a store
 * @idempotency_id: an entry's key
 * @next_attempt_at: not to be sent again before then
 * @last_error: why sending it failed
 * @error: a location for a #GError
 *
 * Counts a failed attempt and puts the next one off.
 */
gboolean
am_store_outbox_defer (AmStore     *self,
                       const char  *idempotency_id,
                       gint64       next_attempt_at,
                       const char  *last_error,
                       GError     **error)
{
  g_return_val_if_fail (AM_IS_STORE (self), FALSE);
  g_return_val_if_fail (idempotency_id != NULL, FALSE);
  g_return_val_if_fail (last_error != NULL, FALSE);

  return write_outbox (self,
                       "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3"
                       " WHERE idempotency_id = ?1 RETURNING pk",
                       idempotency_id, next_attempt_at, last_error, error);
}

/* For the record lists. */

static const struct
{
  const char *all;          /* without a parent */
  const char *of_parent;    /* with ?1 the parent's id */
  const char *record;       /* with ?1 a row id */
  gpointer  (*reader) (sqlite3_stmt *);
  const char *count_of_parent;  /* with ?1 the parent's id */
} lists[] = {
  [AM_STORE_LIST_PROPERTIES] = {
    "SELECT pk FROM properties ORDER BY sort_key, pk LIMIT ?9",
    NULL,
    PROPERTY_SELECT " WHERE pk = ?1",
    READER (read_property),
  },
  [AM_STORE_LIST_LOCKS] = {
    "SELECT l.pk FROM locks l JOIN properties p ON p.pk = l.property"
    " ORDER BY p.sort_key, p.pk, l.sort_key, l.pk LIMIT ?9",
    "SELECT pk FROM locks WHERE property = (SELECT pk FROM properties WHERE id = ?1)"
    " ORDER BY sort_key, pk LIMIT ?9",
    LOCK_SELECT " WHERE l.pk = ?1",
    READER (read_lock),
    "SELECT COUNT(*) FROM locks WHERE property = (SELECT pk FROM properties WHERE id = ?1)",
  },
  [AM_STORE_LIST_PASSCODES] = {
    NULL,
    "SELECT pk FROM passcodes WHERE lock = (SELECT pk FROM locks WHERE id = ?1)"
    " ORDER BY created_at DESC, pk DESC LIMIT ?9",
    PASSCODE_SELECT " WHERE c.pk = ?1",
    READER (read_passcode),
    "SELECT COUNT(*) FROM passcodes WHERE lock = (SELECT pk FROM locks WHERE id = ?1)",
  },
  [AM_STORE_LIST_LOCK_EVENTS] = {
    NULL,
    "SELECT pk FROM lock_events WHERE lock = (SELECT pk FROM locks WHERE id = ?1)"
    " ORDER BY seq DESC LIMIT ?9",
    LOCK_EVENT_SELECT " WHERE e.pk = ?1",
    READER (read_lock_event),
    "SELECT COUNT(*) FROM lock_events WHERE lock = (SELECT pk FROM locks WHERE id = ?1)",
  },
};

/**
 * am_store_count_ids:
 * @self: a store
 * @list: which list
 * @parent_id: (nullable): the property or lock the list is of
 *
 * Returns: the number of items of the list, where the store can count them
 *   without reading them (all properties, the locks of a property, the
 *   passcodes and events of a lock); else -1
 */
gint64
am_store_count_ids (AmStore     *self,
                    AmStoreList  list,
                    const char  *parent_id)
{
  sqlite3_stmt *stmt;
  gint64 n = -1;

  g_return_val_if_fail (AM_IS_STORE (self), -1);

  if (parent_id != NULL && lists[list].count_of_parent != NULL)
    {
      stmt = prepare (self, lists[list].count_of_parent);
      bind_text (stmt, 1, parent_id);
    }
  else if (list == AM_STORE_LIST_PROPERTIES)
    stmt = prepare (self, "SELECT n FROM counts WHERE name = 'properties'");
  else
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

/**
 * am_store_load_ids:
 * @self: a store
 * @list: which list
 * @parent_id: (nullable): the property or lock the list is of
 * @limit: the most ids wanted, from the first; G_MAXUINT for all
 *
 * Returns: (transfer full) (element-type guint32): the row ids of the
 *   list, in its order
 */
GArray *
am_store_load_ids (AmStore     *self,
                   AmStoreList  list,
                   const char  *parent_id,
                   guint        limit)
{
  GArray *ids;
  const char *sql = parent_id != NULL ? lists[list].of_parent : lists[list].all;
  sqlite3_stmt *stmt;

  /* All properties: the search index's builder may have read them in its
   * thread already. */
  if (list == AM_STORE_LIST_PROPERTIES && parent_id == NULL && limit == G_MAXUINT &&
      !self->in_transaction && self->search_builder != NULL && am_store_search_is_ready (self))
    adopt_search_index (self);
  if (list == AM_STORE_LIST_PROPERTIES && parent_id == NULL && limit == G_MAXUINT &&
      self->property_order != NULL)
    return g_array_copy (self->property_order);

  ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_return_val_if_fail (sql != NULL, ids);

  stmt = prepare (self, sql);
  if (parent_id != NULL)
    bind_text (stmt, 1, parent_id);
  sqlite3_bind_int64 (stmt, 9, limit == G_MAXUINT ? -1 : (gint64) limit);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      guint32 id = (guint32) sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  return ids;
}

/**
 * am_store_load_record:
 * @self: a store
 * @list: which list the row is of
 * @rowid: the row
 *
 * Returns: (transfer full) (nullable): the record
 */
GObject *
am_store_load_record (AmStore     *self,
                      AmStoreList  list,
                      guint32      rowid)
{
  return read_one (self, lists[list].record, lists[list].reader, NULL, rowid);
}

typedef struct
{
  AmSearchIndex *index;
  GArray        *order;
} BuildResult;

static void
build_result_free (gpointer data)
{
  BuildResult *result = data;

  if (result == NULL)
    return;
  g_clear_pointer (&result->index, am_search_index_free);
  g_clear_pointer (&result->order, g_array_unref);
  g_free (result);
}

static gboolean
exec_on (sqlite3    *db,
         const char *sql)
{
  return sqlite3_exec (db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

static AmSearchIndex *
build_search_index (sqlite3 *db)
{
  AmSearchIndexBuilder *builder = am_search_index_builder_new ();
  sqlite3_stmt *stmt = NULL;
  gint64 start = g_get_monotonic_time ();

  if (sqlite3_prepare_v2 (db, "SELECT pk, search_text FROM properties", -1, &stmt, NULL) == SQLITE_OK)
    while (sqlite3_step (stmt) == SQLITE_ROW)
      am_search_index_builder_add (builder, (guint32) sqlite3_column_int64 (stmt, 0),
                                   (const char *) sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);

  g_debug ("Search index built in %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);
  return am_search_index_builder_finish (builder);
}

typedef struct
{
  char *path;
  gint *done;
} BuildJob;

/* On a connection of its own: WAL lets it read while the store writes.
 * It reads the list of all properties in order too, which a window's
 * list needs whole at its first search. Returns a BuildResult. */
static gpointer
build_search_index_thread (gpointer data)
{
  BuildJob *job = data;
  sqlite3 *db = NULL;
  BuildResult *result = g_new0 (BuildResult, 1);

  if (sqlite3_open_v2 (job->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL) == SQLITE_OK &&
      exec_on (db, "BEGIN"))
    {
      sqlite3_stmt *stmt = NULL;

      /* One read transaction: the order and the index see the same rows. */
      result->order = g_array_new (FALSE, FALSE, sizeof (guint32));
      if (sqlite3_prepare_v2 (db, lists[AM_STORE_LIST_PROPERTIES].all, -1, &stmt, NULL) == SQLITE_OK)
        {
          sqlite3_bind_int64 (stmt, 9, -1);
          while (sqlite3_step (stmt) == SQLITE_ROW)
            {
              guint32 id = (guint32) sqlite3_column_int64 (stmt, 0);
              g_array_append_val (result->order, id);
            }
        }
      sqlite3_finalize (stmt);
      result->index = build_search_index (db);
      exec_on (db, "COMMIT");
    }
  sqlite3_close (db);
  g_atomic_int_set (job->done, 1);
  g_free (job->path);
  g_free (job);
  return result;
}

/* Takes the index built in the background, waiting for it if need be, and
 * brings it up to date with what was written meanwhile. */
static void
adopt_search_index (AmStore *self)
{
  g_autoptr(GHashTable) changed = NULL;
  BuildResult *result;
  GHashTableIter iter;
  gpointer pk;

  if (self->search_builder == NULL)
    return;

  result = g_thread_join (g_steal_pointer (&self->search_builder));
  changed = g_steal_pointer (&self->changed_during_build);
  self->search_index = g_steal_pointer (&result->index);
  /* The order holds while no property was written since it was read. */
  if (g_hash_table_size (changed) == 0)
    self->property_order = g_steal_pointer (&result->order);
  build_result_free (result);
  if (self->search_index == NULL)
    return;

  g_hash_table_iter_init (&iter, changed);
  while (g_hash_table_iter_next (&iter, &pk, NULL))
    refresh_search_entry (self, GPOINTER_TO_UINT (pk));
}

/**
 * am_store_prepare_search:
 * @self: a store
 *
 * Starts building the search index in a thread of its own, so that the
 * first search as you type need not wait for it.
 */
void
am_store_prepare_search (AmStore *self)
{
  g_return_if_fail (AM_IS_STORE (self));

  if (self->search_index != NULL || self->search_builder != NULL)
    return;

  {
    BuildJob *job = g_new0 (BuildJob, 1);

    if (self->search_built == NULL)
      self->search_built = g_new0 (gint, 1);
    g_atomic_int_set (self->search_built, 0);
    job->path = g_strdup (self->path);
    job->done = self->search_built;
    self->changed_during_build = g_hash_table_new (NULL, NULL);
    self->search_builder = g_thread_new ("am-search-index", build_search_index_thread, job);
  }
}

/**
 * am_store_search_is_ready:
 * @self: a store
 *
 * Returns: whether am_store_search() can answer at once; %FALSE while the
 *   index is still being built in the background, which a search as you
 *   type should wait for without blocking (try again shortly)
 */
gboolean
am_store_search_is_ready (AmStore *self)
{
  g_return_val_if_fail (AM_IS_STORE (self), TRUE);

  return self->search_index != NULL || self->search_builder == NULL ||
         g_atomic_int_get (self->search_built) != 0;
}

/**
 * am_store_search:
 * @self: a store
 * @text: what the user typed
 *
 * Returns: (transfer full) (nullable): the properties, by row id, whose
 *   name, address, city, or lock names and units have a word starting with
 *   each word of @text, ignoring case and diacritics; %NULL when @text has
 *   no words (every property matches)
 */
AmDocSet *
am_store_search (AmStore    *self,
                 const char *text)
{
  g_autofree char *folded = am_text_fold (text);

  g_return_val_if_fail (AM_IS_STORE (self), NULL);

  if (*folded == '\0')
    return NULL;

  adopt_search_index (self);
  if (self->search_index == NULL)
    self->search_index = build_search_index (self->db);

  return am_search_index_query (self->search_index, folded);
}

/* Transitions to tell the user of, and reading for an export */

/* The records @select reads (with @reader) of the ids a temporary table
 * notes; @clear then empties that table. */
static GPtrArray *
take_noted (AmStore     *self,
            const char  *select,
            const char  *clear,
            gpointer   (*reader) (sqlite3_stmt *))
{
  GPtrArray *records = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt = prepare (self, select);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (records, reader (stmt));
  sqlite3_reset (stmt);
  if (!exec (self, clear, NULL))
    g_debug ("Could not clear the noted transitions");
  return records;
}

/**
 * am_store_take_first_uses:
 * @self: a store
 *
 * The passcodes whose first use has become known since the last call:
 * the cache held them unused, and a write (a sync) gave them a first use.
 * Each is given once.
 *
 * Returns: (transfer full) (element-type AmPasscodeRecord): the passcodes
 */
GPtrArray *
am_store_take_first_uses (AmStore *self)
{
  g_return_val_if_fail (AM_IS_STORE (self), NULL);
  g_return_val_if_fail (!self->in_transaction, NULL);

  return take_noted (self,
                     PASSCODE_SELECT " WHERE c.id IN (SELECT id FROM temp.first_uses) ORDER BY c.first_used_at, c.pk",
                     "DELETE FROM temp.first_uses",
                     READER (read_passcode));
}

/**
 * am_store_take_low_batteries:
 * @self: a store
 *
 * The locks whose battery has fallen below %AM_LOCK_BATTERY_LOW since the
 * last call (from a level at or above it, or from unknown). Each fall is
 * given once; a lock that recovers and falls again is given again.
 *
 * Returns: (transfer full) (element-type AmLock): the locks
 */
GPtrArray *
am_store_take_low_batteries (AmStore *self)
{
  g_return_val_if_fail (AM_IS_STORE (self), NULL);
  g_return_val_if_fail (!self->in_transaction, NULL);

  return take_noted (self,
                     LOCK_SELECT " WHERE l.id IN (SELECT id FROM temp.low_batteries) ORDER BY l.pk",
                     "DELETE FROM temp.low_batteries",
                     READER (read_lock));
}

/**
 * am_store_open_reader:
 * @path: the cache, as am_store_get_path() of a store that opened it
 * @error: a location for a #GError
 *
 * A second connection to a cache, read-only, for reading a lot in a
 * worker thread (an export) while the first goes on in the main one. It
 * neither migrates nor sets aside: a cache that is not at this code's
 * version is an error. Only reads may be called on it, from one thread.
 *
 * Returns: (transfer full) (nullable): the store
 */
AmStore *
am_store_open_reader (const char  *path,
                      GError     **error)
{
  g_autoptr(AmStore) self = g_object_new (AM_TYPE_STORE, NULL);
  sqlite3_stmt *stmt;
  int version = -1;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  self->path = g_strdup (path);
  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_STORAGE,
                   _("The local cache could not be opened (%s)."), sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, 5000);

  /* Not prepare(): a file that is no database is an error here, not a bug. */
  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK)
    {
      if (sqlite3_step (stmt) == SQLITE_ROW)
        version = sqlite3_column_int (stmt, 0);
      sqlite3_finalize (stmt);
    }
  if (version != AM_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_STORAGE,
                   _("The local cache could not be read. Restart Access Manager and try again."));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * am_store_foreach_passcode_between:
 * @self: a store
 * @lock_id: a lock
 * @from: UTC seconds, the range's start
 * @to: UTC seconds, the range's end (excluded); 0 for no end
 * @func: called for each passcode, oldest issued first; returns %FALSE
 *   (and sets its error) to stop
 * @user_data: for @func
 * @error: a location for a #GError
 *
 * The lock's passcodes issued in the range or whose window overlaps it.
 *
 * Returns: %FALSE when @func stopped
 */
gboolean
am_store_foreach_passcode_between (AmStore            *self,
                                   const char         *lock_id,
                                   gint64              from,
                                   gint64              to,
                                   AmStoreRecordFunc   func,
                                   gpointer            user_data,
                                   GError            **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;

  g_return_val_if_fail (AM_IS_STORE (self), FALSE);
  g_return_val_if_fail (lock_id != NULL && func != NULL, FALSE);

  if (to <= 0)
    to = G_MAXINT64;
  stmt = prepare (self, PASSCODE_SELECT " WHERE c.lock = (SELECT pk FROM locks WHERE id = ?1)"
                        " AND ((c.created_at >= ?2 AND c.created_at < ?3)"
                        "   OR (c.starts_at < ?3 AND c.ends_at > ?2))"
                        " ORDER BY c.created_at, c.pk");
  bind_text (stmt, 1, lock_id);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  while (ok && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(AmPasscodeRecord) record = read_passcode (stmt);

      ok = func (G_OBJECT (record), user_data, error);
    }
  sqlite3_reset (stmt);
  return ok;
}

/**
 * am_store_foreach_lock_event_between:
 * @self: a store
 * @lock_id: a lock
 * @from: UTC seconds, the range's start
 * @to: UTC seconds, the range's end (excluded); 0 for no end
 * @func: called for each entry of the lock's log, in the log's order;
 *   returns %FALSE (and sets its error) to stop
 * @user_data: for @func
 * @error: a location for a #GError
 *
 * The lock's log entries whose time is in the range.
 *
 * Returns: %FALSE when @func stopped
 */
gboolean
am_store_foreach_lock_event_between (AmStore            *self,
                                     const char         *lock_id,
                                     gint64              from,
                                     gint64              to,
                                     AmStoreRecordFunc   func,
                                     gpointer            user_data,
                                     GError            **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;

  g_return_val_if_fail (AM_IS_STORE (self), FALSE);
  g_return_val_if_fail (lock_id != NULL && func != NULL, FALSE);

  if (to <= 0)
    to = G_MAXINT64;
  stmt = prepare (self, LOCK_EVENT_SELECT " WHERE e.lock = (SELECT pk FROM locks WHERE id = ?1)"
                        " AND e.at >= ?2 AND e.at < ?3"
                        " ORDER BY e.seq");
  bind_text (stmt, 1, lock_id);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  while (ok && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(AmLockEventRecord) event = read_lock_event (stmt);

      ok = func (G_OBJECT (event), user_data, error);
    }
  sqlite3_reset (stmt);
  return ok;
}
