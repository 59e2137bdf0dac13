/* bench-locks-dashboard.c: the Locks Dashboard over 100,000 locks: opening it, sorting by each column, searching, filtering, scrolling
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A signed-in cache of 10,000 properties of ten locks each (--quick: 1,000),
 * each lock with none to ten entries in its log (half a million), some
 * with no unit, no battery known or no mode, one in fifty visited over
 * Bluetooth. In the running app (src/app/am-bench-probe.c,
 * AM_BENCH=locks-dashboard), drawn with GSK_RENDERER=cairo:
 *
 * - dashboard_first_frame_ms: from asking for the dashboard to its first
 *   frame painted with locks on screen.
 * - sort_COLUMN_ms: from a click on the column's header to the first frame
 *   painted in the new order, the slower of the two directions;
 *   sort_worst_ms, the slowest column. Target: 100 ms. Beside it,
 *   bare_sort_ms: a bare GtkColumnView of as many rows and columns (made
 *   when asked for, as the app's) turned around and back, from the change
 *   to the first frame painted: what GTK itself costs for a new order of
 *   every row (tests/bench/bench-bare-list, AM_BENCH_COLUMNS).
 * - search_ms, search_clear_ms: from the search the entry starts once
 *   typing stops ("maple": one property in eight), and from clearing it,
 *   to the first frame painted with what it found. Target: 100 ms.
 * - property_filter_ms, property_filter_clear_ms: from picking a property
 *   in the filter, and All Properties again, to the first frame painted.
 *   Target: 100 ms.
 * - scroll_max_stall_ms: the longest main-loop stall while the table is
 *   scrolled to its end, a step every frame; beside
 *   bare_scroll_max_stall_ms, the same scroll of that bare column view.
 *
 * Beside them, in the same run, on the same file, the same steps in the
 * same order: core_*, the core's own (AmLockList, in this process), and
 * raw_*, the same query written by hand through the sqlite3 API, its row
 * ids read into an array: what SQLite itself costs.
 *
 * Medians of 3 runs (--quick: 1). Needs a display, a session bus and an
 * unlocked keyring (build-aux/dev bench). Prints one JSON line.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "am-bench-run.h"
#include "am-lock-list.h"
#include "am-records-private.h"
#include "am-test-records.h"

#define T0 G_GINT64_CONSTANT (1741618800)

#define LOCKS_PER_PROPERTY 10
#define MAX_EVENTS         10
#define SEARCH             "maple"
#define MAX_RUNS           3

/* The dashboard's columns, in the order of its template. */
#define N_COLUMNS 7

static const char * const column_names[N_COLUMNS] = {
  "property", "lock", "unit", "battery", "mode", "last_activity", "last_visit",
};

static const AmLockSort column_sorts[N_COLUMNS] = {
  AM_LOCK_SORT_PROPERTY, AM_LOCK_SORT_NAME, AM_LOCK_SORT_UNIT, AM_LOCK_SORT_BATTERY,
  AM_LOCK_SORT_MODE, AM_LOCK_SORT_LAST_ACTIVITY, AM_LOCK_SORT_LAST_VISIT,
};

/* The same keys, as one would write them by hand against the schema. */
static const char * const raw_keys[N_COLUMNS] = {
  "p.sort_key",
  "l.sort_key",
  "lower (l.unit)",
  "coalesce (l.seen_battery, l.battery)",
  "l.mode",
  "l.last_event_at",
  "l.seen_at",
};

/* One run's figures, in milliseconds. */
typedef struct
{
  double sort[N_COLUMNS];       /* the slower direction */
  double search;
  double search_clear;
  double filter;
  double filter_clear;
} Figures;

