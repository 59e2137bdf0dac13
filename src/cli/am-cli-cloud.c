/* am-cli-cloud.c: access-manager-cli login | accept-invite | logout | sync | status | generate | revoke
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The commands that talk to the cloud, or issue codes for it. Passwords
 * and invitation tokens come from the terminal (not echoed) or, with
 * --password-stdin and --token-stdin, from lines of standard input (the
 * token first): never from the command line, where other processes could
 * read them. The session token and the lock keys live in
 * the Secret Service only.
 */
#define G_LOG_DOMAIN "am-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "am-cli.h"
#include "am-cli-context.h"
#include "am-cloud-client.h"
#include "am-error.h"
#include "am-issue.h"
#include "am-secret-memory.h"
#include "am-store.h"
#include "am-sync.h"
#include "am-time.h"
#include "am-vault.h"

static int
fail_missing (const char *option)
{
  /* Translators: %s is an option such as “--server” */
  g_autofree char *message = g_strdup_printf (_("%s is needed."), option);

  return am_cli_fail_message (message);
}

/* A secret line, from standard input or typed at the terminal after
 * @prompt without echo; @no_terminal and @empty say what to do when there
 * is no terminal or no text. Wiped by the caller with
 * am_secret_memory_free(). */
static char *
read_secret_line (const char  *prompt,
                  gboolean     from_stdin,
                  const char  *no_terminal,
                  const char  *empty,
                  GError     **error)
{
  struct termios saved, quiet;
  gboolean is_tty = isatty (STDIN_FILENO);
  char buffer[1024];
  char *line;

  if (!from_stdin && !is_tty)
    {
      g_set_error_literal (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT, no_terminal);
      return NULL;
    }
  if (!from_stdin)
    {
      fprintf (stderr, "%s ", prompt);
      fflush (stderr);
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  line = fgets (buffer, sizeof buffer, stdin);
  if (!from_stdin)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fprintf (stderr, "\n");
    }
  if (line == NULL || buffer[0] == '\n' || buffer[0] == '\r' || buffer[0] == '\0')
    {
      am_secret_memory_wipe (buffer, sizeof buffer);
      g_set_error_literal (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT, empty);
      return NULL;
    }
  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  am_secret_memory_wipe (buffer, sizeof buffer);
  return line;
}

/* The password, from standard input's next line or typed at the terminal. */
static char *
read_password (gboolean   from_stdin,
               GError   **error)
{
  return read_secret_line (_("Password:"), from_stdin,
                           _("There is no terminal to type the password at. Give it on standard input with --password-stdin."),
                           _("The password is empty."), error);
}

/* Signing in */

/* Makes @session the cache's account, after checking that the cache holds
 * nothing another account still has to send. */
static gboolean
adopt_session (AmCliContext  *context,
               const char     *server,
               AmCloudSession *session,
               GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  AmAccount account = {
    (char *) server, session->user->id, session->user->name, session->user->email,
    session->org->id, session->org->name, TRUE,
  };

  if (context->account != NULL &&
      (!g_str_equal (context->account->server, server) ||
       !g_str_equal (context->account->user_id, session->user->id)))
    {
      gint64 waiting = am_store_outbox_count (context->store);

      if (waiting > 0)
        {
          g_set_error (error, AM_ERROR, AM_ERROR_EXISTS,
                       /* Translators: %u is a number of changes, the first %s a
                        * person's name, the second a server address */
                       g_dngettext (GETTEXT_PACKAGE,
                                    "The local cache holds %u change by %s that has not reached %s yet. Sign in as them and sync first.",
                                    "The local cache holds %u changes by %s that have not reached %s yet. Sign in as them and sync first.",
                                    (gulong) waiting),
                       (guint) waiting, context->account->user_name, context->account->server);
          return FALSE;
        }
      /* Nothing of the other account may stay: not its records, nor its keys. */
      AM_CLI_WAIT (result, am_vault_clear_lock_keys_async, context->vault, context->account->server, NULL);
      if (!am_vault_clear_lock_keys_finish (context->vault, result, error) ||
          !am_store_reset (context->store, error))
        return FALSE;
    }

  AM_CLI_WAIT (result, am_vault_store_token_async, context->vault, server, session->token);
  if (!am_vault_store_token_finish (context->vault, result, error))
    return FALSE;
  return am_store_set_account (context->store, &account, error);
}

