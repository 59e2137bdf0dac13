/* am-vault.h: the session token and the lock keys, in the Secret Service
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The libsecret schema's name; its attributes are "kind" ("token" or
 * "lock-key"), "server" (the base URL), "lock-id" and "key-version". */
#define AM_VAULT_SCHEMA_NAME "io.github.accessmanager.AccessManager"

/**
 * AmVaultKeyRef:
 * @lock_id: the lock
 * @kv: the key version
 *
 * A lock key the vault holds, without its secret.
 */
typedef struct
{
  char  *lock_id;
  guint  kv;
} AmVaultKeyRef;

void am_vault_key_ref_free (AmVaultKeyRef *ref);

#define AM_TYPE_VAULT (am_vault_get_type ())

G_DECLARE_FINAL_TYPE (AmVault, am_vault, AM, VAULT, GObject)

AmVault    *am_vault_new                    (void);

void        am_vault_store_token_async      (AmVault             *self,
                                             const char          *server,
                                             const char          *token,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    am_vault_store_token_finish     (AmVault             *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void        am_vault_lookup_token_async     (AmVault             *self,
                                             const char          *server,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
char       *am_vault_lookup_token_finish    (AmVault             *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void        am_vault_clear_token_async      (AmVault             *self,
                                             const char          *server,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    am_vault_clear_token_finish     (AmVault             *self,
                                             GAsyncResult        *result,
                                             GError             **error);

void        am_vault_store_lock_key_async   (AmVault             *self,
                                             const char          *server,
                                             const char          *lock_id,
                                             guint                kv,
                                             const guint8        *key,
                                             gsize                key_len,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    am_vault_store_lock_key_finish  (AmVault             *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void        am_vault_lookup_lock_key_async  (AmVault             *self,
                                             const char          *server,
                                             const char          *lock_id,
                                             guint                kv,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GBytes     *am_vault_lookup_lock_key_finish (AmVault             *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void        am_vault_list_lock_keys_async   (AmVault             *self,
                                             const char          *server,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GPtrArray  *am_vault_list_lock_keys_finish  (AmVault             *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void        am_vault_clear_lock_keys_async  (AmVault             *self,
                                             const char          *server,
                                             const char          *lock_id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    am_vault_clear_lock_keys_finish (AmVault             *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmVaultKeyRef, am_vault_key_ref_free)

G_END_DECLS
