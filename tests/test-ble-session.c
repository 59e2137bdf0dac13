/* test-ble-session.c: a visit to the simulated AM1 lock over BlueZ's D-Bus API
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * main() starts a private system bus with python-dbusmock serving BlueZ
 * and the simulated locks (tests/sim/am1lock.py), once for the program.
 * Each test adds a lock of its own (fresh id and key), keeps its key in the
 * test session's keyring under a server address of its own, and a cache
 * with the lock in a temporary folder. Every session must leave the lock
 * disconnected: the teardown checks it.
 *
 * The tests without BlueZ run in a child process each: GDBus keeps the
 * first system bus connection of a process for good.
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "am-ble-frames.h"
#include "am-ble-session.h"
#include "am-bluez.h"
#include "am-error.h"
#include "am-passcode.h"
#include "am-records-private.h"
#include "am-store-private.h"
#include "am-test-async.h"
#include "am-test-bluez.h"
#include "am-test-records.h"
#include "am-vault.h"

#define CHILD_TIMEOUT_USEC       (60 * G_USEC_PER_SEC)
#define SHORT_DISCOVERY_MS       2500

static AmTestBus *test_bus;

typedef struct
{
  char          *server;
  guint8         key[AM_PASSCODE_KEY_LEN];
  AmProperty    *property;
  AmLock        *lock;
  AmStore       *store;
  AmVault       *vault;
  AmBluez       *bluez;
  AmAccount      account;
  AmBleSession  *session;
  GArray        *states;
  GCancellable  *cancellable;
  /* What to do when the session reaches a state. */
  AmBleSessionState  trigger_state;
  void         (*trigger) (gpointer f);
} Fixture;

/* Waiting */

/* Lets the signals that came with the last synchronous call through. */
static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static AmBluez *
bluez_new (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_bluez_new_async (NULL, am_test_on_done_cb, &result);
  am_test_wait_for (&result);
  return am_bluez_new_finish (result, error);
}

static void
store_key (AmVault      *vault,
           const char   *server,
           const char   *lock_id,
           const guint8 *key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  am_vault_store_lock_key_async (vault, server, lock_id, 1, key, AM_PASSCODE_KEY_LEN,
                                 NULL, am_test_on_done_cb, &result);
  am_test_wait_for (&result);
  am_vault_store_lock_key_finish (vault, result, &error);
  g_assert_no_error (error);
}

static void
clear_keys (AmVault    *vault,
            const char *server)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  am_vault_clear_lock_keys_async (vault, server, NULL, NULL, am_test_on_done_cb, &result);
  am_test_wait_for (&result);
  am_vault_clear_lock_keys_finish (vault, result, &error);
  g_assert_no_error (error);
}

/* The fixture */

static void
on_state_cb (AmBleSession *session,
             GParamSpec   *pspec,
             Fixture      *f)
{
  AmBleSessionState state = am_ble_session_get_state (session);

  /* The state of a new run starts the list again. */
  if (state == AM_BLE_SESSION_LOOKING && f->states->len > 0 &&
      g_array_index (f->states, AmBleSessionState, f->states->len - 1) >= AM_BLE_SESSION_DONE)
    g_array_set_size (f->states, 0);
  g_array_append_val (f->states, state);

  if (f->trigger != NULL && state == f->trigger_state)
    {
      void (*trigger) (gpointer) = f->trigger;

      f->trigger = NULL;
      trigger (f);
    }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autofree char *path = NULL;
  g_autofree char *device = NULL;

  /* Of this test and this process: other test programs use the keyring
   * meanwhile, maybe this one too (meson test --repeat). */
  f->server = g_strdup_printf ("https://ble-%s-%08x.test", g_test_get_path () + 1, g_random_int ());
  g_strdelimit (f->server + strlen ("https://"), "/", '-');
  for (guint i = 0; i < AM_PASSCODE_KEY_LEN; i++)
    f->key[i] = (guint8) g_random_int_range (0, 256);

  f->property = am_test_property ("Maple Court", "12 Maple Ct", "Austin", "America/Chicago");
  f->lock = am_test_lock (f->property, "Front door", "1A");
  g_ptr_array_add (page->properties, g_object_ref (f->property));
  g_ptr_array_add (page->locks, g_object_ref (f->lock));

  path = am_test_store_path ();
  f->store = am_store_open (path, &error);
  g_assert_no_error (error);
  am_test_apply (f->store, page);

  f->vault = am_vault_new ();
  store_key (f->vault, f->server, am_lock_get_id (f->lock), f->key);

  device = am_test_bluez_add_lock (am_lock_get_id (f->lock), f->key, 1, 10, 0, 87, "Front door");
  g_assert_nonnull (device);

  f->bluez = bluez_new (&error);
  g_assert_no_error (error);

  f->account.server = f->server;
  f->account.user_id = (char *) "4b1f3c2e-2a9d-4c55-9a71-0d3c1e5f7a10";
  f->account.user_name = (char *) "Lee Agent";
  f->session = am_ble_session_new (f->bluez, f->store, f->vault, &f->account, f->lock,
                                   AM_BLUEZ_RSSI_THRESHOLD);
  am_ble_session_set_discovery_timeout (f->session, SHORT_DISCOVERY_MS);
  f->states = g_array_new (FALSE, FALSE, sizeof (AmBleSessionState));
  g_signal_connect (f->session, "notify::state", G_CALLBACK (on_state_cb), f);
  f->cancellable = g_cancellable_new ();
}

