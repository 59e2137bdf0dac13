/* fuzz-ble-frames.c: fuzz target for the decoders of the AM1 Bluetooth frames
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks a decoder (advert, NONCE, COMMAND as the lock reads
 * it, STATUS, LOG); the rest is what arrived over the air. The key and the
 * nonce are those of ble-lock.md's test vectors, so the seeds' frames carry
 * valid tags. A frame that decodes must build again to the same bytes.
 */
#include "config.h"

#include <string.h>

#include "am-ble-frames.h"
#include "am-fuzz.h"

#define LOCK_ID "3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30"

/* The UNLOCK of ble-lock.md's vectors, which its STATUS answers. */
static const guint8 unlock_command[AM_BLE_COMMAND_LEN] = {
  0x01, 0x01, 0x67, 0xce, 0xfe, 0x70, 0x00, 0x00, 0x51, 0x27,
  0xd8, 0xc7, 0x6d, 0xb1, 0x0c, 0x73, 0x38, 0x1e, 0xc0, 0x62,
};

static AmBleKey *key;
static AmBleNonce nonce;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  guint8 k_lock[AM_PASSCODE_KEY_LEN], lock_id[AM_LOCK_ID_LEN];

  am_fuzz_init_logging ();
  for (guint i = 0; i < sizeof k_lock; i++)
    k_lock[i] = (guint8) i;
  if (!am_lock_id_parse (LOCK_ID, lock_id, NULL))
    g_error ("The vectors' lock id does not parse.");
  key = am_ble_key_new (k_lock, lock_id);
  nonce.kv = 1;
  for (guint i = 0; i < AM_BLE_R_LEN; i++)
    nonce.r[i] = (guint8) (0x40 + i);
  nonce.t_lock = 1741618790;
  return 0;
}

static void
assert_same (const guint8 *built,
             const guint8 *data,
             gsize         len,
             const char   *what)
{
  if (memcmp (built, data, len) != 0)
    g_error ("A %s frame that decodes does not build again to the same bytes.", what);
}

int
LLVMFuzzerTestOneInput (const guint8 *input,
                        size_t        size)
{
  const guint8 *data = input + 1;
  gsize len;

  if (size < 1)
    return 0;
  len = size - 1;

  switch (input[0] % 5)
    {
    case 0:
      {
        AmBleAdvert advert;
        guint8 built[AM_BLE_ADVERT_LEN];

        if (!am_ble_advert_parse (data, len, &advert))
          return 0;
        am_ble_advert_build (&advert, built);
        assert_same (built, data, sizeof built, "advert");
      }
      break;

    case 1:
      {
        g_autoptr(GError) error = NULL;
        AmBleNonce parsed;
        guint8 built[AM_BLE_NONCE_LEN];

        if (!am_ble_nonce_parse (data, len, &parsed, &error))
          {
            g_assert (error != NULL);
            return 0;
          }
        am_ble_nonce_build (&parsed, built);
        assert_same (built, data, sizeof built, "NONCE");
      }
      break;

    case 2:
      {
        guint8 op = 0, arg[AM_BLE_ARG_LEN], built[AM_BLE_COMMAND_LEN];

        if (!am_ble_command_verify (key, &nonce, data, len, &op, arg))
          return 0;
        am_ble_command_build (key, &nonce, op, arg, built);
        assert_same (built, data, sizeof built, "COMMAND");
      }
      break;

    case 3:
      {
        g_autoptr(GError) error = NULL;
        AmBleStatus status;
        guint8 built[AM_BLE_STATUS_LEN];

        if (!am_ble_status_parse (key, &nonce, unlock_command, data, len, &status, &error))
          {
            g_assert (error != NULL);
            return 0;
          }
        am_ble_status_build (key, &nonce, unlock_command, status.result, status.t_lock, built);
        assert_same (built, data, sizeof built, "STATUS");
      }
      break;

    case 4:
    default:
      {
        g_autoptr(GError) error = NULL;
        AmBleLogRecord record;
        guint8 built[AM_BLE_LOG_LEN];

        if (!am_ble_log_parse (key, &nonce, data, len, &record, &error))
          {
            g_assert (error != NULL);
            return 0;
          }
        /* What the session names in its log line and the store keeps. */
        g_assert (am_ble_log_event_name (record.event) != NULL);
        if (record.event == AM_BLE_LOG_KEYPAD_REJECT)
          (void) am_ble_reject_result_name (record.p);
        am_ble_log_build (key, &nonce, &record, built);
        assert_same (built, data, sizeof built, "LOG");
      }
      break;
    }
  return 0;
}