/* The cache, under @data_home; returns how many log entries it holds. */
static guint
prepare_cache (const char *data_home,
               guint       n_properties)
{
  static const char * const names[LOCKS_PER_PROPERTY] = {
    "Front Door", "Back Door", "Garage", "Side Gate", "Pool Gate",
    "Gym", "Office", "Laundry", "Storage", "Roof Access",
  };
  static const char * const events[] = {
    AM_LOCK_EVENT_NAME_KEYPAD_OPEN, AM_LOCK_EVENT_NAME_BLE_UNLOCK, AM_LOCK_EVENT_NAME_KEYPAD_REJECT,
  };
  g_autofree char *dir = g_build_filename (data_home, "access-manager", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.sqlite", NULL);
  g_autoptr(AmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) visited = g_ptr_array_new_with_free_func (g_free);
  guint n_events = 0;

  g_mkdir_with_parents (dir, 0700);
  store = am_store_open (path, &error);
  g_assert_no_error (error);

  for (guint done = 0; done < n_properties;)
    {
      g_autoptr(AmSyncPage) page = am_sync_page_new ();

      for (guint i = 0; i < 500 && done < n_properties; i++, done++)
        {
          g_autoptr(AmProperty) property = am_bench_property (done);

          for (guint j = 0; j < LOCKS_PER_PROPERTY; j++)
            {
              guint n = done * LOCKS_PER_PROPERTY + j;
              g_autofree char *unit = j % 3 != 0 ? g_strdup_printf ("%u%c", 1 + n % 40, 'A' + n % 6) : NULL;
              AmLock *lock = am_test_lock (property, names[j], unit);
              gint64 last = T0 + (gint64) (n * G_GINT64_CONSTANT (7919)) % (30 * 86400);

              if (n % 9 == 0)
                {
                  lock->battery = -1;
                  lock->battery_at = 0;
                }
              else
                lock->battery = (gint) (n * 37 % 101);
              g_free (lock->mode);
              lock->mode = n % 5 == 0 ? NULL : g_strdup (n % 2 ? AM_LOCK_MODE_RESIDENT : AM_LOCK_MODE_TOUR);
              for (guint seq = 1; seq <= n % (MAX_EVENTS + 1); seq++)
                g_ptr_array_add (page->events, am_test_lock_event (lock, seq, events[seq % G_N_ELEMENTS (events)],
                                                                   last - (n % (MAX_EVENTS + 1) - seq) * 3600));
              n_events += n % (MAX_EVENTS + 1);
              if (n % 50 == 7)
                g_ptr_array_add (visited, g_strdup (am_lock_get_id (lock)));
              g_ptr_array_add (page->locks, lock);
            }
          g_ptr_array_add (page->grants, am_test_grant (property, "generate_codes,ble_unlock,view_activity"));
          g_ptr_array_add (page->properties, g_steal_pointer (&property));
        }
      am_test_apply (store, page);
    }

  for (guint i = 0; i < visited->len; i++)
    if (!am_store_set_lock_seen (store, g_ptr_array_index (visited, i), i % 4 ? (gint) (i % 100) : -1, 0,
                                 T0 + i * 600, &error))
      g_error ("%s", error->message);
  am_bench_sign_in (store);
  return n_events;
}

/* The id of the property at @position (from 0) in the filter's order. */
static char *
property_at (sqlite3 *db,
             guint    position)
{
  sqlite3_stmt *stmt = NULL;
  char *id = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id FROM properties ORDER BY sort_key, pk LIMIT 1 OFFSET ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int (stmt, 1, (int) position);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  g_assert_nonnull (id);
  return id;
}

/* Runs @sql (?1 bound to @text where given) and reads the row ids into an
 * array, as the core does; returns the time it took. */
static double
raw_query (sqlite3    *db,
           const char *sql,
           const char *text)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  gint64 start = g_get_monotonic_time ();
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      guint32 id = (guint32) sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (ids->len, >, 0);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static char *
raw_sort_sql (guint    column,
              gboolean descending)
{
  return g_strdup_printf ("SELECT l.pk FROM locks l JOIN properties p ON p.pk = l.property"
                          " ORDER BY (%s) IS NULL, %s %s, p.sort_key, p.pk, l.sort_key, l.pk",
                          raw_keys[column], raw_keys[column], descending ? "DESC" : "ASC");
}

#define RAW_BY_PROPERTY " ORDER BY p.sort_key, p.pk, l.sort_key, l.pk"

/* The steps of the app's probe, in its order, by hand through SQLite. */
static void
measure_raw (const char *path,
             const char *property_id,
             Figures    *figures)
{
  sqlite3 *db = NULL;
  g_autofree char *pattern = g_strdup_printf ("%%%s%%", SEARCH);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  for (int c = N_COLUMNS - 1; c >= 0; c--)
    {
      g_autofree char *descending = raw_sort_sql (c, TRUE);
      g_autofree char *ascending = raw_sort_sql (c, FALSE);
      double desc_ms = raw_query (db, descending, NULL);
      double asc_ms = raw_query (db, ascending, NULL);

      figures->sort[c] = MAX (desc_ms, asc_ms);
    }
  figures->search = raw_query (db, "SELECT l.pk FROM locks l JOIN properties p ON p.pk = l.property"
                                   " WHERE l.name LIKE ?1 OR l.unit LIKE ?1 OR p.name LIKE ?1" RAW_BY_PROPERTY,
                               pattern);
  figures->search_clear = raw_query (db, "SELECT l.pk FROM locks l JOIN properties p ON p.pk = l.property"
                                         RAW_BY_PROPERTY, NULL);
  figures->filter = raw_query (db, "SELECT l.pk FROM locks l JOIN properties p ON p.pk = l.property"
                                   " WHERE p.id = ?1" RAW_BY_PROPERTY, property_id);
  figures->filter_clear = figures->search_clear;
  sqlite3_close (db);
}

/* Times a change of the list, as the dashboard asks for it. */
#define TIMED(ms, call) \
  G_STMT_START { gint64 start_ = g_get_monotonic_time (); call; (ms) = (g_get_monotonic_time () - start_) / 1000.0; } G_STMT_END

/* The same steps, through the core's list of all locks. */
static void
measure_core (const char *path,
              const char *property_id,
              Figures    *figures)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmStore) store = am_store_open (path, &error);
  g_autoptr(AmLockList) list = NULL;

  g_assert_no_error (error);
  list = am_lock_list_new (store);
  for (int c = N_COLUMNS - 1; c >= 0; c--)
    {
      double desc_ms, asc_ms;

      TIMED (desc_ms, am_lock_list_set_sort (list, column_sorts[c], TRUE));
      TIMED (asc_ms, am_lock_list_set_sort (list, column_sorts[c], FALSE));
      figures->sort[c] = MAX (desc_ms, asc_ms);
    }
  TIMED (figures->search, am_lock_list_set_search (list, SEARCH));
  TIMED (figures->search_clear, am_lock_list_set_search (list, NULL));
  TIMED (figures->filter, am_lock_list_set_property_id (list, property_id));
  TIMED (figures->filter_clear, am_lock_list_set_property_id (list, NULL));
}

