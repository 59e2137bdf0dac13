/* test-records.c: the cloud's records, their JSON and a passcode's status
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "am-cloud-json.h"
#include "am-error.h"
#include "am-records-private.h"

#define PROPERTY_SP_ID  "0b8e6a52-3f1d-4c2a-9e7b-5d4c3b2a1f09"
#define PROPERTY_IN_ID  "7d1f0c9a-2b3e-4a5d-8c6f-1e2d3c4b5a69"
#define LOCK_ID         "3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30"
#define USER_ID         "c4a1e2b3-5d6f-4a7b-8c9d-0e1f2a3b4c5d"
#define ADMIN_ID        "e9d8c7b6-a5f4-4e3d-9c2b-1a0f9e8d7c6b"
#define PASSCODE_ID     "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
#define UNLOCK_ID       "9f8e7d6c-5b4a-4f3e-8d2c-1b0a9f8e7d6c"

/* 2025-03-10T14:00:00Z */
#define T0 G_GINT64_CONSTANT (1741615200)

static const char property_json[] =
  "{\"id\": \"" PROPERTY_SP_ID "\","
  " \"name\": \"Residencial Jardim das Flores\","
  " \"address\": \"Rua Augusta, 1500\","
  " \"city\": \"São Paulo\","
  " \"region\": \"SP\","
  " \"postal_code\": \"01304-001\","
  " \"timezone\": \"America/Sao_Paulo\","
  " \"updated_at\": \"2025-03-10T15:00:00Z\","
  " \"photo_url\": \"https://example.com/a.jpg\"}";

/* Times with an offset and a fraction, as another server might write them. */
static const char property_kolkata_json[] =
  "{\"id\": \"" PROPERTY_IN_ID "\","
  " \"name\": \"Lotus Court\","
  " \"address\": \"14 MG Road\","
  " \"city\": \"Bengaluru\","
  " \"region\": \"Karnataka\","
  " \"postal_code\": \"560001\","
  " \"timezone\": \"Asia/Kolkata\","
  " \"updated_at\": \"2025-03-10T20:30:00.750+05:30\"}";

static const char lock_json[] =
  "{\"id\": \"" LOCK_ID "\","
  " \"property_id\": \"" PROPERTY_IN_ID "\","
  " \"name\": \"Main gate\","
  " \"unit\": \"Tower B – 4th floor\","
  " \"model\": \"AM-L1\","
  " \"digits\": 12,"
  " \"q_offset_s\": 1800,"
  " \"kv\": 3,"
  " \"mode\": \"tour\","
  " \"battery\": 87,"
  " \"battery_at\": \"2025-03-09T08:15:00Z\","
  " \"updated_at\": \"2025-03-10T15:00:00Z\"}";

static const char lock_nulls_json[] =
  "{\"id\": \"" LOCK_ID "\","
  " \"property_id\": \"" PROPERTY_SP_ID "\","
  " \"name\": \"Portão\","
  " \"unit\": null,"
  " \"model\": \"AM-L1\","
  " \"digits\": 10,"
  " \"q_offset_s\": 0,"
  " \"kv\": 255,"
  " \"mode\": null,"
  " \"battery\": null,"
  " \"battery_at\": null,"
  " \"updated_at\": \"2025-03-10T15:00:00Z\"}";

static const char grant_json[] =
  "{\"property_id\": \"" PROPERTY_SP_ID "\","
  " \"user_id\": \"" USER_ID "\","
  " \"permissions\": [\"generate_codes\", \"ble_unlock\", \"view_activity\", \"open_garage\"]}";

static const char passcode_json[] =
  "{\"id\": \"" PASSCODE_ID "\","
  " \"lock_id\": \"" LOCK_ID "\","
  " \"kind\": \"timed\","
  " \"kv\": 3,"
  " \"start_h\": 483782,"
  " \"p\": 2,"
  " \"digits\": 12,"
  " \"starts_at\": \"2025-03-10T14:00:00Z\","
  " \"ends_at\": \"2025-03-10T17:00:00Z\","
  " \"use_by\": \"2025-03-11T14:00:00Z\","
  " \"recipient\": {\"name\": \"João Silva\", \"contact\": \"+55 11 91234-5678\"},"
  " \"purpose\": \"vendor\","
  " \"note\": \"Pintura do portão — trazer escada\","
  " \"source\": \"manual\","
  " \"created_by\": {\"id\": \"" USER_ID "\", \"name\": \"Ana Souza\"},"
  " \"created_at\": \"2025-03-10T12:31:07Z\","
  " \"revoked_at\": \"2025-03-10T16:00:00Z\","
  " \"revoked_by\": {\"id\": \"" ADMIN_ID "\", \"name\": \"Priya Raman\"},"
  " \"first_used_at\": \"2025-03-10T14:20:00Z\","
  " \"last_used_at\": \"2025-03-10T15:05:00Z\","
  " \"use_count\": 2}";

static const char passcode_nulls_json[] =
  "{\"id\": \"" PASSCODE_ID "\","
  " \"lock_id\": \"" LOCK_ID "\","
  " \"kind\": \"one_time\","
  " \"kv\": 1,"
  " \"start_h\": 483782,"
  " \"p\": 902,"
  " \"digits\": 10,"
  " \"starts_at\": \"2025-03-10T14:00:00Z\","
  " \"ends_at\": \"2025-03-10T17:00:00Z\","
  " \"use_by\": \"2025-03-11T14:00:00Z\","
  " \"recipient\": null,"
  " \"purpose\": \"tour\","
  " \"note\": null,"
  " \"source\": \"tour\","
  " \"created_by\": {\"id\": \"" USER_ID "\", \"name\": \"Ana Souza\"},"
  " \"created_at\": \"2025-03-10T12:31:07Z\","
  " \"revoked_at\": null,"
  " \"revoked_by\": null,"
  " \"first_used_at\": null,"
  " \"last_used_at\": null,"
  " \"use_count\": 0}";

static const char event_open_json[] =
  "{\"lock_id\": \"" LOCK_ID "\","
  " \"seq\": 4294967295,"
  " \"event\": \"keypad_open\","
  " \"at\": \"2025-03-10T14:20:00Z\","
  " \"start_h\": 483782,"
  " \"p\": 2,"
  " \"result\": null,"
  " \"passcode_id\": \"" PASSCODE_ID "\"}";

static const char event_reject_json[] =
  "{\"lock_id\": \"" LOCK_ID "\","
  " \"seq\": 18,"
  " \"event\": \"keypad_reject\","
  " \"at\": \"2025-03-10T14:21:00Z\","
  " \"start_h\": 0,"
  " \"p\": 0,"
  " \"result\": \"no_match\","
  " \"passcode_id\": null}";

