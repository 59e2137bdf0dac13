/* am-sync.c: bringing the local cache and the cloud together
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One run of sync, in this order:
 *
 * 1. push: every change in the outbox goes to the cloud with its
 *    idempotency key; an answered one leaves the outbox, and the cloud's
 *    record of it replaces the local one. Nothing leaves the outbox
 *    unanswered, so a crash at any point costs at most a resend, which the
 *    key makes harmless.
 * 2. pull: pages from the stored cursor, each applied in one transaction
 *    together with its cursor. Without a cursor, or when the cloud no
 *    longer serves it (410), a sync from scratch, which at its end drops
 *    what the cloud did not send.
 * 3. keys: the lock keys of the locks on which the user may generate codes
 *    or unlock over Bluetooth are fetched into the vault where it lacks
 *    them; the keys of other locks leave the vault.
 *
 * Network errors, 5xx, 429 and unreadable answers are retried where they
 * happened, after an exponential backoff with jitter (429: not before its
 * Retry-After). 401 marks the account signed out, takes the token and the
 * lock keys out of the vault, and ends the run; the cache stays. A change the cloud refuses for good (403, 409, 422) stays
 * in the outbox with the reason, put off for a day, and the run reports
 * the refusal after finishing the rest.
 */
#define G_LOG_DOMAIN "am-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "am-error.h"
#include "am-records-private.h"
#include "am-sync.h"

#define DEFAULT_PAGE_LIMIT      1000
#define DEFAULT_FIRST_DELAY_MS  1000
#define DEFAULT_MAX_DELAY_MS    60000
#define DEFAULT_MAX_ATTEMPTS    6
#define REFUSED_RETRY_S         (24 * 3600)
#define MAX_RESTARTS            2

struct _AmSync
{
  GObject        parent_instance;

  AmStore       *store;
  AmCloudClient *client;
  AmVault       *vault;

  guint          page_limit;
  guint          first_delay_ms;
  guint          max_delay_ms;
  guint          max_attempts;
  gboolean       fetch_keys;

  /* Of the last run. */
  guint          pages;
  guint          records;
  guint          retries;
};

G_DEFINE_FINAL_TYPE (AmSync, am_sync, G_TYPE_OBJECT)

typedef enum
{
  STEP_PUSH,
  STEP_PULL,
  STEP_KEYS,
  STEP_DONE,
} Step;

typedef struct
{
  Step        step;
  gboolean    push_only;
  guint       failures;     /* transient failures in a row */
  guint       restarts;     /* syncs from scratch begun by a 410 */
  GError     *refusal;      /* the first change the cloud refused */
  GError     *ending;       /* what ends the run, once the vault is done */

  GPtrArray  *outbox;       /* (element-type AmOutboxEntry) */
  guint       next_entry;

  GPtrArray  *keyed_locks;  /* (element-type AmLock) */
  GPtrArray  *held_keys;    /* (element-type AmVaultKeyRef) */
  guint       next_lock;
  guint       next_held;
  gboolean    clearing;     /* the vault call under way clears keys */
  gboolean    pulling;      /* the pull has asked for its first page */
  GHashTable *cursors;      /* the cursors this pull started from or applied */
} Run;

static void run_step (GTask *task);

static void
run_free (Run *run)
{
  g_clear_error (&run->refusal);
  g_clear_error (&run->ending);
  g_clear_pointer (&run->outbox, g_ptr_array_unref);
  g_clear_pointer (&run->keyed_locks, g_ptr_array_unref);
  g_clear_pointer (&run->held_keys, g_ptr_array_unref);
  g_clear_pointer (&run->cursors, g_hash_table_unref);
  g_free (run);
}

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* The delay before attempt number @failures + 1: doubling from the first
 * delay up to the largest, each time a random part of it between a half
 * and the whole, so that many clients do not come back at once. */
static guint
backoff_ms (AmSync *self,
            guint   failures)
{
  guint64 delay = self->first_delay_ms;

  for (guint i = 1; i < failures && delay < self->max_delay_ms; i++)
    delay *= 2;
  delay = MIN (delay, self->max_delay_ms);
  return (guint) g_random_int_range ((gint32) (delay / 2), (gint32) delay + 1);
}

static gboolean
on_backoff_over_cb (gpointer user_data)
{
  GTask *task = user_data;

  if (!g_task_return_error_if_cancelled (task))
    run_step (task);
  return G_SOURCE_REMOVE;
}

