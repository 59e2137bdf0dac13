/* am-bluez.c: BlueZ over D-Bus: the adapter, discovery, and the locks nearby
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One GDBusObjectManagerClient follows everything org.bluez exports on the
 * system bus, as gnome-bluetooth does: adapters, devices, GATT services and
 * characteristics come and go live, each interface a gdbus-codegen proxy.
 * The manager never starts bluetoothd itself; when the service is not
 * running, or stops, "available" turns false and every object goes.
 *
 * A device is a lock when its manufacturer data (company AM_BLE_COMPANY_ID)
 * carries the first 8 bytes of the lock's id; names and addresses are never
 * trusted. RSSI is only fresh while discovering, so only readings that came
 * while discovering count, each with the time it came; proximity is the
 * median of the readings of the last 5 seconds.
 *
 * Discovery is shared: the first user starts it with the AM1 filter, the
 * last one stops it.
 */
#define G_LOG_DOMAIN "am-bluez"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "am-bluez-private.h"
#include "am-encoding.h"
#include "am-error.h"

#define BLUEZ_NAME            "org.bluez"
#define ADAPTER_INTERFACE     "org.bluez.Adapter1"
#define DEVICE_INTERFACE      "org.bluez.Device1"
#define SERVICE_INTERFACE     "org.bluez.GattService1"
#define CHAR_INTERFACE        "org.bluez.GattCharacteristic1"

#define ADAPTER_CALL_TIMEOUT_MS  5000
#define MAX_READINGS             64

struct _AmBluez
{
  GObject             parent_instance;

  GDBusObjectManager *manager;
  GHashTable         *readings;            /* device path → GArray of Reading */
  guint               discovery_users;
  char               *discovery_adapter;   /* where discovery was started */
  guint               dbus_calls;
  gboolean            available;
};

typedef struct
{
  gint64 at;                               /* monotonic, µs */
  gint   rssi;
} Reading;

enum {
  PROP_0,
  PROP_AVAILABLE,
  N_PROPS
};

enum {
  ADAPTER_CHANGED,
  DEVICE_CHANGED,
  DEVICE_REMOVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AmBluez, am_bluez, G_TYPE_OBJECT)

static GType
get_proxy_type (GDBusObjectManagerClient *manager,
                const char               *object_path,
                const char               *interface_name,
                gpointer                  user_data)
{
  if (interface_name == NULL)
    return G_TYPE_DBUS_OBJECT_PROXY;
  if (g_str_equal (interface_name, ADAPTER_INTERFACE))
    return AM_BLUEZ_TYPE_ADAPTER1_PROXY;
  if (g_str_equal (interface_name, DEVICE_INTERFACE))
    return AM_BLUEZ_TYPE_DEVICE1_PROXY;
  if (g_str_equal (interface_name, SERVICE_INTERFACE))
    return AM_BLUEZ_TYPE_GATT_SERVICE1_PROXY;
  if (g_str_equal (interface_name, CHAR_INTERFACE))
    return AM_BLUEZ_TYPE_GATT_CHARACTERISTIC1_PROXY;
  return G_TYPE_DBUS_PROXY;
}

static gboolean
uuid_equal (const char *a,
            const char *b)
{
  return a != NULL && b != NULL && g_ascii_strcasecmp (a, b) == 0;
}

static void
set_available (AmBluez  *self,
               gboolean  available)
{
  available = !!available;
  if (self->available == available)
    return;

  self->available = available;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
}

static void
add_reading (AmBluez    *self,
             const char *device_path,
             gint        rssi)
{
  GArray *readings = g_hash_table_lookup (self->readings, device_path);
  Reading reading = { g_get_monotonic_time (), rssi };

  if (readings == NULL)
    {
      readings = g_array_new (FALSE, FALSE, sizeof (Reading));
      g_hash_table_insert (self->readings, g_strdup (device_path), readings);
    }

  /* Oldest first; drop what is too old to count, and keep the array short. */
  while (readings->len > 0 &&
         (g_array_index (readings, Reading, 0).at < reading.at - AM_BLUEZ_RSSI_WINDOW_USEC ||
          readings->len >= MAX_READINGS))
    g_array_remove_index (readings, 0);
  g_array_append_val (readings, reading);
}

