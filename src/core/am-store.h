/* am-store.h: the local cache: properties, locks, passcodes and activity in SQLite
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "am-grant.h"
#include "am-lock.h"
#include "am-lock-event-record.h"
#include "am-passcode-record.h"
#include "am-property.h"
#include "am-unlock.h"

G_BEGIN_DECLS

/* The version of the cache's schema this code writes (PRAGMA user_version). */
#define AM_STORE_SCHEMA_VERSION 6

typedef enum
{
  AM_RECORD_PROPERTY,
  AM_RECORD_LOCK,
  AM_RECORD_GRANT,
  AM_RECORD_PASSCODE,
  AM_RECORD_LOCK_EVENT,
  AM_RECORD_UNLOCK,
  AM_RECORD_OUTBOX,
  AM_N_RECORD_TYPES
} AmRecordType;

/**
 * AmSyncPage:
 * @properties: (element-type AmProperty): properties new or changed
 * @locks: (element-type AmLock): locks new or changed
 * @grants: (element-type AmGrant): the user's grants new or changed
 * @passcodes: (element-type AmPasscodeRecord): passcodes new or changed
 * @events: (element-type AmLockEventRecord): lock events
 * @unlocks: (element-type AmUnlock): Bluetooth unlocks
 * @deleted: (element-type AmDeletedRef): what is gone or no longer visible
 * @cursor: (nullable): the cursor to store with the page
 *
 * One page of changes from the cloud, applied in one transaction.
 */
typedef struct
{
  GPtrArray *properties;
  GPtrArray *locks;
  GPtrArray *grants;
  GPtrArray *passcodes;
  GPtrArray *events;
  GPtrArray *unlocks;
  GPtrArray *deleted;
  char      *cursor;
} AmSyncPage;

/**
 * AmDeletedRef:
 * @type: `property`, `lock`, `grant` or `passcode`
 * @id: the record's id (a property id for a grant)
 */
typedef struct
{
  char *type;
  char *id;
} AmDeletedRef;

/**
 * AmOutboxEntry:
 * @kind: what the change is, e.g. `passcode.create`
 * @idempotency_id: the key that makes a retried request recognisable
 * @body: the request body, JSON
 * @attempts: how often sending it failed
 * @next_attempt_at: not before then, UTC seconds
 * @last_error: (nullable): why the last attempt failed
 * @created_at: when the change was made
 *
 * A local change not yet in the cloud.
 */
typedef struct
{
  char   *kind;
  char   *idempotency_id;
  char   *body;
  guint   attempts;
  gint64  next_attempt_at;
  char   *last_error;
  gint64  created_at;
} AmOutboxEntry;

#define AM_OUTBOX_PASSCODE_CREATE "passcode.create"
#define AM_OUTBOX_UNLOCK_CREATE   "unlock.create"
#define AM_OUTBOX_LOCK_EVENTS     "lock_events.upload"

/**
 * AmAccount:
 * @server: the cloud's base URL
 * @user_id: the user's id
 * @user_name: the user's name
 * @user_email: (nullable): the user's email address
 * @org_id: the organisation's id
 * @org_name: the organisation's name
 * @signed_in: whether the session is valid, as far as the cache knows
 *
 * Who the cache belongs to. The session token is in the vault.
 */
typedef struct
{
  char     *server;
  char     *user_id;
  char     *user_name;
  char     *user_email;
  char     *org_id;
  char     *org_name;
  gboolean  signed_in;
} AmAccount;

#define AM_TYPE_STORE (am_store_get_type ())

G_DECLARE_FINAL_TYPE (AmStore, am_store, AM, STORE, GObject)

AmSyncPage        *am_sync_page_new               (void);
void               am_sync_page_free              (AmSyncPage         *page);
void               am_sync_page_add_deleted       (AmSyncPage         *page,
                                                   const char         *type,
                                                   const char         *id);
void               am_outbox_entry_free           (AmOutboxEntry      *entry);

char              *am_store_default_path          (void);
AmStore           *am_store_open                  (const char         *path,
                                                   GError            **error);
const char        *am_store_get_path              (AmStore            *self);
const char        *am_store_get_recovery_notice   (AmStore            *self);

gboolean           am_store_apply_page            (AmStore            *self,
                                                   const AmSyncPage   *page,
                                                   GError            **error);
