/* am-server-db.c: the reference cloud's database: schema, queries, administration
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SQLite file (WAL, foreign keys, 0600) holds one organisation: the
 * `meta` table names it and gives the database a random `db_id`, which
 * every sync cursor carries.
 *
 * Change sequence. Every row that sync sends (properties, locks, grants,
 * passcodes, lock_events, unlocks) and every tombstone has a `seq` taken
 * from one counter (`counter.seq`), bumped on every write: a row that
 * changes gets a new, higher seq. A transaction loads the counter when it
 * begins (BEGIN IMMEDIATE, so a second process, such as `invite` while
 * `serve` runs, waits its turn), hands out numbers through the SQL
 * function am_next_seq(), and stores it back on commit.
 *
 * Tombstones. `tombstones (seq, user_id, type, id)` is written per user
 * that loses sight of something: a deleted property (type property and
 * grant), a removed grant (grant and property), a lost view_activity (one
 * passcode tombstone a passcode the user did not create). A grant that is
 * created or changed bumps the seq of all of its property's rows, so that
 * a user who newly sees them gets them at the next incremental sync.
 *
 * Sync pages. A page holds the next `limit` records by seq that the user
 * may see, across the six tables and the user's tombstones: first the
 * seqs alone, each table by its seq index with LIMIT limit + 1, to find
 * where the page ends; then the rows up to there. The cursor is
 * "v1.<db_id>.<seq>"; a last page carries the counter itself. A cursor
 * that does not parse, names another database, lies above the counter or
 * below `counter.horizon` (tombstones below it are gone) is 410.
 *
 * Visibility: the properties of the user's grants and their locks; their
 * passcodes, events and unlocks with view_activity, else only the
 * passcodes the user created and the unlocks the user made; of the
 * grants only the user's own.
 *
 * Secrets: passwords as yescrypt hashes (libxcrypt), compared in constant
 * time; session and invitation tokens as 32 random bytes (getrandom),
 * given out in base64url and stored as SHA-256 hex only; lock keys as 32
 * random bytes a lock and key version (the server is the cloud: it holds
 * them). Nothing here logs any of them.
 */
#define G_LOG_DOMAIN "am-server-db"

#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "am-encoding.h"
#include "am-error.h"
#include "am-hmac.h"
#include "am-passcode.h"
#include "am-records-private.h"
#include "am-secret-memory.h"
#include "am-server-db.h"
#include "am-time.h"

#define SCHEMA_VERSION 1
#define LOCK_MODEL     "AM-K1"

struct _AmServerDb
{
  char       *path;
  sqlite3    *db;
  GHashTable *statements;    /* SQL text (by address) → sqlite3_stmt */
  GHashTable *zone_q;        /* time zone name → its Q + 1 (0: not a zone) */
  char       *db_id;
  char       *org_id;
  char       *org_name;

  guint       tx_depth;
  gint64      seq;           /* the counter inside a write transaction */
  gboolean    dry_run;       /* commits roll back (fault injection) */
};

G_DEFINE_QUARK (am-server-error-quark, am_server_error)

static const char * const known_permissions[] = {
  AM_PERMISSION_GENERATE_CODES,
  AM_PERMISSION_BLE_UNLOCK,
  AM_PERMISSION_VIEW_ACTIVITY,
  AM_PERMISSION_REVOKE_CODES,
  AM_PERMISSION_RENAME_LOCKS,
  AM_PERMISSION_CHANGE_LOCK_MODE,
  AM_PERMISSION_VIEW_MASTER_CODE,
  NULL
};

static const char schema_sql[] =
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE counter (id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  seq INTEGER NOT NULL, horizon INTEGER NOT NULL);"
  "INSERT INTO counter (id, seq, horizon) VALUES (1, 0, 0);"
  "CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE,"
  "  name TEXT NOT NULL, password_hash TEXT NOT NULL, created_at INTEGER NOT NULL);"
  "CREATE TABLE sessions (token_hash TEXT PRIMARY KEY,"
  "  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  device_name TEXT, created_at INTEGER NOT NULL) WITHOUT ROWID;"
  "CREATE INDEX sessions_user ON sessions (user_id);"
  "CREATE TABLE sign_in_failures (email TEXT NOT NULL, at INTEGER NOT NULL);"
  "CREATE INDEX sign_in_failures_email ON sign_in_failures (email, at);"
  "CREATE TABLE invitations (token_hash TEXT PRIMARY KEY, email TEXT NOT NULL,"
  "  property_id TEXT, permissions TEXT NOT NULL, created_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL, accepted_at INTEGER, user_id TEXT) WITHOUT ROWID;"
  "CREATE TABLE properties (id TEXT PRIMARY KEY, name TEXT NOT NULL,"
  "  address TEXT NOT NULL, city TEXT NOT NULL, region TEXT NOT NULL,"
  "  postal_code TEXT NOT NULL, timezone TEXT NOT NULL,"
  "  updated_at INTEGER NOT NULL, seq INTEGER NOT NULL);"
  "CREATE UNIQUE INDEX properties_seq ON properties (seq);"
  "CREATE TABLE locks (id TEXT PRIMARY KEY,"
  "  property_id TEXT NOT NULL REFERENCES properties (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL, unit TEXT, model TEXT NOT NULL, digits INTEGER NOT NULL,"
  "  q_offset_s INTEGER NOT NULL, kv INTEGER NOT NULL, mode TEXT, battery INTEGER,"
  "  battery_at INTEGER, updated_at INTEGER NOT NULL, seq INTEGER NOT NULL);"
  "CREATE UNIQUE INDEX locks_seq ON locks (seq);"
  "CREATE INDEX locks_property ON locks (property_id);"
  "CREATE TABLE lock_keys (lock_id TEXT NOT NULL REFERENCES locks (id) ON DELETE CASCADE,"
  "  kv INTEGER NOT NULL, key BLOB NOT NULL, valid_until INTEGER,"
  "  PRIMARY KEY (lock_id, kv)) WITHOUT ROWID;"
  "CREATE TABLE grants (user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  property_id TEXT NOT NULL REFERENCES properties (id) ON DELETE CASCADE,"
  "  permissions TEXT NOT NULL, view_activity INTEGER NOT NULL, seq INTEGER NOT NULL,"
  "  PRIMARY KEY (user_id, property_id));"
  "CREATE UNIQUE INDEX grants_seq ON grants (seq);"
  "CREATE INDEX grants_user_seq ON grants (user_id, seq);"
  "CREATE INDEX grants_property ON grants (property_id);"
  "CREATE TABLE passcodes (id TEXT PRIMARY KEY,"
  "  lock_id TEXT NOT NULL REFERENCES locks (id) ON DELETE CASCADE,"
  "  property_id TEXT NOT NULL, kind INTEGER NOT NULL, kv INTEGER NOT NULL,"
  "  start_h INTEGER NOT NULL, p INTEGER NOT NULL, digits INTEGER NOT NULL,"
  "  starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL, use_by INTEGER NOT NULL,"
  "  recipient_name TEXT, recipient_contact TEXT, purpose TEXT NOT NULL, note TEXT,"
  "  source TEXT NOT NULL, created_by TEXT NOT NULL REFERENCES users (id),"
  "  created_at INTEGER NOT NULL, revoked_at INTEGER, revoked_by TEXT,"
  "  first_used_at INTEGER, last_used_at INTEGER, use_count INTEGER NOT NULL DEFAULT 0,"
  "  request TEXT, seq INTEGER NOT NULL);"
  "CREATE UNIQUE INDEX passcodes_seq ON passcodes (seq);"
  "CREATE INDEX passcodes_window ON passcodes (lock_id, start_h, p);"
  "CREATE INDEX passcodes_property ON passcodes (property_id);"
  "CREATE TABLE lock_events (lock_id TEXT NOT NULL REFERENCES locks (id) ON DELETE CASCADE,"
  "  log_seq INTEGER NOT NULL, property_id TEXT NOT NULL, event TEXT NOT NULL,"
  "  at INTEGER NOT NULL, start_h INTEGER NOT NULL, p INTEGER NOT NULL, result TEXT,"
  "  passcode_id TEXT, seq INTEGER NOT NULL, PRIMARY KEY (lock_id, log_seq));"
  "CREATE UNIQUE INDEX lock_events_seq ON lock_events (seq);"
  "CREATE INDEX lock_events_property ON lock_events (property_id);"
  "CREATE TABLE unlocks (id TEXT PRIMARY KEY,"
  "  lock_id TEXT NOT NULL REFERENCES locks (id) ON DELETE CASCADE,"
  "  property_id TEXT NOT NULL, user_id TEXT NOT NULL REFERENCES users (id),"
  "  at INTEGER NOT NULL, result TEXT NOT NULL, seq INTEGER NOT NULL);"
  "CREATE UNIQUE INDEX unlocks_seq ON unlocks (seq);"
  "CREATE INDEX unlocks_property ON unlocks (property_id);"
  "CREATE INDEX unlocks_lock ON unlocks (lock_id);"
  "CREATE TABLE tombstones (seq INTEGER PRIMARY KEY, user_id TEXT NOT NULL,"
  "  type TEXT NOT NULL, id TEXT NOT NULL);"
  "CREATE INDEX tombstones_user ON tombstones (user_id, seq);";

/* Errors and statements */

static gboolean
set_storage_error (AmServerDb  *self,
                   GError     **error)
{
  g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_STORAGE,
               _("The server’s database failed (%s). Check the server’s disk and its log."),
               sqlite3_errmsg (self->db));
  return FALSE;
}

static sqlite3_stmt *
prepare (AmServerDb *self,
         const char *sql)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt == NULL)
    {
      if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        g_error ("Bad SQL “%s”: %s", sql, sqlite3_errmsg (self->db));
      g_hash_table_insert (self->statements, (gpointer) sql, stmt);
    }
  return stmt;
}

