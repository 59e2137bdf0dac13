/* am-facade.c: the one object the app calls: account, lists, issuing, unlocking, sync
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The façade composes the cache (am-store), the vault, a client of the
 * account's cloud, sync and BlueZ, the way the CLI does command by command,
 * but once and for a process that lives: it keeps the client of a restored
 * or new session, syncs now and then, pushes what was issued or brought
 * back from a lock as soon as it is stored, and follows Bluetooth.
 *
 * When to sync in the background (the interval, the network coming back,
 * a wake from suspend, a backoff after failures) is am-sync-scheduler's
 * policy; the façade runs what it asks for and tells it of every sync.
 * What a write of the cache brings that the user wants to hear of (a code
 * they issued used for the first time, a lock's battery falling low) the
 * store notes and the façade emits as signals, for notifications.
 *
 * One job talks to the cloud at a time: a sync (push, pull, keys) or a push
 * only. A sync asked for while one runs joins it; a push asked for while a
 * job runs follows it. What the app shows (online, syncing, the outbox,
 * the last sync and its error, Bluetooth) are properties that notify when
 * they change.
 *
 * An extra certificate authority for a self-hosted cloud can be given in
 * the environment variable ACCESS_MANAGER_CA_FILE (a PEM file), as for the
 * CLI; it then replaces the system's.
 */
#define G_LOG_DOMAIN "am-facade"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "am-cloud-client.h"
#include "am-error.h"
#include "am-export.h"
#include "am-facade.h"
#include "am-secret-memory.h"
#include "am-store-private.h"
#include "am-sync.h"
#include "am-sync-scheduler.h"
#include "am-vault.h"

#define DEFAULT_SYNC_INTERVAL_S  300
#define SYNC_FIRST_DELAY_MS      1000
#define SYNC_MAX_DELAY_MS        30000
#define SYNC_MAX_ATTEMPTS        4
#define SIGN_OUT_TIMEOUT_S       5

typedef enum
{
  JOB_SYNC,
  JOB_PUSH,
} JobKind;

/* One run of AmSync. It holds the façade weakly: the façade's dispose
 * cancels it, and it ends by itself. */
typedef struct
{
  GWeakRef      facade;
  JobKind       kind;
  AmSync       *sync;
  GCancellable *cancellable;
  GPtrArray    *waiters;      /* (element-type GTask): callers of sync_async */
} Job;

struct _AmFacade
{
  GObject           parent_instance;

  AmStore          *store;
  AmVault          *vault;
  AmAccount        *account;          /* (nullable): as the cache has it */
  AmCloudClient    *client;           /* (nullable): with the token, while signed in */
  AmBluez          *bluez;            /* (nullable): until ready, or without a system bus */
  GCancellable     *cancellable;      /* for everything, cancelled in dispose */

  gboolean          signed_in;
  gboolean          online;
  gboolean          syncing;
  guint             outbox_count;
  gint64            last_sync;
  char             *sync_error;
  AmBluetoothState  bluetooth_state;

  AmSyncScheduler  *scheduler;        /* when to sync in the background */
  gint              proximity_threshold;

  Job              *job;              /* (nullable): the job running */
  GPtrArray        *next_waiters;     /* (element-type GTask): for the sync after it */
  gboolean          sync_wanted;
  gboolean          push_wanted;
};

enum {
  PROP_0,
  PROP_SIGNED_IN,
  PROP_ONLINE,
  PROP_SYNCING,
  PROP_OUTBOX_COUNT,
  PROP_LAST_SYNC,
  PROP_SYNC_ERROR,
  PROP_BLUETOOTH_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  PASSCODE_FIRST_USED,
  BATTERY_LOW,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (AmBluetoothState, am_bluetooth_state,
  G_DEFINE_ENUM_VALUE (AM_BLUETOOTH_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (AM_BLUETOOTH_UNAVAILABLE, "unavailable"),
  G_DEFINE_ENUM_VALUE (AM_BLUETOOTH_NO_ADAPTER, "no-adapter"),
  G_DEFINE_ENUM_VALUE (AM_BLUETOOTH_OFF, "off"),
  G_DEFINE_ENUM_VALUE (AM_BLUETOOTH_ON, "on"))

G_DEFINE_FINAL_TYPE (AmFacade, am_facade, G_TYPE_OBJECT)

static void request_sync (AmFacade *self,
                          GTask    *waiter);
static void request_push (AmFacade *self);

/* Setters of the properties: notify on change only. */

static void
set_signed_in (AmFacade *self,
               gboolean  signed_in)
{
  signed_in = !!signed_in;
  if (self->signed_in == signed_in)
    return;
  self->signed_in = signed_in;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
}

static void
set_online (AmFacade *self,
            gboolean  online)
{
  online = !!online;
  if (self->online == online)
    return;
  self->online = online;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
}

static void
set_syncing (AmFacade *self,
             gboolean  syncing)
{
  syncing = !!syncing;
  if (self->syncing == syncing)
    return;
  self->syncing = syncing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCING]);
}

static void
update_outbox_count (AmFacade *self)
{
  gint64 count = am_store_outbox_count (self->store);
  guint outbox_count = (guint) CLAMP (count, 0, G_MAXUINT);

  if (self->outbox_count == outbox_count)
    return;
  self->outbox_count = outbox_count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTBOX_COUNT]);
}

static void
update_last_sync (AmFacade *self)
{
  gint64 last_sync = am_store_get_last_sync (self->store);

  if (self->last_sync == last_sync)
    return;
  self->last_sync = last_sync;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
}

static void
set_sync_error (AmFacade   *self,
                const char *message)
{
  if (g_strcmp0 (self->sync_error, message) == 0)
    return;
  g_free (self->sync_error);
  self->sync_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_ERROR]);
}

static void
set_bluetooth_state (AmFacade         *self,
                     AmBluetoothState  state)
{
  if (self->bluetooth_state == state)
    return;
  self->bluetooth_state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BLUETOOTH_STATE]);
}

static void
update_bluetooth_state (AmFacade *self)
{
  g_autoptr(GError) error = NULL;

  g_assert (self->bluez != NULL);

  if (am_bluez_check_adapter (self->bluez, &error))
    set_bluetooth_state (self, AM_BLUETOOTH_ON);
  else if (g_error_matches (error, AM_ERROR, AM_ERROR_NO_ADAPTER))
    set_bluetooth_state (self, AM_BLUETOOTH_NO_ADAPTER);
  else if (g_error_matches (error, AM_ERROR, AM_ERROR_BLUETOOTH_OFF))
    set_bluetooth_state (self, AM_BLUETOOTH_OFF);
  else
    set_bluetooth_state (self, AM_BLUETOOTH_UNAVAILABLE);
}

static gboolean
account_equal (const AmAccount *a,
               const AmAccount *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strcmp0 (a->server, b->server) == 0 &&
         g_strcmp0 (a->user_id, b->user_id) == 0 &&
         g_strcmp0 (a->user_name, b->user_name) == 0 &&
         g_strcmp0 (a->user_email, b->user_email) == 0 &&
         g_strcmp0 (a->org_id, b->org_id) == 0 &&
         g_strcmp0 (a->org_name, b->org_name) == 0 &&
         !a->signed_in == !b->signed_in;
}

/* The account as the cache has it; the one held stays while it is the
 * same, so that what am_facade_get_account() gave stays valid. */
static void
reload_account (AmFacade *self)
{
  g_autoptr(AmAccount) account = am_store_get_account (self->store);

  if (account_equal (account, self->account))
    return;
  g_clear_pointer (&self->account, am_account_free);
  self->account = g_steal_pointer (&account);
}

/* Whether the cloud never answered: a network failure, or no request
 * could be made at all. Every other error is an answer. */
static gboolean
is_unreached (const GError *error)
{
  return g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_NETWORK) ||
         g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_CERTIFICATE) ||
         g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_INVALID_URL) ||
         g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_INSECURE);
}

static AmCloudClient *
new_client (const char  *server,
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

/* Ends a session nothing holds any more; its answer does not matter. */
static void
on_session_dropped_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!am_cloud_client_sign_out_finish (AM_CLOUD_CLIENT (source), result, &error))
    g_debug ("Could not end an unused session in the cloud: %s", error->message);
}

static void
drop_session (AmCloudClient *client)
{
  am_cloud_client_set_timeout (client, SIGN_OUT_TIMEOUT_S);
  am_cloud_client_sign_out_async (client, NULL, on_session_dropped_cb, NULL);
}

/* Syncing in the background: am-sync-scheduler says when. */

static void
on_sync_due_cb (AmSyncScheduler *scheduler,
                AmSyncReason     reason,
                AmFacade        *self)
{
  request_sync (self, NULL);
}

static void
stop_sync_timer (AmFacade *self)
{
  if (self->scheduler != NULL)
    am_sync_scheduler_stop (self->scheduler);
}

static void
start_sync_timer (AmFacade *self)
{
  if (self->client != NULL)
    am_sync_scheduler_start (self->scheduler);
}

/* Jobs: one at a time */

static void
job_free (Job *job)
{
  g_weak_ref_clear (&job->facade);
  g_clear_object (&job->sync);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->waiters, g_ptr_array_unref);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

/* A waiter's cancellable is followed by a source, destroyed when the
 * waiter is answered. */
static void
waiter_source_free (gpointer data)
{
  GSource *source = data;

  g_source_destroy (source);
  g_source_unref (source);
}

static void
answer_waiter (GTask        *waiter,
               const GError *error)
{
  GSource *source = g_task_get_task_data (waiter);

  if (source != NULL)
    g_source_destroy (source);
  if (error != NULL)
    g_task_return_error (waiter, g_error_copy (error));
  else
    g_task_return_boolean (waiter, TRUE);
}

