/* am-sync.h: bringing the local cache and the cloud together
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "am-cloud-client.h"
#include "am-store.h"
#include "am-vault.h"

G_BEGIN_DECLS

#define AM_TYPE_SYNC (am_sync_get_type ())

G_DECLARE_FINAL_TYPE (AmSync, am_sync, AM, SYNC, GObject)

AmSync   *am_sync_new              (AmStore             *store,
                                    AmCloudClient       *client,
                                    AmVault             *vault);
void      am_sync_set_page_limit   (AmSync              *self,
                                    guint                limit);
void      am_sync_set_backoff      (AmSync              *self,
                                    guint                first_delay_ms,
                                    guint                max_delay_ms,
                                    guint                max_attempts);
void      am_sync_set_fetch_keys   (AmSync              *self,
                                    gboolean             fetch_keys);

void      am_sync_run_async        (AmSync              *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean  am_sync_run_finish       (AmSync              *self,
                                    GAsyncResult        *result,
                                    GError             **error);
void      am_sync_push_async       (AmSync              *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean  am_sync_push_finish      (AmSync              *self,
                                    GAsyncResult        *result,
                                    GError             **error);

guint     am_sync_get_pages        (AmSync              *self);
guint     am_sync_get_records      (AmSync              *self);
guint     am_sync_get_retries      (AmSync              *self);

G_END_DECLS
