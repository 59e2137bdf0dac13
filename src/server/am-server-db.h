/* am-server-db.h: the reference cloud's database: schema, queries, administration
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "am-cloud-json.h"
#include "am-store.h"

G_BEGIN_DECLS

#define AM_SERVER_ERROR (am_server_error_quark ())

/**
 * AmServerError:
 * @AM_SERVER_ERROR_UNAUTHENTICATED: no session, or one that is gone (401)
 * @AM_SERVER_ERROR_INVALID_CREDENTIALS: wrong email or password (401)
 * @AM_SERVER_ERROR_FORBIDDEN: the user lacks a permission (403)
 * @AM_SERVER_ERROR_NOT_FOUND: no such record or path (404)
 * @AM_SERVER_ERROR_INVITATION_ACCEPTED: the invitation was used already (409)
 * @AM_SERVER_ERROR_CONFLICT: the same id with another body (409)
 * @AM_SERVER_ERROR_ACCOUNT_EXISTS: an invitation for an existing account
 *   came with another password than the account's (409)
 * @AM_SERVER_ERROR_CURSOR_GONE: a sync cursor the server no longer serves (410)
 * @AM_SERVER_ERROR_TOO_LARGE: a request body over 1 MiB (413)
 * @AM_SERVER_ERROR_INVALID: content that is not what the API says (422)
 * @AM_SERVER_ERROR_PASSWORD_TOO_SHORT: a password shorter than 10 characters (422)
 * @AM_SERVER_ERROR_WINDOW_MISMATCH: a passcode's start_h, p or digits do not
 *   match its window and its lock (422)
 * @AM_SERVER_ERROR_USE_BY_PASSED: a passcode created after its first-use
 *   deadline (422)
 * @AM_SERVER_ERROR_KEY_VERSION: a passcode for a key version the lock does
 *   not hold (422)
 * @AM_SERVER_ERROR_RATE_LIMITED: too many failed sign-ins for one email (429)
 * @AM_SERVER_ERROR_METHOD_NOT_ALLOWED: a path that does not take this method (405)
 * @AM_SERVER_ERROR_STORAGE: the database failed (500)
 *
 * Each code is one HTTP status and one snake_case code of the API's error
 * body; every message is a sentence for people.
 */
typedef enum
{
  AM_SERVER_ERROR_UNAUTHENTICATED,
  AM_SERVER_ERROR_INVALID_CREDENTIALS,
  AM_SERVER_ERROR_FORBIDDEN,
  AM_SERVER_ERROR_NOT_FOUND,
  AM_SERVER_ERROR_INVITATION_ACCEPTED,
  AM_SERVER_ERROR_CONFLICT,
  AM_SERVER_ERROR_ACCOUNT_EXISTS,
  AM_SERVER_ERROR_CURSOR_GONE,
  AM_SERVER_ERROR_TOO_LARGE,
  AM_SERVER_ERROR_INVALID,
  AM_SERVER_ERROR_PASSWORD_TOO_SHORT,
  AM_SERVER_ERROR_WINDOW_MISMATCH,
  AM_SERVER_ERROR_USE_BY_PASSED,
  AM_SERVER_ERROR_KEY_VERSION,
  AM_SERVER_ERROR_RATE_LIMITED,
  AM_SERVER_ERROR_METHOD_NOT_ALLOWED,
  AM_SERVER_ERROR_STORAGE,
} AmServerError;

/* Sign-in failures for one email that start a lockout, and the window in
 * which they count. */
#define AM_SERVER_SIGN_IN_MAX_FAILURES 5
#define AM_SERVER_SIGN_IN_WINDOW_S     (15 * 60)
/* How long a previous lock key stays valid after a rotation. */
#define AM_SERVER_PREVIOUS_KEY_S       (7 * 86400)
/* How long an invitation can be accepted. */
#define AM_SERVER_INVITATION_S         (14 * 86400)
#define AM_SERVER_MIN_PASSWORD_LEN     10
#define AM_SERVER_SYNC_DEFAULT_LIMIT   500
#define AM_SERVER_SYNC_MAX_LIMIT       5000

typedef struct _AmServerDb AmServerDb;

GQuark            am_server_error_quark          (void);

AmServerDb       *am_server_db_open              (const char          *path,
                                                  GError             **error);
void              am_server_db_free              (AmServerDb          *db);
const char       *am_server_db_get_path          (AmServerDb          *db);

/* Administration: the command line, the seeds and the tests. */
char             *am_server_db_add_property      (AmServerDb          *db,
                                                  const char          *name,
                                                  const char          *address,
                                                  const char          *city,
                                                  const char          *region,
                                                  const char          *postal_code,
                                                  const char          *timezone,
                                                  GError             **error);
char             *am_server_db_add_lock          (AmServerDb          *db,
                                                  const char          *property_id,
                                                  const char          *name,
                                                  const char          *unit,
                                                  guint                digits,
                                                  const char          *mode,
                                                  GError             **error);
char             *am_server_db_add_user          (AmServerDb          *db,
                                                  const char          *email,
                                                  const char          *name,
                                                  const char          *password,
                                                  GError             **error);
gboolean          am_server_db_set_grant         (AmServerDb          *db,
                                                  const char          *user_id,
                                                  const char          *property_id,
                                                  const char * const  *permissions,
                                                  GError             **error);
