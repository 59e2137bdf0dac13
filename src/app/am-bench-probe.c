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
 * Without AM_BENCH nothing of this runs.
 */
#define G_LOG_DOMAIN "am-bench-probe"

#include "config.h"

#include <stdio.h>

#include "am-bench-probe.h"

#define TYPING_INTERVAL_MS 120
#define SETTLE_MS          1000

typedef struct
{
  GtkWindow   *window;
  GtkListView *list_view;
  GtkEditable *search;
  gulong       paint_handler;
  GdkFrameClock *clock;
  gint64       last_tick;
  gint64       max_stall;
  guint        typed;
  guint        ticker;
} Probe;

static gboolean
on_tick_cb (gpointer data)
{
  Probe *probe = data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last_tick != 0)
    probe->max_stall = MAX (probe->max_stall, now - probe->last_tick);
  probe->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
on_settled_cb (gpointer data)
{
  Probe *probe = data;

  g_source_remove (probe->ticker);
  printf ("{\"max_stall_ms\":%.2f,\"typed\":%u}\n", probe->max_stall / 1000.0, probe->typed);
  fflush (stdout);
  g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

static gboolean
on_type_cb (gpointer data)
{
  Probe *probe = data;
  const char *text = g_getenv ("AM_BENCH_SEARCH");
  g_autofree char *prefix = NULL;

  if (text == NULL || probe->typed >= g_utf8_strlen (text, -1))
    {
      g_timeout_add (SETTLE_MS, on_settled_cb, probe);
      return G_SOURCE_REMOVE;
    }
  probe->typed++;
  prefix = g_utf8_substring (text, 0, probe->typed);
  gtk_editable_set_text (probe->search, prefix);
  return G_SOURCE_CONTINUE;
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
      probe->ticker = g_timeout_add_full (G_PRIORITY_HIGH, 1, on_tick_cb, probe, NULL);
      g_timeout_add (TYPING_INTERVAL_MS, on_type_cb, probe);
    }
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
