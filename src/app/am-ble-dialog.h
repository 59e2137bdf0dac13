/* am-ble-dialog.h: opening a door over Bluetooth, step by step
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"

G_BEGIN_DECLS

#define AM_TYPE_BLE_DIALOG (am_ble_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AmBleDialog, am_ble_dialog, AM, BLE_DIALOG, AdwWindow)

AmBleDialog *am_ble_dialog_new (GtkWindow  *parent,
                                AmFacade   *facade,
                                AmProperty *property,
                                AmLock     *lock);

G_END_DECLS