static gboolean
exec (AmServerDb  *self,
      const char  *sql,
      GError     **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_storage_error (self, error);
  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static void
bind_time (sqlite3_stmt *stmt,
           int           index,
           gint64        value)
{
  if (value != 0)
    sqlite3_bind_int64 (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

/* Steps a statement that returns no rows, then resets it. */
static gboolean
step_done (AmServerDb    *self,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return set_storage_error (self, error);
  return TRUE;
}

static void
finish (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Transactions: nested calls join the outermost one. */

static gboolean
tx_begin (AmServerDb  *self,
          GError     **error)
{
  sqlite3_stmt *stmt;

  if (self->tx_depth++ > 0)
    return TRUE;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    {
      self->tx_depth = 0;
      return FALSE;
    }
  stmt = prepare (self, "SELECT seq FROM counter WHERE id = 1");
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      finish (stmt);
      set_storage_error (self, error);
      exec (self, "ROLLBACK", NULL);
      self->tx_depth = 0;
      return FALSE;
    }
  self->seq = sqlite3_column_int64 (stmt, 0);
  finish (stmt);
  return TRUE;
}

static void
tx_rollback (AmServerDb *self)
{
  if (self->tx_depth == 0)
    return;
  self->tx_depth = 0;
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
tx_commit (AmServerDb  *self,
           GError     **error)
{
  sqlite3_stmt *stmt;

  if (self->tx_depth == 0)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_STORAGE,
                   _("The server’s database failed (a transaction ended early). Check the server’s log."));
      return FALSE;
    }
  if (--self->tx_depth > 0)
    return TRUE;

  if (self->dry_run)
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return TRUE;
    }

  stmt = prepare (self, "UPDATE counter SET seq = ?1 WHERE id = 1");
  sqlite3_bind_int64 (stmt, 1, self->seq);
  if (!step_done (self, stmt, error) || !exec (self, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

/* Fails the transaction: for the early returns of the writers. */
static gpointer
tx_fail (AmServerDb *self)
{
  tx_rollback (self);
  return NULL;
}

static void
next_seq_func (sqlite3_context *context,
               int              argc,
               sqlite3_value  **argv)
{
  AmServerDb *self = sqlite3_user_data (context);

  g_assert (self->tx_depth > 0);
  sqlite3_result_int64 (context, ++self->seq);
}

static gint64
next_seq (AmServerDb *self)
{
  g_assert (self->tx_depth > 0);
  return ++self->seq;
}

/* Secrets */

static gboolean
random_bytes (guint8 *out,
              gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (out + done, len - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

static char *
base64url (const guint8 *data,
           gsize         len)
{
  char *text = g_base64_encode (data, len);
  gsize n = strlen (text);

  for (gsize i = 0; i < n; i++)
    {
      if (text[i] == '+')
        text[i] = '-';
      else if (text[i] == '/')
        text[i] = '_';
    }
  while (n > 0 && text[n - 1] == '=')
    text[--n] = '\0';
  return text;
}

/**
 * am_server_random_token:
 *
 * Returns: (transfer full): 256 random bits from getrandom(2), base64url
 *   without padding (43 characters); a secret: free it with
 *   am_secret_memory_free()
 */
char *
am_server_random_token (void)
{
  guint8 bytes[32];
  char *token;

  if (!random_bytes (bytes, sizeof bytes))
    g_error ("The kernel gave no random bytes: %s", g_strerror (errno));
  token = base64url (bytes, sizeof bytes);
  am_secret_memory_wipe (bytes, sizeof bytes);
  return token;
}

/**
 * am_server_hash_token:
 * @token: a session or invitation token
 *
 * The token passes through no hashing state but ours, which is wiped
 * (GChecksum would free it with the token's bytes in it).
 *
 * Returns: (transfer full): its SHA-256 in lower-case hex, as stored
 */
char *
am_server_hash_token (const char *token)
{
  guint8 digest[AM_HMAC_SHA256_LEN];

  g_return_val_if_fail (token != NULL, NULL);

  am_sha256 ((const guint8 *) token, strlen (token), digest);
  return am_hex_encode (digest, sizeof digest);
}

/**
 * am_server_new_uuid:
 *
 * Returns: (transfer full): a random version 4 UUID, lower case
 */
char *
am_server_new_uuid (void)
{
  return g_uuid_string_random ();
}

static gboolean
constant_time_equal (const char *a,
                     const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint8 diff = la != lb;

  for (gsize i = 0; i < la && i < lb; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i];
  return diff == 0;
}

static char *
hash_password (const char  *password,
               GError     **error)
{
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  struct crypt_data *data;
  char *hash = NULL;

  if (crypt_gensalt_rn ("$y$", 0, NULL, 0, salt, sizeof salt) == NULL)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_STORAGE,
                   _("The password could not be hashed (%s). Check the server’s libxcrypt."),
                   g_strerror (errno));
      return NULL;
    }
  data = g_new0 (struct crypt_data, 1);
  if (crypt_r (password, salt, data) != NULL && g_str_has_prefix (data->output, "$y$"))
    hash = g_strdup (data->output);
  else
    g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_STORAGE,
                 _("The password could not be hashed. Check the server’s libxcrypt."));
  am_secret_memory_wipe (data, sizeof *data);
  g_free (data);
  return hash;
}

/* Whether @password matches @hash; with a NULL @hash it spends the same
 * time on a made-up one, so that an unknown email takes as long. */
static gboolean
verify_password (const char *password,
                 const char *hash)
{
  static const char dummy[] = "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7";
  struct crypt_data *data = g_new0 (struct crypt_data, 1);
  gboolean ok = FALSE;

  if (crypt_r (password, hash != NULL ? hash : dummy, data) != NULL &&
      data->output[0] == '$')
    ok = constant_time_equal (data->output, hash != NULL ? hash : dummy) && hash != NULL;
  am_secret_memory_wipe (data, sizeof *data);
  g_free (data);
  return ok;
}

/* Opening */

static gboolean
get_meta (AmServerDb  *self,
          const char  *key,
          char       **value)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT value FROM meta WHERE key = ?1");
  gboolean found = FALSE;

  bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *value = column_text (stmt, 0);
      found = TRUE;
    }
  finish (stmt);
  return found;
}

static gboolean
set_meta (AmServerDb  *self,
          const char  *key,
          const char  *value,
          GError     **error)
{
  sqlite3_stmt *stmt = prepare (self, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");

  bind_text (stmt, 1, key);
  bind_text (stmt, 2, value);
  return step_done (self, stmt, error);
}

static gboolean
migrate (AmServerDb  *self,
         GError     **error)
{
  sqlite3_stmt *stmt;
  int version;

  stmt = prepare (self, "PRAGMA user_version");
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      finish (stmt);
      return set_storage_error (self, error);
    }
  version = sqlite3_column_int (stmt, 0);
  finish (stmt);

  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_STORAGE,
                   _("The database “%s” was written by a newer version of the server. Use that version."),
                   self->path);
      return FALSE;
    }
  if (version == SCHEMA_VERSION)
    return TRUE;

  /* The counter does not exist yet: no tx_begin () here. */
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  {
    g_autofree char *db_id = am_server_new_uuid ();
    g_autofree char *org_id = am_server_new_uuid ();
    g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", SCHEMA_VERSION);

    if (!exec (self, schema_sql, error) ||
        !set_meta (self, "db_id", db_id, error) ||
        !set_meta (self, "org_id", org_id, error) ||
        !set_meta (self, "org_name", _("Example Property Management"), error) ||
        !exec (self, set_version, error) ||
        !exec (self, "COMMIT", error))
      {
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
        return FALSE;
      }
  }
  return TRUE;
}

/**
 * am_server_db_open:
 * @path: the database file; created when missing, with mode 0600
 * @error: a location for a #GError
 *
 * Opens the database, creating or migrating its schema.
 *
 * Returns: (transfer full) (nullable): the database
 */
AmServerDb *
am_server_db_open (const char  *path,
                   GError     **error)
{
  g_autoptr(AmServerDb) self = NULL;
  int fd, rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (AmServerDb, 1);
  self->path = g_strdup (path);
  self->statements = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) sqlite3_finalize);
  self->zone_q = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_STORAGE,
                   _("The database “%s” could not be opened (%s). Check the path and its permissions."),
                   path, g_strerror (errsv));
      return NULL;
    }
  fchmod (fd, 0600);
  close (fd);

  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_STORAGE,
                   _("The database “%s” could not be opened (%s). Check the path and its permissions."),
                   path, sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, 10000);
  sqlite3_create_function (self->db, "am_next_seq", 0, SQLITE_UTF8, self, next_seq_func, NULL, NULL);

  if (!exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !exec (self, "PRAGMA cache_size = -65536", error) ||
      !migrate (self, error))
    return NULL;

  if (!get_meta (self, "db_id", &self->db_id) ||
      !get_meta (self, "org_id", &self->org_id) ||
      !get_meta (self, "org_name", &self->org_name))
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_STORAGE,
                   _("The database “%s” is not a server database. Choose another file."), path);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * am_server_db_free:
 * @db: (nullable): a database
 */
void
am_server_db_free (AmServerDb *db)
{
  if (db == NULL)
    return;

  tx_rollback (db);
  g_hash_table_unref (db->statements);
  g_hash_table_unref (db->zone_q);
  if (db->db != NULL)
    sqlite3_close (db->db);
  g_free (db->path);
  g_free (db->db_id);
  g_free (db->org_id);
  g_free (db->org_name);
  g_free (db);
}

const char *
am_server_db_get_path (AmServerDb *db)
{
  g_return_val_if_fail (db != NULL, NULL);

  return db->path;
}

/**
 * am_server_db_set_dry_run:
 * @db: a database
 * @dry_run: whether commits roll back
 *
 * While set, every write transaction ends in a rollback: the answer is
 * computed, the change is not kept. Used for the faults that must not
 * apply a change.
 */
void
am_server_db_set_dry_run (AmServerDb *db,
                          gboolean    dry_run)
{
  g_return_if_fail (db != NULL);

  db->dry_run = dry_run;
}

gboolean
am_server_db_begin (AmServerDb  *db,
                    GError     **error)
{
  g_return_val_if_fail (db != NULL, FALSE);

  return tx_begin (db, error);
}

gboolean
am_server_db_commit (AmServerDb  *db,
                     GError     **error)
{
  g_return_val_if_fail (db != NULL, FALSE);

  return tx_commit (db, error);
}

void
am_server_db_rollback (AmServerDb *db)
{
  g_return_if_fail (db != NULL);

  tx_rollback (db);
}

/* Records from rows */

#define PROPERTY_COLUMNS "id, name, address, city, region, postal_code, timezone, updated_at, seq"

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

#define LOCK_COLUMNS "id, property_id, name, unit, model, digits, q_offset_s, kv, mode, " \
                     "battery, battery_at, updated_at, seq"

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
  lock->battery = sqlite3_column_type (stmt, 9) == SQLITE_NULL ? -1 : sqlite3_column_int (stmt, 9);
  lock->battery_at = sqlite3_column_int64 (stmt, 10);
  lock->updated_at = sqlite3_column_int64 (stmt, 11);
  return lock;
}

#define GRANT_COLUMNS "property_id, user_id, permissions, seq"

static AmGrant *
read_grant (sqlite3_stmt *stmt)
{
  AmGrant *grant = am_grant_new_empty ();
  const char *permissions = (const char *) sqlite3_column_text (stmt, 2);

  grant->property_id = column_text (stmt, 0);
  grant->user_id = column_text (stmt, 1);
  if (permissions != NULL && permissions[0] != '\0')
    grant->permissions = g_strsplit (permissions, ",", -1);
  else
    grant->permissions = g_new0 (char *, 1);
  return grant;
}

#define PASSCODE_COLUMNS \
  "c.id, c.lock_id, c.kind, c.kv, c.start_h, c.p, c.digits, c.starts_at, c.ends_at, " \
  "c.use_by, c.recipient_name, c.recipient_contact, c.purpose, c.note, c.source, " \
  "c.created_by, cu.name, c.created_at, c.revoked_at, c.revoked_by, ru.name, " \
  "c.first_used_at, c.last_used_at, c.use_count, c.seq"
#define PASSCODE_FROM \
  " FROM passcodes c JOIN users cu ON cu.id = c.created_by" \
  " LEFT JOIN users ru ON ru.id = c.revoked_by"

static AmPasscodeRecord *
read_passcode (sqlite3_stmt *stmt)
{
  AmPasscodeRecord *record = am_passcode_record_new_empty ();

  record->id = column_text (stmt, 0);
  record->lock_id = column_text (stmt, 1);
  record->kind = (AmPasscodeKind) sqlite3_column_int (stmt, 2);
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
  if (record->revoked_by_id != NULL && record->revoked_by_name == NULL)
    record->revoked_by_name = g_strdup ("");
  record->first_used_at = sqlite3_column_int64 (stmt, 21);
  record->last_used_at = sqlite3_column_int64 (stmt, 22);
  record->use_count = (guint) sqlite3_column_int64 (stmt, 23);
  return record;
}

