/* am-test-cli.c: running access-manager-cli from a test
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include <unistd.h>

#include <glib/gstdio.h>

#include "am-test-cli.h"

/* Variables set for every run from now on (variable, value, ...). */
static GPtrArray *cli_env;

/**
 * am_test_cli_setenv:
 * @variable: an environment variable
 * @value: (nullable): its value for the CLI's runs; %NULL for the test's own
 *
 * Sets @variable for the runs of the CLI only: the test's own environment,
 * which its threads read, stays as it is.
 */
void
am_test_cli_setenv (const char *variable,
                    const char *value)
{
  if (cli_env == NULL)
    cli_env = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < cli_env->len; i += 2)
    if (g_str_equal (g_ptr_array_index (cli_env, i), variable))
      {
        g_ptr_array_remove_range (cli_env, i, 2);
        break;
      }
  if (value == NULL)
    return;
  g_ptr_array_add (cli_env, g_strdup (variable));
  g_ptr_array_add (cli_env, g_strdup (value));
}

void
am_test_run_clear (AmTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

/**
 * am_test_run_cli:
 * @run: (out caller-allocates): what the run left
 * @input: (nullable): its standard input
 * @xdg_data_home: (nullable): its `XDG_DATA_HOME`, if not the test's
 * @args: its arguments, %NULL-terminated
 *
 * Runs the CLI (`AM_CLI`, set by meson) and waits for it.
 */
void
am_test_run_cli (AmTestRun          *run,
                 const char         *input,
                 const char         *xdg_data_home,
                 const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input_path = NULL;
  const char *cli = g_getenv ("AM_CLI");

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* What is typed comes from a file, not a pipe: a command that stops
   * before reading it (a refusal) must not break the test's write. */
  if (input != NULL)
    {
      int fd = g_file_open_tmp ("am-test-cli-input-XXXXXX", &input_path, &error);

      g_assert_no_error (error);
      close (fd);
      g_file_set_contents (input_path, input, -1, &error);
      g_assert_no_error (error);
      g_subprocess_launcher_set_stdin_file_path (launcher, input_path);
    }
  for (guint i = 0; cli_env != NULL && i < cli_env->len; i += 2)
    g_subprocess_launcher_setenv (launcher, g_ptr_array_index (cli_env, i), g_ptr_array_index (cli_env, i + 1), TRUE);
  if (xdg_data_home != NULL)
    g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", xdg_data_home, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  if (input_path != NULL)
    g_unlink (input_path);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
}

guint
am_test_count_lines (const char *text)
{
  guint n = 0;

  for (const char *c = text; *c != '\0'; c++)
    n += *c == '\n';
  return n;
}

/* Exit status 2, nothing on stdout, one sentence on stderr. */
void
am_test_assert_cli_error (AmTestRun  *run,
                          const char *expected_words)
{
  g_assert_cmpint (run->status, ==, 2);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_true (g_str_has_prefix (run->err, "access-manager-cli: "));
  g_assert_true (g_str_has_suffix (run->err, ".\n"));
  g_assert_cmpuint (am_test_count_lines (run->err), ==, 1);
  if (expected_words != NULL && strstr (run->err, expected_words) == NULL)
    g_error ("“%s” not in: %s", expected_words, run->err);
}
