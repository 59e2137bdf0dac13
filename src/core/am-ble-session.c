/* am-ble-session.c: one visit to a lock over Bluetooth LE: find, connect, unlock, read its log
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session follows "A session" of docs/ble-lock.md, one step after the
 * other, each step started by the answer or the signal that ended the one
 * before:
 *
 *   LOOKING     the adapter is on; discovery with the AM1 filter until the
 *               device whose advert carries the lock's id is near (TOO_FAR
 *               while it is heard but weak); discovery stops.
 *   CONNECTING  Device1.Connect (one retry), ServicesResolved, the four
 *               characteristics by UUID under the device, PropertiesChanged
 *               on STATUS and LOG followed, StartNotify on both.
 *   UNLOCKING   NONCE read, the key of that key version from the vault,
 *               UNLOCK written, STATUS verified: only a verified OK opened
 *               the door. The unlock is stored and queued for the cloud,
 *               whatever the lock answered.
 *   READING_LOG the upkeep: SET_TIME when the lock's clock is more than 30 s
 *               off, READ_LOG from the next seq the store lacks, REVOKE for
 *               each code revoked in the cloud that the lock's log does not
 *               confirm yet, and once more READ_LOG to bring those REVOKE
 *               records home. Every command on a fresh nonce, every record
 *               verified before it is stored.
 *   DONE/FAILED StopNotify on both, Disconnect, always: after errors, time
 *               outs and cancellation too.
 *
 * Once the door has opened, a failure in the upkeep does not make the
 * session fail: the door is open, and the user must hear so. The failure is
 * kept (am_ble_session_get_upkeep_error()) and the next visit tries again.
 *
 * Every wait has its limit, and the whole session one of 45 s, cleaning up
 * included; the session's own cancellable stops what is in flight when the
 * session ends for any reason.
 */
#define G_LOG_DOMAIN "am-ble-session"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "am-ble-frames.h"
#include "am-ble-session.h"
#include "am-bluez-private.h"
#include "am-encoding.h"
#include "am-error.h"
#include "am-records-private.h"

#define CONNECT_TIMEOUT_MS      15000
#define CONNECT_ATTEMPTS        2
#define RESOLVE_TIMEOUT_MS      10000
#define STATUS_TIMEOUT_MS       5000
#define LOG_RECORD_TIMEOUT_MS   5000
#define GATT_CALL_TIMEOUT_MS    5000
#define CLEANUP_CALL_TIMEOUT_MS 1500
/* What the cleaning up may take at most: 3 calls, and discovery's end. */
#define CLEANUP_RESERVE_MS      6000

struct _AmBleSession
{
  GObject            parent_instance;

  AmBluez           *bluez;
  AmStore           *store;
  AmVault           *vault;
  AmLock            *lock;
  char              *server;
  char              *user_id;
  char              *user_name;
  gint               rssi_threshold;
  guint              discovery_timeout_ms;

  AmBleSessionState  state;
  gint               rssi;
  gboolean           running;

  /* Of the last run. */
  gint64             unlocked_at;
  guint              n_log_records;
  guint              n_revoked;
  gboolean           clock_set;
  GError            *upkeep_error;
  guint              dbus_calls;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_RSSI,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (AmBleSessionState, am_ble_session_state,
  G_DEFINE_ENUM_VALUE (AM_BLE_SESSION_LOOKING, "looking"),
  G_DEFINE_ENUM_VALUE (AM_BLE_SESSION_TOO_FAR, "too-far"),
  G_DEFINE_ENUM_VALUE (AM_BLE_SESSION_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (AM_BLE_SESSION_UNLOCKING, "unlocking"),
  G_DEFINE_ENUM_VALUE (AM_BLE_SESSION_READING_LOG, "reading-log"),
  G_DEFINE_ENUM_VALUE (AM_BLE_SESSION_DONE, "done"),
  G_DEFINE_ENUM_VALUE (AM_BLE_SESSION_FAILED, "failed"))

G_DEFINE_ENUM_TYPE (AmBleSessionMode, am_ble_session_mode,
  G_DEFINE_ENUM_VALUE (AM_BLE_SESSION_MODE_UNLOCK, "unlock"),
  G_DEFINE_ENUM_VALUE (AM_BLE_SESSION_MODE_READ_LOG, "read-log"))

G_DEFINE_FINAL_TYPE (AmBleSession, am_ble_session, G_TYPE_OBJECT)

/* The characteristics, in the order of AM_BLE_*_UUID. */
enum {
  CHR_NONCE,
  CHR_COMMAND,
  CHR_STATUS,
  CHR_LOG,
  N_CHRS
};

static const char * const chr_uuids[N_CHRS] = {
  AM_BLE_NONCE_UUID,
  AM_BLE_COMMAND_UUID,
  AM_BLE_STATUS_UUID,
  AM_BLE_LOG_UUID,
};

/* What is left to do once the door is open (or in READ_LOG mode). */
typedef enum
{
  UPKEEP_CLOCK,
  UPKEEP_LOG,
  UPKEEP_REVOKE,
  UPKEEP_LOG_AGAIN,
  UPKEEP_DONE,
} Upkeep;

typedef struct
{
  AmBleSessionMode             mode;
  GCancellable                *cancellable;       /* ours: cancelled when the session ends */
  GSource                     *cancel_source;     /* the caller's cancellable */
  GSource                     *session_timeout;
  GSource                     *step_timeout;
  guint                        bluez_calls_at_start;

  guint8                       lock_id[AM_LOCK_ID_LEN];
  gulong                       device_changed_id;
  gulong                       device_removed_id;
  gulong                       adapter_changed_id;

  /* Finding and connecting */
  gboolean                     discovery_starting;
  gboolean                     discovering;
  char                        *device_path;
  gboolean                     heard;             /* a reading of the lock came */
  gint                         median;
  AmBleAdvert                  advert;
  gboolean                     have_advert;
  AmBluezDevice1              *device;
  guint                        connect_attempts;
  gboolean                     connect_called;
  gboolean                     connected;
  AmBluezGattCharacteristic1  *chr[N_CHRS];
  gulong                       chr_changed_id[N_CHRS];
  gboolean                     notifying[N_CHRS];

  /* Commands */
  AmBleKey                    *key;
  AmBleNonce                   nonce;
  gboolean                     nonce_fresh;
  gboolean                     drift_known;
  gint64                       drift;             /* t_lock - now, at the first nonce */
  guint8                       op;                /* of the command in flight; 0 for none */
  guint8                       arg[AM_BLE_ARG_LEN];
  guint8                       command[AM_BLE_COMMAND_LEN];
  gboolean                     written;
  GBytes                      *status;
  gboolean                     status_ok;
  GQueue                       log_frames;        /* of GBytes, as notified */

  /* Upkeep */
  Upkeep                       upkeep;
  guint16                      log_max;
  guint32                      log_next;          /* the seq after the last record received */
  guint                        log_received;      /* in answer to this READ_LOG */
  GPtrArray                   *events;            /* AmLockEventRecord, not stored yet */
  GPtrArray                   *revocations;       /* AmPasscodeRecord */
  guint                        revoke_index;
  guint                        revoked;

  /* The end */
  gboolean                     finishing;
  GError                      *error;
} Run;

static void run_step_connect (GTask *task);
static void run_upkeep_next (GTask *task);
static void run_fail (GTask *task, GError *error);

static void
run_free (gpointer data)
{
  Run *run = data;

  g_assert (run->cancel_source == NULL);
  g_assert (run->session_timeout == NULL);
  g_assert (run->step_timeout == NULL);

  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->device_path, g_free);
  g_clear_object (&run->device);
  for (guint i = 0; i < N_CHRS; i++)
    g_clear_object (&run->chr[i]);
  g_clear_pointer (&run->key, am_ble_key_free);
  g_clear_pointer (&run->status, g_bytes_unref);
  g_queue_clear_full (&run->log_frames, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&run->events, g_ptr_array_unref);
  g_clear_pointer (&run->revocations, g_ptr_array_unref);
  g_clear_error (&run->error);
  memset (&run->nonce, 0, sizeof run->nonce);
  g_free (run);
}

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
set_state (AmBleSession      *self,
           AmBleSessionState  state)
{
  g_autofree char *name = NULL;

  if (self->state == state)
    return;

  name = g_enum_to_string (AM_TYPE_BLE_SESSION_STATE, state);
  g_debug ("%s", name);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_rssi (AmBleSession *self,
          gint          rssi)
{
  if (self->rssi == rssi)
    return;

  self->rssi = rssi;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RSSI]);
}