#define EVENT_COLUMNS "lock_id, log_seq, event, at, start_h, p, result, passcode_id, seq"

static AmLockEventRecord *
read_event (sqlite3_stmt *stmt)
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

#define UNLOCK_COLUMNS "n.id, n.lock_id, n.user_id, u.name, n.at, n.result, n.seq"
#define UNLOCK_FROM " FROM unlocks n JOIN users u ON u.id = n.user_id"

static AmUnlock *
read_unlock (sqlite3_stmt *stmt)
{
  AmUnlock *unlock = am_unlock_new_empty ();

  unlock->id = column_text (stmt, 0);
  unlock->lock_id = column_text (stmt, 1);
  unlock->user_id = column_text (stmt, 2);
  unlock->user_name = column_text (stmt, 3);
  unlock->at = sqlite3_column_int64 (stmt, 4);
  unlock->result = column_text (stmt, 5);
  return unlock;
}

static AmLock *
lookup_lock (AmServerDb *self,
             const char *lock_id)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT " LOCK_COLUMNS " FROM locks WHERE id = ?1");
  AmLock *lock = NULL;

  bind_text (stmt, 1, lock_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    lock = read_lock (stmt);
  finish (stmt);
  return lock;
}

static AmPasscodeRecord *
lookup_passcode (AmServerDb  *self,
                 const char  *id,
                 char       **request)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT " PASSCODE_COLUMNS ", c.request" PASSCODE_FROM
                                      " WHERE c.id = ?1");
  AmPasscodeRecord *record = NULL;

  bind_text (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      record = read_passcode (stmt);
      if (request != NULL)
        *request = column_text (stmt, 25);
    }
  finish (stmt);
  return record;
}

static AmUnlock *
lookup_unlock (AmServerDb *self,
               const char *id)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT " UNLOCK_COLUMNS UNLOCK_FROM " WHERE n.id = ?1");
  AmUnlock *unlock = NULL;

  bind_text (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    unlock = read_unlock (stmt);
  finish (stmt);
  return unlock;
}

/* The user's permissions on a property, or NULL without a grant. */
static GStrv
lookup_permissions (AmServerDb *self,
                    const char *user_id,
                    const char *property_id)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT permissions FROM grants"
                                      " WHERE user_id = ?1 AND property_id = ?2");
  GStrv permissions = NULL;

  bind_text (stmt, 1, user_id);
  bind_text (stmt, 2, property_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    permissions = g_strsplit ((const char *) sqlite3_column_text (stmt, 0), ",", -1);
  finish (stmt);
  return permissions;
}

static const char *
permission_label (const char *permission)
{
  if (g_str_equal (permission, AM_PERMISSION_GENERATE_CODES))
    return _("issue passcodes");
  if (g_str_equal (permission, AM_PERMISSION_BLE_UNLOCK))
    return _("unlock over Bluetooth");
  if (g_str_equal (permission, AM_PERMISSION_REVOKE_CODES))
    return _("revoke passcodes");
  if (g_str_equal (permission, AM_PERMISSION_VIEW_ACTIVITY))
    return _("see activity");
  return permission;
}

/* Whether the user holds one of @any_of (NULL-terminated) on the
 * property; FORBIDDEN otherwise. A user without a grant on the property
 * sees nothing of it: its records are NOT_FOUND to them, with @unknown,
 * the sentence for a record that does not exist, so that no answer tells
 * what exists where they may not look. */
static gboolean
require_permission (AmServerDb         *self,
                    const char         *user_id,
                    const char         *property_id,
                    const char * const *any_of,
                    const char         *unknown,
                    GError            **error)
{
  g_auto(GStrv) permissions = lookup_permissions (self, user_id, property_id);

  if (permissions == NULL)
    {
      g_set_error_literal (error, AM_SERVER_ERROR, AM_SERVER_ERROR_NOT_FOUND, unknown);
      return FALSE;
    }
  for (guint i = 0; permissions != NULL && any_of[i] != NULL; i++)
    if (g_strv_contains ((const char * const *) permissions, any_of[i]))
      return TRUE;

  /* Translators: %s is what the permission allows, such as “issue passcodes”. */
  g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_FORBIDDEN,
               _("You may not %s at this property. Ask an administrator for the permission."),
               permission_label (any_of[0]));
  return FALSE;
}

static void
set_not_found (GError     **error,
               const char  *what)
{
  g_set_error_literal (error, AM_SERVER_ERROR, AM_SERVER_ERROR_NOT_FOUND, what);
}

/* Administration */

static gboolean
check_permission_names (const char * const  *permissions,
                        GError             **error)
{
  for (guint i = 0; permissions != NULL && permissions[i] != NULL; i++)
    if (!g_strv_contains (known_permissions, permissions[i]))
      {
        g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID,
                     _("“%s” is not a permission. Use generate_codes, ble_unlock, view_activity, revoke_codes, rename_locks, change_lock_mode or view_master_code."),
                     permissions[i]);
        return FALSE;
      }
  return TRUE;
}

/* The Q of a time zone (passcode.md), or FALSE for a name that is not a
 * zone. Reading a zone parses its file: each is read once. */
static gboolean
zone_q_offset (AmServerDb  *self,
               const char  *timezone,
               guint       *q,
               GError     **error)
{
  gpointer cached;

  if (!g_hash_table_lookup_extended (self->zone_q, timezone, NULL, &cached))
    {
      g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (timezone);

      cached = GUINT_TO_POINTER (tz != NULL ? am_time_q_offset_for_zone (tz, now_s ()) + 1 : 0);
      g_hash_table_insert (self->zone_q, g_strdup (timezone), cached);
    }
  if (cached == NULL)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID,
                   _("“%s” is not a time zone this system knows. Use an IANA name such as America/Chicago."),
                   timezone);
      return FALSE;
    }
  *q = GPOINTER_TO_UINT (cached) - 1;
  return TRUE;
}

char *
am_server_db_add_property (AmServerDb  *db,
                           const char  *name,
                           const char  *address,
                           const char  *city,
                           const char  *region,
                           const char  *postal_code,
                           const char  *timezone,
                           GError     **error)
{
  g_autofree char *id = NULL;
  sqlite3_stmt *stmt;
  guint q;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (name != NULL && address != NULL && city != NULL, NULL);
  g_return_val_if_fail (region != NULL && postal_code != NULL && timezone != NULL, NULL);

  if (!zone_q_offset (db, timezone, &q, error))
    return NULL;
  if (!tx_begin (db, error))
    return NULL;

  id = am_server_new_uuid ();
  stmt = prepare (db, "INSERT INTO properties (" PROPERTY_COLUMNS ")"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, name);
  bind_text (stmt, 3, address);
  bind_text (stmt, 4, city);
  bind_text (stmt, 5, region);
  bind_text (stmt, 6, postal_code);
  bind_text (stmt, 7, timezone);
  sqlite3_bind_int64 (stmt, 8, now_s ());
  sqlite3_bind_int64 (stmt, 9, next_seq (db));
  if (!step_done (db, stmt, error))
    return tx_fail (db);
  if (!tx_commit (db, error))
    return NULL;
  return g_steal_pointer (&id);
}

static gboolean
insert_key (AmServerDb  *self,
            const char  *lock_id,
            guint        kv,
            GError     **error)
{
  guint8 key[AM_PASSCODE_KEY_LEN];
  sqlite3_stmt *stmt;
  gboolean ok;

  if (!random_bytes (key, sizeof key))
    {
      int errsv = errno;
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_STORAGE,
                   _("No random bytes for a lock key (%s)."), g_strerror (errsv));
      return FALSE;
    }
  stmt = prepare (self, "INSERT INTO lock_keys (lock_id, kv, key, valid_until) VALUES (?1, ?2, ?3, NULL)");
  bind_text (stmt, 1, lock_id);
  sqlite3_bind_int (stmt, 2, (int) kv);
  sqlite3_bind_blob (stmt, 3, key, sizeof key, SQLITE_TRANSIENT);
  ok = step_done (self, stmt, error);
  am_secret_memory_wipe (key, sizeof key);
  return ok;
}

char *
am_server_db_add_lock (AmServerDb  *db,
                       const char  *property_id,
                       const char  *name,
                       const char  *unit,
                       guint        digits,
                       const char  *mode,
                       GError     **error)
{
  g_autofree char *id = NULL;
  g_autofree char *timezone = NULL;
  sqlite3_stmt *stmt;
  gint64 now = now_s ();
  guint q;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (property_id != NULL && name != NULL, NULL);

  if (!am_passcode_digits_valid (digits))
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID,
                   _("A lock has 10 or 12 digits a code, not %u."), digits);
      return NULL;
    }
  if (mode != NULL && !g_str_equal (mode, AM_LOCK_MODE_TOUR) && !g_str_equal (mode, AM_LOCK_MODE_RESIDENT))
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID,
                   _("“%s” is not a lock mode. Use tour or resident."), mode);
      return NULL;
    }

  stmt = prepare (db, "SELECT timezone FROM properties WHERE id = ?1");
  bind_text (stmt, 1, property_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    timezone = column_text (stmt, 0);
  finish (stmt);
  if (timezone == NULL)
    {
      set_not_found (error, _("There is no such property. Check its id."));
      return NULL;
    }
  if (!zone_q_offset (db, timezone, &q, error))
    return NULL;

  if (!tx_begin (db, error))
    return NULL;
  id = am_server_new_uuid ();
  stmt = prepare (db, "INSERT INTO locks (" LOCK_COLUMNS ")"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, NULL, NULL, ?9, ?10)");
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, property_id);
  bind_text (stmt, 3, name);
  bind_text (stmt, 4, unit);
  bind_text (stmt, 5, LOCK_MODEL);
  sqlite3_bind_int (stmt, 6, (int) digits);
  sqlite3_bind_int (stmt, 7, (int) q);
  bind_text (stmt, 8, mode);
  sqlite3_bind_int64 (stmt, 9, now);
  sqlite3_bind_int64 (stmt, 10, next_seq (db));
  if (!step_done (db, stmt, error) || !insert_key (db, id, 1, error))
    return tx_fail (db);
  if (!tx_commit (db, error))
    return NULL;
  return g_steal_pointer (&id);
}

gboolean
am_server_db_set_lock_battery (AmServerDb  *db,
                               const char  *lock_id,
                               gint         battery,
                               gint64       at,
                               GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (db != NULL && lock_id != NULL, FALSE);

  if (!tx_begin (db, error))
    return FALSE;
  stmt = prepare (db, "UPDATE locks SET battery = ?2, battery_at = ?3, updated_at = ?4,"
                      " seq = am_next_seq () WHERE id = ?1");
  bind_text (stmt, 1, lock_id);
  if (battery >= 0)
    sqlite3_bind_int (stmt, 2, battery);
  bind_time (stmt, 3, at);
  sqlite3_bind_int64 (stmt, 4, now_s ());
  if (!step_done (db, stmt, error))
    return GPOINTER_TO_INT (tx_fail (db));
  return tx_commit (db, error);
}

