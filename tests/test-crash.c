/* test-crash.c: the app's process killed during issues and syncs loses nothing
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * facade-loop (the app's core, through its façade, in a process of its own)
 * issues codes and syncs against access-manager-server, and is killed with
 * SIGKILL at random moments: 100 times while it issues codes (a push runs
 * after each), 100 times in the middle of a sync. After each kill: the cache
 * passes `PRAGMA integrity_check`, every code whose issue had returned is in
 * it; then the app starts again and syncs, and the server's own database
 * holds every one of those codes exactly once, and nothing else (a retried
 * push with another id would be a second record for one window).
 *
 * The delays come from a seed printed at the start; AM_CRASH_SEED=N replays
 * a run, AM_CRASH_KILLS=N changes the number of kills of each kind.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "am-server-db.h"
#include "am-test-server.h"

static const char * const agent_permissions[] = {
  "generate_codes", "ble_unlock", "view_activity", "revoke_codes", NULL
};

typedef struct
{
  char         *dir;
  char         *cache_dir;
  char         *cache;
  char         *lock_id;
  AmTestServer  server;
  GRand        *rand;
  GHashTable   *issued;        /* ids whose issue returned before a kill */
  gint64        sync_us;       /* how long an unkilled sync takes, lately */
  guint         n_children;
} Fixture;

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  char             *err_path;
} Child;

static void
child_clear (Child *child)
{
  g_clear_object (&child->out);
  g_clear_object (&child->process);
  g_clear_pointer (&child->err_path, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Child, child_clear)

static void
child_start (Fixture    *f,
             Child      *child,
             const char *input,
             const char *mode,
             const char *arg,
             const char *arg2)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("child-%u.err", f->n_children++);
  const char *program = g_getenv ("AM_FACADE_LOOP");

  g_assert_nonnull (program);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        (input != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0));
  /* No Bluetooth to follow: the system bus of the machine is not the test's. */
  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);
  child->err_path = g_build_filename (f->dir, name, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, child->err_path);
  child->process = g_subprocess_launcher_spawn (launcher, &error, program, f->cache_dir, mode, arg, arg2, NULL);
  g_assert_no_error (error);
  child->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child->process));
  if (input != NULL)
    {
      GOutputStream *in = g_subprocess_get_stdin_pipe (child->process);

      g_assert_true (g_output_stream_write_all (in, input, strlen (input), NULL, NULL, &error));
      g_assert_true (g_output_stream_close (in, NULL, &error));
      g_assert_no_error (error);
    }
}

/* The next line the child printed, or %NULL at its end. */
static char *
child_read_line (Child *child)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (child->out, NULL, NULL, &error);

  g_assert_no_error (error);
  return line;
}

G_GNUC_NORETURN static void
child_failed (Child      *child,
              const char *what)
{
  g_autofree char *err = NULL;

  g_file_get_contents (child->err_path, &err, NULL, NULL);
  g_error ("facade-loop %s: %s", what, err != NULL ? err : "(nothing on stderr)");
}

/* How long the syncs take, lately: where to aim a kill. */
static void
note_sync_time (Fixture    *f,
                const char *line)
{
  gint64 us = g_ascii_strtoll (line + strlen ("synced "), NULL, 10);

  f->sync_us = f->sync_us == 0 ? us : (3 * f->sync_us + us) / 4;
}

/* Reads up to @until (or the end); notes the codes issued on the way. */
static gboolean
child_read_until (Fixture    *f,
                  Child      *child,
                  const char *until,
                  gboolean   *in_sync)
{
  for (;;)
    {
      g_autofree char *line = child_read_line (child);

      if (line == NULL)
        return FALSE;
      if (g_str_has_prefix (line, "issued "))
        g_hash_table_add (f->issued, g_strdup (line + strlen ("issued ")));
      if (in_sync != NULL && g_str_equal (line, "sync"))
        *in_sync = TRUE;
      if (g_str_has_prefix (line, "synced "))
        note_sync_time (f, line);
      if (in_sync != NULL && g_str_has_prefix (line, "synced "))
        *in_sync = FALSE;
      if (until != NULL && g_str_equal (line, until))
        return TRUE;
    }
}

