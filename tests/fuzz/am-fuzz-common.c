/* am-fuzz-common.c: what the fuzz targets share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "am-fuzz.h"

/* A fatal GLib log ends in a breakpoint trap, which libFuzzer does not
 * take for a crash: make it an abort, which it does. */
static void
on_trap (int signum)
{
  abort ();
}

void
am_fuzz_init_logging (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  signal (SIGTRAP, on_trap);
}