static char *
normalise_email (const char *email)
{
  g_autofree char *stripped = g_strstrip (g_strdup (email));

  return g_utf8_strdown (stripped, -1);
}

static gboolean
check_password_length (const char  *password,
                       GError     **error)
{
  if (!g_utf8_validate (password, -1, NULL) ||
      g_utf8_strlen (password, -1) < AM_SERVER_MIN_PASSWORD_LEN)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_PASSWORD_TOO_SHORT,
                   _("The password is too short. Choose one of at least %d characters."),
                   AM_SERVER_MIN_PASSWORD_LEN);
      return FALSE;
    }
  return TRUE;
}

static char *
insert_user (AmServerDb  *self,
             const char  *email,
             const char  *name,
             const char  *password_hash,
             GError     **error)
{
  g_autofree char *id = am_server_new_uuid ();
  sqlite3_stmt *stmt = prepare (self, "INSERT INTO users (id, email, name, password_hash, created_at)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5)");

  bind_text (stmt, 1, id);
  bind_text (stmt, 2, email);
  bind_text (stmt, 3, name);
  bind_text (stmt, 4, password_hash);
  sqlite3_bind_int64 (stmt, 5, now_s ());
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gboolean exists = sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE;
      finish (stmt);
      if (exists)
        g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_ACCOUNT_EXISTS,
                     _("There is already an account for %s."), email);
      else
        set_storage_error (self, error);
      return NULL;
    }
  finish (stmt);
  return g_steal_pointer (&id);
}

char *
am_server_db_add_user (AmServerDb  *db,
                       const char  *email,
                       const char  *name,
                       const char  *password,
                       GError     **error)
{
  g_autofree char *hash = NULL;
  g_autofree char *address = NULL;
  g_autofree char *id = NULL;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (email != NULL && name != NULL && password != NULL, NULL);

  if (!check_password_length (password, error) ||
      (hash = hash_password (password, error)) == NULL)
    return NULL;
  address = normalise_email (email);
  if (!tx_begin (db, error))
    return NULL;
  if ((id = insert_user (db, address, name, hash, error)) == NULL)
    return tx_fail (db);
  if (!tx_commit (db, error))
    return NULL;
  return g_steal_pointer (&id);
}

static gboolean
add_tombstone (AmServerDb  *self,
               const char  *user_id,
               const char  *type,
               const char  *id,
               GError     **error)
{
  sqlite3_stmt *stmt = prepare (self, "INSERT INTO tombstones (seq, user_id, type, id)"
                                      " VALUES (?1, ?2, ?3, ?4)");

  sqlite3_bind_int64 (stmt, 1, next_seq (self));
  bind_text (stmt, 2, user_id);
  bind_text (stmt, 3, type);
  bind_text (stmt, 4, id);
  return step_done (self, stmt, error);
}

/* Gives every row of the property a new seq, so that whoever newly sees
 * it gets it at the next sync. */
