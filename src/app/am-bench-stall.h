/* am-bench-stall.h: the longest main-loop stall, typing and scrolling as a person does, for benchmarks
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _AmBenchStall AmBenchStall;

AmBenchStall *am_bench_stall_start   (void);
double        am_bench_stall_stop    (AmBenchStall  *stall);

void          am_bench_type          (GtkEditable   *editable,
                                      const char    *text,
                                      GSourceFunc    typed,
                                      gpointer       user_data);
void          am_bench_scroll_to_end (GtkScrollable *view,
                                      GSourceFunc    scrolled,
                                      gpointer       user_data);

G_END_DECLS