static JsonObject *
lock_state (Fixture *f)
{
  return am_test_bluez_get_lock_state (am_lock_get_id (f->lock));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) state = lock_state (f);

  /* Every session hangs up, whatever happened. */
  g_assert_false (json_object_get_boolean_member (state, "connected"));
  g_assert_false (am_bluez_get_discovering (f->bluez));

  am_test_bluez_remove_lock (am_lock_get_id (f->lock));
  clear_keys (f->vault, f->server);

  g_clear_object (&f->session);
  g_clear_object (&f->bluez);
  g_clear_object (&f->vault);
  g_clear_object (&f->store);
  g_clear_object (&f->lock);
  g_clear_object (&f->property);
  g_clear_object (&f->cancellable);
  g_clear_pointer (&f->states, g_array_unref);
  g_clear_pointer (&f->server, g_free);
}

static gboolean
run_session (Fixture           *f,
             AmBleSessionMode   mode,
             GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gboolean ok;

  drain ();
  am_ble_session_run_async (f->session, mode, f->cancellable, am_test_on_done_cb, &result);
  am_test_wait_for (&result);
  ok = am_ble_session_run_finish (f->session, result, error);
  g_test_message ("session: %s, %u D-Bus calls", ok ? "done" : (*error)->message,
                  am_ble_session_get_dbus_calls (f->session));
  return ok;
}

static void
assert_states (Fixture                 *f,
               const AmBleSessionState *expected,
               guint                    n_expected)
{
  g_assert_cmpmem (f->states->data, f->states->len * sizeof (AmBleSessionState),
                   expected, n_expected * sizeof (AmBleSessionState));
}

static gboolean
states_contain (Fixture           *f,
                AmBleSessionState  state)
{
  for (guint i = 0; i < f->states->len; i++)
    if (g_array_index (f->states, AmBleSessionState, i) == state)
      return TRUE;
  return FALSE;
}

/* The lock's events in the cache, oldest first. */
static GPtrArray *
stored_events (Fixture *f)
{
  g_autoptr(GArray) ids = am_store_load_ids (f->store, AM_STORE_LIST_LOCK_EVENTS,
                                             am_lock_get_id (f->lock), G_MAXUINT);
  GPtrArray *events = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = ids->len; i > 0; i--)
    g_ptr_array_add (events, am_store_load_record (f->store, AM_STORE_LIST_LOCK_EVENTS,
                                                   g_array_index (ids, guint32, i - 1)));
  return events;
}

static AmLockEventRecord *
find_event (GPtrArray  *events,
            const char *name)
{
  for (guint i = 0; i < events->len; i++)
    {
      AmLockEventRecord *event = g_ptr_array_index (events, i);

      if (g_strcmp0 (am_lock_event_record_get_event (event), name) == 0)
        return event;
    }
  return NULL;
}

static guint
count_outbox (Fixture    *f,
              const char *kind,
              const char *needle)
{
  g_autoptr(GPtrArray) entries = am_store_outbox_list (f->store, G_MAXINT64);
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      AmOutboxEntry *entry = g_ptr_array_index (entries, i);

      if (g_strcmp0 (entry->kind, kind) == 0 && strstr (entry->body, am_lock_get_id (f->lock)) != NULL &&
          (needle == NULL || strstr (entry->body, needle) != NULL))
        n++;
    }
  return n;
}

