/* am-bench-probe.c: figures for tests/bench/bench-app, only when AM_BENCH asks
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With AM_BENCH=first-frame, the window prints on stdout, as one JSON line,
 * the monotonic time of the first frame painted with the property list on
 * screen and holding rows, then the application quits: the benchmark
 * compares it with the time it started the process.
 *
 * With AM_BENCH=search, after that first frame it types AM_BENCH_SEARCH
 * into the search entry one character every 120 ms, as a person would,
 * while a 1 ms timeout of high priority notes the longest time the main
 * loop did not run it; then prints that stall and quits.
 *
 * With AM_BENCH=lock-passcodes, after that first frame it opens the Lock
 * Passcodes page of the lock AM_BENCH_LOCK and prints the time from asking
 * for it to its first frame painted with passcodes on screen; then it
 * scrolls the list to its end, as one drags the scroll bar, a step every
 * frame, noting the longest stall of the main loop; then prints that stall
 * and quits.
 *
 * With AM_BENCH=locks-dashboard, after that first frame it opens the Locks
 * Dashboard and prints the time from asking for it to its first frame
 * painted with locks on screen. Then, each a while after the one before,
 * it sorts by each column, descending then ascending (the last one back to
 * the dashboard's own order), types AM_BENCH_SEARCH into the search and
 * clears it, picks the property AM_BENCH_PROPERTY (a position in the
 * property filter) and all properties again, printing for each the time
 * from the click to the first frame painted with the locks it brought (for
 * the search, from the search itself: the entry's delay, which waits for
 * typing to stop, is set to none). Then it scrolls the table to its end,
 * as above, and prints the longest stall.
 *
 * Without AM_BENCH nothing of this runs.
 */
#define G_LOG_DOMAIN "am-bench-probe"

#include "config.h"

#include <stdio.h>

#include "am-bench-probe.h"
#include "am-bench-stall.h"
#include "am-window.h"

#define SETTLE_MS          1000

/* Between the steps of the locks dashboard: what one step left to do
 * (rows measured in idle time) does not count in the next. */
#define STEP_PAUSE_MS      300

/* A step that changes nothing would wait for ever. */
#define STEP_TIMEOUT_S     60

/* The dashboard's columns, in the order of its template. */
static const char * const dashboard_columns[] = {
  "property", "lock", "unit", "battery", "mode", "last_activity", "last_visit",
};

typedef enum
{
  STEP_SORT,
  STEP_SEARCH,
  STEP_CLEAR_SEARCH,
  STEP_PROPERTY,
  STEP_ALL_PROPERTIES,
  STEP_SCROLL,
} StepKind;

typedef struct
{
  GtkWindow   *window;
  GtkListView *list_view;
  GtkEditable *search;
  gulong       paint_handler;
  GdkFrameClock *clock;
  AmBenchStall *stall;

  /* lock-passcodes, locks-dashboard */
  GtkGridView *page_view;
  gulong       page_paint_handler;
  gint64       page_asked;

  /* locks-dashboard */
  GtkColumnView *column_view;
  GListModel    *dashboard_model;
  GtkWidget     *dashboard_window;
  guint          step;
  gboolean       step_changed;
  char          *step_name;
  guint          step_timeout;
} Probe;

static void
probe_free (Probe *probe)
{
  g_free (probe->step_name);
  g_free (probe);
}