static void
count_call (AmBleSession *self)
{
  self->dbus_calls++;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
run_set_step_timeout (GTask       *task,
                      guint        timeout_ms,
                      GSourceFunc  callback)
{
  Run *run = g_task_get_task_data (task);

  clear_source (&run->step_timeout);
  run->step_timeout = g_timeout_source_new (timeout_ms);
  g_task_attach_source (task, run->step_timeout, callback);
}

static void
run_disconnect_bluez (GTask *task)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  g_clear_signal_handler (&run->device_changed_id, self->bluez);
  g_clear_signal_handler (&run->device_removed_id, self->bluez);
  g_clear_signal_handler (&run->adapter_changed_id, self->bluez);
}

static GError *
connection_broke_error (void)
{
  return g_error_new_literal (AM_ERROR, AM_ERROR_CONNECTION_FAILED,
                              _("The connection to the lock broke. Go closer to the door, "
                                "then try again."));
}

static GError *
no_answer_error (void)
{
  return g_error_new_literal (AM_ERROR, AM_ERROR_CONNECTION_FAILED,
                              _("The lock stopped answering. Go closer to the door, then try again."));
}

/* An error of a GATT call: the service gone, Bluetooth off, or the
 * connection broken. */
static GError *
gatt_error (const GError *error)
{
  g_autoptr(GError) fallback = connection_broke_error ();

  return am_bluez_error_from_dbus (error, fallback->code, fallback->message);
}

/* Storing */

static void
run_record_unlock (GTask      *task,
                   const char *result)
{
  AmBleSession *self = g_task_get_source_object (task);
  g_autoptr(AmUnlock) unlock = am_unlock_new_empty ();
  g_autoptr(GError) error = NULL;

  unlock->id = g_uuid_string_random ();
  unlock->lock_id = g_strdup (am_lock_get_id (self->lock));
  unlock->user_id = g_strdup (self->user_id);
  unlock->user_name = g_strdup (self->user_name);
  unlock->at = now_s ();
  unlock->result = g_strdup (result);

  if (!am_store_record_unlock (self->store, unlock, &error))
    {
      g_debug ("The unlock was not stored: %s", error->message);
      if (self->upkeep_error == NULL)
        self->upkeep_error = g_steal_pointer (&error);
    }
}

static gboolean
run_store_events (GTask   *task,
                  GError **error)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (run->events->len == 0)
    return TRUE;
  if (!am_store_record_lock_log (self->store, am_lock_get_id (self->lock), run->events, error))
    return FALSE;

  self->n_log_records += run->events->len;
  g_ptr_array_set_size (run->events, 0);
  return TRUE;
}

/* The end: cleaning up, then the answer */

static void
run_complete (GTask *task)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (run->have_advert)
    {
      g_autoptr(GError) error = NULL;
      gint battery = run->advert.battery == AM_BLE_BATTERY_UNKNOWN ? -1 : run->advert.battery;

      if (!am_store_set_lock_seen (self->store, am_lock_get_id (self->lock), battery,
                                   run->advert.flags, now_s (), &error))
        g_debug ("The lock's battery was not stored: %s", error->message);
    }

  self->dbus_calls += am_bluez_get_dbus_calls (self->bluez) - run->bluez_calls_at_start;
  self->running = FALSE;
  set_state (self, run->error != NULL ? AM_BLE_SESSION_FAILED : AM_BLE_SESSION_DONE);

  g_debug ("Session over after %u D-Bus calls: %s", self->dbus_calls,
           run->error != NULL ? run->error->message : "done");
  if (run->error != NULL)
    g_task_return_error (task, g_steal_pointer (&run->error));
  else
    g_task_return_boolean (task, TRUE);
}

static void run_cleanup_next (GTask *task);

static void
on_cleanup_call_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);
  if (reply == NULL)
    g_debug ("Cleaning up: %s", error->message);
  run_cleanup_next (task);
}

static void
on_cleanup_discovery_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  am_bluez_stop_discovery_finish (AM_BLUEZ (source), result, NULL);
  run_cleanup_next (task);
}