/* The app, from the start to the scroll; @first_frame_ms and @stall_ms
 * for the dashboard's first frame and the scroll's longest stall. */
static void
measure_app (const char *app,
             const char *data_home,
             guint       property_position,
             Figures    *figures,
             double     *first_frame_ms,
             double     *stall_ms)
{
  g_autofree char *position = g_strdup_printf ("%u", property_position);
  g_auto(GStrv) env = g_environ_setenv (NULL, "AM_BENCH", "locks-dashboard", TRUE);
  g_autoptr(AmBenchRun) run = NULL;

  env = g_environ_setenv (env, "XDG_DATA_HOME", data_home, TRUE);
  env = g_environ_setenv (env, "AM_BENCH_SEARCH", SEARCH, TRUE);
  env = g_environ_setenv (env, "AM_BENCH_PROPERTY", position, TRUE);
  /* Drawn by cairo, as the bare list: on a machine without a GPU, GL is
   * llvmpipe, whose 50-150 ms a frame would hide what the app costs. */
  env = g_environ_setenv (env, "GSK_RENDERER", "cairo", TRUE);
  run = am_bench_run ((const char * const[]) { app, NULL }, (const char * const *) env);

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      g_autofree char *desc = g_strdup_printf ("sort_%s_desc_ms", column_names[c]);
      g_autofree char *asc = g_strdup_printf ("sort_%s_asc_ms", column_names[c]);

      figures->sort[c] = MAX (am_bench_run_get (run, desc), am_bench_run_get (run, asc));
    }
  figures->search = am_bench_run_get (run, "search_ms");
  figures->search_clear = am_bench_run_get (run, "search_clear_ms");
  figures->filter = am_bench_run_get (run, "property_filter_ms");
  figures->filter_clear = am_bench_run_get (run, "property_filter_clear_ms");
  *first_frame_ms = am_bench_run_get (run, "dashboard_first_frame_ms");
  *stall_ms = am_bench_run_get (run, "max_stall_ms");
  if (*first_frame_ms <= 0 || *stall_ms <= 0 || figures->filter_clear <= 0)
    g_error ("The app printed no figures for the dashboard");
}

