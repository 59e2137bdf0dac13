/* bench-bare-window.c: a bare AdwApplicationWindow, the baseline of bench-app
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints on stdout, as one JSON line, the monotonic time of its first
 * painted frame, then quits: what any libadwaita window costs to show on
 * this machine, now.
 *
 * With AM_BENCH=search, the window holds instead what GTK offers out of
 * the box for the app's property list: a search entry over a GtkListView
 * of AM_BENCH_ROWS rows (a name, an address and a detail line each, as the
 * app's rows), filtered by a GtkStringFilter through a GtkFilterListModel.
 * After its first frame it types AM_BENCH_SEARCH as the app's benchmark
 * does (src/app/am-bench-stall.c) and prints the longest main-loop stall:
 * what a GTK list costs to filter while a person types, on this machine,
 * now.
 */
#include "config.h"

#include <stdio.h>

#include <adwaita.h>

#include "am-bench-stall.h"

#define SETTLE_MS 1000

typedef struct
{
  GApplication *app;
  GtkEditable  *search;
  AmBenchStall *stall;
} Bench;

static gboolean
on_settled_cb (gpointer data)
{
  Bench *bench = data;

  printf ("{\"max_stall_ms\":%.2f}\n", am_bench_stall_stop (bench->stall));
  fflush (stdout);
  g_application_quit (bench->app);
  return G_SOURCE_REMOVE;
}

static gboolean
on_typed_cb (gpointer data)
{
  g_timeout_add (SETTLE_MS, on_settled_cb, data);
  return G_SOURCE_REMOVE;
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   gpointer       data)
{
  Bench *bench = data;

  printf ("{\"first_frame_monotonic_us\":%" G_GINT64_FORMAT "}\n", g_get_monotonic_time ());
  fflush (stdout);
  g_signal_handlers_disconnect_by_func (clock, on_after_paint_cb, data);
  if (bench->search == NULL)
    {
      g_application_quit (bench->app);
      return;
    }
  bench->stall = am_bench_stall_start ();
  am_bench_type (bench->search, g_getenv ("AM_BENCH_SEARCH"), on_typed_cb, bench);
}

static void
on_realize_cb (GtkWidget *widget,
               gpointer   data)
{
  g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint", G_CALLBACK (on_after_paint_cb), data);
}

static void
on_setup_row_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);

  for (guint i = 0; i < 3; i++)
    {
      GtkWidget *label = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_box_append (GTK_BOX (box), label);
    }
  gtk_widget_set_margin_top (box, 9);
  gtk_widget_set_margin_bottom (box, 9);
  gtk_list_item_set_child (item, box);
}

static void
on_bind_row_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  const char *row = gtk_string_object_get_string (gtk_list_item_get_item (item));
  g_auto(GStrv) lines = g_strsplit (row, "\n", 3);
  GtkWidget *label = gtk_widget_get_first_child (gtk_list_item_get_child (item));

  for (guint i = 0; label != NULL; i++, label = gtk_widget_get_next_sibling (label))
    gtk_label_set_text (GTK_LABEL (label), lines[0] != NULL && i < g_strv_length (lines) ? lines[i] : "");
}

static void
on_search_changed_cb (GtkSearchEntry  *entry,
                      GtkStringFilter *filter)
{
  gtk_string_filter_set_search (filter, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

/* The app's list, as GTK offers it: rows like those of bench-app's cache. */
static GtkWidget *
make_search_list (Bench *bench)
{
  static const char * const streets[] = { "Maple", "Oak", "Cedar", "Elm", "Pine", "Birch", "Lake", "Hill" };
  static const char * const cities[] = { "Austin", "Chicago", "Denver", "Boston", "Seattle", "Miami" };
  const char *rows = g_getenv ("AM_BENCH_ROWS");
  guint n = rows != NULL ? (guint) g_ascii_strtoull (rows, NULL, 10) : 100000;
  GtkStringList *list = gtk_string_list_new (NULL);
  GtkStringFilter *filter = gtk_string_filter_new (gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string"));
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *entry = gtk_search_entry_new ();
  GtkWidget *view, *scrolled, *box;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *row = g_strdup_printf ("%s %s %u\n%u %s Street, %s\n3:42 PM there · 1 lock",
                                              streets[i % 8], i % 3 ? "Court" : "Lofts", i,
                                              100 + i % 900, streets[(i / 8) % 8], cities[i % 6]);
      gtk_string_list_append (list, row);
    }
  g_signal_connect (factory, "setup", G_CALLBACK (on_setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind_row_cb), NULL);
  view = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_single_selection_new (
           G_LIST_MODEL (gtk_filter_list_model_new (G_LIST_MODEL (list), GTK_FILTER (filter))))), factory);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_widget_set_vexpand (scrolled, TRUE);
  g_signal_connect (entry, "search-changed", G_CALLBACK (on_search_changed_cb), filter);
  bench->search = GTK_EDITABLE (entry);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), scrolled);
  return box;
}

static void
on_activate_cb (GApplication *app,
                Bench        *bench)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));

  bench->app = app;
  if (g_strcmp0 (g_getenv ("AM_BENCH"), "search") == 0)
    adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), make_search_list (bench));
  else
    adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), gtk_label_new ("Access Manager"));
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 640);
  g_signal_connect (window, "realize", G_CALLBACK (on_realize_cb), bench);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(AdwApplication) app = adw_application_new ("io.github.accessmanager.BenchBareWindow",
                                                       G_APPLICATION_NON_UNIQUE);
  Bench bench = { NULL };

  g_signal_connect (app, "activate", G_CALLBACK (on_activate_cb), &bench);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