static void
cleanup_call (GTask      *task,
              gpointer    proxy,
              const char *method)
{
  AmBleSession *self = g_task_get_source_object (task);

  count_call (self);
  g_dbus_proxy_call (G_DBUS_PROXY (proxy), method, NULL,
                     G_DBUS_CALL_FLAGS_NONE, CLEANUP_CALL_TIMEOUT_MS, NULL,
                     on_cleanup_call_cb, g_object_ref (task));
}

/* StopNotify on LOG and STATUS, Disconnect, end of discovery: each only
 * where the session started it, one after the other. */
static void
run_cleanup_next (GTask *task)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (run->notifying[CHR_LOG])
    {
      run->notifying[CHR_LOG] = FALSE;
      cleanup_call (task, run->chr[CHR_LOG], "StopNotify");
    }
  else if (run->notifying[CHR_STATUS])
    {
      run->notifying[CHR_STATUS] = FALSE;
      cleanup_call (task, run->chr[CHR_STATUS], "StopNotify");
    }
  else if (run->connect_called)
    {
      run->connect_called = FALSE;
      cleanup_call (task, run->device, "Disconnect");
    }
  else if (run->discovery_starting)
    {
      /* Its answer comes back here: BlueZ may have started discovery. */
      return;
    }
  else if (run->discovering)
    {
      run->discovering = FALSE;
      am_bluez_stop_discovery_async (self->bluez, NULL, on_cleanup_discovery_cb, g_object_ref (task));
    }
  else
    {
      run_complete (task);
    }
}

/* Ends the session: with @error (taken), or with success for %NULL. */
static void
run_finish (GTask  *task,
            GError *error)
{
  Run *run = g_task_get_task_data (task);

  if (run->finishing)
    {
      g_clear_error (&error);
      return;
    }

  run->finishing = TRUE;
  run->error = error;

  clear_source (&run->cancel_source);
  clear_source (&run->session_timeout);
  clear_source (&run->step_timeout);
  run_disconnect_bluez (task);
  for (guint i = 0; i < N_CHRS; i++)
    if (run->chr[i] != NULL)
      g_clear_signal_handler (&run->chr_changed_id[i], run->chr[i]);

  /* Whatever is in flight ends now; its answer is not waited for. */
  g_cancellable_cancel (run->cancellable);

  run_cleanup_next (task);
}

/* Fails the session, except that once the door has opened nothing but the
 * caller's cancellation makes it fail: the failure is kept for the caller. */
static void
run_fail (GTask  *task,
          GError *error)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (run->finishing)
    {
      g_clear_error (&error);
      return;
    }

  if (self->unlocked_at != 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("After the unlock: %s", error->message);
      if (self->upkeep_error == NULL)
        self->upkeep_error = g_steal_pointer (&error);
      g_clear_error (&error);
      run_finish (task, NULL);
      return;
    }

  run_finish (task, error);
}

/* Whether an async answer still matters: not once the session ends. */
static gboolean
run_is_over (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  return run->finishing;
}

static gboolean
on_cancelled_cb (GCancellable *cancellable,
                 gpointer      user_data)
{
  GTask *task = user_data;

  run_finish (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         "The session was cancelled"));
  return G_SOURCE_REMOVE;
}

static gboolean
on_session_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;

  run_fail (task, g_error_new_literal (AM_ERROR, AM_ERROR_CONNECTION_FAILED,
                                       _("The lock took too long to answer. Go closer to the "
                                         "door, then try again.")));
  return G_SOURCE_REMOVE;
}

/* Commands */

static void run_write_command (GTask *task);

/* A fresh nonce and the key in hand: the command waiting for them goes,
 * or, read for the clock alone, the upkeep goes on. */
static void
run_nonce_ready (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->op != 0)
    run_write_command (task);
  else
    run_upkeep_next (task);
}

static void
on_lock_key_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;

  key = am_vault_lookup_lock_key_finish (AM_VAULT (source), result, &error);
  if (run_is_over (task))
    return;
  if (error != NULL)
    {
      run_fail (task, g_steal_pointer (&error));
      return;
    }
  if (key == NULL || g_bytes_get_size (key) != AM_PASSCODE_KEY_LEN)
    {
      g_debug ("No key of version %u for lock %s", run->nonce.kv, am_lock_get_id (self->lock));
      run_fail (task, g_error_new_literal (AM_ERROR, AM_ERROR_NO_KEY,
                                           _("You have no key for this lock. Sync while online "
                                             "to fetch the keys you are allowed to use, then "
                                             "try again.")));
      return;
    }

  run->key = am_ble_key_new (g_bytes_get_data (key, NULL), run->lock_id);
  run_nonce_ready (task);
}

static void
on_nonce_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize len;

  if (!am_bluez_gatt_characteristic1_call_read_value_finish (AM_BLUEZ_GATT_CHARACTERISTIC1 (source),
                                                             &value, result, &error))
    {
      if (!run_is_over (task))
        run_fail (task, gatt_error (error));
      return;
    }
  if (run_is_over (task))
    return;

  data = g_variant_get_fixed_array (value, &len, 1);
  if (!am_ble_nonce_parse (data, len, &run->nonce, &error))
    {
      run_fail (task, g_steal_pointer (&error));
      return;
    }
  run->nonce_fresh = TRUE;

  if (!run->drift_known)
    {
      run->drift_known = TRUE;
      run->drift = (gint64) run->nonce.t_lock - now_s ();
      g_debug ("The lock's clock is %+" G_GINT64_FORMAT " s off", run->drift);
    }

  if (run->key == NULL)
    {
      /* The key of the version the lock uses, whichever that is. */
      am_vault_lookup_lock_key_async (self->vault, self->server, am_lock_get_id (self->lock),
                                      run->nonce.kv, run->cancellable,
                                      on_lock_key_cb, g_object_ref (task));
      return;
    }

  run_nonce_ready (task);
}

static void
run_read_nonce (GTask *task)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  count_call (self);
  am_bluez_gatt_characteristic1_call_read_value (run->chr[CHR_NONCE],
                                                 g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0),
                                                 run->cancellable, on_nonce_cb, g_object_ref (task));
}

/* Sends a command: on a fresh nonce, read now unless the one in hand is
 * unused. The answer arrives in run_process_status(). */
