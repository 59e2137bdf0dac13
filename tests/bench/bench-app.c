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

#include "am-bench-run.h"
#include "am-records-private.h"
#include "am-test-records.h"

/* A signed-in cache of @n properties with a lock each, under @data_home. */
static void
prepare_cache (const char *data_home,
               guint       n)
{
  g_autofree char *dir = g_build_filename (data_home, "access-manager", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.sqlite", NULL);
  g_autoptr(AmStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  store = am_store_open (path, &error);
  g_assert_no_error (error);
  for (guint done = 0; done < n;)
    {
      g_autoptr(AmSyncPage) page = am_sync_page_new ();

      for (guint i = 0; i < 5000 && done < n; i++, done++)
        {
          g_autoptr(AmProperty) property = am_bench_property (done);

          g_ptr_array_add (page->locks, am_test_lock (property, "Front Door", NULL));
          g_ptr_array_add (page->grants, am_test_grant (property, "generate_codes,ble_unlock"));
          g_ptr_array_add (page->properties, g_steal_pointer (&property));
        }
      am_test_apply (store, page);
    }
  am_bench_sign_in (store);
}

/* The app or the bare window: the time from its start to its first frame,
 * and the longest stall, if it measured one. */
static void
run (const char * const *argv,
     const char         *data_home,
     const char         *mode,
     const char         *search,
     guint               rows,
     double             *first_frame_ms,
     double             *max_stall_ms)
{
  g_auto(GStrv) env = g_environ_setenv (NULL, "AM_BENCH", mode, TRUE);
  g_autoptr(AmBenchRun) run = NULL;
  gint64 first_frame;

  if (data_home != NULL)
    env = g_environ_setenv (env, "XDG_DATA_HOME", data_home, TRUE);
  if (search != NULL)
    env = g_environ_setenv (env, "AM_BENCH_SEARCH", search, TRUE);
  if (rows != 0)
    {
      g_autofree char *n = g_strdup_printf ("%u", rows);
      env = g_environ_setenv (env, "AM_BENCH_ROWS", n, TRUE);
    }

  run = am_bench_run (argv, (const char * const *) env);
  first_frame = am_bench_run_get_int (run, "first_frame_monotonic_us");
  if (first_frame == 0)
    g_error ("%s printed no first frame", argv[0]);
  if (first_frame_ms != NULL)
    *first_frame_ms = (first_frame - run->started) / 1000.0;
  if (max_stall_ms != NULL)
    *max_stall_ms = am_bench_run_get (run, "max_stall_ms");
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
  double launch[5], bare_launch[5];
  double search_stall, bare_search_stall;

  g_assert_no_error (error);
  g_assert_nonnull (app);
  g_assert_nonnull (bare);

  prepare_cache (list_home, n_list);
  prepare_cache (search_home, n_search);
  am_bench_store_token ();

  for (guint i = 0; i < runs; i++)
    {
      run ((const char * const[]) { app, NULL }, list_home, "first-frame", NULL, 0, &launch[i], NULL);
      run ((const char * const[]) { bare, NULL }, NULL, "first-frame", NULL, 0, &bare_launch[i], NULL);
    }
  run ((const char * const[]) { app, NULL }, search_home, "search", "maple lofts", 0, NULL, &search_stall);
  run ((const char * const[]) { bare, NULL }, NULL, "search", "maple lofts", n_search, NULL, &bare_search_stall);

  {
    double launch_ms = am_bench_median (launch, runs), bare_ms = am_bench_median (bare_launch, runs);

    printf ("{\"benchmark\":\"app\",\"properties\":%u,\"launch_to_list_frame_ms\":%.1f,"
            "\"bare_window_frame_ms\":%.1f,\"launch_vs_bare\":%.2f,\"search_properties\":%u,"
            "\"search_max_stall_ms\":%.2f,\"bare_search_max_stall_ms\":%.2f,\"search_vs_bare\":%.2f}\n",
            n_list, launch_ms, bare_ms, launch_ms / bare_ms, n_search, search_stall,
            bare_search_stall, search_stall / bare_search_stall);
  }

  am_bench_clear_token ();
  /* AM_BENCH_KEEP keeps the caches, for a profiler. */
  am_bench_remove_dir (dir);
  return 0;
}