static gboolean
on_settled_cb (gpointer data)
{
  Probe *probe = data;

  printf ("{\"max_stall_ms\":%.2f}\n", am_bench_stall_stop (g_steal_pointer (&probe->stall)));
  fflush (stdout);
  g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

/* Typed, or scrolled to the end: what follows settles, then the figure. */
static gboolean
on_done_cb (gpointer data)
{
  g_timeout_add (SETTLE_MS, on_settled_cb, data);
  return G_SOURCE_REMOVE;
}

static void
on_page_after_paint_cb (GdkFrameClock *clock,
                        gpointer       data)
{
  Probe *probe = data;
  GtkSelectionModel *model = gtk_grid_view_get_model (probe->page_view);

  if (!gtk_widget_get_mapped (GTK_WIDGET (probe->page_view)) || model == NULL ||
      g_list_model_get_n_items (G_LIST_MODEL (model)) == 0)
    return;

  g_signal_handler_disconnect (clock, probe->page_paint_handler);
  printf ("{\"page_first_frame_ms\":%.2f}\n", (g_get_monotonic_time () - probe->page_asked) / 1000.0);
  fflush (stdout);

  probe->stall = am_bench_stall_start ();
  am_bench_scroll_to_end (GTK_SCROLLABLE (probe->page_view), on_done_cb, probe);
}

/* The locks dashboard. Steps: each column's two sorts, the search and its
 * clearing, a property and all of them, then the scroll. */

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean run_step_cb (gpointer data);

static gboolean
on_step_timeout_cb (gpointer data)
{
  Probe *probe = data;

  g_error ("The step “%s” changed nothing in %d s", probe->step_name, STEP_TIMEOUT_S);
  return G_SOURCE_REMOVE;
}

static void
on_dashboard_items_changed_cb (GListModel *model,
                               guint       position,
                               guint       removed,
                               guint       added,
                               gpointer    data)
{
  Probe *probe = data;

  probe->step_changed = TRUE;
}

static void
on_step_after_paint_cb (GdkFrameClock *clock,
                        gpointer       data)
{
  Probe *probe = data;

  if (!probe->step_changed)
    return;

  g_signal_handler_disconnect (clock, probe->page_paint_handler);
  g_clear_handle_id (&probe->step_timeout, g_source_remove);
  printf ("{\"%s_ms\":%.2f}\n", probe->step_name, (g_get_monotonic_time () - probe->page_asked) / 1000.0);
  fflush (stdout);
  probe->step++;
  g_timeout_add (STEP_PAUSE_MS, run_step_cb, probe);
}

static void
start_step (Probe      *probe,
            const char *name)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (probe->dashboard_window);

  g_free (probe->step_name);
  probe->step_name = g_strdup (name);
  probe->step_changed = FALSE;
  probe->page_paint_handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_step_after_paint_cb), probe);
  probe->step_timeout = g_timeout_add_seconds (STEP_TIMEOUT_S, on_step_timeout_cb, probe);
  probe->page_asked = g_get_monotonic_time ();
}

static gboolean
run_step_cb (gpointer data)
{
  Probe *probe = data;
  GtkWidget *dashboard = GTK_WIDGET (probe->column_view);
  guint n_sorts = 2 * G_N_ELEMENTS (dashboard_columns);
  const char *search = g_getenv ("AM_BENCH_SEARCH");
  const char *property = g_getenv ("AM_BENCH_PROPERTY");
  GtkSearchEntry *entry;
  GtkDropDown *dropdown;

  while (!AM_IS_LOCKS_DASHBOARD (dashboard))
    dashboard = gtk_widget_get_parent (dashboard);
  entry = GTK_SEARCH_ENTRY (find_descendant (dashboard, GTK_TYPE_SEARCH_ENTRY));
  dropdown = GTK_DROP_DOWN (find_descendant (dashboard, GTK_TYPE_DROP_DOWN));

  if (probe->step < n_sorts)
    {
      /* From the last column to the first, so as to end where the
       * dashboard starts: by property, ascending. */
      guint c = G_N_ELEMENTS (dashboard_columns) - 1 - probe->step / 2;
      gboolean descending = probe->step % 2 == 0;
      g_autoptr(GtkColumnViewColumn) column =
        g_list_model_get_item (gtk_column_view_get_columns (probe->column_view), c);
      g_autofree char *name = g_strdup_printf ("sort_%s_%s", dashboard_columns[c], descending ? "desc" : "asc");

      start_step (probe, name);
      gtk_column_view_sort_by_column (probe->column_view, column,
                                      descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
      return G_SOURCE_REMOVE;
    }

  switch ((StepKind) (STEP_SEARCH + probe->step - n_sorts))
    {
    case STEP_SEARCH:
      /* From the search itself: the entry waits for typing to stop. */
      gtk_search_entry_set_search_delay (entry, 0);
      start_step (probe, "search");
      gtk_editable_set_text (GTK_EDITABLE (entry), search != NULL ? search : "maple");
      break;
    case STEP_CLEAR_SEARCH:
      start_step (probe, "search_clear");
      gtk_editable_set_text (GTK_EDITABLE (entry), "");
      break;
    case STEP_PROPERTY:
      start_step (probe, "property_filter");
      gtk_drop_down_set_selected (dropdown, property != NULL ? (guint) g_ascii_strtoull (property, NULL, 10) : 1);
      break;
    case STEP_ALL_PROPERTIES:
      start_step (probe, "property_filter_clear");
      gtk_drop_down_set_selected (dropdown, 0);
      break;
    case STEP_SCROLL:
      g_signal_handlers_disconnect_by_func (probe->dashboard_model, on_dashboard_items_changed_cb, probe);
      probe->stall = am_bench_stall_start ();
      am_bench_scroll_to_end (GTK_SCROLLABLE (find_descendant (GTK_WIDGET (probe->column_view), GTK_TYPE_LIST_VIEW)),
                              on_done_cb, probe);
      break;
    case STEP_SORT:
    default:
      g_assert_not_reached ();
    }
  return G_SOURCE_REMOVE;
}

static void
on_dashboard_after_paint_cb (GdkFrameClock *clock,
                             gpointer       data)
{
  Probe *probe = data;
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (probe->column_view));

  if (!gtk_widget_get_mapped (GTK_WIDGET (probe->column_view)) || model == NULL ||
      g_list_model_get_n_items (model) == 0)
    return;

  g_signal_handler_disconnect (clock, probe->page_paint_handler);
  printf ("{\"dashboard_first_frame_ms\":%.2f}\n", (g_get_monotonic_time () - probe->page_asked) / 1000.0);
  fflush (stdout);

  probe->dashboard_model = model;
  g_signal_connect (model, "items-changed", G_CALLBACK (on_dashboard_items_changed_cb), probe);
  g_timeout_add (STEP_PAUSE_MS, run_step_cb, probe);
}

