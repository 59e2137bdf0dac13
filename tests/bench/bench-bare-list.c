/* bench-bare-list.c: a bare window scrolling a GtkStringList to its end, the baseline of bench-lock-passcodes
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkListView of AM_BENCH_ROWS strings (100,000 by default), one label a
 * row, in a bare AdwApplicationWindow. Prints on stdout, as JSON lines, the
 * monotonic time of its first painted frame, then scrolls to the end the
 * way the app's probe scrolls Lock Passcodes (src/app/am-bench-probe.c: a
 * step every frame, at most 200 steps from the top) and prints the
 * longest main-loop stall meanwhile: what GTK itself costs on this machine,
 * now.
 */
#include "config.h"

#include <stdio.h>

#include <adwaita.h>

#include "am-bench-stall.h"

#define SETTLE_MS          1000

typedef struct
{
  GApplication *app;
  GtkListView  *view;
  AmBenchStall *stall;
} Probe;

static gboolean
on_settled_cb (gpointer data)
{
  Probe *probe = data;

  printf ("{\"max_stall_ms\":%.2f}\n", am_bench_stall_stop (g_steal_pointer (&probe->stall)));
  fflush (stdout);
  g_application_quit (probe->app);
  return G_SOURCE_REMOVE;
}

static gboolean
on_scrolled_cb (gpointer data)
{
  g_timeout_add (SETTLE_MS, on_settled_cb, data);
  return G_SOURCE_REMOVE;
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   gpointer       data)
{
  Probe *probe = data;

  printf ("{\"first_frame_monotonic_us\":%" G_GINT64_FORMAT "}\n", g_get_monotonic_time ());
  fflush (stdout);
  g_signal_handlers_disconnect_by_func (clock, on_after_paint_cb, data);
  probe->stall = am_bench_stall_start ();
  am_bench_scroll_to_end (probe->view, on_scrolled_cb, probe);
}

static void
on_realize_cb (GtkWidget *widget,
               gpointer   data)
{
  g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint", G_CALLBACK (on_after_paint_cb), data);
}

static void
on_setup_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_top (label, 9);
  gtk_widget_set_margin_bottom (label, 9);
  gtk_list_item_set_child (item, label);
}

static void
on_bind_cb (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  data)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

static void
on_activate_cb (GApplication *app,
                Probe        *probe)
{
  const char *rows = g_getenv ("AM_BENCH_ROWS");
  guint n = rows != NULL ? (guint) g_ascii_strtoull (rows, NULL, 10) : 100000;
  g_autoptr(GtkStringList) strings = gtk_string_list_new (NULL);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("Passcode %u", i);

      gtk_string_list_append (strings, text);
    }
  g_signal_connect (factory, "setup", G_CALLBACK (on_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind_cb), NULL);
  view = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_steal_pointer (&strings)))),
                            g_steal_pointer (&factory));
  probe->view = GTK_LIST_VIEW (view);
  probe->app = app;
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), scrolled);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  g_signal_connect (window, "realize", G_CALLBACK (on_realize_cb), probe);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(AdwApplication) app = adw_application_new ("io.github.accessmanager.BenchBareList",
                                                       G_APPLICATION_NON_UNIQUE);
  Probe probe = { 0 };

  g_signal_connect (app, "activate", G_CALLBACK (on_activate_cb), &probe);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
