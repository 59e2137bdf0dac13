/* bench-bare-window.c: a bare AdwApplicationWindow, the baseline of bench-app
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints on stdout, as one JSON line, the monotonic time of its first
 * painted frame, then quits: what any libadwaita window costs to show on
 * this machine, now.
 */
#include "config.h"

#include <stdio.h>

#include <adwaita.h>

static void
on_after_paint_cb (GdkFrameClock *clock,
                   gpointer       data)
{
  printf ("{\"first_frame_monotonic_us\":%" G_GINT64_FORMAT "}\n", g_get_monotonic_time ());
  fflush (stdout);
  g_signal_handlers_disconnect_by_func (clock, on_after_paint_cb, data);
  g_application_quit (G_APPLICATION (data));
}

static void
on_realize_cb (GtkWidget *widget,
               gpointer   app)
{
  g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint", G_CALLBACK (on_after_paint_cb), app);
}

static void
on_activate_cb (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));

  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), gtk_label_new ("Access Manager"));
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 640);
  g_signal_connect (window, "realize", G_CALLBACK (on_realize_cb), app);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(AdwApplication) app = adw_application_new ("io.github.accessmanager.BenchBareWindow",
                                                       G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (on_activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