static void
run_send_command (GTask        *task,
                  AmBleOp       op,
                  const guint8  arg[AM_BLE_ARG_LEN])
{
  Run *run = g_task_get_task_data (task);

  run->op = op;
  memcpy (run->arg, arg, AM_BLE_ARG_LEN);
  if (run->nonce_fresh)
    run_write_command (task);
  else
    run_read_nonce (task);
}

static void run_process_status (GTask *task);

static gboolean
on_status_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->step_timeout, g_source_unref);
  if (run->op == AM_BLE_OP_UNLOCK)
    run_record_unlock (task, AM_UNLOCK_RESULT_FAILED);
  g_debug ("No answer to command %u (%u calls so far)", run->op, self->dbus_calls);
  run_fail (task, no_answer_error ());
  return G_SOURCE_REMOVE;
}

static void
on_write_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!am_bluez_gatt_characteristic1_call_write_value_finish (AM_BLUEZ_GATT_CHARACTERISTIC1 (source),
                                                              result, &error))
    {
      if (!run_is_over (task))
        {
          if (run->op == AM_BLE_OP_UNLOCK)
            run_record_unlock (task, AM_UNLOCK_RESULT_FAILED);
          run_fail (task, gatt_error (error));
        }
      return;
    }
  if (run_is_over (task))
    return;

  run->written = TRUE;
  run_process_status (task);
}

static void
run_write_command (GTask *task)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GVariantBuilder options;

  g_assert (run->key != NULL && run->nonce_fresh && run->op != 0);

  /* For SET_TIME and UNLOCK, the time is taken as late as possible. */
  if (run->op == AM_BLE_OP_SET_TIME || run->op == AM_BLE_OP_UNLOCK)
    am_ble_arg_time ((guint32) now_s (), run->arg);

  am_ble_command_build (run->key, &run->nonce, run->op, run->arg, run->command);
  run->nonce_fresh = FALSE;
  run->written = FALSE;
  run->status_ok = FALSE;
  g_clear_pointer (&run->status, g_bytes_unref);
  g_queue_clear_full (&run->log_frames, (GDestroyNotify) g_bytes_unref);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "type", g_variant_new_string ("request"));

  run_set_step_timeout (task, STATUS_TIMEOUT_MS, on_status_timeout_cb);
  count_call (self);
  am_bluez_gatt_characteristic1_call_write_value (run->chr[CHR_COMMAND],
                                                  g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE,
                                                                             run->command,
                                                                             AM_BLE_COMMAND_LEN, 1),
                                                  g_variant_builder_end (&options),
                                                  run->cancellable, on_write_cb, g_object_ref (task));
}

static GError *
refused_error (guint8 result)
{
  g_debug ("The lock refused with result %u", result);
  switch (result)
    {
    case AM_BLE_RESULT_JAMMED:
      return g_error_new_literal (AM_ERROR, AM_ERROR_LOCK_JAMMED,
                                  _("The lock’s motor did not move: the bolt may be jammed. "
                                    "Check that nothing blocks the door, then try again."));
    case AM_BLE_RESULT_BUSY:
      return g_error_new_literal (AM_ERROR, AM_ERROR_LOCK_REFUSED,
                                  _("The lock is busy. Wait a moment, then try again."));
    case AM_BLE_RESULT_STALE_NONCE:
      return g_error_new_literal (AM_ERROR, AM_ERROR_LOCK_REFUSED,
                                  _("The lock refused the request because it came too late. "
                                    "Try again."));
    default:
      return g_error_new_literal (AM_ERROR, AM_ERROR_LOCK_REFUSED,
                                  _("The lock refused the request. Sync while online to fetch "
                                    "the lock’s current key, then try again."));
    }
}

static gboolean
on_log_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->step_timeout, g_source_unref);
  run_fail (task, no_answer_error ());
  return G_SOURCE_REMOVE;
}

static AmLockEventRecord *
event_record_new (const char           *lock_id,
                  const AmBleLogRecord *record)
{
  AmLockEventRecord *event;
  const char *name = am_ble_log_event_name (record->event);
  const char *reason = NULL;

  if (name == NULL)
    return NULL;
  if (record->event == AM_BLE_LOG_KEYPAD_REJECT)
    {
      reason = am_ble_reject_result_name (record->p);
      if (reason == NULL)
        return NULL;
    }

  event = am_lock_event_record_new_empty ();
  event->lock_id = g_strdup (lock_id);
  event->seq = record->seq;
  event->event = g_strdup (name);
  event->at = record->t;
  event->start_h = record->start_h;
  /* A rejection's p is its reason, which the cloud takes as a name. */
  event->p = reason != NULL ? 0 : record->p;
  event->result = g_strdup (reason);
  return event;
}

/* The LOG records notified in answer to a READ_LOG whose STATUS was OK. */
static void
run_process_log (GTask *task)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  GBytes *frame;

  if (run->op != AM_BLE_OP_READ_LOG || !run->status_ok)
    return;

  while ((frame = g_queue_pop_head (&run->log_frames)) != NULL)
    {
      g_autoptr(GBytes) bytes = frame;
      g_autoptr(GError) error = NULL;
      AmBleLogRecord record;
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);

      if (!am_ble_log_parse (run->key, &run->nonce, data, len, &record, &error))
        {
          run_fail (task, g_steal_pointer (&error));
          return;
        }

      if (record.event == AM_BLE_LOG_END)
        {
          gboolean more = run->log_received >= run->log_max && record.seq > run->log_next;

          g_debug ("Log: %u records, the lock's next seq is %u", run->log_received, record.seq);
          clear_source (&run->step_timeout);
          run->op = 0;
          if (!run_store_events (task, &error))
            {
              run_fail (task, g_steal_pointer (&error));
              return;
            }
          if (more)
            {
              guint8 arg[AM_BLE_ARG_LEN];

              run->log_received = 0;
              am_ble_arg_read_log (run->log_next, run->log_max, arg);
              run_send_command (task, AM_BLE_OP_READ_LOG, arg);
            }
          else
            {
              run_upkeep_next (task);
            }
          return;
        }

      run->log_received++;
      run->log_next = MAX (run->log_next, record.seq + 1);
      {
        AmLockEventRecord *event = event_record_new (am_lock_get_id (self->lock), &record);

        if (event != NULL)
          g_ptr_array_add (run->events, event);
        else
          g_debug ("Log record %u of an unknown kind, skipped", record.seq);
      }
    }

  run_set_step_timeout (task, LOG_RECORD_TIMEOUT_MS, on_log_timeout_cb);
}

