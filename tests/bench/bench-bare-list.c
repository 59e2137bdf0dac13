/* bench-bare-list.c: a bare window scrolling a list to its end, the baseline of bench-lock-passcodes and bench-locks-dashboard
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkListView of AM_BENCH_ROWS strings (100,000 by default) of a
 * GtkStringList, one label a row, in a bare AdwApplicationWindow. Prints on
 * stdout, as JSON lines, the monotonic time of its first painted frame,
 * then scrolls to the end the way the app's probe scrolls Lock Passcodes
 * (src/app/am-bench-probe.c: a step every frame, at most 200 steps from
 * the top) and prints the longest main-loop stall meanwhile: what GTK
 * itself costs on this machine, now.
 *
 * With AM_BENCH_COLUMNS, a GtkColumnView of that many columns instead, an
 * ellipsized label in each cell, over a list that makes its strings when
 * asked for them, as the Locks Dashboard's list of row ids reads its locks.
 * Before the scroll, it turns the list around and back, as a sort does
 * (every item changed), and prints the longer time from there to the first
 * frame painted.
 */
#include "config.h"

#include <stdio.h>

#include <adwaita.h>

#include "am-bench-stall.h"

#define SETTLE_MS          1000
#define MAX_COLUMNS        16

/* Between the turns of the list, as the app's probe pauses between sorts. */
#define STEP_PAUSE_MS      300

/* Rows made when asked for: "Row 1", "Row 2", …, or the other way round. */
#define BARE_TYPE_ROWS (bare_rows_get_type ())
G_DECLARE_FINAL_TYPE (BareRows, bare_rows, BARE, ROWS, GObject)

struct _BareRows
{
  GObject  parent_instance;
  guint    n;
  gboolean reversed;
};

static GType
bare_rows_get_item_type (GListModel *model)
{
  return GTK_TYPE_STRING_OBJECT;
}

static guint
bare_rows_get_n_items (GListModel *model)
{
  return BARE_ROWS (model)->n;
}

static gpointer
bare_rows_get_item (GListModel *model,
                    guint       position)
{
  BareRows *self = BARE_ROWS (model);
  g_autofree char *text = NULL;

  if (position >= self->n)
    return NULL;
  text = g_strdup_printf ("Row %u", self->reversed ? self->n - position : position + 1);
  return gtk_string_object_new (text);
}

static void
bare_rows_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = bare_rows_get_item_type;
  iface->get_n_items = bare_rows_get_n_items;
  iface->get_item = bare_rows_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (BareRows, bare_rows, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, bare_rows_iface_init))

static void
bare_rows_class_init (BareRowsClass *klass)
{
}

static void
bare_rows_init (BareRows *self)
{
}

typedef struct
{
  GApplication *app;
  GtkListView  *view;
  AmBenchStall *stall;

  /* With columns: turning the list around, twice. */
  BareRows     *rows;
  GtkWidget    *window;
  guint         turns;
  gint64        turned;
  double        max_turn_ms;
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

static gboolean
scroll_to_end_cb (gpointer data)
{
  Probe *probe = data;

  probe->stall = am_bench_stall_start ();
  am_bench_scroll_to_end (GTK_SCROLLABLE (probe->view), on_scrolled_cb, probe);
  return G_SOURCE_REMOVE;
}

static gboolean turn_cb (gpointer data);

static void
on_turned_after_paint_cb (GdkFrameClock *clock,
                          gpointer       data)
{
  Probe *probe = data;

  g_signal_handlers_disconnect_by_func (clock, on_turned_after_paint_cb, data);
  probe->max_turn_ms = MAX (probe->max_turn_ms, (g_get_monotonic_time () - probe->turned) / 1000.0);
  if (++probe->turns < 2)
    {
      g_timeout_add (STEP_PAUSE_MS, turn_cb, probe);
      return;
    }
  printf ("{\"sort_ms\":%.2f}\n", probe->max_turn_ms);
  fflush (stdout);
  g_timeout_add (STEP_PAUSE_MS, scroll_to_end_cb, probe);
}

static gboolean
turn_cb (gpointer data)
{
  Probe *probe = data;

  g_signal_connect (gtk_widget_get_frame_clock (probe->window), "after-paint",
                    G_CALLBACK (on_turned_after_paint_cb), probe);
  probe->turned = g_get_monotonic_time ();
  probe->rows->reversed = !probe->rows->reversed;
  g_list_model_items_changed (G_LIST_MODEL (probe->rows), 0, probe->rows->n, probe->rows->n);
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
  if (probe->rows != NULL)
    g_timeout_add (STEP_PAUSE_MS, turn_cb, probe);
  else
    scroll_to_end_cb (probe);
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
on_setup_cell_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
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

/* A table of @n_columns over @n rows made when asked for. */
static GtkWidget *
new_column_view (Probe *probe,
                 guint  n,
                 guint  n_columns)
{
  GtkWidget *view;

  probe->rows = g_object_new (BARE_TYPE_ROWS, NULL);
  probe->rows->n = n;
  view = gtk_column_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (probe->rows)))));
  gtk_column_view_set_show_row_separators (GTK_COLUMN_VIEW (view), TRUE);
  for (guint c = 0; c < n_columns; c++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autofree char *title = g_strdup_printf ("Column %u", c + 1);
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (on_setup_cell_cb), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (on_bind_cb), NULL);
      column = gtk_column_view_column_new (title, factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, c < 2);
      gtk_column_view_append_column (GTK_COLUMN_VIEW (view), column);
    }

  /* What scrolls is the list view inside. */
  for (GtkWidget *child = gtk_widget_get_first_child (view); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      probe->view = GTK_LIST_VIEW (child);
  g_assert (probe->view != NULL);
  return view;
}

static void
on_activate_cb (GApplication *app,
                Probe        *probe)
{
  const char *rows = g_getenv ("AM_BENCH_ROWS");
  const char *columns = g_getenv ("AM_BENCH_COLUMNS");
  guint n = rows != NULL ? (guint) g_ascii_strtoull (rows, NULL, 10) : 100000;
  guint n_columns = columns != NULL ? MIN ((guint) g_ascii_strtoull (columns, NULL, 10), MAX_COLUMNS) : 0;
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view;

  if (n_columns > 0)
    view = new_column_view (probe, n, n_columns);
  else
    {
      g_autoptr(GtkStringList) strings = gtk_string_list_new (NULL);
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

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
    }
  probe->app = app;
  probe->window = window;
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

  int status;

  g_signal_connect (app, "activate", G_CALLBACK (on_activate_cb), &probe);
  status = g_application_run (G_APPLICATION (app), argc, argv);
  g_clear_object (&probe.rows);
  return status;
}
