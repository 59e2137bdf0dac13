/* am-bench-probe.h: figures for tests/bench/bench-app, only when AM_BENCH asks
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void am_bench_probe_attach (GtkWindow   *window,
                            GtkListView *list_view,
                            GtkEditable *search);

G_END_DECLS
