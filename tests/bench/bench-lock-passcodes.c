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

#include <json-glib/json-glib.h>

#include "am-records-private.h"
#include "am-test-async.h"
#include "am-test-records.h"
#include "am-vault.h"

/* A cloud that does not answer: nothing listens on port 9 (discard). */
#define SERVER "http://127.0.0.1:9"

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
  AmAccount account = {
    (char *) SERVER, (char *) "5a0c5e1b-1111-4222-8333-944455566677", (char *) "Bench Agent", NULL,
    (char *) "6b1d6f2c-2222-4333-9444-a55566677788", (char *) "Bench Property Group", TRUE,
  };

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
  g_assert_true (am_store_set_account (store, &account, &error));
  g_assert_no_error (error);
  return g_strdup (am_lock_get_id (lock));
}

/* What a process printed. */
typedef struct
{
  gint64  started;
  gint64  first_frame;
  double  page_first_frame_ms;
  double  max_stall_ms;
} Run;

static Run
run (const char * const *argv,
     const char         *data_home,
     const char         *lock_id,
     guint               rows)
{
  /* AM_BENCH_STDERR shows what the processes say, for a profiler. */
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               (g_getenv ("AM_BENCH_STDERR") != NULL ? 0 : G_SUBPROCESS_FLAGS_STDERR_SILENCE));
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *n_rows = g_strdup_printf ("%u", rows);
  g_auto(GStrv) lines = NULL;
  Run result = { 0 };

  if (data_home != NULL)
    g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "AM_BENCH", "lock-passcodes", TRUE);
  if (lock_id != NULL)
    g_subprocess_launcher_setenv (launcher, "AM_BENCH_LOCK", lock_id, TRUE);
  g_subprocess_launcher_setenv (launcher, "AM_BENCH_ROWS", n_rows, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "AM_DEMO_SERVER");
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  /* Both drawn by cairo: on a machine without a GPU, GL is llvmpipe, whose
   * 50-150 ms a frame would hide what the main loop itself costs. */
  g_subprocess_launcher_setenv (launcher, "GSK_RENDERER", "cairo", TRUE);

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
      if (json_object_has_member (object, "page_first_frame_ms"))
        result.page_first_frame_ms = json_object_get_double_member (object, "page_first_frame_ms");
      if (json_object_has_member (object, "max_stall_ms"))
        result.max_stall_ms = json_object_get_double_member (object, "max_stall_ms");
    }
  if (result.first_frame == 0 || result.max_stall_ms <= 0)
    g_error ("%s printed no figures: %s", argv[0], out);
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
  guint n = quick ? 10000 : 100000;
  guint runs = quick ? 1 : 3;
  const char *app = g_getenv ("AM_APP");
  const char *bare = g_getenv ("AM_BENCH_BARE_LIST");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-lock-passcodes-XXXXXX", &error);
  g_autoptr(AmVault) vault = am_vault_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *lock_id = NULL;
  double page_frame[3], stall[3], bare_frame[3], bare_stall[3];

  g_assert_no_error (error);
  g_assert_nonnull (app);
  g_assert_nonnull (bare);

  lock_id = prepare_cache (dir, n);
  am_vault_store_token_async (vault, SERVER, "bench-token-not-a-secret", NULL, am_test_on_done_cb, &result);
  if (!am_vault_store_token_finish (vault, am_test_wait_for (&result), &error))
    g_error ("%s", error->message);

  for (guint i = 0; i < runs; i++)
    {
      Run r = run ((const char * const[]) { app, NULL }, dir, lock_id, n);
      Run b = run ((const char * const[]) { bare, NULL }, NULL, NULL, n);

      page_frame[i] = r.page_first_frame_ms;
      stall[i] = r.max_stall_ms;
      bare_frame[i] = (b.first_frame - b.started) / 1000.0;
      bare_stall[i] = b.max_stall_ms;
    }

  {
    double page_ms = median (page_frame, runs), stall_ms = median (stall, runs);
    double bare_ms = median (bare_frame, runs), bare_stall_ms = median (bare_stall, runs);

    printf ("{\"benchmark\":\"lock-passcodes\",\"passcodes\":%u,\"page_first_frame_ms\":%.1f,"
            "\"scroll_max_stall_ms\":%.2f,\"bare_list_launch_frame_ms\":%.1f,"
            "\"bare_list_scroll_max_stall_ms\":%.2f,\"scroll_stall_vs_bare\":%.2f}\n",
            n, page_ms, stall_ms, bare_ms, bare_stall_ms, stall_ms / bare_stall_ms);
  }

  g_clear_object (&result);
  am_vault_clear_token_async (vault, SERVER, NULL, am_test_on_done_cb, &result);
  am_vault_clear_token_finish (vault, am_test_wait_for (&result), NULL);
  /* AM_BENCH_KEEP keeps the cache, for a profiler. */
  if (g_getenv ("AM_BENCH_KEEP") == NULL)
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
      g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
    }
  else
    g_printerr ("Kept %s\n", dir);
  return 0;
}
