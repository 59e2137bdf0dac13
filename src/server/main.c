/* main.c: access-manager-server, the reference Access Manager cloud
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   access-manager-server init       --db FILE
 *   access-manager-server seed-demo  --db FILE
 *   access-manager-server invite     --db FILE --email E (--property ID | --all) --permissions a,b
 *   access-manager-server rotate-key --db FILE --lock ID
 *   access-manager-server serve      --db FILE --listen HOST:PORT [--tls-cert F --tls-key F]
 *
 * Usage errors exit with 2 and one sentence; other failures with 1.
 */
#define G_LOG_DOMAIN "am-server"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "am-i18n.h"
#include "am-secret-memory.h"
#include "am-server.h"
#include "am-server-db.h"
#include "am-server-seed.h"

#define EXIT_USAGE 2

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n"
           "  access-manager-server init --db FILE\n"
           "  access-manager-server seed-demo --db FILE\n"
           "  access-manager-server invite --db FILE --email EMAIL (--property ID | --all) --permissions P1,P2\n"
           "  access-manager-server rotate-key --db FILE --lock ID\n"
           "  access-manager-server serve --db FILE --listen HOST:PORT [--tls-cert FILE --tls-key FILE]\n"
           "  access-manager-server --help | --version\n\n%s\n",
           _("Usage:"),
           _("The reference Access Manager cloud, which a company can host itself."));
}

static int
usage_error (const char *message)
{
  g_printerr ("access-manager-server: %s\n", message);
  return EXIT_USAGE;
}

static int
failure (const GError *error)
{
  g_printerr ("access-manager-server: %s\n", error->message);
  return EXIT_FAILURE;
}

/* Parses the options of one command; FALSE with a sentence on stderr. */
static gboolean
parse_options (int          *argc,
               char       ***argv,
               GOptionEntry *entries)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  g_option_context_set_help_enabled (context, TRUE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      usage_error (error->message);
      return FALSE;
    }
  if (*argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is not an option of this command. See access-manager-server --help."),
                                                  (*argv)[1]);
      usage_error (message);
      return FALSE;
    }
  return TRUE;
}

static int
command_init (int    argc,
              char **argv)
{
  g_autofree char *db_path = NULL;
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The database file"), N_("FILE") },
    { NULL }
  };

  if (!parse_options (&argc, &argv, entries))
    return EXIT_USAGE;
  if (db_path == NULL)
    return usage_error (_("Give the database file with --db FILE."));
  if ((db = am_server_db_open (db_path, &error)) == NULL)
    return failure (error);
  /* Translators: %s is a file name. */
  g_print (_("The database %s is ready.\n"), db_path);
  return EXIT_SUCCESS;
}

static int
command_seed_demo (int    argc,
                   char **argv)
{
  g_autofree char *db_path = NULL;
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(GError) error = NULL;
  AmServerSeedSummary summary = { 0 };
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The database file"), N_("FILE") },
    { NULL }
  };

  if (!parse_options (&argc, &argv, entries))
    return EXIT_USAGE;
  if (db_path == NULL)
    return usage_error (_("Give the database file with --db FILE."));
  if ((db = am_server_db_open (db_path, &error)) == NULL ||
      !am_server_seed_demo_full (db, g_get_real_time () / G_USEC_PER_SEC, &summary, &error))
    return failure (error);

  g_print (_("Seeded %u properties, %u locks, %u users, %u passcodes and %u lock events.\n"),
           summary.n_properties, summary.n_locks, summary.n_users, summary.n_passcodes,
           summary.n_events);
  /* Translators: the first %s is an email address, the second a password. */
  g_print (_("Sign in as %s with the password %s.\n"), AM_SERVER_DEMO_EMAIL, AM_SERVER_DEMO_PASSWORD);
  return EXIT_SUCCESS;
}

static int
command_invite (int    argc,
                char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *email = NULL;
  g_autofree char *property_id = NULL;
  g_autofree char *permissions = NULL;
  g_autofree char *token = NULL;
  g_auto(GStrv) permission_list = NULL;
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(GError) error = NULL;
  gboolean all = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The database file"), N_("FILE") },
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, N_("Whom to invite"), N_("EMAIL") },
    { "property", 0, 0, G_OPTION_ARG_STRING, &property_id, N_("The property the grant is for"), N_("ID") },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Grant on every property"), NULL },
    { "permissions", 0, 0, G_OPTION_ARG_STRING, &permissions, N_("The permissions, separated by commas"), N_("P1,P2") },
    { NULL }
  };

  if (!parse_options (&argc, &argv, entries))
    return EXIT_USAGE;
  if (db_path == NULL)
    return usage_error (_("Give the database file with --db FILE."));
  if (email == NULL)
    return usage_error (_("Give the email address to invite with --email EMAIL."));
  if ((property_id == NULL) == !all)
    return usage_error (_("Give either --property ID or --all."));
  if (permissions == NULL)
    return usage_error (_("Give the permissions with --permissions, such as generate_codes,ble_unlock."));

  permission_list = g_strsplit (permissions, ",", -1);
  for (guint i = 0; permission_list[i] != NULL; i++)
    g_strstrip (permission_list[i]);

  if ((db = am_server_db_open (db_path, &error)) == NULL ||
      (token = am_server_db_invite (db, email, property_id,
                                    (const char * const *) permission_list, &error)) == NULL)
    return failure (error);

  /* Only the token, on stdout, so that a script can pass it on. */
  g_print ("%s\n", token);
  am_secret_memory_wipe (token, strlen (token));
  return EXIT_SUCCESS;
}

