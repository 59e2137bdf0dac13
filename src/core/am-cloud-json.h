/* am-cloud-json.h: the cloud's resources as JSON, both ways
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "am-grant.h"
#include "am-lock.h"
#include "am-lock-event-record.h"
#include "am-passcode-record.h"
#include "am-property.h"
#include "am-unlock.h"

G_BEGIN_DECLS

AmProperty        *am_property_from_json          (JsonObject         *object,
                                                   GError            **error);
void               am_property_to_json            (AmProperty         *self,
                                                   JsonBuilder        *builder);

AmLock            *am_lock_from_json              (JsonObject         *object,
                                                   GError            **error);
void               am_lock_to_json                (AmLock             *self,
                                                   JsonBuilder        *builder);

AmGrant           *am_grant_from_json             (JsonObject         *object,
                                                   GError            **error);
void               am_grant_to_json               (AmGrant            *self,
                                                   JsonBuilder        *builder);

AmPasscodeRecord  *am_passcode_record_from_json   (JsonObject         *object,
                                                   GError            **error);
void               am_passcode_record_to_json     (AmPasscodeRecord   *self,
                                                   JsonBuilder        *builder);
void               am_passcode_record_to_create_json (AmPasscodeRecord *self,
                                                   JsonBuilder        *builder);

AmLockEventRecord *am_lock_event_record_from_json (JsonObject         *object,
                                                   GError            **error);
void               am_lock_event_record_to_json   (AmLockEventRecord  *self,
                                                   JsonBuilder        *builder);

AmUnlock          *am_unlock_from_json            (JsonObject         *object,
                                                   GError            **error);
void               am_unlock_to_json              (AmUnlock           *self,
                                                   JsonBuilder        *builder);

gboolean           am_deleted_from_json           (JsonObject         *object,
                                                   char              **type,
                                                   char              **id,
                                                   GError            **error);
void               am_deleted_to_json             (const char         *type,
                                                   const char         *id,
                                                   JsonBuilder        *builder);

G_END_DECLS
