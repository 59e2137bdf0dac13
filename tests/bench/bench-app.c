/* bench-app.c: the app's launch to its property list, and typing a search
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * - From starting the access-manager process to the first frame painted
 *   with the property list on screen, a cache of 10,000 properties behind
 *   it (--quick: 2,000), beside a bare AdwApplicationWindow started the
 *   same way in the same run (tests/bench/bench-bare-window). Medians of 5
 *   runs (--quick: 2). Targets: at most 400 ms, at most 1.5x the bare
 *   window.
 * - The longest main-loop stall while a search is typed, a character every
 *   120 ms, over 100,000 properties (--quick: 10,000). Target: 16 ms.
 *   Beside it, the same typing in the bare window over a GtkListView of as
 *   many rows filtered by a GtkFilterListModel, GTK's own way: on a machine
 *   whose frames alone take longer than 16 ms (software rendering under
 *   Xvfb), that says what any GTK list does here.
 *
 * The app reports its frames itself when AM_BENCH asks it to
 * (src/app/am-bench-probe.c). It starts signed in, from the cache, with a
 * session token in the keyring for a cloud that does not answer: what an
 * agent on a laptop without network sees. Needs a display, a session bus
 * and an unlocked keyring (build-aux/dev bench). Prints one JSON line.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "am-records-private.h"
#include "am-test-async.h"
#include "am-test-records.h"
#include "am-vault.h"

/* A cloud that does not answer: nothing listens on port 9 (discard). */
#define SERVER "http://127.0.0.1:9"

/* A signed-in cache of @n properties with a lock each, under @data_home. */
static void
prepare_cache (const char *data_home,
               guint       n)
{
  static const char * const streets[] = { "Maple", "Oak", "Cedar", "Elm", "Pine", "Birch", "Lake", "Hill" };
  static const char * const cities[] = { "Austin", "Chicago", "Denver", "Boston", "Seattle", "Miami" };
  g_autofree char *dir = g_build_filename (data_home, "access-manager", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.sqlite", NULL);
  g_autoptr(AmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  AmAccount account = {
    (char *) SERVER, (char *) "5a0c5e1b-1111-4222-8333-944455566677", (char *) "Bench Agent", NULL,
    (char *) "6b1d6f2c-2222-4333-9444-a55566677788", (char *) "Bench Property Group", TRUE,
  };

  g_mkdir_with_parents (dir, 0700);
  store = am_store_open (path, &error);
  g_assert_no_error (error);
  for (guint done = 0; done < n;)
    {
      g_autoptr(AmSyncPage) page = am_sync_page_new ();

      for (guint i = 0; i < 5000 && done < n; i++, done++)
        {
          g_autofree char *name = g_strdup_printf ("%s %s %u", streets[done % 8],
                                                   done % 3 ? "Court" : "Lofts", done);
          g_autofree char *address = g_strdup_printf ("%u %s Street", 100 + done % 900, streets[(done / 8) % 8]);
          g_autoptr(AmProperty) property = am_test_property (name, address, cities[done % 6], "America/Chicago");

          g_ptr_array_add (page->locks, am_test_lock (property, "Front Door", NULL));
          g_ptr_array_add (page->grants, am_test_grant (property, "generate_codes,ble_unlock"));
          g_ptr_array_add (page->properties, g_steal_pointer (&property));
        }
      am_test_apply (store, page);
    }
  g_assert_true (am_store_set_account (store, &account, &error));
  g_assert_no_error (error);
}

/* The figure a process prints first, and when it was started. */
typedef struct
{
  gint64  started;
  gint64  first_frame;
  double  max_stall_ms;
} Run;

static Run
run (const char * const *argv,
     const char         *data_home,
     const char         *mode,
     const char         *search,
     guint               rows)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  Run result = { 0 };

  if (data_home != NULL)
    g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "AM_BENCH", mode, TRUE);
  if (search != NULL)
    g_subprocess_launcher_setenv (launcher, "AM_BENCH_SEARCH", search, TRUE);
  if (rows != 0)
    {
      g_autofree char *n = g_strdup_printf ("%u", rows);
      g_subprocess_launcher_setenv (launcher, "AM_BENCH_ROWS", n, TRUE);
    }
  g_subprocess_launcher_unsetenv (launcher, "AM_DEMO_SERVER");
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");

  result.started = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (lines[i], NULL);
      JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (object == NULL)
        continue;
      if (json_object_has_member (object, "first_frame_monotonic_us"))
        result.first_frame = json_object_get_int_member (object, "first_frame_monotonic_us");
      if (json_object_has_member (object, "max_stall_ms"))
        result.max_stall_ms = json_object_get_double_member (object, "max_stall_ms");
    }
  if (result.first_frame == 0)
    g_error ("%s printed no first frame: %s", argv[0], out);
  return result;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return values[n / 2];
}

