/* am-ble-session.h: one visit to a lock over Bluetooth LE: find, connect, unlock, read its log
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "am-bluez.h"
#include "am-lock.h"
#include "am-store.h"
#include "am-vault.h"

G_BEGIN_DECLS

/* The whole session, cleaning up included (docs/ble-lock.md). */
#define AM_BLE_SESSION_TIMEOUT_MS     45000
/* How long to look for the lock before giving up. */
#define AM_BLE_DISCOVERY_TIMEOUT_MS   15000
/* Log records asked for in one READ_LOG. */
#define AM_BLE_READ_LOG_MAX           200
/* A lock clock further off than this is set. */
#define AM_BLE_CLOCK_TOLERANCE_S      30

/**
 * AmBleSessionState:
 * @AM_BLE_SESSION_LOOKING: searching for the lock
 * @AM_BLE_SESSION_TOO_FAR: the lock is there, but its signal is too weak
 * @AM_BLE_SESSION_CONNECTING: connecting to the lock
 * @AM_BLE_SESSION_UNLOCKING: asking the lock to open
 * @AM_BLE_SESSION_READING_LOG: setting the lock's clock, reading its log, revoking codes
 * @AM_BLE_SESSION_DONE: finished
 * @AM_BLE_SESSION_FAILED: ended with an error
 */
typedef enum
{
  AM_BLE_SESSION_LOOKING,
  AM_BLE_SESSION_TOO_FAR,
  AM_BLE_SESSION_CONNECTING,
  AM_BLE_SESSION_UNLOCKING,
  AM_BLE_SESSION_READING_LOG,
  AM_BLE_SESSION_DONE,
  AM_BLE_SESSION_FAILED,
} AmBleSessionState;

/**
 * AmBleSessionMode:
 * @AM_BLE_SESSION_MODE_UNLOCK: open the door, then read the log
 * @AM_BLE_SESSION_MODE_READ_LOG: read the log only (and set the clock,
 *   revoke what the cloud revoked), without opening the door
 */
typedef enum
{
  AM_BLE_SESSION_MODE_UNLOCK,
  AM_BLE_SESSION_MODE_READ_LOG,
} AmBleSessionMode;

#define AM_TYPE_BLE_SESSION_STATE (am_ble_session_state_get_type ())
#define AM_TYPE_BLE_SESSION_MODE  (am_ble_session_mode_get_type ())
#define AM_TYPE_BLE_SESSION       (am_ble_session_get_type ())

GType am_ble_session_state_get_type (void) G_GNUC_CONST;
GType am_ble_session_mode_get_type  (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (AmBleSession, am_ble_session, AM, BLE_SESSION, GObject)

AmBleSession      *am_ble_session_new                   (AmBluez             *bluez,
                                                         AmStore             *store,
                                                         AmVault             *vault,
                                                         const AmAccount     *account,
                                                         AmLock              *lock,
                                                         gint                 rssi_threshold);
void               am_ble_session_set_discovery_timeout (AmBleSession        *self,
                                                         guint                timeout_ms);

void               am_ble_session_run_async             (AmBleSession        *self,
                                                         AmBleSessionMode     mode,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean           am_ble_session_run_finish            (AmBleSession        *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

AmBleSessionState  am_ble_session_get_state             (AmBleSession        *self);
gint               am_ble_session_get_rssi              (AmBleSession        *self);
gint64             am_ble_session_get_unlocked_at       (AmBleSession        *self);
guint              am_ble_session_get_n_log_records     (AmBleSession        *self);
guint              am_ble_session_get_n_revoked         (AmBleSession        *self);
gboolean           am_ble_session_get_clock_set         (AmBleSession        *self);
const GError      *am_ble_session_get_upkeep_error      (AmBleSession        *self);
guint              am_ble_session_get_dbus_calls        (AmBleSession        *self);

G_END_DECLS