/* The bare column view: the longer of its two turns of the list, and the
 * longest stall of its scroll to the end. */
static void
measure_bare (const char *bare,
              guint       rows,
              double     *sort_ms,
              double     *stall_ms)
{
  g_autofree char *n_rows = g_strdup_printf ("%u", rows);
  g_autofree char *n_columns = g_strdup_printf ("%u", N_COLUMNS);
  g_auto(GStrv) env = g_environ_setenv (NULL, "AM_BENCH_ROWS", n_rows, TRUE);
  g_autoptr(AmBenchRun) run = NULL;

  env = g_environ_setenv (env, "AM_BENCH_COLUMNS", n_columns, TRUE);
  env = g_environ_setenv (env, "GSK_RENDERER", "cairo", TRUE);
  run = am_bench_run ((const char * const[]) { bare, NULL }, (const char * const *) env);
  *sort_ms = am_bench_run_get (run, "sort_ms");
  *stall_ms = am_bench_run_get (run, "max_stall_ms");
  if (*sort_ms <= 0 || *stall_ms <= 0)
    g_error ("%s printed no figures", bare);
}

/* The median of each figure over @n runs. */
static Figures
median_figures (Figures *runs,
                guint    n)
{
  Figures median;
  double values[MAX_RUNS];

#define MEDIAN_OF(field) \
  G_STMT_START { for (guint i_ = 0; i_ < n; i_++) values[i_] = runs[i_].field; \
                 median.field = am_bench_median (values, n); } G_STMT_END

  for (guint c = 0; c < N_COLUMNS; c++)
    MEDIAN_OF (sort[c]);
  MEDIAN_OF (search);
  MEDIAN_OF (search_clear);
  MEDIAN_OF (filter);
  MEDIAN_OF (filter_clear);
#undef MEDIAN_OF
  return median;
}

static double
worst_sort (const Figures *figures)
{
  double worst = 0;

  for (guint c = 0; c < N_COLUMNS; c++)
    worst = MAX (worst, figures->sort[c]);
  return worst;
}