static void
run_process_status (GTask *task)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  AmBleStatus status;
  const guint8 *data;
  gsize len;
  guint8 op = run->op;

  if (op == 0 || run->status_ok || !run->written || run->status == NULL)
    return;

  data = g_bytes_get_data (run->status, &len);
  if (!am_ble_status_parse (run->key, &run->nonce, run->command, data, len, &status, &error))
    {
      /* Unverified: not a word of it reaches the user, and never "open". */
      if (op == AM_BLE_OP_UNLOCK)
        run_record_unlock (task, AM_UNLOCK_RESULT_FAILED);
      run_fail (task, g_steal_pointer (&error));
      return;
    }
  clear_source (&run->step_timeout);

  switch (op)
    {
    case AM_BLE_OP_UNLOCK:
      run->op = 0;
      if (status.result == AM_BLE_RESULT_OK)
        {
          self->unlocked_at = now_s ();
          run_record_unlock (task, AM_UNLOCK_RESULT_OK);
          set_state (self, AM_BLE_SESSION_READING_LOG);
          run_upkeep_next (task);
        }
      else
        {
          run_record_unlock (task, status.result == AM_BLE_RESULT_JAMMED
                                   ? AM_UNLOCK_RESULT_JAMMED : AM_UNLOCK_RESULT_FAILED);
          run_fail (task, refused_error (status.result));
        }
      break;

    case AM_BLE_OP_SET_TIME:
      run->op = 0;
      if (status.result == AM_BLE_RESULT_OK)
        self->clock_set = TRUE;
      else if (self->upkeep_error == NULL)
        self->upkeep_error = refused_error (status.result);
      run_upkeep_next (task);
      break;

    case AM_BLE_OP_READ_LOG:
      if (status.result != AM_BLE_RESULT_OK)
        {
          run->op = 0;
          run_fail (task, refused_error (status.result));
          return;
        }
      run->status_ok = TRUE;
      run_process_log (task);
      break;

    case AM_BLE_OP_REVOKE:
      run->op = 0;
      if (status.result == AM_BLE_RESULT_OK)
        {
          run->revoked++;
          self->n_revoked++;
        }
      else if (self->upkeep_error == NULL)
        {
          self->upkeep_error = refused_error (status.result);
        }
      run_upkeep_next (task);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
on_characteristic_changed_cb (GDBusProxy         *proxy,
                              GVariant           *changed,
                              const char * const *invalidated,
                              gpointer            user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GVariant) value = NULL;
  GBytes *bytes;

  if (run_is_over (task))
    return;

  value = g_variant_lookup_value (changed, "Value", G_VARIANT_TYPE_BYTESTRING);
  if (value == NULL)
    return;
  bytes = g_variant_get_data_as_bytes (value);

  if (proxy == G_DBUS_PROXY (run->chr[CHR_STATUS]))
    {
      /* One STATUS answers a command; a second one is not the answer. */
      if (run->op != 0 && run->status == NULL)
        {
          run->status = bytes;
          run_process_status (task);
          return;
        }
      g_debug ("A STATUS no command waited for");
      g_bytes_unref (bytes);
    }
  else
    {
      g_queue_push_tail (&run->log_frames, bytes);
      run_process_log (task);
    }
}

/* The upkeep */

static void
run_upkeep_next (GTask *task)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  const char *lock_id = am_lock_get_id (self->lock);
  guint8 arg[AM_BLE_ARG_LEN] = { 0 };

  switch (run->upkeep)
    {
    case UPKEEP_CLOCK:
      /* The clock's drift comes with the first nonce (READ_LOG mode). */
      if (!run->drift_known)
        {
          run_read_nonce (task);
          return;
        }
      run->upkeep = UPKEEP_LOG;
      if (ABS (run->drift) > AM_BLE_CLOCK_TOLERANCE_S)
        {
          g_debug ("Setting the lock's clock");
          run_send_command (task, AM_BLE_OP_SET_TIME, arg);
          return;
        }
      run_upkeep_next (task);
      return;

    case UPKEEP_LOG:
    case UPKEEP_LOG_AGAIN:
      run->upkeep = run->upkeep == UPKEEP_LOG ? UPKEEP_REVOKE : UPKEEP_DONE;
      run->log_next = am_store_get_next_lock_seq (self->store, lock_id);
      run->log_received = 0;
      g_debug ("Reading the log from %u", run->log_next);
      am_ble_arg_read_log (run->log_next, run->log_max, arg);
      run_send_command (task, AM_BLE_OP_READ_LOG, arg);
      return;

    case UPKEEP_REVOKE:
      if (run->revocations == NULL)
        run->revocations = am_store_list_pending_revocations (self->store, lock_id);
      if (run->revocations != NULL && run->revoke_index < run->revocations->len)
        {
          AmPasscodeRecord *passcode = g_ptr_array_index (run->revocations, run->revoke_index++);

          g_debug ("Revoking the code of %u/%u", passcode->start_h, passcode->p);
          am_ble_arg_revoke (passcode->start_h, (guint16) passcode->p, arg);
          run_send_command (task, AM_BLE_OP_REVOKE, arg);
          return;
        }
      /* The lock logged each REVOKE: bring those records home, so that
       * the next visit does not revoke again. */
      run->upkeep = run->revoked > 0 ? UPKEEP_LOG_AGAIN : UPKEEP_DONE;
      run_upkeep_next (task);
      return;

    case UPKEEP_DONE:
      run_finish (task, NULL);
      return;

    default:
      g_assert_not_reached ();
    }
}

static void
run_begin_commands (GTask *task)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  guint8 arg[AM_BLE_ARG_LEN] = { 0 };

  if (run->mode == AM_BLE_SESSION_MODE_UNLOCK)
    {
      set_state (self, AM_BLE_SESSION_UNLOCKING);
      run_send_command (task, AM_BLE_OP_UNLOCK, arg);
    }
  else
    {
      set_state (self, AM_BLE_SESSION_READING_LOG);
      run->upkeep = UPKEEP_CLOCK;
      run_upkeep_next (task);
    }
}

/* Connecting */

