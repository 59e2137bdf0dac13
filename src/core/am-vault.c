/* am-vault.c: the session token and the lock keys, in the Secret Service
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every secret is an item of the schema AM_VAULT_SCHEMA_NAME in the default
 * collection: the session token (kind "token", text/plain) for each server,
 * and the lock keys (kind "lock-key", application/octet-stream) for each
 * server, lock and key version. Items are found and kept with libsecret's
 * password API and read as SecretRetrievable, so the same code runs against
 * the Secret Service on the desktop and against libsecret's file backend
 * inside a Flatpak sandbox.
 *
 * A secret leaves libsecret's non-pageable memory only into a buffer that is
 * wiped when freed: a GBytes for a lock key, a string for
 * am_secret_memory_free() for the token. No secret, nor anything derived
 * from one, is ever logged.
 *
 * A locked keyring is unlocked on demand (the desktop asks the user); when
 * it stays locked, or there is no Secret Service at all, the caller gets an
 * AM_ERROR whose message tells the user what to do. Cancellation is passed
 * on unchanged.
 */
#define G_LOG_DOMAIN "am-vault"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "am-error.h"
#include "am-passcode.h"
#include "am-secret-memory.h"
#include "am-vault.h"

#define KIND_TOKEN    "token"
#define KIND_LOCK_KEY "lock-key"

#define CONTENT_TYPE_TOKEN    "text/plain"
#define CONTENT_TYPE_LOCK_KEY "application/octet-stream"

struct _AmVault
{
  GObject parent_instance;
};

/* What a lookup turns the secret it found into. */
typedef enum
{
  SECRET_KIND_TOKEN,
  SECRET_KIND_LOCK_KEY,
} SecretKind;

/* The state of a lookup or a clear between its steps. */
typedef struct
{
  SecretKind         kind;
  GHashTable        *attributes;
  SecretRetrievable *found;  /* the item a lookup reads */
} Operation;

G_DEFINE_FINAL_TYPE (AmVault, am_vault, G_TYPE_OBJECT)

static const SecretSchema vault_schema = {
  .name = AM_VAULT_SCHEMA_NAME,
  .flags = SECRET_SCHEMA_NONE,
  .attributes = {
    { .name = "kind", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
    { .name = "server", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
    { .name = "lock-id", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
    { .name = "key-version", .type = SECRET_SCHEMA_ATTRIBUTE_INTEGER },
    { .name = NULL },
  },
};

static void
operation_free (gpointer data)
{
  Operation *op = data;

  g_clear_pointer (&op->attributes, g_hash_table_unref);
  g_clear_object (&op->found);
  g_free (op);
}

static GTask *
operation_task_new (AmVault             *self,
                    SecretKind           kind,
                    GHashTable          *attributes,
                    gpointer             source_tag,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Operation *op = g_new0 (Operation, 1);

  op->kind = kind;
  op->attributes = g_hash_table_ref (attributes);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, operation_free);
  return task;
}

static GHashTable *
attributes_new (const char *kind,
                const char *server)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (gpointer) "kind", g_strdup (kind));
  g_hash_table_insert (attributes, (gpointer) "server", g_strdup (server));
  return attributes;
}

static GHashTable *
lock_key_attributes_new (const char *server,
                         const char *lock_id,
                         guint       kv)
{
  GHashTable *attributes = attributes_new (KIND_LOCK_KEY, server);

  g_hash_table_insert (attributes, (gpointer) "lock-id", g_strdup (lock_id));
  g_hash_table_insert (attributes, (gpointer) "key-version", g_strdup_printf ("%u", kv));
  return attributes;
}

static gboolean
is_service_missing (const GError *error)
{
  if (error->domain == G_DBUS_ERROR)
    {
      switch (error->code)
        {
        case G_DBUS_ERROR_SERVICE_UNKNOWN:
        case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
        case G_DBUS_ERROR_NO_SERVER:
        case G_DBUS_ERROR_BAD_ADDRESS:
        case G_DBUS_ERROR_NO_NETWORK:
        case G_DBUS_ERROR_DISCONNECTED:
        case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
        case G_DBUS_ERROR_SPAWN_FORK_FAILED:
        case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
        case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
        case G_DBUS_ERROR_SPAWN_FAILED:
        case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
        case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
        case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
        case G_DBUS_ERROR_SPAWN_FILE_INVALID:
        case G_DBUS_ERROR_SPAWN_NO_MEMORY:
          return TRUE;
        default:
          break;
        }
    }

  /* No session bus at all, or one that went away: GDBus reports these in
   * the I/O domain. A remote error it does not know stays "other". */
  if (error->domain == G_IO_ERROR && error->code != G_IO_ERROR_DBUS_ERROR)
    return TRUE;

  return strstr (error->message, "was not provided by any .service files") != NULL;
}

