/* am-bluez-private.h: BlueZ's proxies, for the code in the core that talks to a lock
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not in am-bluez.h: the generated header exists only in the core's build
 * directory, so the programs and tests outside the core do not see it.
 */
#pragma once

#include "am-bluez.h"
#include "am-bluez-generated.h"
#include "am-error.h"

G_BEGIN_DECLS

GDBusObjectManager         *am_bluez_get_object_manager    (AmBluez       *self);
AmBluezAdapter1            *am_bluez_dup_adapter           (AmBluez       *self);
AmBluezDevice1             *am_bluez_dup_device            (AmBluez       *self,
                                                            const char    *device_path);
AmBluezGattCharacteristic1 *am_bluez_dup_characteristic    (AmBluez       *self,
                                                            const char    *device_path,
                                                            const char    *service_uuid,
                                                            const char    *uuid);
void                        am_bluez_count_dbus_call       (AmBluez       *self);
GError                     *am_bluez_error_from_dbus       (const GError  *error,
                                                            AmError        code,
                                                            const char    *message);

G_END_DECLS