static void
answer_waiters (GPtrArray    *waiters,
                const GError *error)
{
  g_autoptr(GPtrArray) answered = NULL;

  if (waiters == NULL || waiters->len == 0)
    return;
  /* Answering may call back into the façade, which may add waiters. */
  answered = g_ptr_array_copy (waiters, (GCopyFunc) g_object_ref, NULL);
  g_ptr_array_set_size (waiters, 0);
  for (guint i = 0; i < answered->len; i++)
    answer_waiter (g_ptr_array_index (answered, i), error);
  g_ptr_array_set_free_func (answered, g_object_unref);
}

static gboolean
on_waiter_cancelled_cb (GCancellable *cancellable,
                        gpointer      user_data)
{
  GTask *waiter = user_data;
  AmFacade *self = g_task_get_source_object (waiter);
  g_autoptr(GTask) held = g_object_ref (waiter);
  guint index;

  if (self->job != NULL && g_ptr_array_find (self->job->waiters, waiter, &index))
    g_ptr_array_remove_index (self->job->waiters, index);
  else if (g_ptr_array_find (self->next_waiters, waiter, &index))
    g_ptr_array_remove_index (self->next_waiters, index);
  else
    return G_SOURCE_REMOVE;

  g_task_return_error_if_cancelled (held);
  return G_SOURCE_REMOVE;
}

static void
follow_waiter_cancellable (GTask *waiter)
{
  GCancellable *cancellable = g_task_get_cancellable (waiter);
  GSource *source;

  if (cancellable == NULL)
    return;
  source = g_cancellable_source_new (cancellable);
  g_source_set_callback (source, G_SOURCE_FUNC (on_waiter_cancelled_cb), waiter, NULL);
  g_source_attach (source, g_task_get_context (waiter));
  g_task_set_task_data (waiter, source, waiter_source_free);
}

static void start_job (AmFacade *self,
                       JobKind   kind);

/* What a finished job tells: whether the cloud answered, whether the
 * session still holds, what waits in the outbox. */
static void
job_done (AmFacade     *self,
          Job          *job,
          const GError *error)
{
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert (self->job == job);
  self->job = NULL;

  if (!cancelled)
    {
      set_online (self, !is_unreached (error));
      if (job->kind == JOB_SYNC)
        set_sync_error (self, error != NULL ? error->message : NULL);

      if (g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SIGNED_OUT))
        {
          /* The sync has marked the cache signed out and taken the token
           * and keys out of the vault; the cache stays. */
          stop_sync_timer (self);
          g_clear_object (&self->client);
          reload_account (self);
          set_signed_in (self, FALSE);
        }
    }
  update_last_sync (self);
  update_outbox_count (self);

  if (job->kind == JOB_SYNC)
    {
      set_syncing (self, FALSE);
      am_sync_scheduler_sync_finished (self->scheduler, error);
    }
  /* A change stored while the sync ran may have come after its push. */
  if (self->push_wanted && self->outbox_count == 0)
    self->push_wanted = FALSE;

  answer_waiters (job->waiters, error);

  if (self->job != NULL)
    return;
  if (self->sync_wanted)
    start_job (self, JOB_SYNC);
  else if (self->push_wanted)
    start_job (self, JOB_PUSH);
}

static void
on_job_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(AmFacade) self = g_weak_ref_get (&job->facade);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (job->kind == JOB_SYNC)
    ok = am_sync_run_finish (AM_SYNC (source), result, &error);
  else
    ok = am_sync_push_finish (AM_SYNC (source), result, &error);

  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("The %s ended with an error: %s", job->kind == JOB_SYNC ? "sync" : "push", error->message);

  if (self == NULL || self->store == NULL)
    {
      answer_waiters (job->waiters, error);
      return;
    }
  job_done (self, job, error);
}

static void
start_job (AmFacade *self,
           JobKind   kind)
{
  g_autoptr(GError) error = NULL;
  Job *job;

  g_assert (self->job == NULL);

  if (kind == JOB_SYNC)
    self->sync_wanted = FALSE;
  else
    self->push_wanted = FALSE;

  if (self->client == NULL)
    {
      g_set_error_literal (&error, AM_ERROR, AM_ERROR_NOT_SIGNED_IN,
                           _("You are not signed in. Sign in to sync with your company’s cloud."));
      if (kind == JOB_SYNC)
        answer_waiters (self->next_waiters, error);
      return;
    }

  job = g_new0 (Job, 1);
  g_weak_ref_init (&job->facade, self);
  job->kind = kind;
  job->sync = am_sync_new (self->store, self->client, self->vault);
  job->cancellable = g_cancellable_new ();
  job->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->job = job;

  if (kind == JOB_SYNC)
    {
      /* The waiters of the next sync are this one's. */
      g_ptr_array_extend_and_steal (job->waiters, g_steal_pointer (&self->next_waiters));
      self->next_waiters = g_ptr_array_new_with_free_func (g_object_unref);
      am_sync_set_backoff (job->sync, SYNC_FIRST_DELAY_MS, SYNC_MAX_DELAY_MS, SYNC_MAX_ATTEMPTS);
      set_syncing (self, TRUE);
      am_sync_scheduler_sync_started (self->scheduler);
      g_debug ("Sync started");
      am_sync_run_async (job->sync, job->cancellable, on_job_done_cb, job);
    }
  else
    {
      /* One attempt: what fails waits for the next sync. */
      am_sync_set_backoff (job->sync, SYNC_FIRST_DELAY_MS, SYNC_FIRST_DELAY_MS, 1);
      g_debug ("Push started");
      am_sync_push_async (job->sync, job->cancellable, on_job_done_cb, job);
    }
}

static gboolean
job_is_live (Job *job)
{
  return job != NULL && !g_cancellable_is_cancelled (job->cancellable);
}

/* A sync now, or the one running; @waiter (nullable) is answered when it ends. */
static void
request_sync (AmFacade *self,
              GTask    *waiter)
{
  if (waiter != NULL)
    follow_waiter_cancellable (waiter);

  if (job_is_live (self->job) && self->job->kind == JOB_SYNC)
    {
      if (waiter != NULL)
        g_ptr_array_add (self->job->waiters, g_object_ref (waiter));
      return;
    }

  if (waiter != NULL)
    g_ptr_array_add (self->next_waiters, g_object_ref (waiter));
  self->sync_wanted = TRUE;
  if (self->job == NULL)
    start_job (self, JOB_SYNC);
}

/* What is in the outbox to the cloud, now or after the job running. */
static void
request_push (AmFacade *self)
{
  if (self->client == NULL)
    return;
  self->push_wanted = TRUE;
  if (self->job == NULL)
    start_job (self, JOB_PUSH);
}

/* Stops talking to the cloud: the job running is cancelled, the ones
 * wanted dropped, their waiters told. */
static void
stop_jobs (AmFacade *self)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "Cancelled");

  stop_sync_timer (self);
  self->sync_wanted = FALSE;
  self->push_wanted = FALSE;
  if (self->job != NULL)
    g_cancellable_cancel (self->job->cancellable);
  if (self->next_waiters != NULL)
    answer_waiters (self->next_waiters, error);
}

/* Signed in, with @client holding the token: sync now and then, and now. */
static void
begin_session (AmFacade      *self,
               AmCloudClient *client)
{
  g_set_object (&self->client, client);
  reload_account (self);
  set_signed_in (self, TRUE);
  start_sync_timer (self);
  request_sync (self, NULL);
}

/* Signing in: the cloud's session made the cache's account */

typedef struct
{
  AmCloudClient  *client;
  char           *server;
  char           *email;
  char           *password;     /* wiped */
  AmCloudSession *session;
  char           *old_server;   /* the previous account's cloud */
} SignIn;

static void
sign_in_free (SignIn *data)
{
  g_clear_object (&data->client);
  g_free (data->server);
  g_free (data->email);
  am_secret_memory_free (g_steal_pointer (&data->password));
  g_clear_pointer (&data->session, am_cloud_session_free);
  g_free (data->old_server);
  g_free (data);
}

/* Fails the sign-in with @error, ending the session the cloud opened. */
static void
sign_in_fail (GTask  *task,
              GError *error)
{
  AmFacade *self = g_task_get_source_object (task);
  SignIn *data = g_task_get_task_data (task);

  if (error->domain == AM_CLOUD_ERROR)
    set_online (self, !is_unreached (error));
  if (data->session != NULL)
    drop_session (data->client);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
on_token_stored_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  AmFacade *self = g_task_get_source_object (task);
  SignIn *data = g_task_get_task_data (task);
  GError *error = NULL;
  AmAccount account = {
    data->server, data->session->user->id, data->session->user->name,
    data->session->user->email != NULL ? data->session->user->email : data->email,
    data->session->org->id, data->session->org->name, TRUE,
  };

  if (!am_vault_store_token_finish (AM_VAULT (source), result, &error) ||
      !am_store_set_account (self->store, &account, &error))
    {
      sign_in_fail (task, error);
      return;
    }

  g_debug ("Signed in at %s", data->server);
  set_sync_error (self, NULL);
  set_online (self, TRUE);
  begin_session (self, data->client);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
store_token (GTask *task)
{
  AmFacade *self = g_task_get_source_object (task);
  SignIn *data = g_task_get_task_data (task);

  am_vault_store_token_async (self->vault, data->server, data->session->token, NULL,
                              on_token_stored_cb, task);
}

static void
on_old_token_cleared_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GTask *task = user_data;
  AmFacade *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!am_vault_clear_token_finish (AM_VAULT (source), result, &error) ||
      !am_store_reset (self->store, &error))
    {
      sign_in_fail (task, error);
      return;
    }
  reload_account (self);
  update_outbox_count (self);
  update_last_sync (self);
  store_token (task);
}