static int
sign_in (AmCliContext  *context,
         const char *server,
         const char *email,
         const char *password)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(GError) error = NULL;

  AM_CLI_WAIT (result, am_cloud_client_sign_in_async, context->client, email, password, g_get_host_name ());
  session = am_cloud_client_sign_in_finish (context->client, result, &error);
  if (session == NULL)
    return am_cli_fail (error);

  if (!adopt_session (context, server, session, &error))
    {
      /* Leave no session behind that nothing holds. */
      g_autoptr(GError) sign_out_error = NULL;

      AM_CLI_WAIT (result, am_cloud_client_sign_out_async, context->client);
      am_cloud_client_sign_out_finish (context->client, result, &sign_out_error);
      return am_cli_fail (error);
    }

  /* Translators: the first %s is a name, the second an email address, the
   * third a company, the fourth a server address */
  printf (_("Signed in as %s (%s) of %s at %s.\n"), session->user->name,
          session->user->email != NULL ? session->user->email : email,
          session->org->name, server);
  printf ("%s\n", _("Run “access-manager-cli sync” to fetch your properties."));
  return AM_CLI_EXIT_OK;
}

/**
 * am_cli_login:
 * @argc: the arguments' count, from "login"
 * @argv: the arguments
 *
 * Returns: the exit status
 */
int
am_cli_login (int    argc,
              char **argv)
{
  g_autofree char *server = NULL;
  g_autofree char *email = NULL;
  gboolean password_stdin = FALSE;
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, N_("The cloud’s address, e.g. https://cloud.example.com"), N_("URL") },
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, N_("Your email address"), N_("EMAIL") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("Read the password from standard input"), NULL },
    { NULL }
  };
  g_auto(AmCliContext) context = { NULL };
  g_autoptr(GError) error = NULL;
  char *password;
  int status;

  status = am_cli_parse_command_options ("login", _("Sign in to your company’s Access Manager cloud."),
                                  entries, &argc, &argv);
  if (status != AM_CLI_EXIT_OK)
    return status;
  if (server == NULL)
    return fail_missing ("--server");
  if (email == NULL)
    return fail_missing ("--email");

  if ((context.client = am_cli_new_client (server, &error)) == NULL ||
      !am_cli_context_open_store (&context, &error) ||
      (password = read_password (password_stdin, &error)) == NULL)
    return am_cli_fail (error);

  status = sign_in (&context, am_cloud_client_get_base_url (context.client), email, password);
  am_secret_memory_free (password);
  return status;
}

/**
 * am_cli_accept_invite:
 * @argc: the arguments' count, from "accept-invite"
 * @argv: the arguments
 *
 * Accepts an invitation, then signs in with the new account.
 *
 * Returns: the exit status
 */
int
am_cli_accept_invite (int    argc,
                      char **argv)
{
  g_autofree char *server = NULL;
  g_autofree char *token_on_command_line = NULL;
  g_autofree char *name = NULL;
  gboolean token_stdin = FALSE;
  gboolean password_stdin = FALSE;
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, N_("The cloud’s address, e.g. https://cloud.example.com"), N_("URL") },
    { "token-stdin", 0, 0, G_OPTION_ARG_NONE, &token_stdin, N_("Read the invitation’s token from standard input’s first line"), NULL },
    /* Only to refuse it: see below. */
    { "token", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &token_on_command_line, NULL, NULL },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Your name, as your colleagues will see it"), N_("NAME") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("Read the new password from standard input (after the token, with --token-stdin)"), NULL },
    { NULL }
  };
  g_auto(AmCliContext) context = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmCloudSession) accepted = NULL;
  g_autoptr(GError) error = NULL;
  char *token = NULL;
  char *password;
  int status;

  status = am_cli_parse_command_options ("accept-invite",
                                  _("Accept an invitation to your company’s Access Manager cloud, and sign in."),
                                  entries, &argc, &argv);
  if (status != AM_CLI_EXIT_OK)
    return status;
  if (token_on_command_line != NULL)
    {
      am_secret_memory_wipe (token_on_command_line, strlen (token_on_command_line));
      return am_cli_fail_message (_("Other users of this computer can read an invitation token on the command line: type it when asked, or pipe it on standard input with --token-stdin."));
    }
  if (server == NULL)
    return fail_missing ("--server");
  if (name == NULL)
    return fail_missing ("--name");

  if ((context.client = am_cli_new_client (server, &error)) == NULL ||
      !am_cli_context_open_store (&context, &error) ||
      (token = read_secret_line (_("Invitation token:"), token_stdin,
                                 _("There is no terminal to type the invitation token at. Give it on standard input with --token-stdin."),
                                 _("The invitation token is empty. Copy it from the invitation you received."),
                                 &error)) == NULL)
    return am_cli_fail (error);
  if ((password = read_password (password_stdin, &error)) == NULL)
    {
      am_secret_memory_free (token);
      return am_cli_fail (error);
    }

  AM_CLI_WAIT (result, am_cloud_client_accept_invitation_async, context.client, token, name, password);
  am_secret_memory_free (token);
  accepted = am_cloud_client_accept_invitation_finish (context.client, result, &error);
  if (accepted == NULL || accepted->user->email == NULL)
    {
      am_secret_memory_free (password);
      if (error == NULL)
        g_set_error (&error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE,
                     _("The cloud accepted the invitation but did not say your email address. Sign in with “access-manager-cli login”."));
      return am_cli_fail (error);
    }

  status = sign_in (&context, am_cloud_client_get_base_url (context.client), accepted->user->email, password);
  am_secret_memory_free (password);
  return status;
}