int
main (int    argc,
      char **argv)
{
  gboolean quick = argc > 1 && g_str_equal (argv[1], "--quick");
  guint n_list = quick ? 2000 : 10000;
  guint n_search = quick ? 10000 : 100000;
  guint runs = quick ? 2 : 5;
  const char *app = g_getenv ("AM_APP");
  const char *bare = g_getenv ("AM_BENCH_BARE");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-app-XXXXXX", &error);
  g_autofree char *list_home = g_build_filename (dir, "list", NULL);
  g_autofree char *search_home = g_build_filename (dir, "search", NULL);
  g_autoptr(AmVault) vault = am_vault_new ();
  g_autoptr(GAsyncResult) result = NULL;
  double launch[5], bare_launch[5];
  Run searched, bare_searched;

  g_assert_no_error (error);
  g_assert_nonnull (app);
  g_assert_nonnull (bare);

  prepare_cache (list_home, n_list);
  prepare_cache (search_home, n_search);
  am_vault_store_token_async (vault, SERVER, "bench-token-not-a-secret", NULL, am_test_on_done_cb, &result);
  if (!am_vault_store_token_finish (vault, am_test_wait_for (&result), &error))
    g_error ("%s", error->message);

  for (guint i = 0; i < runs; i++)
    {
      Run r = run ((const char * const[]) { app, NULL }, list_home, "first-frame", NULL, 0);
      Run b = run ((const char * const[]) { bare, NULL }, NULL, "first-frame", NULL, 0);

      launch[i] = (r.first_frame - r.started) / 1000.0;
      bare_launch[i] = (b.first_frame - b.started) / 1000.0;
    }
  searched = run ((const char * const[]) { app, NULL }, search_home, "search", "maple lofts", 0);
  bare_searched = run ((const char * const[]) { bare, NULL }, NULL, "search", "maple lofts", n_search);

  printf ("{\"benchmark\":\"app\",\"properties\":%u,\"launch_to_list_frame_ms\":%.1f,"
          "\"bare_window_frame_ms\":%.1f,\"launch_vs_bare\":%.2f,\"search_properties\":%u,"
          "\"search_max_stall_ms\":%.2f,\"bare_search_max_stall_ms\":%.2f,\"search_vs_bare\":%.2f}\n",
          n_list, median (launch, runs), median (bare_launch, runs),
          median (launch, runs) / median (bare_launch, runs), n_search, searched.max_stall_ms,
          bare_searched.max_stall_ms, searched.max_stall_ms / bare_searched.max_stall_ms);

  g_clear_object (&result);
  am_vault_clear_token_async (vault, SERVER, NULL, am_test_on_done_cb, &result);
  am_vault_clear_token_finish (vault, am_test_wait_for (&result), NULL);
  /* AM_BENCH_KEEP keeps the caches, for a profiler. */
  if (g_getenv ("AM_BENCH_KEEP") == NULL)
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
      g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
    }
  else
    g_printerr ("Kept %s\n", dir);
  return 0;
}
