/* am-cli-context.c: what the commands that sign in, sync, issue and unlock share
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cache, the vault and, for the commands that need a session, a client
 * of the account's cloud with the token from the vault. An extra
 * certificate authority for a self-hosted cloud can be given in the
 * environment variable ACCESS_MANAGER_CA_FILE (a PEM file); it then
 * replaces the system's.
 */
#define G_LOG_DOMAIN "am-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "am-cli.h"
#include "am-cli-context.h"
#include "am-error.h"
#include "am-secret-memory.h"

void
am_cli_context_clear (AmCliContext *context)
{
  g_clear_object (&context->client);
  g_clear_pointer (&context->account, am_account_free);
  g_clear_object (&context->vault);
  g_clear_object (&context->store);
}

void
am_cli_on_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

GAsyncResult *
am_cli_wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

/**
 * am_cli_context_open_store:
 * @context: an empty context
 * @error: a location for a #GError
 *
 * Opens (or makes) the cache, and reads its account.
 */
gboolean
am_cli_context_open_store (AmCliContext  *context,
                           GError       **error)
{
  g_autofree char *path = g_build_filename (am_cli_get_data_dir (), "cache.sqlite", NULL);
  const char *notice;

  context->store = am_store_open (path, error);
  if (context->store == NULL)
    return FALSE;
  notice = am_store_get_recovery_notice (context->store);
  if (notice != NULL)
    fprintf (stderr, "access-manager-cli: %s\n", notice);
  context->account = am_store_get_account (context->store);
  context->vault = am_vault_new ();
  return TRUE;
}

/**
 * am_cli_new_client:
 * @server: the cloud's address
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): a client of @server, trusting
 *   ACCESS_MANAGER_CA_FILE where it is set
 */
AmCloudClient *
am_cli_new_client (const char  *server,
                   GError     **error)
{
  g_autoptr(AmCloudClient) client = am_cloud_client_new (server, error);
  const char *ca_file = g_getenv ("ACCESS_MANAGER_CA_FILE");

  if (client == NULL)
    return NULL;
  if (ca_file != NULL && *ca_file != '\0')
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca_file, error);

      if (database == NULL)
        return NULL;
      am_cloud_client_set_tls_database (client, database);
    }
  return g_steal_pointer (&client);
}

/**
 * am_cli_context_open_session:
 * @context: an empty context
 * @error: a location for a #GError
 *
 * Opens the cache and makes a client of the account's cloud with the
 * session token from the vault, for the commands that need a session.
 */
gboolean
am_cli_context_open_session (AmCliContext  *context,
                             GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  char *token;

  if (!am_cli_context_open_store (context, error))
    return FALSE;
  if (context->account == NULL || !context->account->signed_in)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_NOT_SIGNED_IN,
                   _("You are not signed in. Sign in with “access-manager-cli login”."));
      return FALSE;
    }
  context->client = am_cli_new_client (context->account->server, error);
  if (context->client == NULL)
    return FALSE;

  AM_CLI_WAIT (result, am_vault_lookup_token_async, context->vault, context->account->server);
  token = am_vault_lookup_token_finish (context->vault, result, error);
  if (token == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, AM_ERROR, AM_ERROR_NOT_SIGNED_IN,
                     _("Your keyring holds no session for this cloud. Sign in again with “access-manager-cli login”."));
      return FALSE;
    }
  am_cloud_client_set_token (context->client, token);
  am_secret_memory_free (token);
  return TRUE;
}
