/* test-cli-cloud.c: access-manager-cli against access-manager-server, as people use them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server is the real program, seeded with the demo portfolio and
 * serving on 127.0.0.1; the CLI signs in, syncs, issues a code, issues one
 * more while the server is down, and sees it arrive once the server is
 * back. The keyring is the test session's gnome-keyring.
 */
#define _GNU_SOURCE  /* memmem */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "am-encoding.h"
#include "am-passcode.h"
#include "am-server-db.h"
#include "am-test-cli.h"
#include "am-test-server.h"

typedef struct
{
  char         *dir;
  char         *data_home;
  char         *url;
  AmTestServer  server;
} Fixture;

static void
start_server (Fixture *f)
{
  am_test_server_start (&f->server);
}

static void
stop_server (Fixture *f)
{
  am_test_server_stop (&f->server);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-cli-cloud-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_home = g_build_filename (f->dir, "data", NULL);
  am_test_server_init_demo (&f->server, f->dir);
  f->url = g_strdup (f->server.url);
  start_server (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(AmTestRun) run = { 0 };

  /* Sign out, so that the keyring keeps nothing of this test. */
  am_test_run_cli (&run, NULL, f->data_home, (const char * const[]) { "logout", NULL });
  am_test_server_clear (&f->server);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);
    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  }
  g_free (f->dir);
  g_free (f->data_home);
  g_free (f->url);
}

static void
login (Fixture *f)
{
  g_auto(AmTestRun) run = { 0 };

  am_test_run_cli (&run, "demo-password-1\n", f->data_home,
                   (const char * const[]) { "login", "--server", f->url, "--email", "demo@example.com",
                                            "--password-stdin", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Signed in as"));
}

static void
sync_ok (Fixture *f)
{
  g_auto(AmTestRun) run = { 0 };

  am_test_run_cli (&run, NULL, f->data_home, (const char * const[]) { "sync", NULL });
  if (run.status != 0)
    g_error ("sync failed: %s", run.err);
  g_assert_nonnull (strstr (run.out, "In sync"));
}

/* A lock of the cache, from `locks --json`. */
static char *
some_lock (Fixture *f)
{
  g_auto(AmTestRun) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonArray *locks;

  am_test_run_cli (&run, NULL, f->data_home, (const char * const[]) { "locks", "--json", NULL });
  g_assert_cmpint (run.status, ==, 0);
  root = json_from_string (run.out, NULL);
  g_assert_nonnull (root);
  locks = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (locks), >=, 100);
  return g_strdup (json_object_get_string_member (json_array_get_object_element (locks, 0), "id"));
}

static char *
iso_in_hours (int hours)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_hours (now, hours);

  return g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
}

static JsonObject *
generate (Fixture    *f,
          const char *lock,
          int         start_hours,
          char      **err)
{
  g_autofree char *start = iso_in_hours (start_hours);
  g_autofree char *end = iso_in_hours (start_hours + 3);
  g_auto(AmTestRun) run = { 0 };
  g_autoptr(JsonNode) root = NULL;

  am_test_run_cli (&run, NULL, f->data_home,
                   (const char * const[]) { "generate", "--lock", lock, "--start", start, "--end", end,
                                            "--recipient", "Dana Vendor", "--purpose", "vendor", "--json", NULL });
  if (run.status != 0)
    g_error ("generate failed: %s", run.err);
  root = json_from_string (run.out, NULL);
  g_assert_nonnull (root);
  *err = g_steal_pointer (&run.err);
  return json_node_dup_object (root);
}

static void
status_says (Fixture    *f,
             const char *words)
{
  g_auto(AmTestRun) run = { 0 };

  am_test_run_cli (&run, NULL, f->data_home, (const char * const[]) { "status", NULL });
  g_assert_cmpint (run.status, ==, 0);
  if (strstr (run.out, words) == NULL)
    g_error ("status says “%s”, not “%s”", run.out, words);
}