/**
 * am_cli_logout:
 * @argc: the arguments' count, from "logout"
 * @argv: the arguments
 *
 * Ends the session and takes the token and the lock keys out of the
 * keyring; the cache stays, for reading.
 *
 * Returns: the exit status
 */
int
am_cli_logout (int    argc,
               char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_auto(AmCliContext) context = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  status = am_cli_parse_command_options ("logout", _("Sign out, and take the keys off this computer."),
                                  entries, &argc, &argv);
  if (status != AM_CLI_EXIT_OK)
    return status;

  if (!am_cli_context_open_session (&context, &error))
    {
      if (context.account == NULL || !g_error_matches (error, AM_ERROR, AM_ERROR_NOT_SIGNED_IN))
        return am_cli_fail (error);
      g_clear_error (&error);
    }
  else
    {
      g_autoptr(GError) cloud_error = NULL;

      /* The cloud may be out of reach: signing out here still counts. */
      AM_CLI_WAIT (result, am_cloud_client_sign_out_async, context.client);
      if (!am_cloud_client_sign_out_finish (context.client, result, &cloud_error))
        g_debug ("Could not end the session in the cloud: %s", cloud_error->message);
    }

  AM_CLI_WAIT (result, am_vault_clear_token_async, context.vault, context.account->server);
  if (!am_vault_clear_token_finish (context.vault, result, &error))
    return am_cli_fail (error);
  AM_CLI_WAIT (result, am_vault_clear_lock_keys_async, context.vault, context.account->server, NULL);
  if (!am_vault_clear_lock_keys_finish (context.vault, result, &error) ||
      !am_store_set_signed_in (context.store, FALSE, &error))
    return am_cli_fail (error);

  printf ("%s\n", _("Signed out. The lock keys are off this computer; the cached properties stay."));
  return AM_CLI_EXIT_OK;
}

/* Sync */

static AmSync *
new_sync (AmCliContext  *context)
{
  AmSync *sync = am_sync_new (context->store, context->client, context->vault);

  am_sync_set_backoff (sync, 500, 4000, 4);
  return sync;
}

/**
 * am_cli_sync:
 * @argc: the arguments' count, from "sync"
 * @argv: the arguments
 *
 * Returns: the exit status
 */
int
am_cli_sync (int    argc,
             char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_auto(AmCliContext) context = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  status = am_cli_parse_command_options ("sync",
                                  _("Send the changes made here to the cloud, and fetch the cloud’s."),
                                  entries, &argc, &argv);
  if (status != AM_CLI_EXIT_OK)
    return status;
  if (!am_cli_context_open_session (&context, &error))
    return am_cli_fail (error);

  sync = new_sync (&context);
  AM_CLI_WAIT (result, am_sync_run_async, sync);
  if (!am_sync_run_finish (sync, result, &error))
    return am_cli_fail (error);

  printf (g_dngettext (GETTEXT_PACKAGE, "In sync: %u change fetched.\n", "In sync: %u changes fetched.\n",
                       am_sync_get_records (sync)),
          am_sync_get_records (sync));
  return AM_CLI_EXIT_OK;
}


