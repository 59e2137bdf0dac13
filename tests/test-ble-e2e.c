/* test-ble-e2e.c: the story of a code, end to end: issued, typed, seen used
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real programs: access-manager-server seeded with the demo, the
 * simulated AM1 lock behind BlueZ's API on a private system bus, and
 * access-manager-cli signed in as the demo agent. A code is issued, typed
 * at the simulated keypad, the lock is opened over Bluetooth (which reads
 * its log), and after a sync the code shows as used, with the time it was
 * typed, in the cache and on the server. Then it is revoked: the next
 * Bluetooth visit tells the lock, which refuses the code from then on.
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "am-encoding.h"
#include "am-server-db.h"
#include "am-store.h"
#include "am-test-async.h"
#include "am-test-bluez.h"
#include "am-test-cli.h"
#include "am-test-server.h"
#include "am-vault.h"

typedef struct
{
  char         *dir;
  char         *data_home;
  AmTestServer  server;
  GString      *log;          /* everything the CLI wrote on stderr */
} Fixture;

static void
cli_ok (Fixture            *f,
        const char * const *args,
        char              **out)
{
  g_auto(AmTestRun) run = { 0 };

  am_test_run_cli (&run, NULL, f->data_home, args);
  g_string_append (f->log, run.err);
  if (run.status != 0)
    g_error ("access-manager-cli %s failed: %s", args[0], run.err);
  g_test_message ("%s: %s", args[0], run.err);
  if (out != NULL)
    *out = g_steal_pointer (&run.out);
}

static JsonNode *
cli_json (Fixture            *f,
          const char * const *args)
{
  g_autofree char *out = NULL;
  JsonNode *root;

  cli_ok (f, args, &out);
  root = json_from_string (out, NULL);
  g_assert_nonnull (root);
  return root;
}

/* A new lock at a new property of the demo agent's, added to the cloud:
 * its log starts at 0, as the simulated lock's does. Then a sync brings it. */
static JsonObject *
a_lock (Fixture *f)
{
  static const char * const permissions[] = {
    "generate_codes", "ble_unlock", "view_activity", "revoke_codes", NULL
  };
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *property = NULL;
  g_autofree char *lock_id = NULL;
  g_autofree char *agent = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *locks;
  sqlite3 *raw = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->server.db_path, &raw, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "SELECT id FROM users WHERE email = 'demo@example.com'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  agent = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (raw);

  db = am_server_db_open (f->server.db_path, &error);
  g_assert_no_error (error);
  property = am_server_db_add_property (db, "Juniper Court", "400 Juniper Court", "Austin", "TX", "78704",
                                        "America/Chicago", &error);
  g_assert_no_error (error);
  lock_id = am_server_db_add_lock (db, property, "Leasing Office", NULL, 10, "resident", &error);
  g_assert_no_error (error);
  g_assert_true (am_server_db_set_grant (db, agent, property, permissions, &error));
  g_clear_pointer (&db, am_server_db_free);

  cli_ok (f, (const char * const[]) { "sync", NULL }, NULL);
  root = cli_json (f, (const char * const[]) { "locks", "--property", property, "--json", NULL });
  locks = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (locks), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (locks, 0), "id"), ==, lock_id);
  return json_object_ref (json_array_get_object_element (locks, 0));
}

/* The lock, behind the simulated BlueZ, with the key the cloud holds. */
static void
install_lock (Fixture    *f,
              JsonObject *lock)
{
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const char *id = json_object_get_string_member (lock, "id");
  guint kv = (guint) json_object_get_int_member (lock, "kv");
  guint8 key[32];

  db = am_server_db_open (f->server.db_path, &error);
  g_assert_no_error (error);
  g_assert_true (am_server_db_get_lock_key_bytes (db, id, kv, key, &error));
  path = am_test_bluez_add_lock (id, key, kv, (guint) json_object_get_int_member (lock, "digits"),
                                 (guint) json_object_get_int_member (lock, "q_offset_s"), 64,
                                 json_object_get_string_member (lock, "name"));
  g_assert_nonnull (path);
}