static gint64
member_int (JsonObject *object,
            const char *name)
{
  return json_object_get_int_member (object, name);
}

/* Unlocking */

static void
test_unlock_opens_the_door (Fixture       *f,
                            gconstpointer  data)
{
  static const AmBleSessionState expected[] = {
    AM_BLE_SESSION_LOOKING, AM_BLE_SESSION_CONNECTING, AM_BLE_SESSION_UNLOCKING,
    AM_BLE_SESSION_READING_LOG, AM_BLE_SESSION_DONE,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  AmLockEventRecord *unlock_event;
  gint battery = -2;
  guint flags = 99;

  g_assert_true (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));
  g_assert_no_error (error);
  assert_states (f, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (am_ble_session_get_unlocked_at (f->session), >=, before);
  g_assert_null (am_ble_session_get_upkeep_error (f->session));
  g_assert_cmpint (am_ble_session_get_rssi (f->session), >=, AM_BLUEZ_RSSI_THRESHOLD);
  g_assert_false (am_ble_session_get_clock_set (f->session));

  state = lock_state (f);
  g_assert_cmpint (member_int (state, "unlocks"), ==, 1);
  g_assert_cmpint (member_int (state, "connections"), ==, 1);

  /* The lock's own record of it, read back, and the unlock: both kept and
   * queued for the cloud. */
  events = stored_events (f);
  unlock_event = find_event (events, AM_LOCK_EVENT_NAME_BLE_UNLOCK);
  g_assert_nonnull (unlock_event);
  g_assert_cmpint (am_lock_event_record_get_at (unlock_event), >=, before - 2);
  g_assert_cmpuint (am_ble_session_get_n_log_records (f->session), ==, events->len);
  g_assert_cmpuint (count_outbox (f, AM_OUTBOX_UNLOCK_CREATE, "\"ok\""), ==, 1);
  g_assert_cmpuint (count_outbox (f, AM_OUTBOX_LOCK_EVENTS, AM_LOCK_EVENT_NAME_BLE_UNLOCK), ==, 1);

  /* The advert's battery on the lock. */
  g_assert_cmpint (am_store_get_lock_seen (f->store, am_lock_get_id (f->lock), &battery, &flags), >=, before);
  g_assert_cmpint (battery, ==, 87);
  g_assert_cmpuint (flags, ==, 0);

  /* The benchmark's number: SetDiscoveryFilter, StartDiscovery,
   * StopDiscovery, Connect, 2 StartNotify, ReadValue, WriteValue (UNLOCK),
   * ReadValue, WriteValue (READ_LOG), 2 StopNotify, Disconnect. */
  g_test_message ("D-Bus calls for one unlock: %u", am_ble_session_get_dbus_calls (f->session));
  g_assert_cmpuint (am_ble_session_get_dbus_calls (f->session), ==, 13);
}

static void
test_unlock_bluetooth_off (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  am_test_bluez_set_powered (FALSE);
  g_assert_false (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));
  am_test_bluez_set_powered (TRUE);

  g_assert_error (error, AM_ERROR, AM_ERROR_BLUETOOTH_OFF);
  g_assert_cmpstr (error->message, ==, "Bluetooth is off. Turn it on in Settings, then try again.");
  g_assert_cmpint (am_ble_session_get_state (f->session), ==, AM_BLE_SESSION_FAILED);
}

static void
test_unlock_no_adapter (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  am_test_bluez_remove_adapter ();
  g_assert_false (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));
  am_test_bluez_add_adapter ();

  g_assert_error (error, AM_ERROR, AM_ERROR_NO_ADAPTER);
  g_assert_nonnull (strstr (error->message, "no Bluetooth adapter"));
}

static void
walk_up (gpointer data)
{
  Fixture *f = data;

  am_test_bluez_set_rssi (am_lock_get_id (f->lock), -55);
}

static void
test_unlock_lock_not_found (Fixture       *f,
                            gconstpointer  data)
{
  static const AmBleSessionState expected[] = { AM_BLE_SESSION_LOOKING, AM_BLE_SESSION_FAILED };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = NULL;

  am_test_bluez_set_in_range (am_lock_get_id (f->lock), FALSE);
  g_assert_false (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));

  g_assert_error (error, AM_ERROR, AM_ERROR_LOCK_NOT_FOUND);
  assert_states (f, expected, G_N_ELEMENTS (expected));
  state = lock_state (f);
  g_assert_cmpint (member_int (state, "connections"), ==, 0);
}

