/* am-fuzz.h: what every fuzz target defines, for libFuzzer and for the corpus driver
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A target's entry point: one input, any bytes. It returns 0; a finding is
 * a crash, a sanitizer report, a leak or a GLib critical (made fatal). */
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* Called once before the first input. */
int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);

/* Makes criticals and warnings fatal, as G_DEBUG=fatal-warnings does in
 * the test suite: a g_return_if_fail reached from an input is a bug. */
void am_fuzz_init_logging (void);

G_END_DECLS
