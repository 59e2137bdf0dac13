/* am-bluez.h: BlueZ over D-Bus: the adapter, discovery, and the locks nearby
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "am-ble-frames.h"

G_BEGIN_DECLS

/* Proximity: the median of at least this many RSSI readings, no older than
 * AM_BLUEZ_RSSI_WINDOW_USEC, is compared with the threshold. */
#define AM_BLUEZ_RSSI_MIN_READINGS   3
#define AM_BLUEZ_RSSI_WINDOW_USEC    (5 * G_USEC_PER_SEC)
#define AM_BLUEZ_RSSI_THRESHOLD      (-70)

#define AM_TYPE_BLUEZ (am_bluez_get_type ())

G_DECLARE_FINAL_TYPE (AmBluez, am_bluez, AM, BLUEZ, GObject)

void      am_bluez_new_async              (GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
AmBluez  *am_bluez_new_finish             (GAsyncResult         *result,
                                           GError              **error);

gboolean  am_bluez_get_available          (AmBluez              *self);
gboolean  am_bluez_check_adapter          (AmBluez              *self,
                                           GError              **error);

void      am_bluez_start_discovery_async  (AmBluez              *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  am_bluez_start_discovery_finish (AmBluez              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void      am_bluez_stop_discovery_async   (AmBluez              *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  am_bluez_stop_discovery_finish  (AmBluez              *self,
                                           GAsyncResult         *result,
                                           GError              **error);
gboolean  am_bluez_get_discovering        (AmBluez              *self);

char     *am_bluez_find_lock              (AmBluez              *self,
                                           const char           *lock_id);
gboolean  am_bluez_get_advert             (AmBluez              *self,
                                           const char           *device_path,
                                           AmBleAdvert          *out);
gboolean  am_bluez_get_proximity          (AmBluez              *self,
                                           const char           *device_path,
                                           gint64                now_usec,
                                           gint                 *median,
                                           guint                *n_readings);
gboolean  am_bluez_is_near                (AmBluez              *self,
                                           const char           *device_path,
                                           gint                  threshold,
                                           gint                 *median);

guint     am_bluez_get_dbus_calls         (AmBluez              *self);

G_END_DECLS