static int
command_rotate_key (int    argc,
                    char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *lock_id = NULL;
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(GError) error = NULL;
  guint kv;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The database file"), N_("FILE") },
    { "lock", 0, 0, G_OPTION_ARG_STRING, &lock_id, N_("The lock whose key to replace"), N_("ID") },
    { NULL }
  };

  if (!parse_options (&argc, &argv, entries))
    return EXIT_USAGE;
  if (db_path == NULL)
    return usage_error (_("Give the database file with --db FILE."));
  if (lock_id == NULL)
    return usage_error (_("Give the lock with --lock ID."));

  if ((db = am_server_db_open (db_path, &error)) == NULL ||
      (kv = am_server_db_rotate_key (db, lock_id, &error)) == 0)
    return failure (error);

  /* Translators: %u is a key version, %d a number of days. */
  g_print (_("The lock now uses key version %u; the previous key stays valid for %d days.\n"),
           kv, AM_SERVER_PREVIOUS_KEY_S / 86400);
  return EXIT_SUCCESS;
}

static gboolean
on_quit_signal_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* "HOST:PORT" or "[V6]:PORT". */
static gboolean
parse_listen (const char  *text,
              char       **host,
              guint       *port)
{
  const char *colon = strrchr (text, ':');
  g_autofree char *name = NULL;
  guint64 value;

  if (colon == NULL || colon == text ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &value, NULL))
    return FALSE;
  name = g_strndup (text, (gsize) (colon - text));
  if (name[0] == '[' && name[strlen (name) - 1] == ']')
    {
      char *inner = g_strndup (name + 1, strlen (name) - 2);
      g_free (name);
      name = inner;
    }
  *host = g_steal_pointer (&name);
  *port = (guint) value;
  return TRUE;
}

static int
command_serve (int    argc,
               char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *host = NULL;
  g_autofree char *url = NULL;
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(AmServer) server = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  guint port = 0, sigterm, sigint;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The database file"), N_("FILE") },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, N_("The address and port to listen on"), N_("HOST:PORT") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, N_("The TLS certificate, PEM"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_("The TLS private key, PEM"), N_("FILE") },
    { NULL }
  };

  if (!parse_options (&argc, &argv, entries))
    return EXIT_USAGE;
  if (db_path == NULL)
    return usage_error (_("Give the database file with --db FILE."));
  if (listen == NULL)
    return usage_error (_("Give the address to listen on with --listen HOST:PORT, such as 127.0.0.1:8443."));
  if (!parse_listen (listen, &host, &port))
    return usage_error (_("Write the listening address as HOST:PORT, such as 127.0.0.1:8443."));
  if ((tls_cert == NULL) != (tls_key == NULL))
    return usage_error (_("Give both --tls-cert and --tls-key, or neither."));

  if (tls_cert != NULL)
    {
      certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
      if (certificate == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("The TLS certificate or key could not be read (%s)."),
                                                      error->message);
          g_printerr ("access-manager-server: %s\n", message);
          return EXIT_FAILURE;
        }
    }

  if ((db = am_server_db_open (db_path, &error)) == NULL)
    return failure (error);

  server = am_server_new (db);
  if (!am_server_listen (server, host, port, certificate, &error))
    {
      if (g_error_matches (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID))
        return usage_error (error->message);
      return failure (error);
    }

  url = am_server_get_url (server);
  /* Translators: %s is the server's address, such as https://127.0.0.1:8443. */
  g_print (_("Serving on %s\n"), url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  sigterm = g_unix_signal_add (SIGTERM, on_quit_signal_cb, loop);
  sigint = g_unix_signal_add (SIGINT, on_quit_signal_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (sigterm);
  g_source_remove (sigint);

  g_printerr ("%s\n", _("The server stopped."));
  return EXIT_SUCCESS;
}

int
main (int    argc,
      char **argv)
{
  static const struct {
    const char *name;
    int (*run) (int, char **);
  } commands[] = {
    { "init", command_init },
    { "seed-demo", command_seed_demo },
    { "invite", command_invite },
    { "rotate-key", command_rotate_key },
    { "serve", command_serve },
  };

  am_i18n_init ();
  g_set_prgname ("access-manager-server");

  if (argc == 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      print_usage (stdout);
      return EXIT_SUCCESS;
    }
  if (argc == 2 && g_str_equal (argv[1], "--version"))
    {
      printf ("access-manager-server %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  {
    g_autofree char *message = g_strdup_printf (_("“%s” is not a command. See access-manager-server --help."),
                                                argv[1]);
    return usage_error (message);
  }
}