static void
on_old_keys_cleared_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  AmFacade *self = g_task_get_source_object (task);
  SignIn *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!am_vault_clear_lock_keys_finish (AM_VAULT (source), result, &error))
    {
      sign_in_fail (task, error);
      return;
    }
  /* The other account's token goes too; on the same cloud the new one
   * replaces it. */
  am_vault_clear_token_async (self->vault, data->old_server, NULL, on_old_token_cleared_cb, task);
}

/* Makes the session the cache's account, after checking that the cache
 * holds nothing another account still has to send; nothing of another
 * account stays, neither its records nor its keys. */
static void
adopt_session (GTask *task)
{
  AmFacade *self = g_task_get_source_object (task);
  SignIn *data = g_task_get_task_data (task);

  reload_account (self);
  if (self->account != NULL &&
      (!g_str_equal (self->account->server, data->server) ||
       g_strcmp0 (self->account->user_id, data->session->user->id) != 0))
    {
      gint64 waiting = am_store_outbox_count (self->store);

      if (waiting > 0)
        {
          sign_in_fail (task, g_error_new (AM_ERROR, AM_ERROR_EXISTS,
                                           /* Translators: %u is a number of changes, the first %s a
                                            * person's name, the second a server address */
                                           g_dngettext (GETTEXT_PACKAGE,
                                                        "The local cache holds %u change by %s that has not reached %s yet. Sign in as them and sync first.",
                                                        "The local cache holds %u changes by %s that have not reached %s yet. Sign in as them and sync first.",
                                                        (gulong) waiting),
                                           (guint) waiting, self->account->user_name, self->account->server));
          return;
        }

      /* The previous account's session ends here. */
      stop_jobs (self);
      g_clear_object (&self->client);
      set_signed_in (self, FALSE);
      data->old_server = g_strdup (self->account->server);
      am_vault_clear_lock_keys_async (self->vault, data->old_server, NULL, NULL,
                                      on_old_keys_cleared_cb, task);
      return;
    }

  store_token (task);
}

static void
on_signed_in_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  SignIn *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->session = am_cloud_client_sign_in_finish (AM_CLOUD_CLIENT (source), result, &error);
  am_secret_memory_free (g_steal_pointer (&data->password));
  if (data->session == NULL)
    {
      sign_in_fail (task, error);
      return;
    }
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      sign_in_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled"));
      return;
    }
  if (data->session->token == NULL || data->session->user == NULL || data->session->org == NULL)
    {
      sign_in_fail (task, g_error_new_literal (AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE,
                                               _("The cloud’s answer to signing in was incomplete. Try again later, or ask your administrator.")));
      return;
    }
  /* From here on the sign-in is carried through: the result says what is. */
  g_task_set_check_cancellable (task, FALSE);
  adopt_session (task);
}

static void
sign_in (GTask *task)
{
  SignIn *data = g_task_get_task_data (task);

  am_cloud_client_sign_in_async (data->client, data->email, data->password, g_get_host_name (),
                                 g_task_get_cancellable (task), on_signed_in_cb, task);
}

static void
on_invitation_accepted_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  GTask *task = user_data;
  SignIn *data = g_task_get_task_data (task);
  g_autoptr(AmCloudSession) accepted = NULL;
  GError *error = NULL;

  accepted = am_cloud_client_accept_invitation_finish (AM_CLOUD_CLIENT (source), result, &error);
  if (accepted == NULL)
    {
      sign_in_fail (task, error);
      return;
    }
  if (accepted->user == NULL || accepted->user->email == NULL)
    {
      sign_in_fail (task, g_error_new_literal (AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE,
                                               _("The cloud accepted the invitation but did not say your email address. Sign in with your email address and the new password.")));
      return;
    }
  data->email = g_strdup (accepted->user->email);
  sign_in (task);
}

static GTask *
sign_in_task_new (AmFacade             *self,
                  const char           *server,
                  const char           *password,
                  gpointer              source_tag,
                  GCancellable         *cancellable,
                  GAsyncReadyCallback   callback,
                  gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  SignIn *data = g_new0 (SignIn, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_free);
  data->password = g_strdup (password);
  data->client = new_client (server, &error);
  if (data->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return NULL;
    }
  data->server = g_strdup (am_cloud_client_get_base_url (data->client));
  return g_steal_pointer (&task);
}

/* Restoring the session of the cache's account */

static void
on_token_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AmFacade *self = g_task_get_source_object (task);
  AmCloudClient *client = g_task_get_task_data (task);
  GError *error = NULL;
  char *token;

  token = am_vault_lookup_token_finish (AM_VAULT (source), result, &error);
  if (token == NULL && error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (token == NULL)
    {
      /* The keyring lost the session: sign in again. */
      g_debug ("The vault holds no session for %s", am_cloud_client_get_base_url (client));
      if (!am_store_set_signed_in (self->store, FALSE, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      reload_account (self);
      set_signed_in (self, FALSE);
      g_task_return_boolean (task, TRUE);
      return;
    }

  am_cloud_client_set_token (client, token);
  am_secret_memory_free (token);
  begin_session (self, client);
  g_task_return_boolean (task, TRUE);
}

/* Signing out */

typedef struct
{
  char   *server;
  GError *error;      /* the first error; signing out goes on */
} SignOut;

static void
sign_out_free (SignOut *data)
{
  g_free (data->server);
  g_clear_error (&data->error);
  g_free (data);
}

static void
sign_out_note_error (SignOut *data,
                     GError  *error)
{
  if (data->error == NULL)
    data->error = error;
  else
    g_error_free (error);
}

static void
sign_out_finish_locally (GTask *task)
{
  AmFacade *self = g_task_get_source_object (task);
  SignOut *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!am_store_set_signed_in (self->store, FALSE, &error))
    sign_out_note_error (data, error);
  reload_account (self);
  set_signed_in (self, FALSE);

  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
on_keys_cleared_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  SignOut *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!am_vault_clear_lock_keys_finish (AM_VAULT (source), result, &error))
    sign_out_note_error (data, error);
  sign_out_finish_locally (task);
}

static void
on_token_cleared_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  AmFacade *self = g_task_get_source_object (task);
  SignOut *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!am_vault_clear_token_finish (AM_VAULT (source), result, &error))
    sign_out_note_error (data, error);
  am_vault_clear_lock_keys_async (self->vault, data->server, NULL, NULL, on_keys_cleared_cb, task);
}

static void
on_cloud_signed_out_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  AmFacade *self = g_task_get_source_object (task);
  SignOut *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* The cloud may be out of reach: signing out here still counts. */
  if (!am_cloud_client_sign_out_finish (AM_CLOUD_CLIENT (source), result, &error))
    g_debug ("Could not end the session in the cloud: %s", error->message);
  am_vault_clear_token_async (self->vault, data->server, NULL, on_token_cleared_cb, task);
}

/* Issuing a code */

typedef struct
{
  AmLock         *lock;
  AmIssueRequest  request;      /* strings and times owned */
  char            code[AM_PASSCODE_MAX_DIGITS + 1];
  gboolean        waited_for_sync;
  gulong          syncing_handler;
} Issue;

static void
issue_free (Issue *data)
{
  am_secret_memory_wipe (data->code, sizeof data->code);
  g_clear_object (&data->lock);
  g_clear_pointer (&data->request.start, g_date_time_unref);
  g_clear_pointer (&data->request.end, g_date_time_unref);
  g_free ((char *) data->request.recipient_name);
  g_free ((char *) data->request.recipient_contact);
  g_free ((char *) data->request.purpose);
  g_free ((char *) data->request.note);
  g_free (data);
}

static GError *
not_signed_in_error (void)
{
  return g_error_new_literal (AM_ERROR, AM_ERROR_NOT_SIGNED_IN,
                              _("You are not signed in. Sign in, then try again."));
}

static GError *
same_window_error (AmPasscodeRecord *same)
{
  const char *name = am_passcode_record_get_recipient_name (same);

  return g_error_new (AM_ERROR, AM_ERROR_EXISTS,
                      /* Translators: %s is a person's name; the code would be the same digits */
                      _("This lock already has a code for exactly this window, issued for %s: it would be the same code. Make the window one hour shorter, or share that code."),
                      name != NULL ? name : _("no one in particular"));
}

static void on_lock_key_found_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data);

/* The sync that was under way when the key was not found is over: look
 * for the key again, of the lock as the sync left it. */
static void
on_issue_sync_over_cb (GTask *task)
{
  AmFacade *self = g_task_get_source_object (task);
  Issue *data = g_task_get_task_data (task);
  g_autoptr(AmLock) lock = NULL;

  if (self->syncing)
    return;

  g_clear_signal_handler (&data->syncing_handler, self);
  lock = am_store_get_lock (self->store, am_lock_get_id (data->lock));
  if (lock != NULL)
    g_set_object (&data->lock, lock);
  reload_account (self);
  if (self->account == NULL)
    {
      g_task_return_error (task, not_signed_in_error ());
      g_object_unref (task);
      return;
    }
  am_vault_lookup_lock_key_async (self->vault, self->account->server, am_lock_get_id (data->lock),
                                  am_lock_get_kv (data->lock), g_task_get_cancellable (task),
                                  on_lock_key_found_cb, task);
}

