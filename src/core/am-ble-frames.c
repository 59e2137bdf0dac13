/* am-ble-frames.c: the frames of the AM1 Bluetooth LE protocol, both ways
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ble-lock.md's frames: the NONCE the lock offers, the COMMAND the desktop
 * writes, the STATUS and LOG records the lock notifies, and the lock's
 * manufacturer data. Pure: no I/O, no clock. Both sides are here, so that
 * the tests can play the lock; the desktop only builds commands and
 * verifies what the lock sends, and believes nothing it cannot verify.
 *
 * Integers are big-endian; every tag is a prefix of HMAC-SHA256 under
 * K_ble over a domain label, the lock id, the key version, the nonce's R
 * and the frame.
 */
#define G_LOG_DOMAIN "am-ble-frames"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "am-ble-frames.h"
#include "am-error.h"
#include "am-hmac.h"
#include "am-secret-memory.h"

#define TAG_COMMAND_LEN 12
#define TAG_STATUS_LEN  12
#define TAG_LOG_LEN     4

struct _AmBleKey
{
  guint8 k_ble[AM_PASSCODE_KEY_LEN];
  guint8 lock_id[AM_LOCK_ID_LEN];
};

static void
put_u32 (guint8  *out,
         guint32  value)
{
  out[0] = (guint8) (value >> 24);
  out[1] = (guint8) (value >> 16);
  out[2] = (guint8) (value >> 8);
  out[3] = (guint8) value;
}

static guint32
get_u32 (const guint8 *in)
{
  return (guint32) in[0] << 24 | (guint32) in[1] << 16 | (guint32) in[2] << 8 | in[3];
}

static void
put_u16 (guint8  *out,
         guint16  value)
{
  out[0] = (guint8) (value >> 8);
  out[1] = (guint8) value;
}

static guint16
get_u16 (const guint8 *in)
{
  return (guint16) (in[0] << 8 | in[1]);
}

/* The first @len bytes of HMAC-SHA256 (K_ble, label || lock_id || kv || R ||
 * the frame's parts). */
static void
tag (const AmBleKey   *key,
     const char       *label,
     const AmBleNonce *nonce,
     const guint8     *part1,
     gsize             len1,
     const guint8     *part2,
     gsize             len2,
     guint8           *out,
     gsize             len)
{
  AmHmacSha256 hmac;
  guint8 digest[AM_HMAC_SHA256_LEN];

  g_assert (len <= sizeof digest);

  am_hmac_sha256_init (&hmac, key->k_ble, sizeof key->k_ble);
  am_hmac_sha256_update (&hmac, (const guint8 *) label, 4);
  am_hmac_sha256_update (&hmac, key->lock_id, sizeof key->lock_id);
  am_hmac_sha256_update (&hmac, &nonce->kv, 1);
  am_hmac_sha256_update (&hmac, nonce->r, sizeof nonce->r);
  am_hmac_sha256_update (&hmac, part1, len1);
  if (part2 != NULL)
    am_hmac_sha256_update (&hmac, part2, len2);
  am_hmac_sha256_finish (&hmac, digest);
  memcpy (out, digest, len);
  am_secret_memory_wipe (digest, sizeof digest);
}

/* Whether two tags are equal, in a time that does not tell where they differ. */
static gboolean
tags_equal (const guint8 *a,
            const guint8 *b,
            gsize         len)
{
  guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}

static void
fail_malformed (GError     **error,
                const char  *what)
{
  /* Translators: %s names a kind of message from the lock, such as “nonce” */
  g_set_error (error, AM_ERROR, AM_ERROR_BAD_ANSWER,
               _("The lock sent a %s Access Manager cannot read. Try again; if it keeps happening, the lock may need an update."),
               what);
}

static void
fail_bad_tag (GError **error)
{
  g_set_error_literal (error, AM_ERROR, AM_ERROR_BAD_ANSWER,
                       _("The lock’s answer could not be verified, so Access Manager cannot tell whether the door opened. Try again; if it keeps happening, sync to fetch the lock’s key anew."));
}