int
main (int    argc,
      char **argv)
{
  gboolean quick = argc > 1 && g_str_equal (argv[1], "--quick");
  guint n_properties = quick ? 1000 : 10000;
  guint n_locks = n_properties * LOCKS_PER_PROPERTY;
  guint runs = quick ? 1 : MAX_RUNS;
  const char *app = g_getenv ("AM_APP");
  const char *bare = g_getenv ("AM_BENCH_BARE_LIST");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-locks-dashboard-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "access-manager", "cache.sqlite", NULL);
  g_autofree char *property_id = NULL;
  guint property_position = n_properties / 2;
  Figures app_runs[MAX_RUNS], core_runs[MAX_RUNS], raw_runs[MAX_RUNS];
  Figures in_app, in_core, by_hand;
  double first_frame[MAX_RUNS], stall[MAX_RUNS], bare_sort[MAX_RUNS], bare_stall[MAX_RUNS];
  double first_frame_ms, stall_ms, bare_sort_ms, bare_stall_ms;
  guint n_events;
  GString *line = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (app);
  g_assert_nonnull (bare);

  n_events = prepare_cache (dir, n_properties);
  am_bench_store_token ();
  {
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
    /* The filter's first item is All Properties. */
    property_id = property_at (db, property_position - 1);
    sqlite3_close (db);
  }

  for (guint i = 0; i < runs; i++)
    {
      measure_raw (path, property_id, &raw_runs[i]);
      measure_core (path, property_id, &core_runs[i]);
      measure_app (app, dir, property_position, &app_runs[i], &first_frame[i], &stall[i]);
      measure_bare (bare, n_locks, &bare_sort[i], &bare_stall[i]);
    }
  in_app = median_figures (app_runs, runs);
  in_core = median_figures (core_runs, runs);
  by_hand = median_figures (raw_runs, runs);
  first_frame_ms = am_bench_median (first_frame, runs);
  stall_ms = am_bench_median (stall, runs);
  bare_sort_ms = am_bench_median (bare_sort, runs);
  bare_stall_ms = am_bench_median (bare_stall, runs);

  g_string_append_printf (line, "{\"benchmark\":\"locks-dashboard\",\"locks\":%u,\"properties\":%u,\"events\":%u,"
                          "\"dashboard_first_frame_ms\":%.1f",
                          n_locks, n_properties, n_events, first_frame_ms);
  for (guint c = 0; c < N_COLUMNS; c++)
    g_string_append_printf (line, ",\"sort_%s_ms\":%.1f,\"core_sort_%s_ms\":%.1f,\"raw_sort_%s_ms\":%.1f",
                            column_names[c], in_app.sort[c], column_names[c], in_core.sort[c],
                            column_names[c], by_hand.sort[c]);
  g_string_append_printf (line, ",\"sort_worst_ms\":%.1f,\"bare_sort_ms\":%.1f,\"sort_worst_vs_bare\":%.2f"
                          ",\"core_sort_worst_ms\":%.1f,\"raw_sort_worst_ms\":%.1f,\"core_sort_worst_vs_raw\":%.2f",
                          worst_sort (&in_app), bare_sort_ms, worst_sort (&in_app) / bare_sort_ms,
                          worst_sort (&in_core), worst_sort (&by_hand), worst_sort (&in_core) / worst_sort (&by_hand));
  g_string_append_printf (line, ",\"search_ms\":%.1f,\"core_search_ms\":%.1f,\"raw_search_ms\":%.1f"
                          ",\"search_clear_ms\":%.1f,\"core_search_clear_ms\":%.1f,\"raw_search_clear_ms\":%.1f",
                          in_app.search, in_core.search, by_hand.search,
                          in_app.search_clear, in_core.search_clear, by_hand.search_clear);
  g_string_append_printf (line, ",\"property_filter_ms\":%.1f,\"core_property_filter_ms\":%.1f"
                          ",\"raw_property_filter_ms\":%.2f"
                          ",\"property_filter_clear_ms\":%.1f,\"core_property_filter_clear_ms\":%.1f"
                          ",\"raw_property_filter_clear_ms\":%.1f",
                          in_app.filter, in_core.filter, by_hand.filter,
                          in_app.filter_clear, in_core.filter_clear, by_hand.filter_clear);
  g_string_append_printf (line, ",\"scroll_max_stall_ms\":%.2f,\"bare_scroll_max_stall_ms\":%.2f"
                          ",\"scroll_stall_vs_bare\":%.2f}",
                          stall_ms, bare_stall_ms, stall_ms / bare_stall_ms);
  printf ("%s\n", line->str);
  g_string_free (line, TRUE);

  am_bench_clear_token ();
  /* AM_BENCH_KEEP keeps the cache, for a profiler. */
  am_bench_remove_dir (dir);
  return 0;
}