static void
test_unlock_too_far (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = NULL;
  gint rssi;

  am_test_bluez_set_rssi (am_lock_get_id (f->lock), -85);
  g_assert_false (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));

  g_assert_error (error, AM_ERROR, AM_ERROR_LOCK_TOO_FAR);
  g_assert_true (states_contain (f, AM_BLE_SESSION_TOO_FAR));
  g_assert_false (states_contain (f, AM_BLE_SESSION_CONNECTING));
  rssi = am_ble_session_get_rssi (f->session);
  g_assert_cmpint (rssi, >=, -87);
  g_assert_cmpint (rssi, <=, -83);
  {
    g_autofree char *signal = g_strdup_printf ("(signal %d dBm)", rssi);

    g_assert_nonnull (strstr (error->message, signal));
  }
  g_assert_nonnull (strstr (error->message, "Go to the door"));
  state = lock_state (f);
  g_assert_cmpint (member_int (state, "connections"), ==, 0);
}

static void
go_out_of_range (gpointer data)
{
  Fixture *f = data;

  am_test_bluez_set_in_range (am_lock_get_id (f->lock), FALSE);
}

static void
test_unlock_connection_failed (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = NULL;

  /* Heard, near, then gone as the connection starts. */
  f->trigger_state = AM_BLE_SESSION_CONNECTING;
  f->trigger = go_out_of_range;
  g_assert_false (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));

  g_assert_error (error, AM_ERROR, AM_ERROR_CONNECTION_FAILED);
  g_assert_nonnull (strstr (error->message, "try again"));
  g_assert_cmpint (am_ble_session_get_unlocked_at (f->session), ==, 0);
  state = lock_state (f);
  g_assert_cmpint (member_int (state, "unlocks"), ==, 0);
  g_assert_cmpint (member_int (state, "connections"), ==, 0);
}

static void
test_unlock_bad_answer (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  am_test_bluez_set_bad_tags (am_lock_get_id (f->lock), TRUE);
  g_assert_false (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));

  /* Whatever the lock did, the user is not told that it opened. */
  g_assert_error (error, AM_ERROR, AM_ERROR_BAD_ANSWER);
  g_assert_cmpint (am_ble_session_get_unlocked_at (f->session), ==, 0);
  g_assert_false (states_contain (f, AM_BLE_SESSION_READING_LOG));
  g_assert_false (states_contain (f, AM_BLE_SESSION_DONE));
  g_assert_cmpuint (count_outbox (f, AM_OUTBOX_UNLOCK_CREATE, "\"failed\""), ==, 1);
  g_assert_cmpuint (count_outbox (f, AM_OUTBOX_UNLOCK_CREATE, "\"ok\""), ==, 0);
}

static void
test_unlock_jammed (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = NULL;

  am_test_bluez_set_jammed (am_lock_get_id (f->lock), TRUE);
  g_assert_false (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));

  g_assert_error (error, AM_ERROR, AM_ERROR_LOCK_JAMMED);
  g_assert_cmpint (am_ble_session_get_unlocked_at (f->session), ==, 0);
  g_assert_cmpuint (count_outbox (f, AM_OUTBOX_UNLOCK_CREATE, "\"jammed\""), ==, 1);
  state = lock_state (f);
  g_assert_cmpint (member_int (state, "unlocks"), ==, 0);
}

static void
test_unlock_no_key (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = NULL;

  clear_keys (f->vault, f->server);
  g_assert_false (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));

  g_assert_error (error, AM_ERROR, AM_ERROR_NO_KEY);
  g_assert_nonnull (strstr (error->message, "You have no key for this lock."));
  g_assert_nonnull (strstr (error->message, "Sync"));
  state = lock_state (f);
  g_assert_cmpint (member_int (state, "commands"), ==, 0);
}

static void
cancel_now (gpointer data)
{
  Fixture *f = data;

  g_cancellable_cancel (f->cancellable);
}