static void
on_start_notify_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!am_bluez_gatt_characteristic1_call_start_notify_finish (AM_BLUEZ_GATT_CHARACTERISTIC1 (source),
                                                               result, &error))
    {
      if (!run_is_over (task))
        run_fail (task, gatt_error (error));
      return;
    }
  if (run_is_over (task))
    return;

  if (!run->notifying[CHR_LOG])
    {
      run->notifying[CHR_LOG] = TRUE;
      count_call (self);
      am_bluez_gatt_characteristic1_call_start_notify (run->chr[CHR_LOG], run->cancellable,
                                                       on_start_notify_cb, g_object_ref (task));
      return;
    }

  run_begin_commands (task);
}

static void
run_step_characteristics (GTask *task)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  clear_source (&run->step_timeout);

  for (guint i = 0; i < N_CHRS; i++)
    {
      run->chr[i] = am_bluez_dup_characteristic (self->bluez, run->device_path,
                                                 AM_BLE_SERVICE_UUID, chr_uuids[i]);
      if (run->chr[i] == NULL)
        {
          g_debug ("No characteristic %s under %s", chr_uuids[i], run->device_path);
          run_fail (task, g_error_new_literal (AM_ERROR, AM_ERROR_CONNECTION_FAILED,
                                               _("This device does not answer like an Access "
                                                 "Manager lock. Check that you are at the right "
                                                 "door, then try again.")));
          return;
        }
      g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (run->chr[i]), GATT_CALL_TIMEOUT_MS);
    }

  /* Follow the notifications before asking for them. */
  run->chr_changed_id[CHR_STATUS] =
    g_signal_connect_object (run->chr[CHR_STATUS], "g-properties-changed",
                             G_CALLBACK (on_characteristic_changed_cb), task, G_CONNECT_DEFAULT);
  run->chr_changed_id[CHR_LOG] =
    g_signal_connect_object (run->chr[CHR_LOG], "g-properties-changed",
                             G_CALLBACK (on_characteristic_changed_cb), task, G_CONNECT_DEFAULT);

  run->notifying[CHR_STATUS] = TRUE;
  count_call (self);
  am_bluez_gatt_characteristic1_call_start_notify (run->chr[CHR_STATUS], run->cancellable,
                                                   on_start_notify_cb, g_object_ref (task));
}

static void
on_device_connected_changed_cb (AmBluez    *bluez,
                                const char *device_path,
                                gpointer    user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  if (g_strcmp0 (device_path, run->device_path) != 0 || run->device == NULL)
    return;

  if (run->connected && !am_bluez_device1_get_connected (run->device))
    {
      g_debug ("The lock disconnected");
      if (run->op == AM_BLE_OP_UNLOCK && run->written)
        run_record_unlock (task, AM_UNLOCK_RESULT_FAILED);
      run_fail (task, connection_broke_error ());
      return;
    }

  if (run->step_timeout != NULL && run->chr[0] == NULL &&
      am_bluez_device1_get_services_resolved (run->device))
    run_step_characteristics (task);
}

static void
on_device_removed_cb (AmBluez    *bluez,
                      const char *device_path,
                      gpointer    user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  if (g_strcmp0 (device_path, run->device_path) == 0)
    run_fail (task, connection_broke_error ());
}

static gboolean
on_resolve_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->step_timeout, g_source_unref);
  run_fail (task, g_error_new_literal (AM_ERROR, AM_ERROR_CONNECTION_FAILED,
                                       _("The lock did not finish connecting. Go closer to the "
                                         "door, then try again.")));
  return G_SOURCE_REMOVE;
}

static void
on_connect_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!am_bluez_device1_call_connect_finish (AM_BLUEZ_DEVICE1 (source), result, &error))
    {
      g_autoptr(GError) mapped = NULL;

      if (run_is_over (task))
        return;

      g_debug ("Connect, attempt %u: %s", run->connect_attempts, error->message);
      mapped = am_bluez_error_from_dbus (error, AM_ERROR_CONNECTION_FAILED,
                                         _("Could not connect to the lock. Go closer to the "
                                           "door, then try again."));
      if (g_error_matches (mapped, AM_ERROR, AM_ERROR_CONNECTION_FAILED) &&
          run->connect_attempts < CONNECT_ATTEMPTS)
        {
          run_step_connect (task);
          return;
        }
      run_fail (task, g_steal_pointer (&mapped));
      return;
    }
  if (run_is_over (task))
    return;

  run->connected = TRUE;
  run->device_changed_id = g_signal_connect_object (self->bluez, "device-changed",
                                             G_CALLBACK (on_device_connected_changed_cb), task,
                                             G_CONNECT_DEFAULT);
  run->device_removed_id = g_signal_connect_object (self->bluez, "device-removed",
                                             G_CALLBACK (on_device_removed_cb), task,
                                             G_CONNECT_DEFAULT);

  if (am_bluez_device1_get_services_resolved (run->device))
    {
      run_step_characteristics (task);
      return;
    }
  run_set_step_timeout (task, RESOLVE_TIMEOUT_MS, on_resolve_timeout_cb);
}

static void
run_step_connect (GTask *task)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  set_state (self, AM_BLE_SESSION_CONNECTING);

  if (run->device == NULL)
    {
      run->device = am_bluez_dup_device (self->bluez, run->device_path);
      if (run->device == NULL)
        {
          run_fail (task, connection_broke_error ());
          return;
        }
      g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (run->device), CONNECT_TIMEOUT_MS);
    }

  run->connect_attempts++;
  run->connect_called = TRUE;
  count_call (self);
  am_bluez_device1_call_connect (run->device, run->cancellable, on_connect_cb, g_object_ref (task));
}

/* Looking for the lock */

static void
on_discovery_stopped_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  am_bluez_stop_discovery_finish (AM_BLUEZ (source), result, NULL);
  if (run_is_over (task))
    return;

  run_step_connect (task);
}