/* Turns an error of libsecret or GDBus into one for the user. */
static GError *
vault_error_new (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  g_debug ("Secret Service: %s (%s, %d)",
           error->message, g_quark_to_string (error->domain), error->code);

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    return g_error_new_literal (AM_ERROR, AM_ERROR_VAULT_LOCKED,
                                _("Your keyring is locked. Unlock it, then try again."));

  if (is_service_missing (error))
    return g_error_new_literal (AM_ERROR, AM_ERROR_VAULT_UNAVAILABLE,
                                _("Access Manager cannot reach a keyring (Secret Service) to keep "
                                  "its keys. Start GNOME Keyring or another Secret Service, then "
                                  "try again."));

  return g_error_new_literal (AM_ERROR, AM_ERROR_VAULT,
                              _("The keyring could not keep or read Access Manager’s keys. "
                                "Try again; if it keeps failing, restart the keyring or log in again."));
}

static void
task_return_vault_error (GTask        *task,
                         const GError *error)
{
  g_task_return_error (task, vault_error_new (error));
}

static void
task_return_locked (GTask *task)
{
  g_autoptr(GError) error = g_error_new_literal (SECRET_ERROR, SECRET_ERROR_IS_LOCKED, "still locked");

  task_return_vault_error (task, error);
}

static gboolean
retrievable_is_locked (SecretRetrievable *retrievable)
{
  /* Only the Secret Service locks; the file backend's items never are. */
  return SECRET_IS_ITEM (retrievable) && secret_item_get_locked (SECRET_ITEM (retrievable));
}

static void
wipe_lock_key (gpointer data)
{
  am_secret_memory_wipe (data, AM_PASSCODE_KEY_LEN);
  g_free (data);
}

static int
compare_key_refs (gconstpointer a,
                  gconstpointer b)
{
  const AmVaultKeyRef *ref_a = *(AmVaultKeyRef * const *) a;
  const AmVaultKeyRef *ref_b = *(AmVaultKeyRef * const *) b;
  int by_lock = strcmp (ref_a->lock_id, ref_b->lock_id);

  if (by_lock != 0)
    return by_lock;
  return (ref_a->kv > ref_b->kv) - (ref_a->kv < ref_b->kv);
}

/* The ref an item's attributes name, or NULL for an item of another form. */
static AmVaultKeyRef *
key_ref_from_attributes (GHashTable *attributes)
{
  const char *lock_id = g_hash_table_lookup (attributes, "lock-id");
  const char *key_version = g_hash_table_lookup (attributes, "key-version");
  guint64 kv = 0;
  AmVaultKeyRef *ref;

  if (lock_id == NULL || *lock_id == '\0' || key_version == NULL ||
      !g_ascii_string_to_unsigned (key_version, 10, 0, G_MAXUINT, &kv, NULL))
    return NULL;

  ref = g_new0 (AmVaultKeyRef, 1);
  ref->lock_id = g_strdup (lock_id);
  ref->kv = (guint) kv;
  return ref;
}

/* Hands the secret a lookup found to the caller, in memory that is wiped
 * when freed. */
static void
task_return_value (GTask       *task,
                   SecretKind   kind,
                   SecretValue *value)
{
  gsize len = 0;
  const char *data = secret_value_get (value, &len);

  if (kind == SECRET_KIND_LOCK_KEY)
    {
      guint8 *key;

      if (len != AM_PASSCODE_KEY_LEN)
        {
          g_debug ("A lock key of %" G_GSIZE_FORMAT " bytes instead of %d", len, AM_PASSCODE_KEY_LEN);
          g_task_return_new_error (task, AM_ERROR, AM_ERROR_VAULT, "%s",
                                   _("The keyring holds a damaged key for this lock. "
                                     "Sign in again to fetch the key anew."));
          return;
        }

      key = g_memdup2 (data, len);
      g_task_return_pointer (task,
                             g_bytes_new_with_free_func (key, len, wipe_lock_key, key),
                             (GDestroyNotify) g_bytes_unref);
    }
  else
    {
      if (len == 0 || memchr (data, '\0', len) != NULL || !g_utf8_validate_len (data, len, NULL))
        {
          g_debug ("A session token that is not text");
          g_task_return_new_error (task, AM_ERROR, AM_ERROR_VAULT, "%s",
                                   _("The keyring holds a damaged session. Sign in again."));
          return;
        }

      g_task_return_pointer (task, g_strndup (data, len), (GDestroyNotify) am_secret_memory_free);
    }
}