static gboolean
bump_property (AmServerDb  *self,
               const char  *property_id,
               GError     **error)
{
  static const char * const sql[] = {
    "UPDATE properties SET seq = am_next_seq () WHERE id = ?1",
    "UPDATE locks SET seq = am_next_seq () WHERE property_id = ?1",
    "UPDATE passcodes SET seq = am_next_seq () WHERE property_id = ?1",
    "UPDATE lock_events SET seq = am_next_seq () WHERE property_id = ?1",
    "UPDATE unlocks SET seq = am_next_seq () WHERE property_id = ?1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      sqlite3_stmt *stmt = prepare (self, sql[i]);

      bind_text (stmt, 1, property_id);
      if (!step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
property_exists (AmServerDb *self,
                 const char *property_id)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT 1 FROM properties WHERE id = ?1");
  gboolean found;

  bind_text (stmt, 1, property_id);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  finish (stmt);
  return found;
}

/* Inside a transaction. */
static gboolean
write_grant (AmServerDb         *self,
             const char         *user_id,
             const char         *property_id,
             const char * const *permissions,
             GError            **error)
{
  g_auto(GStrv) old = lookup_permissions (self, user_id, property_id);
  g_autofree char *joined = NULL;
  gboolean view_activity;
  sqlite3_stmt *stmt;

  if (!check_permission_names (permissions, error))
    return FALSE;
  if (!property_exists (self, property_id))
    {
      set_not_found (error, _("There is no such property. Check its id."));
      return FALSE;
    }

  view_activity = permissions != NULL &&
                  g_strv_contains (permissions, AM_PERMISSION_VIEW_ACTIVITY);

  /* Losing view_activity: the passcodes the user did not create go. */
  if (old != NULL && g_strv_contains ((const char * const *) old, AM_PERMISSION_VIEW_ACTIVITY) &&
      !view_activity)
    {
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

      stmt = prepare (self, "SELECT id FROM passcodes WHERE property_id = ?1 AND created_by != ?2");

      bind_text (stmt, 1, property_id);
      bind_text (stmt, 2, user_id);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (ids, column_text (stmt, 0));
      finish (stmt);
      for (guint i = 0; i < ids->len; i++)
        if (!add_tombstone (self, user_id, "passcode", g_ptr_array_index (ids, i), error))
          return FALSE;
    }

  if (!bump_property (self, property_id, error))
    return FALSE;

  joined = permissions != NULL ? g_strjoinv (",", (GStrv) permissions) : g_strdup ("");
  stmt = prepare (self, "INSERT INTO grants (user_id, property_id, permissions, view_activity, seq)"
                        " VALUES (?1, ?2, ?3, ?4, ?5)"
                        " ON CONFLICT (user_id, property_id) DO UPDATE SET"
                        " permissions = excluded.permissions,"
                        " view_activity = excluded.view_activity, seq = excluded.seq");
  bind_text (stmt, 1, user_id);
  bind_text (stmt, 2, property_id);
  bind_text (stmt, 3, joined);
  sqlite3_bind_int (stmt, 4, view_activity);
  sqlite3_bind_int64 (stmt, 5, next_seq (self));
  return step_done (self, stmt, error);
}

gboolean
am_server_db_set_grant (AmServerDb         *db,
                        const char         *user_id,
                        const char         *property_id,
                        const char * const *permissions,
                        GError            **error)
{
  g_return_val_if_fail (db != NULL && user_id != NULL && property_id != NULL, FALSE);

  if (!tx_begin (db, error))
    return FALSE;
  if (!write_grant (db, user_id, property_id, permissions, error))
    return GPOINTER_TO_INT (tx_fail (db));
  return tx_commit (db, error);
}

/* Removes a grant inside a transaction: the user loses the property. */
static gboolean
drop_grant (AmServerDb  *self,
            const char  *user_id,
            const char  *property_id,
            GError     **error)
{
  sqlite3_stmt *stmt;

  if (!add_tombstone (self, user_id, "grant", property_id, error) ||
      !add_tombstone (self, user_id, "property", property_id, error))
    return FALSE;
  stmt = prepare (self, "DELETE FROM grants WHERE user_id = ?1 AND property_id = ?2");
  bind_text (stmt, 1, user_id);
  bind_text (stmt, 2, property_id);
  return step_done (self, stmt, error);
}

gboolean
am_server_db_remove_grant (AmServerDb  *db,
                           const char  *user_id,
                           const char  *property_id,
                           GError     **error)
{
  g_auto(GStrv) old = NULL;

  g_return_val_if_fail (db != NULL && user_id != NULL && property_id != NULL, FALSE);

  if (!tx_begin (db, error))
    return FALSE;
  old = lookup_permissions (db, user_id, property_id);
  if (old == NULL)
    {
      tx_rollback (db);
      set_not_found (error, _("The user holds no grant on this property."));
      return FALSE;
    }
  if (!drop_grant (db, user_id, property_id, error))
    return GPOINTER_TO_INT (tx_fail (db));
  return tx_commit (db, error);
}

gboolean
am_server_db_delete_property (AmServerDb  *db,
                              const char  *property_id,
                              GError     **error)
{
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  g_return_val_if_fail (db != NULL && property_id != NULL, FALSE);

  if (!tx_begin (db, error))
    return FALSE;
  if (!property_exists (db, property_id))
    {
      tx_rollback (db);
      set_not_found (error, _("There is no such property. Check its id."));
      return FALSE;
    }
  stmt = prepare (db, "SELECT user_id FROM grants WHERE property_id = ?1");
  bind_text (stmt, 1, property_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (users, column_text (stmt, 0));
  finish (stmt);

  for (guint i = 0; i < users->len; i++)
    if (!drop_grant (db, g_ptr_array_index (users, i), property_id, error))
      return GPOINTER_TO_INT (tx_fail (db));

  /* The locks go with it, and with them their keys, passcodes, events
   * and unlocks (ON DELETE CASCADE). */
  stmt = prepare (db, "DELETE FROM properties WHERE id = ?1");
  bind_text (stmt, 1, property_id);
  if (!step_done (db, stmt, error))
    return GPOINTER_TO_INT (tx_fail (db));
  return tx_commit (db, error);
}

char *
am_server_db_invite (AmServerDb         *db,
                     const char         *email,
                     const char         *property_id,
                     const char * const *permissions,
                     GError            **error)
{
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *address = NULL;
  g_autofree char *joined = NULL;
  sqlite3_stmt *stmt;
  gint64 now = now_s ();

  g_return_val_if_fail (db != NULL && email != NULL, NULL);

  address = normalise_email (email);
  if (strchr (address, '@') == NULL)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID,
                   _("“%s” is not an email address."), email);
      return NULL;
    }
  if (!check_permission_names (permissions, error))
    return NULL;
  if (property_id != NULL && !property_exists (db, property_id))
    {
      set_not_found (error, _("There is no such property. Check its id."));
      return NULL;
    }

  token = am_server_random_token ();
  token_hash = am_server_hash_token (token);
  joined = permissions != NULL ? g_strjoinv (",", (GStrv) permissions) : g_strdup ("");

  if (!tx_begin (db, error))
    return NULL;
  stmt = prepare (db, "INSERT INTO invitations (token_hash, email, property_id, permissions,"
                      " created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  bind_text (stmt, 1, token_hash);
  bind_text (stmt, 2, address);
  bind_text (stmt, 3, property_id);
  bind_text (stmt, 4, joined);
  sqlite3_bind_int64 (stmt, 5, now);
  sqlite3_bind_int64 (stmt, 6, now + AM_SERVER_INVITATION_S);
  if (!step_done (db, stmt, error))
    return tx_fail (db);
  if (!tx_commit (db, error))
    return NULL;
  return g_steal_pointer (&token);
}

guint
am_server_db_rotate_key (AmServerDb  *db,
                         const char  *lock_id,
                         GError     **error)
{
  g_autoptr(AmLock) lock = NULL;
  sqlite3_stmt *stmt;
  gint64 now = now_s ();
  guint kv;

  g_return_val_if_fail (db != NULL && lock_id != NULL, 0);

  if (!tx_begin (db, error))
    return 0;
  lock = lookup_lock (db, lock_id);
  if (lock == NULL)
    {
      tx_rollback (db);
      set_not_found (error, _("There is no such lock. Check its id."));
      return 0;
    }
  if (lock->kv >= 255)
    {
      tx_rollback (db);
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID,
                   _("The lock’s key has been rotated 254 times, the most AM1 allows. Replace the lock’s key store."));
      return 0;
    }
  kv = lock->kv + 1;

  stmt = prepare (db, "UPDATE lock_keys SET valid_until = ?2 WHERE lock_id = ?1 AND valid_until IS NULL");
  bind_text (stmt, 1, lock_id);
  sqlite3_bind_int64 (stmt, 2, now + AM_SERVER_PREVIOUS_KEY_S);
  if (!step_done (db, stmt, error) || !insert_key (db, lock_id, kv, error))
    {
      tx_rollback (db);
      return 0;
    }
  stmt = prepare (db, "UPDATE locks SET kv = ?2, updated_at = ?3, seq = am_next_seq () WHERE id = ?1");
  bind_text (stmt, 1, lock_id);
  sqlite3_bind_int (stmt, 2, (int) kv);
  sqlite3_bind_int64 (stmt, 3, now);
  if (!step_done (db, stmt, error))
    {
      tx_rollback (db);
      return 0;
    }
  if (!tx_commit (db, error))
    return 0;
  return kv;
}

/**
 * am_server_db_q_offset_for_zone:
 * @db: a database
 * @timezone: an IANA time zone name
 * @q: (out): its Q, the standard offset modulo an hour
 * @error: a location for a #GError
 *
 * Returns: whether @timezone is a zone this system knows
 */
gboolean
am_server_db_q_offset_for_zone (AmServerDb  *db,
                                const char  *timezone,
                                guint       *q,
                                GError     **error)
{
  g_return_val_if_fail (db != NULL && timezone != NULL && q != NULL, FALSE);

  return zone_q_offset (db, timezone, q, error);
}

gint64
am_server_db_count (AmServerDb *db,
                    const char *table)
{
  static const char * const tables[] = {
    "users", "sessions", "invitations", "properties", "locks", "lock_keys", "grants",
    "passcodes", "lock_events", "unlocks", "tombstones", "sign_in_failures", NULL
  };
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gint64 n = -1;

  g_return_val_if_fail (db != NULL, -1);
  g_return_val_if_fail (table != NULL && g_strv_contains (tables, table), -1);

  sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  if (sqlite3_prepare_v2 (db->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

gint64
am_server_db_get_change_seq (AmServerDb *db)
{
  sqlite3_stmt *stmt;
  gint64 seq = 0;

  g_return_val_if_fail (db != NULL, 0);

  if (db->tx_depth > 0)
    return db->seq;
  stmt = prepare (db, "SELECT seq FROM counter WHERE id = 1");
  if (sqlite3_step (stmt) == SQLITE_ROW)
    seq = sqlite3_column_int64 (stmt, 0);
  finish (stmt);
  return seq;
}

/**
 * am_server_db_set_cursor_horizon:
 * @db: a database
 * @seq: the oldest change a cursor may still start from
 * @error: a location for a #GError
 *
 * Forgets the tombstones before @seq: a cursor older than that gets `410`
 * and its client syncs from scratch.
 *
 * Returns: whether it was stored
 */
gboolean
am_server_db_set_cursor_horizon (AmServerDb  *db,
                                 gint64       seq,
                                 GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (db != NULL, FALSE);

  if (!tx_begin (db, error))
    return FALSE;
  stmt = prepare (db, "UPDATE counter SET horizon = ?1 WHERE id = 1");
  sqlite3_bind_int64 (stmt, 1, seq);
  if (!step_done (db, stmt, error))
    return GPOINTER_TO_INT (tx_fail (db));
  stmt = prepare (db, "DELETE FROM tombstones WHERE seq < ?1");
  sqlite3_bind_int64 (stmt, 1, seq);
  if (!step_done (db, stmt, error))
    return GPOINTER_TO_INT (tx_fail (db));
  return tx_commit (db, error);
}

gboolean
am_server_db_get_lock_key_bytes (AmServerDb  *db,
                                 const char  *lock_id,
                                 guint        kv,
                                 guint8       key[32],
                                 GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean found = FALSE;

  g_return_val_if_fail (db != NULL && lock_id != NULL, FALSE);

  stmt = prepare (db, "SELECT key FROM lock_keys WHERE lock_id = ?1 AND kv = ?2");
  bind_text (stmt, 1, lock_id);
  sqlite3_bind_int (stmt, 2, (int) kv);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_bytes (stmt, 0) == 32)
    {
      memcpy (key, sqlite3_column_blob (stmt, 0), 32);
      found = TRUE;
    }
  finish (stmt);
  if (!found)
    set_not_found (error, _("The lock has no key of this version."));
  return found;
}

/* Passcodes, events and unlocks: the writes */

static char *
passcode_request_text (AmPasscodeRecord *record)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  am_passcode_record_to_create_json (record, builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Stores @record with the request body it came in, if any. */
static gboolean
insert_passcode (AmServerDb        *db,
                 AmPasscodeRecord  *record,
                 const char        *request,
                 GError           **error)
{
  g_autofree char *property_id = NULL;
  sqlite3_stmt *stmt;

  if (!tx_begin (db, error))
    return FALSE;

  stmt = prepare (db, "SELECT property_id FROM locks WHERE id = ?1");
  bind_text (stmt, 1, record->lock_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    property_id = column_text (stmt, 0);
  finish (stmt);
  if (property_id == NULL)
    {
      tx_rollback (db);
      set_not_found (error, _("There is no such lock. Check its id."));
      return FALSE;
    }

  stmt = prepare (db, "INSERT INTO passcodes (id, lock_id, property_id, kind, kv, start_h, p,"
                      " digits, starts_at, ends_at, use_by, recipient_name, recipient_contact,"
                      " purpose, note, source, created_by, created_at, revoked_at, revoked_by,"
                      " first_used_at, last_used_at, use_count, request, seq)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                      " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)");
  bind_text (stmt, 1, record->id);
  bind_text (stmt, 2, record->lock_id);
  bind_text (stmt, 3, property_id);
  sqlite3_bind_int (stmt, 4, (int) record->kind);
  sqlite3_bind_int (stmt, 5, (int) record->kv);
  sqlite3_bind_int64 (stmt, 6, record->start_h);
  sqlite3_bind_int (stmt, 7, (int) record->p);
  sqlite3_bind_int (stmt, 8, (int) record->digits);
  sqlite3_bind_int64 (stmt, 9, record->starts_at);
  sqlite3_bind_int64 (stmt, 10, record->ends_at);
  sqlite3_bind_int64 (stmt, 11, record->use_by);
  bind_text (stmt, 12, record->recipient_name);
  bind_text (stmt, 13, record->recipient_contact);
  bind_text (stmt, 14, record->purpose);
  bind_text (stmt, 15, record->note);
  bind_text (stmt, 16, record->source);
  bind_text (stmt, 17, record->created_by_id);
  sqlite3_bind_int64 (stmt, 18, record->created_at);
  bind_time (stmt, 19, record->revoked_at);
  bind_text (stmt, 20, record->revoked_by_id);
  bind_time (stmt, 21, record->first_used_at);
  bind_time (stmt, 22, record->last_used_at);
  sqlite3_bind_int64 (stmt, 23, record->use_count);
  bind_text (stmt, 24, request);
  sqlite3_bind_int64 (stmt, 25, next_seq (db));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gboolean exists = sqlite3_extended_errcode (db->db) == SQLITE_CONSTRAINT_PRIMARYKEY;
      finish (stmt);
      tx_rollback (db);
      if (exists)
        g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_CONFLICT,
                     _("A passcode with this id exists already."));
      else
        set_storage_error (db, error);
      return FALSE;
    }
  finish (stmt);
  return tx_commit (db, error);
}

/**
 * am_server_db_insert_passcode:
 * @db: a database
 * @record: a complete passcode record, its created_by an existing user
 * @error: a location for a #GError
 *
 * Stores @record as it is, without any check: for the seeds. It was never
 * sent to the API, so no request body is kept for it.
 *
 * Returns: whether it was stored
 */
gboolean
am_server_db_insert_passcode (AmServerDb        *db,
                              AmPasscodeRecord  *record,
                              GError           **error)
{
  g_return_val_if_fail (db != NULL && AM_IS_PASSCODE_RECORD (record), FALSE);

  return insert_passcode (db, record, NULL, error);
}

/* Whether the lock holds key version @kv at @now: the current one, or the
 * previous one while it is valid. */
static gboolean
key_version_valid (AmServerDb *self,
                   AmLock     *lock,
                   guint       kv,
                   gint64      now)
{
  sqlite3_stmt *stmt;
  gboolean valid;

  if (kv == lock->kv)
    return TRUE;
  stmt = prepare (self, "SELECT 1 FROM lock_keys WHERE lock_id = ?1 AND kv = ?2"
                        " AND valid_until IS NOT NULL AND valid_until > ?3");
  bind_text (stmt, 1, lock->id);
  sqlite3_bind_int (stmt, 2, (int) kv);
  sqlite3_bind_int64 (stmt, 3, now);
  valid = sqlite3_step (stmt) == SQLITE_ROW;
  finish (stmt);
  return valid;
}

static gboolean
validate_passcode (AmServerDb        *self,
                   AmLock            *lock,
                   AmPasscodeRecord  *request,
                   gint64             now,
                   GError           **error)
{
  AmPasscodeWindow window;

  if (am_passcode_kind_for_p (request->p) != request->kind)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_WINDOW_MISMATCH,
                   _("The passcode’s kind does not match its parameter p. Issue the code again."));
      return FALSE;
    }
  if (request->digits != lock->digits)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_WINDOW_MISMATCH,
                   _("The passcode has %u digits but the lock takes %u. Sync and issue the code again."),
                   request->digits, lock->digits);
      return FALSE;
    }
  if (!am_passcode_window_for (request->start_h, request->p, lock->q_offset_s, &window, NULL) ||
      window.starts_at != request->starts_at || window.ends_at != request->ends_at)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_WINDOW_MISMATCH,
                   _("The passcode’s start_h and p do not match its start and end for this lock. Sync and issue the code again."));
      return FALSE;
    }
  if (request->created_at >= window.use_by)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_USE_BY_PASSED,
                   _("The passcode was created after its first-use deadline. Issue a code that starts later."));
      return FALSE;
    }
  if (!key_version_valid (self, lock, request->kv, now))
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_KEY_VERSION,
                   _("The passcode was made with key version %u, which the lock no longer holds. Sync and issue the code again."),
                   request->kv);
      return FALSE;
    }
  return TRUE;
}

/**
 * am_server_db_create_passcode:
 * @db: a database
 * @user: the caller
 * @request: the passcode as `POST /v1/passcodes` gave it
 * @now: the time, UTC seconds
 * @created: (out): %TRUE when stored now, %FALSE for the same request again
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the stored passcode
 */