/* After a 401: the token and the lock keys leave the vault with the
 * session (one the cloud ended may be one whose user should no longer
 * open doors); then the run ends with the error it kept. */
static void
on_keys_cleared_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!am_vault_clear_lock_keys_finish (AM_VAULT (source), result, &error))
    g_debug ("Could not take the lock keys out of the vault: %s", error->message);

  g_task_return_error (task, g_steal_pointer (&run->ending));
  g_object_unref (task);
}

static void
on_token_cleared_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  AmSync *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!am_vault_clear_token_finish (AM_VAULT (source), result, &error))
    g_debug ("Could not take the token out of the vault: %s", error->message);
  am_vault_clear_lock_keys_async (self->vault, am_cloud_client_get_base_url (self->client), NULL,
                                  NULL, on_keys_cleared_cb, task);
}

/* Ends the run with @error, or tries the step again later when @error is
 * one that passes. Takes @error. */
static void
fail_or_retry (GTask  *task,
               GError *error)
{
  AmSync *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  guint delay;

  if (g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SIGNED_OUT))
    {
      g_autoptr(GError) local_error = NULL;

      if (!am_store_set_signed_in (self->store, FALSE, &local_error))
        g_debug ("Could not note the end of the session: %s", local_error->message);
      am_cloud_client_set_token (self->client, NULL);
      run->ending = error;
      am_vault_clear_token_async (self->vault, am_cloud_client_get_base_url (self->client),
                                  NULL, on_token_cleared_cb, task);
      return;
    }

  if (!am_cloud_error_is_transient (error) || ++run->failures >= self->max_attempts)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  delay = backoff_ms (self, run->failures);
  delay = MAX (delay, am_cloud_error_get_retry_after (error) * 1000);
  self->retries++;
  g_debug ("Sync failed (%s); trying again in %u ms", error->message, delay);
  g_error_free (error);
  g_timeout_add (delay, on_backoff_over_cb, task);
}

static void
next_step (GTask *task,
           Step   step)
{
  Run *run = g_task_get_task_data (task);

  run->step = step;
  run_step (task);
}

/* Push */

static gboolean
is_refusal (const GError *error)
{
  return g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_FORBIDDEN) ||
         g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_CONFLICT) ||
         g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_INVALID) ||
         g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_NOT_FOUND) ||
         g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_TOO_LARGE);
}

static void
on_pushed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  AmSync *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  AmOutboxEntry *entry = g_ptr_array_index (run->outbox, run->next_entry);
  AmCloudClient *client = AM_CLOUD_CLIENT (source);
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  GError *error = NULL;
  gboolean ok;

  if (g_str_equal (entry->kind, AM_OUTBOX_PASSCODE_CREATE))
    {
      AmPasscodeRecord *record = am_cloud_client_create_passcode_finish (client, result, &error);

      if ((ok = record != NULL))
        g_ptr_array_add (page->passcodes, record);
    }
  else if (g_str_equal (entry->kind, AM_OUTBOX_UNLOCK_CREATE))
    {
      AmUnlock *unlock = am_cloud_client_create_unlock_finish (client, result, &error);

      if ((ok = unlock != NULL))
        g_ptr_array_add (page->unlocks, unlock);
    }
  else
    ok = am_cloud_client_upload_events_finish (client, result, NULL, NULL, &error);

  if (!ok && is_refusal (error))
    {
      g_autoptr(GError) local_error = NULL;

      if (!am_store_outbox_defer (self->store, entry->idempotency_id, now_s () + REFUSED_RETRY_S,
                                  error->message, &local_error))
        {
          g_error_free (error);
          fail_or_retry (task, g_steal_pointer (&local_error));
          return;
        }
      if (run->refusal == NULL)
        run->refusal = error;
      else
        g_error_free (error);
      run->next_entry++;
      run_step (task);
      return;
    }
  if (!ok)
    {
      fail_or_retry (task, error);
      return;
    }

  /* The cloud's record of the change replaces the local one. */
  run->failures = 0;
  if (!am_store_apply_page (self->store, page, &error) ||
      !am_store_outbox_remove (self->store, entry->idempotency_id, &error))
    {
      fail_or_retry (task, error);
      return;
    }
  run->next_entry++;
  run_step (task);
}

/* Sends @entry; FALSE when its body cannot be read (a bug, or a damaged
 * cache): the entry is then put off with the reason. */
