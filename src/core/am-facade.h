/* am-facade.h: the one object the app calls: account, lists, issuing, unlocking, sync
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "am-ble-session.h"
#include "am-bluez.h"
#include "am-grant.h"
#include "am-issue.h"
#include "am-lock.h"
#include "am-lock-event-record.h"
#include "am-lock-list.h"
#include "am-passcode.h"
#include "am-passcode-record.h"
#include "am-property.h"
#include "am-record-list.h"
#include "am-store.h"
#include "am-sync-scheduler.h"

G_BEGIN_DECLS

/**
 * AmBluetoothState:
 * @AM_BLUETOOTH_UNKNOWN: not known yet
 * @AM_BLUETOOTH_UNAVAILABLE: the Bluetooth service (BlueZ) is not running
 * @AM_BLUETOOTH_NO_ADAPTER: no adapter
 * @AM_BLUETOOTH_OFF: the adapter is off
 * @AM_BLUETOOTH_ON: ready
 */
typedef enum
{
  AM_BLUETOOTH_UNKNOWN,
  AM_BLUETOOTH_UNAVAILABLE,
  AM_BLUETOOTH_NO_ADAPTER,
  AM_BLUETOOTH_OFF,
  AM_BLUETOOTH_ON,
} AmBluetoothState;

#define AM_TYPE_BLUETOOTH_STATE (am_bluetooth_state_get_type ())
GType am_bluetooth_state_get_type (void) G_GNUC_CONST;

#define AM_TYPE_FACADE (am_facade_get_type ())

G_DECLARE_FINAL_TYPE (AmFacade, am_facade, AM, FACADE, GObject)

/* Properties, all notifying:
 *   "signed-in"        gboolean   a session the vault holds a token for
 *   "online"           gboolean   the last call to the cloud got an answer
 *   "syncing"          gboolean   a sync is under way
 *   "outbox-count"     guint      changes waiting for the cloud
 *   "last-sync"        gint64     UTC seconds, 0 for never
 *   "sync-error"       gchararray the sentence of the last failed sync, or NULL
 *   "bluetooth-state"  AmBluetoothState
 */

AmFacade         *am_facade_new                     (const char           *data_dir,
                                                     GError              **error);
AmStore          *am_facade_get_store               (AmFacade             *self);
const char       *am_facade_get_recovery_notice     (AmFacade             *self);