static JsonObject *
find_passcode (Fixture    *f,
               const char *lock_id,
               const char *passcode_id)
{
  g_autoptr(JsonNode) root = cli_json (f, (const char * const[]) { "passcodes", "--lock", lock_id, "--json", NULL });
  JsonArray *passcodes = json_node_get_array (root);

  for (guint i = 0; i < json_array_get_length (passcodes); i++)
    {
      JsonObject *passcode = json_array_get_object_element (passcodes, i);

      if (g_str_equal (json_object_get_string_member (passcode, "id"), passcode_id))
        return json_object_ref (passcode);
    }
  g_error ("passcode %s is not in the cache", passcode_id);
}

/* What the server's own database says of a passcode. */
static void
server_passcode (Fixture    *f,
                 const char *passcode_id,
                 gint64     *use_count,
                 gint64     *first_used_at)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->server.db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT use_count, first_used_at FROM passcodes WHERE id = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, passcode_id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *use_count = sqlite3_column_int64 (stmt, 0);
  *first_used_at = sqlite3_column_int64 (stmt, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static char *
iso_in_hours (int hours)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_hours (now, hours);

  return g_date_time_format (then, "%Y-%m-%dT%H:00:00Z");
}

static gint64
parse_time (const char *text)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, NULL);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

/* Secrets left behind */

static gboolean
holds (const char   *data,
       gsize         len,
       const guint8 *needle,
       gsize         needle_len)
{
  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (data + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

/* Every file under @dir (the cache, its -wal and -shm, the server's log,
 * the GSettings keyfile, whatever else landed in the XDG folders) and the
 * CLI's log: none holds a secret of @secrets (name, bytes). */
static guint
scan_dir (const char *dir,
          GPtrArray  *secrets)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n_files = 0;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          n_files += scan_dir (path, secrets);
          continue;
        }
      /* The server's own database holds the lock keys: it is the cloud. */
      if (g_str_has_prefix (name, "cloud.sqlite"))
        continue;
      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      g_test_message ("scanned %s (%" G_GSIZE_FORMAT " bytes)", path, len);
      n_files++;
      for (guint i = 0; i < secrets->len; i += 2)
        {
          GBytes *secret = g_ptr_array_index (secrets, i + 1);
          gsize secret_len;
          const guint8 *bytes = g_bytes_get_data (secret, &secret_len);

          if (holds (data, len, bytes, secret_len))
            g_error ("%s holds the %s", path, (const char *) g_ptr_array_index (secrets, i));
        }
    }
  return n_files;
}

static void
add_secret (GPtrArray   *secrets,
            const char  *name,
            gconstpointer data,
            gsize        len)
{
  g_ptr_array_add (secrets, (gpointer) name);
  g_ptr_array_add (secrets, g_bytes_new (data, len));
}