static const char unlock_json[] =
  "{\"id\": \"" UNLOCK_ID "\","
  " \"lock_id\": \"" LOCK_ID "\","
  " \"user\": {\"id\": \"" USER_ID "\", \"name\": \"Ana Souza\"},"
  " \"at\": \"2025-03-10T14:25:00Z\","
  " \"result\": \"jammed\"}";

static const char deleted_json[] =
  "{\"type\": \"grant\", \"id\": \"" PROPERTY_SP_ID "\"}";

static const char * const property_members[] = {
  "id", "name", "address", "city", "region", "postal_code", "timezone", "updated_at", NULL
};
static const char * const lock_members[] = {
  "id", "property_id", "name", "unit", "model", "digits", "q_offset_s", "kv", "mode",
  "battery", "battery_at", "updated_at", NULL
};
static const char * const grant_members[] = {
  "property_id", "user_id", "permissions", NULL
};
static const char * const passcode_members[] = {
  "id", "lock_id", "kind", "kv", "start_h", "p", "digits", "starts_at", "ends_at", "use_by",
  "recipient", "purpose", "note", "source", "created_by", "created_at", "revoked_at",
  "revoked_by", "first_used_at", "last_used_at", "use_count", NULL
};
static const char * const event_members[] = {
  "lock_id", "seq", "event", "at", "start_h", "p", "result", "passcode_id", NULL
};
static const char * const unlock_members[] = {
  "id", "lock_id", "user", "at", "result", NULL
};
static const char * const user_members[] = { "id", "name", NULL };
static const char * const recipient_members[] = { "name", "contact", NULL };
static const char * const deleted_members[] = { "type", "id", NULL };

typedef enum
{
  KIND_PROPERTY,
  KIND_LOCK,
  KIND_GRANT,
  KIND_PASSCODE,
  KIND_EVENT,
  KIND_UNLOCK,
  KIND_DELETED,
} RecordKind;

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_dup_object (node);
}

/* What a builder holds, through JSON text, as the peer would read it. */
static JsonObject *
finish (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);

  g_assert_nonnull (text);
  return parse_object (text);
}

/* The object has exactly the members named, no more. */
static void
assert_members (JsonObject         *object,
                const char * const *names)
{
  g_assert_cmpuint (json_object_get_size (object), ==, g_strv_length ((char **) names));
  for (guint i = 0; names[i] != NULL; i++)
    if (!json_object_has_member (object, names[i]))
      g_error ("member “%s” is missing", names[i]);
}

/* Parses @json as @kind, or fails with @error. */
static GObject *
from_json (RecordKind   kind,
           JsonObject  *object,
           GError     **error)
{
  switch (kind)
    {
    case KIND_PROPERTY:
      return (GObject *) am_property_from_json (object, error);
    case KIND_LOCK:
      return (GObject *) am_lock_from_json (object, error);
    case KIND_GRANT:
      return (GObject *) am_grant_from_json (object, error);
    case KIND_PASSCODE:
      return (GObject *) am_passcode_record_from_json (object, error);
    case KIND_EVENT:
      return (GObject *) am_lock_event_record_from_json (object, error);
    case KIND_UNLOCK:
      return (GObject *) am_unlock_from_json (object, error);
    case KIND_DELETED:
      {
        g_autofree char *type = NULL;
        g_autofree char *id = NULL;

        return am_deleted_from_json (object, &type, &id, error) ? g_object_new (G_TYPE_OBJECT, NULL) : NULL;
      }
    default:
      g_assert_not_reached ();
    }
}

static void
assert_refused (RecordKind   kind,
                JsonObject  *object,
                const char  *named)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) record = from_json (kind, object, &error);
  g_autofree char *quoted = g_strdup_printf ("“%s”", named);

  g_assert_null (record);
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  if (strstr (error->message, quoted) == NULL)
    g_error ("“%s” does not name %s", error->message, quoted);
  g_assert_true (g_str_has_prefix (error->message, "The cloud sent "));
  g_assert_true (g_str_has_suffix (error->message, "."));
}

static void
test_property_round_trip (void)
{
  g_autoptr(JsonObject) object = parse_object (property_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmProperty) property = am_property_from_json (object, &error);
  g_autoptr(AmProperty) again = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (am_property_get_id (property), ==, PROPERTY_SP_ID);
  g_assert_cmpstr (am_property_get_name (property), ==, "Residencial Jardim das Flores");
  g_assert_cmpstr (am_property_get_address (property), ==, "Rua Augusta, 1500");
  g_assert_cmpstr (am_property_get_city (property), ==, "São Paulo");
  g_assert_cmpstr (am_property_get_region (property), ==, "SP");
  g_assert_cmpstr (am_property_get_postal_code (property), ==, "01304-001");
  g_assert_cmpstr (am_property_get_timezone (property), ==, "America/Sao_Paulo");
  g_assert_cmpint (am_property_get_updated_at (property), ==, T0 + 3600);

  am_property_to_json (property, builder);
  written = finish (builder);
  assert_members (written, property_members);
  g_assert_cmpstr (json_object_get_string_member (written, "city"), ==, "São Paulo");
  g_assert_cmpstr (json_object_get_string_member (written, "updated_at"), ==, "2025-03-10T15:00:00Z");

  again = am_property_from_json (written, &error);
  g_assert_no_error (error);
  g_assert_true (am_property_equal (property, again));
}

static void
test_property_offset_written_in_utc (void)
{
  g_autoptr(JsonObject) object = parse_object (property_kolkata_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmProperty) property = am_property_from_json (object, &error);
  g_autoptr(AmProperty) again = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (am_property_get_timezone (property), ==, "Asia/Kolkata");
  /* 20:30:00.750 at +05:30 is 15:00:00.750 UTC; seconds are what is kept. */
  g_assert_cmpint (am_property_get_updated_at (property), ==, T0 + 3600);

  am_property_to_json (property, builder);
  written = finish (builder);
  g_assert_cmpstr (json_object_get_string_member (written, "updated_at"), ==, "2025-03-10T15:00:00Z");
  again = am_property_from_json (written, &error);
  g_assert_no_error (error);
  g_assert_true (am_property_equal (property, again));
}