/* Account */
const AmAccount  *am_facade_get_account             (AmFacade             *self);
gboolean          am_facade_get_signed_in           (AmFacade             *self);
void              am_facade_restore_async           (AmFacade             *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean          am_facade_restore_finish          (AmFacade             *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void              am_facade_sign_in_async           (AmFacade             *self,
                                                     const char           *server,
                                                     const char           *email,
                                                     const char           *password,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean          am_facade_sign_in_finish          (AmFacade             *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void              am_facade_accept_invitation_async (AmFacade             *self,
                                                     const char           *server,
                                                     const char           *invite_token,
                                                     const char           *name,
                                                     const char           *password,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean          am_facade_accept_invitation_finish (AmFacade            *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void              am_facade_sign_out_async          (AmFacade             *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean          am_facade_sign_out_finish         (AmFacade             *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* Sync */
void              am_facade_sync_async              (AmFacade             *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean          am_facade_sync_finish             (AmFacade             *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void              am_facade_set_sync_interval       (AmFacade             *self,
                                                     guint                 seconds);
gboolean          am_facade_get_online              (AmFacade             *self);
gboolean          am_facade_get_syncing             (AmFacade             *self);
guint             am_facade_get_outbox_count        (AmFacade             *self);
gint64            am_facade_get_last_sync           (AmFacade             *self);
const char       *am_facade_get_sync_error          (AmFacade             *self);

/* Background sync, notifications and export. Signals:
 *   "passcode-first-used" (AmPasscodeRecord *passcode, AmLock *lock)
 *                      a code the signed-in user issued was used for the first time
 *   "battery-low"      (AmLock *lock) a lock's battery fell below AM_LOCK_BATTERY_LOW
 */
AmSyncScheduler  *am_facade_get_sync_scheduler      (AmFacade             *self);
void              am_facade_export_csv_async        (AmFacade             *self,
                                                     const char           *lock_id,
                                                     const char           *property_id,
                                                     gint64                from,
                                                     gint64                to,
                                                     GFile                *file,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean          am_facade_export_csv_finish       (AmFacade             *self,
                                                     GAsyncResult         *result,
                                                     guint                *n_rows,
                                                     GError              **error);

/* Lists (GListModels over the cache, kept fresh by sync) */
AmRecordList     *am_facade_list_properties         (AmFacade             *self);
AmRecordList     *am_facade_list_locks              (AmFacade             *self,
                                                     const char           *property_id);
AmGrant          *am_facade_get_grant               (AmFacade             *self,
                                                     const char           *property_id);
AmProperty       *am_facade_get_property            (AmFacade             *self,
                                                     const char           *property_id);
guint             am_facade_count_locks             (AmFacade             *self,
                                                     const char           *property_id);

/* Issuing a code */
gboolean          am_facade_preview_window          (AmFacade             *self,
                                                     AmLock               *lock,
                                                     const AmIssueRequest *request,
                                                     AmPasscodeWindow     *window,
                                                     GError              **error);
AmPasscodeRecord *am_facade_find_same_window        (AmFacade             *self,
                                                     AmLock               *lock,
                                                     const AmPasscodeWindow *window);
void              am_facade_issue_passcode_async    (AmFacade             *self,
                                                     AmLock               *lock,
                                                     const AmIssueRequest *request,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
AmPasscodeRecord *am_facade_issue_passcode_finish   (AmFacade             *self,
                                                     GAsyncResult         *result,
                                                     char                 *code,
                                                     GError              **error);

/* Bluetooth */
AmBluetoothState  am_facade_get_bluetooth_state     (AmFacade             *self);
void              am_facade_set_proximity_threshold (AmFacade             *self,
                                                     gint                  dbm);
AmBleSession     *am_facade_new_unlock_session      (AmFacade             *self,
                                                     AmLock               *lock,
                                                     GError              **error);

/* Activity: the locks dashboard, a lock's passcodes and log, revoking */
AmLockList       *am_facade_list_all_locks          (AmFacade             *self);
void              am_facade_list_passcode_issuers_async (AmFacade         *self,
                                                     const char           *lock_id,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GStrv             am_facade_list_passcode_issuers_finish (AmFacade        *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
AmLock           *am_facade_get_lock                (AmFacade             *self,
                                                     const char           *lock_id);
AmRecordList     *am_facade_list_passcodes          (AmFacade             *self,
                                                     const char           *lock_id);
AmRecordList     *am_facade_list_lock_events        (AmFacade             *self,
                                                     const char           *lock_id);
AmLockEventRecord *am_facade_get_last_lock_event    (AmFacade             *self,
                                                     const char           *lock_id);
gint64            am_facade_get_lock_last_visit     (AmFacade             *self,
                                                     const char           *lock_id,
                                                     gint                 *battery);
gint              am_facade_get_lock_battery        (AmFacade             *self,
                                                     AmLock               *lock);
gboolean          am_facade_may                     (AmFacade             *self,
                                                     const char           *property_id,
                                                     const char           *permission);
gboolean          am_facade_holds_key               (AmFacade             *self,
                                                     AmLock               *lock);
GHashTable       *am_facade_list_pending_revocations (AmFacade            *self,
                                                     const char           *lock_id);
AmPasscodeStatus  am_facade_get_passcode_status     (AmFacade             *self,
                                                     AmPasscodeRecord     *record,
                                                     GHashTable           *pending,
                                                     gint64                now);
void              am_facade_derive_code_async       (AmFacade             *self,
                                                     AmPasscodeRecord     *record,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean          am_facade_derive_code_finish      (AmFacade             *self,
                                                     GAsyncResult         *result,
                                                     char                 *code,
                                                     GError              **error);
void              am_facade_revoke_passcode_async   (AmFacade             *self,
                                                     AmPasscodeRecord     *record,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
AmPasscodeRecord *am_facade_revoke_passcode_finish  (AmFacade             *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

G_END_DECLS