static void
assert_no_secrets (Fixture    *f,
                   const char *lock_id,
                   const char *code)
{
  g_autoptr(GPtrArray) secrets = g_ptr_array_new ();
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(AmStore) store = NULL;
  g_autoptr(AmAccount) account = NULL;
  g_autoptr(AmVault) vault = am_vault_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = g_build_filename (f->data_home, "access-manager", "cache.sqlite", NULL);
  g_autofree char *hex = NULL;
  g_autofree char *HEX = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *token = NULL;
  guint8 key[32];
  guint n_files;

  db = am_server_db_open (f->server.db_path, &error);
  g_assert_no_error (error);
  g_assert_true (am_server_db_get_lock_key_bytes (db, lock_id, 1, key, &error));
  hex = am_hex_encode (key, sizeof key);
  HEX = g_ascii_strup (hex, -1);
  b64 = g_base64_encode (key, sizeof key);

  g_assert_true (g_file_test (cache, G_FILE_TEST_EXISTS));
  store = am_store_open (cache, &error);
  g_assert_no_error (error);
  account = am_store_get_account (store);
  g_assert_nonnull (account);
  am_vault_lookup_token_async (vault, account->server, NULL, am_test_on_done_cb, &result);
  token = am_vault_lookup_token_finish (vault, am_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_clear_object (&store);

  add_secret (secrets, "lock key (bytes)", key, sizeof key);
  add_secret (secrets, "lock key (hex)", hex, strlen (hex));
  add_secret (secrets, "lock key (HEX)", HEX, strlen (HEX));
  add_secret (secrets, "lock key (base64)", b64, strlen (b64));
  add_secret (secrets, "session token", token, strlen (token));
  add_secret (secrets, "code digits", code, strlen (code));

  n_files = scan_dir (f->dir, secrets);
  g_assert_cmpuint (n_files, >=, 4);
  {
    g_autofree char *log_path = g_build_filename (f->dir, "cli.log", NULL);

    g_assert_true (g_file_set_contents (log_path, f->log->str, f->log->len, NULL));
    scan_dir (f->dir, secrets);
  }
  g_test_message ("no lock key, token or code digits in %u files (cache, WAL, logs, settings) nor in %" G_GSIZE_FORMAT
                  " bytes of the CLI's stderr", n_files, f->log->len);
  for (guint i = 1; i < secrets->len; i += 2)
    g_bytes_unref (g_ptr_array_index (secrets, i));
}

static void
test_code_story (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) lock = NULL;
  g_autoptr(JsonNode) issued_root = NULL;
  g_autoptr(JsonObject) used = NULL;
  g_autoptr(JsonObject) revoked = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(JsonNode) log_root = NULL;
  g_autofree char *start = iso_in_hours (0);
  g_autofree char *end = iso_in_hours (3);
  g_autofree char *outcome = NULL;
  g_autofree char *unlocked = NULL;
  g_autofree char *again = NULL;
  const char *lock_id, *passcode_id, *code;
  JsonObject *issued;
  JsonArray *log;
  gint64 typed_at = 0, use_count = 0, first_used_at = 0;
  g_auto(AmTestRun) run = { 0 };
  sqlite3 *reader = NULL;

  am_test_run_cli (&run, "demo-password-1\n", f->data_home,
                   (const char * const[]) { "login", "--server", f->server.url, "--email", "demo@example.com",
                                            "--password-stdin", NULL });
  g_string_append (f->log, run.err);
  g_assert_cmpint (run.status, ==, 0);
  cli_ok (f, (const char * const[]) { "sync", NULL }, NULL);
  /* A reader of the cache all along, as the app would be: the CLI's last
   * close then leaves the WAL and the shared memory file to be scanned. */
  {
    g_autofree char *cache = g_build_filename (f->data_home, "access-manager", "cache.sqlite", NULL);
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open_v2 (cache, &reader, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (reader, "SELECT count(*) FROM passcodes", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    sqlite3_finalize (stmt);
  }

  lock = a_lock (f);
  lock_id = json_object_get_string_member (lock, "id");
  install_lock (f, lock);

  /* Issued... */
  issued_root = cli_json (f, (const char * const[]) { "generate", "--lock", lock_id, "--start", start, "--end", end,
                                                      "--recipient", "Dana Vendor", "--purpose", "vendor", "--json",
                                                      NULL });
  issued = json_node_get_object (issued_root);
  passcode_id = json_object_get_string_member (issued, "id");
  code = json_object_get_string_member (issued, "code");

  /* ...typed at the door... */
  outcome = am_test_bluez_type_code (lock_id, code);
  g_assert_cmpstr (outcome, ==, "open");
  state = am_test_bluez_get_lock_state (lock_id);
  log = json_object_get_array_member (state, "log");
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *record = json_array_get_object_element (log, i);

      if (json_object_get_int_member (record, "event") == 1)
        typed_at = json_object_get_int_member (record, "t");
    }
  g_assert_cmpint (typed_at, >, 0);

  /* ...the lock opened over Bluetooth, which reads its log... */
  cli_ok (f, (const char * const[]) { "unlock", "--lock", lock_id, NULL }, &unlocked);
  g_assert_nonnull (strstr (unlocked, "Door unlocked"));
  log_root = cli_json (f, (const char * const[]) { "lock-log", "--lock", lock_id, "--json", NULL });
  g_assert_cmpuint (json_array_get_length (json_node_get_array (log_root)), >=, 2);

  /* ...and after a sync, seen used, when it was typed: in the cache and on
   * the server. */
  cli_ok (f, (const char * const[]) { "sync", NULL }, NULL);
  used = find_passcode (f, lock_id, passcode_id);
  g_assert_cmpint (json_object_get_int_member (used, "use_count"), ==, 1);
  g_assert_cmpint (parse_time (json_object_get_string_member (used, "first_used_at")), ==, typed_at);
  server_passcode (f, passcode_id, &use_count, &first_used_at);
  g_assert_cmpint (use_count, ==, 1);
  g_assert_cmpint (first_used_at, ==, typed_at);

  /* Revoked: the next Bluetooth visit tells the lock, which then refuses it. */
  cli_ok (f, (const char * const[]) { "revoke", "--passcode", passcode_id, NULL }, NULL);
  cli_ok (f, (const char * const[]) { "unlock", "--lock", lock_id, NULL }, NULL);
  again = am_test_bluez_type_code (lock_id, code);
  g_assert_cmpstr (again, ==, "reject:revoked");
  cli_ok (f, (const char * const[]) { "sync", NULL }, NULL);
  revoked = find_passcode (f, lock_id, passcode_id);
  g_assert_false (JSON_NODE_HOLDS_NULL (json_object_get_member (revoked, "revoked_at")));

  am_test_run_clear (&run);
  am_test_run_cli (&run, NULL, f->data_home, (const char * const[]) { "status", NULL });
  g_string_append (f->log, run.err);
  g_assert_nonnull (strstr (run.out, "Waiting for the cloud: 0 changes"));

  assert_no_secrets (f, lock_id, code);
  sqlite3_close (reader);
}

/* Bluetooth off: a sentence, and the CLI says what to do. */
static void
test_bluetooth_off (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) lock = NULL;
  g_auto(AmTestRun) run = { 0 };

  am_test_run_cli (&run, "demo-password-1\n", f->data_home,
                   (const char * const[]) { "login", "--server", f->server.url, "--email", "demo@example.com",
                                            "--password-stdin", NULL });
  cli_ok (f, (const char * const[]) { "sync", NULL }, NULL);
  lock = a_lock (f);
  install_lock (f, lock);

  am_test_bluez_set_powered (FALSE);
  am_test_run_clear (&run);
  am_test_run_cli (&run, NULL, f->data_home,
                   (const char * const[]) { "unlock", "--lock", json_object_get_string_member (lock, "id"), NULL });
  am_test_bluez_set_powered (TRUE);
  /* Progress lines may come first; the last line is the one sentence. */
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  {
    g_auto(GStrv) lines = g_strsplit (g_strstrip (run.err), "\n", -1);
    const char *last = lines[g_strv_length (lines) - 1];

    g_test_message ("%s", last);
    g_assert_true (g_str_has_prefix (last, "access-manager-cli: "));
    g_assert_nonnull (strstr (last, "Bluetooth is off"));
  }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-ble-e2e-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_home = g_build_filename (f->dir, "data", NULL);
  f->log = g_string_new (NULL);
  /* Everything the CLI writes lands in the test's folder, the settings
   * too, and its debug lines go to the log with the rest. */
  {
    g_autofree char *config = g_build_filename (f->dir, "config", NULL);
    g_autofree char *cache = g_build_filename (f->dir, "cache", NULL);

    am_test_cli_setenv ("XDG_CONFIG_HOME", config);
    am_test_cli_setenv ("XDG_CACHE_HOME", cache);
    am_test_cli_setenv ("GSETTINGS_BACKEND", "keyfile");
    am_test_cli_setenv ("G_MESSAGES_DEBUG", "all");
  }
  am_test_server_init_demo (&f->server, f->dir);
  am_test_server_start (&f->server);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(AmTestRun) run = { 0 };

  am_test_run_cli (&run, NULL, f->data_home, (const char * const[]) { "logout", NULL });
  am_test_server_clear (&f->server);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);
    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  }
  g_free (f->dir);
  g_free (f->data_home);
  g_string_free (f->log, TRUE);
}

int
main (int    argc,
      char **argv)
{
  AmTestBus *bus;
  int status;

  g_test_init (&argc, &argv, NULL);

  bus = am_test_bluez_start (g_getenv ("AM_SIM_TEMPLATE"));
  g_test_add ("/ble-e2e/code/issued-typed-unlocked-synced-used-revoked", Fixture, NULL,
              fixture_set_up, test_code_story, fixture_tear_down);
  g_test_add ("/ble-e2e/cli/bluetooth-off-is-a-sentence", Fixture, NULL,
              fixture_set_up, test_bluetooth_off, fixture_tear_down);
  status = g_test_run ();
  am_test_bus_stop (bus);
  return status;
}
