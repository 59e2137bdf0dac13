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
 * Without AM_BENCH nothing of this runs.
 */
#define G_LOG_DOMAIN "am-bench-probe"

#include "config.h"

#include <stdio.h>

#include "am-bench-probe.h"
#include "am-bench-stall.h"
#include "am-window.h"

#define SETTLE_MS          1000

typedef struct
{
  GtkWindow   *window;
  GtkListView *list_view;
  GtkEditable *search;
  gulong       paint_handler;
  GdkFrameClock *clock;
  AmBenchStall *stall;

  /* lock-passcodes */
  GtkListView *page_view;
  gulong       page_paint_handler;
  gint64       page_asked;
} Probe;

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
  GtkSelectionModel *model = gtk_list_view_get_model (probe->page_view);

  if (!gtk_widget_get_mapped (GTK_WIDGET (probe->page_view)) || model == NULL ||
      g_list_model_get_n_items (G_LIST_MODEL (model)) == 0)
    return;

  g_signal_handler_disconnect (clock, probe->page_paint_handler);
  printf ("{\"page_first_frame_ms\":%.2f}\n", (g_get_monotonic_time () - probe->page_asked) / 1000.0);
  fflush (stdout);

  probe->stall = am_bench_stall_start ();
  am_bench_scroll_to_end (probe->page_view, on_done_cb, probe);
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
  g_object_set_data_full (G_OBJECT (window), "am-bench-probe", probe, g_free);
}