static gboolean
any_locked (GList *retrievables)
{
  for (GList *l = retrievables; l != NULL; l = l->next)
    {
      if (retrievable_is_locked (l->data))
        return TRUE;
    }
  return FALSE;
}

static void
on_stored_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    task_return_vault_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_lookup_retrieved_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Operation *op = g_task_get_task_data (task);
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GError) error = NULL;

  value = secret_retrievable_retrieve_secret_finish (SECRET_RETRIEVABLE (source), result, &error);
  if (error != NULL)
    task_return_vault_error (task, error);
  else if (value == NULL)
    g_task_return_pointer (task, NULL, NULL);
  else
    task_return_value (task, op->kind, value);
}

static void
on_lookup_unlocked_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Operation *op = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  secret_service_unlock_finish (NULL, result, NULL, &error);
  if (error != NULL)
    {
      task_return_vault_error (task, error);
      return;
    }

  /* Should the item have stayed locked after all, reading it says so. */
  secret_retrievable_retrieve_secret (op->found, cancellable,
                                      on_lookup_retrieved_cb, g_steal_pointer (&task));
}

static void
on_lookup_found_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Operation *op = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  GList *found;

  found = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      task_return_vault_error (task, error);
      return;
    }

  if (found == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  /* One item: an unlocked one where there is one, as a lookup picks. */
  op->found = g_object_ref (found->data);
  g_list_free_full (found, g_object_unref);

  if (retrievable_is_locked (op->found))
    {
      g_autoptr(GList) items = g_list_append (NULL, op->found);

      secret_service_unlock (NULL, items, cancellable,
                             on_lookup_unlocked_cb, g_steal_pointer (&task));
      return;
    }

  secret_retrievable_retrieve_secret (op->found, cancellable,
                                      on_lookup_retrieved_cb, g_steal_pointer (&task));
}

static void
on_lock_keys_listed_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) refs = NULL;
  g_autoptr(GError) error = NULL;
  GList *found;

  found = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      task_return_vault_error (task, error);
      return;
    }

  refs = g_ptr_array_new_with_free_func ((GDestroyNotify) am_vault_key_ref_free);
  for (GList *l = found; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (l->data);
      AmVaultKeyRef *ref = key_ref_from_attributes (attributes);

      if (ref != NULL)
        g_ptr_array_add (refs, ref);
      else
        g_debug ("Skipped a lock key item without a lock id or key version");
    }
  g_list_free_full (found, g_object_unref);

  /* One ref for a key held twice (in two collections, say). */
  g_ptr_array_sort (refs, compare_key_refs);
  for (guint i = 1; i < refs->len;)
    {
      if (compare_key_refs (&refs->pdata[i - 1], &refs->pdata[i]) == 0)
        g_ptr_array_remove_index (refs, i);
      else
        i++;
    }

  g_task_return_pointer (task, g_steal_pointer (&refs), (GDestroyNotify) g_ptr_array_unref);
}

static void
on_clear_checked_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GList *left;
  gboolean locked;

  left = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      task_return_vault_error (task, error);
      return;
    }

  /* libsecret removes unlocked items only, and says nothing of the rest. */
  locked = any_locked (left);
  g_list_free_full (left, g_object_unref);

  if (locked)
    task_return_locked (task);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_cleared_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Operation *op = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      task_return_vault_error (task, error);
      return;
    }

  secret_password_searchv (&vault_schema, op->attributes, SECRET_SEARCH_ALL, cancellable,
                           on_clear_checked_cb, g_steal_pointer (&task));
}

static void
on_clear_unlocked_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Operation *op = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  secret_service_unlock_finish (NULL, result, NULL, &error);
  if (error != NULL)
    {
      task_return_vault_error (task, error);
      return;
    }

  secret_password_clearv (&vault_schema, op->attributes, cancellable,
                          on_cleared_cb, g_steal_pointer (&task));
}

