/* test-cloud-json.c: the envelopes of the cloud API, both ways
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "am-cloud-json.h"
#include "am-error.h"
#include "am-test-records.h"

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_dup_object (node);
}

/* What a builder holds, through JSON text, as the peer would read it. */
static JsonObject *
finish (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);

  return parse_object (text);
}

static void
assert_members (JsonObject         *object,
                const char * const *names)
{
  g_assert_cmpuint (json_object_get_size (object), ==, g_strv_length ((char **) names));
  for (guint i = 0; names[i] != NULL; i++)
    if (!json_object_has_member (object, names[i]))
      g_error ("member “%s” is missing", names[i]);
}

/* A page with one record of each kind, and a deletion. */
static AmSyncPage *
full_page (void)
{
  AmSyncPage *page = am_sync_page_new ();
  g_autoptr(AmProperty) property = am_test_property ("Maple Court", "12 Maple Ct", "Austin", "America/Chicago");
  g_autoptr(AmLock) lock = am_test_lock (property, "Front door", "101");

  g_ptr_array_add (page->properties, g_object_ref (property));
  g_ptr_array_add (page->locks, g_object_ref (lock));
  g_ptr_array_add (page->grants, am_test_grant (property, "generate_codes,view_activity"));
  g_ptr_array_add (page->passcodes, am_test_passcode (lock, 483782, 3, 1741600000));
  g_ptr_array_add (page->events, am_test_lock_event (lock, 7, "keypad_open", 1741601000));
  g_ptr_array_add (page->unlocks, am_test_unlock (lock, 1741602000));
  am_sync_page_add_deleted (page, "passcode", "0b9d3c1e-7f44-4c2a-9d55-3e1f6a7b8c90");
  page->cursor = g_strdup ("v1.opaque.42");
  return page;
}

static void
test_sync_page_round_trip (void)
{
  static const char * const members[] = {
    "cursor", "more", "properties", "locks", "grants", "passcodes", "events", "unlocks", "deleted", NULL
  };
  g_autoptr(AmSyncPage) page = full_page ();
  g_autoptr(AmSyncPage) again = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;
  g_autoptr(GError) error = NULL;
  gboolean more = FALSE;
  AmDeletedRef *ref;

  am_sync_page_to_json (page, TRUE, builder);
  written = finish (builder);
  assert_members (written, members);

  again = am_sync_page_from_json (written, &more, &error);
  g_assert_no_error (error);
  g_assert_true (more);
  g_assert_cmpstr (again->cursor, ==, "v1.opaque.42");
  g_assert_true (am_property_equal (g_ptr_array_index (page->properties, 0), g_ptr_array_index (again->properties, 0)));
  g_assert_true (am_lock_equal (g_ptr_array_index (page->locks, 0), g_ptr_array_index (again->locks, 0)));
  g_assert_true (am_grant_equal (g_ptr_array_index (page->grants, 0), g_ptr_array_index (again->grants, 0)));
  g_assert_true (am_passcode_record_equal (g_ptr_array_index (page->passcodes, 0), g_ptr_array_index (again->passcodes, 0)));
  g_assert_true (am_lock_event_record_equal (g_ptr_array_index (page->events, 0), g_ptr_array_index (again->events, 0)));
  g_assert_true (am_unlock_equal (g_ptr_array_index (page->unlocks, 0), g_ptr_array_index (again->unlocks, 0)));
  g_assert_cmpuint (again->deleted->len, ==, 1);
  ref = g_ptr_array_index (again->deleted, 0);
  g_assert_cmpstr (ref->type, ==, "passcode");
  g_assert_cmpstr (ref->id, ==, "0b9d3c1e-7f44-4c2a-9d55-3e1f6a7b8c90");
}

/* One bad record spoils the page: it is applied whole or not at all. */
static void
test_sync_page_bad_record_refused (void)
{
  g_autoptr(AmSyncPage) page = full_page ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;
  g_autoptr(AmSyncPage) again = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *lock;

  am_sync_page_to_json (page, FALSE, builder);
  written = finish (builder);
  lock = json_array_get_object_element (json_object_get_array_member (written, "locks"), 0);
  json_object_set_string_member (lock, "digits", "ten");

  again = am_sync_page_from_json (written, NULL, &error);
  g_assert_null (again);
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "“digits”"));
}

static void
test_sync_page_lists_required (void)
{
  static const char * const lists[] = {
    "properties", "locks", "grants", "passcodes", "events", "unlocks", "deleted", NULL
  };

  for (guint i = 0; lists[i] != NULL; i++)
    {
      g_autoptr(AmSyncPage) page = full_page ();
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonObject) written = NULL;
      g_autoptr(AmSyncPage) again = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *quoted = g_strdup_printf ("“%s”", lists[i]);

      am_sync_page_to_json (page, FALSE, builder);
      written = finish (builder);
      json_object_set_int_member (written, lists[i], 1);
      again = am_sync_page_from_json (written, NULL, &error);
      g_assert_null (again);
      g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, quoted));

      g_clear_error (&error);
      json_object_remove_member (written, lists[i]);
      again = am_sync_page_from_json (written, NULL, &error);
      g_assert_null (again);
      g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_DATA);
    }
}

