/* am-bench-stall.c: the longest main-loop stall, typing and scrolling as a person does, for benchmarks
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the app's benchmark probe (am-bench-probe.c) and the bare
 * window it is compared with (tests/bench/bench-bare-window.c), so that
 * both are measured the same way: a 1 ms timeout of high priority notes
 * the longest time the main loop did not run it, while the text is typed
 * one character every 120 ms, or while a list is scrolled to its end as
 * one drags the scroll bar: a step every frame, at most 200 steps from the
 * top (bench-lock-passcodes and tests/bench/bench-bare-list.c).
 */
#include "config.h"

#include "am-bench-stall.h"

#define TYPING_INTERVAL_MS 120

/* Scrolling to the end: this many steps from the top, at most, one a
 * frame; the list's estimated height changes as rows are measured. */
#define SCROLL_STEPS       200
#define SCROLL_MAX_STEPS   2000

struct _AmBenchStall
{
  guint  ticker;
  gint64 last_tick;
  gint64 max_stall;
};

static gboolean
on_tick_cb (gpointer data)
{
  AmBenchStall *stall = data;
  gint64 now = g_get_monotonic_time ();

  if (stall->last_tick != 0)
    stall->max_stall = MAX (stall->max_stall, now - stall->last_tick);
  stall->last_tick = now;
  return G_SOURCE_CONTINUE;
}

/**
 * am_bench_stall_start:
 *
 * Returns: (transfer full): a meter of main-loop stalls, running
 */
AmBenchStall *
am_bench_stall_start (void)
{
  AmBenchStall *stall = g_new0 (AmBenchStall, 1);

  stall->ticker = g_timeout_add_full (G_PRIORITY_HIGH, 1, on_tick_cb, stall, NULL);
  return stall;
}

/**
 * am_bench_stall_stop:
 * @stall: (transfer full): a meter
 *
 * Returns: the longest stall since it started, in milliseconds
 */
double
am_bench_stall_stop (AmBenchStall *stall)
{
  double max_ms = stall->max_stall / 1000.0;

  g_source_remove (stall->ticker);
  g_free (stall);
  return max_ms;
}

typedef struct
{
  GtkEditable *editable;
  char        *text;
  guint        typed;
  GSourceFunc  done;
  gpointer     user_data;
} Typing;

static gboolean
on_type_cb (gpointer data)
{
  Typing *typing = data;
  g_autofree char *prefix = NULL;

  if (typing->typed >= (guint) g_utf8_strlen (typing->text, -1))
    {
      typing->done (typing->user_data);
      g_object_unref (typing->editable);
      g_free (typing->text);
      g_free (typing);
      return G_SOURCE_REMOVE;
    }
  typing->typed++;
  prefix = g_utf8_substring (typing->text, 0, typing->typed);
  gtk_editable_set_text (typing->editable, prefix);
  return G_SOURCE_CONTINUE;
}

/**
 * am_bench_type:
 * @editable: where to type
 * @text: what, one character every 120 ms
 * @typed: called once the last character is in
 * @user_data: for @typed
 */
void
am_bench_type (GtkEditable *editable,
               const char  *text,
               GSourceFunc  typed,
               gpointer     user_data)
{
  Typing *typing = g_new0 (Typing, 1);

  typing->editable = g_object_ref (editable);
  typing->text = g_strdup (text);
  typing->done = typed;
  typing->user_data = user_data;
  g_timeout_add (TYPING_INTERVAL_MS, on_type_cb, typing);
}

typedef struct
{
  GSourceFunc done;
  gpointer    user_data;
  guint       scrolled;
  guint       at_end;
} Scrolling;

static gboolean
on_scroll_tick_cb (GtkWidget     *widget,
                   GdkFrameClock *clock,
                   gpointer       data)
{
  Scrolling *scrolling = data;
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (widget));
  double page = gtk_adjustment_get_page_size (adjustment);
  double value = gtk_adjustment_get_value (adjustment);
  double end = gtk_adjustment_get_upper (adjustment) - page;

  /* At the end for a few frames in a row: the estimate has settled. */
  if (value >= end - 0.5)
    scrolling->at_end++;
  else
    scrolling->at_end = 0;
  if (scrolling->at_end >= 5 || scrolling->scrolled >= SCROLL_MAX_STEPS)
    {
      scrolling->done (scrolling->user_data);
      g_free (scrolling);
      return G_SOURCE_REMOVE;
    }
  scrolling->scrolled++;
  gtk_adjustment_set_value (adjustment, MIN (end, value + MAX (page, end / SCROLL_STEPS)));
  return G_SOURCE_CONTINUE;
}

/**
 * am_bench_scroll_to_end:
 * @view: a list or a grid
 * @scrolled: called once it is at its end
 * @user_data: for @scrolled
 */
void
am_bench_scroll_to_end (GtkScrollable *view,
                        GSourceFunc    scrolled,
                        gpointer       user_data)
{
  Scrolling *scrolling = g_new0 (Scrolling, 1);

  scrolling->done = scrolled;
  scrolling->user_data = user_data;
  gtk_widget_add_tick_callback (GTK_WIDGET (view), on_scroll_tick_cb, scrolling, NULL);
}