AmPasscodeRecord *
am_server_db_create_passcode (AmServerDb         *db,
                              const AmCloudUser  *user,
                              AmPasscodeRecord   *request,
                              gint64              now,
                              gboolean           *created,
                              GError            **error)
{
  static const char * const needed[] = { AM_PERMISSION_GENERATE_CODES, NULL };
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmPasscodeRecord) existing = NULL;
  g_autofree char *stored_request = NULL;
  g_autofree char *request_text = NULL;

  g_return_val_if_fail (db != NULL && user != NULL && AM_IS_PASSCODE_RECORD (request), NULL);

  *created = FALSE;
  if (!tx_begin (db, error))
    return NULL;

  lock = lookup_lock (db, request->lock_id);
  if (lock == NULL)
    {
      set_not_found (error, _("There is no such lock. Sync and try again."));
      return tx_fail (db);
    }
  if (!require_permission (db, user->id, lock->property_id, needed,
                           _("There is no such lock. Sync and try again."), error))
    return tx_fail (db);

  request_text = passcode_request_text (request);
  existing = lookup_passcode (db, request->id, &stored_request);
  if (existing != NULL)
    {
      tx_rollback (db);
      if (g_strcmp0 (stored_request, request_text) != 0 ||
          g_strcmp0 (existing->created_by_id, user->id) != 0)
        {
          g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_CONFLICT,
                       _("Another passcode was stored with this id. Issue the code again."));
          return NULL;
        }
      return g_steal_pointer (&existing);
    }

  if (!validate_passcode (db, lock, request, now, error))
    return tx_fail (db);

  g_free (request->source);
  request->source = g_strdup (AM_PASSCODE_SOURCE_MANUAL);
  g_free (request->created_by_id);
  request->created_by_id = g_strdup (user->id);
  g_free (request->created_by_name);
  request->created_by_name = g_strdup (user->name);
  request->use_by = request->starts_at + AM_PASSCODE_FIRST_USE_S;
  request->revoked_at = 0;
  request->first_used_at = 0;
  request->last_used_at = 0;
  request->use_count = 0;

  if (!insert_passcode (db, request, request_text, error))
    return tx_fail (db);
  existing = lookup_passcode (db, request->id, NULL);
  if (!tx_commit (db, error))
    return NULL;
  *created = TRUE;
  return g_steal_pointer (&existing);
}

AmPasscodeRecord *
am_server_db_revoke_passcode (AmServerDb         *db,
                              const AmCloudUser  *user,
                              const char         *passcode_id,
                              gint64              now,
                              GError            **error)
{
  static const char * const needed[] = { AM_PERMISSION_REVOKE_CODES, NULL };
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(AmLock) lock = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (db != NULL && user != NULL && passcode_id != NULL, NULL);

  if (!tx_begin (db, error))
    return NULL;
  record = lookup_passcode (db, passcode_id, NULL);
  if (record != NULL)
    lock = lookup_lock (db, record->lock_id);
  if (record == NULL || lock == NULL)
    {
      set_not_found (error, _("There is no such passcode. Sync and try again."));
      return tx_fail (db);
    }
  if (!require_permission (db, user->id, lock->property_id, needed,
                           _("There is no such passcode. Sync and try again."), error))
    return tx_fail (db);
  if (record->revoked_at != 0)
    {
      tx_rollback (db);
      return g_steal_pointer (&record);
    }

  stmt = prepare (db, "UPDATE passcodes SET revoked_at = ?2, revoked_by = ?3, seq = am_next_seq ()"
                      " WHERE id = ?1");
  bind_text (stmt, 1, passcode_id);
  sqlite3_bind_int64 (stmt, 2, now);
  bind_text (stmt, 3, user->id);
  if (!step_done (db, stmt, error))
    return tx_fail (db);
  g_clear_object (&record);
  record = lookup_passcode (db, passcode_id, NULL);
  if (!tx_commit (db, error))
    return NULL;
  return g_steal_pointer (&record);
}

/* Links a keypad_open to the passcodes of its window; returns the id of
 * the newest of them, or NULL. */
static char *
link_keypad_open (AmServerDb         *self,
                  AmLockEventRecord  *event,
                  GError            **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  stmt = prepare (self, "SELECT id FROM passcodes WHERE lock_id = ?1 AND start_h = ?2 AND p = ?3"
                        " ORDER BY created_at DESC, id");
  bind_text (stmt, 1, event->lock_id);
  sqlite3_bind_int64 (stmt, 2, event->start_h);
  sqlite3_bind_int (stmt, 3, (int) event->p);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, column_text (stmt, 0));
  finish (stmt);

  for (guint i = 0; i < ids->len; i++)
    {
      stmt = prepare (self, "UPDATE passcodes SET use_count = use_count + 1,"
                            " first_used_at = min (coalesce (first_used_at, ?2), ?2),"
                            " last_used_at = max (coalesce (last_used_at, ?2), ?2),"
                            " seq = am_next_seq () WHERE id = ?1");
      bind_text (stmt, 1, g_ptr_array_index (ids, i));
      sqlite3_bind_int64 (stmt, 2, event->at);
      if (!step_done (self, stmt, error))
        return NULL;
    }
  if (error != NULL && *error != NULL)
    return NULL;
  return ids->len > 0 ? g_strdup (g_ptr_array_index (ids, 0)) : NULL;
}

/**
 * am_server_db_insert_lock_events:
 * @db: a database
 * @lock_id: the lock whose log they are
 * @events: (element-type AmLockEventRecord): the entries
 * @accepted: (out) (optional): how many were new
 * @duplicates: (out) (optional): how many were stored already
 * @error: a location for a #GError
 *
 * Stores the entries new on (lock_id, seq), linking each keypad_open to
 * the passcodes of that lock with its (start_h, p). No permission check:
 * for the seeds; the API calls am_server_db_upload_events().
 *
 * Returns: whether they were stored
 */
gboolean
am_server_db_insert_lock_events (AmServerDb  *db,
                                 const char  *lock_id,
                                 GPtrArray   *events,
                                 guint       *accepted,
                                 guint       *duplicates,
                                 GError     **error)
{
  g_autofree char *property_id = NULL;
  guint n_new = 0, n_dup = 0;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (db != NULL && lock_id != NULL && events != NULL, FALSE);

  if (!tx_begin (db, error))
    return FALSE;
  stmt = prepare (db, "SELECT property_id FROM locks WHERE id = ?1");
  bind_text (stmt, 1, lock_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    property_id = column_text (stmt, 0);
  finish (stmt);
  if (property_id == NULL)
    {
      tx_rollback (db);
      set_not_found (error, _("There is no such lock. Check its id."));
      return FALSE;
    }

  for (guint i = 0; i < events->len; i++)
    {
      AmLockEventRecord *event = g_ptr_array_index (events, i);
      g_autofree char *passcode_id = NULL;
      gboolean exists;

      stmt = prepare (db, "SELECT 1 FROM lock_events WHERE lock_id = ?1 AND log_seq = ?2");
      bind_text (stmt, 1, lock_id);
      sqlite3_bind_int64 (stmt, 2, event->seq);
      exists = sqlite3_step (stmt) == SQLITE_ROW;
      finish (stmt);
      if (exists)
        {
          n_dup++;
          continue;
        }

      if (g_str_equal (event->event, AM_LOCK_EVENT_NAME_KEYPAD_OPEN))
        {
          GError *local_error = NULL;

          g_free (event->lock_id);
          event->lock_id = g_strdup (lock_id);
          passcode_id = link_keypad_open (db, event, &local_error);
          if (local_error != NULL)
            {
              g_propagate_error (error, local_error);
              tx_rollback (db);
              return FALSE;
            }
        }

      stmt = prepare (db, "INSERT INTO lock_events (lock_id, log_seq, property_id, event, at,"
                          " start_h, p, result, passcode_id, seq)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
      bind_text (stmt, 1, lock_id);
      sqlite3_bind_int64 (stmt, 2, event->seq);
      bind_text (stmt, 3, property_id);
      bind_text (stmt, 4, event->event);
      sqlite3_bind_int64 (stmt, 5, event->at);
      sqlite3_bind_int64 (stmt, 6, event->start_h);
      sqlite3_bind_int (stmt, 7, (int) event->p);
      bind_text (stmt, 8, event->result);
      bind_text (stmt, 9, passcode_id);
      sqlite3_bind_int64 (stmt, 10, next_seq (db));
      if (!step_done (db, stmt, error))
        {
          tx_rollback (db);
          return FALSE;
        }
      n_new++;
    }

  if (!tx_commit (db, error))
    return FALSE;
  if (accepted != NULL)
    *accepted = n_new;
  if (duplicates != NULL)
    *duplicates = n_dup;
  return TRUE;
}

/* Checks that @lock_id exists (404) and that the user holds @permission
 * on its property (403). */
gboolean
am_server_db_check_lock_permission (AmServerDb  *db,
                                    const char  *user_id,
                                    const char  *lock_id,
                                    const char  *permission,
                                    GError     **error)
{
  const char *needed[] = { permission, NULL };
  g_autoptr(AmLock) lock = NULL;

  g_return_val_if_fail (db != NULL && user_id != NULL && lock_id != NULL, FALSE);

  lock = lookup_lock (db, lock_id);
  if (lock == NULL)
    {
      set_not_found (error, _("There is no such lock. Sync and try again."));
      return FALSE;
    }
  return require_permission (db, user_id, lock->property_id, needed,
                             _("There is no such lock. Sync and try again."), error);
}

gboolean
am_server_db_upload_events (AmServerDb  *db,
                            const char  *user_id,
                            const char  *lock_id,
                            GPtrArray   *events,
                            guint       *accepted,
                            guint       *duplicates,
                            GError     **error)
{
  g_return_val_if_fail (db != NULL && user_id != NULL && lock_id != NULL, FALSE);

  if (!am_server_db_check_lock_permission (db, user_id, lock_id, AM_PERMISSION_BLE_UNLOCK, error))
    return FALSE;
  return am_server_db_insert_lock_events (db, lock_id, events, accepted, duplicates, error);
}

AmUnlock *
am_server_db_add_unlock (AmServerDb         *db,
                         const AmCloudUser  *user,
                         AmUnlock           *request,
                         gboolean           *created,
                         GError            **error)
{
  g_autoptr(AmUnlock) existing = NULL;
  g_autoptr(AmLock) lock = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (db != NULL && user != NULL && AM_IS_UNLOCK (request), NULL);

  *created = FALSE;
  if (!am_server_db_check_lock_permission (db, user->id, request->lock_id,
                                           AM_PERMISSION_BLE_UNLOCK, error))
    return NULL;
  if (!tx_begin (db, error))
    return NULL;

  existing = lookup_unlock (db, request->id);
  if (existing != NULL)
    {
      tx_rollback (db);
      if (g_strcmp0 (existing->lock_id, request->lock_id) != 0 ||
          g_strcmp0 (existing->user_id, user->id) != 0 ||
          existing->at != request->at ||
          g_strcmp0 (existing->result, request->result) != 0)
        {
          g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_CONFLICT,
                       _("Another unlock was stored with this id."));
          return NULL;
        }
      return g_steal_pointer (&existing);
    }

  lock = lookup_lock (db, request->lock_id);
  g_assert (lock != NULL);
  stmt = prepare (db, "INSERT INTO unlocks (id, lock_id, property_id, user_id, at, result, seq)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  bind_text (stmt, 1, request->id);
  bind_text (stmt, 2, request->lock_id);
  bind_text (stmt, 3, lock->property_id);
  bind_text (stmt, 4, user->id);
  sqlite3_bind_int64 (stmt, 5, request->at);
  bind_text (stmt, 6, request->result);
  sqlite3_bind_int64 (stmt, 7, next_seq (db));
  if (!step_done (db, stmt, error))
    return tx_fail (db);
  existing = lookup_unlock (db, request->id);
  if (!tx_commit (db, error))
    return NULL;
  *created = TRUE;
  return g_steal_pointer (&existing);
}

/* Users and sessions */

static AmCloudUser *
lookup_user_by_email (AmServerDb  *self,
                      const char  *email,
                      char       **password_hash)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT id, name, email, password_hash FROM users WHERE email = ?1");
  AmCloudUser *user = NULL;

  bind_text (stmt, 1, email);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      user = am_cloud_user_new ((const char *) sqlite3_column_text (stmt, 0),
                                (const char *) sqlite3_column_text (stmt, 1),
                                (const char *) sqlite3_column_text (stmt, 2));
      *password_hash = column_text (stmt, 3);
    }
  finish (stmt);
  return user;
}