static gint
compare_int (gconstpointer a,
             gconstpointer b)
{
  gint x = *(const gint *) a;
  gint y = *(const gint *) b;

  return (x > y) - (x < y);
}

/* The manufacturer data of a device under AM_BLE_COMPANY_ID, parsed. */
static gboolean
device_get_advert (AmBluezDevice1 *device,
                   AmBleAdvert    *out)
{
  GVariant *data = am_bluez_device1_get_manufacturer_data (device);
  GVariantIter iter;
  guint16 company;
  GVariant *value;

  if (data == NULL || !g_variant_is_of_type (data, G_VARIANT_TYPE ("a{qv}")))
    return FALSE;

  g_variant_iter_init (&iter, data);
  while (g_variant_iter_next (&iter, "{qv}", &company, &value))
    {
      g_autoptr(GVariant) bytes = value;

      if (company == AM_BLE_COMPANY_ID && g_variant_is_of_type (bytes, G_VARIANT_TYPE_BYTESTRING))
        {
          gsize len;
          const guint8 *raw = g_variant_get_fixed_array (bytes, &len, 1);

          return am_ble_advert_parse (raw, len, out);
        }
    }
  return FALSE;
}

static gboolean
object_has_adapter (GDBusObject *object)
{
  g_autoptr(GDBusInterface) adapter = g_dbus_object_get_interface (object, ADAPTER_INTERFACE);

  return adapter != NULL;
}

/* A device's interface appeared, with the properties BlueZ has for it. */
static void
device_appeared (AmBluez        *self,
                 AmBluezDevice1 *device)
{
  const char *path = g_dbus_proxy_get_object_path (G_DBUS_PROXY (device));
  g_autoptr(GVariant) rssi = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (device), "RSSI");

  /* A device BlueZ knew before is not proof of presence; one that shows up
   * while discovering has just advertised. */
  if (rssi != NULL && self->discovery_users > 0)
    add_reading (self, path, am_bluez_device1_get_rssi (device));
  g_signal_emit (self, signals[DEVICE_CHANGED], 0, path);
}

static void
on_object_added_cb (GDBusObjectManager *manager,
                    GDBusObject        *object,
                    AmBluez            *self)
{
  g_autoptr(GDBusInterface) device = g_dbus_object_get_interface (object, DEVICE_INTERFACE);

  if (device != NULL)
    device_appeared (self, AM_BLUEZ_DEVICE1 (device));
  if (object_has_adapter (object))
    g_signal_emit (self, signals[ADAPTER_CHANGED], 0);
}

static void
on_object_removed_cb (GDBusObjectManager *manager,
                      GDBusObject        *object,
                      AmBluez            *self)
{
  const char *path = g_dbus_object_get_object_path (object);
  g_autoptr(GDBusInterface) device = g_dbus_object_get_interface (object, DEVICE_INTERFACE);

  if (device != NULL)
    {
      g_hash_table_remove (self->readings, path);
      g_signal_emit (self, signals[DEVICE_REMOVED], 0, path);
    }
  if (object_has_adapter (object))
    {
      if (g_strcmp0 (path, self->discovery_adapter) == 0)
        {
          self->discovery_users = 0;
          g_clear_pointer (&self->discovery_adapter, g_free);
        }
      g_signal_emit (self, signals[ADAPTER_CHANGED], 0);
    }
}

static void
on_interface_added_cb (GDBusObjectManager *manager,
                       GDBusObject        *object,
                       GDBusInterface     *interface,
                       AmBluez            *self)
{
  if (AM_BLUEZ_IS_DEVICE1 (interface))
    device_appeared (self, AM_BLUEZ_DEVICE1 (interface));
  else if (AM_BLUEZ_IS_ADAPTER1 (interface))
    g_signal_emit (self, signals[ADAPTER_CHANGED], 0);
}