/**
 * am_ble_key_new:
 * @k_lock: the lock key of the key version the lock uses
 * @lock_id: the lock's id
 *
 * Returns: (transfer full): K_ble with the lock id, for a session's frames
 */
AmBleKey *
am_ble_key_new (const guint8 k_lock[AM_PASSCODE_KEY_LEN],
                const guint8 lock_id[AM_LOCK_ID_LEN])
{
  AmBleKey *key = g_new0 (AmBleKey, 1);

  am_passcode_subkey (k_lock, AM_PASSCODE_LABEL_BLE, key->k_ble);
  memcpy (key->lock_id, lock_id, AM_LOCK_ID_LEN);
  return key;
}

void
am_ble_key_free (AmBleKey *key)
{
  if (key == NULL)
    return;
  am_secret_memory_wipe (key, sizeof *key);
  g_free (key);
}

/**
 * am_ble_advert_parse:
 * @data: the manufacturer data under company id %AM_BLE_COMPANY_ID
 * @len: its length
 * @out: (out): the advert
 *
 * Returns: whether @data is an AM1 advert of this version
 */
gboolean
am_ble_advert_parse (const guint8 *data,
                     gsize         len,
                     AmBleAdvert  *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (data == NULL || len != AM_BLE_ADVERT_LEN || data[0] != AM_BLE_VERSION)
    return FALSE;
  memcpy (out->lock_prefix, data + 1, AM_BLE_LOCK_PREFIX_LEN);
  out->battery = data[9];
  out->flags = data[10];
  return TRUE;
}

void
am_ble_advert_build (const AmBleAdvert *advert,
                     guint8             out[AM_BLE_ADVERT_LEN])
{
  out[0] = AM_BLE_VERSION;
  memcpy (out + 1, advert->lock_prefix, AM_BLE_LOCK_PREFIX_LEN);
  out[9] = advert->battery;
  out[10] = advert->flags;
}

/**
 * am_ble_nonce_parse:
 * @data: the NONCE characteristic's value
 * @len: its length
 * @out: (out): the nonce
 * @error: a location for a #GError
 *
 * Returns: whether @data is a NONCE frame
 */
gboolean
am_ble_nonce_parse (const guint8  *data,
                    gsize          len,
                    AmBleNonce    *out,
                    GError       **error)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (data == NULL || len != AM_BLE_NONCE_LEN || data[0] != AM_BLE_VERSION || data[1] == 0)
    {
      /* Translators: a kind of message from the lock, in “The lock sent a %s …” */
      fail_malformed (error, C_("ble frame", "nonce"));
      return FALSE;
    }
  out->kv = data[1];
  memcpy (out->r, data + 2, AM_BLE_R_LEN);
  out->t_lock = get_u32 (data + 18);
  return TRUE;
}

void
am_ble_nonce_build (const AmBleNonce *nonce,
                    guint8            out[AM_BLE_NONCE_LEN])
{
  out[0] = AM_BLE_VERSION;
  out[1] = nonce->kv;
  memcpy (out + 2, nonce->r, AM_BLE_R_LEN);
  put_u32 (out + 18, nonce->t_lock);
}

/* Command arguments */

void
am_ble_arg_time (guint32 t,
                 guint8  arg[AM_BLE_ARG_LEN])
{
  put_u32 (arg, t);
  put_u16 (arg + 4, 0);
}

void
am_ble_arg_read_log (guint32 from_seq,
                     guint16 max,
                     guint8  arg[AM_BLE_ARG_LEN])
{
  put_u32 (arg, from_seq);
  put_u16 (arg + 4, max);
}

void
am_ble_arg_revoke (guint32 start_h,
                   guint16 p,
                   guint8  arg[AM_BLE_ARG_LEN])
{
  put_u32 (arg, start_h);
  put_u16 (arg + 4, p);
}

/**
 * am_ble_command_build:
 * @key: the session's key
 * @nonce: the nonce the command answers
 * @op: what the lock is to do
 * @arg: its argument (am_ble_arg_time() and the like)
 * @out: (out caller-allocates): the COMMAND frame
 */