static void
test_lock_key_round_trip (void)
{
  static const char * const members[] = { "lock_id", "kv", "key", "previous", NULL };
  g_autoptr(AmCloudLockKey) key = g_new0 (AmCloudLockKey, 1);
  g_autoptr(AmCloudLockKey) again = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;
  g_autoptr(GError) error = NULL;

  key->lock_id = g_strdup ("3f2a7c1e-9b8d-4e6f-a1b2-c3d4e5f60718");
  key->kv = 2;
  for (guint i = 0; i < 32; i++)
    {
      key->key[i] = (guint8) (i * 37);  /* 0x00 included */
      key->previous_key[i] = (guint8) (255 - i);
    }
  key->previous_kv = 1;
  key->previous_valid_until = 1741600000;

  am_cloud_lock_key_to_json (key, builder);
  written = finish (builder);
  assert_members (written, members);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (written, "previous"), "valid_until"),
                   ==, "2025-03-10T09:46:40Z");

  again = am_cloud_lock_key_from_json (written, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->kv, ==, 2);
  g_assert_cmpmem (again->key, 32, key->key, 32);
  g_assert_cmpuint (again->previous_kv, ==, 1);
  g_assert_cmpmem (again->previous_key, 32, key->previous_key, 32);
  g_assert_cmpint (again->previous_valid_until, ==, 1741600000);
}

static void
test_lock_key_wrong_length_refused (void)
{
  const char *bad[] = {
    /* 31 bytes */
    "{\"lock_id\": \"3f2a7c1e-9b8d-4e6f-a1b2-c3d4e5f60718\", \"kv\": 1,"
    " \"key\": \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\", \"previous\": null}",
    /* not base64 */
    "{\"lock_id\": \"3f2a7c1e-9b8d-4e6f-a1b2-c3d4e5f60718\", \"kv\": 1,"
    " \"key\": \"not base64 at all, this is text!!!!!!!!!!!!\", \"previous\": null}",
    /* a previous key of the same version */
    "{\"lock_id\": \"3f2a7c1e-9b8d-4e6f-a1b2-c3d4e5f60718\", \"kv\": 1,"
    " \"key\": \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\", \"previous\":"
    " {\"kv\": 1, \"key\": \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\", \"valid_until\": \"2025-03-10T09:46:40Z\"}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) object = parse_object (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(AmCloudLockKey) key = am_cloud_lock_key_from_json (object, &error);

      g_assert_null (key);
      g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_DATA);
    }
}

