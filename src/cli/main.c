/* main.c: access-manager-cli, the core of Access Manager from a shell
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "am-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "am-cli.h"
#include "am-i18n.h"
#include "am-store.h"

typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (int argc, char **argv);
} Command;

static const Command commands[] = {
  { "passcode", N_("Derive AM1 passcodes and check them as a lock would"), am_cli_passcode },
  { "properties", N_("List the properties in the local cache"), am_cli_properties },
  { "locks", N_("List the locks in the local cache"), am_cli_locks },
  { "passcodes", N_("List a lock’s passcodes in the local cache, without their digits"), am_cli_passcodes },
  { "login", N_("Sign in to your company’s Access Manager cloud"), am_cli_login },
  { "accept-invite", N_("Accept an invitation, and sign in"), am_cli_accept_invite },
  { "logout", N_("Sign out, and take the lock keys off this computer"), am_cli_logout },
  { "sync", N_("Send the changes made here to the cloud, and fetch the cloud’s"), am_cli_sync },
  { "status", N_("Tell who is signed in, when the last sync was, and what waits for the cloud"), am_cli_status },
  { "generate", N_("Issue a passcode for a lock, also offline"), am_cli_generate },
  { "revoke", N_("Revoke a passcode"), am_cli_revoke },
  { "unlock", N_("Open a lock over Bluetooth, at its door"), am_cli_unlock },
  { "lock-log", N_("Read a lock’s log over Bluetooth, then show it"), am_cli_lock_log },
};

/* The folder of the local cache, from --data-dir; NULL for the default. */
static char *data_dir;

static void
print_usage (FILE *stream)
{
  g_autofree char *default_dir = g_filename_display_name (am_cli_get_data_dir ());

  fprintf (stream, "%s\n  access-manager-cli [--data-dir DIR] COMMAND [OPTION…]\n\n%s\n",
           _("Usage:"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-14s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (stream, "\n");
  /* Translators: %s is a folder */
  fprintf (stream, _("--data-dir DIR names the folder of the local cache, for the commands that read it; by default “%s”."),
           default_dir);
  fprintf (stream, "\n%s\n",
           _("Run “access-manager-cli COMMAND --help” for the options of a command."));
}

/**
 * am_cli_get_data_dir:
 *
 * Returns: the folder of the local cache: the one given with --data-dir,
 *   else that of am_store_default_path()
 */
const char *
am_cli_get_data_dir (void)
{
  if (data_dir == NULL)
    {
      g_autofree char *path = am_store_default_path ();
      data_dir = g_path_get_dirname (path);
    }
  return data_dir;
}

/* Takes the global options, before the command, off the arguments.
 * Returns: %AM_CLI_EXIT_OK, or the exit status of a usage error that has
 *   been reported */
static int
parse_global_options (int    *argc,
                      char ***argv)
{
  while (*argc > 1 && g_str_has_prefix ((*argv)[1], "--data-dir"))
    {
      const char *arg = (*argv)[1];
      const char *value = NULL;
      int used = 1;

      if (g_str_equal (arg, "--data-dir"))
        {
          if (*argc > 2)
            {
              value = (*argv)[2];
              used = 2;
            }
        }
      else if (arg[strlen ("--data-dir")] == '=')
        value = arg + strlen ("--data-dir=");
      else
        break;  /* “--data-dirs” and the like: not ours */

      if (value == NULL || *value == '\0')
        return am_cli_fail_message (_("--data-dir needs a folder, as in “--data-dir DIR”."));

      g_free (data_dir);
      data_dir = g_strdup (value);
      /* Keep argv[0]: shift the rest over the option. */
      for (int i = 1; i + used <= *argc; i++)
        (*argv)[i] = (*argv)[i + used];
      *argc -= used;
    }
  return AM_CLI_EXIT_OK;
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

/**
 * am_cli_parse_command_options:
 * @command: the command, as the user types it after access-manager-cli
 * @summary: what it does, for --help
 * @entries: its options
 * @argc: (inout): the arguments' count
 * @argv: (inout): the arguments
 *
 * Parses a command's options; a command takes no other arguments.
 *
 * Returns: %AM_CLI_EXIT_OK, or the exit status of a usage error that has
 *   been reported
 */
int
am_cli_parse_command_options (const char          *command,
                       const char          *summary,
                       const GOptionEntry  *entries,
                       int                 *argc,
                       char              ***argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autofree char *hint = g_strconcat ("access-manager-cli ", command, NULL);
  int status;

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = am_cli_parse_options (context, argc, argv, hint);
  if (status != AM_CLI_EXIT_OK)
    return status;

  if (*argc > 1)
    {
      g_autofree char *message =
        /* Translators: %s is a command such as “locks” */
        g_strdup_printf (_("%s takes no arguments besides its options."), command);
      return am_cli_fail_message (message);
    }
  return AM_CLI_EXIT_OK;
}

int
main (int    argc,
      char **argv)
{
  int status;

  am_i18n_init ();
  g_set_prgname ("access-manager-cli");
  /* Debug lines (G_MESSAGES_DEBUG) go to stderr with the rest of the log,
   * never into the output a script reads (--json, a code). */
  g_log_writer_default_set_use_stderr (TRUE);

  status = parse_global_options (&argc, &argv);
  if (status != AM_CLI_EXIT_OK)
    return status;

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
