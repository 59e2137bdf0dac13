/* am-passcode.h: AM1 offline passcodes: subkeys, windows and derivation
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "am-encoding.h"

G_BEGIN_DECLS

#define AM_PASSCODE_KEY_LEN          32
#define AM_PASSCODE_MESSAGE_LEN      29
#define AM_PASSCODE_MAX_DIGITS       12
#define AM_PASSCODE_DEFAULT_DIGITS   10
#define AM_PASSCODE_SKEW_S           600
#define AM_PASSCODE_FIRST_USE_S      86400
#define AM_PASSCODE_ALIAS_RADIUS     25
#define AM_PASSCODE_P_CANCEL_ALL     924
#define AM_PASSCODE_P_MAX            999
#define AM_PASSCODE_MAX_DAYS         256
#define AM_PASSCODE_ONE_TIME_MAX_H   24

#define AM_PASSCODE_LABEL_CODE       "AM1/passcode"
#define AM_PASSCODE_LABEL_BLE        "AM1/ble"

typedef enum
{
  AM_PASSCODE_KIND_TIMED,
  AM_PASSCODE_KIND_ONE_TIME,
  AM_PASSCODE_KIND_CANCEL_ALL,
  AM_PASSCODE_KIND_RESERVED,
} AmPasscodeKind;

/**
 * AmPasscodeWindow:
 * @kind: what the code does
 * @start_h: the start hour, ⌊(start − Q) / 3600⌋
 * @p: the last three digits: kind and duration
 * @starts_at: the effective start, UTC seconds
 * @ends_at: the effective end, UTC seconds (for a cancel-all code, the end
 *   of the day in which the lock accepts it)
 * @use_by: the first-use deadline, @starts_at + 24 hours
 *
 * The window a code grants, as the lock will see it.
 */
typedef struct
{
  AmPasscodeKind kind;
  guint32        start_h;
  guint16        p;
  gint64         starts_at;
  gint64         ends_at;
  gint64         use_by;
} AmPasscodeWindow;

typedef struct _AmPasscodeKey AmPasscodeKey;

AmPasscodeKind am_passcode_kind_for_p            (guint                    p);
const char    *am_passcode_kind_to_string        (AmPasscodeKind           kind);
guint          am_passcode_duration_hours        (guint                    p);
gboolean       am_passcode_digits_valid          (guint                    digits);
gboolean       am_passcode_q_offset_valid        (guint                    q_offset_s);

void           am_passcode_subkey                (const guint8             k_lock[AM_PASSCODE_KEY_LEN],
                                                  const char              *label,
                                                  guint8                   out[AM_PASSCODE_KEY_LEN]);
void           am_passcode_message               (const guint8             lock_id[AM_LOCK_ID_LEN],
                                                  guint8                   kv,
                                                  guint32                  start_h,
                                                  guint16                  p,
                                                  guint8                   digits,
                                                  guint8                   out[AM_PASSCODE_MESSAGE_LEN]);
void           am_passcode_format                (guint64                  tag,
                                                  guint                    p,
                                                  guint                    digits,
                                                  char                     out[AM_PASSCODE_MAX_DIGITS + 1]);

char          *am_passcode_group_digits          (const char              *code);

gboolean       am_passcode_window_for            (guint32                  start_h,
                                                  guint                    p,
                                                  guint                    q_offset_s,
                                                  AmPasscodeWindow        *out,
                                                  GError                 **error);
gboolean       am_passcode_window_quantise       (GDateTime               *start,
                                                  GDateTime               *end,
                                                  AmPasscodeKind           kind,
                                                  guint                    q_offset_s,
                                                  AmPasscodeWindow        *out,
                                                  GError                 **error);
gboolean       am_passcode_window_check_issuable (const AmPasscodeWindow  *window,
                                                  gint64                   now,
                                                  GError                 **error);

AmPasscodeKey *am_passcode_key_new               (const guint8             k_lock[AM_PASSCODE_KEY_LEN],
                                                  const guint8             lock_id[AM_LOCK_ID_LEN],
                                                  guint8                   kv,
                                                  guint                    digits);
void           am_passcode_key_free              (AmPasscodeKey           *key);
guint8         am_passcode_key_get_kv            (const AmPasscodeKey     *key);
guint          am_passcode_key_get_digits        (const AmPasscodeKey     *key);
void           am_passcode_key_mac               (const AmPasscodeKey     *key,
                                                  guint32                  start_h,
                                                  guint                    p,
                                                  guint8                   out[AM_PASSCODE_KEY_LEN]);
guint64        am_passcode_key_tag               (const AmPasscodeKey     *key,
                                                  guint32                  start_h,
                                                  guint                    p);
gboolean       am_passcode_key_is_aliased        (const AmPasscodeKey     *key,
                                                  guint32                  start_h,
                                                  guint                    p);
gboolean       am_passcode_key_derive            (const AmPasscodeKey     *key,
                                                  guint32                  start_h,
                                                  guint                    p,
                                                  char                     out[AM_PASSCODE_MAX_DIGITS + 1],
                                                  GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmPasscodeKey, am_passcode_key_free)

G_END_DECLS