AmCloudOrg *
am_server_db_get_org (AmServerDb *db)
{
  g_return_val_if_fail (db != NULL, NULL);

  return am_cloud_org_new (db->org_id, db->org_name);
}

static char *
start_session (AmServerDb   *self,
               const char   *user_id,
               const char   *device_name,
               gint64        now,
               GError      **error)
{
  g_autofree char *token = am_server_random_token ();
  g_autofree char *token_hash = am_server_hash_token (token);
  sqlite3_stmt *stmt = prepare (self, "INSERT INTO sessions (token_hash, user_id, device_name, created_at)"
                                      " VALUES (?1, ?2, ?3, ?4)");

  bind_text (stmt, 1, token_hash);
  bind_text (stmt, 2, user_id);
  bind_text (stmt, 3, device_name);
  sqlite3_bind_int64 (stmt, 4, now);
  if (!step_done (self, stmt, error))
    {
      am_secret_memory_wipe (token, strlen (token));
      return NULL;
    }
  return g_steal_pointer (&token);
}

AmCloudSession *
am_server_db_sign_in (AmServerDb  *db,
                      const char  *email,
                      const char  *password,
                      const char  *device_name,
                      gint64       now,
                      guint       *retry_after,
                      GError     **error)
{
  g_autoptr(AmCloudUser) user = NULL;
  g_autofree char *address = NULL;
  g_autofree char *hash = NULL;
  AmCloudSession *session;
  sqlite3_stmt *stmt;
  gint64 failures = 0, oldest = 0;
  char *token;

  g_return_val_if_fail (db != NULL && email != NULL && password != NULL, NULL);

  *retry_after = 0;
  address = normalise_email (email);

  stmt = prepare (db, "SELECT count(*), min(at) FROM sign_in_failures WHERE email = ?1 AND at > ?2");
  bind_text (stmt, 1, address);
  sqlite3_bind_int64 (stmt, 2, now - AM_SERVER_SIGN_IN_WINDOW_S);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      failures = sqlite3_column_int64 (stmt, 0);
      oldest = sqlite3_column_int64 (stmt, 1);
    }
  finish (stmt);
  if (failures >= AM_SERVER_SIGN_IN_MAX_FAILURES)
    {
      *retry_after = (guint) MAX (1, oldest + AM_SERVER_SIGN_IN_WINDOW_S - now);
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_RATE_LIMITED,
                   _("Too many failed sign-ins for this email. Wait a few minutes and try again."));
      return NULL;
    }

  user = lookup_user_by_email (db, address, &hash);
  if (!verify_password (password, hash))
    {
      if (tx_begin (db, NULL))
        {
          stmt = prepare (db, "DELETE FROM sign_in_failures WHERE at <= ?1");
          sqlite3_bind_int64 (stmt, 1, now - AM_SERVER_SIGN_IN_WINDOW_S);
          step_done (db, stmt, NULL);
          stmt = prepare (db, "INSERT INTO sign_in_failures (email, at) VALUES (?1, ?2)");
          bind_text (stmt, 1, address);
          sqlite3_bind_int64 (stmt, 2, now);
          if (step_done (db, stmt, NULL))
            tx_commit (db, NULL);
          else
            tx_rollback (db);
        }
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID_CREDENTIALS,
                   _("The email or the password is wrong. Check both and try again."));
      return NULL;
    }

  if (!tx_begin (db, error))
    return NULL;
  stmt = prepare (db, "DELETE FROM sign_in_failures WHERE email = ?1");
  bind_text (stmt, 1, address);
  if (!step_done (db, stmt, error) ||
      (token = start_session (db, user->id, device_name, now, error)) == NULL)
    return tx_fail (db);
  if (!tx_commit (db, error))
    {
      am_secret_memory_free (token);
      return NULL;
    }

  session = g_new0 (AmCloudSession, 1);
  session->token = token;
  session->user = g_steal_pointer (&user);
  session->org = am_server_db_get_org (db);
  return session;
}

AmCloudSession *
am_server_db_accept_invitation (AmServerDb  *db,
                                const char  *invite_token,
                                const char  *name,
                                const char  *password,
                                gint64       now,
                                GError     **error)
{
  g_autofree char *token_hash = NULL;
  g_autofree char *email = NULL;
  g_autofree char *property_id = NULL;
  g_autofree char *permissions = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *stored_hash = NULL;
  g_autofree char *new_hash = NULL;
  g_autoptr(AmCloudUser) user = NULL;
  g_autoptr(GPtrArray) properties = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) permission_list = NULL;
  AmCloudSession *session;
  sqlite3_stmt *stmt;
  gint64 expires_at = 0;
  gboolean accepted = FALSE, found = FALSE;

  g_return_val_if_fail (db != NULL && invite_token != NULL, NULL);
  g_return_val_if_fail (name != NULL && password != NULL, NULL);

  token_hash = am_server_hash_token (invite_token);
  stmt = prepare (db, "SELECT email, property_id, permissions, expires_at, accepted_at IS NOT NULL"
                      " FROM invitations WHERE token_hash = ?1");
  bind_text (stmt, 1, token_hash);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      email = column_text (stmt, 0);
      property_id = column_text (stmt, 1);
      permissions = column_text (stmt, 2);
      expires_at = sqlite3_column_int64 (stmt, 3);
      accepted = sqlite3_column_int (stmt, 4);
    }
  finish (stmt);

  if (!found || (!accepted && now >= expires_at))
    {
      set_not_found (error, _("This invitation is unknown or has expired. Ask for a new one."));
      return NULL;
    }
  if (accepted)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVITATION_ACCEPTED,
                   _("This invitation has been accepted already. Sign in instead."));
      return NULL;
    }
  if (!check_password_length (password, error))
    return NULL;
  {
    g_autofree char *trimmed = g_strstrip (g_strdup (name));
    if (trimmed[0] == '\0')
      {
        g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID,
                     _("Enter your name to accept the invitation."));
        return NULL;
      }
  }

  user = lookup_user_by_email (db, email, &stored_hash);
  if (user != NULL)
    {
      if (!verify_password (password, stored_hash))
        {
          g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_ACCOUNT_EXISTS,
                       _("There is already an account for this email. Accept the invitation with that account’s password."));
          return NULL;
        }
    }
  else if ((new_hash = hash_password (password, error)) == NULL)
    return NULL;

  if (!tx_begin (db, error))
    return NULL;
  if (user == NULL)
    {
      if ((user_id = insert_user (db, email, name, new_hash, error)) == NULL)
        return tx_fail (db);
      user = am_cloud_user_new (user_id, name, email);
    }

  if (property_id != NULL)
    g_ptr_array_add (properties, g_strdup (property_id));
  else
    {
      stmt = prepare (db, "SELECT id FROM properties ORDER BY name");
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (properties, column_text (stmt, 0));
      finish (stmt);
    }
  permission_list = permissions[0] != '\0' ? g_strsplit (permissions, ",", -1) : g_new0 (char *, 1);
  for (guint i = 0; i < properties->len; i++)
    if (property_exists (db, g_ptr_array_index (properties, i)) &&
        !write_grant (db, user->id, g_ptr_array_index (properties, i),
                      (const char * const *) permission_list, error))
      return tx_fail (db);

  stmt = prepare (db, "UPDATE invitations SET accepted_at = ?2, user_id = ?3 WHERE token_hash = ?1");
  bind_text (stmt, 1, token_hash);
  sqlite3_bind_int64 (stmt, 2, now);
  bind_text (stmt, 3, user->id);
  if (!step_done (db, stmt, error))
    return tx_fail (db);
  if (!tx_commit (db, error))
    return NULL;

  session = g_new0 (AmCloudSession, 1);
  session->user = g_steal_pointer (&user);
  session->org = am_server_db_get_org (db);
  return session;
}

AmCloudUser *
am_server_db_user_for_token (AmServerDb  *db,
                             const char  *token,
                             GError     **error)
{
  g_autofree char *token_hash = NULL;
  AmCloudUser *user = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (db != NULL, NULL);

  if (token != NULL && token[0] != '\0')
    {
      token_hash = am_server_hash_token (token);
      stmt = prepare (db, "SELECT u.id, u.name, u.email FROM sessions s JOIN users u ON u.id = s.user_id"
                          " WHERE s.token_hash = ?1");
      bind_text (stmt, 1, token_hash);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        user = am_cloud_user_new ((const char *) sqlite3_column_text (stmt, 0),
                                  (const char *) sqlite3_column_text (stmt, 1),
                                  (const char *) sqlite3_column_text (stmt, 2));
      finish (stmt);
    }
  if (user == NULL)
    g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_UNAUTHENTICATED,
                 _("You are not signed in, or your session has ended. Sign in again."));
  return user;
}

gboolean
am_server_db_sign_out (AmServerDb  *db,
                       const char  *token,
                       GError     **error)
{
  g_autofree char *token_hash = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (db != NULL && token != NULL, FALSE);

  token_hash = am_server_hash_token (token);
  if (!tx_begin (db, error))
    return FALSE;
  stmt = prepare (db, "DELETE FROM sessions WHERE token_hash = ?1");
  bind_text (stmt, 1, token_hash);
  if (!step_done (db, stmt, error))
    return GPOINTER_TO_INT (tx_fail (db));
  return tx_commit (db, error);
}