static void
test_lock_round_trip (void)
{
  g_autoptr(JsonObject) object = parse_object (lock_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = am_lock_from_json (object, &error);
  g_autoptr(AmLock) again = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (am_lock_get_id (lock), ==, LOCK_ID);
  g_assert_cmpstr (am_lock_get_property_id (lock), ==, PROPERTY_IN_ID);
  g_assert_cmpstr (am_lock_get_name (lock), ==, "Main gate");
  g_assert_cmpstr (am_lock_get_unit (lock), ==, "Tower B – 4th floor");
  g_assert_cmpstr (am_lock_get_model (lock), ==, "AM-L1");
  g_assert_cmpuint (am_lock_get_digits (lock), ==, 12);
  g_assert_cmpuint (am_lock_get_q_offset_s (lock), ==, 1800);
  g_assert_cmpuint (am_lock_get_kv (lock), ==, 3);
  g_assert_cmpstr (am_lock_get_mode (lock), ==, AM_LOCK_MODE_TOUR);
  g_assert_cmpint (am_lock_get_battery (lock), ==, 87);
  g_assert_cmpint (am_lock_get_battery_at (lock), ==, T0 - 86400 - 5 * 3600 - 45 * 60);
  g_assert_cmpint (am_lock_get_updated_at (lock), ==, T0 + 3600);

  am_lock_to_json (lock, builder);
  written = finish (builder);
  assert_members (written, lock_members);
  g_assert_cmpint (json_object_get_int_member (written, "q_offset_s"), ==, 1800);
  g_assert_cmpstr (json_object_get_string_member (written, "battery_at"), ==, "2025-03-09T08:15:00Z");

  again = am_lock_from_json (written, &error);
  g_assert_no_error (error);
  g_assert_true (am_lock_equal (lock, again));
}

static void
test_lock_nulls_round_trip (void)
{
  g_autoptr(JsonObject) object = parse_object (lock_nulls_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = am_lock_from_json (object, &error);
  g_autoptr(AmLock) again = NULL;
  g_autoptr(AmLock) other = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;
  g_autoptr(JsonObject) full = parse_object (lock_json);

  g_assert_no_error (error);
  g_assert_null (am_lock_get_unit (lock));
  g_assert_null (am_lock_get_mode (lock));
  g_assert_cmpint (am_lock_get_battery (lock), ==, -1);
  g_assert_cmpint (am_lock_get_battery_at (lock), ==, 0);
  g_assert_cmpuint (am_lock_get_kv (lock), ==, 255);

  am_lock_to_json (lock, builder);
  written = finish (builder);
  assert_members (written, lock_members);
  g_assert_true (json_object_get_null_member (written, "unit"));
  g_assert_true (json_object_get_null_member (written, "mode"));
  g_assert_true (json_object_get_null_member (written, "battery"));
  g_assert_true (json_object_get_null_member (written, "battery_at"));

  again = am_lock_from_json (written, &error);
  g_assert_no_error (error);
  g_assert_true (am_lock_equal (lock, again));

  other = am_lock_from_json (full, &error);
  g_assert_no_error (error);
  g_assert_false (am_lock_equal (lock, other));
}

static void
test_grant_round_trip (void)
{
  g_autoptr(JsonObject) object = parse_object (grant_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmGrant) grant = am_grant_from_json (object, &error);
  g_autoptr(AmGrant) again = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;
  const char * const *permissions;

  g_assert_no_error (error);
  g_assert_cmpstr (am_grant_get_property_id (grant), ==, PROPERTY_SP_ID);
  g_assert_cmpstr (am_grant_get_user_id (grant), ==, USER_ID);
  permissions = am_grant_get_permissions (grant);
  g_assert_cmpuint (g_strv_length ((char **) permissions), ==, 4);
  g_assert_true (am_grant_has_permission (grant, AM_PERMISSION_GENERATE_CODES));
  g_assert_true (am_grant_has_permission (grant, AM_PERMISSION_BLE_UNLOCK));
  g_assert_true (am_grant_has_permission (grant, AM_PERMISSION_VIEW_ACTIVITY));
  g_assert_false (am_grant_has_permission (grant, AM_PERMISSION_REVOKE_CODES));
  g_assert_false (am_grant_has_permission (grant, AM_PERMISSION_RENAME_LOCKS));
  g_assert_false (am_grant_has_permission (grant, AM_PERMISSION_CHANGE_LOCK_MODE));
  g_assert_false (am_grant_has_permission (grant, AM_PERMISSION_VIEW_MASTER_CODE));
  /* A permission of a later version is kept, and grants nothing known. */
  g_assert_cmpstr (permissions[3], ==, "open_garage");

  am_grant_to_json (grant, builder);
  written = finish (builder);
  assert_members (written, grant_members);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (written, "permissions")), ==, 4);

  again = am_grant_from_json (written, &error);
  g_assert_no_error (error);
  g_assert_true (am_grant_equal (grant, again));
}

static void
test_grant_without_permissions (void)
{
  g_autoptr(JsonObject) object = parse_object ("{\"property_id\": \"" PROPERTY_SP_ID "\","
                                               " \"user_id\": \"" USER_ID "\", \"permissions\": []}");
  g_autoptr(GError) error = NULL;
  g_autoptr(AmGrant) grant = am_grant_from_json (object, &error);
  g_autoptr(AmGrant) empty = am_grant_new_empty ();

  g_assert_no_error (error);
  g_assert_nonnull (am_grant_get_permissions (grant));
  g_assert_null (am_grant_get_permissions (grant)[0]);
  g_assert_false (am_grant_has_permission (grant, AM_PERMISSION_GENERATE_CODES));
  g_assert_nonnull (am_grant_get_permissions (empty));
  g_assert_false (am_grant_has_permission (empty, AM_PERMISSION_GENERATE_CODES));
}