static void
on_clear_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Operation *op = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  GList *found;

  found = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      task_return_vault_error (task, error);
      return;
    }

  if (found == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Unlocked first, as libsecret removes unlocked items only (not by a
   * search with SECRET_SEARCH_UNLOCK: in 0.20 it never completes once a
   * prompt was dismissed). */
  if (any_locked (found))
    secret_service_unlock (NULL, found, cancellable,
                           on_clear_unlocked_cb, g_steal_pointer (&task));
  else
    secret_password_clearv (&vault_schema, op->attributes, cancellable,
                            on_cleared_cb, g_steal_pointer (&task));
  g_list_free_full (found, g_object_unref);
}

static void
on_prompt_performed_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GVariant *retval;

  retval = secret_prompt_perform_finish (SECRET_PROMPT (source), result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else if (retval == NULL)
    g_task_return_new_error (task, SECRET_ERROR, SECRET_ERROR_IS_LOCKED, "The prompt was dismissed");
  else
    g_task_return_pointer (task, retval, (GDestroyNotify) g_variant_unref);
}

static void
service_prompt_async (SecretService       *service,
                      SecretPrompt        *prompt,
                      const GVariantType  *return_type,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (service, cancellable, callback, user_data);

  g_task_set_source_tag (task, service_prompt_async);
  secret_prompt_perform (prompt, NULL, return_type, cancellable, on_prompt_performed_cb, task);
}

static GVariant *
service_prompt_finish (SecretService  *service,
                       GAsyncResult   *result,
                       GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, service), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* libsecret 0.20 completes an asynchronous prompt that the user dismissed
 * (or that no prompter could show) with neither a result nor an error: a
 * critical, and the operation that needed the unlock never completes (its
 * callers would not take a NULL result either). The prompt vfuncs, which
 * SecretService offers for overriding, are replaced by ones that report a
 * dismissal as SECRET_ERROR_IS_LOCKED: the secret stays locked. The
 * process has one SecretService class, and only the vault uses it. */
static void
vault_fix_service_prompt (void)
{
  SecretServiceClass *service_class = g_type_class_ref (SECRET_TYPE_SERVICE);

  service_class->prompt_async = service_prompt_async;
  service_class->prompt_finish = service_prompt_finish;
  /* The class stays referenced: its vfuncs must outlive every vault. */
}

static void
am_vault_class_init (AmVaultClass *klass)
{
  vault_fix_service_prompt ();
}

static void
am_vault_init (AmVault *self)
{
}

/**
 * am_vault_key_ref_free:
 * @ref: (nullable) (transfer full): a key ref
 *
 * Frees @ref.
 */
void
am_vault_key_ref_free (AmVaultKeyRef *ref)
{
  if (ref == NULL)
    return;

  g_free (ref->lock_id);
  g_free (ref);
}

/**
 * am_vault_new:
 *
 * Returns: (transfer full): a vault on the user's Secret Service
 */
AmVault *
am_vault_new (void)
{
  return g_object_new (AM_TYPE_VAULT, NULL);
}

/* Removes every item that @attributes match, unlocking them first; fails
 * with AM_ERROR_VAULT_LOCKED when some stay locked. */
static void
vault_clear (AmVault             *self,
             SecretKind           kind,
             GHashTable          *attributes,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = operation_task_new (self, kind, attributes, source_tag,
                                    cancellable, callback, user_data);

  secret_password_searchv (&vault_schema, attributes, SECRET_SEARCH_ALL, cancellable,
                           on_clear_found_cb, task);
}

/* Looks the secret that @attributes name up, unlocking it if need be.
 *
 * Found, then read through its item, rather than by a password lookup:
 * libsecret 0.20 never frees the reply of the Secret Service's GetSecrets
 * call that a lookup makes, so the secret, as the service sent it, stayed
 * in ordinary memory for good, one copy a lookup. An item's own GetSecret,
 * which reading it calls, frees its reply. */
static void
vault_lookup (AmVault             *self,
              SecretKind           kind,
              GHashTable          *attributes,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task = operation_task_new (self, kind, attributes, source_tag,
                                    cancellable, callback, user_data);

  secret_password_searchv (&vault_schema, attributes, SECRET_SEARCH_NONE, cancellable,
                           on_lookup_found_cb, task);
}

/**
 * am_vault_store_token_async:
 * @self: a vault
 * @server: the base URL of the server the token is for
 * @token: the session token
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Keeps @token as the session of @server, replacing the one kept before.
 */