static void
run_check_found (GTask *task)
{
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autofree char *path = NULL;
  gint median = 0;
  guint n = 0;

  path = am_bluez_find_lock (self->bluez, am_lock_get_id (self->lock));
  if (path == NULL)
    return;

  g_free (run->device_path);
  run->device_path = g_strdup (path);
  am_bluez_get_proximity (self->bluez, path, g_get_monotonic_time (), &median, &n);
  if (n == 0)
    return;

  run->heard = TRUE;
  run->median = median;
  set_rssi (self, median);
  if (n < AM_BLUEZ_RSSI_MIN_READINGS)
    return;

  if (median < self->rssi_threshold)
    {
      set_state (self, AM_BLE_SESSION_TOO_FAR);
      return;
    }

  g_debug ("Found the lock at %s, %d dBm", path, median);
  clear_source (&run->step_timeout);
  run_disconnect_bluez (task);
  run->have_advert = am_bluez_get_advert (self->bluez, path, &run->advert);

  /* BlueZ connects more reliably to LE devices when not discovering. */
  run->discovering = FALSE;
  am_bluez_stop_discovery_async (self->bluez, run->cancellable, on_discovery_stopped_cb,
                                 g_object_ref (task));
}

static void
on_device_changed_cb (AmBluez    *bluez,
                      const char *device_path,
                      gpointer    user_data)
{
  run_check_found (user_data);
}

static void
on_adapter_changed_cb (AmBluez  *bluez,
                       gpointer  user_data)
{
  GError *error = NULL;

  if (!am_bluez_check_adapter (bluez, &error))
    run_fail (user_data, error);
}

static gboolean
on_discovery_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->step_timeout, g_source_unref);
  if (run->heard)
    run_fail (task, g_error_new (AM_ERROR, AM_ERROR_LOCK_TOO_FAR,
                                 _("The lock is too far away (signal %d dBm). Go to the door, "
                                   "then try again."),
                                 run->median));
  else
    run_fail (task, g_error_new_literal (AM_ERROR, AM_ERROR_LOCK_NOT_FOUND,
                                         _("The lock did not show up over Bluetooth. Go to the "
                                           "door, check that the lock’s keypad lights up when "
                                           "touched, then try again.")));
  return G_SOURCE_REMOVE;
}

static void
on_discovery_started_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AmBleSession *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean started;

  run->discovery_starting = FALSE;
  started = am_bluez_start_discovery_finish (AM_BLUEZ (source), result, &error);
  run->discovering = started;
  if (run_is_over (task))
    {
      /* The session ended meanwhile; its cleaning up waited for this. */
      run_cleanup_next (task);
      return;
    }
  if (!started)
    {
      run_fail (task, g_steal_pointer (&error));
      return;
    }

  run->device_changed_id = g_signal_connect_object (self->bluez, "device-changed",
                                             G_CALLBACK (on_device_changed_cb), task,
                                             G_CONNECT_DEFAULT);
  run->adapter_changed_id = g_signal_connect_object (self->bluez, "adapter-changed",
                                              G_CALLBACK (on_adapter_changed_cb), task,
                                              G_CONNECT_DEFAULT);
  run_set_step_timeout (task, self->discovery_timeout_ms, on_discovery_timeout_cb);
  run_check_found (task);
}

/* GObject */

static void
am_ble_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  AmBleSession *self = AM_BLE_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_RSSI:
      g_value_set_int (value, self->rssi);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_ble_session_dispose (GObject *object)
{
  AmBleSession *self = AM_BLE_SESSION (object);

  g_clear_object (&self->bluez);
  g_clear_object (&self->store);
  g_clear_object (&self->vault);
  g_clear_object (&self->lock);

  G_OBJECT_CLASS (am_ble_session_parent_class)->dispose (object);
}

static void
am_ble_session_finalize (GObject *object)
{
  AmBleSession *self = AM_BLE_SESSION (object);

  g_clear_pointer (&self->server, g_free);
  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->user_name, g_free);
  g_clear_error (&self->upkeep_error);

  G_OBJECT_CLASS (am_ble_session_parent_class)->finalize (object);
}