static void
on_lock_key_found_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AmFacade *self = g_task_get_source_object (task);
  Issue *data = g_task_get_task_data (task);
  g_autoptr(GBytes) key = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(AmPasscodeRecord) same = NULL;
  GError *error = NULL;

  key = am_vault_lookup_lock_key_finish (AM_VAULT (source), result, &error);
  if (key == NULL && error == NULL && self->syncing && !data->waited_for_sync &&
      !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      /* Just signed in, the first sync may be fetching this very key:
       * look again once it is over rather than send the user to sync. */
      data->waited_for_sync = TRUE;
      data->syncing_handler = g_signal_connect_swapped (self, "notify::syncing",
                                                        G_CALLBACK (on_issue_sync_over_cb),
                                                        g_steal_pointer (&task));
      return;
    }
  if (key == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (AM_ERROR, AM_ERROR_NO_KEY,
                                     _("This computer holds no key for this lock. Sync while online to fetch it, then try again."));
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  if (self->account == NULL)
    {
      g_task_return_error (task, not_signed_in_error ());
      return;
    }

  record = am_issue_passcode (data->lock, self->account, &data->request, key,
                              g_get_real_time () / G_USEC_PER_SEC, data->code, &error);
  if (record == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  same = am_store_find_same_window (self->store, am_lock_get_id (data->lock),
                                    am_passcode_record_get_kv (record),
                                    am_passcode_record_get_start_h (record),
                                    am_passcode_record_get_p (record));
  if (same != NULL)
    {
      am_secret_memory_wipe (data->code, sizeof data->code);
      g_task_return_error (task, same_window_error (same));
      return;
    }

  /* Stored with its outbox entry before anyone sees the code. */
  if (!am_store_issue_passcode (self->store, record, &error))
    {
      am_secret_memory_wipe (data->code, sizeof data->code);
      g_task_return_error (task, error);
      return;
    }
  g_debug ("Issued passcode %s on lock %s", am_passcode_record_get_id (record), am_lock_get_id (data->lock));

  /* The task is answered from an idle; the push starts after it. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_return_pointer (task, g_object_ref (record), g_object_unref);
  request_push (self);
}

/* Bluetooth */

static void
on_adapter_changed_cb (AmBluez  *bluez,
                       AmFacade *self)
{
  update_bluetooth_state (self);
}

static void
on_bluez_available_cb (AmBluez    *bluez,
                       GParamSpec *pspec,
                       AmFacade   *self)
{
  update_bluetooth_state (self);
}

static void
on_bluez_ready_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(AmFacade) self = g_weak_ref_get (weak);
  g_autoptr(AmBluez) bluez = NULL;
  g_autoptr(GError) error = NULL;

  g_weak_ref_clear (weak);
  g_free (weak);

  bluez = am_bluez_new_finish (result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bluez == NULL)
    {
      g_debug ("No Bluetooth: %s", error->message);
      set_bluetooth_state (self, AM_BLUETOOTH_UNAVAILABLE);
      return;
    }

  self->bluez = g_steal_pointer (&bluez);
  g_signal_connect_object (self->bluez, "adapter-changed",
                           G_CALLBACK (on_adapter_changed_cb), self, 0);
  g_signal_connect_object (self->bluez, "notify::available",
                           G_CALLBACK (on_bluez_available_cb), self, 0);
  update_bluetooth_state (self);
}

static void
on_session_state_cb (AmBleSession *session,
                     GParamSpec   *pspec,
                     AmFacade     *self)
{
  AmBleSessionState state = am_ble_session_get_state (session);

  /* What the visit brought back, the unlock and the lock's log, is stored
   * with its outbox entries: to the cloud with it. */
  if (state == AM_BLE_SESSION_DONE || state == AM_BLE_SESSION_FAILED)
    request_push (self);
}

/* The cache */

/* The first uses a write brought, of codes the signed-in user issued. */
static void
tell_first_uses (AmFacade *self)
{
  g_autoptr(GPtrArray) passcodes = am_store_take_first_uses (self->store);

  for (guint i = 0; passcodes != NULL && i < passcodes->len; i++)
    {
      AmPasscodeRecord *passcode = g_ptr_array_index (passcodes, i);
      g_autoptr(AmLock) lock = NULL;

      if (self->account == NULL ||
          g_strcmp0 (am_passcode_record_get_created_by_id (passcode), self->account->user_id) != 0)
        continue;
      lock = am_store_get_lock (self->store, am_passcode_record_get_lock_id (passcode));
      if (lock != NULL)
        g_signal_emit (self, signals[PASSCODE_FIRST_USED], 0, passcode, lock);
    }
}

static void
tell_low_batteries (AmFacade *self)
{
  g_autoptr(GPtrArray) locks = am_store_take_low_batteries (self->store);

  for (guint i = 0; locks != NULL && i < locks->len; i++)
    g_signal_emit (self, signals[BATTERY_LOW], 0, g_ptr_array_index (locks, i));
}

static void
on_store_changed_cb (AmStore  *store,
                     guint     type,
                     GArray   *rowids,
                     AmFacade *self)
{
  if (type == AM_RECORD_OUTBOX)
    update_outbox_count (self);
  else if (type == AM_RECORD_PASSCODE)
    tell_first_uses (self);
  else if (type == AM_RECORD_LOCK)
    tell_low_batteries (self);
}

/* GObject */

static void
am_facade_dispose (GObject *object)
{
  AmFacade *self = AM_FACADE (object);

  g_cancellable_cancel (self->cancellable);
  stop_jobs (self);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);

  if (self->scheduler != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->scheduler, self);
      am_sync_scheduler_stop (self->scheduler);
    }
  g_clear_object (&self->scheduler);
  g_clear_object (&self->bluez);
  g_clear_object (&self->client);
  g_clear_object (&self->vault);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (am_facade_parent_class)->dispose (object);
}

