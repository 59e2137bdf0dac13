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
#include "am-store.h"
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

/* The envelopes of the endpoints: what a request or an answer holds around
 * the resources. Shared by the client and the reference server. */

/**
 * AmCloudUser:
 * @id: the user's id
 * @name: the user's name
 * @email: (nullable): the user's email address; null where a record names
 *   a user only by id and name
 */
typedef struct
{
  char *id;
  char *name;
  char *email;
} AmCloudUser;

/**
 * AmCloudOrg:
 * @id: the organisation's id
 * @name: its name
 */
typedef struct
{
  char *id;
  char *name;
} AmCloudOrg;

/**
 * AmCloudSession:
 * @token: (nullable): the session token (a secret: wiped when freed); %NULL
 *   in the answer to an accepted invitation
 * @user: who signed in
 * @org: their organisation
 *
 * The answer of `POST /v1/sessions` and of accepting an invitation.
 */
typedef struct
{
  char        *token;
  AmCloudUser *user;
  AmCloudOrg  *org;
} AmCloudSession;

/**
 * AmCloudMe:
 * @user: the signed-in user
 * @org: their organisation
 * @grants: (element-type AmGrant): the user's grants
 *
 * The answer of `GET /v1/me`.
 */
typedef struct
{
  AmCloudUser *user;
  AmCloudOrg  *org;
  GPtrArray   *grants;
} AmCloudMe;

/**
 * AmCloudLockKey:
 * @lock_id: the lock
 * @kv: the key version of @key
 * @key: the 32 bytes of the lock key (a secret: wiped when freed)
 * @previous_kv: the previous key version, or 0 for none
 * @previous_key: (nullable): the previous key, while the lock may still use it
 * @previous_valid_until: until when the previous key is valid, UTC seconds;
 *   0 with no previous key
 *
 * The answer of `GET /v1/locks/{lock_id}/key`.
 */
typedef struct
{
  char   *lock_id;
  guint   kv;
  guint8  key[32];
  guint   previous_kv;
  guint8  previous_key[32];
  gint64  previous_valid_until;
} AmCloudLockKey;

AmCloudUser       *am_cloud_user_new              (const char         *id,
                                                   const char         *name,
                                                   const char         *email);
void               am_cloud_user_free             (AmCloudUser        *user);
AmCloudUser       *am_cloud_user_from_json        (JsonObject         *object,
                                                   GError            **error);
void               am_cloud_user_to_json          (const AmCloudUser  *user,
                                                   JsonBuilder        *builder);

AmCloudOrg        *am_cloud_org_new               (const char         *id,
                                                   const char         *name);
void               am_cloud_org_free              (AmCloudOrg         *org);
AmCloudOrg        *am_cloud_org_from_json         (JsonObject         *object,
                                                   GError            **error);
void               am_cloud_org_to_json           (const AmCloudOrg   *org,
                                                   JsonBuilder        *builder);

void               am_cloud_session_free          (AmCloudSession     *session);
AmCloudSession    *am_cloud_session_from_json     (JsonObject         *object,
                                                   gboolean            with_token,
                                                   GError            **error);
void               am_cloud_session_to_json       (const AmCloudSession *session,
                                                   JsonBuilder        *builder);

void               am_cloud_me_free               (AmCloudMe          *me);
AmCloudMe         *am_cloud_me_from_json          (JsonObject         *object,
                                                   GError            **error);
void               am_cloud_me_to_json            (const AmCloudMe    *me,
                                                   JsonBuilder        *builder);

void               am_cloud_lock_key_free         (AmCloudLockKey     *key);
AmCloudLockKey    *am_cloud_lock_key_from_json    (JsonObject         *object,
                                                   GError            **error);
void               am_cloud_lock_key_to_json      (const AmCloudLockKey *key,
                                                   JsonBuilder        *builder);

gboolean           am_cloud_error_from_json       (JsonObject         *object,
                                                   char              **code,
                                                   char              **message);
void               am_cloud_error_to_json         (const char         *code,
                                                   const char         *message,
                                                   JsonBuilder        *builder);

/* GET /v1/sync: one page, and whether another follows at once. */
AmSyncPage        *am_sync_page_from_json         (JsonObject         *object,
                                                   gboolean           *more,
                                                   GError            **error);
void               am_sync_page_to_json           (const AmSyncPage   *page,
                                                   gboolean            more,
                                                   JsonBuilder        *builder);

/* POST /v1/passcodes, read by the server: the fields the issuer decided;
 * the others are left empty (created_by, use_by, source...). */
AmPasscodeRecord  *am_passcode_record_from_create_json (JsonObject    *object,
                                                   GError            **error);

/* POST /v1/locks/{lock_id}/events: {"events": [...]} without lock_id and
 * passcode_id. */
void               am_lock_events_to_upload_json  (GPtrArray          *events,
                                                   JsonBuilder        *builder);
GPtrArray         *am_lock_events_from_upload_json (JsonObject        *object,
                                                   const char         *lock_id,
                                                   GError            **error);

/* POST /v1/unlocks: {"id", "lock_id", "at", "result"}; the server fills
 * the user. */
void               am_unlock_to_create_json       (AmUnlock           *self,
                                                   JsonBuilder        *builder);
AmUnlock          *am_unlock_from_create_json     (JsonObject         *object,
                                                   GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmCloudUser, am_cloud_user_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmCloudOrg, am_cloud_org_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmCloudSession, am_cloud_session_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmCloudMe, am_cloud_me_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmCloudLockKey, am_cloud_lock_key_free)

G_END_DECLS
