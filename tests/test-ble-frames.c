/* test-ble-frames.c: the AM1 Bluetooth frames against ble-lock.md's vectors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "am-ble-frames.h"
#include "am-encoding.h"
#include "am-error.h"

/* ble-lock.md, "Test vectors": K_lock 00..1f, this lock, kv 1, R 40..4f. */
#define LOCK_ID "3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30"

typedef struct
{
  AmBleKey   *key;
  AmBleNonce  nonce;
} Fixture;

static GBytes *
hex (const char *text)
{
  gsize len = strlen (text) / 2;
  guint8 *bytes = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    bytes[i] = (guint8) (g_ascii_xdigit_value (text[2 * i]) << 4 | g_ascii_xdigit_value (text[2 * i + 1]));
  return g_bytes_new_take (bytes, len);
}

static void
assert_bytes (const guint8 *data,
              gsize         len,
              const char   *expected_hex)
{
  g_autoptr(GBytes) expected = hex (expected_hex);

  g_assert_cmpmem (data, len, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  guint8 k_lock[32], lock_id[16];

  for (guint i = 0; i < 32; i++)
    k_lock[i] = (guint8) i;
  g_assert_true (am_lock_id_parse (LOCK_ID, lock_id, NULL));
  f->key = am_ble_key_new (k_lock, lock_id);
  f->nonce.kv = 1;
  for (guint i = 0; i < 16; i++)
    f->nonce.r[i] = (guint8) (0x40 + i);
  f->nonce.t_lock = 1741618790;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->key, am_ble_key_free);
}

static void
test_k_ble (Fixture       *f,
            gconstpointer  data)
{
  guint8 k_lock[32], k_ble[32];

  for (guint i = 0; i < 32; i++)
    k_lock[i] = (guint8) i;
  am_passcode_subkey (k_lock, AM_PASSCODE_LABEL_BLE, k_ble);
  assert_bytes (k_ble, 32, "cc6050877fcbb4b629eeee2bba90689ca786945d42495cb900514f4f2f192dca");
}

