/* am-lock-event-record.h: an entry of a lock's log as the cloud records it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not "AmLockEvent": that name is the event byte of a log record in
 * am-reference-lock.h, and a file may well need both.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define AM_LOCK_EVENT_NAME_KEYPAD_OPEN    "keypad_open"
#define AM_LOCK_EVENT_NAME_KEYPAD_REJECT  "keypad_reject"
#define AM_LOCK_EVENT_NAME_BLE_UNLOCK     "ble_unlock"
#define AM_LOCK_EVENT_NAME_CANCEL_ALL     "cancel_all"
#define AM_LOCK_EVENT_NAME_LOCKOUT        "lockout"
#define AM_LOCK_EVENT_NAME_REVOKE         "revoke"
#define AM_LOCK_EVENT_NAME_TIME_SET       "time_set"

#define AM_TYPE_LOCK_EVENT_RECORD (am_lock_event_record_get_type ())

G_DECLARE_FINAL_TYPE (AmLockEventRecord, am_lock_event_record, AM, LOCK_EVENT_RECORD, GObject)

const char *am_lock_event_record_get_lock_id     (AmLockEventRecord *self);
guint32     am_lock_event_record_get_seq         (AmLockEventRecord *self);
const char *am_lock_event_record_get_event       (AmLockEventRecord *self);
gint64      am_lock_event_record_get_at          (AmLockEventRecord *self);
guint32     am_lock_event_record_get_start_h     (AmLockEventRecord *self);
guint       am_lock_event_record_get_p           (AmLockEventRecord *self);
const char *am_lock_event_record_get_result      (AmLockEventRecord *self);
const char *am_lock_event_record_get_passcode_id (AmLockEventRecord *self);
gboolean    am_lock_event_record_equal           (AmLockEventRecord *a,
                                                  AmLockEventRecord *b);

G_END_DECLS
