/* bench-lock-passcodes.c: opening the Lock Passcodes page of a lock with 100,000 passcodes, and scrolling it to the end
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * - From asking for the Lock Passcodes page of a lock with 100,000
 *   passcodes in the cache (--quick: 10,000) to its first frame painted
 *   with passcodes on screen, in the running app.
 * - The longest main-loop stall while the list is scrolled to its end, a
 *   step every frame, as one drags the scroll bar. Target: 16 ms.
 *
 * Beside the same scroll over a GtkStringList of as many strings in a bare
 * window (tests/bench/bench-bare-list), run the same way in the same run,
 * both drawn with GSK_RENDERER=cairo. Medians of 3 runs (--quick: 1).
 *
 * The app reports its frames itself when AM_BENCH asks it to
 * (src/app/am-bench-probe.c). It starts signed in, from the cache, with a
 * session token in the keyring for a cloud that does not answer. Needs a
 * display, a session bus and an unlocked keyring (build-aux/dev bench).
 * Prints one JSON line.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "am-bench-run.h"
#include "am-records-private.h"
#include "am-test-records.h"

#define T0 G_GINT64_CONSTANT (1741618800)
#define H0 483783

/* A signed-in cache of one property with one lock of @n passcodes, issued
 * by a few people, some used, some revoked, under @data_home; returns the
 * lock's id. */
static char *
prepare_cache (const char *data_home,
               guint       n)
{
  static const char * const issuers[] = { "Lee Agent", "Ana Ruiz", "Bo Chen", "Dana Ortiz", "Sam Patel" };
  g_autofree char *dir = g_build_filename (data_home, "access-manager", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.sqlite", NULL);
  g_autoptr(AmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AmProperty) property = am_test_property ("Maple Lofts", "1200 Maple Street", "Austin", "America/Chicago");
  g_autoptr(AmLock) lock = am_test_lock (property, "Front Door", "1A");
  g_autoptr(AmSyncPage) first = am_sync_page_new ();

  g_mkdir_with_parents (dir, 0700);
  store = am_store_open (path, &error);
  g_assert_no_error (error);

  g_ptr_array_add (first->properties, g_object_ref (property));
  g_ptr_array_add (first->locks, g_object_ref (lock));
  g_ptr_array_add (first->grants, am_test_grant (property, "generate_codes,ble_unlock,view_activity,revoke_codes"));
  am_test_apply (store, first);

  for (guint done = 0; done < n;)
    {
      g_autoptr(AmSyncPage) page = am_sync_page_new ();

      for (guint i = 0; i < 5000 && done < n; i++, done++)
        {
          AmPasscodeRecord *record = am_test_passcode (lock, H0 + done / 4, done % 24, T0 + done * 60);

          g_free (record->created_by_name);
          record->created_by_name = g_strdup (issuers[done % G_N_ELEMENTS (issuers)]);
          if (done % 3 == 0)
            {
              record->use_count = 1 + done % 4;
              record->first_used_at = record->starts_at + 60;
              record->last_used_at = record->starts_at + 600;
            }
          if (done % 17 == 0)
            {
              record->revoked_at = record->created_at + 30;
              record->revoked_by_name = g_strdup ("Lee Agent");
            }
          g_ptr_array_add (page->passcodes, record);
        }
      am_test_apply (store, page);
    }
  am_bench_sign_in (store);
  return g_strdup (am_lock_get_id (lock));
}

/* The app on the lock's page, or the bare list: the time to its first
 * frame (from the start of the bare list; from asking for the page in the
 * app) and the longest stall while it scrolled to the end. */
static void
run (const char * const *argv,
     const char         *data_home,
     const char         *lock_id,
     guint               rows,
     double             *first_frame_ms,
     double             *max_stall_ms)
{
  g_autofree char *n_rows = g_strdup_printf ("%u", rows);
  g_auto(GStrv) env = g_environ_setenv (NULL, "AM_BENCH", "lock-passcodes", TRUE);
  g_autoptr(AmBenchRun) run = NULL;
  gint64 first_frame;

  if (data_home != NULL)
    env = g_environ_setenv (env, "XDG_DATA_HOME", data_home, TRUE);
  if (lock_id != NULL)
    env = g_environ_setenv (env, "AM_BENCH_LOCK", lock_id, TRUE);
  env = g_environ_setenv (env, "AM_BENCH_ROWS", n_rows, TRUE);
  /* Both drawn by cairo: on a machine without a GPU, GL is llvmpipe, whose
   * 50-150 ms a frame would hide what the main loop itself costs. */
  env = g_environ_setenv (env, "GSK_RENDERER", "cairo", TRUE);

  run = am_bench_run (argv, (const char * const *) env);
  first_frame = am_bench_run_get_int (run, "first_frame_monotonic_us");
  *max_stall_ms = am_bench_run_get (run, "max_stall_ms");
  if (first_frame == 0 || *max_stall_ms <= 0)
    g_error ("%s printed no figures", argv[0]);
  if (lock_id != NULL)
    *first_frame_ms = am_bench_run_get (run, "page_first_frame_ms");
  else
    *first_frame_ms = (first_frame - run->started) / 1000.0;
}

int
main (int    argc,
      char **argv)
{
  gboolean quick = argc > 1 && g_str_equal (argv[1], "--quick");
  guint n = quick ? 10000 : 100000;
  guint runs = quick ? 1 : 3;
  const char *app = g_getenv ("AM_APP");
  const char *bare = g_getenv ("AM_BENCH_BARE_LIST");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-lock-passcodes-XXXXXX", &error);
  g_autofree char *lock_id = NULL;
  double page_frame[3], stall[3], bare_frame[3], bare_stall[3];

  g_assert_no_error (error);
  g_assert_nonnull (app);
  g_assert_nonnull (bare);

  lock_id = prepare_cache (dir, n);
  am_bench_store_token ();

  for (guint i = 0; i < runs; i++)
    {
      run ((const char * const[]) { app, NULL }, dir, lock_id, n, &page_frame[i], &stall[i]);
      run ((const char * const[]) { bare, NULL }, NULL, NULL, n, &bare_frame[i], &bare_stall[i]);
    }

  {
    double page_ms = am_bench_median (page_frame, runs), stall_ms = am_bench_median (stall, runs);
    double bare_ms = am_bench_median (bare_frame, runs), bare_stall_ms = am_bench_median (bare_stall, runs);

    printf ("{\"benchmark\":\"lock-passcodes\",\"passcodes\":%u,\"page_first_frame_ms\":%.1f,"
            "\"scroll_max_stall_ms\":%.2f,\"bare_list_launch_frame_ms\":%.1f,"
            "\"bare_list_scroll_max_stall_ms\":%.2f,\"scroll_stall_vs_bare\":%.2f}\n",
            n, page_ms, stall_ms, bare_ms, bare_stall_ms, stall_ms / bare_stall_ms);
  }

  am_bench_clear_token ();
  /* AM_BENCH_KEEP keeps the cache, for a profiler. */
  am_bench_remove_dir (dir);
  return 0;
}