static void
test_passcode_round_trip (void)
{
  g_autoptr(JsonObject) object = parse_object (passcode_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmPasscodeRecord) record = am_passcode_record_from_json (object, &error);
  g_autoptr(AmPasscodeRecord) again = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (am_passcode_record_get_id (record), ==, PASSCODE_ID);
  g_assert_cmpstr (am_passcode_record_get_lock_id (record), ==, LOCK_ID);
  g_assert_cmpint (am_passcode_record_get_kind (record), ==, AM_PASSCODE_KIND_TIMED);
  g_assert_cmpuint (am_passcode_record_get_kv (record), ==, 3);
  g_assert_cmpuint (am_passcode_record_get_start_h (record), ==, 483782);
  g_assert_cmpuint (am_passcode_record_get_p (record), ==, 2);
  g_assert_cmpuint (am_passcode_record_get_digits (record), ==, 12);
  g_assert_cmpint (am_passcode_record_get_starts_at (record), ==, T0);
  g_assert_cmpint (am_passcode_record_get_ends_at (record), ==, T0 + 3 * 3600);
  g_assert_cmpint (am_passcode_record_get_use_by (record), ==, T0 + 86400);
  g_assert_cmpstr (am_passcode_record_get_recipient_name (record), ==, "João Silva");
  g_assert_cmpstr (am_passcode_record_get_recipient_contact (record), ==, "+55 11 91234-5678");
  g_assert_cmpstr (am_passcode_record_get_purpose (record), ==, "vendor");
  g_assert_cmpstr (am_passcode_record_get_note (record), ==, "Pintura do portão — trazer escada");
  g_assert_cmpstr (am_passcode_record_get_source (record), ==, AM_PASSCODE_SOURCE_MANUAL);
  g_assert_cmpstr (am_passcode_record_get_created_by_id (record), ==, USER_ID);
  g_assert_cmpstr (am_passcode_record_get_created_by_name (record), ==, "Ana Souza");
  g_assert_cmpint (am_passcode_record_get_created_at (record), ==, T0 - 5333);
  g_assert_cmpint (am_passcode_record_get_revoked_at (record), ==, T0 + 2 * 3600);
  g_assert_cmpstr (am_passcode_record_get_revoked_by_id (record), ==, ADMIN_ID);
  g_assert_cmpstr (am_passcode_record_get_revoked_by_name (record), ==, "Priya Raman");
  g_assert_cmpint (am_passcode_record_get_first_used_at (record), ==, T0 + 20 * 60);
  g_assert_cmpint (am_passcode_record_get_last_used_at (record), ==, T0 + 65 * 60);
  g_assert_cmpuint (am_passcode_record_get_use_count (record), ==, 2);

  am_passcode_record_to_json (record, builder);
  written = finish (builder);
  assert_members (written, passcode_members);
  assert_members (json_object_get_object_member (written, "recipient"), recipient_members);
  assert_members (json_object_get_object_member (written, "created_by"), user_members);
  assert_members (json_object_get_object_member (written, "revoked_by"), user_members);
  g_assert_cmpstr (json_object_get_string_member (written, "kind"), ==, "timed");
  g_assert_cmpstr (json_object_get_string_member (written, "use_by"), ==, "2025-03-11T14:00:00Z");

  again = am_passcode_record_from_json (written, &error);
  g_assert_no_error (error);
  g_assert_true (am_passcode_record_equal (record, again));
}

static void
test_passcode_nulls_round_trip (void)
{
  g_autoptr(JsonObject) object = parse_object (passcode_nulls_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmPasscodeRecord) record = am_passcode_record_from_json (object, &error);
  g_autoptr(AmPasscodeRecord) again = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (am_passcode_record_get_kind (record), ==, AM_PASSCODE_KIND_ONE_TIME);
  g_assert_cmpuint (am_passcode_record_get_p (record), ==, 902);
  g_assert_null (am_passcode_record_get_recipient_name (record));
  g_assert_null (am_passcode_record_get_recipient_contact (record));
  g_assert_null (am_passcode_record_get_note (record));
  g_assert_cmpstr (am_passcode_record_get_source (record), ==, AM_PASSCODE_SOURCE_TOUR);
  g_assert_cmpint (am_passcode_record_get_revoked_at (record), ==, 0);
  g_assert_null (am_passcode_record_get_revoked_by_id (record));
  g_assert_null (am_passcode_record_get_revoked_by_name (record));
  g_assert_cmpint (am_passcode_record_get_first_used_at (record), ==, 0);
  g_assert_cmpint (am_passcode_record_get_last_used_at (record), ==, 0);
  g_assert_cmpuint (am_passcode_record_get_use_count (record), ==, 0);

  am_passcode_record_to_json (record, builder);
  written = finish (builder);
  assert_members (written, passcode_members);
  g_assert_cmpstr (json_object_get_string_member (written, "kind"), ==, "one_time");
  g_assert_true (json_object_get_null_member (written, "recipient"));
  g_assert_true (json_object_get_null_member (written, "note"));
  g_assert_true (json_object_get_null_member (written, "revoked_at"));
  g_assert_true (json_object_get_null_member (written, "revoked_by"));
  g_assert_true (json_object_get_null_member (written, "first_used_at"));
  g_assert_true (json_object_get_null_member (written, "last_used_at"));

  again = am_passcode_record_from_json (written, &error);
  g_assert_no_error (error);
  g_assert_true (am_passcode_record_equal (record, again));
}