/**
 * am_cli_status:
 * @argc: the arguments' count, from "status"
 * @argv: the arguments
 *
 * Returns: the exit status
 */
int
am_cli_status (int    argc,
               char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_auto(AmCliContext) context = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) here = g_time_zone_new_local ();
  g_autoptr(GPtrArray) outbox = NULL;
  g_autofree char *last = NULL;
  gint64 last_sync;
  int status;

  status = am_cli_parse_command_options ("status", _("Tell who is signed in, when the last sync was, and what waits for the cloud."),
                                  entries, &argc, &argv);
  if (status != AM_CLI_EXIT_OK)
    return status;
  if (!am_cli_context_open_store (&context, &error))
    return am_cli_fail (error);

  if (context.account == NULL)
    printf ("%s\n", _("Not signed in."));
  else
    {
      /* Translators: the first %s is a name, the second an email address,
       * the third a company, the fourth a server address */
      printf (context.account->signed_in ? _("Signed in as %s (%s) of %s at %s.\n")
                                         : _("Signed out; last signed in as %s (%s) of %s at %s.\n"),
              context.account->user_name,
              context.account->user_email != NULL ? context.account->user_email : "—",
              context.account->org_name, context.account->server);
    }

  last_sync = am_store_get_last_sync (context.store);
  last = last_sync != 0 ? am_cli_format_local (last_sync, here) : g_strdup (_("never"));
  /* Translators: %s is a date and time, or “never” */
  printf (_("Last sync: %s\n"), last);

  outbox = am_store_outbox_list (context.store, G_MAXINT64);
  printf (g_dngettext (GETTEXT_PACKAGE, "Waiting for the cloud: %u change\n",
                       "Waiting for the cloud: %u changes\n", outbox->len),
          outbox->len);
  for (guint i = 0; i < outbox->len; i++)
    {
      AmOutboxEntry *entry = g_ptr_array_index (outbox, i);

      if (entry->last_error != NULL)
        /* Translators: the first %s is an id, the second why the cloud did not take it */
        printf (_("  %s: %s\n"), entry->idempotency_id, entry->last_error);
    }
  return AM_CLI_EXIT_OK;
}

/* Issuing and revoking */


static void
print_issued (AmPasscodeRecord *record,
              AmProperty       *property,
              const char       *code,
              gboolean          json)
{
  g_autoptr(GTimeZone) zone = am_cli_property_zone (property);
  g_autofree char *starts = am_cli_format_local (am_passcode_record_get_starts_at (record), zone);
  g_autofree char *ends = am_cli_format_local (am_passcode_record_get_ends_at (record), zone);
  g_autofree char *use_by = am_cli_format_local (am_passcode_record_get_use_by (record), zone);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;
      g_autofree char *starts_utc = am_time_format_utc (am_passcode_record_get_starts_at (record));
      g_autofree char *ends_utc = am_time_format_utc (am_passcode_record_get_ends_at (record));
      g_autofree char *use_by_utc = am_time_format_utc (am_passcode_record_get_use_by (record));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, am_passcode_record_get_id (record));
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, code);
      json_builder_set_member_name (builder, "kv");
      json_builder_add_int_value (builder, am_passcode_record_get_kv (record));
      json_builder_set_member_name (builder, "start_h");
      json_builder_add_int_value (builder, am_passcode_record_get_start_h (record));
      json_builder_set_member_name (builder, "p");
      json_builder_add_int_value (builder, am_passcode_record_get_p (record));
      json_builder_set_member_name (builder, "starts_at");
      json_builder_add_string_value (builder, starts_utc);
      json_builder_set_member_name (builder, "ends_at");
      json_builder_add_string_value (builder, ends_utc);
      json_builder_set_member_name (builder, "use_by");
      json_builder_add_string_value (builder, use_by_utc);
      json_builder_set_member_name (builder, "timezone");
      json_builder_add_string_value (builder, property != NULL ? am_property_get_timezone (property) : "UTC");
      json_builder_set_member_name (builder, "starts_at_local");
      json_builder_add_string_value (builder, starts);
      json_builder_set_member_name (builder, "ends_at_local");
      json_builder_add_string_value (builder, ends);
      json_builder_set_member_name (builder, "use_by_local");
      json_builder_add_string_value (builder, use_by);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      text = json_generator_to_data (generator, NULL);
      printf ("%s\n", text);
      am_secret_memory_wipe (text, strlen (text));
      /* And json-glib's copy of the digits, in the tree. */
      {
        char *in_tree = (char *) json_object_get_string_member (json_node_get_object (root), "code");

        am_secret_memory_wipe (in_tree, strlen (in_tree));
      }
      return;
    }

  {
    g_autofree char *grouped = am_passcode_group_digits (code);

    /* Translators: %s is a passcode's digits */
    printf (_("Code: %s\n"), grouped);
    am_secret_memory_wipe (grouped, strlen (grouped));
  }
  /* Translators: the %s are dates and times in the property's time zone */
  printf (_("Works from %s to %s.\n"), starts, ends);
  /* Translators: %s is a date and time in the property's time zone */
  printf (_("It must be used for the first time before %s, or it expires.\n"), use_by);
}