static gboolean
push_entry (GTask         *task,
            AmOutboxEntry *entry)
{
  AmSync *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  if (g_str_equal (entry->kind, AM_OUTBOX_PASSCODE_CREATE))
    {
      am_cloud_client_create_passcode_async (self->client, entry->idempotency_id, entry->body,
                                             cancellable, on_pushed_cb, task);
      return TRUE;
    }

  root = json_from_string (entry->body, &error);
  object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (object != NULL && g_str_equal (entry->kind, AM_OUTBOX_UNLOCK_CREATE))
    {
      g_autoptr(AmUnlock) unlock = am_unlock_from_create_json (object, &error);

      if (unlock != NULL)
        {
          am_cloud_client_create_unlock_async (self->client, unlock, cancellable, on_pushed_cb, task);
          return TRUE;
        }
    }
  else if (object != NULL)
    {
      const char *lock_id = json_object_get_string_member_with_default (object, "lock_id", NULL);
      g_autoptr(GPtrArray) events = NULL;

      if (lock_id != NULL && (events = am_lock_events_from_upload_json (object, lock_id, &error)) != NULL)
        {
          am_cloud_client_upload_events_async (self->client, lock_id, events, cancellable, on_pushed_cb, task);
          return TRUE;
        }
    }

  g_debug ("Outbox entry %s of kind %s unreadable: %s", entry->idempotency_id, entry->kind,
           error != NULL ? error->message : "not an object");
  am_store_outbox_defer (self->store, entry->idempotency_id, now_s () + REFUSED_RETRY_S,
                         _("This change could not be read back from the local cache."), NULL);
  return FALSE;
}

static void
push_next (GTask *task)
{
  AmSync *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  static const char * const kinds[] = {
    AM_OUTBOX_PASSCODE_CREATE, AM_OUTBOX_UNLOCK_CREATE, AM_OUTBOX_LOCK_EVENTS, NULL
  };

  if (run->outbox == NULL)
    {
      run->outbox = am_store_outbox_list (self->store, G_MAXINT64);
      run->next_entry = 0;
    }

  while (run->next_entry < run->outbox->len)
    {
      AmOutboxEntry *entry = g_ptr_array_index (run->outbox, run->next_entry);

      if (g_strv_contains (kinds, entry->kind) && push_entry (task, entry))
        return;
      /* A kind a later version wrote is left for that version. */
      run->next_entry++;
    }

  next_step (task, run->push_only ? STEP_DONE : STEP_PULL);
}

/* Pull */

static void
pull_page (GTask *task);

static void
on_page_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  AmSync *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(AmSyncPage) page = NULL;
  GError *error = NULL;
  gboolean more = FALSE;
  guint n_records;

  page = am_cloud_client_sync_finish (AM_CLOUD_CLIENT (source), result, &more, &error);
  if (page == NULL && g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_CURSOR_GONE) &&
      run->restarts < MAX_RESTARTS)
    {
      g_debug ("The cloud no longer serves the cursor: syncing from scratch");
      g_clear_error (&error);
      run->restarts++;
      g_hash_table_remove_all (run->cursors);
      if (!am_store_begin_full_sync (self->store, &error))
        {
          fail_or_retry (task, error);
          return;
        }
      pull_page (task);
      return;
    }
  if (page == NULL)
    {
      fail_or_retry (task, error);
      return;
    }

  /* A cloud that lies about its pages must not make the pull go round
   * forever, nor put more in one transaction than was asked for: a page
   * that says more follows, with a cursor this pull already had (a page
   * sent again, a cursor gone back), or a page over the limit, is refused
   * before it touches the cache. */
  n_records = page->properties->len + page->locks->len + page->grants->len + page->passcodes->len +
              page->events->len + page->unlocks->len + page->deleted->len;
  if (more && g_hash_table_contains (run->cursors, page->cursor))
    {
      fail_or_retry (task, g_error_new_literal (AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE,
                                                _("The cloud sent a page of changes it had sent before, so the sync would never end. What came before it is kept; sync again later, and if this keeps happening, tell the cloud’s administrator.")));
      return;
    }
  if (n_records > self->page_limit)
    {
      fail_or_retry (task, g_error_new (AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE,
                                        /* Translators: the first %u is a number of records, the second the most that was asked for */
                                        _("The cloud sent %u records in one page where at most %u were asked for. Your local cache is unchanged; sync again later, and if this keeps happening, tell the cloud’s administrator."),
                                        n_records, self->page_limit));
      return;
    }

  if (!am_store_apply_page (self->store, page, &error))
    {
      g_autoptr(GError) store_error = error;

      /* The cache is as it was: the transaction rolled back. */
      if (g_error_matches (store_error, AM_ERROR, AM_ERROR_INVALID_DATA))
        error = g_error_new (AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE,
                             /* Translators: %s is a sentence saying what was wrong */
                             _("%s Your local cache is unchanged; sync again later, and if this keeps happening, tell the cloud’s administrator."),
                             store_error->message);
      else
        error = g_steal_pointer (&store_error);
      fail_or_retry (task, error);
      return;
    }

  g_hash_table_add (run->cursors, g_strdup (page->cursor));
  run->failures = 0;
  self->pages++;
  self->records += page->properties->len + page->locks->len + page->grants->len +
                   page->passcodes->len + page->events->len + page->unlocks->len +
                   page->deleted->len;
  if (more)
    {
      pull_page (task);
      return;
    }

  if ((am_store_is_full_sync (self->store) && !am_store_finish_full_sync (self->store, &error)) ||
      !am_store_set_last_sync (self->store, now_s (), &error))
    {
      fail_or_retry (task, error);
      return;
    }
  next_step (task, self->fetch_keys ? STEP_KEYS : STEP_DONE);
}

