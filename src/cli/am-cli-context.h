/* am-cli-context.h: what the commands that sign in, sync, issue and unlock share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "am-cloud-client.h"
#include "am-store.h"
#include "am-vault.h"

G_BEGIN_DECLS

/**
 * AmCliContext:
 * @store: the local cache of am_cli_get_data_dir()
 * @vault: the Secret Service
 * @account: (nullable): who the cache belongs to
 * @client: (nullable): a client of the account's cloud, once made
 */
typedef struct
{
  AmStore       *store;
  AmVault       *vault;
  AmAccount     *account;
  AmCloudClient *client;
} AmCliContext;

void           am_cli_context_clear        (AmCliContext   *context);
gboolean       am_cli_context_open_store   (AmCliContext   *context,
                                            GError        **error);
gboolean       am_cli_context_open_session (AmCliContext   *context,
                                            GError        **error);
AmCloudClient *am_cli_new_client           (const char     *server,
                                            GError        **error);

void           am_cli_on_done_cb           (GObject        *source,
                                            GAsyncResult   *result,
                                            gpointer        user_data);
GAsyncResult  *am_cli_wait_for             (GAsyncResult  **result);

/* Calls an _async function with (NULL cancellable, callback, &result) as
 * its last arguments and waits for it: the CLI has nothing else to do. */
#define AM_CLI_WAIT(result, call, ...) \
  G_STMT_START { \
    g_clear_object (&(result)); \
    call (__VA_ARGS__, NULL, am_cli_on_done_cb, &(result)); \
    am_cli_wait_for (&(result)); \
  } G_STMT_END

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AmCliContext, am_cli_context_clear)

G_END_DECLS
