/* am-grant.h: what one user may do on one property
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define AM_PERMISSION_GENERATE_CODES    "generate_codes"
#define AM_PERMISSION_BLE_UNLOCK        "ble_unlock"
#define AM_PERMISSION_VIEW_ACTIVITY     "view_activity"
#define AM_PERMISSION_REVOKE_CODES      "revoke_codes"
#define AM_PERMISSION_RENAME_LOCKS      "rename_locks"
#define AM_PERMISSION_CHANGE_LOCK_MODE  "change_lock_mode"
#define AM_PERMISSION_VIEW_MASTER_CODE  "view_master_code"

#define AM_TYPE_GRANT (am_grant_get_type ())

G_DECLARE_FINAL_TYPE (AmGrant, am_grant, AM, GRANT, GObject)

const char         *am_grant_get_property_id (AmGrant    *self);
const char         *am_grant_get_user_id     (AmGrant    *self);
const char * const *am_grant_get_permissions (AmGrant    *self);
gboolean            am_grant_has_permission  (AmGrant    *self,
                                              const char *permission);
gboolean            am_grant_equal           (AmGrant    *a,
                                              AmGrant    *b);

G_END_DECLS
