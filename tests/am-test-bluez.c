/* am-test-bluez.c: a private system bus with the simulated AM1 lock (python-dbusmock) for tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/types.h>

#include <glib/gstdio.h>

#include "am-encoding.h"
#include "am-test-bluez.h"

#define MOCK_PATH       "/org/bluez"
#define MOCK_INTERFACE  "org.bluez.AM1Mock"
#define ADAPTER_PATH    "/org/bluez/hci0"
#define START_TIMEOUT_USEC (20 * G_USEC_PER_SEC)

struct _AmTestBus
{
  char        *address;
  GSubprocess *daemon;       /* the bus, a child of the test */
  GSubprocess *mock;
  char        *dir;
  char        *log_path;
};

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

AmTestBus *
am_test_bus_start (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *pid = NULL;
  AmTestBus *bus;

  /* Not --fork: a child that dies with the test, also when an assertion
   * aborts it before its teardown. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  bus = g_new0 (AmTestBus, 1);
  bus->daemon = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon",
                                             "--config-file=/usr/share/dbus-1/session.conf",
                                             "--nofork", "--print-address=1", "--print-pid=1", NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bus->daemon));
  address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  pid = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);
  g_assert_nonnull (pid);

  bus->address = g_strdup (g_strstrip (address));
  bus->dir = g_dir_make_tmp ("am-test-bluez-XXXXXX", &error);
  g_assert_no_error (error);

  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", bus->address, TRUE);
  return bus;
}

static void
wait_for_name (AmTestBus  *bus,
               const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_USEC;

  connection = g_dbus_connection_new_for_address_sync (bus->address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);

  for (;;)
    {
      g_autoptr(GVariant) reply = NULL;
      gboolean has_owner = FALSE;

      reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "NameHasOwner",
                                           g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      g_assert_no_error (error);
      g_variant_get (reply, "(b)", &has_owner);
      if (has_owner)
        break;

      if (g_get_monotonic_time () > deadline)
        g_error ("%s did not show up on the test bus; see %s", name, bus->log_path);
      g_usleep (50 * 1000);
    }

  g_dbus_connection_close_sync (connection, NULL, NULL);
}

AmTestBus *
am_test_bluez_start (const char *template_path)
{
  if (template_path == NULL)
    template_path = g_getenv ("AM_SIM_TEMPLATE");
  g_assert_nonnull (template_path);

  return am_test_dbusmock_start (template_path, "org.bluez");
}

AmTestBus *
am_test_dbusmock_start (const char *template,
                        const char *name)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  AmTestBus *bus;

  bus = am_test_bus_start ();
  bus->log_path = g_build_filename (bus->dir, "dbusmock.log", NULL);

  /* Nothing on the test's stdout (TAP), and gone should the test die. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS", bus->address, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  bus->mock = g_subprocess_launcher_spawn (launcher, &error,
                                           "/usr/bin/python3", "-m", "dbusmock", "--system",
                                           "--template", template,
                                           "-l", bus->log_path,
                                           NULL);
  g_assert_no_error (error);

  wait_for_name (bus, name);
  return bus;
}

void
am_test_bus_stop (AmTestBus *bus)
{
  g_autoptr(GDBusConnection) system_bus = NULL;

  if (bus == NULL)
    return;

  /* GDBus ends the process when its system bus goes away, unless told. */
  system_bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, NULL);
  if (system_bus != NULL)
    {
      g_dbus_connection_set_exit_on_close (system_bus, FALSE);
      g_dbus_connection_close_sync (system_bus, NULL, NULL);
    }

  if (bus->mock != NULL)
    {
      g_subprocess_send_signal (bus->mock, SIGTERM);
      g_subprocess_wait (bus->mock, NULL, NULL);
      g_clear_object (&bus->mock);
    }
  if (bus->daemon != NULL)
    {
      g_subprocess_send_signal (bus->daemon, SIGTERM);
      g_subprocess_wait (bus->daemon, NULL, NULL);
      g_clear_object (&bus->daemon);
    }

  if (bus->log_path != NULL && g_getenv ("AM_TEST_KEEP_LOGS") == NULL)
    g_unlink (bus->log_path);
  if (bus->dir != NULL)
    g_rmdir (bus->dir);

  g_free (bus->address);
  g_free (bus->dir);
  g_free (bus->log_path);
  g_free (bus);
}

