/* main.c: access-manager-cli, the core of Access Manager from a shell
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "am-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "am-cli.h"
#include "am-i18n.h"

typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (int argc, char **argv);
} Command;

static const Command commands[] = {
  { "passcode", N_("Derive AM1 passcodes and check them as a lock would"), am_cli_passcode },
};

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n  access-manager-cli COMMAND [OPTION…]\n\n%s\n",
           _("Usage:"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (stream, "\n%s\n",
           _("Run “access-manager-cli COMMAND --help” for the options of a command."));
}

/**
 * am_cli_fail_message:
 * @message: one sentence for the user
 *
 * Returns: the exit status for an error, after printing @message on stderr
 */
int
am_cli_fail_message (const char *message)
{
  fprintf (stderr, "access-manager-cli: %s\n", message);
  return AM_CLI_EXIT_ERROR;
}

int
am_cli_fail (const GError *error)
{
  return am_cli_fail_message (error->message);
}

/**
 * am_cli_parse_options:
 * @context: the options of a command
 * @argc: (inout): the arguments' count
 * @argv: (inout): the arguments
 * @command: the command, as the user types it, for the hint
 *
 * Returns: %AM_CLI_EXIT_OK, or the exit status of a usage error that has
 *   been reported
 */
int
am_cli_parse_options (GOptionContext   *context,
                      int              *argc,
                      char           ***argv,
                      const char       *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (g_option_context_parse (context, argc, argv, &error))
    return AM_CLI_EXIT_OK;

  /* Translators: the first %s is an error from the option parser, the
   * second a command such as “access-manager-cli passcode derive” */
  message = g_strdup_printf (_("%s (see “%s --help”)."), error->message, command);
  return am_cli_fail_message (message);
}

int
main (int    argc,
      char **argv)
{
  am_i18n_init ();
  g_set_prgname ("access-manager-cli");

  if (argc < 2)
    {
      print_usage (stderr);
      return AM_CLI_EXIT_ERROR;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return AM_CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("access-manager-cli %s\n", PACKAGE_VERSION);
      return AM_CLI_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  {
    g_autofree char *message =
      g_strdup_printf (_("There is no command “%s”. Run “access-manager-cli --help” for the list of commands."),
                       argv[1]);
    return am_cli_fail_message (message);
  }
}