static void
on_interface_removed_cb (GDBusObjectManager *manager,
                         GDBusObject        *object,
                         GDBusInterface     *interface,
                         AmBluez            *self)
{
  const char *path = g_dbus_object_get_object_path (object);

  if (AM_BLUEZ_IS_DEVICE1 (interface))
    {
      g_hash_table_remove (self->readings, path);
      g_signal_emit (self, signals[DEVICE_REMOVED], 0, path);
    }
  else if (AM_BLUEZ_IS_ADAPTER1 (interface))
    {
      if (g_strcmp0 (path, self->discovery_adapter) == 0)
        {
          self->discovery_users = 0;
          g_clear_pointer (&self->discovery_adapter, g_free);
        }
      g_signal_emit (self, signals[ADAPTER_CHANGED], 0);
    }
}

static void
on_interface_proxy_properties_changed_cb (GDBusObjectManagerClient *manager,
                                          GDBusObjectProxy         *object_proxy,
                                          GDBusProxy               *interface_proxy,
                                          GVariant                 *changed,
                                          const char * const       *invalidated,
                                          AmBluez                  *self)
{
  const char *path = g_dbus_proxy_get_object_path (interface_proxy);

  if (AM_BLUEZ_IS_DEVICE1 (interface_proxy))
    {
      gint16 rssi;

      if (g_variant_lookup (changed, "RSSI", "n", &rssi))
        add_reading (self, path, rssi);
      g_signal_emit (self, signals[DEVICE_CHANGED], 0, path);
    }
  else if (AM_BLUEZ_IS_ADAPTER1 (interface_proxy))
    {
      gboolean powered;

      if (g_variant_lookup (changed, "Powered", "b", &powered))
        {
          /* BlueZ ends every discovery when the adapter goes off. */
          if (!powered && g_strcmp0 (path, self->discovery_adapter) == 0)
            {
              self->discovery_users = 0;
              g_clear_pointer (&self->discovery_adapter, g_free);
            }
          g_signal_emit (self, signals[ADAPTER_CHANGED], 0);
        }
    }
}

static void
on_name_owner_changed_cb (GObject    *manager,
                          GParamSpec *pspec,
                          AmBluez    *self)
{
  g_autofree char *owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (manager));

  g_debug ("org.bluez is %s", owner != NULL ? "running" : "gone");
  if (owner == NULL)
    {
      g_hash_table_remove_all (self->readings);
      self->discovery_users = 0;
      g_clear_pointer (&self->discovery_adapter, g_free);
    }
  set_available (self, owner != NULL);
  g_signal_emit (self, signals[ADAPTER_CHANGED], 0);
}

static void
on_manager_ready_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusObjectManager) manager = NULL;
  g_autofree char *owner = NULL;
  AmBluez *self;

  manager = g_dbus_object_manager_client_new_for_bus_finish (result, &error);
  if (manager == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_debug ("No system bus: %s", error->message);
      g_task_return_new_error (task, AM_ERROR, AM_ERROR_BLUETOOTH_UNAVAILABLE,
                               _("The Bluetooth service is not running. Start it, or ask "
                                 "whoever looks after this computer, then try again."));
      return;
    }

  self = g_object_new (AM_TYPE_BLUEZ, NULL);
  self->manager = g_steal_pointer (&manager);
  owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (self->manager));
  self->available = owner != NULL;

  g_signal_connect_object (self->manager, "object-added",
                           G_CALLBACK (on_object_added_cb), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->manager, "object-removed",
                           G_CALLBACK (on_object_removed_cb), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->manager, "interface-added",
                           G_CALLBACK (on_interface_added_cb), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->manager, "interface-removed",
                           G_CALLBACK (on_interface_removed_cb), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->manager, "interface-proxy-properties-changed",
                           G_CALLBACK (on_interface_proxy_properties_changed_cb), self,
                           G_CONNECT_DEFAULT);
  g_signal_connect_object (self->manager, "notify::name-owner",
                           G_CALLBACK (on_name_owner_changed_cb), self, G_CONNECT_DEFAULT);

  g_task_return_pointer (task, self, g_object_unref);
}