static void
child_wait_ok (Child      *child,
               const char *what)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait (child->process, NULL, &error));
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (child->process))
    child_failed (child, what);
}

/* Runs the app once, to sign in, to sync or to sign out. */
static void
run_child (Fixture    *f,
           const char *input,
           const char *mode,
           const char *arg,
           const char *arg2)
{
  g_auto(Child) child = { NULL };
  gboolean in_sync = FALSE;

  child_start (f, &child, input, mode, arg, arg2);
  for (;;)
    {
      g_autofree char *line = child_read_line (&child);

      if (line == NULL)
        break;
      if (g_str_has_prefix (line, "synced "))
        note_sync_time (f, line);
      in_sync = g_str_equal (line, "sync");
    }
  child_wait_ok (&child, mode);
  g_assert_false (in_sync);
}

static gint64
count (sqlite3    *db,
       const char *sql,
       const char *arg)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* The cache as the app finds it when it starts again: intact, and with
 * every code whose issue returned. */
static void
check_cache (Fixture  *f,
             gboolean  synced)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GHashTableIter iter;
  gpointer id;

  g_assert_cmpint (sqlite3_open_v2 (f->cache, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  g_hash_table_iter_init (&iter, f->issued);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    if (count (db, "SELECT count(*) FROM passcodes WHERE id = ?1", id) != 1)
      g_error ("The code %s, issued before the kill, is not in the cache", (const char *) id);
  /* Every code the cache holds waits in the outbox or came from the cloud. */
  if (synced)
    g_assert_cmpint (count (db, "SELECT count(*) FROM outbox", NULL), ==, 0);
  sqlite3_close (db);
}

/* The server's own database: each code once, nothing twice. */
static void
check_server (Fixture *f)
{
  sqlite3 *server = NULL, *cache = NULL;
  GHashTableIter iter;
  gpointer id;

  g_assert_cmpint (sqlite3_open_v2 (f->server.db_path, &server, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_open_v2 (f->cache, &cache, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_hash_table_iter_init (&iter, f->issued);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    if (count (server, "SELECT count(*) FROM passcodes WHERE id = ?1", id) != 1)
      g_error ("The code %s is not on the server after a sync", (const char *) id);
  g_assert_cmpint (count (server, "SELECT count(*) FROM (SELECT 1 FROM passcodes"
                                  " GROUP BY lock_id, kv, start_h, p HAVING count(*) > 1)", NULL), ==, 0);
  g_assert_cmpint (count (server, "SELECT count(*) FROM passcodes WHERE lock_id = ?1", f->lock_id), ==,
                   count (cache, "SELECT count(*) FROM passcodes", NULL));
  sqlite3_close (cache);
  sqlite3_close (server);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *property = NULL;
  g_autofree char *agent = NULL;
  const char *seed_text = g_getenv ("AM_CRASH_SEED");
  guint32 seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10) : g_test_rand_int ();

  g_test_message ("seed %u (replay with AM_CRASH_SEED=%u)", seed, seed);
  f->rand = g_rand_new_with_seed (seed);
  f->issued = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->dir = g_dir_make_tmp ("test-crash-XXXXXX", &error);
  g_assert_no_error (error);
  f->cache_dir = g_build_filename (f->dir, "data", NULL);
  f->cache = g_build_filename (f->cache_dir, "cache.sqlite", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->cache_dir, 0700), ==, 0);

  db_path = g_build_filename (f->dir, "cloud.sqlite", NULL);
  db = am_server_db_open (db_path, &error);
  g_assert_no_error (error);
  property = am_server_db_add_property (db, "Maple Street Lofts", "1200 Maple Street", "Austin", "TX", "78701",
                                        "America/Chicago", &error);
  g_assert_no_error (error);
  f->lock_id = am_server_db_add_lock (db, property, "Front Door", NULL, 10, "resident", &error);
  g_assert_no_error (error);
  agent = am_server_db_add_user (db, "agent@example.com", "Lee Agent", "correct horse battery", &error);
  g_assert_no_error (error);
  g_assert_true (am_server_db_set_grant (db, agent, property, agent_permissions, &error));
  g_clear_pointer (&db, am_server_db_free);

  am_test_server_init (&f->server, db_path);
  am_test_server_start (&f->server);
  run_child (f, "correct horse battery\n", "login", f->server.url, "agent@example.com");
  check_cache (f, TRUE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  run_child (f, NULL, "logout", NULL, NULL);
  am_test_server_clear (&f->server);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);
    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  }
  g_hash_table_unref (f->issued);
  g_rand_free (f->rand);
  g_free (f->dir);
  g_free (f->cache_dir);
  g_free (f->cache);
  g_free (f->lock_id);
}

static guint
n_kills (void)
{
  const char *text = g_getenv ("AM_CRASH_KILLS");

  return text != NULL ? (guint) g_ascii_strtoull (text, NULL, 10) : 100;
}

static void
kill_child (Child *child)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (child->process, SIGKILL);
  g_assert_true (g_subprocess_wait (child->process, NULL, &error));
  g_assert_no_error (error);
}