static void
am_facade_finalize (GObject *object)
{
  AmFacade *self = AM_FACADE (object);

  g_clear_pointer (&self->account, am_account_free);
  g_clear_pointer (&self->sync_error, g_free);
  g_clear_pointer (&self->next_waiters, g_ptr_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (am_facade_parent_class)->finalize (object);
}

static void
am_facade_get_property_impl (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  AmFacade *self = AM_FACADE (object);

  switch (prop_id)
    {
    case PROP_SIGNED_IN:
      g_value_set_boolean (value, self->signed_in);
      break;
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case PROP_SYNCING:
      g_value_set_boolean (value, self->syncing);
      break;
    case PROP_OUTBOX_COUNT:
      g_value_set_uint (value, self->outbox_count);
      break;
    case PROP_LAST_SYNC:
      g_value_set_int64 (value, self->last_sync);
      break;
    case PROP_SYNC_ERROR:
      g_value_set_string (value, self->sync_error);
      break;
    case PROP_BLUETOOTH_STATE:
      g_value_set_enum (value, self->bluetooth_state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_facade_class_init (AmFacadeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = am_facade_dispose;
  object_class->finalize = am_facade_finalize;
  object_class->get_property = am_facade_get_property_impl;

  /**
   * AmFacade:signed-in:
   *
   * Whether a session is open: the vault holds its token.
   */
  properties[PROP_SIGNED_IN] =
    g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * AmFacade:online:
   *
   * Whether the last call to the cloud got an answer (%TRUE until one
   * did not).
   */
  properties[PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * AmFacade:syncing:
   *
   * Whether a sync is under way.
   */
  properties[PROP_SYNCING] =
    g_param_spec_boolean ("syncing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * AmFacade:outbox-count:
   *
   * The changes made here that wait for the cloud.
   */
  properties[PROP_OUTBOX_COUNT] =
    g_param_spec_uint ("outbox-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * AmFacade:last-sync:
   *
   * When the last sync ended well, UTC seconds; 0 for never.
   */
  properties[PROP_LAST_SYNC] =
    g_param_spec_int64 ("last-sync", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * AmFacade:sync-error:
   *
   * The sentence of the last sync's failure, or %NULL when it went well.
   */
  properties[PROP_SYNC_ERROR] =
    g_param_spec_string ("sync-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * AmFacade:bluetooth-state:
   *
   * Whether Bluetooth can be used, or why not.
   */
  properties[PROP_BLUETOOTH_STATE] =
    g_param_spec_enum ("bluetooth-state", NULL, NULL,
                       AM_TYPE_BLUETOOTH_STATE, AM_BLUETOOTH_UNKNOWN,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AmFacade::passcode-first-used:
   * @self: the façade
   * @passcode: the passcode, as the cache has it now
   * @lock: its lock
   *
   * A passcode the signed-in user issued has been used for the first
   * time, as a sync (or a write of the cache) has just told; once a
   * passcode, never for one the cache first saw already used.
   */
  signals[PASSCODE_FIRST_USED] =
    g_signal_new ("passcode-first-used", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  AM_TYPE_PASSCODE_RECORD, AM_TYPE_LOCK);

  /**
   * AmFacade::battery-low:
   * @self: the façade
   * @lock: the lock
   *
   * A lock's battery, as the cloud reports it, has just fallen below
   * %AM_LOCK_BATTERY_LOW percent: once a fall.
   */
  signals[BATTERY_LOW] =
    g_signal_new ("battery-low", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, AM_TYPE_LOCK);
}

static void
am_facade_init (AmFacade *self)
{
  self->cancellable = g_cancellable_new ();
  self->online = TRUE;
  self->bluetooth_state = AM_BLUETOOTH_UNKNOWN;
  self->scheduler = am_sync_scheduler_new ();
  am_sync_scheduler_set_interval (self->scheduler, DEFAULT_SYNC_INTERVAL_S);
  g_signal_connect (self->scheduler, "sync-due", G_CALLBACK (on_sync_due_cb), self);
  self->proximity_threshold = AM_BLUEZ_RSSI_THRESHOLD;
  self->next_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Public API */

/**
 * am_facade_new:
 * @data_dir: (nullable): the folder of the cache, `cache.sqlite` in it;
 *   %NULL for the folder of am_store_default_path()
 * @error: a location for a #GError
 *
 * Opens (or makes) the cache and starts following Bluetooth. The session
 * of the cache's account is not restored until am_facade_restore_async().
 *
 * Returns: (transfer full) (nullable): the façade
 */
AmFacade *
am_facade_new (const char  *data_dir,
               GError     **error)
{
  g_autoptr(AmFacade) self = NULL;
  g_autofree char *path = NULL;
  GWeakRef *weak;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The classes a SoupSession needs are made here, on this thread, before
   * GDBus's worker thread starts (Bluetooth and the vault, below): in GLib 2.74
   * one thread initialising a class (SoupSession's, needing
   * GInetSocketAddress) while another registers a type it needs
   * (GSocketAddress, for a D-Bus connection) deadlocks both, and the app
   * hung at its start now and then (test-crash found it). */
  g_type_class_unref (g_type_class_ref (SOUP_TYPE_SESSION));

  path = data_dir != NULL ? g_build_filename (data_dir, "cache.sqlite", NULL) : am_store_default_path ();
  self = g_object_new (AM_TYPE_FACADE, NULL);
  self->store = am_store_open (path, error);
  if (self->store == NULL)
    return NULL;
  self->vault = am_vault_new ();
  self->account = am_store_get_account (self->store);
  self->outbox_count = (guint) CLAMP (am_store_outbox_count (self->store), 0, G_MAXUINT);
  self->last_sync = am_store_get_last_sync (self->store);
  g_signal_connect_object (self->store, "changed", G_CALLBACK (on_store_changed_cb), self, 0);

  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  am_bluez_new_async (self->cancellable, on_bluez_ready_cb, weak);

  return g_steal_pointer (&self);
}

/**
 * am_facade_get_store:
 * @self: a façade
 *
 * Returns: (transfer none): the cache
 */
AmStore *
am_facade_get_store (AmFacade *self)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);

  return self->store;
}

/**
 * am_facade_get_recovery_notice:
 * @self: a façade
 *
 * Returns: (nullable): the sentence telling that an unreadable cache was
 *   set aside and a new one started, or %NULL
 */
const char *
am_facade_get_recovery_notice (AmFacade *self)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);

  return am_store_get_recovery_notice (self->store);
}

/**
 * am_facade_get_account:
 * @self: a façade
 *
 * Returns: (nullable): who the cache belongs to (also once signed out), or
 *   %NULL for no one yet; valid until the account changes (sign-in, sign-out,
 *   a session the cloud ended)
 */
const AmAccount *
am_facade_get_account (AmFacade *self)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);

  return self->account;
}

gboolean
am_facade_get_signed_in (AmFacade *self)
{
  g_return_val_if_fail (AM_IS_FACADE (self), FALSE);

  return self->signed_in;
}

/**
 * am_facade_restore_async:
 * @self: a façade
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Picks up the session of the cache's account with the token from the
 * vault, then syncs every am_facade_set_sync_interval() seconds and once
 * now (not waited for). Without an account, or signed out, it finishes with
 * #AmFacade:signed-in %FALSE; so it does when the vault lost the token.
 * A vault that cannot be read is an error; the cache can be shown anyway.
 */
void
am_facade_restore_async (AmFacade            *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(AmCloudClient) client = NULL;
  GError *error = NULL;

  g_return_if_fail (AM_IS_FACADE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_facade_restore_async);

  reload_account (self);
  if (self->account == NULL || !self->account->signed_in)
    {
      set_signed_in (self, FALSE);
      g_task_return_boolean (task, TRUE);
      return;
    }

  client = new_client (self->account->server, &error);
  if (client == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, g_steal_pointer (&client), g_object_unref);
  am_vault_lookup_token_async (self->vault, self->account->server, cancellable,
                               on_token_found_cb, g_steal_pointer (&task));
}

gboolean
am_facade_restore_finish (AmFacade      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_facade_restore_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * am_facade_sign_in_async:
 * @self: a façade
 * @server: the cloud's address, e.g. `https://cloud.example.com`
 * @email: the user's email address
 * @password: their password (copied, and the copy wiped)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Signs in and makes the user the cache's account. A cache that holds
 * changes of another account not yet in its cloud is refused; otherwise
 * the records and the keys of another account go. The session token goes
 * to the vault; then a sync starts (not waited for) and repeats.
 */
void
am_facade_sign_in_async (AmFacade            *self,
                         const char          *server,
                         const char          *email,
                         const char          *password,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (AM_IS_FACADE (self));
  g_return_if_fail (server != NULL);
  g_return_if_fail (email != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = sign_in_task_new (self, server, password, am_facade_sign_in_async,
                           cancellable, callback, user_data);
  if (task == NULL)
    return;
  ((SignIn *) g_task_get_task_data (task))->email = g_strdup (email);
  sign_in (task);
}

gboolean
am_facade_sign_in_finish (AmFacade      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_facade_sign_in_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * am_facade_accept_invitation_async:
 * @self: a façade
 * @server: the cloud's address
 * @invite_token: the invitation's token
 * @name: the user's name, as colleagues will see it
 * @password: the new password (copied, and the copy wiped)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Accepts an invitation, then signs in as the new user, as
 * am_facade_sign_in_async() does.
 */
void
am_facade_accept_invitation_async (AmFacade            *self,
                                   const char          *server,
                                   const char          *invite_token,
                                   const char          *name,
                                   const char          *password,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  SignIn *data;

  g_return_if_fail (AM_IS_FACADE (self));
  g_return_if_fail (server != NULL);
  g_return_if_fail (invite_token != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = sign_in_task_new (self, server, password, am_facade_accept_invitation_async,
                           cancellable, callback, user_data);
  if (task == NULL)
    return;
  data = g_task_get_task_data (task);
  am_cloud_client_accept_invitation_async (data->client, invite_token, name, data->password,
                                           cancellable, on_invitation_accepted_cb, task);
}

gboolean
am_facade_accept_invitation_finish (AmFacade      *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_facade_accept_invitation_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * am_facade_sign_out_async:
 * @self: a façade
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Ends the session in the cloud where it can be reached (signing out here
 * counts either way), takes the token and the lock keys out of the vault,
 * and marks the cache signed out; the cached records stay, for reading.
 * Syncing stops. An error (of the vault, or the cache) says what stayed;
 * the façade is signed out all the same.
 */
void
am_facade_sign_out_async (AmFacade            *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(AmCloudClient) client = NULL;
  SignOut *data;

  g_return_if_fail (AM_IS_FACADE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_facade_sign_out_async);
  /* Once begun, signing out is carried through. */
  g_task_set_check_cancellable (task, FALSE);

  stop_jobs (self);
  client = g_steal_pointer (&self->client);
  reload_account (self);
  if (self->account == NULL)
    {
      set_signed_in (self, FALSE);
      g_task_return_boolean (task, TRUE);
      return;
    }

  data = g_new0 (SignOut, 1);
  data->server = g_strdup (self->account->server);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_out_free);

  if (client != NULL)
    {
      am_cloud_client_set_timeout (client, SIGN_OUT_TIMEOUT_S);
      am_cloud_client_sign_out_async (client, NULL, on_cloud_signed_out_cb, g_steal_pointer (&task));
    }
  else
    am_vault_clear_token_async (self->vault, data->server, NULL, on_token_cleared_cb, g_steal_pointer (&task));
}

gboolean
am_facade_sign_out_finish (AmFacade      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_facade_sign_out_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * am_facade_sync_async:
 * @self: a façade
 * @cancellable: (nullable): a #GCancellable: stops the waiting, not the sync
 * @callback: called when the sync ends
 * @user_data: data for @callback
 *
 * Syncs now: pushes the outbox, pulls what changed, fetches the lock keys.
 * While one sync runs, a second call joins it. When it ends, the
 * properties tell whether the cloud answered (#AmFacade:online), the
 * error's sentence (#AmFacade:sync-error), the last sync and the outbox; a
 * session the cloud ended turns #AmFacade:signed-in %FALSE.
 *
 * Without a session it fails with %AM_ERROR_NOT_SIGNED_IN.
 */
void
am_facade_sync_async (AmFacade            *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (AM_IS_FACADE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_facade_sync_async);

  if (self->client == NULL)
    {
      g_task_return_new_error (task, AM_ERROR, AM_ERROR_NOT_SIGNED_IN,
                               _("You are not signed in. Sign in to sync with your company’s cloud."));
      return;
    }
  request_sync (self, task);
}

gboolean
am_facade_sync_finish (AmFacade      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_facade_sync_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * am_facade_set_sync_interval:
 * @self: a façade
 * @seconds: between two syncs while signed in; 0 for none
 *
 * 300 seconds at first.
 */
void
am_facade_set_sync_interval (AmFacade *self,
                             guint     seconds)
{
  g_return_if_fail (AM_IS_FACADE (self));

  am_sync_scheduler_set_interval (self->scheduler, seconds);
}

gboolean
am_facade_get_online (AmFacade *self)
{
  g_return_val_if_fail (AM_IS_FACADE (self), FALSE);

  return self->online;
}

gboolean
am_facade_get_syncing (AmFacade *self)
{
  g_return_val_if_fail (AM_IS_FACADE (self), FALSE);

  return self->syncing;
}

guint
am_facade_get_outbox_count (AmFacade *self)
{
  g_return_val_if_fail (AM_IS_FACADE (self), 0);

  return self->outbox_count;
}

gint64
am_facade_get_last_sync (AmFacade *self)
{
  g_return_val_if_fail (AM_IS_FACADE (self), 0);

  return self->last_sync;
}

const char *
am_facade_get_sync_error (AmFacade *self)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);

  return self->sync_error;
}

/* Background sync, notifications and export (issue 7). The signals
 * "passcode-first-used" and "battery-low" are in class_init. */

/**
 * am_facade_get_sync_scheduler:
 * @self: a façade
 *
 * What decides when to sync in the background (the interval, the network
 * coming back, a wake from suspend); for tests and for showing its state.
 *
 * Returns: (transfer none): the scheduler
 */
AmSyncScheduler *
am_facade_get_sync_scheduler (AmFacade *self)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);

  return self->scheduler;
}

typedef struct
{
  char   *cache_path;
  char   *lock_id;
  char   *property_id;
  gint64  from;
  gint64  to;
  GFile  *file;
  guint   n_rows;
} Export;

static void
export_free (Export *data)
{
  g_free (data->cache_path);
  g_free (data->lock_id);
  g_free (data->property_id);
  g_clear_object (&data->file);
  g_free (data);
}

/* In a worker thread, on a connection of its own to the cache. */
static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Export *data = task_data;
  g_autoptr(AmStore) reader = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GCancellable) discard = NULL;
  GError *error = NULL;

  reader = am_store_open_reader (data->cache_path, &error);
  if (reader == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  out = g_file_replace (data->file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                        cancellable, &error);
  if (out == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (data->file);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GError *sentence = g_error_new (AM_ERROR, AM_ERROR_STORAGE,
                                          _("“%s” could not be written (%s). Choose another file or folder."),
                                          name, error->message);
          g_clear_error (&error);
          error = sentence;
        }
      g_task_return_error (task, error);
      return;
    }

  if (!am_export_write_csv (reader, data->lock_id, data->property_id, data->from, data->to,
                            G_OUTPUT_STREAM (out), &data->n_rows, cancellable, &error))
    {
      /* Closing with a cancelled cancellable drops the half-written
       * file and keeps what was there before. */
      discard = g_cancellable_new ();
      g_cancellable_cancel (discard);
      g_output_stream_close (G_OUTPUT_STREAM (out), discard, NULL);
      g_task_return_error (task, error);
      return;
    }
  if (!g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * am_facade_export_csv_async:
 * @self: a façade
 * @lock_id: (nullable): a lock, or %NULL for every lock of @property_id
 * @property_id: (nullable): a property, when @lock_id is %NULL
 * @from: UTC seconds, the start of the range
 * @to: UTC seconds, the end of the range (excluded); 0 for no end
 * @file: the CSV file to write; replaced if it exists
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the file is written
 * @user_data: for @callback
 *
 * Writes the passcodes and lock events of a lock or of a property over a
 * range of time, from the cache, as CSV (the columns are in am-export.c),
 * in a worker thread. A failed or cancelled export leaves no file behind.
 */
void
am_facade_export_csv_async (AmFacade            *self,
                            const char          *lock_id,
                            const char          *property_id,
                            gint64               from,
                            gint64               to,
                            GFile               *file,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Export *data;

  g_return_if_fail (AM_IS_FACADE (self));
  g_return_if_fail (lock_id != NULL || property_id != NULL);
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_facade_export_csv_async);
  data = g_new0 (Export, 1);
  data->cache_path = g_strdup (am_store_get_path (self->store));
  data->lock_id = g_strdup (lock_id);
  data->property_id = g_strdup (property_id);
  data->from = from;
  data->to = to;
  data->file = g_object_ref (file);
  g_task_set_task_data (task, data, (GDestroyNotify) export_free);
  g_task_run_in_thread (task, export_thread);
}

/**
 * am_facade_export_csv_finish:
 * @self: a façade
 * @result: the result given to the callback
 * @n_rows: (out) (optional): the passcodes and events written
 * @error: a location for a #GError
 *
 * Returns: %TRUE when the file is written
 */
gboolean
am_facade_export_csv_finish (AmFacade      *self,
                             GAsyncResult  *result,
                             guint         *n_rows,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_facade_export_csv_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (n_rows != NULL)
    *n_rows = ((Export *) g_task_get_task_data (G_TASK (result)))->n_rows;
  return TRUE;
}

/**
 * am_facade_list_properties:
 * @self: a façade
 *
 * Returns: (transfer full): a new list of the cached properties by name,
 *   kept fresh by sync; each call makes another, with a search of its own
 */
AmRecordList *
am_facade_list_properties (AmFacade *self)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);

  return am_record_list_new_properties (self->store);
}

/**
 * am_facade_list_locks:
 * @self: a façade
 * @property_id: (nullable): a property, or %NULL for every lock
 *
 * Returns: (transfer full): a new list of the property's locks by name
 */
AmRecordList *
am_facade_list_locks (AmFacade   *self,
                      const char *property_id)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);

  return am_record_list_new_locks (self->store, property_id);
}

/**
 * am_facade_get_grant:
 * @self: a façade
 * @property_id: a property
 *
 * Returns: (transfer full) (nullable): what the user may do on it
 */
AmGrant *
am_facade_get_grant (AmFacade   *self,
                     const char *property_id)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);
  g_return_val_if_fail (property_id != NULL, NULL);

  return am_store_get_grant (self->store, property_id);
}

/**
 * am_facade_get_property:
 * @self: a façade
 * @property_id: a property
 *
 * Returns: (transfer full) (nullable): the property, from the cache
 */
AmProperty *
am_facade_get_property (AmFacade   *self,
                        const char *property_id)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);
  g_return_val_if_fail (property_id != NULL, NULL);

  return am_store_get_property (self->store, property_id);
}