static void
test_nonce (Fixture       *f,
            gconstpointer  data)
{
  guint8 frame[AM_BLE_NONCE_LEN];
  g_autoptr(GBytes) vector = hex ("0101404142434445464748494a4b4c4d4e4f67cefe66");
  g_autoptr(GError) error = NULL;
  AmBleNonce parsed;

  am_ble_nonce_build (&f->nonce, frame);
  assert_bytes (frame, sizeof frame, "0101404142434445464748494a4b4c4d4e4f67cefe66");
  g_assert_true (am_ble_nonce_parse (g_bytes_get_data (vector, NULL), g_bytes_get_size (vector), &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsed.kv, ==, 1);
  g_assert_cmpmem (parsed.r, 16, f->nonce.r, 16);
  g_assert_cmpuint (parsed.t_lock, ==, 1741618790);

  /* A frame one byte short, or of another version, is not a nonce. */
  g_assert_false (am_ble_nonce_parse (frame, sizeof frame - 1, &parsed, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_BAD_ANSWER);
  g_clear_error (&error);
  frame[0] = 2;
  g_assert_false (am_ble_nonce_parse (frame, sizeof frame, &parsed, NULL));
}

static void
test_commands (Fixture       *f,
               gconstpointer  data)
{
  const struct
  {
    AmBleOp     op;
    guint32     a;
    guint16     b;
    const char *expected;
  } vectors[] = {
    { AM_BLE_OP_UNLOCK, 1741618800, 0, "010167cefe7000005127d8c76db10c73381ec062" },
    { AM_BLE_OP_SET_TIME, 1741618800, 0, "010367cefe70000020176715bd16732f871587fc" },
    { AM_BLE_OP_READ_LOG, 0, 50, "0104000000000032e1cdea99c63d86fbbd534ac3" },
    { AM_BLE_OP_REVOKE, 483783, 2, "0105000761c70002353f0c13c26f88754ae33341" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      guint8 arg[AM_BLE_ARG_LEN], frame[AM_BLE_COMMAND_LEN], op, arg_back[AM_BLE_ARG_LEN];

      switch (vectors[i].op)
        {
        case AM_BLE_OP_UNLOCK:
        case AM_BLE_OP_SET_TIME:
          am_ble_arg_time (vectors[i].a, arg);
          break;
        case AM_BLE_OP_READ_LOG:
          am_ble_arg_read_log (vectors[i].a, vectors[i].b, arg);
          break;
        case AM_BLE_OP_REVOKE:
        default:
          am_ble_arg_revoke (vectors[i].a, vectors[i].b, arg);
          break;
        }
      am_ble_command_build (f->key, &f->nonce, vectors[i].op, arg, frame);
      assert_bytes (frame, sizeof frame, vectors[i].expected);

      /* The lock's side takes it, and nothing with one bit changed. */
      g_assert_true (am_ble_command_verify (f->key, &f->nonce, frame, sizeof frame, &op, arg_back));
      g_assert_cmpuint (op, ==, vectors[i].op);
      g_assert_cmpmem (arg_back, sizeof arg_back, arg, sizeof arg);
      frame[3] ^= 0x01;
      g_assert_false (am_ble_command_verify (f->key, &f->nonce, frame, sizeof frame, &op, arg_back));
    }
}

static void
test_status (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GBytes) command = hex ("010167cefe7000005127d8c76db10c73381ec062");
  g_autoptr(GBytes) vector = hex ("010067cefe724449ecef9b3294281f27bf1a");
  guint8 frame[AM_BLE_STATUS_LEN];
  g_autoptr(GError) error = NULL;
  AmBleStatus status;
  AmBleNonce other = f->nonce;

  am_ble_status_build (f->key, &f->nonce, g_bytes_get_data (command, NULL), AM_BLE_RESULT_OK, 1741618802, frame);
  assert_bytes (frame, sizeof frame, "010067cefe724449ecef9b3294281f27bf1a");

  g_assert_true (am_ble_status_parse (f->key, &f->nonce, g_bytes_get_data (command, NULL),
                                      g_bytes_get_data (vector, NULL), g_bytes_get_size (vector), &status, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status.result, ==, AM_BLE_RESULT_OK);
  g_assert_cmpuint (status.t_lock, ==, 1741618802);

  /* A flipped result is not believed: JAMMED turned into OK, or the like. */
  frame[1] = AM_BLE_RESULT_JAMMED;
  g_assert_false (am_ble_status_parse (f->key, &f->nonce, g_bytes_get_data (command, NULL),
                                       frame, sizeof frame, &status, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_BAD_ANSWER);
  g_clear_error (&error);

  /* Nor an answer to another nonce: a replayed STATUS. */
  other.r[0] ^= 0xff;
  g_assert_false (am_ble_status_parse (f->key, &other, g_bytes_get_data (command, NULL),
                                       g_bytes_get_data (vector, NULL), g_bytes_get_size (vector), &status, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_BAD_ANSWER);
}

static void
test_log (Fixture       *f,
          gconstpointer  data)
{
  AmBleLogRecord record = { 7, AM_BLE_LOG_KEYPAD_OPEN, 1741611000, 483783, 2 };
  g_autoptr(GBytes) vector = hex ("01000000070167cedff8000761c70002776f9a1d");
  guint8 frame[AM_BLE_LOG_LEN];
  g_autoptr(GError) error = NULL;
  AmBleLogRecord parsed;

  am_ble_log_build (f->key, &f->nonce, &record, frame);
  assert_bytes (frame, sizeof frame, "01000000070167cedff8000761c70002776f9a1d");
  g_assert_true (am_ble_log_parse (f->key, &f->nonce, g_bytes_get_data (vector, NULL),
                                   g_bytes_get_size (vector), &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsed.seq, ==, 7);
  g_assert_cmpuint (parsed.event, ==, AM_BLE_LOG_KEYPAD_OPEN);
  g_assert_cmpuint (parsed.t, ==, 1741611000);
  g_assert_cmpuint (parsed.start_h, ==, 483783);
  g_assert_cmpuint (parsed.p, ==, 2);
  g_assert_cmpstr (am_ble_log_event_name (parsed.event), ==, "keypad_open");

  frame[12] ^= 0x10;
  g_assert_false (am_ble_log_parse (f->key, &f->nonce, frame, sizeof frame, &parsed, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_BAD_ANSWER);
}

static void
test_advert (Fixture       *f,
             gconstpointer  data)
{
  guint8 lock_id[16], frame[AM_BLE_ADVERT_LEN];
  AmBleAdvert advert = { { 0 }, 87, AM_BLE_FLAG_CLOCK_NOT_SET }, parsed;

  g_assert_true (am_lock_id_parse (LOCK_ID, lock_id, NULL));
  memcpy (advert.lock_prefix, lock_id, 8);
  am_ble_advert_build (&advert, frame);
  assert_bytes (frame, sizeof frame, "013f2a9c4e8b1d4e7a5702");
  g_assert_true (am_ble_advert_parse (frame, sizeof frame, &parsed));
  g_assert_cmpmem (parsed.lock_prefix, 8, lock_id, 8);
  g_assert_cmpuint (parsed.battery, ==, 87);
  g_assert_cmpuint (parsed.flags, ==, AM_BLE_FLAG_CLOCK_NOT_SET);
  g_assert_false (am_ble_advert_parse (frame, sizeof frame - 1, &parsed));
}

static void
test_names (Fixture       *f,
            gconstpointer  data)
{
  g_assert_null (am_ble_log_event_name (AM_BLE_LOG_END));
  g_assert_cmpstr (am_ble_log_event_name (AM_BLE_LOG_TIME_SET), ==, "time_set");
  g_assert_null (am_ble_log_event_name (0x42));
  g_assert_cmpstr (am_ble_reject_result_name (2), ==, "no_match");
  g_assert_cmpstr (am_ble_reject_result_name (6), ==, "locked_out");
  g_assert_null (am_ble_reject_result_name (0));
  g_assert_null (am_ble_reject_result_name (7));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ble-frames/vectors/k-ble", test_k_ble);
  ADD ("/ble-frames/vectors/nonce", test_nonce);
  ADD ("/ble-frames/vectors/commands-built-and-verified", test_commands);
  ADD ("/ble-frames/vectors/status-believed-only-when-signed", test_status);
  ADD ("/ble-frames/vectors/log-record", test_log);
  ADD ("/ble-frames/advert/manufacturer-data", test_advert);
  ADD ("/ble-frames/names/as-the-cloud-api", test_names);
#undef ADD

  return g_test_run ();
}