void
am_ble_command_build (const AmBleKey   *key,
                      const AmBleNonce *nonce,
                      AmBleOp           op,
                      const guint8      arg[AM_BLE_ARG_LEN],
                      guint8            out[AM_BLE_COMMAND_LEN])
{
  g_return_if_fail (key != NULL && nonce != NULL && arg != NULL);

  out[0] = AM_BLE_VERSION;
  out[1] = (guint8) op;
  memcpy (out + 2, arg, AM_BLE_ARG_LEN);
  tag (key, "AMBC", nonce, out, 8, NULL, 0, out + 8, TAG_COMMAND_LEN);
}

/**
 * am_ble_command_verify:
 * @key: the lock's key
 * @nonce: the nonce the lock offered
 * @data: the COMMAND written
 * @len: its length
 * @op: (out): its op
 * @arg: (out caller-allocates): its argument
 *
 * The lock's side: whether @data is a COMMAND for @nonce under @key.
 *
 * Returns: whether the command's tag verifies
 */
gboolean
am_ble_command_verify (const AmBleKey   *key,
                       const AmBleNonce *nonce,
                       const guint8     *data,
                       gsize             len,
                       guint8           *op,
                       guint8            arg[AM_BLE_ARG_LEN])
{
  guint8 expected[TAG_COMMAND_LEN];
  gboolean ok;

  g_return_val_if_fail (key != NULL && nonce != NULL, FALSE);

  if (data == NULL || len != AM_BLE_COMMAND_LEN || data[0] != AM_BLE_VERSION)
    return FALSE;
  tag (key, "AMBC", nonce, data, 8, NULL, 0, expected, sizeof expected);
  ok = tags_equal (expected, data + 8, TAG_COMMAND_LEN);
  if (ok)
    {
      *op = data[1];
      memcpy (arg, data + 2, AM_BLE_ARG_LEN);
    }
  return ok;
}

/**
 * am_ble_status_build:
 * @key: the lock's key
 * @nonce: the nonce the command answered
 * @command: the COMMAND frame answered
 * @result: an #AmBleResult
 * @t_lock: the lock's clock
 * @out: (out caller-allocates): the STATUS frame
 */
void
am_ble_status_build (const AmBleKey   *key,
                     const AmBleNonce *nonce,
                     const guint8      command[AM_BLE_COMMAND_LEN],
                     guint8            result,
                     guint32           t_lock,
                     guint8            out[AM_BLE_STATUS_LEN])
{
  out[0] = AM_BLE_VERSION;
  out[1] = result;
  put_u32 (out + 2, t_lock);
  tag (key, "AMBS", nonce, command, AM_BLE_COMMAND_LEN, out, 6, out + 6, TAG_STATUS_LEN);
}

/**
 * am_ble_status_parse:
 * @key: the session's key
 * @nonce: the nonce the command answered
 * @command: the COMMAND frame it answers
 * @data: the STATUS notified
 * @len: its length
 * @out: (out): the status
 * @error: a location for a #GError
 *
 * Nothing of a STATUS is to be believed, not even its result, before its
 * tag verifies: this is the only way to read one.
 *
 * Returns: whether @data is a STATUS the lock signed for @command
 */
gboolean
am_ble_status_parse (const AmBleKey    *key,
                     const AmBleNonce  *nonce,
                     const guint8       command[AM_BLE_COMMAND_LEN],
                     const guint8      *data,
                     gsize              len,
                     AmBleStatus       *out,
                     GError           **error)
{
  guint8 expected[TAG_STATUS_LEN];

  g_return_val_if_fail (key != NULL && nonce != NULL && command != NULL && out != NULL, FALSE);

  if (data == NULL || len != AM_BLE_STATUS_LEN || data[0] != AM_BLE_VERSION)
    {
      /* Translators: a kind of message from the lock, in “The lock sent a %s …” */
      fail_malformed (error, C_("ble frame", "status"));
      return FALSE;
    }
  tag (key, "AMBS", nonce, command, AM_BLE_COMMAND_LEN, data, 6, expected, sizeof expected);
  if (!tags_equal (expected, data + 6, TAG_STATUS_LEN))
    {
      fail_bad_tag (error);
      return FALSE;
    }
  out->result = data[1];
  out->t_lock = get_u32 (data + 2);
  return TRUE;
}

