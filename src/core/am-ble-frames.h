/* am-ble-frames.h: the frames of the AM1 Bluetooth LE protocol, both ways
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "am-encoding.h"
#include "am-passcode.h"

G_BEGIN_DECLS

#define AM_BLE_SERVICE_UUID  "7eeb0001-d7c6-4278-a381-e485dcaec98a"
#define AM_BLE_NONCE_UUID    "7eeb0002-d7c6-4278-a381-e485dcaec98a"
#define AM_BLE_COMMAND_UUID  "7eeb0003-d7c6-4278-a381-e485dcaec98a"
#define AM_BLE_STATUS_UUID   "7eeb0004-d7c6-4278-a381-e485dcaec98a"
#define AM_BLE_LOG_UUID      "7eeb0005-d7c6-4278-a381-e485dcaec98a"

/* The manufacturer data's company id (a test id until one is assigned). */
#define AM_BLE_COMPANY_ID    0xFFFF

#define AM_BLE_VERSION          0x01
#define AM_BLE_NONCE_LEN        22
#define AM_BLE_COMMAND_LEN      20
#define AM_BLE_STATUS_LEN       18
#define AM_BLE_LOG_LEN          20
#define AM_BLE_ADVERT_LEN       11
#define AM_BLE_R_LEN            16
#define AM_BLE_ARG_LEN          6
#define AM_BLE_LOCK_PREFIX_LEN  8

/* Advert flags */
#define AM_BLE_FLAG_LOCKED_OUT      0x01
#define AM_BLE_FLAG_CLOCK_NOT_SET   0x02
#define AM_BLE_BATTERY_UNKNOWN      0xFF

typedef enum
{
  AM_BLE_OP_UNLOCK   = 0x01,
  AM_BLE_OP_SET_TIME = 0x03,
  AM_BLE_OP_READ_LOG = 0x04,
  AM_BLE_OP_REVOKE   = 0x05,
} AmBleOp;

typedef enum
{
  AM_BLE_RESULT_OK          = 0x00,
  AM_BLE_RESULT_BAD_TAG     = 0x01,
  AM_BLE_RESULT_STALE_NONCE = 0x02,
  AM_BLE_RESULT_BAD_OP      = 0x03,
  AM_BLE_RESULT_JAMMED      = 0x04,
  AM_BLE_RESULT_BUSY        = 0x05,
} AmBleResult;

typedef enum
{
  AM_BLE_LOG_END           = 0x00,
  AM_BLE_LOG_KEYPAD_OPEN   = 0x01,
  AM_BLE_LOG_KEYPAD_REJECT = 0x02,
  AM_BLE_LOG_BLE_UNLOCK    = 0x03,
  AM_BLE_LOG_CANCEL_ALL    = 0x04,
  AM_BLE_LOG_LOCKOUT       = 0x05,
  AM_BLE_LOG_REVOKE        = 0x06,
  AM_BLE_LOG_TIME_SET      = 0x07,
} AmBleLogEvent;

/**
 * AmBleNonce:
 * @kv: the key version the lock uses
 * @r: the single-use random value
 * @t_lock: the lock's clock, UTC seconds
 */
typedef struct
{
  guint8  kv;
  guint8  r[AM_BLE_R_LEN];
  guint32 t_lock;
} AmBleNonce;

/**
 * AmBleAdvert:
 * @lock_prefix: the first 8 bytes of the lock id
 * @battery: percent, or %AM_BLE_BATTERY_UNKNOWN
 * @flags: AM_BLE_FLAG_*
 *
 * The lock's manufacturer data.
 */
typedef struct
{
  guint8 lock_prefix[AM_BLE_LOCK_PREFIX_LEN];
  guint8 battery;
  guint8 flags;
} AmBleAdvert;

/**
 * AmBleStatus:
 * @result: an #AmBleResult
 * @t_lock: the lock's clock
 */
typedef struct
{
  guint8  result;
  guint32 t_lock;
} AmBleStatus;

/**
 * AmBleLogRecord:
 * @seq: the record's number; for END, the next number the lock will write
 * @event: an #AmBleLogEvent
 * @t: when, the lock's clock
 * @start_h: the code's start hour, 0 where no code matched
 * @p: the code's p; for KEYPAD_REJECT the reason (1..6)
 */
typedef struct
{
  guint32 seq;
  guint8  event;
  guint32 t;
  guint32 start_h;
  guint16 p;
} AmBleLogRecord;

/* K_ble and the lock id, keyed once for a session. Wiped when freed. */
typedef struct _AmBleKey AmBleKey;

AmBleKey   *am_ble_key_new              (const guint8         k_lock[AM_PASSCODE_KEY_LEN],
                                         const guint8         lock_id[AM_LOCK_ID_LEN]);
void        am_ble_key_free             (AmBleKey            *key);

gboolean    am_ble_advert_parse         (const guint8        *data,
                                         gsize                len,
                                         AmBleAdvert         *out);
void        am_ble_advert_build         (const AmBleAdvert   *advert,
                                         guint8               out[AM_BLE_ADVERT_LEN]);

gboolean    am_ble_nonce_parse          (const guint8        *data,
                                         gsize                len,
                                         AmBleNonce          *out,
                                         GError             **error);
void        am_ble_nonce_build          (const AmBleNonce    *nonce,
                                         guint8               out[AM_BLE_NONCE_LEN]);

void        am_ble_arg_time             (guint32              t,
                                         guint8               arg[AM_BLE_ARG_LEN]);
void        am_ble_arg_read_log         (guint32              from_seq,
                                         guint16              max,
                                         guint8               arg[AM_BLE_ARG_LEN]);
void        am_ble_arg_revoke           (guint32              start_h,
                                         guint16              p,
                                         guint8               arg[AM_BLE_ARG_LEN]);

void        am_ble_command_build        (const AmBleKey      *key,
                                         const AmBleNonce    *nonce,
                                         AmBleOp              op,
                                         const guint8         arg[AM_BLE_ARG_LEN],
                                         guint8               out[AM_BLE_COMMAND_LEN]);
gboolean    am_ble_command_verify       (const AmBleKey      *key,
                                         const AmBleNonce    *nonce,
                                         const guint8        *data,
                                         gsize                len,
                                         guint8              *op,
                                         guint8               arg[AM_BLE_ARG_LEN]);

void        am_ble_status_build         (const AmBleKey      *key,
                                         const AmBleNonce    *nonce,
                                         const guint8         command[AM_BLE_COMMAND_LEN],
                                         guint8               result,
                                         guint32              t_lock,
                                         guint8               out[AM_BLE_STATUS_LEN]);
gboolean    am_ble_status_parse         (const AmBleKey      *key,
                                         const AmBleNonce    *nonce,
                                         const guint8         command[AM_BLE_COMMAND_LEN],
                                         const guint8        *data,
                                         gsize                len,
                                         AmBleStatus         *out,
                                         GError             **error);

void        am_ble_log_build            (const AmBleKey      *key,
                                         const AmBleNonce    *nonce,
                                         const AmBleLogRecord *record,
                                         guint8               out[AM_BLE_LOG_LEN]);
gboolean    am_ble_log_parse            (const AmBleKey      *key,
                                         const AmBleNonce    *nonce,
                                         const guint8        *data,
                                         gsize                len,
                                         AmBleLogRecord      *out,
                                         GError             **error);

const char *am_ble_log_event_name       (guint8               event);
const char *am_ble_reject_result_name   (guint16              p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmBleKey, am_ble_key_free)

G_END_DECLS