/**
 * am_facade_count_locks:
 * @self: a façade
 * @property_id: (nullable): a property, or %NULL for every lock
 *
 * Returns: how many locks the cache holds of the property
 */
guint
am_facade_count_locks (AmFacade   *self,
                       const char *property_id)
{
  g_autoptr(GArray) ids = NULL;
  gint64 n;

  g_return_val_if_fail (AM_IS_FACADE (self), 0);

  /* Counted without reading them: a list view asks it for every row. */
  n = property_id != NULL ? am_store_count_ids (self->store, AM_STORE_LIST_LOCKS, property_id) : -1;
  if (n >= 0)
    return (guint) n;
  ids = am_store_load_ids (self->store, AM_STORE_LIST_LOCKS, property_id, G_MAXUINT);
  return ids->len;
}

/**
 * am_facade_preview_window:
 * @self: a façade
 * @lock: the lock
 * @request: what the issuer asks for (only @kind, @start and @end are read)
 * @window: (out caller-allocates): the window the lock will grant
 * @error: a location for a #GError
 *
 * The window as the lock will see it (the start rounded down to the lock's
 * hour, the end never later than asked), checked against the clock.
 *
 * Returns: %TRUE when a code can be issued for it; else @error's sentence
 *   says why not
 */
gboolean
am_facade_preview_window (AmFacade              *self,
                          AmLock                *lock,
                          const AmIssueRequest  *request,
                          AmPasscodeWindow      *window,
                          GError               **error)
{
  g_return_val_if_fail (AM_IS_FACADE (self), FALSE);
  g_return_val_if_fail (AM_IS_LOCK (lock), FALSE);
  g_return_val_if_fail (request != NULL && request->start != NULL && request->end != NULL, FALSE);
  g_return_val_if_fail (window != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return am_passcode_window_quantise (request->start, request->end, request->kind,
                                      am_lock_get_q_offset_s (lock), window, error) &&
         am_passcode_window_check_issuable (window, g_get_real_time () / G_USEC_PER_SEC, error);
}

/**
 * am_facade_find_same_window:
 * @self: a façade
 * @lock: the lock
 * @window: a window from am_facade_preview_window()
 *
 * A code issued for exactly this window with the lock's current key would
 * have the same digits; am_facade_issue_passcode_async() refuses to.
 *
 * Returns: (transfer full) (nullable): the code already issued for it
 */
AmPasscodeRecord *
am_facade_find_same_window (AmFacade               *self,
                            AmLock                 *lock,
                            const AmPasscodeWindow *window)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);
  g_return_val_if_fail (AM_IS_LOCK (lock), NULL);
  g_return_val_if_fail (window != NULL, NULL);

  return am_store_find_same_window (self->store, am_lock_get_id (lock), am_lock_get_kv (lock),
                                    window->start_h, window->p);
}

/**
 * am_facade_issue_passcode_async:
 * @self: a façade
 * @lock: the lock
 * @request: the window and whom the code is for (copied)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Issues a code, also offline, with the lock key from the vault: checks
 * the user's permission, derives the code, and stores the passcode with its
 * outbox entry before it finishes. Then, not waited for, the outbox goes
 * to the cloud where it can be reached (#AmFacade:online and
 * #AmFacade:outbox-count follow); else it waits for the next sync.
 */
void
am_facade_issue_passcode_async (AmFacade             *self,
                                AmLock               *lock,
                                const AmIssueRequest *request,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(AmGrant) grant = NULL;
  Issue *data;

  g_return_if_fail (AM_IS_FACADE (self));
  g_return_if_fail (AM_IS_LOCK (lock));
  g_return_if_fail (request != NULL && request->start != NULL && request->end != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_facade_issue_passcode_async);

  data = g_new0 (Issue, 1);
  data->lock = g_object_ref (lock);
  data->request.kind = request->kind;
  data->request.start = g_date_time_ref (request->start);
  data->request.end = g_date_time_ref (request->end);
  data->request.recipient_name = g_strdup (request->recipient_name);
  data->request.recipient_contact = g_strdup (request->recipient_contact);
  data->request.purpose = g_strdup (request->purpose);
  data->request.note = g_strdup (request->note);
  g_task_set_task_data (task, data, (GDestroyNotify) issue_free);

  reload_account (self);
  if (self->account == NULL)
    {
      g_task_return_error (task, not_signed_in_error ());
      return;
    }
  grant = am_store_get_grant (self->store, am_lock_get_property_id (lock));
  if (grant == NULL || !am_grant_has_permission (grant, AM_PERMISSION_GENERATE_CODES))
    {
      g_task_return_new_error (task, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                               _("You may not generate codes for this property. Ask your administrator for the permission."));
      return;
    }

  am_vault_lookup_lock_key_async (self->vault, self->account->server, am_lock_get_id (lock),
                                  am_lock_get_kv (lock), cancellable,
                                  on_lock_key_found_cb, g_steal_pointer (&task));
}