static void
pull_page (GTask *task)
{
  AmSync *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autofree char *cursor = NULL;
  GError *error = NULL;

  /* Before the first page: a sync from scratch that a process ended before
   * its last page begins again, since what it had seen went with the
   * process; and with no cursor at all, one begins. */
  if (!run->pulling)
    {
      g_autofree char *stored = am_store_get_cursor (self->store);

      if ((am_store_is_full_sync (self->store) || stored == NULL) &&
          !am_store_begin_full_sync (self->store, &error))
        {
          fail_or_retry (task, error);
          return;
        }
      run->pulling = TRUE;
      run->cursors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      if (stored != NULL && !am_store_is_full_sync (self->store))
        g_hash_table_add (run->cursors, g_steal_pointer (&stored));
    }
  cursor = am_store_get_cursor (self->store);
  am_cloud_client_sync_async (self->client, cursor, self->page_limit,
                              g_task_get_cancellable (task), on_page_cb, task);
}

/* Keys */

static void keys_next (GTask *task);

static gboolean
holds_key (Run        *run,
           const char *lock_id,
           guint       kv)
{
  for (guint i = 0; i < run->held_keys->len; i++)
    {
      AmVaultKeyRef *ref = g_ptr_array_index (run->held_keys, i);

      if (ref->kv == kv && g_str_equal (ref->lock_id, lock_id))
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_keyed_lock (Run        *run,
               const char *lock_id)
{
  for (guint i = 0; i < run->keyed_locks->len; i++)
    if (g_str_equal (am_lock_get_id (g_ptr_array_index (run->keyed_locks, i)), lock_id))
      return TRUE;
  return FALSE;
}

static void
on_vault_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean ok;

  if (run->clearing)
    ok = am_vault_clear_lock_keys_finish (AM_VAULT (source), result, &error);
  else
    ok = am_vault_store_lock_key_finish (AM_VAULT (source), result, &error);
  if (!ok)
    {
      fail_or_retry (task, error);
      return;
    }
  keys_next (task);
}

static void
on_key_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  AmSync *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(AmCloudLockKey) key = NULL;
  GError *error = NULL;

  key = am_cloud_client_get_lock_key_finish (AM_CLOUD_CLIENT (source), result, &error);
  if (key == NULL && g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_FORBIDDEN))
    {
      /* The grant changed since the page: the next sync brings it. */
      g_clear_error (&error);
      keys_next (task);
      return;
    }
  if (key == NULL)
    {
      fail_or_retry (task, error);
      return;
    }
  run->failures = 0;

  /* Each version the lock may still check a code against. */
  if (key->previous_kv != 0 && !holds_key (run, key->lock_id, key->previous_kv))
    {
      AmVaultKeyRef *ref = g_new0 (AmVaultKeyRef, 1);

      ref->lock_id = g_strdup (key->lock_id);
      ref->kv = key->previous_kv;
      g_ptr_array_add (run->held_keys, ref);
      am_vault_store_lock_key_async (self->vault, am_cloud_client_get_base_url (self->client),
                                     key->lock_id, key->previous_kv, key->previous_key,
                                     sizeof key->previous_key, NULL, NULL, NULL);
    }
  {
    AmVaultKeyRef *ref = g_new0 (AmVaultKeyRef, 1);

    ref->lock_id = g_strdup (key->lock_id);
    ref->kv = key->kv;
    g_ptr_array_add (run->held_keys, ref);
  }
  run->clearing = FALSE;
  am_vault_store_lock_key_async (self->vault, am_cloud_client_get_base_url (self->client),
                                 key->lock_id, key->kv, key->key, sizeof key->key,
                                 g_task_get_cancellable (task), on_vault_done_cb, task);
}