static gboolean
on_open_dashboard_cb (gpointer data)
{
  Probe *probe = data;
  AmLocksWindow *window;

  probe->page_asked = g_get_monotonic_time ();
  window = am_window_show_locks (AM_WINDOW (probe->window), NULL);
  if (window == NULL)
    g_error ("No window to show the Locks Dashboard in");
  probe->dashboard_window = GTK_WIDGET (window);
  probe->column_view = am_locks_dashboard_get_column_view (am_locks_window_get_dashboard (window));
  if (!gtk_widget_get_realized (GTK_WIDGET (window)))
    gtk_widget_realize (GTK_WIDGET (window));
  probe->page_paint_handler = g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                                                G_CALLBACK (on_dashboard_after_paint_cb), probe);
  return G_SOURCE_REMOVE;
}

static gboolean
on_open_lock_cb (gpointer data)
{
  Probe *probe = data;
  AmLocksWindow *window;

  probe->page_asked = g_get_monotonic_time ();
  window = am_window_show_locks (AM_WINDOW (probe->window), g_getenv ("AM_BENCH_LOCK"));
  if (window == NULL)
    g_error ("No window to show the lock %s in", g_getenv ("AM_BENCH_LOCK"));
  probe->page_view = am_lock_page_get_passcodes_view (am_locks_window_get_lock_page (window));
  if (!gtk_widget_get_realized (GTK_WIDGET (window)))
    gtk_widget_realize (GTK_WIDGET (window));
  probe->page_paint_handler = g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                                                G_CALLBACK (on_page_after_paint_cb), probe);
  return G_SOURCE_REMOVE;
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   gpointer       data)
{
  Probe *probe = data;
  GtkSelectionModel *model = gtk_list_view_get_model (probe->list_view);

  if (!gtk_widget_get_mapped (GTK_WIDGET (probe->list_view)) || model == NULL ||
      g_list_model_get_n_items (G_LIST_MODEL (model)) == 0)
    return;

  g_signal_handler_disconnect (clock, probe->paint_handler);
  printf ("{\"first_frame_monotonic_us\":%" G_GINT64_FORMAT "}\n", g_get_monotonic_time ());
  fflush (stdout);

  if (g_strcmp0 (g_getenv ("AM_BENCH"), "search") == 0)
    {
      probe->stall = am_bench_stall_start ();
      am_bench_type (probe->search, g_getenv ("AM_BENCH_SEARCH"), on_done_cb, probe);
    }
  else if (g_strcmp0 (g_getenv ("AM_BENCH"), "lock-passcodes") == 0)
    g_idle_add (on_open_lock_cb, probe);
  else if (g_strcmp0 (g_getenv ("AM_BENCH"), "locks-dashboard") == 0)
    g_idle_add (on_open_dashboard_cb, probe);
  else
    g_application_quit (g_application_get_default ());
}

static void
on_realize_cb (GtkWidget *widget,
               gpointer   data)
{
  Probe *probe = data;

  probe->clock = gtk_widget_get_frame_clock (widget);
  probe->paint_handler = g_signal_connect (probe->clock, "after-paint", G_CALLBACK (on_after_paint_cb), probe);
}

/**
 * am_bench_probe_attach:
 * @window: the main window, before it is shown
 * @list_view: its property list
 * @search: its search entry
 *
 * Does nothing unless the environment variable AM_BENCH is set.
 */
void
am_bench_probe_attach (GtkWindow   *window,
                       GtkListView *list_view,
                       GtkEditable *search)
{
  Probe *probe;

  if (g_getenv ("AM_BENCH") == NULL)
    return;

  probe = g_new0 (Probe, 1);
  probe->window = window;
  probe->list_view = list_view;
  probe->search = search;
  g_signal_connect (window, "realize", G_CALLBACK (on_realize_cb), probe);
  g_object_set_data_full (G_OBJECT (window), "am-bench-probe", probe, (GDestroyNotify) probe_free);
}