/**
 * am_facade_issue_passcode_finish:
 * @self: a façade
 * @result: the result
 * @code: (out caller-allocates) (nullable): AM_PASSCODE_MAX_DIGITS + 1
 *   bytes for the code's digits, to be shown once and wiped by the caller
 *   with am_secret_memory_wipe()
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the passcode's record, stored
 */
AmPasscodeRecord *
am_facade_issue_passcode_finish (AmFacade      *self,
                                 GAsyncResult  *result,
                                 char          *code,
                                 GError       **error)
{
  AmPasscodeRecord *record;
  Issue *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_facade_issue_passcode_async, NULL);

  record = g_task_propagate_pointer (G_TASK (result), error);
  data = g_task_get_task_data (G_TASK (result));
  if (record != NULL && code != NULL)
    memcpy (code, data->code, sizeof data->code);
  if (data != NULL)
    am_secret_memory_wipe (data->code, sizeof data->code);
  return record;
}

AmBluetoothState
am_facade_get_bluetooth_state (AmFacade *self)
{
  g_return_val_if_fail (AM_IS_FACADE (self), AM_BLUETOOTH_UNKNOWN);

  return self->bluetooth_state;
}

/**
 * am_facade_set_proximity_threshold:
 * @self: a façade
 * @dbm: the signal strength a lock must reach to be near, e.g. -70
 *
 * For the unlock sessions made from now on.
 */
void
am_facade_set_proximity_threshold (AmFacade *self,
                                   gint      dbm)
{
  g_return_if_fail (AM_IS_FACADE (self));

  self->proximity_threshold = dbm;
}

/**
 * am_facade_new_unlock_session:
 * @self: a façade
 * @lock: the lock at whose door the user stands
 * @error: a location for a #GError
 *
 * A visit to @lock, for the caller to run (am_ble_session_run_async()) and
 * to show its states. What it brings back, the unlock and the lock's log,
 * goes to the cloud by itself once the session is done or failed: the
 * façade pushes the outbox then, and #AmFacade:outbox-count follows.
 *
 * Returns: (transfer full) (nullable): the session; %NULL with an error
 *   sentence without an account, the permission, or Bluetooth
 */
AmBleSession *
am_facade_new_unlock_session (AmFacade  *self,
                              AmLock    *lock,
                              GError   **error)
{
  g_autoptr(AmGrant) grant = NULL;
  AmBleSession *session;

  g_return_val_if_fail (AM_IS_FACADE (self), NULL);
  g_return_val_if_fail (AM_IS_LOCK (lock), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reload_account (self);
  if (self->account == NULL)
    {
      g_propagate_error (error, not_signed_in_error ());
      return NULL;
    }
  grant = am_store_get_grant (self->store, am_lock_get_property_id (lock));
  if (grant == NULL || !am_grant_has_permission (grant, AM_PERMISSION_BLE_UNLOCK))
    {
      g_set_error_literal (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                           _("You may not open this lock over Bluetooth. Ask your administrator for the permission."));
      return NULL;
    }
  if (self->bluez == NULL)
    {
      if (self->bluetooth_state == AM_BLUETOOTH_UNKNOWN)
        g_set_error_literal (error, AM_ERROR, AM_ERROR_BLUETOOTH_UNAVAILABLE,
                             _("Bluetooth is still starting. Try again in a moment."));
      else
        g_set_error_literal (error, AM_ERROR, AM_ERROR_BLUETOOTH_UNAVAILABLE,
                             _("The Bluetooth service is not running. Start it, or ask "
                               "whoever looks after this computer, then try again."));
      return NULL;
    }
  if (!am_bluez_check_adapter (self->bluez, error))
    return NULL;

  session = am_ble_session_new (self->bluez, self->store, self->vault, self->account, lock,
                                self->proximity_threshold);
  g_signal_connect_object (session, "notify::state", G_CALLBACK (on_session_state_cb), self, 0);
  return session;
}

/* Activity: the locks dashboard, a lock's passcodes and log, revoking.
 *
 * Lists and single records come from the cache; deriving a code again
 * needs the lock's key from the vault; revoking needs the cloud. */

/**
 * am_facade_list_all_locks:
 * @self: a façade
 *
 * Returns: (transfer full): a new list of every lock the user can see,
 *   by property and name, which the cache sorts and filters
 *   (am_lock_list_set_sort(), …), kept fresh by sync
 */
AmLockList *
am_facade_list_all_locks (AmFacade *self)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);

  return am_lock_list_new (self->store);
}

static void
list_issuers_in_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  const char * const *args = task_data;
  g_autoptr(AmStore) reader = NULL;
  GError *error = NULL;

  reader = am_store_open_reader (args[0], &error);
  if (reader == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, am_store_list_passcode_issuers (reader, args[1]), (GDestroyNotify) g_strfreev);
}

/**
 * am_facade_list_passcode_issuers_async:
 * @self: a façade
 * @lock_id: a lock
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Lists who issued the lock's passcodes, for a filter, in a worker thread:
 * a lock may have a hundred thousand.
 */
void
am_facade_list_passcode_issuers_async (AmFacade            *self,
                                       const char          *lock_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  char **args;

  g_return_if_fail (AM_IS_FACADE (self));
  g_return_if_fail (lock_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_facade_list_passcode_issuers_async);
  args = g_new0 (char *, 3);
  args[0] = g_strdup (am_store_get_path (self->store));
  args[1] = g_strdup (lock_id);
  g_task_set_task_data (task, args, (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, list_issuers_in_thread);
}

/**
 * am_facade_list_passcode_issuers_finish:
 * @self: a façade
 * @result: the result
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the issuers' names, each once
 */
GStrv
am_facade_list_passcode_issuers_finish (AmFacade      *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_facade_list_passcode_issuers_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * am_facade_get_lock:
 * @self: a façade
 * @lock_id: a lock
 *
 * Returns: (transfer full) (nullable): the lock, from the cache
 */
AmLock *
am_facade_get_lock (AmFacade   *self,
                    const char *lock_id)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);
  g_return_val_if_fail (lock_id != NULL, NULL);

  return am_store_get_lock (self->store, lock_id);
}

/**
 * am_facade_list_passcodes:
 * @self: a façade
 * @lock_id: a lock
 *
 * Returns: (transfer full): a new list of the lock's passcodes, newest
 *   first, kept fresh by sync
 */
AmRecordList *
am_facade_list_passcodes (AmFacade   *self,
                          const char *lock_id)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);
  g_return_val_if_fail (lock_id != NULL, NULL);

  return am_record_list_new_passcodes (self->store, lock_id);
}

/**
 * am_facade_list_lock_events:
 * @self: a façade
 * @lock_id: a lock
 *
 * Returns: (transfer full): a new list of the lock's log, newest first,
 *   kept fresh by sync and Bluetooth visits
 */
AmRecordList *
am_facade_list_lock_events (AmFacade   *self,
                            const char *lock_id)
{
  g_return_val_if_fail (AM_IS_FACADE (self), NULL);
  g_return_val_if_fail (lock_id != NULL, NULL);

  return am_record_list_new_lock_events (self->store, lock_id);
}

/**
 * am_facade_get_last_lock_event:
 * @self: a façade
 * @lock_id: a lock
 *
 * Reads one row, not the whole log: for a lock's "last activity".
 *
 * Returns: (transfer full) (nullable): the newest entry of the lock's log
 */
AmLockEventRecord *
am_facade_get_last_lock_event (AmFacade   *self,
                               const char *lock_id)
{
  g_autoptr(GArray) ids = NULL;

  g_return_val_if_fail (AM_IS_FACADE (self), NULL);
  g_return_val_if_fail (lock_id != NULL, NULL);

  ids = am_store_load_ids (self->store, AM_STORE_LIST_LOCK_EVENTS, lock_id, 1);
  if (ids->len == 0)
    return NULL;
  return AM_LOCK_EVENT_RECORD (am_store_load_record (self->store, AM_STORE_LIST_LOCK_EVENTS,
                                                     g_array_index (ids, guint32, 0)));
}

/**
 * am_facade_get_lock_last_visit:
 * @self: a façade
 * @lock_id: a lock
 * @battery: (out) (optional): the battery the lock reported then, in
 *   percent, or -1
 *
 * Returns: when this computer last visited the lock over Bluetooth, UTC
 *   seconds; 0 for never
 */
gint64
am_facade_get_lock_last_visit (AmFacade   *self,
                               const char *lock_id,
                               gint       *battery)
{
  gint seen_battery = -1;
  guint flags = 0;
  gint64 at;

  g_return_val_if_fail (AM_IS_FACADE (self), 0);
  g_return_val_if_fail (lock_id != NULL, 0);

  at = am_store_get_lock_seen (self->store, lock_id, &seen_battery, &flags);
  if (battery != NULL)
    *battery = at > 0 ? seen_battery : -1;
  return MAX (at, 0);
}

/**
 * am_facade_get_lock_battery:
 * @self: a façade
 * @lock: a lock
 *
 * Returns: the lock's battery in percent as of the last Bluetooth visit
 *   where it said, else as the cloud last heard; -1 where nobody knows
 */
