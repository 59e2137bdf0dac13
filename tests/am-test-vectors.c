/* am-test-vectors.c: the published AM1 vectors, for the tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "am-encoding.h"
#include "am-test-vectors.h"

/**
 * am_test_load_vectors:
 *
 * Returns: (transfer full) (element-type JsonObject): every vector of
 *   tests/data/passcode.jsonl, in file order
 */
GPtrArray *
am_test_load_vectors (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "passcode.jsonl", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *vectors = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (*g_strstrip (lines[i]) == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_ptr_array_add (vectors, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }

  g_assert_cmpuint (vectors->len, >=, 20);
  return vectors;
}

void
am_test_vector_lock (JsonObject *vector,
                     guint8      k_lock[AM_PASSCODE_KEY_LEN],
                     guint8      lock_id[AM_LOCK_ID_LEN])
{
  g_autoptr(GError) error = NULL;

  am_hex_decode (json_object_get_string_member (vector, "k_lock_hex"), k_lock, AM_PASSCODE_KEY_LEN, &error);
  g_assert_no_error (error);
  am_lock_id_parse (json_object_get_string_member (vector, "lock_id"), lock_id, &error);
  g_assert_no_error (error);
}

/* The key and lock of the spec's worked examples. */
void
am_test_example_lock (guint8 k_lock[AM_PASSCODE_KEY_LEN],
                      guint8 lock_id[AM_LOCK_ID_LEN])
{
  g_assert_true (am_hex_decode (AM_TEST_KEY_HEX, k_lock, AM_PASSCODE_KEY_LEN, NULL));
  g_assert_true (am_lock_id_parse (AM_TEST_LOCK_ID, lock_id, NULL));
}

/**
 * am_test_vector_entries:
 * @vector: a vector
 *
 * Returns: (transfer none): its `checks`, or the `sequence` of a vector
 *   that is a lock scenario alone
 */
JsonArray *
am_test_vector_entries (JsonObject *vector)
{
  if (json_object_has_member (vector, "sequence"))
    return json_object_get_array_member (vector, "sequence");
  return json_object_get_array_member (vector, "checks");
}

void
am_test_random_bytes (guint8 *out,
                      gsize   len)
{
  for (gsize i = 0; i < len; i++)
    out[i] = (guint8) g_test_rand_int_range (0, 256);
}