static void
test_session_and_me (void)
{
  g_autoptr(JsonObject) with_token = parse_object (
    "{\"token\": \"t0k3n\", \"user\": {\"id\": \"5A0C5E1B-1111-4222-8333-944455566677\", \"name\": \"Ana Souza\","
    " \"email\": \"ana@example.com\"}, \"org\": {\"id\": \"6b1d6f2c-2222-4333-9444-a55566677788\", \"name\": \"Oak Property Group\"}}");
  g_autoptr(JsonObject) me_json = parse_object (
    "{\"user\": {\"id\": \"5a0c5e1b-1111-4222-8333-944455566677\", \"name\": \"Ana Souza\", \"email\": \"ana@example.com\"},"
    " \"org\": {\"id\": \"6b1d6f2c-2222-4333-9444-a55566677788\", \"name\": \"Oak Property Group\"},"
    " \"grants\": [{\"property_id\": \"7c2e7a3d-3333-4444-a555-b66677788899\", \"user_id\": \"5a0c5e1b-1111-4222-8333-944455566677\","
    " \"permissions\": [\"generate_codes\", \"ble_unlock\"]}]}");
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(AmCloudSession) no_token = NULL;
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(GError) error = NULL;

  session = am_cloud_session_from_json (with_token, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (session->token, ==, "t0k3n");
  g_assert_cmpstr (session->user->id, ==, "5a0c5e1b-1111-4222-8333-944455566677");
  g_assert_cmpstr (session->org->name, ==, "Oak Property Group");

  /* An accepted invitation has no token; a new session must have one. */
  json_object_remove_member (with_token, "token");
  no_token = am_cloud_session_from_json (with_token, FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (no_token->token);
  g_assert_null (am_cloud_session_from_json (with_token, TRUE, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_DATA);
  g_clear_error (&error);

  me = am_cloud_me_from_json (me_json, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (me->grants->len, ==, 1);
  g_assert_true (am_grant_has_permission (g_ptr_array_index (me->grants, 0), "ble_unlock"));
  g_assert_false (am_grant_has_permission (g_ptr_array_index (me->grants, 0), "revoke_codes"));
}

static void
test_error_body (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;
  g_autoptr(JsonObject) odd = parse_object ("{\"error\": \"nope\"}");
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;

  am_cloud_error_to_json ("cursor_gone", "Sync from scratch.", builder);
  written = finish (builder);
  g_assert_true (am_cloud_error_from_json (written, &code, &message));
  g_assert_cmpstr (code, ==, "cursor_gone");
  g_assert_cmpstr (message, ==, "Sync from scratch.");
  g_assert_false (am_cloud_error_from_json (odd, NULL, NULL));
}

static void
test_events_upload (void)
{
  static const char * const members[] = { "seq", "event", "at", "start_h", "p", "result", NULL };
  g_autoptr(AmProperty) property = am_test_property ("Maple Court", "12 Maple Ct", "Austin", "America/Chicago");
  g_autoptr(AmLock) lock = am_test_lock (property, "Front door", "101");
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  g_ptr_array_add (events, am_test_lock_event (lock, 1, "keypad_open", 1741601000));
  g_ptr_array_add (events, am_test_lock_event (lock, 2, "ble_unlock", 1741602000));
  am_lock_events_to_upload_json (events, builder);
  written = finish (builder);
  array = json_object_get_array_member (written, "events");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  assert_members (json_array_get_object_element (array, 0), members);

  again = am_lock_events_from_upload_json (written, am_lock_get_id (lock), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_true (am_lock_event_record_equal (g_ptr_array_index (events, i), g_ptr_array_index (again, i)));
}

static void
test_passcode_create_body (void)
{
  g_autoptr(AmProperty) property = am_test_property ("Maple Court", "12 Maple Ct", "Austin", "America/Chicago");
  g_autoptr(AmLock) lock = am_test_lock (property, "Front door", "101");
  g_autoptr(AmPasscodeRecord) record = am_test_passcode (lock, 483782, 3, 1741600000);
  g_autoptr(AmPasscodeRecord) again = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;
  g_autoptr(GError) error = NULL;

  am_passcode_record_to_create_json (record, builder);
  written = finish (builder);
  again = am_passcode_record_from_create_json (written, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (am_passcode_record_get_id (again), ==, am_passcode_record_get_id (record));
  g_assert_cmpuint (am_passcode_record_get_start_h (again), ==, 483782);
  g_assert_cmpuint (am_passcode_record_get_p (again), ==, 3);
  g_assert_cmpint (am_passcode_record_get_starts_at (again), ==, am_passcode_record_get_starts_at (record));
  g_assert_cmpint (am_passcode_record_get_created_at (again), ==, 1741600000);

  /* A kind that contradicts p is refused here already. */
  json_object_set_string_member (written, "kind", "one_time");
  g_clear_object (&again);
  again = am_passcode_record_from_create_json (written, &error);
  g_assert_null (again);
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_DATA);
}

/* json-glib reads a lone surrogate escape into bytes that are not UTF-8;
 * such text never reaches the cache or a label (found by fuzz-cloud-json). */
static void
test_text_not_utf8_refused (void)
{
  g_autoptr(JsonObject) property = parse_object (
    "{\"id\": \"7c2e7a3d-3333-4444-a555-b66677788899\", \"name\": \"Maple \\ud800 Court\","
    " \"address\": \"12 Maple Ct\", \"city\": \"Austin\", \"region\": \"TX\", \"postal_code\": \"78701\","
    " \"timezone\": \"America/Chicago\", \"updated_at\": \"2025-03-10T09:46:40Z\"}");
  g_autoptr(JsonObject) odd_error = parse_object (
    "{\"error\": {\"code\": \"forbidden\", \"message\": \"No \\udc00 way.\"}}");
  g_autoptr(AmProperty) refused = NULL;
  g_autoptr(GError) error = NULL;

  refused = am_property_from_json (property, &error);
  g_assert_null (refused);
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "“name”"));

  /* An error answer's words are only shown when they are text. */
  g_assert_false (am_cloud_error_from_json (odd_error, NULL, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cloud-json/sync-page/round-trip-of-every-kind", test_sync_page_round_trip);
  g_test_add_func ("/cloud-json/sync-page/one-bad-record-refuses-the-page", test_sync_page_bad_record_refused);
  g_test_add_func ("/cloud-json/sync-page/every-list-required", test_sync_page_lists_required);
  g_test_add_func ("/cloud-json/lock-key/binary-round-trip-with-previous", test_lock_key_round_trip);
  g_test_add_func ("/cloud-json/lock-key/not-32-bytes-refused", test_lock_key_wrong_length_refused);
  g_test_add_func ("/cloud-json/session/token-only-where-needed", test_session_and_me);
  g_test_add_func ("/cloud-json/error/body-both-ways", test_error_body);
  g_test_add_func ("/cloud-json/events/upload-without-lock-and-passcode", test_events_upload);
  g_test_add_func ("/cloud-json/passcode/create-body-both-ways", test_passcode_create_body);
  g_test_add_func ("/cloud-json/text/not-utf8-refused", test_text_not_utf8_refused);

  return g_test_run ();
}