gint
am_facade_get_lock_battery (AmFacade *self,
                            AmLock   *lock)
{
  gint battery = -1;

  g_return_val_if_fail (AM_IS_FACADE (self), -1);
  g_return_val_if_fail (AM_IS_LOCK (lock), -1);

  if (am_facade_get_lock_last_visit (self, am_lock_get_id (lock), &battery) > 0 && battery >= 0)
    return battery;
  return am_lock_get_battery (lock);
}

/**
 * am_facade_may:
 * @self: a façade
 * @property_id: a property
 * @permission: an `AM_PERMISSION_*`
 *
 * Returns: whether the user's grant on the property holds @permission
 */
gboolean
am_facade_may (AmFacade   *self,
               const char *property_id,
               const char *permission)
{
  g_autoptr(AmGrant) grant = NULL;

  g_return_val_if_fail (AM_IS_FACADE (self), FALSE);
  g_return_val_if_fail (property_id != NULL, FALSE);
  g_return_val_if_fail (permission != NULL, FALSE);

  grant = am_store_get_grant (self->store, property_id);
  return grant != NULL && am_grant_has_permission (grant, permission);
}

/**
 * am_facade_holds_key:
 * @self: a façade
 * @lock: a lock
 *
 * Sync fetches the keys of the locks where the user may generate codes or
 * unlock over Bluetooth, and only those.
 *
 * Returns: whether this computer should hold the lock's key, so that a
 *   code of it can be shown again
 */
gboolean
am_facade_holds_key (AmFacade *self,
                     AmLock   *lock)
{
  g_return_val_if_fail (AM_IS_FACADE (self), FALSE);
  g_return_val_if_fail (AM_IS_LOCK (lock), FALSE);

  return am_facade_may (self, am_lock_get_property_id (lock), AM_PERMISSION_GENERATE_CODES) ||
         am_facade_may (self, am_lock_get_property_id (lock), AM_PERMISSION_BLE_UNLOCK);
}

/**
 * am_facade_list_pending_revocations:
 * @self: a façade
 * @lock_id: a lock
 *
 * Returns: (transfer full) (element-type utf8 utf8): a set of the ids of
 *   the lock's passcodes revoked in the cloud that the lock still has to
 *   learn of at a Bluetooth visit; few, whatever the lock's history
 */
GHashTable *
am_facade_list_pending_revocations (AmFacade   *self,
                                    const char *lock_id)
{
  g_autoptr(GPtrArray) pending = NULL;
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_return_val_if_fail (AM_IS_FACADE (self), ids);
  g_return_val_if_fail (lock_id != NULL, ids);

  pending = am_store_list_pending_revocations (self->store, lock_id);
  for (guint i = 0; i < pending->len; i++)
    g_hash_table_add (ids, g_strdup (am_passcode_record_get_id (g_ptr_array_index (pending, i))));
  return ids;
}

/**
 * am_facade_get_passcode_status:
 * @self: a façade
 * @record: a passcode of a lock
 * @pending: (nullable): am_facade_list_pending_revocations() of its lock,
 *   or %NULL to ask the cache
 * @now: the time, UTC seconds
 *
 * Returns: the code's status as its lock would act on it, "revocation
 *   pending" included
 */
AmPasscodeStatus
am_facade_get_passcode_status (AmFacade         *self,
                               AmPasscodeRecord *record,
                               GHashTable       *pending,
                               gint64            now)
{
  g_autoptr(GHashTable) own = NULL;

  g_return_val_if_fail (AM_IS_FACADE (self), AM_PASSCODE_STATUS_EXPIRED);
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (record), AM_PASSCODE_STATUS_EXPIRED);

  if (am_passcode_record_get_revoked_at (record) == 0)
    return am_passcode_record_get_status (record, now);
  if (pending == NULL)
    pending = own = am_facade_list_pending_revocations (self, am_passcode_record_get_lock_id (record));
  return am_passcode_record_get_lock_status (record, now,
                                             !g_hash_table_contains (pending, am_passcode_record_get_id (record)));
}

typedef struct
{
  AmPasscodeRecord *record;
  char              code[AM_PASSCODE_MAX_DIGITS + 1];
} Derive;

static void
derive_free (Derive *data)
{
  am_secret_memory_wipe (data->code, sizeof data->code);
  g_clear_object (&data->record);
  g_free (data);
}

static void
on_derive_key_found_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Derive *data = g_task_get_task_data (task);
  g_autoptr(GBytes) key = NULL;
  GError *error = NULL;

  key = am_vault_lookup_lock_key_finish (AM_VAULT (source), result, &error);
  if (key == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (AM_ERROR, AM_ERROR_NO_KEY,
                                     _("This computer holds no key this code was made with. Sync while online to fetch it, then try again."));
      g_task_return_error (task, error);
      return;
    }
  if (!am_issue_derive_again (data->record, key, data->code, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * am_facade_derive_code_async:
 * @self: a façade
 * @record: a passcode issued before, by anyone
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Derives the digits of a code again, on demand, with the lock's key of
 * the code's key version from the vault: the cache never holds digits.
 */
void
am_facade_derive_code_async (AmFacade            *self,
                             AmPasscodeRecord    *record,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(AmLock) lock = NULL;
  Derive *data;

  g_return_if_fail (AM_IS_FACADE (self));
  g_return_if_fail (AM_IS_PASSCODE_RECORD (record));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_facade_derive_code_async);
  data = g_new0 (Derive, 1);
  data->record = g_object_ref (record);
  g_task_set_task_data (task, data, (GDestroyNotify) derive_free);

  reload_account (self);
  if (self->account == NULL)
    {
      g_task_return_error (task, not_signed_in_error ());
      return;
    }
  lock = am_store_get_lock (self->store, am_passcode_record_get_lock_id (record));
  if (lock == NULL || !am_facade_holds_key (self, lock))
    {
      g_task_return_new_error (task, AM_ERROR, AM_ERROR_NO_KEY,
                               _("You may not see the codes of this lock. Ask your administrator for the permission to generate codes."));
      return;
    }
  am_vault_lookup_lock_key_async (self->vault, self->account->server, am_passcode_record_get_lock_id (record),
                                  am_passcode_record_get_kv (record), cancellable,
                                  on_derive_key_found_cb, g_steal_pointer (&task));
}

/**
 * am_facade_derive_code_finish:
 * @self: a façade
 * @result: the result
 * @code: (out caller-allocates) (nullable): AM_PASSCODE_MAX_DIGITS + 1
 *   bytes for the digits, to be wiped by the caller with
 *   am_secret_memory_wipe()
 * @error: a location for a #GError
 *
 * Returns: whether @code holds the digits
 */
gboolean
am_facade_derive_code_finish (AmFacade      *self,
                              GAsyncResult  *result,
                              char          *code,
                              GError       **error)
{
  Derive *data;
  gboolean ok;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_facade_derive_code_async, FALSE);

  ok = g_task_propagate_boolean (G_TASK (result), error);
  data = g_task_get_task_data (G_TASK (result));
  if (ok && code != NULL)
    memcpy (code, data->code, sizeof data->code);
  am_secret_memory_wipe (data->code, sizeof data->code);
  return ok;
}

static void
on_passcode_revoked_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AmFacade *self = g_task_get_source_object (task);
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  GError *error = NULL;

  record = am_cloud_client_revoke_passcode_finish (AM_CLOUD_CLIENT (source), result, &error);
  if (record == NULL)
    {
      if (is_unreached (error))
        {
          set_online (self, FALSE);
          g_task_return_new_error (task, AM_ERROR, AM_ERROR_CONNECTION_FAILED,
                                   _("Revoking a code needs your company’s cloud, which cannot be reached now. Check the network, then try again."));
          g_error_free (error);
          return;
        }
      g_task_return_error (task, error);
      return;
    }
  set_online (self, TRUE);

  /* The cache shows it revoked at once, without waiting for a sync. */
  g_ptr_array_add (page->passcodes, g_object_ref (record));
  if (!am_store_apply_page (self->store, page, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_debug ("Revoked passcode %s", am_passcode_record_get_id (record));
  g_task_return_pointer (task, g_steal_pointer (&record), g_object_unref);
}

/**
 * am_facade_revoke_passcode_async:
 * @self: a façade
 * @record: a passcode
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Revokes a code in the cloud, online only (it changes what the lock must
 * refuse, so it must not sit queued on a laptop), with the user's
 * `revoke_codes` permission; the cache has it revoked when this finishes.
 * The lock itself learns of it at the next Bluetooth visit.
 */
void
am_facade_revoke_passcode_async (AmFacade            *self,
                                 AmPasscodeRecord    *record,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(AmLock) lock = NULL;

  g_return_if_fail (AM_IS_FACADE (self));
  g_return_if_fail (AM_IS_PASSCODE_RECORD (record));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_facade_revoke_passcode_async);

  if (self->client == NULL)
    {
      g_task_return_error (task, not_signed_in_error ());
      return;
    }
  lock = am_store_get_lock (self->store, am_passcode_record_get_lock_id (record));
  if (lock == NULL || !am_facade_may (self, am_lock_get_property_id (lock), AM_PERMISSION_REVOKE_CODES))
    {
      g_task_return_new_error (task, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                               _("You may not revoke codes of this property. Ask your administrator for the permission."));
      return;
    }
  am_cloud_client_revoke_passcode_async (self->client, am_passcode_record_get_id (record), cancellable,
                                         on_passcode_revoked_cb, g_steal_pointer (&task));
}

/**
 * am_facade_revoke_passcode_finish:
 * @self: a façade
 * @result: the result
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the passcode as the cloud has it
 *   now, revoked
 */
AmPasscodeRecord *
am_facade_revoke_passcode_finish (AmFacade      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_facade_revoke_passcode_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