AmCloudMe *
am_server_db_get_me (AmServerDb         *db,
                     const AmCloudUser  *user,
                     GError            **error)
{
  AmCloudMe *me;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (db != NULL && user != NULL, NULL);

  me = g_new0 (AmCloudMe, 1);
  me->user = am_cloud_user_new (user->id, user->name, user->email);
  me->org = am_server_db_get_org (db);
  me->grants = g_ptr_array_new_with_free_func (g_object_unref);
  stmt = prepare (db, "SELECT " GRANT_COLUMNS " FROM grants WHERE user_id = ?1 ORDER BY property_id");
  bind_text (stmt, 1, user->id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (me->grants, read_grant (stmt));
  finish (stmt);
  return me;
}

AmCloudLockKey *
am_server_db_get_lock_key (AmServerDb  *db,
                           const char  *user_id,
                           const char  *lock_id,
                           gint64       now,
                           GError     **error)
{
  static const char * const needed[] = {
    AM_PERMISSION_GENERATE_CODES, AM_PERMISSION_BLE_UNLOCK, NULL
  };
  g_autoptr(AmLock) lock = NULL;
  AmCloudLockKey *key;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (db != NULL && user_id != NULL && lock_id != NULL, NULL);

  lock = lookup_lock (db, lock_id);
  if (lock == NULL)
    {
      set_not_found (error, _("There is no such lock. Sync and try again."));
      return NULL;
    }
  if (!require_permission (db, user_id, lock->property_id, needed,
                           _("There is no such lock. Sync and try again."), error))
    return NULL;

  key = g_new0 (AmCloudLockKey, 1);
  key->lock_id = g_strdup (lock_id);
  key->kv = lock->kv;
  if (!am_server_db_get_lock_key_bytes (db, lock_id, lock->kv, key->key, error))
    {
      am_cloud_lock_key_free (key);
      return NULL;
    }

  stmt = prepare (db, "SELECT kv, key, valid_until FROM lock_keys WHERE lock_id = ?1 AND kv < ?2"
                      " AND valid_until > ?3 ORDER BY kv DESC LIMIT 1");
  bind_text (stmt, 1, lock_id);
  sqlite3_bind_int (stmt, 2, (int) lock->kv);
  sqlite3_bind_int64 (stmt, 3, now);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_bytes (stmt, 1) == 32)
    {
      key->previous_kv = (guint) sqlite3_column_int (stmt, 0);
      memcpy (key->previous_key, sqlite3_column_blob (stmt, 1), 32);
      key->previous_valid_until = sqlite3_column_int64 (stmt, 2);
    }
  finish (stmt);
  return key;
}

/* Sync */

static gboolean
parse_cursor (AmServerDb  *self,
              const char  *cursor,
              gint64       counter,
              gint64       horizon,
              gint64      *seq,
              GError     **error)
{
  g_auto(GStrv) parts = NULL;
  guint64 value = 0;

  parts = g_strsplit (cursor, ".", -1);
  if (g_strv_length (parts) != 3 || !g_str_equal (parts[0], "v1") ||
      !g_str_equal (parts[1], self->db_id) ||
      !g_ascii_string_to_unsigned (parts[2], 10, 0, G_MAXINT64, &value, NULL) ||
      (gint64) value > counter || (gint64) value < horizon)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_CURSOR_GONE,
                   _("The sync cursor is unknown or too old. Sync again from the start."));
      return FALSE;
    }
  *seq = (gint64) value;
  return TRUE;
}

/* Whether the user holds a grant on the row's property (@column), and
 * one with view_activity: one lookup in the grants' primary key a row, so
 * that a page of a few changes costs the same however many properties the
 * user sees. */
#define VISIBLE(column) \
  "EXISTS (SELECT 1 FROM grants g WHERE g.user_id = ?1 AND g.property_id = " column ")"
#define VISIBLE_ACTIVITY(column) \
  "EXISTS (SELECT 1 FROM grants g WHERE g.user_id = ?1 AND g.property_id = " column \
  " AND g.view_activity = 1)"

enum {
  TABLE_PROPERTIES,
  TABLE_LOCKS,
  TABLE_GRANTS,
  TABLE_PASSCODES,
  TABLE_EVENTS,
  TABLE_UNLOCKS,
  TABLE_TOMBSTONES,
  N_TABLES
};

/* Each table is walked by its seq index (a page is a range of seqs), the
 * visibility checked row by row. */

/* The seqs of what the user may see, after ?2, at most ?3 of them. */
static const char * const seq_sql[N_TABLES] = {
  "SELECT seq FROM properties WHERE seq > ?2 AND " VISIBLE ("properties.id")
  " ORDER BY seq LIMIT ?3",
  "SELECT seq FROM locks WHERE seq > ?2 AND " VISIBLE ("locks.property_id")
  " ORDER BY seq LIMIT ?3",
  "SELECT seq FROM grants WHERE seq > ?2 AND user_id = ?1 ORDER BY seq LIMIT ?3",
  "SELECT seq FROM passcodes WHERE seq > ?2 AND (" VISIBLE_ACTIVITY ("passcodes.property_id")
  " OR (created_by = ?1 AND " VISIBLE ("passcodes.property_id") ")) ORDER BY seq LIMIT ?3",
  "SELECT seq FROM lock_events WHERE seq > ?2 AND " VISIBLE_ACTIVITY ("lock_events.property_id")
  " ORDER BY seq LIMIT ?3",
  "SELECT seq FROM unlocks WHERE seq > ?2 AND (" VISIBLE_ACTIVITY ("unlocks.property_id")
  " OR (user_id = ?1 AND " VISIBLE ("unlocks.property_id") ")) ORDER BY seq LIMIT ?3",
  "SELECT seq FROM tombstones WHERE user_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
};

/* The records with ?2 < seq <= ?3. */
static const char * const row_sql[N_TABLES] = {
  "SELECT " PROPERTY_COLUMNS " FROM properties WHERE seq > ?2 AND seq <= ?3"
  " AND " VISIBLE ("properties.id") " ORDER BY seq",
  "SELECT " LOCK_COLUMNS " FROM locks WHERE seq > ?2 AND seq <= ?3"
  " AND " VISIBLE ("locks.property_id") " ORDER BY seq",
  "SELECT " GRANT_COLUMNS " FROM grants WHERE seq > ?2 AND seq <= ?3 AND user_id = ?1 ORDER BY seq",
  "SELECT " PASSCODE_COLUMNS PASSCODE_FROM " WHERE c.seq > ?2 AND c.seq <= ?3"
  " AND (" VISIBLE_ACTIVITY ("c.property_id")
  " OR (c.created_by = ?1 AND " VISIBLE ("c.property_id") ")) ORDER BY c.seq",
  "SELECT " EVENT_COLUMNS " FROM lock_events WHERE seq > ?2 AND seq <= ?3"
  " AND " VISIBLE_ACTIVITY ("lock_events.property_id") " ORDER BY seq",
  "SELECT " UNLOCK_COLUMNS UNLOCK_FROM " WHERE n.seq > ?2 AND n.seq <= ?3"
  " AND (" VISIBLE_ACTIVITY ("n.property_id")
  " OR (n.user_id = ?1 AND " VISIBLE ("n.property_id") ")) ORDER BY n.seq",
  "SELECT type, id FROM tombstones WHERE user_id = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq",
};

/* A record the page sends is visible and current at the page's cursor, so
 * a deletion of it earlier in the same range (a grant lost, then given
 * back) is left out: whatever order a client applies the two in, the
 * record stays. */
static void
drop_superseded_deletions (AmSyncPage *page)
{
  g_autoptr(GHashTable) sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (page->deleted->len == 0)
    return;
  for (guint i = 0; i < page->properties->len; i++)
    g_hash_table_add (sent, g_strconcat ("property/", am_property_get_id (g_ptr_array_index (page->properties, i)), NULL));
  for (guint i = 0; i < page->grants->len; i++)
    g_hash_table_add (sent, g_strconcat ("grant/", am_grant_get_property_id (g_ptr_array_index (page->grants, i)), NULL));
  for (guint i = 0; i < page->locks->len; i++)
    g_hash_table_add (sent, g_strconcat ("lock/", am_lock_get_id (g_ptr_array_index (page->locks, i)), NULL));
  for (guint i = 0; i < page->passcodes->len; i++)
    g_hash_table_add (sent, g_strconcat ("passcode/", am_passcode_record_get_id (g_ptr_array_index (page->passcodes, i)), NULL));

  for (guint i = page->deleted->len; i-- > 0;)
    {
      AmDeletedRef *ref = g_ptr_array_index (page->deleted, i);
      g_autofree char *key = g_strconcat (ref->type, "/", ref->id, NULL);

      if (g_hash_table_contains (sent, key))
        g_ptr_array_remove_index (page->deleted, i);
    }
}

static int
compare_seq (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/**
 * am_server_db_sync:
 * @db: a database
 * @user_id: the caller
 * @since: (nullable): the cursor of the last page, or %NULL for everything
 * @limit: the most records in the page, 1..5000
 * @more: (out): whether more records follow at once
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the page, with its cursor
 */
AmSyncPage *
am_server_db_sync (AmServerDb  *db,
                   const char  *user_id,
                   const char  *since,
                   guint        limit,
                   gboolean    *more,
                   GError     **error)
{
  g_autoptr(AmSyncPage) page = NULL;
  g_autoptr(GArray) seqs = NULL;
  sqlite3_stmt *stmt;
  gint64 counter = 0, horizon = 0, from = 0, upto;

  g_return_val_if_fail (db != NULL && user_id != NULL, NULL);
  g_return_val_if_fail (limit >= 1, NULL);

  /* One snapshot for the whole page. */
  if (!exec (db, "BEGIN", error))
    return NULL;

  stmt = prepare (db, "SELECT seq, horizon FROM counter WHERE id = 1");
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      counter = sqlite3_column_int64 (stmt, 0);
      horizon = sqlite3_column_int64 (stmt, 1);
    }
  finish (stmt);

  if (since != NULL && !parse_cursor (db, since, counter, horizon, &from, error))
    {
      exec (db, "ROLLBACK", NULL);
      return NULL;
    }

  seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint t = 0; t < N_TABLES; t++)
    {
      /* A first sync has nothing to delete. */
      if (t == TABLE_TOMBSTONES && since == NULL)
        continue;
      stmt = prepare (db, seq_sql[t]);
      bind_text (stmt, 1, user_id);
      sqlite3_bind_int64 (stmt, 2, from);
      sqlite3_bind_int64 (stmt, 3, (gint64) limit + 1);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          gint64 seq = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (seqs, seq);
        }
      finish (stmt);
    }

  if (seqs->len > limit)
    {
      g_array_sort (seqs, compare_seq);
      upto = g_array_index (seqs, gint64, limit - 1);
      *more = TRUE;
    }
  else
    {
      upto = counter;
      *more = FALSE;
    }

  page = am_sync_page_new ();
  for (guint t = 0; t < N_TABLES; t++)
    {
      if (t == TABLE_TOMBSTONES && since == NULL)
        continue;
      stmt = prepare (db, row_sql[t]);
      bind_text (stmt, 1, user_id);
      sqlite3_bind_int64 (stmt, 2, from);
      sqlite3_bind_int64 (stmt, 3, upto);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          switch (t)
            {
            case TABLE_PROPERTIES:
              g_ptr_array_add (page->properties, read_property (stmt));
              break;
            case TABLE_LOCKS:
              g_ptr_array_add (page->locks, read_lock (stmt));
              break;
            case TABLE_GRANTS:
              g_ptr_array_add (page->grants, read_grant (stmt));
              break;
            case TABLE_PASSCODES:
              g_ptr_array_add (page->passcodes, read_passcode (stmt));
              break;
            case TABLE_EVENTS:
              g_ptr_array_add (page->events, read_event (stmt));
              break;
            case TABLE_UNLOCKS:
              g_ptr_array_add (page->unlocks, read_unlock (stmt));
              break;
            case TABLE_TOMBSTONES:
              am_sync_page_add_deleted (page,
                                        (const char *) sqlite3_column_text (stmt, 0),
                                        (const char *) sqlite3_column_text (stmt, 1));
              break;
            default:
              g_assert_not_reached ();
            }
        }
      finish (stmt);
    }
  exec (db, "COMMIT", NULL);
  drop_superseded_deletions (page);

  page->cursor = g_strdup_printf ("v1.%s.%" G_GINT64_FORMAT, db->db_id, upto);
  return g_steal_pointer (&page);
}
