/* am-bench-run.h: starting the app (or a bare window) for a benchmark, and reading what it printed
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "am-property.h"
#include "am-store.h"

G_BEGIN_DECLS

/* A cloud that does not answer: nothing listens on port 9 (discard). */
#define AM_BENCH_SERVER "http://127.0.0.1:9"

/**
 * AmBenchRun:
 * @started: when the process was started, monotonic µs
 * @figures: the members of every JSON line it printed, the last one of a
 *   name winning
 *
 * What a process started by am_bench_run() printed.
 */
typedef struct
{
  gint64      started;
  JsonObject *figures;
} AmBenchRun;

AmProperty *am_bench_property      (guint               n);

void        am_bench_sign_in       (AmStore            *store);
void        am_bench_store_token   (void);
void        am_bench_clear_token   (void);

AmBenchRun *am_bench_run           (const char * const *argv,
                                    const char * const *env);
double      am_bench_run_get       (AmBenchRun         *run,
                                    const char         *name);
gint64      am_bench_run_get_int   (AmBenchRun         *run,
                                    const char         *name);
void        am_bench_run_free      (AmBenchRun         *run);

double      am_bench_median        (double             *values,
                                    guint               n);
void        am_bench_remove_dir    (const char         *dir);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmBenchRun, am_bench_run_free)

G_END_DECLS