static void
am_ble_session_class_init (AmBleSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = am_ble_session_get_property;
  object_class->dispose = am_ble_session_dispose;
  object_class->finalize = am_ble_session_finalize;

  /**
   * AmBleSession:state:
   *
   * Where the session is.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       AM_TYPE_BLE_SESSION_STATE,
                       AM_BLE_SESSION_LOOKING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * AmBleSession:rssi:
   *
   * The lock's signal strength, the median of the recent readings in
   * dBm, or 0 before the lock was heard.
   */
  properties[PROP_RSSI] =
    g_param_spec_int ("rssi", NULL, NULL,
                      G_MININT16, G_MAXINT16, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
am_ble_session_init (AmBleSession *self)
{
  self->rssi_threshold = AM_BLUEZ_RSSI_THRESHOLD;
  self->discovery_timeout_ms = AM_BLE_DISCOVERY_TIMEOUT_MS;
}

/* Public API */

/**
 * am_ble_session_new:
 * @bluez: the BlueZ client
 * @store: the local cache: the lock's log, its unlocks and revocations go there
 * @vault: where the lock's keys are
 * @account: the signed-in user: the cloud's address (whose keys) and who unlocks
 * @lock: the lock to visit
 * @rssi_threshold: the weakest median signal that counts as at the door, dBm
 *   (the `ble-rssi-threshold` setting; %AM_BLUEZ_RSSI_THRESHOLD by default)
 *
 * Returns: (transfer full): a session, to run once or more, one run at a time
 */
AmBleSession *
am_ble_session_new (AmBluez         *bluez,
                    AmStore         *store,
                    AmVault         *vault,
                    const AmAccount *account,
                    AmLock          *lock,
                    gint             rssi_threshold)
{
  AmBleSession *self;

  g_return_val_if_fail (AM_IS_BLUEZ (bluez), NULL);
  g_return_val_if_fail (AM_IS_STORE (store), NULL);
  g_return_val_if_fail (AM_IS_VAULT (vault), NULL);
  g_return_val_if_fail (account != NULL && account->server != NULL, NULL);
  g_return_val_if_fail (AM_IS_LOCK (lock), NULL);

  self = g_object_new (AM_TYPE_BLE_SESSION, NULL);
  self->bluez = g_object_ref (bluez);
  self->store = g_object_ref (store);
  self->vault = g_object_ref (vault);
  self->lock = g_object_ref (lock);
  self->server = g_strdup (account->server);
  self->user_id = g_strdup (account->user_id);
  self->user_name = g_strdup (account->user_name);
  self->rssi_threshold = rssi_threshold;
  return self;
}

/**
 * am_ble_session_set_discovery_timeout:
 * @self: an #AmBleSession
 * @timeout_ms: how long to look for the lock
 *
 * Sets how long a run looks for the lock before it gives up
 * (%AM_BLE_DISCOVERY_TIMEOUT_MS by default; shorter in tests).
 */
void
am_ble_session_set_discovery_timeout (AmBleSession *self,
                                      guint         timeout_ms)
{
  g_return_if_fail (AM_IS_BLE_SESSION (self));
  g_return_if_fail (timeout_ms > 0);

  self->discovery_timeout_ms = timeout_ms;
}

/**
 * am_ble_session_run_async:
 * @self: an #AmBleSession
 * @mode: whether to open the door, or only read the log
 * @cancellable: (nullable): a #GCancellable; cancelling ends the session
 *   at any point, disconnected
 * @callback: called when the session is over and the lock disconnected
 * @user_data: data for @callback
 *
 * Visits the lock. The session succeeds in %AM_BLE_SESSION_MODE_UNLOCK once
 * the lock confirmed, verifiably, that it opened, even when the upkeep that
 * follows fails (see am_ble_session_get_upkeep_error()).
 */
void
am_ble_session_run_async (AmBleSession        *self,
                          AmBleSessionMode     mode,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Run *run;

  g_return_if_fail (AM_IS_BLE_SESSION (self));
  g_return_if_fail (mode == AM_BLE_SESSION_MODE_UNLOCK || mode == AM_BLE_SESSION_MODE_READ_LOG);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (!self->running);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_ble_session_run_async);

  run = g_new0 (Run, 1);
  run->mode = mode;
  run->cancellable = g_cancellable_new ();
  run->events = g_ptr_array_new_with_free_func (g_object_unref);
  run->log_max = AM_BLE_READ_LOG_MAX;
  run->bluez_calls_at_start = am_bluez_get_dbus_calls (self->bluez);
  g_queue_init (&run->log_frames);
  g_task_set_task_data (task, run, run_free);

  self->running = TRUE;
  self->unlocked_at = 0;
  self->n_log_records = 0;
  self->n_revoked = 0;
  self->clock_set = FALSE;
  self->dbus_calls = 0;
  g_clear_error (&self->upkeep_error);
  set_rssi (self, 0);
  self->state = AM_BLE_SESSION_LOOKING;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  run->session_timeout = g_timeout_source_new (AM_BLE_SESSION_TIMEOUT_MS - CLEANUP_RESERVE_MS);
  g_task_attach_source (task, run->session_timeout, on_session_timeout_cb);
  if (cancellable != NULL)
    {
      run->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (run->cancel_source, G_SOURCE_FUNC (on_cancelled_cb),
                             g_object_ref (task), g_object_unref);
      g_source_attach (run->cancel_source, g_task_get_context (task));
    }

  if (!am_lock_id_parse (am_lock_get_id (self->lock), run->lock_id, &error) ||
      !am_bluez_check_adapter (self->bluez, &error))
    {
      run_finish (task, g_steal_pointer (&error));
      return;
    }

  /* Not cancelled half-way: whether BlueZ started discovery must be known,
   * to stop it. It takes no longer than BlueZ's answer. */
  run->discovery_starting = TRUE;
  am_bluez_start_discovery_async (self->bluez, NULL, on_discovery_started_cb, g_object_ref (task));
}

/**
 * am_ble_session_run_finish:
 * @self: an #AmBleSession
 * @result: the result given to the callback
 * @error: where to put why the session failed: an %AM_ERROR with a
 *   sentence for the user, or %G_IO_ERROR_CANCELLED
 *
 * Returns: whether the session did what its mode asked
 */
gboolean
am_ble_session_run_finish (AmBleSession  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (AM_IS_BLE_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_ble_session_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

AmBleSessionState
am_ble_session_get_state (AmBleSession *self)
{
  g_return_val_if_fail (AM_IS_BLE_SESSION (self), AM_BLE_SESSION_FAILED);

  return self->state;
}

/**
 * am_ble_session_get_rssi:
 *
 * Returns: the lock's median signal strength in dBm, 0 before it was heard
 */
gint
am_ble_session_get_rssi (AmBleSession *self)
{
  g_return_val_if_fail (AM_IS_BLE_SESSION (self), 0);

  return self->rssi;
}

/**
 * am_ble_session_get_unlocked_at:
 *
 * Returns: when the lock confirmed that it opened, UTC seconds; 0 if it
 *   did not (yet)
 */
gint64
am_ble_session_get_unlocked_at (AmBleSession *self)
{
  g_return_val_if_fail (AM_IS_BLE_SESSION (self), 0);

  return self->unlocked_at;
}

/**
 * am_ble_session_get_n_log_records:
 *
 * Returns: how many of the lock's log records the last run stored
 */
guint
am_ble_session_get_n_log_records (AmBleSession *self)
{
  g_return_val_if_fail (AM_IS_BLE_SESSION (self), 0);

  return self->n_log_records;
}

/**
 * am_ble_session_get_n_revoked:
 *
 * Returns: how many codes the last run revoked on the lock
 */
guint
am_ble_session_get_n_revoked (AmBleSession *self)
{
  g_return_val_if_fail (AM_IS_BLE_SESSION (self), 0);

  return self->n_revoked;
}

/**
 * am_ble_session_get_clock_set:
 *
 * Returns: whether the last run set the lock's clock
 */
gboolean
am_ble_session_get_clock_set (AmBleSession *self)
{
  g_return_val_if_fail (AM_IS_BLE_SESSION (self), FALSE);

  return self->clock_set;
}

/**
 * am_ble_session_get_upkeep_error:
 *
 * Returns: (nullable): the first thing that went wrong after the door
 *   opened (the clock, the log, a revocation, storing), or %NULL
 */
const GError *
am_ble_session_get_upkeep_error (AmBleSession *self)
{
  g_return_val_if_fail (AM_IS_BLE_SESSION (self), NULL);

  return self->upkeep_error;
}

/**
 * am_ble_session_get_dbus_calls:
 *
 * Returns: how many D-Bus calls to BlueZ the last run made, cleaning up
 *   included
 */
guint
am_ble_session_get_dbus_calls (AmBleSession *self)
{
  g_return_val_if_fail (AM_IS_BLE_SESSION (self), 0);

  return self->dbus_calls;
}
