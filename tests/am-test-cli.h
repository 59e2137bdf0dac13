/* am-test-cli.h: running access-manager-cli from a test
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a run of the CLI left: its exit status and its output. */
typedef struct
{
  int   status;
  char *out;
  char *err;
} AmTestRun;

void  am_test_cli_setenv       (const char         *variable,
                                const char         *value);
void  am_test_run_clear        (AmTestRun          *run);
void  am_test_run_cli          (AmTestRun          *run,
                                const char         *input,
                                const char         *xdg_data_home,
                                const char * const *args);
guint am_test_count_lines      (const char         *text);
void  am_test_assert_cli_error (AmTestRun          *run,
                                const char         *expected_words);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AmTestRun, am_test_run_clear)

G_END_DECLS