static void
test_lock_event_round_trip (void)
{
  const char *jsons[] = { event_open_json, event_reject_json };

  for (guint i = 0; i < G_N_ELEMENTS (jsons); i++)
    {
      g_autoptr(JsonObject) object = parse_object (jsons[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(AmLockEventRecord) event = am_lock_event_record_from_json (object, &error);
      g_autoptr(AmLockEventRecord) again = NULL;
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonObject) written = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (am_lock_event_record_get_lock_id (event), ==, LOCK_ID);
      if (i == 0)
        {
          g_assert_cmpuint (am_lock_event_record_get_seq (event), ==, G_MAXUINT32);
          g_assert_cmpstr (am_lock_event_record_get_event (event), ==, AM_LOCK_EVENT_NAME_KEYPAD_OPEN);
          g_assert_cmpint (am_lock_event_record_get_at (event), ==, T0 + 20 * 60);
          g_assert_cmpuint (am_lock_event_record_get_start_h (event), ==, 483782);
          g_assert_cmpuint (am_lock_event_record_get_p (event), ==, 2);
          g_assert_null (am_lock_event_record_get_result (event));
          g_assert_cmpstr (am_lock_event_record_get_passcode_id (event), ==, PASSCODE_ID);
        }
      else
        {
          g_assert_cmpuint (am_lock_event_record_get_seq (event), ==, 18);
          g_assert_cmpstr (am_lock_event_record_get_event (event), ==, AM_LOCK_EVENT_NAME_KEYPAD_REJECT);
          g_assert_cmpuint (am_lock_event_record_get_p (event), ==, 0);
          g_assert_cmpstr (am_lock_event_record_get_result (event), ==, "no_match");
          g_assert_null (am_lock_event_record_get_passcode_id (event));
        }

      am_lock_event_record_to_json (event, builder);
      written = finish (builder);
      assert_members (written, event_members);

      again = am_lock_event_record_from_json (written, &error);
      g_assert_no_error (error);
      g_assert_true (am_lock_event_record_equal (event, again));
    }
}

static void
test_unlock_round_trip (void)
{
  g_autoptr(JsonObject) object = parse_object (unlock_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmUnlock) unlock = am_unlock_from_json (object, &error);
  g_autoptr(AmUnlock) again = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (am_unlock_get_id (unlock), ==, UNLOCK_ID);
  g_assert_cmpstr (am_unlock_get_lock_id (unlock), ==, LOCK_ID);
  g_assert_cmpstr (am_unlock_get_user_id (unlock), ==, USER_ID);
  g_assert_cmpstr (am_unlock_get_user_name (unlock), ==, "Ana Souza");
  g_assert_cmpint (am_unlock_get_at (unlock), ==, T0 + 25 * 60);
  g_assert_cmpstr (am_unlock_get_result (unlock), ==, AM_UNLOCK_RESULT_JAMMED);

  am_unlock_to_json (unlock, builder);
  written = finish (builder);
  assert_members (written, unlock_members);
  assert_members (json_object_get_object_member (written, "user"), user_members);

  again = am_unlock_from_json (written, &error);
  g_assert_no_error (error);
  g_assert_true (am_unlock_equal (unlock, again));
}

static void
test_deleted_round_trip (void)
{
  g_autoptr(JsonObject) object = parse_object (deleted_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonObject) written = NULL;
  g_autofree char *type = NULL;
  g_autofree char *id = NULL;

  g_assert_true (am_deleted_from_json (object, &type, &id, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (type, ==, "grant");
  g_assert_cmpstr (id, ==, PROPERTY_SP_ID);

  am_deleted_to_json (type, id, builder);
  written = finish (builder);
  assert_members (written, deleted_members);
  g_assert_cmpstr (json_object_get_string_member (written, "type"), ==, "grant");
  g_assert_cmpstr (json_object_get_string_member (written, "id"), ==, PROPERTY_SP_ID);
}

static void
test_ids_kept_in_lower_case (void)
{
  g_autoptr(JsonObject) object = parse_object (unlock_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmUnlock) unlock = NULL;
  g_autoptr(AmUnlock) lower = NULL;
  g_autofree char *upper = g_ascii_strup (UNLOCK_ID, -1);

  json_object_set_string_member (object, "id", upper);
  unlock = am_unlock_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (am_unlock_get_id (unlock), ==, UNLOCK_ID);

  json_object_set_string_member (object, "id", UNLOCK_ID);
  lower = am_unlock_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_true (am_unlock_equal (unlock, lower));
}

static void
test_unknown_members_ignored (void)
{
  g_autoptr(JsonObject) object = parse_object (lock_json);
  g_autoptr(JsonObject) plain = parse_object (lock_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmLock) plain_lock = NULL;

  json_object_set_string_member (object, "firmware", "2.1.0");
  json_object_set_int_member (object, "rssi", -70);
  json_object_set_object_member (object, "gateway", json_object_new ());

  lock = am_lock_from_json (object, &error);
  g_assert_no_error (error);
  plain_lock = am_lock_from_json (plain, &error);
  g_assert_no_error (error);
  g_assert_true (am_lock_equal (lock, plain_lock));
}

static void
test_gobject_properties (void)
{
  g_autoptr(JsonObject) lock_object = parse_object (lock_json);
  g_autoptr(JsonObject) passcode_object = parse_object (passcode_json);
  g_autoptr(JsonObject) grant_object = parse_object (grant_json);
  g_autoptr(AmLock) lock = am_lock_from_json (lock_object, NULL);
  g_autoptr(AmPasscodeRecord) record = am_passcode_record_from_json (passcode_object, NULL);
  g_autoptr(AmGrant) grant = am_grant_from_json (grant_object, NULL);
  GType types[] = {
    AM_TYPE_PROPERTY, AM_TYPE_LOCK, AM_TYPE_GRANT, AM_TYPE_PASSCODE_RECORD,
    AM_TYPE_LOCK_EVENT_RECORD, AM_TYPE_UNLOCK,
  };
  g_autofree char *unit = NULL;
  g_autofree char *revoked_by_name = NULL;
  g_auto(GStrv) permissions = NULL;
  guint q_offset_s = 0;
  gint battery = 0;
  gint64 use_by = 0;
  AmPasscodeKind kind = AM_PASSCODE_KIND_RESERVED;

  /* Records never change once built: every property is read-only. */
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(GTypeClass) klass = g_type_class_ref (types[i]);
      guint n_pspecs;
      g_autofree GParamSpec **pspecs = g_object_class_list_properties (G_OBJECT_CLASS (klass), &n_pspecs);

      g_assert_cmpuint (n_pspecs, >, 0);
      for (guint j = 0; j < n_pspecs; j++)
        {
          g_assert_true (pspecs[j]->flags & G_PARAM_READABLE);
          g_assert_false (pspecs[j]->flags & G_PARAM_WRITABLE);
          g_assert_null (strchr (pspecs[j]->name, '_'));
        }
    }

  g_object_get (lock, "unit", &unit, "q-offset-s", &q_offset_s, "battery", &battery, NULL);
  g_assert_cmpstr (unit, ==, am_lock_get_unit (lock));
  g_assert_cmpuint (q_offset_s, ==, 1800);
  g_assert_cmpint (battery, ==, 87);

  g_object_get (record, "kind", &kind, "use-by", &use_by, "revoked-by-name", &revoked_by_name, NULL);
  g_assert_cmpint (kind, ==, AM_PASSCODE_KIND_TIMED);
  g_assert_cmpint (use_by, ==, T0 + 86400);
  g_assert_cmpstr (revoked_by_name, ==, "Priya Raman");
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property (G_OBJECT_GET_CLASS (record), "kind")) ==
                 AM_TYPE_PASSCODE_KIND);

  g_object_get (grant, "permissions", &permissions, NULL);
  g_assert_true (g_strv_equal ((const char * const *) permissions, am_grant_get_permissions (grant)));
}

/* A timed code of three hours from T0, its first-use deadline a day later. */
static AmPasscodeRecord *
timed_record (gint64 hours)
{
  AmPasscodeRecord *record = am_passcode_record_new_empty ();

  record->kind = AM_PASSCODE_KIND_TIMED;
  record->p = (guint) hours - 1;
  record->starts_at = T0;
  record->ends_at = T0 + hours * 3600;
  record->use_by = T0 + 86400;
  return record;
}

static AmPasscodeRecord *
one_time_record (void)
{
  AmPasscodeRecord *record = am_passcode_record_new_empty ();

  record->kind = AM_PASSCODE_KIND_ONE_TIME;
  record->p = 902;
  record->starts_at = T0;
  record->ends_at = T0 + 3 * 3600;
  record->use_by = T0 + 86400;
  return record;
}

#define assert_status(record, now, expected) \
  g_assert_cmpstr (am_passcode_status_to_string (am_passcode_record_get_status ((record), (now))), ==, (expected))