/* The code the CLI printed is the one the lock computes with its key. */
static void
assert_code_is_the_locks (Fixture    *f,
                          const char *lock_id,
                          JsonObject *issued)
{
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(AmPasscodeKey) key = NULL;
  g_autoptr(GError) error = NULL;
  guint8 k_lock[32], id[AM_LOCK_ID_LEN];
  char expected[AM_PASSCODE_MAX_DIGITS + 1];
  const char *code = json_object_get_string_member (issued, "code");
  guint kv = (guint) json_object_get_int_member (issued, "kv");

  db = am_server_db_open (f->server.db_path, &error);
  g_assert_no_error (error);
  g_assert_true (am_server_db_get_lock_key_bytes (db, lock_id, kv, k_lock, &error));
  g_assert_true (am_lock_id_parse (lock_id, id, NULL));
  key = am_passcode_key_new (k_lock, id, (guint8) kv, (guint) strlen (code));
  g_assert_true (am_passcode_key_derive (key, (guint32) json_object_get_int_member (issued, "start_h"),
                                         (guint) json_object_get_int_member (issued, "p"), expected, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, expected);
}

/* No file under @dir holds @secret: the cache, its WAL, anything. */
static void
assert_nowhere_in_files (const char *dir,
                         const char *secret)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          assert_nowhere_in_files (path, secret);
          continue;
        }
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      if (memmem (contents, length, secret, strlen (secret)) != NULL)
        g_error ("%s holds a secret", path);
    }
}

static void
test_sign_in_sync_issue_offline (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *lock = NULL;
  g_autofree char *err = NULL;
  g_autofree char *offline_err = NULL;
  g_autoptr(JsonObject) online = NULL;
  g_autoptr(JsonObject) offline = NULL;
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(GError) error = NULL;
  gint64 on_server;

  login (f);
  status_says (f, "Signed in as Alex Morgan (demo@example.com)");
  sync_ok (f);
  status_says (f, "Waiting for the cloud: 0 changes");
  lock = some_lock (f);

  online = generate (f, lock, 1, &err);
  g_assert_cmpuint (strlen (json_object_get_string_member (online, "code")), >=, 10);
  g_assert_null (strstr (err, "next sync"));
  assert_code_is_the_locks (f, lock, online);
  status_says (f, "Waiting for the cloud: 0 changes");

  /* The cloud goes away; issuing still works, and the code waits. */
  stop_server (f);
  offline = generate (f, lock, 5, &offline_err);
  g_assert_nonnull (strstr (offline_err, "next sync"));
  assert_code_is_the_locks (f, lock, offline);
  status_says (f, "Waiting for the cloud: 1 change");

  /* Back: it arrives, once. */
  start_server (f);
  sync_ok (f);
  sync_ok (f);
  status_says (f, "Waiting for the cloud: 0 changes");

  db = am_server_db_open (f->server.db_path, &error);
  g_assert_no_error (error);
  on_server = am_server_db_count (db, "passcodes");
  g_clear_pointer (&db, am_server_db_free);
  {
    g_auto(AmTestRun) run = { 0 };
    g_autofree char *args_lock = g_strdup (lock);

    am_test_run_cli (&run, NULL, f->data_home,
                     (const char * const[]) { "passcodes", "--lock", args_lock, "--json", NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, json_object_get_string_member (online, "id")));
    g_assert_nonnull (strstr (run.out, json_object_get_string_member (offline, "id")));
    /* No digits in the cache's listing. */
    g_assert_null (strstr (run.out, json_object_get_string_member (online, "code")));
    g_assert_null (strstr (run.out, json_object_get_string_member (offline, "code")));
  }
  g_assert_cmpint (on_server, >, 0);

  /* The session token is in the keyring only; the digits were shown,
   * never kept. */
  {
    g_autofree char *token = NULL;
    g_autofree char *command = g_strdup_printf ("secret-tool lookup kind token server %s", f->url);
    int wait_status = 0;

    g_assert_true (g_spawn_command_line_sync (command, &token, NULL, &wait_status, NULL));
    g_strstrip (token);
    g_assert_cmpuint (strlen (token), >=, 32);
    assert_nowhere_in_files (f->data_home, token);
  }
  assert_nowhere_in_files (f->data_home, json_object_get_string_member (online, "code"));
  assert_nowhere_in_files (f->data_home, json_object_get_string_member (offline, "code"));
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(AmTestRun) run = { 0 };

  am_test_run_cli (&run, "not-the-password\n", f->data_home,
                   (const char * const[]) { "login", "--server", f->url, "--email", "demo@example.com",
                                            "--password-stdin", NULL });
  am_test_assert_cli_error (&run, "password");
  am_test_run_clear (&run);
  am_test_run_cli (&run, NULL, f->data_home, (const char * const[]) { "status", NULL });
  g_assert_nonnull (strstr (run.out, "Not signed in"));
}

static void
test_plain_http_refused (Fixture       *f,
                         gconstpointer  data)
{
  g_auto(AmTestRun) run = { 0 };

  am_test_run_cli (&run, "demo-password-1\n", f->data_home,
                   (const char * const[]) { "login", "--server", "http://cloud.example.com", "--email",
                                            "demo@example.com", "--password-stdin", NULL });
  am_test_assert_cli_error (&run, "https://");
}

