/* am-test-vectors.h: the published AM1 vectors, for the tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "am-passcode.h"

G_BEGIN_DECLS

/* The lock of the spec's worked examples. */
#define AM_TEST_LOCK_ID      "3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30"
#define AM_TEST_KEY_HEX      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

GPtrArray *am_test_load_vectors   (void);
void       am_test_vector_lock    (JsonObject *vector,
                                   guint8      k_lock[AM_PASSCODE_KEY_LEN],
                                   guint8      lock_id[AM_LOCK_ID_LEN]);
void       am_test_example_lock   (guint8      k_lock[AM_PASSCODE_KEY_LEN],
                                   guint8      lock_id[AM_LOCK_ID_LEN]);
JsonArray *am_test_vector_entries (JsonObject *vector);
void       am_test_random_bytes   (guint8     *out,
                                   gsize       len);

G_END_DECLS