static void
test_status_timed_unused (void)
{
  g_autoptr(AmPasscodeRecord) record = timed_record (3);
  gint64 end = T0 + 3 * 3600;

  assert_status (record, T0 - 1, "scheduled");
  assert_status (record, T0, "unused");
  assert_status (record, end - 1, "unused");
  assert_status (record, end, "expired");
  assert_status (record, end + 86400 * 30, "expired");
}

static void
test_status_timed_used (void)
{
  g_autoptr(AmPasscodeRecord) record = timed_record (3);
  gint64 end = T0 + 3 * 3600;

  record->use_count = 1;
  record->first_used_at = record->last_used_at = T0 + 60;
  assert_status (record, T0 + 60, "active");
  assert_status (record, end - 1, "active");
  assert_status (record, end, "used");
  record->use_count = 7;
  assert_status (record, end - 1, "active");
  assert_status (record, end, "used");
}

static void
test_status_one_time (void)
{
  g_autoptr(AmPasscodeRecord) record = one_time_record ();

  assert_status (record, T0 - 1, "scheduled");
  assert_status (record, T0, "unused");
  assert_status (record, T0 + 3 * 3600, "expired");

  /* Once typed it is spent, though its window still runs. */
  record->use_count = 1;
  assert_status (record, T0, "used");
  assert_status (record, T0 + 3600, "used");
}

static void
test_status_revoked_wins (void)
{
  g_autoptr(AmPasscodeRecord) timed = timed_record (3);
  g_autoptr(AmPasscodeRecord) one_time = one_time_record ();
  gint64 times[] = { T0 - 3600, T0, T0 + 3600, T0 + 3 * 3600, T0 + 86400 * 2 };

  timed->revoked_at = T0 - 7200;
  one_time->revoked_at = T0 - 7200;
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    for (guint use_count = 0; use_count < 2; use_count++)
      {
        timed->use_count = one_time->use_count = use_count;
        assert_status (timed, times[i], "revoked");
        assert_status (one_time, times[i], "revoked");
      }
}

/* A window longer than a day: the first-use deadline comes first. */
static void
test_status_first_use_deadline (void)
{
  g_autoptr(AmPasscodeRecord) record = timed_record (72);
  gint64 use_by = T0 + 86400;
  gint64 end = T0 + 72 * 3600;

  g_assert_cmpint (record->use_by, <, record->ends_at);
  assert_status (record, use_by - 1, "unused");
  assert_status (record, use_by, "expired");
  assert_status (record, end - 1, "expired");

  record->use_count = 1;
  assert_status (record, use_by - 1, "active");
  assert_status (record, use_by, "active");
  assert_status (record, end - 1, "active");
  assert_status (record, end, "used");
}

#define assert_lock_status(record, now, confirmed, expected) \
  g_assert_cmpstr (am_passcode_status_to_string (am_passcode_record_get_lock_status ((record), (now), (confirmed))), ==, (expected))

/* Revoked in the cloud, the code still opens the lock until a Bluetooth
 * visit tells it, unless its window is over anyway. */
static void
test_status_revocation_pending (void)
{
  g_autoptr(AmPasscodeRecord) record = timed_record (3);
  gint64 end = T0 + 3 * 3600;

  record->revoked_at = T0 - 60;
  assert_lock_status (record, T0 - 3600, FALSE, "revocation-pending");
  assert_lock_status (record, T0 + 60, FALSE, "revocation-pending");
  assert_lock_status (record, end - 1, FALSE, "revocation-pending");
  /* The lock's clock may run slow: the skew it allows is waited for. */
  assert_lock_status (record, end + AM_PASSCODE_SKEW_S - 1, FALSE, "revocation-pending");
  assert_lock_status (record, end + AM_PASSCODE_SKEW_S, FALSE, "revoked");

  /* Confirmed by the lock's log: revoked for good. */
  assert_lock_status (record, T0 - 3600, TRUE, "revoked");
  assert_lock_status (record, T0 + 60, TRUE, "revoked");

  /* The same for a code that was used before it was revoked. */
  record->use_count = 2;
  assert_lock_status (record, T0 + 60, FALSE, "revocation-pending");
  assert_lock_status (record, T0 + 60, TRUE, "revoked");
}

/* A code that is not revoked keeps the cloud's status, whatever the log. */
static void
test_status_lock_status_follows_cloud (void)
{
  g_autoptr(AmPasscodeRecord) timed = timed_record (3);
  g_autoptr(AmPasscodeRecord) one_time = one_time_record ();
  gint64 times[] = { T0 - 3600, T0, T0 + 3600, T0 + 3 * 3600, T0 + 86400 * 2 };

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    for (guint use_count = 0; use_count < 2; use_count++)
      for (guint confirmed = 0; confirmed < 2; confirmed++)
        {
          timed->use_count = one_time->use_count = use_count;
          g_assert_cmpint (am_passcode_record_get_lock_status (timed, times[i], confirmed),
                           ==, am_passcode_record_get_status (timed, times[i]));
          g_assert_cmpint (am_passcode_record_get_lock_status (one_time, times[i], confirmed),
                           ==, am_passcode_record_get_status (one_time, times[i]));
          g_assert_cmpint (am_passcode_record_get_lock_status (timed, times[i], confirmed),
                           !=, AM_PASSCODE_STATUS_REVOCATION_PENDING);
        }
}

static void
test_status_names (void)
{
  static const char * const names[] = {
    [AM_PASSCODE_STATUS_SCHEDULED] = "scheduled",
    [AM_PASSCODE_STATUS_UNUSED] = "unused",
    [AM_PASSCODE_STATUS_ACTIVE] = "active",
    [AM_PASSCODE_STATUS_USED] = "used",
    [AM_PASSCODE_STATUS_EXPIRED] = "expired",
    [AM_PASSCODE_STATUS_REVOKED] = "revoked",
  };
  g_autoptr(GEnumClass) klass = g_type_class_ref (AM_TYPE_PASSCODE_STATUS);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_cmpstr (am_passcode_status_to_string ((AmPasscodeStatus) i), ==, names[i]);
      g_assert_cmpstr (g_enum_get_value (klass, (int) i)->value_nick, ==, names[i]);
    }
}

typedef struct
{
  RecordKind  kind;
  const char *base;
  const char *member;  /* the member to change */
  const char *value;   /* its new value as JSON */
  const char *named;   /* what the error must name */
} Broken;

