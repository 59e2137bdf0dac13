/* bench-ble.c: a Bluetooth unlock against the simulated AM1 lock
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The simulated lock (python-dbusmock behind BlueZ's API on a private
 * system bus) is opened 10 times (--quick: 3) by one session each, one
 * after the other: the first must discover the lock and gather three
 * signal readings; the others find readings of the last 5 s. For each:
 * the time from the request to the verified STATUS, split into
 * finding the lock near enough (the proximity rule needs 3 readings, and
 * the simulator sends one every 250 ms), connecting and unlocking; the
 * whole visit, log read included; and the D-Bus calls the session made.
 * The baseline, in the same run: one D-Bus round trip to the same mock
 * (Properties.Get on the adapter), so that the calls can be priced.
 * Needs a session bus with an unlocked Secret Service (build-aux/dev bench
 * provides one). Prints one JSON line: the first visit, then medians.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "am-ble-session.h"
#include "am-records-private.h"
#include "am-test-async.h"
#include "am-test-bluez.h"
#include "am-test-records.h"

#define SERVER "http://bench.invalid"

typedef struct
{
  gint64 start;
  gint64 connecting;
  gint64 status;      /* the STATUS verified: the session went on to the log */
} Marks;

static void
on_state_cb (AmBleSession *session,
             GParamSpec   *pspec,
             Marks        *marks)
{
  gint64 now = g_get_monotonic_time ();

  switch (am_ble_session_get_state (session))
    {
    case AM_BLE_SESSION_CONNECTING:
      if (marks->connecting == 0)
        marks->connecting = now;
      break;
    case AM_BLE_SESSION_READING_LOG:
    case AM_BLE_SESSION_DONE:
      if (marks->status == 0)
        marks->status = now;
      break;
    case AM_BLE_SESSION_LOOKING:
    case AM_BLE_SESSION_TOO_FAR:
    case AM_BLE_SESSION_UNLOCKING:
    case AM_BLE_SESSION_FAILED:
    default:
      break;
    }
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return values[n / 2];
}

/* One round trip to the mock: the price of a D-Bus call. */
static double
round_trip_us (guint n)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, NULL);
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (bus, "org.bluez", "/org/bluez/hci0", "org.freedesktop.DBus.Properties",
                                     "Get", g_variant_new ("(ss)", "org.bluez.Adapter1", "Powered"),
                                     NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      g_assert_nonnull (reply);
    }
  return (double) (g_get_monotonic_time () - start) / n;
}

int
main (int    argc,
      char **argv)
{
  gboolean quick = argc > 1 && g_str_equal (argv[1], "--quick");
  guint n = quick ? 3 : 10;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-ble-XXXXXX", &error);
  g_autofree char *cache = g_build_filename (dir, "cache.sqlite", NULL);
  g_autoptr(AmStore) store = NULL;
  g_autoptr(AmVault) vault = am_vault_new ();
  g_autoptr(AmBluez) bluez = NULL;
  g_autoptr(AmProperty) property = am_test_property ("Juniper Court", "400 Juniper Court", "Austin", "America/Chicago");
  g_autoptr(AmLock) lock = am_test_lock (property, "Leasing Office", NULL);
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *path = NULL;
  AmAccount account = {
    (char *) SERVER, (char *) "5a0c5e1b-1111-4222-8333-944455566677", (char *) "Bench Agent", NULL,
    (char *) "6b1d6f2c-2222-4333-9444-a55566677788", (char *) "Bench", TRUE,
  };
  double cold, to_status[10], looking[10], connect_unlock[10], whole[10], calls[10], rtt;
  guint8 key[32];
  AmTestBus *bus;

  g_assert_no_error (error);
  bus = am_test_bluez_start (g_getenv ("AM_SIM_TEMPLATE"));

  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8) g_random_int ();
  store = am_store_open (cache, &error);
  g_assert_no_error (error);
  g_ptr_array_add (page->properties, g_object_ref (property));
  g_ptr_array_add (page->locks, g_object_ref (lock));
  g_ptr_array_add (page->grants, am_test_grant (property, "ble_unlock"));
  am_test_apply (store, page);
  am_vault_store_lock_key_async (vault, SERVER, am_lock_get_id (lock), am_lock_get_kv (lock), key, sizeof key,
                                 NULL, am_test_on_done_cb, &result);
  if (!am_vault_store_lock_key_finish (vault, am_test_wait_for (&result), &error))
    g_error ("%s", error->message);
  path = am_test_bluez_add_lock (am_lock_get_id (lock), key, am_lock_get_kv (lock), am_lock_get_digits (lock),
                                 am_lock_get_q_offset_s (lock), 80, "Leasing Office");

  g_clear_object (&result);
  am_bluez_new_async (NULL, am_test_on_done_cb, &result);
  bluez = am_bluez_new_finish (am_test_wait_for (&result), &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AmBleSession) session = am_ble_session_new (bluez, store, vault, &account, lock, -70);
      Marks marks = { g_get_monotonic_time (), 0, 0 };
      gint64 end;

      g_signal_connect (session, "notify::state", G_CALLBACK (on_state_cb), &marks);
      g_clear_object (&result);
      am_ble_session_run_async (session, AM_BLE_SESSION_MODE_UNLOCK, NULL, am_test_on_done_cb, &result);
      if (!am_ble_session_run_finish (session, am_test_wait_for (&result), &error))
        g_error ("unlock %u: %s", i, error->message);
      end = g_get_monotonic_time ();
      to_status[i] = (marks.status - marks.start) / 1000.0;
      looking[i] = (marks.connecting - marks.start) / 1000.0;
      connect_unlock[i] = (marks.status - marks.connecting) / 1000.0;
      whole[i] = (end - marks.start) / 1000.0;
      calls[i] = am_ble_session_get_dbus_calls (session);
    }
  rtt = round_trip_us (quick ? 200 : 1000);
  cold = to_status[0];

  printf ("{\"benchmark\":\"ble\",\"unlocks\":%u,\"first_request_to_verified_status_ms\":%.1f,"
          "\"request_to_verified_status_ms\":%.1f,"
          "\"finding_near_ms\":%.1f,\"connect_and_unlock_ms\":%.1f,\"whole_visit_ms\":%.1f,"
          "\"dbus_calls_per_unlock\":%.0f,\"dbus_round_trip_us\":%.1f,\"calls_at_round_trip_ms\":%.2f}\n",
          n, cold, median (to_status, n), median (looking, n), median (connect_unlock, n), median (whole, n),
          median (calls, n), rtt, median (calls, n) * rtt / 1000.0);

  {
    g_autoptr(GAsyncResult) cleared = NULL;

    am_vault_clear_lock_keys_async (vault, SERVER, NULL, NULL, am_test_on_done_cb, &cleared);
    am_vault_clear_lock_keys_finish (vault, am_test_wait_for (&cleared), NULL);
  }
  g_clear_object (&bluez);
  am_test_bus_stop (bus);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  return 0;
}