gboolean          am_server_db_remove_grant      (AmServerDb          *db,
                                                  const char          *user_id,
                                                  const char          *property_id,
                                                  GError             **error);
gboolean          am_server_db_delete_property   (AmServerDb          *db,
                                                  const char          *property_id,
                                                  GError             **error);
char             *am_server_db_invite            (AmServerDb          *db,
                                                  const char          *email,
                                                  const char          *property_id,
                                                  const char * const  *permissions,
                                                  GError             **error);
guint             am_server_db_rotate_key        (AmServerDb          *db,
                                                  const char          *lock_id,
                                                  GError             **error);
gboolean          am_server_db_q_offset_for_zone (AmServerDb          *db,
                                                  const char          *timezone,
                                                  guint               *q,
                                                  GError             **error);
gint64            am_server_db_count             (AmServerDb          *db,
                                                  const char          *table);
gint64            am_server_db_get_change_seq    (AmServerDb          *db);
gboolean          am_server_db_set_cursor_horizon (AmServerDb         *db,
                                                  gint64               seq,
                                                  GError             **error);
gboolean          am_server_db_set_lock_battery  (AmServerDb          *db,
                                                  const char          *lock_id,
                                                  gint                 battery,
                                                  gint64               at,
                                                  GError             **error);
gboolean          am_server_db_get_lock_key_bytes (AmServerDb         *db,
                                                  const char          *lock_id,
                                                  guint                kv,
                                                  guint8               key[32],
                                                  GError             **error);

/* Bulk writes (seeding): one transaction, kept open between begin and
 * commit; every administration call in between joins it. */
gboolean          am_server_db_begin             (AmServerDb          *db,
                                                  GError             **error);
gboolean          am_server_db_commit            (AmServerDb          *db,
                                                  GError             **error);
void              am_server_db_rollback          (AmServerDb          *db);
gboolean          am_server_db_insert_passcode   (AmServerDb          *db,
                                                  AmPasscodeRecord    *record,
                                                  GError             **error);
gboolean          am_server_db_insert_lock_events (AmServerDb         *db,
                                                  const char          *lock_id,
                                                  GPtrArray           *events,
                                                  guint               *accepted,
                                                  guint               *duplicates,
                                                  GError             **error);

/* The API, for am-server.c: every call checks the caller's permissions. */
void              am_server_db_set_dry_run       (AmServerDb          *db,
                                                  gboolean             dry_run);
AmCloudOrg       *am_server_db_get_org           (AmServerDb          *db);
AmCloudSession   *am_server_db_sign_in           (AmServerDb          *db,
                                                  const char          *email,
                                                  const char          *password,
                                                  const char          *device_name,
                                                  gint64               now,
                                                  guint               *retry_after,
                                                  GError             **error);
AmCloudSession   *am_server_db_accept_invitation (AmServerDb          *db,
                                                  const char          *invite_token,
                                                  const char          *name,
                                                  const char          *password,
                                                  gint64               now,
                                                  GError             **error);
AmCloudUser      *am_server_db_user_for_token    (AmServerDb          *db,
                                                  const char          *token,
                                                  GError             **error);
gboolean          am_server_db_sign_out          (AmServerDb          *db,
                                                  const char          *token,
                                                  GError             **error);
AmCloudMe        *am_server_db_get_me            (AmServerDb          *db,
                                                  const AmCloudUser   *user,
                                                  GError             **error);
AmSyncPage       *am_server_db_sync              (AmServerDb          *db,
                                                  const char          *user_id,
                                                  const char          *since,
                                                  guint                limit,
                                                  gboolean            *more,
                                                  GError             **error);
AmCloudLockKey   *am_server_db_get_lock_key      (AmServerDb          *db,
                                                  const char          *user_id,
                                                  const char          *lock_id,
                                                  gint64               now,
                                                  GError             **error);
AmPasscodeRecord *am_server_db_create_passcode   (AmServerDb          *db,
                                                  const AmCloudUser   *user,
                                                  AmPasscodeRecord    *request,
                                                  gint64               now,
                                                  gboolean            *created,
                                                  GError             **error);
AmPasscodeRecord *am_server_db_revoke_passcode   (AmServerDb          *db,
                                                  const AmCloudUser   *user,
                                                  const char          *passcode_id,
                                                  gint64               now,
                                                  GError             **error);
gboolean          am_server_db_upload_events     (AmServerDb          *db,
                                                  const char          *user_id,
                                                  const char          *lock_id,
                                                  GPtrArray           *events,
                                                  guint               *accepted,
                                                  guint               *duplicates,
                                                  GError             **error);
gboolean          am_server_db_check_lock_permission (AmServerDb      *db,
                                                  const char          *user_id,
                                                  const char          *lock_id,
                                                  const char          *permission,
                                                  GError             **error);
AmUnlock         *am_server_db_add_unlock        (AmServerDb          *db,
                                                  const AmCloudUser   *user,
                                                  AmUnlock            *request,
                                                  gboolean            *created,
                                                  GError             **error);

/* Helpers shared with the seeds and the tests. */
char             *am_server_random_token         (void);
char             *am_server_hash_token           (const char          *token);
char             *am_server_new_uuid             (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmServerDb, am_server_db_free)

G_END_DECLS