/* Killed while it issues codes, each followed by a push to the cloud. */
static void
test_kill_while_issuing (Fixture       *f,
                         gconstpointer  data)
{
  guint kills = n_kills ();
  gint64 started = g_get_monotonic_time ();

  for (guint k = 0; k < kills; k++)
    {
      g_auto(Child) child = { NULL };
      guint delay_us = g_rand_int_range (f->rand, 0, 40000);

      child_start (f, &child, NULL, "issue", f->lock_id, NULL);
      if (!child_read_until (f, &child, "ready", NULL))
        child_failed (&child, "issue");
      g_usleep (delay_us);
      kill_child (&child);
      /* Killed, not ended by an error of its own. */
      if (g_subprocess_get_if_exited (child.process))
        child_failed (&child, "issue");
      child_read_until (f, &child, NULL, NULL);

      check_cache (f, FALSE);
      run_child (f, NULL, "sync", NULL, NULL);
      check_cache (f, TRUE);
      check_server (f);
    }
  g_test_message ("%u kills while issuing survived, %u codes issued, in %.1f s", kills,
                  g_hash_table_size (f->issued), (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpuint (g_hash_table_size (f->issued), >, 0);
}

/* Killed in the middle of a sync: after the moment it started pushing and
 * pulling, before it finished; until that happened @kills times (a kill
 * that came after the sync finished counts as one while issuing). */
static void
test_kill_while_syncing (Fixture       *f,
                         gconstpointer  data)
{
  guint kills = n_kills (), in_sync = 0, k;
  gint64 started = g_get_monotonic_time ();

  /* How long a sync takes here, to aim within it. */
  run_child (f, NULL, "sync", NULL, NULL);
  for (k = 0; in_sync < kills; k++)
    {
      g_auto(Child) child = { NULL };
      guint delay_us = g_rand_int_range (f->rand, 0, MAX (f->sync_us / 2, 1000));
      gboolean syncing = FALSE;

      /* Timing on a loaded machine decides how many land in the sync. */
      g_assert_cmpuint (k, <, 5 * kills);
      child_start (f, &child, NULL, "sync-loop", f->lock_id, NULL);
      if (!child_read_until (f, &child, "sync", &syncing))
        child_failed (&child, "sync-loop");
      g_usleep (delay_us);
      kill_child (&child);
      if (g_subprocess_get_if_exited (child.process))
        child_failed (&child, "sync-loop");
      child_read_until (f, &child, NULL, &syncing);
      in_sync += syncing;

      check_cache (f, FALSE);
      run_child (f, NULL, "sync", NULL, NULL);
      check_cache (f, TRUE);
      check_server (f);
    }
  g_test_message ("%u kills in the middle of a sync survived (of %u kills; a sync takes about %.0f ms),"
                  " %u codes issued, in %.1f s", in_sync, k, f->sync_us / 1e3,
                  g_hash_table_size (f->issued), (g_get_monotonic_time () - started) / 1e6);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/crash/sigkill-while-issuing/no-code-lost-none-twice", Fixture, NULL,
              fixture_set_up, test_kill_while_issuing, fixture_tear_down);
  g_test_add ("/crash/sigkill-while-syncing/no-code-lost-none-twice", Fixture, NULL,
              fixture_set_up, test_kill_while_syncing, fixture_tear_down);
  return g_test_run ();
}