void
am_vault_store_token_async (AmVault             *self,
                            const char          *server,
                            const char          *token,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (AM_IS_VAULT (self));
  g_return_if_fail (server != NULL && *server != '\0');
  g_return_if_fail (token != NULL && *token != '\0');
  g_return_if_fail (g_utf8_validate (token, -1, NULL));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_vault_store_token_async);

  attributes = attributes_new (KIND_TOKEN, server);
  value = secret_value_new (token, -1, CONTENT_TYPE_TOKEN);
  /* Translators: the name of an item in the user's keyring; %s is the
   * address of the server, such as https://example.com */
  label = g_strdup_printf (_("Access Manager session for %s"), server);

  secret_password_storev_binary (&vault_schema, attributes, SECRET_COLLECTION_DEFAULT, label,
                                 value, cancellable, on_stored_cb, g_steal_pointer (&task));
}

/**
 * am_vault_store_token_finish:
 * @self: a vault
 * @result: the result given to the callback
 * @error: an AM_ERROR_VAULT* error, or G_IO_ERROR_CANCELLED
 *
 * Returns: whether the token is kept
 */
gboolean
am_vault_store_token_finish (AmVault       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (AM_IS_VAULT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_vault_store_token_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * am_vault_lookup_token_async:
 * @self: a vault
 * @server: the base URL of the server
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Looks up the session token of @server, unlocking the keyring if need be.
 */
void
am_vault_lookup_token_async (AmVault             *self,
                             const char          *server,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (AM_IS_VAULT (self));
  g_return_if_fail (server != NULL && *server != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  attributes = attributes_new (KIND_TOKEN, server);
  vault_lookup (self, SECRET_KIND_TOKEN, attributes, am_vault_lookup_token_async,
                cancellable, callback, user_data);
}

/**
 * am_vault_lookup_token_finish:
 * @self: a vault
 * @result: the result given to the callback
 * @error: an AM_ERROR_VAULT* error, or G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full) (nullable): the token, to be freed with
 *   am_secret_memory_free(); %NULL without an error when none is kept
 */
char *
am_vault_lookup_token_finish (AmVault       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (AM_IS_VAULT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_vault_lookup_token_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * am_vault_clear_token_async:
 * @self: a vault
 * @server: the base URL of the server
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Forgets the session token of @server; forgetting none is no error.
 */
void
am_vault_clear_token_async (AmVault             *self,
                            const char          *server,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (AM_IS_VAULT (self));
  g_return_if_fail (server != NULL && *server != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  attributes = attributes_new (KIND_TOKEN, server);
  vault_clear (self, SECRET_KIND_TOKEN, attributes, am_vault_clear_token_async,
               cancellable, callback, user_data);
}

/**
 * am_vault_clear_token_finish:
 * @self: a vault
 * @result: the result given to the callback
 * @error: an AM_ERROR_VAULT* error, or G_IO_ERROR_CANCELLED
 *
 * Returns: whether no token of the server is kept any more
 */
gboolean
am_vault_clear_token_finish (AmVault       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (AM_IS_VAULT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_vault_clear_token_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * am_vault_store_lock_key_async:
 * @self: a vault
 * @server: the base URL of the server the lock belongs to
 * @lock_id: the lock
 * @kv: the key version
 * @key: (array length=key_len): the key, AM_PASSCODE_KEY_LEN bytes
 * @key_len: the size of @key
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Keeps @key as version @kv of the key of @lock_id, replacing that version
 * if it was kept before; other versions stay. @key is copied before this
 * returns: the caller may wipe it at once.
 */
void
am_vault_store_lock_key_async (AmVault             *self,
                               const char          *server,
                               const char          *lock_id,
                               guint                kv,
                               const guint8        *key,
                               gsize                key_len,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (AM_IS_VAULT (self));
  g_return_if_fail (server != NULL && *server != '\0');
  g_return_if_fail (lock_id != NULL && *lock_id != '\0');
  g_return_if_fail (kv <= G_MAXINT);
  g_return_if_fail (key != NULL);
  g_return_if_fail (key_len == AM_PASSCODE_KEY_LEN);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_vault_store_lock_key_async);

  attributes = lock_key_attributes_new (server, lock_id, kv);
  value = secret_value_new ((const char *) key, (gssize) key_len, CONTENT_TYPE_LOCK_KEY);
  /* Translators: the name of an item in the user's keyring; %s is the
   * lock's identifier, a string of letters and digits */
  label = g_strdup_printf (_("Access Manager key of lock %s"), lock_id);

  secret_password_storev_binary (&vault_schema, attributes, SECRET_COLLECTION_DEFAULT, label,
                                 value, cancellable, on_stored_cb, g_steal_pointer (&task));
}

/**
 * am_vault_store_lock_key_finish:
 * @self: a vault
 * @result: the result given to the callback
 * @error: an AM_ERROR_VAULT* error, or G_IO_ERROR_CANCELLED
 *
 * Returns: whether the key is kept
 */
gboolean
am_vault_store_lock_key_finish (AmVault       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (AM_IS_VAULT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_vault_store_lock_key_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * am_vault_lookup_lock_key_async:
 * @self: a vault
 * @server: the base URL of the server the lock belongs to
 * @lock_id: the lock
 * @kv: the key version
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Looks up version @kv of the key of @lock_id, unlocking the keyring if
 * need be.
 */
void
am_vault_lookup_lock_key_async (AmVault             *self,
                                const char          *server,
                                const char          *lock_id,
                                guint                kv,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (AM_IS_VAULT (self));
  g_return_if_fail (server != NULL && *server != '\0');
  g_return_if_fail (lock_id != NULL && *lock_id != '\0');
  g_return_if_fail (kv <= G_MAXINT);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  attributes = lock_key_attributes_new (server, lock_id, kv);
  vault_lookup (self, SECRET_KIND_LOCK_KEY, attributes, am_vault_lookup_lock_key_async,
                cancellable, callback, user_data);
}

/**
 * am_vault_lookup_lock_key_finish:
 * @self: a vault
 * @result: the result given to the callback
 * @error: an AM_ERROR_VAULT* error, or G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full) (nullable): the key, AM_PASSCODE_KEY_LEN bytes
 *   wiped when the last reference goes; %NULL without an error when none
 *   is kept
 */
GBytes *
am_vault_lookup_lock_key_finish (AmVault       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (AM_IS_VAULT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_vault_lookup_lock_key_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * am_vault_list_lock_keys_async:
 * @self: a vault
 * @server: the base URL of the server
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Lists the lock keys kept for @server, without reading a secret: this
 * works with a locked keyring too.
 */
void
am_vault_list_lock_keys_async (AmVault             *self,
                               const char          *server,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (AM_IS_VAULT (self));
  g_return_if_fail (server != NULL && *server != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_vault_list_lock_keys_async);

  attributes = attributes_new (KIND_LOCK_KEY, server);
  secret_password_searchv (&vault_schema, attributes, SECRET_SEARCH_ALL, cancellable,
                           on_lock_keys_listed_cb, g_steal_pointer (&task));
}

/**
 * am_vault_list_lock_keys_finish:
 * @self: a vault
 * @result: the result given to the callback
 * @error: an AM_ERROR_VAULT* error, or G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer container) (element-type AmVaultKeyRef): the keys
 *   kept, by lock id then key version, or %NULL on error
 */
GPtrArray *
am_vault_list_lock_keys_finish (AmVault       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (AM_IS_VAULT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_vault_list_lock_keys_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * am_vault_clear_lock_keys_async:
 * @self: a vault
 * @server: the base URL of the server
 * @lock_id: (nullable): the lock, or %NULL for every lock of @server
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Forgets every key version of @lock_id, or every lock key of @server;
 * forgetting none is no error.
 */
void
am_vault_clear_lock_keys_async (AmVault             *self,
                                const char          *server,
                                const char          *lock_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (AM_IS_VAULT (self));
  g_return_if_fail (server != NULL && *server != '\0');
  g_return_if_fail (lock_id == NULL || *lock_id != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  attributes = attributes_new (KIND_LOCK_KEY, server);
  if (lock_id != NULL)
    g_hash_table_insert (attributes, (gpointer) "lock-id", g_strdup (lock_id));
  vault_clear (self, SECRET_KIND_LOCK_KEY, attributes, am_vault_clear_lock_keys_async,
               cancellable, callback, user_data);
}

/**
 * am_vault_clear_lock_keys_finish:
 * @self: a vault
 * @result: the result given to the callback
 * @error: an AM_ERROR_VAULT* error, or G_IO_ERROR_CANCELLED
 *
 * Returns: whether none of those keys is kept any more
 */
gboolean
am_vault_clear_lock_keys_finish (AmVault       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (AM_IS_VAULT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_vault_clear_lock_keys_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