const char *
am_test_bus_get_address (AmTestBus *bus)
{
  return bus->address;
}

const char *
am_test_bus_get_log_path (AmTestBus *bus)
{
  return bus->log_path;
}

GVariant *
am_test_bluez_call (const char *method,
                    GVariant   *parameters,
                    const char *reply_type)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  connection = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  g_assert_no_error (error);

  reply = g_dbus_connection_call_sync (connection, "org.bluez", MOCK_PATH, MOCK_INTERFACE, method,
                                       parameters,
                                       reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  return reply;
}

static void
call_void (const char *method,
           GVariant   *parameters)
{
  g_autoptr(GVariant) reply = am_test_bluez_call (method, parameters, "()");
}

char *
am_test_bluez_add_lock (const char   *lock_id,
                        const guint8 *key,
                        guint         kv,
                        guint         digits,
                        guint         q_offset_s,
                        guint         battery,
                        const char   *name)
{
  g_autofree char *key_hex = am_hex_encode (key, 32);
  g_autoptr(GVariant) reply = NULL;
  char *path = NULL;

  reply = am_test_bluez_call ("AddLock",
                              g_variant_new ("(ssyyuys)", lock_id, key_hex, (guchar) kv,
                                             (guchar) digits, (guint32) q_offset_s,
                                             (guchar) battery, name),
                              "(o)");
  g_variant_get (reply, "(o)", &path);
  return path;
}

void
am_test_bluez_remove_lock (const char *lock_id)
{
  call_void ("RemoveLock", g_variant_new ("(s)", lock_id));
}

void
am_test_bluez_add_adapter (void)
{
  call_void ("AddAdapter", NULL);
}

void
am_test_bluez_remove_adapter (void)
{
  call_void ("RemoveAdapter", NULL);
}

void
am_test_bluez_set_powered (gboolean powered)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (connection, "org.bluez", ADAPTER_PATH,
                                       "org.freedesktop.DBus.Properties", "Set",
                                       g_variant_new ("(ssv)", "org.bluez.Adapter1", "Powered",
                                                      g_variant_new_boolean (powered)),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

char *
am_test_bluez_type_code (const char *lock_id,
                         const char *code)
{
  g_autoptr(GVariant) reply = am_test_bluez_call ("TypeCode", g_variant_new ("(ss)", lock_id, code), "(s)");
  char *result = NULL;

  g_variant_get (reply, "(s)", &result);
  return result;
}

void
am_test_bluez_set_rssi (const char *lock_id,
                        gint        rssi)
{
  call_void ("SetRssi", g_variant_new ("(sn)", lock_id, (gint16) rssi));
}

void
am_test_bluez_set_in_range (const char *lock_id,
                            gboolean    in_range)
{
  call_void ("SetInRange", g_variant_new ("(sb)", lock_id, in_range));
}

void
am_test_bluez_set_jammed (const char *lock_id,
                          gboolean    jammed)
{
  call_void ("SetJammed", g_variant_new ("(sb)", lock_id, jammed));
}

void
am_test_bluez_set_bad_tags (const char *lock_id,
                            gboolean    bad_tags)
{
  call_void ("SetBadTags", g_variant_new ("(sb)", lock_id, bad_tags));
}

void
am_test_bluez_set_clock_offset (const char *lock_id,
                                gint        seconds)
{
  call_void ("SetClockOffset", g_variant_new ("(si)", lock_id, (gint32) seconds));
}

void
am_test_bluez_set_battery (const char *lock_id,
                           guint       battery)
{
  call_void ("SetBattery", g_variant_new ("(sy)", lock_id, (guchar) battery));
}

JsonObject *
am_test_bluez_get_lock_state (const char *lock_id)
{
  g_autoptr(GVariant) reply = am_test_bluez_call ("GetLockState", g_variant_new ("(s)", lock_id), "(s)");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  const char *json = NULL;

  g_variant_get (reply, "(&s)", &json);
  node = json_from_string (json, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}
