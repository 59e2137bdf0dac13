/* am-passcode-record.h: a passcode as the cloud records it, and its status
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "am-passcode.h"

G_BEGIN_DECLS

#define AM_PASSCODE_SOURCE_MANUAL "manual"
#define AM_PASSCODE_SOURCE_TOUR   "tour"

/**
 * AmPasscodeStatus:
 * @AM_PASSCODE_STATUS_SCHEDULED: its window has not started
 * @AM_PASSCODE_STATUS_UNUSED: startable, not yet typed
 * @AM_PASSCODE_STATUS_ACTIVE: typed, and its window still runs
 * @AM_PASSCODE_STATUS_USED: typed, and done with (one-time, or its window ended)
 * @AM_PASSCODE_STATUS_EXPIRED: never typed before its window or first-use
 *   deadline ended
 * @AM_PASSCODE_STATUS_REVOKED: revoked
 * @AM_PASSCODE_STATUS_REVOCATION_PENDING: revoked in the cloud, while the
 *   lock, which has not been told yet, would still open for it; never a
 *   status of the cloud's, only of am_passcode_record_get_lock_status()
 *
 * A passcode's status, derived as cloud-api.md says, by client and server alike.
 */
typedef enum
{
  AM_PASSCODE_STATUS_SCHEDULED,
  AM_PASSCODE_STATUS_UNUSED,
  AM_PASSCODE_STATUS_ACTIVE,
  AM_PASSCODE_STATUS_USED,
  AM_PASSCODE_STATUS_EXPIRED,
  AM_PASSCODE_STATUS_REVOKED,
  AM_PASSCODE_STATUS_REVOCATION_PENDING,
} AmPasscodeStatus;

#define AM_TYPE_PASSCODE_KIND   (am_passcode_kind_get_type ())
#define AM_TYPE_PASSCODE_STATUS (am_passcode_status_get_type ())
#define AM_TYPE_PASSCODE_RECORD (am_passcode_record_get_type ())

GType am_passcode_kind_get_type   (void) G_GNUC_CONST;
GType am_passcode_status_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (AmPasscodeRecord, am_passcode_record, AM, PASSCODE_RECORD, GObject)

const char       *am_passcode_status_to_string              (AmPasscodeStatus  status);

const char       *am_passcode_record_get_id                 (AmPasscodeRecord *self);
const char       *am_passcode_record_get_lock_id            (AmPasscodeRecord *self);
AmPasscodeKind    am_passcode_record_get_kind               (AmPasscodeRecord *self);
guint             am_passcode_record_get_kv                 (AmPasscodeRecord *self);
guint32           am_passcode_record_get_start_h            (AmPasscodeRecord *self);
guint             am_passcode_record_get_p                  (AmPasscodeRecord *self);
guint             am_passcode_record_get_digits             (AmPasscodeRecord *self);
gint64            am_passcode_record_get_starts_at          (AmPasscodeRecord *self);
gint64            am_passcode_record_get_ends_at            (AmPasscodeRecord *self);
gint64            am_passcode_record_get_use_by             (AmPasscodeRecord *self);
const char       *am_passcode_record_get_recipient_name     (AmPasscodeRecord *self);
const char       *am_passcode_record_get_recipient_contact  (AmPasscodeRecord *self);
const char       *am_passcode_record_get_purpose            (AmPasscodeRecord *self);
const char       *am_passcode_record_get_note               (AmPasscodeRecord *self);
const char       *am_passcode_record_get_source             (AmPasscodeRecord *self);
const char       *am_passcode_record_get_created_by_id      (AmPasscodeRecord *self);
const char       *am_passcode_record_get_created_by_name    (AmPasscodeRecord *self);
gint64            am_passcode_record_get_created_at         (AmPasscodeRecord *self);
gint64            am_passcode_record_get_revoked_at         (AmPasscodeRecord *self);
const char       *am_passcode_record_get_revoked_by_id      (AmPasscodeRecord *self);
const char       *am_passcode_record_get_revoked_by_name    (AmPasscodeRecord *self);
gint64            am_passcode_record_get_first_used_at      (AmPasscodeRecord *self);
gint64            am_passcode_record_get_last_used_at       (AmPasscodeRecord *self);
guint             am_passcode_record_get_use_count          (AmPasscodeRecord *self);
AmPasscodeStatus  am_passcode_record_get_status             (AmPasscodeRecord *self,
                                                             gint64            now);
AmPasscodeStatus  am_passcode_record_get_lock_status        (AmPasscodeRecord *self,
                                                             gint64            now,
                                                             gboolean          revoke_confirmed);
gboolean          am_passcode_record_equal                  (AmPasscodeRecord *a,
                                                             AmPasscodeRecord *b);

G_END_DECLS