/**
 * am_ble_log_build:
 * @key: the lock's key
 * @nonce: the nonce of the READ_LOG command being answered
 * @record: the record
 * @out: (out caller-allocates): the LOG frame
 */
void
am_ble_log_build (const AmBleKey       *key,
                  const AmBleNonce     *nonce,
                  const AmBleLogRecord *record,
                  guint8                out[AM_BLE_LOG_LEN])
{
  out[0] = AM_BLE_VERSION;
  put_u32 (out + 1, record->seq);
  out[5] = record->event;
  put_u32 (out + 6, record->t);
  put_u32 (out + 10, record->start_h);
  put_u16 (out + 14, record->p);
  tag (key, "AMBL", nonce, out, 16, NULL, 0, out + 16, TAG_LOG_LEN);
}

/**
 * am_ble_log_parse:
 * @key: the session's key
 * @nonce: the nonce of the READ_LOG command being answered
 * @data: the LOG frame notified
 * @len: its length
 * @out: (out): the record
 * @error: a location for a #GError
 *
 * Returns: whether @data is a record the lock signed in answer to that
 *   READ_LOG
 */
gboolean
am_ble_log_parse (const AmBleKey    *key,
                  const AmBleNonce  *nonce,
                  const guint8      *data,
                  gsize              len,
                  AmBleLogRecord    *out,
                  GError           **error)
{
  guint8 expected[TAG_LOG_LEN];

  g_return_val_if_fail (key != NULL && nonce != NULL && out != NULL, FALSE);

  if (data == NULL || len != AM_BLE_LOG_LEN || data[0] != AM_BLE_VERSION || data[5] > AM_BLE_LOG_TIME_SET)
    {
      /* Translators: a kind of message from the lock, in “The lock sent a %s …” */
      fail_malformed (error, C_("ble frame", "log record"));
      return FALSE;
    }
  tag (key, "AMBL", nonce, data, 16, NULL, 0, expected, sizeof expected);
  if (!tags_equal (expected, data + 16, TAG_LOG_LEN))
    {
      fail_bad_tag (error);
      return FALSE;
    }
  out->seq = get_u32 (data + 1);
  out->event = data[5];
  out->t = get_u32 (data + 6);
  out->start_h = get_u32 (data + 10);
  out->p = get_u16 (data + 14);
  return TRUE;
}

/**
 * am_ble_log_event_name:
 * @event: an #AmBleLogEvent
 *
 * Returns: (nullable): the event's name in the cloud API ("keypad_open"...),
 *   or %NULL for END and unknown events
 */
const char *
am_ble_log_event_name (guint8 event)
{
  static const char * const names[] = {
    [AM_BLE_LOG_KEYPAD_OPEN] = "keypad_open",
    [AM_BLE_LOG_KEYPAD_REJECT] = "keypad_reject",
    [AM_BLE_LOG_BLE_UNLOCK] = "ble_unlock",
    [AM_BLE_LOG_CANCEL_ALL] = "cancel_all",
    [AM_BLE_LOG_LOCKOUT] = "lockout",
    [AM_BLE_LOG_REVOKE] = "revoke",
    [AM_BLE_LOG_TIME_SET] = "time_set",
  };

  return event < G_N_ELEMENTS (names) ? names[event] : NULL;
}

/**
 * am_ble_reject_result_name:
 * @p: the p of a KEYPAD_REJECT record
 *
 * Returns: (nullable): the reason's name in the cloud API ("no_match"...),
 *   or %NULL for an unknown one
 */
const char *
am_ble_reject_result_name (guint16 p)
{
  static const char * const names[] = {
    [1] = "malformed", [2] = "no_match", [3] = "used", [4] = "revoked",
    [5] = "table_full", [6] = "locked_out",
  };

  return p < G_N_ELEMENTS (names) ? names[p] : NULL;
}