static void
keys_next (GTask *task)
{
  AmSync *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  const char *server = am_cloud_client_get_base_url (self->client);

  while (run->next_lock < run->keyed_locks->len)
    {
      AmLock *lock = g_ptr_array_index (run->keyed_locks, run->next_lock++);

      if (!holds_key (run, am_lock_get_id (lock), am_lock_get_kv (lock)))
        {
          am_cloud_client_get_lock_key_async (self->client, am_lock_get_id (lock),
                                              g_task_get_cancellable (task), on_key_cb, task);
          return;
        }
    }

  /* The keys of locks the user may no longer use. */
  while (run->next_held < run->held_keys->len)
    {
      AmVaultKeyRef *ref = g_ptr_array_index (run->held_keys, run->next_held++);

      if (!is_keyed_lock (run, ref->lock_id))
        {
          g_autofree char *lock_id = g_strdup (ref->lock_id);

          /* All its versions go at once: skip the others. */
          for (guint i = run->next_held; i < run->held_keys->len; i++)
            if (g_str_equal (((AmVaultKeyRef *) g_ptr_array_index (run->held_keys, i))->lock_id, lock_id))
              g_ptr_array_remove_index (run->held_keys, i--);
          run->clearing = TRUE;
          am_vault_clear_lock_keys_async (self->vault, server, lock_id,
                                          g_task_get_cancellable (task), on_vault_done_cb, task);
          return;
        }
    }

  next_step (task, STEP_DONE);
}

static void
on_keys_listed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  AmSync *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;

  run->held_keys = am_vault_list_lock_keys_finish (AM_VAULT (source), result, &error);
  if (run->held_keys == NULL)
    {
      fail_or_retry (task, error);
      return;
    }
  g_clear_pointer (&run->keyed_locks, g_ptr_array_unref);
  run->keyed_locks = am_store_list_keyed_locks (self->store);
  run->next_lock = 0;
  run->next_held = 0;
  keys_next (task);
}

/* The run */

static void
run_step (GTask *task)
{
  AmSync *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  switch (run->step)
    {
    case STEP_PUSH:
      push_next (task);
      break;

    case STEP_PULL:
      pull_page (task);
      break;

    case STEP_KEYS:
      if (run->held_keys == NULL)
        am_vault_list_lock_keys_async (self->vault, am_cloud_client_get_base_url (self->client),
                                       g_task_get_cancellable (task), on_keys_listed_cb, task);
      else
        keys_next (task);
      break;

    case STEP_DONE:
    default:
      if (run->refusal != NULL)
        g_task_return_error (task, g_steal_pointer (&run->refusal));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      break;
    }
}

static void
start (AmSync              *self,
       gboolean             push_only,
       gpointer             source_tag,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Run *run = g_new0 (Run, 1);

  g_task_set_source_tag (task, source_tag);
  run->push_only = push_only;
  run->step = STEP_PUSH;
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  self->pages = self->records = self->retries = 0;

  if (!am_cloud_client_has_token (self->client))
    {
      g_task_return_new_error (task, AM_ERROR, AM_ERROR_NOT_SIGNED_IN,
                               _("You are not signed in. Sign in to your company’s Access Manager cloud first."));
      g_object_unref (task);
      return;
    }
  run_step (task);
}

static void
am_sync_dispose (GObject *object)
{
  AmSync *self = AM_SYNC (object);

  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_object (&self->vault);

  G_OBJECT_CLASS (am_sync_parent_class)->dispose (object);
}

static void
am_sync_class_init (AmSyncClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = am_sync_dispose;
}

