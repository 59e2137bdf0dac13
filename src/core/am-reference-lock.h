/* am-reference-lock.h: the AM1 reference lock state machine
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "am-passcode.h"

G_BEGIN_DECLS

#define AM_REFERENCE_LOCK_TABLE_SIZE   64
#define AM_REFERENCE_LOCK_DENY_SIZE    32
#define AM_REFERENCE_LOCK_LOG_SIZE     4096

typedef enum
{
  AM_LOCK_RESULT_OPEN,
  AM_LOCK_RESULT_CANCELLED,
  AM_LOCK_RESULT_LOCKED_OUT,
  AM_LOCK_RESULT_MALFORMED,
  AM_LOCK_RESULT_NO_MATCH,
  AM_LOCK_RESULT_USED,
  AM_LOCK_RESULT_REVOKED,
  AM_LOCK_RESULT_TABLE_FULL,
} AmLockResult;

/* The event byte of a log record (ble-lock.md). */
typedef enum
{
  AM_LOCK_EVENT_END = 0x00,
  AM_LOCK_EVENT_KEYPAD_OPEN = 0x01,
  AM_LOCK_EVENT_KEYPAD_REJECT = 0x02,
  AM_LOCK_EVENT_BLE_UNLOCK = 0x03,
  AM_LOCK_EVENT_CANCEL_ALL = 0x04,
  AM_LOCK_EVENT_LOCKOUT = 0x05,
  AM_LOCK_EVENT_REVOKE = 0x06,
  AM_LOCK_EVENT_TIME_SET = 0x07,
} AmLockEvent;

/**
 * AmLockLogRecord:
 * @seq: the record's sequence number, from 0
 * @event: what happened
 * @t: when, by the lock's clock, UTC seconds
 * @start_h: the start hour of the code concerned, or 0
 * @p: the code's p; for %AM_LOCK_EVENT_KEYPAD_REJECT the reason
 *   (1 malformed, 2 no match, 3 used, 4 revoked, 5 table full, 6 locked out)
 */
typedef struct
{
  guint32     seq;
  AmLockEvent event;
  guint32     t;
  guint32     start_h;
  guint16     p;
} AmLockLogRecord;

#define AM_TYPE_REFERENCE_LOCK (am_reference_lock_get_type ())

G_DECLARE_FINAL_TYPE (AmReferenceLock, am_reference_lock, AM, REFERENCE_LOCK, GObject)

const char            *am_lock_result_to_string          (AmLockResult       result);
gboolean               am_lock_result_from_string        (const char        *text,
                                                          AmLockResult      *result);
gboolean               am_lock_result_is_failure         (AmLockResult       result);

AmReferenceLock       *am_reference_lock_new             (const guint8       k_lock[AM_PASSCODE_KEY_LEN],
                                                          const guint8       lock_id[AM_LOCK_ID_LEN],
                                                          guint8             kv,
                                                          guint              digits,
                                                          guint              q_offset_s);
void                   am_reference_lock_rotate_key      (AmReferenceLock   *self,
                                                          const guint8       k_lock[AM_PASSCODE_KEY_LEN],
                                                          guint8             kv,
                                                          gint64             previous_until);
AmLockResult           am_reference_lock_enter           (AmReferenceLock   *self,
                                                          gint64             now,
                                                          const char        *entered);
void                   am_reference_lock_revoke          (AmReferenceLock   *self,
                                                          gint64             now,
                                                          guint32            start_h,
                                                          guint              p);
void                   am_reference_lock_ble_unlock      (AmReferenceLock   *self,
                                                          gint64             now);
guint                  am_reference_lock_get_digits      (AmReferenceLock   *self);
guint                  am_reference_lock_get_q_offset    (AmReferenceLock   *self);
guint                  am_reference_lock_get_failures    (AmReferenceLock   *self);
gint64                 am_reference_lock_get_lockout_end (AmReferenceLock   *self);
guint32                am_reference_lock_get_watermark   (AmReferenceLock   *self);
guint64                am_reference_lock_get_hmac_count  (AmReferenceLock   *self);
const AmLockLogRecord *am_reference_lock_get_log         (AmReferenceLock   *self,
                                                          guint             *n_records);

G_END_DECLS