static void
test_invitation (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *lines = NULL;
  g_auto(AmTestRun) run = { 0 };
  int status;

  token = am_test_server_run ((const char * const[]) { "invite", "--db", f->server.db_path, "--email", "new@example.com",
                                                   "--all", "--permissions", "generate_codes,view_activity", NULL },
                         &status);
  g_assert_cmpint (status, ==, 0);
  g_strstrip (token);
  g_assert_cmpuint (strlen (token), >=, 32);

  /* On the command line, where other users could read it: refused. */
  am_test_run_cli (&run, "a-long-enough-password\n", f->data_home,
                   (const char * const[]) { "accept-invite", "--server", f->url, "--token", token,
                                            "--name", "Noor New", "--password-stdin", NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "pipe it on standard input with --token-stdin"));
  g_assert_null (strstr (run.out, "Signed in"));

  /* The token, then the password, on standard input. */
  am_test_run_clear (&run);
  lines = g_strdup_printf ("%s\na-long-enough-password\n", token);
  am_test_run_cli (&run, lines, f->data_home,
                   (const char * const[]) { "accept-invite", "--server", f->url, "--token-stdin",
                                            "--name", "Noor New", "--password-stdin", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Signed in as Noor New"));
  sync_ok (f);

  /* The same invitation twice: refused, in a sentence. */
  am_test_run_clear (&run);
  am_test_run_cli (&run, lines, f->data_home,
                   (const char * const[]) { "accept-invite", "--server", f->url, "--token-stdin",
                                            "--name", "Noor New", "--password-stdin", NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_test_message ("%s", run.err);

  /* No token at all: a sentence, not a request to the cloud. */
  am_test_run_clear (&run);
  am_test_run_cli (&run, "\n", f->data_home,
                   (const char * const[]) { "accept-invite", "--server", f->url, "--token-stdin",
                                            "--name", "Noor New", "--password-stdin", NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "The invitation token is empty."));
}

static void
test_logout_takes_keys (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *lock = NULL;
  g_autofree char *start = iso_in_hours (1);
  g_autofree char *end = iso_in_hours (3);
  g_auto(AmTestRun) run = { 0 };

  login (f);
  sync_ok (f);
  lock = some_lock (f);
  am_test_run_cli (&run, NULL, f->data_home, (const char * const[]) { "logout", NULL });
  g_assert_cmpint (run.status, ==, 0);
  status_says (f, "Signed out");

  am_test_run_clear (&run);
  am_test_run_cli (&run, NULL, f->data_home,
                   (const char * const[]) { "generate", "--lock", lock, "--start", start, "--end", end, NULL });
  am_test_assert_cli_error (&run, "no key");
  /* The cache stays for reading. */
  am_test_run_clear (&run);
  am_test_run_cli (&run, NULL, f->data_home, (const char * const[]) { "properties", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (am_test_count_lines (run.out), >=, 30);
}

/* No Secret Service: commands that need a secret say so; the cache still
 * reads. */
static void
test_no_keyring (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *bus = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  g_autofree char *nowhere = g_strdup_printf ("unix:path=%s/no-bus", f->dir);
  g_auto(AmTestRun) run = { 0 };

  login (f);
  sync_ok (f);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", nowhere, TRUE);
  am_test_run_cli (&run, NULL, f->data_home, (const char * const[]) { "sync", NULL });
  am_test_run_clear (&run);
  am_test_run_cli (&run, NULL, f->data_home, (const char * const[]) { "sync", NULL });
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus, TRUE);
  am_test_assert_cli_error (&run, "keyring");

  am_test_run_clear (&run);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", nowhere, TRUE);
  am_test_run_cli (&run, NULL, f->data_home, (const char * const[]) { "properties", NULL });
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus, TRUE);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (am_test_count_lines (run.out), >=, 30);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/cli-cloud/demo/sign-in-sync-issue-offline-arrives-once", test_sign_in_sync_issue_offline);
  ADD ("/cli-cloud/login/wrong-password-is-a-sentence", test_wrong_password);
  ADD ("/cli-cloud/login/plain-http-refused-off-loopback", test_plain_http_refused);
  ADD ("/cli-cloud/invite/accept-then-sign-in", test_invitation);
  ADD ("/cli-cloud/logout/keys-gone-cache-stays", test_logout_takes_keys);
  ADD ("/cli-cloud/keyring/none-is-a-sentence-cache-still-reads", test_no_keyring);
#undef ADD

  return g_test_run ();
}
