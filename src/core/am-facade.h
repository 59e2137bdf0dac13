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
#include "am-passcode.h"
#include "am-passcode-record.h"
#include "am-property.h"
#include "am-record-list.h"
#include "am-store.h"

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

G_END_DECLS