static void
am_sync_init (AmSync *self)
{
  self->page_limit = DEFAULT_PAGE_LIMIT;
  self->first_delay_ms = DEFAULT_FIRST_DELAY_MS;
  self->max_delay_ms = DEFAULT_MAX_DELAY_MS;
  self->max_attempts = DEFAULT_MAX_ATTEMPTS;
  self->fetch_keys = TRUE;
}

/**
 * am_sync_new:
 * @store: the local cache
 * @client: the cloud's client, with the session's token
 * @vault: where the lock keys go
 *
 * Returns: (transfer full): a new sync
 */
AmSync *
am_sync_new (AmStore       *store,
             AmCloudClient *client,
             AmVault       *vault)
{
  AmSync *self;

  g_return_val_if_fail (AM_IS_STORE (store), NULL);
  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (client), NULL);
  g_return_val_if_fail (AM_IS_VAULT (vault), NULL);

  self = g_object_new (AM_TYPE_SYNC, NULL);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  self->vault = g_object_ref (vault);
  return self;
}

/**
 * am_sync_set_page_limit:
 * @self: a sync
 * @limit: the most records to ask for in one page (1 to 5000)
 */
void
am_sync_set_page_limit (AmSync *self,
                        guint   limit)
{
  g_return_if_fail (AM_IS_SYNC (self));
  g_return_if_fail (limit >= 1 && limit <= 5000);

  self->page_limit = limit;
}

/**
 * am_sync_set_backoff:
 * @self: a sync
 * @first_delay_ms: the longest wait after the first failure
 * @max_delay_ms: the longest wait ever
 * @max_attempts: after this many failures in a row, a run gives up
 */
void
am_sync_set_backoff (AmSync *self,
                     guint   first_delay_ms,
                     guint   max_delay_ms,
                     guint   max_attempts)
{
  g_return_if_fail (AM_IS_SYNC (self));
  g_return_if_fail (first_delay_ms >= 2 && first_delay_ms <= max_delay_ms && max_attempts >= 1);

  self->first_delay_ms = first_delay_ms;
  self->max_delay_ms = max_delay_ms;
  self->max_attempts = max_attempts;
}

/**
 * am_sync_set_fetch_keys:
 * @self: a sync
 * @fetch_keys: whether a run brings the vault's lock keys up to date
 */
void
am_sync_set_fetch_keys (AmSync   *self,
                        gboolean  fetch_keys)
{
  g_return_if_fail (AM_IS_SYNC (self));

  self->fetch_keys = !!fetch_keys;
}

/**
 * am_sync_run_async:
 * @self: a sync
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the run is over
 * @user_data: for @callback
 *
 * Pushes the outbox, pulls every change, and brings the lock keys up to
 * date, retrying what fails in passing.
 */
void
am_sync_run_async (AmSync              *self,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_return_if_fail (AM_IS_SYNC (self));

  start (self, FALSE, am_sync_run_async, cancellable, callback, user_data);
}

/**
 * am_sync_run_finish:
 * @self: a sync
 * @result: the result given to the callback
 * @error: a location for a #GError
 *
 * Returns: whether everything is in sync; else @error says what is not,
 *   in a sentence for the user
 */
gboolean
am_sync_run_finish (AmSync        *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_sync_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * am_sync_push_async:
 * @self: a sync
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the push is over
 * @user_data: for @callback
 *
 * Pushes the outbox only: after a change made here, so that it reaches the
 * cloud at once when the cloud can be reached.
 */
void
am_sync_push_async (AmSync              *self,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_return_if_fail (AM_IS_SYNC (self));

  start (self, TRUE, am_sync_push_async, cancellable, callback, user_data);
}

gboolean
am_sync_push_finish (AmSync        *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_sync_push_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * am_sync_get_pages:
 * @self: a sync
 *
 * Returns: the number of pages the last run applied
 */
guint
am_sync_get_pages (AmSync *self)
{
  g_return_val_if_fail (AM_IS_SYNC (self), 0);
  return self->pages;
}

/**
 * am_sync_get_records:
 * @self: a sync
 *
 * Returns: the number of records (deletions included) the last run applied
 */
guint
am_sync_get_records (AmSync *self)
{
  g_return_val_if_fail (AM_IS_SYNC (self), 0);
  return self->records;
}

/**
 * am_sync_get_retries:
 * @self: a sync
 *
 * Returns: how often the last run waited and tried again
 */
guint
am_sync_get_retries (AmSync *self)
{
  g_return_val_if_fail (AM_IS_SYNC (self), 0);
  return self->retries;
}