char              *am_store_get_cursor            (AmStore            *self);
gint64             am_store_get_last_sync         (AmStore            *self);
gboolean           am_store_set_last_sync         (AmStore            *self,
                                                   gint64              at,
                                                   GError            **error);

void               am_account_free                (AmAccount          *account);
AmAccount         *am_store_get_account           (AmStore            *self);
gboolean           am_store_set_account           (AmStore            *self,
                                                   const AmAccount    *account,
                                                   GError            **error);
gboolean           am_store_set_signed_in         (AmStore            *self,
                                                   gboolean            signed_in,
                                                   GError            **error);
gboolean           am_store_reset                 (AmStore            *self,
                                                   GError            **error);
gint64             am_store_outbox_count          (AmStore            *self);
gboolean           am_store_is_full_sync          (AmStore            *self);
gboolean           am_store_begin_full_sync       (AmStore            *self,
                                                   GError            **error);
gboolean           am_store_finish_full_sync      (AmStore            *self,
                                                   GError            **error);
GPtrArray         *am_store_list_keyed_locks      (AmStore            *self);

AmProperty        *am_store_get_property          (AmStore            *self,
                                                   const char         *id);
AmLock            *am_store_get_lock              (AmStore            *self,
                                                   const char         *id);
AmGrant           *am_store_get_grant             (AmStore            *self,
                                                   const char         *property_id);
AmPasscodeRecord  *am_store_get_passcode          (AmStore            *self,
                                                   const char         *id);
AmPasscodeRecord  *am_store_find_same_window      (AmStore            *self,
                                                   const char         *lock_id,
                                                   guint               kv,
                                                   guint32             start_h,
                                                   guint               p);

gboolean           am_store_issue_passcode        (AmStore            *self,
                                                   AmPasscodeRecord   *record,
                                                   GError            **error);

guint32            am_store_get_next_lock_seq     (AmStore            *self,
                                                   const char         *lock_id);
gboolean           am_store_record_lock_log       (AmStore            *self,
                                                   const char         *lock_id,
                                                   GPtrArray          *events,
                                                   GError            **error);
gboolean           am_store_record_unlock         (AmStore            *self,
                                                   AmUnlock           *unlock,
                                                   GError            **error);
GPtrArray         *am_store_list_pending_revocations (AmStore         *self,
                                                   const char         *lock_id);
gboolean           am_store_set_lock_seen         (AmStore            *self,
                                                   const char         *lock_id,
                                                   gint                battery,
                                                   guint               flags,
                                                   gint64              at,
                                                   GError            **error);
gint64             am_store_get_lock_seen         (AmStore            *self,
                                                   const char         *lock_id,
                                                   gint               *battery,
                                                   guint              *flags);

GPtrArray         *am_store_outbox_list           (AmStore            *self,
                                                   gint64              due_by);
gboolean           am_store_outbox_remove         (AmStore            *self,
                                                   const char         *idempotency_id,
                                                   GError            **error);
gboolean           am_store_outbox_defer          (AmStore            *self,
                                                   const char         *idempotency_id,
                                                   gint64              next_attempt_at,
                                                   const char         *last_error,
                                                   GError            **error);

/* Transitions to tell the user of, and reading for an export */
typedef gboolean (*AmStoreRecordFunc) (GObject   *record,
                                       gpointer   user_data,
                                       GError   **error);

GPtrArray         *am_store_take_first_uses       (AmStore            *self);
GPtrArray         *am_store_take_low_batteries    (AmStore            *self);
AmStore           *am_store_open_reader           (const char         *path,
                                                   GError            **error);
gboolean           am_store_foreach_passcode_between (AmStore         *self,
                                                   const char         *lock_id,
                                                   gint64              from,
                                                   gint64              to,
                                                   AmStoreRecordFunc   func,
                                                   gpointer            user_data,
                                                   GError            **error);
gboolean           am_store_foreach_lock_event_between (AmStore       *self,
                                                   const char         *lock_id,
                                                   gint64              from,
                                                   gint64              to,
                                                   AmStoreRecordFunc   func,
                                                   gpointer            user_data,
                                                   GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmSyncPage, am_sync_page_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmOutboxEntry, am_outbox_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmAccount, am_account_free)

G_END_DECLS
