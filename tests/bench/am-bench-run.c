/* am-bench-run.c: starting the app (or a bare window) for a benchmark, and reading what it printed
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmarks of the app (bench-app, bench-lock-passcodes,
 * bench-locks-dashboard) start it signed in, from a cache they fill, with
 * a session token in the keyring for a cloud that does not answer: what an
 * agent on a laptop without network sees. The app reports its figures
 * itself, as JSON lines on its stdout, when AM_BENCH asks it to
 * (src/app/am-bench-probe.c); so do the bare windows they are compared
 * with (tests/bench/bench-bare-window.c, bench-bare-list.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "am-bench-run.h"
#include "am-records-private.h"
#include "am-test-async.h"
#include "am-test-records.h"
#include "am-vault.h"

#define BENCH_TOKEN "bench-token-not-a-secret"

/**
 * am_bench_property:
 * @n: its place in the portfolio
 *
 * Returns: (transfer full): the @n-th property of a benchmark's portfolio,
 *   named and addressed as the bare window's rows are (bench-bare-window)
 */
AmProperty *
am_bench_property (guint n)
{
  static const char * const streets[] = { "Maple", "Oak", "Cedar", "Elm", "Pine", "Birch", "Lake", "Hill" };
  static const char * const cities[] = { "Austin", "Chicago", "Denver", "Boston", "Seattle", "Miami" };
  g_autofree char *name = g_strdup_printf ("%s %s %u", streets[n % 8], n % 3 ? "Court" : "Lofts", n);
  g_autofree char *address = g_strdup_printf ("%u %s Street", 100 + n % 900, streets[(n / 8) % 8]);

  return am_test_property (name, address, cities[n % 6], "America/Chicago");
}

/**
 * am_bench_sign_in:
 * @store: a cache
 *
 * Signs the bench's agent in to AM_BENCH_SERVER in @store.
 */
void
am_bench_sign_in (AmStore *store)
{
  g_autoptr(GError) error = NULL;
  AmAccount account = {
    (char *) AM_BENCH_SERVER, (char *) "5a0c5e1b-1111-4222-8333-944455566677", (char *) "Bench Agent", NULL,
    (char *) "6b1d6f2c-2222-4333-9444-a55566677788", (char *) "Bench Property Group", TRUE,
  };

  if (!am_store_set_account (store, &account, &error))
    g_error ("%s", error->message);
}

/**
 * am_bench_store_token:
 *
 * Puts a session token for AM_BENCH_SERVER in the keyring.
 */
void
am_bench_store_token (void)
{
  g_autoptr(AmVault) vault = am_vault_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  am_vault_store_token_async (vault, AM_BENCH_SERVER, BENCH_TOKEN, NULL, am_test_on_done_cb, &result);
  if (!am_vault_store_token_finish (vault, am_test_wait_for (&result), &error))
    g_error ("%s", error->message);
}

/**
 * am_bench_clear_token:
 *
 * Takes the token of am_bench_store_token() out of the keyring again.
 */
void
am_bench_clear_token (void)
{
  g_autoptr(AmVault) vault = am_vault_new ();
  g_autoptr(GAsyncResult) result = NULL;

  am_vault_clear_token_async (vault, AM_BENCH_SERVER, NULL, am_test_on_done_cb, &result);
  am_vault_clear_token_finish (vault, am_test_wait_for (&result), NULL);
}

/**
 * am_bench_run:
 * @argv: the program and its arguments
 * @env: (nullable): what to set in its environment, as g_environ_setenv()
 *   makes it
 *
 * Starts the program without AM_DEMO_SERVER and G_DEBUG in its
 * environment, waits for it to quit and reads the JSON lines it printed;
 * what it says on stderr goes nowhere unless AM_BENCH_STDERR is set (for
 * a profiler). A program that printed nothing of the kind fails the
 * benchmark.
 *
 * Returns: (transfer full): what it printed
 */
AmBenchRun *
am_bench_run (const char * const *argv,
              const char * const *env)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               (g_getenv ("AM_BENCH_STDERR") != NULL ? 0 : G_SUBPROCESS_FLAGS_STDERR_SILENCE));
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(AmBenchRun) run = g_new0 (AmBenchRun, 1);

  g_subprocess_launcher_unsetenv (launcher, "AM_DEMO_SERVER");
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *equals = strchr (env[i], '=');
      g_autofree char *name = g_strndup (env[i], equals - env[i]);

      g_subprocess_launcher_setenv (launcher, name, equals + 1, TRUE);
    }

  run->figures = json_object_new ();
  run->started = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (lines[i], NULL);
      JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      g_autoptr(GList) members = object != NULL ? json_object_get_members (object) : NULL;

      for (GList *m = members; m != NULL; m = m->next)
        json_object_set_member (run->figures, m->data, json_object_dup_member (object, m->data));
    }
  if (json_object_get_size (run->figures) == 0)
    g_error ("%s printed no figures: %s", argv[0], out);
  return g_steal_pointer (&run);
}

/**
 * am_bench_run_get:
 * @run: what a process printed
 * @name: a figure's name
 *
 * Returns: the figure, or 0 where it did not print it
 */
double
am_bench_run_get (AmBenchRun *run,
                  const char *name)
{
  return json_object_get_double_member_with_default (run->figures, name, 0);
}

/**
 * am_bench_run_get_int:
 * @run: what a process printed
 * @name: a figure's name
 *
 * Returns: the figure, or 0 where it did not print it
 */
gint64
am_bench_run_get_int (AmBenchRun *run,
                      const char *name)
{
  return json_object_get_int_member_with_default (run->figures, name, 0);
}

void
am_bench_run_free (AmBenchRun *run)
{
  g_clear_pointer (&run->figures, json_object_unref);
  g_free (run);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/**
 * am_bench_median:
 * @values: (array length=n): figures, sorted in place
 * @n: how many, at least one
 *
 * Returns: their median (the upper one of an even count)
 */
double
am_bench_median (double *values,
                 guint   n)
{
  g_assert (n > 0);

  qsort (values, n, sizeof *values, compare_doubles);
  return values[n / 2];
}

/**
 * am_bench_remove_dir:
 * @dir: the benchmark's folder of caches
 *
 * Removes it, unless AM_BENCH_KEEP is set, for a profiler.
 */
void
am_bench_remove_dir (const char *dir)
{
  if (g_getenv ("AM_BENCH_KEEP") == NULL)
    {
      const char *argv[] = { "rm", "-rf", dir, NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    }
  else
    g_printerr ("Kept %s\n", dir);
}