static void
test_unlock_cancelled (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = NULL;

  /* Connected, notifications on: the worst moment to leave. */
  f->trigger_state = AM_BLE_SESSION_UNLOCKING;
  f->trigger = cancel_now;
  g_assert_false (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (am_ble_session_get_state (f->session), ==, AM_BLE_SESSION_FAILED);
  state = lock_state (f);
  g_assert_false (json_object_get_boolean_member (state, "connected"));
  g_assert_cmpint (member_int (state, "connections"), ==, 1);
}

static void
test_unlock_cancelled_while_looking (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  am_test_bluez_set_in_range (am_lock_get_id (f->lock), FALSE);
  f->trigger_state = AM_BLE_SESSION_LOOKING;
  f->trigger = cancel_now;
  g_assert_false (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
turn_bluetooth_off (gpointer data)
{
  am_test_bluez_set_powered (FALSE);
}

static void
test_unlock_bluetooth_turned_off_while_looking (Fixture       *f,
                                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  am_test_bluez_set_in_range (am_lock_get_id (f->lock), FALSE);
  f->trigger_state = AM_BLE_SESSION_LOOKING;
  f->trigger = turn_bluetooth_off;
  g_assert_false (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));
  am_test_bluez_set_powered (TRUE);

  /* Said at once, not after the search gave up. */
  g_assert_error (error, AM_ERROR, AM_ERROR_BLUETOOTH_OFF);
}

static void
come_into_range_cb (gpointer data)
{
  Fixture *f = data;

  am_test_bluez_set_in_range (am_lock_get_id (f->lock), TRUE);
}

static void
test_unlock_lock_shows_up_late (Fixture       *f,
                                gconstpointer  data)
{
  static const AmBleSessionState expected[] = {
    AM_BLE_SESSION_LOOKING, AM_BLE_SESSION_TOO_FAR, AM_BLE_SESSION_CONNECTING,
    AM_BLE_SESSION_UNLOCKING, AM_BLE_SESSION_READING_LOG, AM_BLE_SESSION_DONE,
  };
  g_autoptr(GError) error = NULL;

  /* Out of range, then heard weakly, then near: the user walks up. */
  am_test_bluez_set_in_range (am_lock_get_id (f->lock), FALSE);
  am_test_bluez_set_rssi (am_lock_get_id (f->lock), -90);
  am_ble_session_set_discovery_timeout (f->session, 8000);
  g_timeout_add_once (600, come_into_range_cb, f);
  f->trigger_state = AM_BLE_SESSION_TOO_FAR;
  f->trigger = walk_up;
  g_assert_true (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));
  g_assert_no_error (error);
  assert_states (f, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (am_ble_session_get_rssi (f->session), >=, AM_BLUEZ_RSSI_THRESHOLD);
}

/* The upkeep */

static void
test_upkeep_sets_a_drifted_clock (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(GPtrArray) events = NULL;

  am_test_bluez_set_clock_offset (am_lock_get_id (f->lock), 300);
  g_assert_true (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));
  g_assert_no_error (error);

  g_assert_true (am_ble_session_get_clock_set (f->session));
  state = lock_state (f);
  g_assert_cmpint (ABS (member_int (state, "clock_offset")), <=, 3);
  events = stored_events (f);
  g_assert_nonnull (find_event (events, AM_LOCK_EVENT_NAME_TIME_SET));
  g_assert_nonnull (find_event (events, AM_LOCK_EVENT_NAME_BLE_UNLOCK));
}

static void
test_upkeep_reads_a_keypad_code (Fixture       *f,
                                 gconstpointer  data)
{
  static const AmBleSessionState expected[] = {
    AM_BLE_SESSION_LOOKING, AM_BLE_SESSION_CONNECTING, AM_BLE_SESSION_READING_LOG,
    AM_BLE_SESSION_DONE,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(AmPasscodeKey) key = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *typed = NULL;
  guint8 lock_id[AM_LOCK_ID_LEN];
  char code[AM_PASSCODE_MAX_DIGITS + 1];
  guint32 start_h = (guint32) (g_get_real_time () / G_USEC_PER_SEC / 3600) - 1;
  guint p = 5;  /* six hours from an hour ago */
  AmLockEventRecord *open;

  g_assert_true (am_lock_id_parse (am_lock_get_id (f->lock), lock_id, NULL));
  key = am_passcode_key_new (f->key, lock_id, 1, 10);
  am_passcode_key_derive (key, start_h, p, code, &error);
  g_assert_no_error (error);
  typed = am_test_bluez_type_code (am_lock_get_id (f->lock), code);
  g_assert_cmpstr (typed, ==, "open");

  g_assert_true (run_session (f, AM_BLE_SESSION_MODE_READ_LOG, &error));
  g_assert_no_error (error);
  assert_states (f, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (am_ble_session_get_unlocked_at (f->session), ==, 0);

  events = stored_events (f);
  open = find_event (events, AM_LOCK_EVENT_NAME_KEYPAD_OPEN);
  g_assert_nonnull (open);
  g_assert_cmpuint (am_lock_event_record_get_start_h (open), ==, start_h);
  g_assert_cmpuint (am_lock_event_record_get_p (open), ==, p);
  g_assert_null (find_event (events, AM_LOCK_EVENT_NAME_BLE_UNLOCK));
  g_assert_cmpuint (count_outbox (f, AM_OUTBOX_LOCK_EVENTS, AM_LOCK_EVENT_NAME_KEYPAD_OPEN), ==, 1);
  g_assert_cmpuint (count_outbox (f, AM_OUTBOX_UNLOCK_CREATE, NULL), ==, 0);

  /* Reading the log does not open the door. */
  state = lock_state (f);
  g_assert_cmpint (member_int (state, "unlocks"), ==, 0);
}

static void
test_upkeep_reads_a_rejected_code (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *typed = NULL;
  AmLockEventRecord *reject;

  typed = am_test_bluez_type_code (am_lock_get_id (f->lock), "1234567890");
  g_assert_true (g_str_has_prefix (typed, "reject:"));

  g_assert_true (run_session (f, AM_BLE_SESSION_MODE_READ_LOG, &error));
  g_assert_no_error (error);

  events = stored_events (f);
  reject = find_event (events, AM_LOCK_EVENT_NAME_KEYPAD_REJECT);
  g_assert_nonnull (reject);
  g_assert_cmpstr (am_lock_event_record_get_result (reject), ==, typed + strlen ("reject:"));
  g_assert_cmpuint (am_lock_event_record_get_p (reject), ==, 0);
}

static void
test_upkeep_revokes_once (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint32 start_h = (guint32) (now / 3600) - 1;
  AmPasscodeRecord *passcode = am_test_passcode (f->lock, start_h, 47, now - 7200);
  JsonArray *deny;
  gboolean denied = FALSE;
  gint64 commands;

  passcode->revoked_at = now - 60;
  passcode->revoked_by_id = g_strdup (f->account.user_id);
  passcode->revoked_by_name = g_strdup ("Lee Agent");
  g_ptr_array_add (page->passcodes, passcode);
  am_test_apply (f->store, page);

  g_assert_true (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (am_ble_session_get_n_revoked (f->session), ==, 1);

  state = lock_state (f);
  deny = json_object_get_array_member (state, "deny");
  for (guint i = 0; i < json_array_get_length (deny); i++)
    {
      JsonArray *entry = json_array_get_array_element (deny, i);

      if (json_array_get_int_element (entry, 0) == start_h && json_array_get_int_element (entry, 1) == 47)
        denied = TRUE;
    }
  g_assert_true (denied);

  /* The lock's log confirms it: nothing is pending, and the next visit
   * does not revoke again. */
  pending = am_store_list_pending_revocations (f->store, am_lock_get_id (f->lock));
  g_assert_cmpuint (pending->len, ==, 0);

  commands = member_int (state, "commands");
  g_assert_true (run_session (f, AM_BLE_SESSION_MODE_UNLOCK, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (am_ble_session_get_n_revoked (f->session), ==, 0);
  again = lock_state (f);
  /* UNLOCK and READ_LOG only. */
  g_assert_cmpint (member_int (again, "commands") - commands, ==, 2);
}

/* Without BlueZ: each in a child process with a system bus of its own */

static void
test_unlock_service_not_running (void)
{
  if (g_test_subprocess ())
    {
      AmTestBus *bus = am_test_bus_start ();
      g_autoptr(GError) error = NULL;
      g_autoptr(AmBluez) bluez = NULL;

      bluez = bluez_new (&error);
      g_assert_no_error (error);
      g_assert_false (am_bluez_get_available (bluez));
      g_assert_false (am_bluez_check_adapter (bluez, &error));
      g_assert_error (error, AM_ERROR, AM_ERROR_BLUETOOTH_UNAVAILABLE);
      g_assert_true (g_str_has_prefix (error->message, "The Bluetooth service is not running."));

      {
        g_autoptr(AmProperty) property = am_test_property ("Maple Court", "12 Maple Ct", "Austin", "America/Chicago");
        g_autoptr(AmLock) lock = am_test_lock (property, "Front door", "1A");
        g_autofree char *path = am_test_store_path ();
        g_autoptr(GError) store_error = NULL;
        g_autoptr(AmStore) store = am_store_open (path, &store_error);
        g_autoptr(AmVault) vault = am_vault_new ();
        g_autoptr(AmBleSession) session = NULL;
        g_autoptr(GAsyncResult) result = NULL;
        g_autoptr(GError) session_error = NULL;
        AmAccount account = { .server = (char *) "https://ble-none.test", .user_id = (char *) "u", .user_name = (char *) "Lee" };

        g_assert_no_error (store_error);
        session = am_ble_session_new (bluez, store, vault, &account, lock, AM_BLUEZ_RSSI_THRESHOLD);
        am_ble_session_run_async (session, AM_BLE_SESSION_MODE_UNLOCK, NULL, am_test_on_done_cb, &result);
        am_test_wait_for (&result);
        g_assert_false (am_ble_session_run_finish (session, result, &session_error));
        g_assert_error (session_error, AM_ERROR, AM_ERROR_BLUETOOTH_UNAVAILABLE);
        g_assert_cmpint (am_ble_session_get_dbus_calls (session), ==, 0);
      }

      g_clear_object (&bluez);
      am_test_bus_stop (bus);
      return;
    }

  g_test_trap_subprocess (NULL, CHILD_TIMEOUT_USEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_unlock_no_system_bus (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("test-ble-session-XXXXXX", NULL);
      g_autofree char *address = g_strdup_printf ("unix:path=%s/nothing", dir);
      g_autoptr(AmBluez) bluez = NULL;

      g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
      bluez = bluez_new (&error);
      g_assert_null (bluez);
      g_assert_error (error, AM_ERROR, AM_ERROR_BLUETOOTH_UNAVAILABLE);
      g_assert_true (g_str_has_prefix (error->message, "The Bluetooth service is not running."));
      g_rmdir (dir);
      return;
    }

  g_test_trap_subprocess (NULL, CHILD_TIMEOUT_USEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

  ADD ("/ble-session/unlock/opens-the-door", test_unlock_opens_the_door);
  ADD ("/ble-session/unlock/bluetooth-off", test_unlock_bluetooth_off);
  ADD ("/ble-session/unlock/no-adapter", test_unlock_no_adapter);
  ADD ("/ble-session/unlock/lock-not-found", test_unlock_lock_not_found);
  ADD ("/ble-session/unlock/too-far-says-the-signal", test_unlock_too_far);
  ADD ("/ble-session/unlock/connection-failed", test_unlock_connection_failed);
  ADD ("/ble-session/unlock/bad-answer-is-never-open", test_unlock_bad_answer);
  ADD ("/ble-session/unlock/jammed", test_unlock_jammed);
  ADD ("/ble-session/unlock/no-key", test_unlock_no_key);
  ADD ("/ble-session/unlock/bluetooth-turned-off-while-looking", test_unlock_bluetooth_turned_off_while_looking);
  ADD ("/ble-session/unlock/lock-shows-up-late", test_unlock_lock_shows_up_late);
  ADD ("/ble-session/unlock/cancelled-disconnects", test_unlock_cancelled);
  ADD ("/ble-session/unlock/cancelled-while-looking", test_unlock_cancelled_while_looking);
  ADD ("/ble-session/upkeep/sets-a-drifted-clock", test_upkeep_sets_a_drifted_clock);
  ADD ("/ble-session/upkeep/reads-a-keypad-code", test_upkeep_reads_a_keypad_code);
  ADD ("/ble-session/upkeep/reads-a-rejected-code", test_upkeep_reads_a_rejected_code);
  ADD ("/ble-session/upkeep/revokes-once", test_upkeep_revokes_once);
  g_test_add_func ("/ble-session/unlock/service-not-running", test_unlock_service_not_running);
  g_test_add_func ("/ble-session/unlock/no-system-bus", test_unlock_no_system_bus);

#undef ADD

  /* Not in the children: they make a bus of their own, or none. */
  if (!g_test_subprocess ())
    test_bus = am_test_bluez_start (NULL);

  status = g_test_run ();

  am_test_bus_stop (test_bus);
  return status;
}