/**
 * am_cli_generate:
 * @argc: the arguments' count, from "generate"
 * @argv: the arguments
 *
 * Issues a code with the lock key from the vault, also offline: the
 * passcode and its outbox entry are stored before the code is shown, then
 * pushed if the cloud can be reached.
 *
 * Returns: the exit status
 */
int
am_cli_generate (int    argc,
                 char **argv)
{
  g_autofree char *lock_id_arg = NULL;
  g_autofree char *lock_id = NULL;
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;
  g_autofree char *recipient = NULL;
  g_autofree char *contact = NULL;
  g_autofree char *purpose = NULL;
  g_autofree char *note = NULL;
  gboolean one_time = FALSE, json = FALSE;
  const GOptionEntry entries[] = {
    { "lock", 0, 0, G_OPTION_ARG_STRING, &lock_id_arg, N_("The lock’s id"), N_("ID") },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start_text, N_("When the code starts to work, ISO 8601 with an offset"), N_("ISO") },
    { "end", 0, 0, G_OPTION_ARG_STRING, &end_text, N_("When it stops, ISO 8601 with an offset"), N_("ISO") },
    { "one-time", 0, 0, G_OPTION_ARG_NONE, &one_time, N_("A code that opens the door once"), NULL },
    { "recipient", 0, 0, G_OPTION_ARG_STRING, &recipient, N_("Who the code is for"), N_("NAME") },
    { "contact", 0, 0, G_OPTION_ARG_STRING, &contact, N_("How to reach them"), N_("CONTACT") },
    { "purpose", 0, 0, G_OPTION_ARG_STRING, &purpose, N_("vendor, maintenance, prospect, tour, resident or other (the default)"), N_("PURPOSE") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("A note for your team"), N_("NOTE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_auto(AmCliContext) context = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmProperty) property = NULL;
  g_autoptr(AmGrant) grant = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(AmPasscodeRecord) same = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) push_error = NULL;
  g_autoptr(AmSync) sync = NULL;
  AmIssueRequest request = { 0 };
  char code[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };
  int status;

  status = am_cli_parse_command_options ("generate", _("Issue a passcode for a lock, also offline."),
                                  entries, &argc, &argv);
  if (status != AM_CLI_EXIT_OK)
    return status;
  if (lock_id_arg == NULL)
    return fail_missing ("--lock");
  lock_id = g_ascii_strdown (lock_id_arg, -1);
  if (start_text == NULL)
    return fail_missing ("--start");
  if (end_text == NULL)
    return fail_missing ("--end");

  if ((start = am_time_parse_iso8601 (start_text, &error)) == NULL ||
      (end = am_time_parse_iso8601 (end_text, &error)) == NULL ||
      !am_cli_context_open_store (&context, &error))
    return am_cli_fail (error);
  if (context.account == NULL)
    return am_cli_fail_message (_("You are not signed in. Sign in with “access-manager-cli login”."));

  g_strstrip (lock_id);
  lock = am_store_get_lock (context.store, lock_id);
  if (lock == NULL)
    return am_cli_fail_message (_("There is no such lock in the local cache. Sync, then check the lock’s id with “access-manager-cli locks”."));
  property = am_store_get_property (context.store, am_lock_get_property_id (lock));
  grant = am_store_get_grant (context.store, am_lock_get_property_id (lock));
  if (grant == NULL || !am_grant_has_permission (grant, AM_PERMISSION_GENERATE_CODES))
    return am_cli_fail_message (_("You may not generate codes for this property. Ask your administrator for the permission."));

  AM_CLI_WAIT (result, am_vault_lookup_lock_key_async, context.vault, context.account->server,
        am_lock_get_id (lock), am_lock_get_kv (lock));
  key = am_vault_lookup_lock_key_finish (context.vault, result, &error);
  if (key == NULL)
    {
      if (error != NULL)
        return am_cli_fail (error);
      return am_cli_fail_message (_("This computer holds no key for this lock. Sync while online to fetch it, then try again."));
    }

  request.kind = one_time ? AM_PASSCODE_KIND_ONE_TIME : AM_PASSCODE_KIND_TIMED;
  request.start = start;
  request.end = end;
  request.recipient_name = recipient;
  request.recipient_contact = contact;
  request.purpose = purpose != NULL ? purpose : "other";
  request.note = note;
  record = am_issue_passcode (lock, context.account, &request, key,
                              g_get_real_time () / G_USEC_PER_SEC, code, &error);
  if (record == NULL)
    return am_cli_fail (error);

  same = am_store_find_same_window (context.store, am_lock_get_id (lock), am_passcode_record_get_kv (record),
                                    am_passcode_record_get_start_h (record), am_passcode_record_get_p (record));
  if (same != NULL)
    {
      const char *name = am_passcode_record_get_recipient_name (same);
      g_autofree char *message =
        /* Translators: %s is a person's name; the code would be the same digits */
        g_strdup_printf (_("This lock already has a code for exactly this window, issued for %s: it would be the same code. Make the window one hour shorter, or share that code."),
                         name != NULL ? name : _("no one in particular"));

      am_secret_memory_wipe (code, sizeof code);
      return am_cli_fail_message (message);
    }

  if (!am_store_issue_passcode (context.store, record, &error))
    {
      am_secret_memory_wipe (code, sizeof code);
      return am_cli_fail (error);
    }
  print_issued (record, property, code, json);
  am_secret_memory_wipe (code, sizeof code);
  fflush (stdout);

  /* Now to the cloud, if it can be reached; else at the next sync. */
  if (context.account->signed_in)
    {
      g_autoptr(GError) session_error = NULL;
      g_auto(AmCliContext) online = { NULL };

      if (am_cli_context_open_session (&online, &session_error))
        {
          sync = am_sync_new (online.store, online.client, online.vault);
          am_sync_set_backoff (sync, 2, 2, 1);
          AM_CLI_WAIT (result, am_sync_push_async, sync);
          if (am_sync_push_finish (sync, result, &push_error))
            return AM_CLI_EXIT_OK;
        }
      else
        push_error = g_steal_pointer (&session_error);
    }
  fprintf (stderr, "access-manager-cli: %s\n",
           _("The code is stored here and will reach the cloud at the next sync."));
  if (push_error != NULL)
    g_debug ("Push failed: %s", push_error->message);
  return AM_CLI_EXIT_OK;
}

/**
 * am_cli_revoke:
 * @argc: the arguments' count, from "revoke"
 * @argv: the arguments
 *
 * Returns: the exit status
 */
int
am_cli_revoke (int    argc,
               char **argv)
{
  g_autofree char *passcode_id = NULL;
  const GOptionEntry entries[] = {
    { "passcode", 0, 0, G_OPTION_ARG_STRING, &passcode_id, N_("The passcode’s id"), N_("ID") },
    { NULL }
  };
  g_auto(AmCliContext) context = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(GError) error = NULL;
  int status;

  status = am_cli_parse_command_options ("revoke", _("Revoke a passcode; the lock learns of it at the next Bluetooth visit."),
                                  entries, &argc, &argv);
  if (status != AM_CLI_EXIT_OK)
    return status;
  if (passcode_id == NULL)
    return fail_missing ("--passcode");
  if (!am_cli_context_open_session (&context, &error))
    return am_cli_fail (error);

  {
    g_autofree char *id = g_ascii_strdown (g_strstrip (passcode_id), -1);

    AM_CLI_WAIT (result, am_cloud_client_revoke_passcode_async, context.client, id);
  }
  record = am_cloud_client_revoke_passcode_finish (context.client, result, &error);
  if (record == NULL)
    return am_cli_fail (error);

  g_ptr_array_add (page->passcodes, g_object_ref (record));
  if (!am_store_apply_page (context.store, page, &error))
    return am_cli_fail (error);
  printf ("%s\n", _("Revoked. The lock will refuse the code once it learns of it at the next Bluetooth visit."));
  return AM_CLI_EXIT_OK;
}