static gboolean
is_remote_error (const GError *error,
                 const char   *name)
{
  g_autofree char *remote = NULL;

  if (!g_dbus_error_is_remote_error (error))
    return FALSE;
  remote = g_dbus_error_get_remote_error (error);
  return g_strcmp0 (remote, name) == 0;
}

static void
on_stop_discovery_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!am_bluez_adapter1_call_stop_discovery_finish (AM_BLUEZ_ADAPTER1 (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* Discovery is over either way: the adapter went off, or BlueZ ended
       * it already. */
      g_debug ("StopDiscovery: %s", error->message);
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_start_discovery_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  AmBluez *self = g_task_get_source_object (task);

  if (!am_bluez_adapter1_call_start_discovery_finish (AM_BLUEZ_ADAPTER1 (source), result, &error) &&
      !is_remote_error (error, "org.bluez.Error.InProgress"))
    {
      g_debug ("StartDiscovery: %s", error->message);
      self->discovery_users = 0;
      g_clear_pointer (&self->discovery_adapter, g_free);
      g_task_return_error (task, am_bluez_error_from_dbus (error, AM_ERROR_BLUETOOTH_UNAVAILABLE,
                                                           _("Bluetooth could not search for the lock. "
                                                             "Turn Bluetooth off and on again, then try again.")));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_set_discovery_filter_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  AmBluez *self = g_task_get_source_object (task);

  if (!am_bluez_adapter1_call_set_discovery_filter_finish (AM_BLUEZ_ADAPTER1 (source), result, &error))
    {
      g_debug ("SetDiscoveryFilter: %s", error->message);
      self->discovery_users = 0;
      g_clear_pointer (&self->discovery_adapter, g_free);
      g_task_return_error (task, am_bluez_error_from_dbus (error, AM_ERROR_BLUETOOTH_UNAVAILABLE,
                                                           _("Bluetooth could not search for the lock. "
                                                             "Turn Bluetooth off and on again, then try again.")));
      return;
    }

  am_bluez_count_dbus_call (self);
  am_bluez_adapter1_call_start_discovery (AM_BLUEZ_ADAPTER1 (source),
                                          g_task_get_cancellable (task),
                                          on_start_discovery_cb,
                                          g_object_ref (task));
}

static void
am_bluez_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  AmBluez *self = AM_BLUEZ (object);

  switch (prop_id)
    {
    case PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_bluez_dispose (GObject *object)
{
  AmBluez *self = AM_BLUEZ (object);

  g_clear_object (&self->manager);

  G_OBJECT_CLASS (am_bluez_parent_class)->dispose (object);
}

static void
am_bluez_finalize (GObject *object)
{
  AmBluez *self = AM_BLUEZ (object);

  g_clear_pointer (&self->readings, g_hash_table_unref);
  g_clear_pointer (&self->discovery_adapter, g_free);

  G_OBJECT_CLASS (am_bluez_parent_class)->finalize (object);
}

static void
am_bluez_class_init (AmBluezClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = am_bluez_get_property;
  object_class->dispose = am_bluez_dispose;
  object_class->finalize = am_bluez_finalize;

  /**
   * AmBluez:available:
   *
   * Whether the Bluetooth service (BlueZ) is running.
   */
  properties[PROP_AVAILABLE] =
    g_param_spec_boolean ("available", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AmBluez::adapter-changed:
   *
   * An adapter came or went, or was turned on or off.
   */
  signals[ADAPTER_CHANGED] =
    g_signal_new ("adapter-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * AmBluez::device-changed:
   * @device_path: the device's object path
   *
   * A device appeared, or its signal strength, advert or connection changed.
   */
  signals[DEVICE_CHANGED] =
    g_signal_new ("device-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * AmBluez::device-removed:
   * @device_path: the device's object path
   *
   * BlueZ forgot a device.
   */
  signals[DEVICE_REMOVED] =
    g_signal_new ("device-removed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
am_bluez_init (AmBluez *self)
{
  self->readings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_array_unref);
}

/**
 * am_bluez_new_async:
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the client is ready
 * @user_data: data for @callback
 *
 * Connects to the system bus (`DBUS_SYSTEM_BUS_ADDRESS` where set) and
 * follows BlueZ's objects. The client is made even when BlueZ is not
 * running: it notices when it starts. Without a system bus it fails with
 * %AM_ERROR_BLUETOOTH_UNAVAILABLE.
 */
void
am_bluez_new_async (GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_bluez_new_async);
  g_dbus_object_manager_client_new_for_bus (G_BUS_TYPE_SYSTEM,
                                            G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
                                            BLUEZ_NAME, "/",
                                            get_proxy_type, NULL, NULL,
                                            cancellable,
                                            on_manager_ready_cb,
                                            g_steal_pointer (&task));
}

AmBluez *
am_bluez_new_finish (GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_bluez_new_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * am_bluez_get_available:
 *
 * Returns: whether the Bluetooth service is running
 */
gboolean
am_bluez_get_available (AmBluez *self)
{
  g_return_val_if_fail (AM_IS_BLUEZ (self), FALSE);

  return self->available;
}

/**
 * am_bluez_check_adapter:
 * @self: an #AmBluez
 * @error: where to put why Bluetooth cannot be used
 *
 * Returns: %TRUE when the Bluetooth service runs and has an adapter that
 *   is turned on
 */
gboolean
am_bluez_check_adapter (AmBluez  *self,
                        GError  **error)
{
  g_autoptr(AmBluezAdapter1) adapter = NULL;

  g_return_val_if_fail (AM_IS_BLUEZ (self), FALSE);

  if (!self->available)
    {
      g_set_error_literal (error, AM_ERROR, AM_ERROR_BLUETOOTH_UNAVAILABLE,
                           _("The Bluetooth service is not running. Start it, or ask "
                             "whoever looks after this computer, then try again."));
      return FALSE;
    }

  adapter = am_bluez_dup_adapter (self);
  if (adapter == NULL)
    {
      g_set_error_literal (error, AM_ERROR, AM_ERROR_NO_ADAPTER,
                           _("This computer has no Bluetooth adapter. Plug one in, "
                             "then try again."));
      return FALSE;
    }
  if (!am_bluez_adapter1_get_powered (adapter))
    {
      g_set_error_literal (error, AM_ERROR, AM_ERROR_BLUETOOTH_OFF,
                           _("Bluetooth is off. Turn it on in Settings, then try again."));
      return FALSE;
    }
  return TRUE;
}

/**
 * am_bluez_start_discovery_async:
 * @self: an #AmBluez
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when discovery runs
 * @user_data: data for @callback
 *
 * Searches for AM1 locks: LE only, the AM1 service, every advert reported
 * so that RSSI stays fresh. Each successful call must be matched by one of
 * am_bluez_stop_discovery_async().
 */
void
am_bluez_start_discovery_async (AmBluez             *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(AmBluezAdapter1) adapter = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder filter;
  const char *uuids[] = { AM_BLE_SERVICE_UUID, NULL };

  g_return_if_fail (AM_IS_BLUEZ (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_bluez_start_discovery_async);

  if (!am_bluez_check_adapter (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->discovery_users++ > 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  adapter = am_bluez_dup_adapter (self);
  g_assert (adapter != NULL);
  g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (adapter), ADAPTER_CALL_TIMEOUT_MS);
  self->discovery_adapter = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (adapter)));

  g_variant_builder_init (&filter, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&filter, "{sv}", "UUIDs", g_variant_new_strv (uuids, -1));
  g_variant_builder_add (&filter, "{sv}", "Transport", g_variant_new_string ("le"));
  g_variant_builder_add (&filter, "{sv}", "DuplicateData", g_variant_new_boolean (TRUE));

  am_bluez_count_dbus_call (self);
  am_bluez_adapter1_call_set_discovery_filter (adapter,
                                               g_variant_builder_end (&filter),
                                               cancellable,
                                               on_set_discovery_filter_cb,
                                               g_steal_pointer (&task));
}

gboolean
am_bluez_start_discovery_finish (AmBluez       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (AM_IS_BLUEZ (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_bluez_start_discovery_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * am_bluez_stop_discovery_async:
 * @self: an #AmBluez
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Ends one user's discovery; the last one stops it. Fails only when
 * cancelled: an adapter that is gone or off has stopped already.
 */
void
am_bluez_stop_discovery_async (AmBluez             *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GDBusInterface) adapter = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (AM_IS_BLUEZ (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, am_bluez_stop_discovery_async);

  if (self->discovery_users == 0 || --self->discovery_users > 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  path = g_steal_pointer (&self->discovery_adapter);
  if (path != NULL)
    adapter = g_dbus_object_manager_get_interface (self->manager, path, ADAPTER_INTERFACE);
  if (adapter == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  am_bluez_count_dbus_call (self);
  am_bluez_adapter1_call_stop_discovery (AM_BLUEZ_ADAPTER1 (adapter), cancellable,
                                         on_stop_discovery_cb, g_steal_pointer (&task));
}

gboolean
am_bluez_stop_discovery_finish (AmBluez       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (AM_IS_BLUEZ (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_bluez_stop_discovery_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * am_bluez_get_discovering:
 *
 * Returns: whether this client has discovery running
 */
gboolean
am_bluez_get_discovering (AmBluez *self)
{
  g_return_val_if_fail (AM_IS_BLUEZ (self), FALSE);

  return self->discovery_users > 0;
}

/**
 * am_bluez_find_lock:
 * @self: an #AmBluez
 * @lock_id: the lock's id, a UUID
 *
 * Finds the device whose advert carries the lock's id. Where several do
 * (a lock that changed its random address), the one heard from last.
 *
 * Returns: (transfer full) (nullable): the device's object path
 */
char *
am_bluez_find_lock (AmBluez    *self,
                    const char *lock_id)
{
  guint8 id[AM_LOCK_ID_LEN];
  g_autolist(GDBusObject) objects = NULL;
  const char *best = NULL;
  gint64 best_at = -1;

  g_return_val_if_fail (AM_IS_BLUEZ (self), NULL);
  g_return_val_if_fail (lock_id != NULL, NULL);

  if (!am_lock_id_parse (lock_id, id, NULL))
    return NULL;

  objects = g_dbus_object_manager_get_objects (self->manager);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      g_autoptr(GDBusInterface) device = g_dbus_object_get_interface (l->data, DEVICE_INTERFACE);
      const char *path = g_dbus_object_get_object_path (l->data);
      GArray *readings;
      AmBleAdvert advert;
      gint64 at = 0;

      if (device == NULL ||
          !device_get_advert (AM_BLUEZ_DEVICE1 (device), &advert) ||
          memcmp (advert.lock_prefix, id, AM_BLE_LOCK_PREFIX_LEN) != 0)
        continue;

      readings = g_hash_table_lookup (self->readings, path);
      if (readings != NULL && readings->len > 0)
        at = g_array_index (readings, Reading, readings->len - 1).at;
      if (at > best_at)
        {
          best = path;
          best_at = at;
        }
    }

  return g_strdup (best);
}

/**
 * am_bluez_get_advert:
 * @self: an #AmBluez
 * @device_path: a device's object path
 * @out: (out): the lock's advert
 *
 * Returns: whether the device advertises an AM1 lock
 */
gboolean
am_bluez_get_advert (AmBluez     *self,
                     const char  *device_path,
                     AmBleAdvert *out)
{
  g_autoptr(AmBluezDevice1) device = NULL;

  g_return_val_if_fail (AM_IS_BLUEZ (self), FALSE);
  g_return_val_if_fail (device_path != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  device = am_bluez_dup_device (self, device_path);
  return device != NULL && device_get_advert (device, out);
}

/**
 * am_bluez_get_proximity:
 * @self: an #AmBluez
 * @device_path: a device's object path
 * @now_usec: the monotonic time to count back from
 * @median: (out) (optional): the median RSSI of the recent readings, dBm
 * @n_readings: (out) (optional): how many readings are recent
 *
 * Returns: whether there are enough recent readings to judge proximity
 */
gboolean
am_bluez_get_proximity (AmBluez    *self,
                        const char *device_path,
                        gint64      now_usec,
                        gint       *median,
                        guint      *n_readings)
{
  GArray *readings;
  g_autofree gint *values = NULL;
  guint n = 0;

  g_return_val_if_fail (AM_IS_BLUEZ (self), FALSE);
  g_return_val_if_fail (device_path != NULL, FALSE);

  readings = g_hash_table_lookup (self->readings, device_path);
  if (readings != NULL)
    {
      values = g_new (gint, readings->len);
      for (guint i = 0; i < readings->len; i++)
        {
          const Reading *reading = &g_array_index (readings, Reading, i);

          if (reading->at >= now_usec - AM_BLUEZ_RSSI_WINDOW_USEC && reading->at <= now_usec)
            values[n++] = reading->rssi;
        }
    }

  if (n_readings != NULL)
    *n_readings = n;
  if (median != NULL)
    {
      *median = 0;
      if (n > 0)
        {
          qsort (values, n, sizeof (gint), compare_int);
          *median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        }
    }
  return n >= AM_BLUEZ_RSSI_MIN_READINGS;
}

/**
 * am_bluez_is_near:
 * @self: an #AmBluez
 * @device_path: a device's object path
 * @threshold: the weakest median that counts as near, dBm
 * @median: (out) (optional): the median RSSI now, 0 without readings
 *
 * Returns: whether the device is near: the median of at least 3 readings
 *   in the last 5 seconds is at least @threshold
 */
gboolean
am_bluez_is_near (AmBluez    *self,
                  const char *device_path,
                  gint        threshold,
                  gint       *median)
{
  gint value = 0;
  gboolean enough;

  g_return_val_if_fail (AM_IS_BLUEZ (self), FALSE);

  enough = am_bluez_get_proximity (self, device_path, g_get_monotonic_time (), &value, NULL);
  if (median != NULL)
    *median = value;
  return enough && value >= threshold;
}

/**
 * am_bluez_get_dbus_calls:
 *
 * Returns: how many D-Bus calls this client made to BlueZ so far
 */
guint
am_bluez_get_dbus_calls (AmBluez *self)
{
  g_return_val_if_fail (AM_IS_BLUEZ (self), 0);

  return self->dbus_calls;
}

/* Private API */

GDBusObjectManager *
am_bluez_get_object_manager (AmBluez *self)
{
  g_return_val_if_fail (AM_IS_BLUEZ (self), NULL);

  return self->manager;
}

/* The adapter to use: the first that is on, else the first. */
AmBluezAdapter1 *
am_bluez_dup_adapter (AmBluez *self)
{
  g_autolist(GDBusObject) objects = NULL;
  AmBluezAdapter1 *best = NULL;

  g_return_val_if_fail (AM_IS_BLUEZ (self), NULL);

  objects = g_dbus_object_manager_get_objects (self->manager);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      g_autoptr(GDBusInterface) adapter = g_dbus_object_get_interface (l->data, ADAPTER_INTERFACE);
      gboolean better;

      if (adapter == NULL)
        continue;

      if (best == NULL)
        better = TRUE;
      else if (am_bluez_adapter1_get_powered (AM_BLUEZ_ADAPTER1 (adapter)) !=
               am_bluez_adapter1_get_powered (best))
        better = am_bluez_adapter1_get_powered (AM_BLUEZ_ADAPTER1 (adapter));
      else
        better = g_strcmp0 (g_dbus_object_get_object_path (l->data),
                            g_dbus_proxy_get_object_path (G_DBUS_PROXY (best))) < 0;

      if (better)
        {
          g_clear_object (&best);
          best = AM_BLUEZ_ADAPTER1 (g_steal_pointer (&adapter));
        }
    }
  return best;
}

AmBluezDevice1 *
am_bluez_dup_device (AmBluez    *self,
                     const char *device_path)
{
  GDBusInterface *device;

  g_return_val_if_fail (AM_IS_BLUEZ (self), NULL);
  g_return_val_if_fail (device_path != NULL, NULL);

  device = g_dbus_object_manager_get_interface (self->manager, device_path, DEVICE_INTERFACE);
  return device != NULL ? AM_BLUEZ_DEVICE1 (device) : NULL;
}

/* The characteristic @uuid of the service @service_uuid of a device, by
 * UUID, never by object path: BlueZ numbers the objects as it likes. */
AmBluezGattCharacteristic1 *
am_bluez_dup_characteristic (AmBluez    *self,
                             const char *device_path,
                             const char *service_uuid,
                             const char *uuid)
{
  g_autolist(GDBusObject) objects = NULL;
  g_autoptr(GPtrArray) services = g_ptr_array_new ();
  g_autofree char *prefix = NULL;

  g_return_val_if_fail (AM_IS_BLUEZ (self), NULL);
  g_return_val_if_fail (device_path != NULL, NULL);

  prefix = g_strconcat (device_path, "/", NULL);
  objects = g_dbus_object_manager_get_objects (self->manager);

  for (GList *l = objects; l != NULL; l = l->next)
    {
      g_autoptr(GDBusInterface) service = NULL;

      if (!g_str_has_prefix (g_dbus_object_get_object_path (l->data), prefix))
        continue;
      service = g_dbus_object_get_interface (l->data, SERVICE_INTERFACE);
      if (service != NULL &&
          uuid_equal (am_bluez_gatt_service1_get_uuid (AM_BLUEZ_GATT_SERVICE1 (service)), service_uuid))
        g_ptr_array_add (services, (gpointer) g_dbus_object_get_object_path (l->data));
    }

  for (GList *l = objects; l != NULL; l = l->next)
    {
      g_autoptr(GDBusInterface) characteristic = NULL;
      AmBluezGattCharacteristic1 *chr;

      if (!g_str_has_prefix (g_dbus_object_get_object_path (l->data), prefix))
        continue;
      characteristic = g_dbus_object_get_interface (l->data, CHAR_INTERFACE);
      if (characteristic == NULL)
        continue;
      chr = AM_BLUEZ_GATT_CHARACTERISTIC1 (characteristic);
      if (uuid_equal (am_bluez_gatt_characteristic1_get_uuid (chr), uuid) &&
          g_ptr_array_find_with_equal_func (services,
                                            am_bluez_gatt_characteristic1_get_service (chr),
                                            g_str_equal, NULL))
        return AM_BLUEZ_GATT_CHARACTERISTIC1 (g_steal_pointer (&characteristic));
    }
  return NULL;
}

void
am_bluez_count_dbus_call (AmBluez *self)
{
  g_return_if_fail (AM_IS_BLUEZ (self));

  self->dbus_calls++;
}

/* An AM_ERROR for a failed call to BlueZ: the service gone, Bluetooth off,
 * or @code with @message. Cancellation stays as it is. */
GError *
am_bluez_error_from_dbus (const GError *error,
                          AmError       code,
                          const char   *message)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (is_remote_error (error, "org.bluez.Error.NotReady"))
    return g_error_new_literal (AM_ERROR, AM_ERROR_BLUETOOTH_OFF,
                                _("Bluetooth is off. Turn it on in Settings, then try again."));

  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    return g_error_new_literal (AM_ERROR, AM_ERROR_BLUETOOTH_UNAVAILABLE,
                                _("The Bluetooth service is not running. Start it, or ask "
                                  "whoever looks after this computer, then try again."));

  return g_error_new_literal (AM_ERROR, code, message);
}