static void
test_strict_every_member_required (void)
{
  struct { RecordKind kind; const char *json; } bases[] = {
    { KIND_PROPERTY, property_json },
    { KIND_LOCK, lock_json },
    { KIND_LOCK, lock_nulls_json },
    { KIND_GRANT, grant_json },
    { KIND_PASSCODE, passcode_json },
    { KIND_PASSCODE, passcode_nulls_json },
    { KIND_EVENT, event_open_json },
    { KIND_EVENT, event_reject_json },
    { KIND_UNLOCK, unlock_json },
    { KIND_DELETED, deleted_json },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      g_autoptr(JsonObject) reference = parse_object (bases[i].json);
      g_autoptr(GList) members = json_object_get_members (reference);

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autoptr(JsonObject) object = parse_object (bases[i].json);
          const char *member = l->data;

          if (g_str_equal (member, "photo_url"))
            continue;
          g_test_message ("%s without %s", bases[i].json, member);
          json_object_remove_member (object, member);
          assert_refused (bases[i].kind, object, member);
        }
    }
}

static void
test_strict_wrong_values (void)
{
  static const Broken broken[] = {
    /* Property */
    { KIND_PROPERTY, property_json, "id", "\"0b8e6a52-3f1d-4c2a-9e7b\"", "id" },
    { KIND_PROPERTY, property_json, "name", "null", "name" },
    { KIND_PROPERTY, property_json, "city", "[\"São Paulo\"]", "city" },
    { KIND_PROPERTY, property_json, "timezone", "\"\"", "timezone" },
    { KIND_PROPERTY, property_json, "updated_at", "1741618800", "updated_at" },

    /* Lock: types */
    { KIND_LOCK, lock_json, "id", "42", "id" },
    { KIND_LOCK, lock_json, "property_id", "\"not-a-uuid\"", "property_id" },
    { KIND_LOCK, lock_json, "property_id", "\"0b8e6a523f1d4c2a9e7b5d4c3b2a1f09\"", "property_id" },
    { KIND_LOCK, lock_json, "property_id", "\"{0b8e6a52-3f1d-4c2a-9e7b-5d4c3b2a1f09}\"", "property_id" },
    { KIND_LOCK, lock_json, "name", "7", "name" },
    { KIND_LOCK, lock_json, "name", "null", "name" },
    { KIND_LOCK, lock_json, "unit", "{\"floor\": 4}", "unit" },
    { KIND_LOCK, lock_json, "model", "true", "model" },
    { KIND_LOCK, lock_json, "digits", "\"12\"", "digits" },
    { KIND_LOCK, lock_json, "digits", "12.0", "digits" },
    { KIND_LOCK, lock_json, "digits", "null", "digits" },
    { KIND_LOCK, lock_json, "kv", "true", "kv" },
    { KIND_LOCK, lock_json, "mode", "3", "mode" },
    { KIND_LOCK, lock_json, "battery", "\"87\"", "battery" },
    { KIND_LOCK, lock_json, "battery", "87.5", "battery" },
    /* Lock: ranges */
    { KIND_LOCK, lock_json, "digits", "11", "digits" },
    { KIND_LOCK, lock_json, "digits", "0", "digits" },
    { KIND_LOCK, lock_json, "digits", "-10", "digits" },
    { KIND_LOCK, lock_json, "q_offset_s", "600", "q_offset_s" },
    { KIND_LOCK, lock_json, "q_offset_s", "-1800", "q_offset_s" },
    { KIND_LOCK, lock_json, "q_offset_s", "3600", "q_offset_s" },
    { KIND_LOCK, lock_json, "kv", "0", "kv" },
    { KIND_LOCK, lock_json, "kv", "256", "kv" },
    { KIND_LOCK, lock_json, "battery", "101", "battery" },
    { KIND_LOCK, lock_json, "battery", "-1", "battery" },
    { KIND_LOCK, lock_json, "mode", "\"party\"", "mode" },
    { KIND_LOCK, lock_json, "mode", "\"Tour\"", "mode" },
    /* Lock: times */
    { KIND_LOCK, lock_json, "updated_at", "\"2025-03-10T15:00:00\"", "updated_at" },
    { KIND_LOCK, lock_json, "updated_at", "\"2025-03-10 15:00:00Z\"", "updated_at" },
    { KIND_LOCK, lock_json, "updated_at", "\"2025-02-30T15:00:00Z\"", "updated_at" },
    { KIND_LOCK, lock_json, "updated_at", "\"2025-03-10T25:00:00Z\"", "updated_at" },
    { KIND_LOCK, lock_json, "updated_at", "\"2025-W11-1T15:00:00Z\"", "updated_at" },
    { KIND_LOCK, lock_json, "updated_at", "\"20250310T150000Z\"", "updated_at" },
    { KIND_LOCK, lock_json, "updated_at", "\"2025-03-10T15:00:00+0530\"", "updated_at" },
    { KIND_LOCK, lock_json, "updated_at", "\"1969-12-31T23:59:59Z\"", "updated_at" },
    { KIND_LOCK, lock_json, "updated_at", "\"yesterday\"", "updated_at" },
    { KIND_LOCK, lock_json, "battery_at", "1741508100", "battery_at" },

    /* Grant */
    { KIND_GRANT, grant_json, "user_id", "\"ana@example.com\"", "user_id" },
    { KIND_GRANT, grant_json, "permissions", "\"generate_codes\"", "permissions" },
    { KIND_GRANT, grant_json, "permissions", "null", "permissions" },
    { KIND_GRANT, grant_json, "permissions", "[\"generate_codes\", 7]", "permissions" },
    { KIND_GRANT, grant_json, "permissions", "[\"generate_codes\", null]", "permissions" },
    { KIND_GRANT, grant_json, "permissions", "[\"Generate codes\"]", "permissions" },
    { KIND_GRANT, grant_json, "permissions", "[\"generate_codes,view_master_code\"]", "permissions" },
    { KIND_GRANT, grant_json, "permissions", "[\"\"]", "permissions" },

    /* Passcode */
    { KIND_PASSCODE, passcode_json, "kind", "\"cancel_all\"", "kind" },
    { KIND_PASSCODE, passcode_json, "kind", "\"forever\"", "kind" },
    { KIND_PASSCODE, passcode_json, "kind", "0", "kind" },
    { KIND_PASSCODE, passcode_json, "kv", "0", "kv" },
    { KIND_PASSCODE, passcode_json, "start_h", "-1", "start_h" },
    { KIND_PASSCODE, passcode_json, "start_h", "4294967296", "start_h" },
    { KIND_PASSCODE, passcode_json, "start_h", "\"483782\"", "start_h" },
    { KIND_PASSCODE, passcode_json, "p", "924", "p" },
    { KIND_PASSCODE, passcode_json, "p", "999", "p" },
    { KIND_PASSCODE, passcode_json, "p", "905", "p" },  /* a one-time p on a timed code */
    { KIND_PASSCODE, passcode_nulls_json, "p", "2", "p" },  /* and the other way */
    { KIND_PASSCODE, passcode_json, "digits", "11", "digits" },
    { KIND_PASSCODE, passcode_json, "starts_at", "\"2025-03-10\"", "starts_at" },
    { KIND_PASSCODE, passcode_json, "recipient", "\"João Silva\"", "recipient" },
    { KIND_PASSCODE, passcode_json, "recipient", "{\"name\": \"João Silva\"}", "recipient.contact" },
    { KIND_PASSCODE, passcode_json, "recipient", "{\"name\": 5, \"contact\": null}", "recipient.name" },
    { KIND_PASSCODE, passcode_json, "purpose", "\"party\"", "purpose" },
    { KIND_PASSCODE, passcode_json, "purpose", "null", "purpose" },
    { KIND_PASSCODE, passcode_json, "note", "[]", "note" },
    { KIND_PASSCODE, passcode_json, "source", "\"api\"", "source" },
    { KIND_PASSCODE, passcode_json, "created_by", "null", "created_by" },
    { KIND_PASSCODE, passcode_json, "created_by", "\"" USER_ID "\"", "created_by" },
    { KIND_PASSCODE, passcode_json, "created_by", "{\"id\": \"ana\", \"name\": \"Ana\"}", "created_by.id" },
    { KIND_PASSCODE, passcode_json, "created_by", "{\"id\": \"" USER_ID "\"}", "created_by.name" },
    { KIND_PASSCODE, passcode_json, "revoked_by", "{\"id\": \"" ADMIN_ID "\", \"name\": null}", "revoked_by.name" },
    { KIND_PASSCODE, passcode_json, "revoked_at", "\"soon\"", "revoked_at" },
    { KIND_PASSCODE, passcode_json, "first_used_at", "0", "first_used_at" },
    { KIND_PASSCODE, passcode_json, "use_count", "-1", "use_count" },
    { KIND_PASSCODE, passcode_json, "use_count", "2.0", "use_count" },
    { KIND_PASSCODE, passcode_json, "use_count", "null", "use_count" },

    /* LockEvent */
    { KIND_EVENT, event_open_json, "lock_id", "null", "lock_id" },
    { KIND_EVENT, event_open_json, "seq", "-1", "seq" },
    { KIND_EVENT, event_open_json, "seq", "4294967296", "seq" },
    { KIND_EVENT, event_open_json, "event", "\"door_opened\"", "event" },
    { KIND_EVENT, event_open_json, "event", "\"KEYPAD_OPEN\"", "event" },
    { KIND_EVENT, event_open_json, "at", "\"2025-13-01T00:00:00Z\"", "at" },
    { KIND_EVENT, event_open_json, "start_h", "4294967296", "start_h" },
    { KIND_EVENT, event_open_json, "p", "1000", "p" },
    { KIND_EVENT, event_open_json, "result", "\"no_match\"", "result" },
    { KIND_EVENT, event_open_json, "passcode_id", "\"xyz\"", "passcode_id" },
    { KIND_EVENT, event_reject_json, "result", "\"jammed\"", "result" },
    { KIND_EVENT, event_reject_json, "result", "null", "result" },
    { KIND_EVENT, event_reject_json, "p", "2", "p" },

    /* Unlock */
    { KIND_UNLOCK, unlock_json, "result", "\"maybe\"", "result" },
    { KIND_UNLOCK, unlock_json, "result", "null", "result" },
    { KIND_UNLOCK, unlock_json, "user", "\"Ana Souza\"", "user" },
    { KIND_UNLOCK, unlock_json, "user", "{\"name\": \"Ana Souza\"}", "user.id" },
    { KIND_UNLOCK, unlock_json, "at", "\"2025-03-10T14:25:00-25:00\"", "at" },

    /* A sync page's "deleted" */
    { KIND_DELETED, deleted_json, "type", "\"user\"", "type" },
    { KIND_DELETED, deleted_json, "type", "\"grants\"", "type" },
    { KIND_DELETED, deleted_json, "id", "\"0b8e6a52\"", "id" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autoptr(JsonObject) object = parse_object (broken[i].base);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) value = json_from_string (broken[i].value, &error);

      g_assert_no_error (error);
      g_test_message ("“%s”: %s", broken[i].member, broken[i].value);
      json_object_set_member (object, broken[i].member, g_steal_pointer (&value));
      assert_refused (broken[i].kind, object, broken[i].named);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/records/property/json-round-trip", test_property_round_trip);
  g_test_add_func ("/records/property/offset-time-kept-as-utc", test_property_offset_written_in_utc);
  g_test_add_func ("/records/lock/json-round-trip", test_lock_round_trip);
  g_test_add_func ("/records/lock/nulls-round-trip", test_lock_nulls_round_trip);
  g_test_add_func ("/records/grant/json-round-trip", test_grant_round_trip);
  g_test_add_func ("/records/grant/no-permissions-is-empty-not-null", test_grant_without_permissions);
  g_test_add_func ("/records/passcode/json-round-trip", test_passcode_round_trip);
  g_test_add_func ("/records/passcode/nulls-round-trip", test_passcode_nulls_round_trip);
  g_test_add_func ("/records/lock-event/json-round-trip", test_lock_event_round_trip);
  g_test_add_func ("/records/unlock/json-round-trip", test_unlock_round_trip);
  g_test_add_func ("/records/deleted/json-round-trip", test_deleted_round_trip);
  g_test_add_func ("/records/ids/upper-case-kept-lower-case", test_ids_kept_in_lower_case);
  g_test_add_func ("/records/json/unknown-members-ignored", test_unknown_members_ignored);
  g_test_add_func ("/records/gobject/read-only-properties-match-getters", test_gobject_properties);
  g_test_add_func ("/records/status/timed-unused-boundaries", test_status_timed_unused);
  g_test_add_func ("/records/status/timed-used-active-until-end", test_status_timed_used);
  g_test_add_func ("/records/status/one-time-used-at-once", test_status_one_time);
  g_test_add_func ("/records/status/revoked-wins", test_status_revoked_wins);
  g_test_add_func ("/records/status/first-use-deadline-before-end", test_status_first_use_deadline);
  g_test_add_func ("/records/status/names-as-spec", test_status_names);
  g_test_add_func ("/records/status/revocation-pending-until-the-lock-confirms", test_status_revocation_pending);
  g_test_add_func ("/records/status/lock-status-follows-cloud-unless-revoked", test_status_lock_status_follows_cloud);
  g_test_add_func ("/records/strict/every-member-required", test_strict_every_member_required);
  g_test_add_func ("/records/strict/wrong-types-and-ranges", test_strict_wrong_values);

  return g_test_run ();
}
