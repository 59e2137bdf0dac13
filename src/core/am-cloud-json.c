/* am-cloud-json.c: the cloud's resources as JSON, both ways
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The resource objects of cloud-api.md, read into records and written back
 * out. Pure functions: no I/O, no clock.
 *
 * Reading is strict, because a server may lie or be broken: every member
 * the spec lists must be there (null only where the spec allows it), of
 * the right JSON type and in range, or the record is refused with an
 * error that names the member. Members the spec does not list are ignored:
 * a later version of the API may add them.
 *
 * Writing gives exactly the spec's members: times as RFC 3339 in UTC with
 * a `Z`, and null for a nullable member that is none.
 */
#define G_LOG_DOMAIN "am-cloud-json"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "am-cloud-json.h"
#include "am-error.h"
#include "am-records-private.h"
#include "am-time.h"

typedef struct
{
  JsonObject  *object;
  const char  *what;    /* the kind of record, translated: "a lock" */
  const char  *parent;  /* the member the object is nested in, or NULL */
  GError     **error;
} Reader;

static const char * const lock_modes[] = {
  AM_LOCK_MODE_TOUR, AM_LOCK_MODE_RESIDENT, NULL
};
static const char * const passcode_kinds[] = {
  [AM_PASSCODE_KIND_TIMED] = "timed",
  [AM_PASSCODE_KIND_ONE_TIME] = "one_time",
  NULL
};
static const char * const passcode_purposes[] = {
  "vendor", "maintenance", "prospect", "tour", "resident", "other", NULL
};
static const char * const passcode_sources[] = {
  AM_PASSCODE_SOURCE_MANUAL, AM_PASSCODE_SOURCE_TOUR, NULL
};
static const char * const lock_event_names[] = {
  AM_LOCK_EVENT_NAME_KEYPAD_OPEN,
  AM_LOCK_EVENT_NAME_KEYPAD_REJECT,
  AM_LOCK_EVENT_NAME_BLE_UNLOCK,
  AM_LOCK_EVENT_NAME_CANCEL_ALL,
  AM_LOCK_EVENT_NAME_LOCKOUT,
  AM_LOCK_EVENT_NAME_REVOKE,
  AM_LOCK_EVENT_NAME_TIME_SET,
  NULL
};
static const char * const reject_results[] = {
  "malformed", "no_match", "used", "revoked", "table_full", "locked_out", NULL
};
static const char * const unlock_results[] = {
  AM_UNLOCK_RESULT_OK, AM_UNLOCK_RESULT_JAMMED, AM_UNLOCK_RESULT_FAILED, NULL
};
static const char * const deleted_types[] = {
  "property", "lock", "grant", "passcode", NULL
};

/* Reading */

static void fail (Reader     *r,
                  const char *format,
                  ...) G_GNUC_PRINTF (2, 3);

static void
fail (Reader     *r,
      const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (r->error, g_error_new_valist (AM_ERROR, AM_ERROR_INVALID_DATA, format, args));
  va_end (args);
}

/* The member's name as the messages show it: "recipient.name" when nested. */
static char *
field_label (Reader     *r,
             const char *field)
{
  if (r->parent != NULL)
    return g_strconcat (r->parent, ".", field, NULL);
  return g_strdup (field);
}

/* The member's node; NULL for a null one where @nullable allows it. An
 * absent member is refused even when it may be null: the spec lists it. */
static gboolean
lookup (Reader      *r,
        const char  *field,
        gboolean     nullable,
        JsonNode   **out)
{
  JsonNode *node = json_object_get_member (r->object, field);

  if (node != NULL && JSON_NODE_HOLDS_NULL (node) && nullable)
    {
      *out = NULL;
      return TRUE;
    }
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_autofree char *label = field_label (r, field);

      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it. */
      fail (r, _("The cloud sent %s without “%s”."), r->what, label);
      return FALSE;
    }
  *out = node;
  return TRUE;
}

static gboolean
node_is (JsonNode *node,
         GType     value_type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == value_type;
}

static gboolean
read_string (Reader      *r,
             const char  *field,
             gboolean     nullable,
             char       **out)
{
  JsonNode *node;

  g_assert (*out == NULL);

  if (!lookup (r, field, nullable, &node))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!node_is (node, G_TYPE_STRING))
    {
      g_autofree char *label = field_label (r, field);

      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it. */
      fail (r, _("The cloud sent %s whose “%s” is not text."), r->what, label);
      return FALSE;
    }
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

/* A string that must not be empty. */
static gboolean
read_text (Reader      *r,
           const char  *field,
           char       **out)
{
  if (!read_string (r, field, FALSE, out))
    return FALSE;
  if (**out == '\0')
    {
      g_autofree char *label = field_label (r, field);

      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it. */
      fail (r, _("The cloud sent %s whose “%s” is empty."), r->what, label);
      return FALSE;
    }
  return TRUE;
}

/* The node's text, or NULL when it holds something else. */
static const char *
node_string (JsonNode *node)
{
  return node_is (node, G_TYPE_STRING) ? json_node_get_string (node) : NULL;
}

/* A UUID, kept in lower case whatever case it came in. */
static gboolean
read_uuid (Reader      *r,
           const char  *field,
           gboolean     nullable,
           char       **out)
{
  JsonNode *node;
  const char *text;

  g_assert (*out == NULL);

  if (!lookup (r, field, nullable, &node))
    return FALSE;
  if (node == NULL)
    return TRUE;
  text = node_string (node);
  if (text == NULL || !g_uuid_string_is_valid (text))
    {
      g_autofree char *label = field_label (r, field);

      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it. */
      fail (r, _("The cloud sent %s whose “%s” is not a UUID."), r->what, label);
      return FALSE;
    }
  *out = g_ascii_strdown (text, -1);
  return TRUE;
}

/* One of @choices, kept as a copy. */
static gboolean
read_choice (Reader             *r,
             const char         *field,
             gboolean            nullable,
             const char * const *choices,
             char              **out)
{
  g_autofree char *text = NULL;

  if (!read_string (r, field, nullable, &text))
    return FALSE;
  if (text != NULL && !g_strv_contains (choices, text))
    {
      g_autofree char *label = field_label (r, field);

      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it. */
      fail (r, _("The cloud sent %s whose “%s” has a value this version of Access Manager does not know."),
            r->what, label);
      return FALSE;
    }
  *out = g_steal_pointer (&text);
  return TRUE;
}

/* The node's integer in [0, G_MAXUINT32], or -1 when it holds anything else. */
static gint64
node_uint32 (JsonNode *node)
{
  gint64 value;

  if (!node_is (node, G_TYPE_INT64))
    return -1;
  value = json_node_get_int (node);
  return value >= 0 && value <= G_MAXUINT32 ? value : -1;
}

/* A JSON integer in [@min, @max]; -1 for null where @nullable allows it.
 * A number with a fraction or an exponent is refused, even 10.0. */
static gboolean
read_uint (Reader     *r,
           const char *field,
           gboolean    nullable,
           guint32     min,
           guint32     max,
           gint64     *out)
{
  JsonNode *node;
  gint64 value;

  if (!lookup (r, field, nullable, &node))
    return FALSE;
  if (node == NULL)
    {
      *out = -1;
      return TRUE;
    }
  value = node_uint32 (node);
  if (value < min || value > max)
    {
      g_autofree char *label = field_label (r, field);

      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it; the
       * numbers are the smallest and largest value it may have. */
      fail (r, _("The cloud sent %s whose “%s” is not a whole number from %u to %u."),
            r->what, label, min, max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
read_digits (Reader     *r,
             const char *field,
             guint      *out)
{
  JsonNode *node;
  gint64 value;

  if (!lookup (r, field, FALSE, &node))
    return FALSE;
  value = node_uint32 (node);
  if (value < 0 || !am_passcode_digits_valid ((guint) value))
    {
      g_autofree char *label = field_label (r, field);

      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it. */
      fail (r, _("The cloud sent %s whose “%s” is not 10 or 12."), r->what, label);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

static gboolean
read_q_offset (Reader     *r,
               const char *field,
               guint      *out)
{
  JsonNode *node;
  gint64 value;

  if (!lookup (r, field, FALSE, &node))
    return FALSE;
  value = node_uint32 (node);
  if (value < 0 || !am_passcode_q_offset_valid ((guint) value))
    {
      g_autofree char *label = field_label (r, field);

      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it. */
      fail (r, _("The cloud sent %s whose “%s” is not 0, 900, 1800 or 2700."), r->what, label);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

/* RFC 3339's date-time, which GLib's ISO 8601 reader takes along with
 * much else (week dates, no separators): 2025-03-10T15:00:00(.5)Z or
 * with an offset such as -05:00. */
static gboolean
is_rfc3339 (const char *text)
{
  static const char shape[] = "0000-00-00T00:00:00";
  const char *s = text;

  for (gsize i = 0; i < sizeof shape - 1; i++, s++)
    {
      gboolean ok;

      if (shape[i] == '0')
        ok = g_ascii_isdigit (*s);
      else if (shape[i] == 'T')
        ok = *s == 'T' || *s == 't';
      else
        ok = *s == shape[i];
      if (!ok)
        return FALSE;
    }

  if (*s == '.')
    {
      s++;
      if (!g_ascii_isdigit (*s))
        return FALSE;
      while (g_ascii_isdigit (*s))
        s++;
    }

  if (*s == 'Z' || *s == 'z')
    return s[1] == '\0';
  if (*s != '+' && *s != '-')
    return FALSE;
  s++;
  return g_ascii_isdigit (s[0]) && g_ascii_isdigit (s[1]) && s[2] == ':' &&
         g_ascii_isdigit (s[3]) && g_ascii_isdigit (s[4]) && s[5] == '\0';
}

/* A time, as Unix seconds after 1970; 0 for null where @nullable allows it. */
static gboolean
read_time (Reader     *r,
           const char *field,
           gboolean    nullable,
           gint64     *out)
{
  g_autoptr(GDateTime) dt = NULL;
  JsonNode *node;
  const char *text;

  if (!lookup (r, field, nullable, &node))
    return FALSE;
  if (node == NULL)
    {
      *out = 0;
      return TRUE;
    }
  text = node_string (node);
  if (text != NULL && is_rfc3339 (text))
    dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL || g_date_time_to_unix (dt) <= 0)
    {
      g_autofree char *label = field_label (r, field);

      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it. */
      fail (r, _("The cloud sent %s whose “%s” is not a date and time."), r->what, label);
      return FALSE;
    }
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

/* A nested object, read with @sub; NULL for null where @nullable allows it. */
static gboolean
read_object (Reader     *r,
             const char *field,
             gboolean    nullable,
             Reader     *sub)
{
  JsonNode *node;

  *sub = (Reader) { NULL, r->what, field, r->error };
  if (!lookup (r, field, nullable, &node))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *label = field_label (r, field);

      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it. */
      fail (r, _("The cloud sent %s whose “%s” is not an object."), r->what, label);
      return FALSE;
    }
  sub->object = json_node_get_object (node);
  return TRUE;
}

/* snake_case, as every permission of the spec is written: a name this
 * version does not know is kept, but it cannot be any text at all. */
static gboolean
is_permission_name (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *s = text; *s != '\0'; s++)
    if (!g_ascii_islower (*s) && !g_ascii_isdigit (*s) && *s != '_')
      return FALSE;
  return TRUE;
}

static gboolean
read_permissions (Reader      *r,
                  const char  *field,
                  GStrv       *out)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node;
  JsonArray *array;

  if (!lookup (r, field, FALSE, &node))
    return FALSE;

  array = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!node_is (element, G_TYPE_STRING) || !is_permission_name (json_node_get_string (element)))
        array = NULL;
      else
        g_strv_builder_add (builder, json_node_get_string (element));
    }
  if (array == NULL)
    {
      g_autofree char *label = field_label (r, field);

      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it. */
      fail (r, _("The cloud sent %s whose “%s” is not a list of permission names."), r->what, label);
      return FALSE;
    }
  *out = g_strv_builder_end (builder);
  return TRUE;
}

/* Two fields that contradict each other. */
static void
fail_mismatch (Reader     *r,
               const char *field,
               const char *other_field)
{
  /* Translators: the first %s is a kind of record, such as “a lock”; the
   * second and third are names of fields as the cloud sends them. */
  fail (r, _("The cloud sent %s whose “%s” does not match its “%s”."), r->what, field, other_field);
}

/* Writing */

static void
add_string (JsonBuilder *builder,
            const char  *field,
            const char  *value)
{
  json_builder_set_member_name (builder, field);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_uint (JsonBuilder *builder,
          const char  *field,
          guint        value)
{
  json_builder_set_member_name (builder, field);
  json_builder_add_int_value (builder, value);
}

/* A time; 0 is none and written as null. */
static void
add_time (JsonBuilder *builder,
          const char  *field,
          gint64       utc)
{
  g_autofree char *text = utc != 0 ? am_time_format_utc (utc) : NULL;

  add_string (builder, field, text);
}

/* {"id", "name"} for a user; null when both are none. */
static void
add_user (JsonBuilder *builder,
          const char  *field,
          const char  *id,
          const char  *name)
{
  json_builder_set_member_name (builder, field);
  if (id == NULL && name == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  add_string (builder, "id", id);
  add_string (builder, "name", name);
  json_builder_end_object (builder);
}

static void
add_recipient (JsonBuilder      *builder,
               AmPasscodeRecord *self)
{
  json_builder_set_member_name (builder, "recipient");
  if (self->recipient_name == NULL && self->recipient_contact == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  add_string (builder, "name", self->recipient_name);
  add_string (builder, "contact", self->recipient_contact);
  json_builder_end_object (builder);
}

/* Property */

/**
 * am_property_from_json:
 * @object: a Property object of the cloud API
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the property, or %NULL when @object
 *   is not a valid Property
 */
AmProperty *
am_property_from_json (JsonObject  *object,
                       GError     **error)
{
  g_autoptr(AmProperty) self = am_property_new_empty ();
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "a property"), NULL, error };

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_uuid (&r, "id", FALSE, &self->id) ||
      !read_string (&r, "name", FALSE, &self->name) ||
      !read_string (&r, "address", FALSE, &self->address) ||
      !read_string (&r, "city", FALSE, &self->city) ||
      !read_string (&r, "region", FALSE, &self->region) ||
      !read_string (&r, "postal_code", FALSE, &self->postal_code) ||
      !read_text (&r, "timezone", &self->timezone) ||
      !read_time (&r, "updated_at", FALSE, &self->updated_at))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * am_property_to_json:
 * @self: a property
 * @builder: a builder, where a value may go
 *
 * Writes @self as one Property object.
 */
void
am_property_to_json (AmProperty  *self,
                     JsonBuilder *builder)
{
  g_return_if_fail (AM_IS_PROPERTY (self));
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "id", self->id);
  add_string (builder, "name", self->name);
  add_string (builder, "address", self->address);
  add_string (builder, "city", self->city);
  add_string (builder, "region", self->region);
  add_string (builder, "postal_code", self->postal_code);
  add_string (builder, "timezone", self->timezone);
  add_time (builder, "updated_at", self->updated_at);
  json_builder_end_object (builder);
}

/* Lock */

/**
 * am_lock_from_json:
 * @object: a Lock object of the cloud API
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the lock, or %NULL when @object is
 *   not a valid Lock
 */
AmLock *
am_lock_from_json (JsonObject  *object,
                   GError     **error)
{
  g_autoptr(AmLock) self = am_lock_new_empty ();
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "a lock"), NULL, error };
  gint64 kv, battery;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_uuid (&r, "id", FALSE, &self->id) ||
      !read_uuid (&r, "property_id", FALSE, &self->property_id) ||
      !read_string (&r, "name", FALSE, &self->name) ||
      !read_string (&r, "unit", TRUE, &self->unit) ||
      !read_string (&r, "model", FALSE, &self->model) ||
      !read_digits (&r, "digits", &self->digits) ||
      !read_q_offset (&r, "q_offset_s", &self->q_offset_s) ||
      !read_uint (&r, "kv", FALSE, 1, 255, &kv) ||
      !read_choice (&r, "mode", TRUE, lock_modes, &self->mode) ||
      !read_uint (&r, "battery", TRUE, 0, 100, &battery) ||
      !read_time (&r, "battery_at", TRUE, &self->battery_at) ||
      !read_time (&r, "updated_at", FALSE, &self->updated_at))
    return NULL;
  self->kv = (guint) kv;
  self->battery = (gint) battery;

  return g_steal_pointer (&self);
}

/**
 * am_lock_to_json:
 * @self: a lock
 * @builder: a builder, where a value may go
 *
 * Writes @self as one Lock object.
 */
void
am_lock_to_json (AmLock      *self,
                 JsonBuilder *builder)
{
  g_return_if_fail (AM_IS_LOCK (self));
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "id", self->id);
  add_string (builder, "property_id", self->property_id);
  add_string (builder, "name", self->name);
  add_string (builder, "unit", self->unit);
  add_string (builder, "model", self->model);
  add_uint (builder, "digits", self->digits);
  add_uint (builder, "q_offset_s", self->q_offset_s);
  add_uint (builder, "kv", self->kv);
  add_string (builder, "mode", self->mode);
  json_builder_set_member_name (builder, "battery");
  if (self->battery >= 0)
    json_builder_add_int_value (builder, self->battery);
  else
    json_builder_add_null_value (builder);
  add_time (builder, "battery_at", self->battery_at);
  add_time (builder, "updated_at", self->updated_at);
  json_builder_end_object (builder);
}

/* Grant */

/**
 * am_grant_from_json:
 * @object: a Grant object of the cloud API
 * @error: a location for a #GError
 *
 * Permission names this version does not know are kept: they grant
 * nothing it checks, and a later server may well send some.
 *
 * Returns: (transfer full) (nullable): the grant, or %NULL when @object is
 *   not a valid Grant
 */
AmGrant *
am_grant_from_json (JsonObject  *object,
                    GError     **error)
{
  g_autoptr(AmGrant) self = am_grant_new_empty ();
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "a grant"), NULL, error };

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_uuid (&r, "property_id", FALSE, &self->property_id) ||
      !read_uuid (&r, "user_id", FALSE, &self->user_id) ||
      !read_permissions (&r, "permissions", &self->permissions))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * am_grant_to_json:
 * @self: a grant
 * @builder: a builder, where a value may go
 *
 * Writes @self as one Grant object.
 */
void
am_grant_to_json (AmGrant     *self,
                  JsonBuilder *builder)
{
  const char * const *permissions;

  g_return_if_fail (AM_IS_GRANT (self));
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "property_id", self->property_id);
  add_string (builder, "user_id", self->user_id);
  json_builder_set_member_name (builder, "permissions");
  json_builder_begin_array (builder);
  permissions = am_grant_get_permissions (self);
  for (guint i = 0; permissions[i] != NULL; i++)
    json_builder_add_string_value (builder, permissions[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* Passcode */

/**
 * am_passcode_record_from_json:
 * @object: a Passcode object of the cloud API
 * @error: a location for a #GError
 *
 * "revoked_by" is read in the shape of "created_by", {"id", "name"}, or
 * null: the spec gives only "(or null)". Within "recipient" either member
 * may be null; a null "recipient" is a passcode for no one in particular.
 *
 * Returns: (transfer full) (nullable): the passcode, or %NULL when @object
 *   is not a valid Passcode
 */
AmPasscodeRecord *
am_passcode_record_from_json (JsonObject  *object,
                              GError     **error)
{
  g_autoptr(AmPasscodeRecord) self = am_passcode_record_new_empty ();
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "a passcode"), NULL, error };
  Reader recipient, created_by, revoked_by;
  g_autofree char *kind = NULL;
  gint64 kv, start_h, p, use_count;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_uuid (&r, "id", FALSE, &self->id) ||
      !read_uuid (&r, "lock_id", FALSE, &self->lock_id) ||
      !read_choice (&r, "kind", FALSE, passcode_kinds, &kind) ||
      !read_uint (&r, "kv", FALSE, 1, 255, &kv) ||
      !read_uint (&r, "start_h", FALSE, 0, G_MAXUINT32, &start_h) ||
      !read_uint (&r, "p", FALSE, 0, AM_PASSCODE_P_CANCEL_ALL - 1, &p) ||
      !read_digits (&r, "digits", &self->digits) ||
      !read_time (&r, "starts_at", FALSE, &self->starts_at) ||
      !read_time (&r, "ends_at", FALSE, &self->ends_at) ||
      !read_time (&r, "use_by", FALSE, &self->use_by) ||
      !read_object (&r, "recipient", TRUE, &recipient) ||
      (recipient.object != NULL &&
       (!read_string (&recipient, "name", TRUE, &self->recipient_name) ||
        !read_string (&recipient, "contact", TRUE, &self->recipient_contact))) ||
      !read_choice (&r, "purpose", FALSE, passcode_purposes, &self->purpose) ||
      !read_string (&r, "note", TRUE, &self->note) ||
      !read_choice (&r, "source", FALSE, passcode_sources, &self->source) ||
      !read_object (&r, "created_by", FALSE, &created_by) ||
      !read_uuid (&created_by, "id", FALSE, &self->created_by_id) ||
      !read_string (&created_by, "name", FALSE, &self->created_by_name) ||
      !read_time (&r, "created_at", FALSE, &self->created_at) ||
      !read_time (&r, "revoked_at", TRUE, &self->revoked_at) ||
      !read_object (&r, "revoked_by", TRUE, &revoked_by) ||
      (revoked_by.object != NULL &&
       (!read_uuid (&revoked_by, "id", FALSE, &self->revoked_by_id) ||
        !read_string (&revoked_by, "name", FALSE, &self->revoked_by_name))) ||
      !read_time (&r, "first_used_at", TRUE, &self->first_used_at) ||
      !read_time (&r, "last_used_at", TRUE, &self->last_used_at) ||
      !read_uint (&r, "use_count", FALSE, 0, G_MAXUINT32, &use_count))
    return NULL;

  self->kind = g_str_equal (kind, "one_time") ? AM_PASSCODE_KIND_ONE_TIME : AM_PASSCODE_KIND_TIMED;
  self->kv = (guint) kv;
  self->start_h = (guint32) start_h;
  self->p = (guint) p;
  self->use_count = (guint) use_count;

  if (am_passcode_kind_for_p (self->p) != self->kind)
    {
      fail_mismatch (&r, "p", "kind");
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * am_passcode_record_to_json:
 * @self: a passcode record
 * @builder: a builder, where a value may go
 *
 * Writes @self as one Passcode object; "revoked_by" as {"id", "name"}, the
 * shape of "created_by", or null.
 */
void
am_passcode_record_to_json (AmPasscodeRecord *self,
                            JsonBuilder      *builder)
{
  g_return_if_fail (AM_IS_PASSCODE_RECORD (self));
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "id", self->id);
  add_string (builder, "lock_id", self->lock_id);
  add_string (builder, "kind", am_passcode_kind_to_string (self->kind));
  add_uint (builder, "kv", self->kv);
  add_uint (builder, "start_h", self->start_h);
  add_uint (builder, "p", self->p);
  add_uint (builder, "digits", self->digits);
  add_time (builder, "starts_at", self->starts_at);
  add_time (builder, "ends_at", self->ends_at);
  add_time (builder, "use_by", self->use_by);
  add_recipient (builder, self);
  add_string (builder, "purpose", self->purpose);
  add_string (builder, "note", self->note);
  add_string (builder, "source", self->source);
  json_builder_set_member_name (builder, "created_by");
  json_builder_begin_object (builder);
  add_string (builder, "id", self->created_by_id);
  add_string (builder, "name", self->created_by_name);
  json_builder_end_object (builder);
  add_time (builder, "created_at", self->created_at);
  add_time (builder, "revoked_at", self->revoked_at);
  add_user (builder, "revoked_by", self->revoked_by_id, self->revoked_by_name);
  add_time (builder, "first_used_at", self->first_used_at);
  add_time (builder, "last_used_at", self->last_used_at);
  add_uint (builder, "use_count", self->use_count);
  json_builder_end_object (builder);
}

/**
 * am_passcode_record_to_create_json:
 * @self: a passcode just issued
 * @builder: a builder
 *
 * Writes the body of `POST /v1/passcodes`: what the issuer decided, without
 * what only the cloud knows (who issued it, its use, its revocation). It
 * holds no digits.
 */
void
am_passcode_record_to_create_json (AmPasscodeRecord *self,
                                   JsonBuilder      *builder)
{
  g_return_if_fail (AM_IS_PASSCODE_RECORD (self));
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "id", self->id);
  add_string (builder, "lock_id", self->lock_id);
  add_string (builder, "kind", am_passcode_kind_to_string (self->kind));
  add_uint (builder, "kv", self->kv);
  add_uint (builder, "start_h", self->start_h);
  add_uint (builder, "p", self->p);
  add_uint (builder, "digits", self->digits);
  add_time (builder, "starts_at", self->starts_at);
  add_time (builder, "ends_at", self->ends_at);
  add_recipient (builder, self);
  add_string (builder, "purpose", self->purpose);
  add_string (builder, "note", self->note);
  add_time (builder, "created_at", self->created_at);
  json_builder_end_object (builder);
}

/* LockEvent */

/**
 * am_lock_event_record_from_json:
 * @object: a LockEvent object of the cloud API, with its "lock_id" and
 *   "passcode_id"
 * @error: a location for a #GError
 *
 * A "keypad_reject" must carry a "result" and a "p" of 0; any other event
 * must carry a null "result".
 *
 * Returns: (transfer full) (nullable): the event, or %NULL when @object is
 *   not a valid LockEvent
 */
AmLockEventRecord *
am_lock_event_record_from_json (JsonObject  *object,
                                GError     **error)
{
  g_autoptr(AmLockEventRecord) self = am_lock_event_record_new_empty ();
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "a lock event"), NULL, error };
  gint64 seq, start_h, p;
  gboolean is_reject;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_uuid (&r, "lock_id", FALSE, &self->lock_id) ||
      !read_uint (&r, "seq", FALSE, 0, G_MAXUINT32, &seq) ||
      !read_choice (&r, "event", FALSE, lock_event_names, &self->event) ||
      !read_time (&r, "at", FALSE, &self->at) ||
      !read_uint (&r, "start_h", FALSE, 0, G_MAXUINT32, &start_h) ||
      !read_uint (&r, "p", FALSE, 0, AM_PASSCODE_P_MAX, &p) ||
      !read_choice (&r, "result", TRUE, reject_results, &self->result) ||
      !read_uuid (&r, "passcode_id", TRUE, &self->passcode_id))
    return NULL;

  self->seq = (guint32) seq;
  self->start_h = (guint32) start_h;
  self->p = (guint) p;

  is_reject = g_str_equal (self->event, AM_LOCK_EVENT_NAME_KEYPAD_REJECT);
  if (is_reject != (self->result != NULL))
    {
      fail_mismatch (&r, "result", "event");
      return NULL;
    }
  if (is_reject && self->p != 0)
    {
      fail_mismatch (&r, "p", "event");
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * am_lock_event_record_to_json:
 * @self: a lock event
 * @builder: a builder, where a value may go
 *
 * Writes @self as one LockEvent object, with its "lock_id" and
 * "passcode_id" (an upload to the cloud leaves both out).
 */
void
am_lock_event_record_to_json (AmLockEventRecord *self,
                              JsonBuilder       *builder)
{
  g_return_if_fail (AM_IS_LOCK_EVENT_RECORD (self));
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "lock_id", self->lock_id);
  add_uint (builder, "seq", self->seq);
  add_string (builder, "event", self->event);
  add_time (builder, "at", self->at);
  add_uint (builder, "start_h", self->start_h);
  add_uint (builder, "p", self->p);
  add_string (builder, "result", self->result);
  add_string (builder, "passcode_id", self->passcode_id);
  json_builder_end_object (builder);
}

/* Unlock */

/**
 * am_unlock_from_json:
 * @object: an Unlock object of the cloud API
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the unlock, or %NULL when @object is
 *   not a valid Unlock
 */
AmUnlock *
am_unlock_from_json (JsonObject  *object,
                     GError     **error)
{
  g_autoptr(AmUnlock) self = am_unlock_new_empty ();
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "an unlock"), NULL, error };
  Reader user;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_uuid (&r, "id", FALSE, &self->id) ||
      !read_uuid (&r, "lock_id", FALSE, &self->lock_id) ||
      !read_object (&r, "user", FALSE, &user) ||
      !read_uuid (&user, "id", FALSE, &self->user_id) ||
      !read_string (&user, "name", FALSE, &self->user_name) ||
      !read_time (&r, "at", FALSE, &self->at) ||
      !read_choice (&r, "result", FALSE, unlock_results, &self->result))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * am_unlock_to_json:
 * @self: an unlock
 * @builder: a builder, where a value may go
 *
 * Writes @self as one Unlock object.
 */
void
am_unlock_to_json (AmUnlock    *self,
                   JsonBuilder *builder)
{
  g_return_if_fail (AM_IS_UNLOCK (self));
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "id", self->id);
  add_string (builder, "lock_id", self->lock_id);
  json_builder_set_member_name (builder, "user");
  json_builder_begin_object (builder);
  add_string (builder, "id", self->user_id);
  add_string (builder, "name", self->user_name);
  json_builder_end_object (builder);
  add_time (builder, "at", self->at);
  add_string (builder, "result", self->result);
  json_builder_end_object (builder);
}

/* Deleted */

/**
 * am_deleted_from_json:
 * @object: an entry of a sync page's "deleted" list
 * @type: (out) (transfer full) (optional): "property", "lock", "grant" or
 *   "passcode"
 * @id: (out) (transfer full) (optional): the id, lower case; for a grant
 *   the property's id
 * @error: a location for a #GError
 *
 * Returns: whether @object is a valid entry; @type and @id are set only then
 */
gboolean
am_deleted_from_json (JsonObject  *object,
                      char       **type,
                      char       **id,
                      GError     **error)
{
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "a deletion"), NULL, error };
  g_autofree char *the_type = NULL;
  g_autofree char *the_id = NULL;

  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!read_choice (&r, "type", FALSE, deleted_types, &the_type) ||
      !read_uuid (&r, "id", FALSE, &the_id))
    return FALSE;

  if (type != NULL)
    *type = g_steal_pointer (&the_type);
  if (id != NULL)
    *id = g_steal_pointer (&the_id);
  return TRUE;
}

/**
 * am_deleted_to_json:
 * @type: "property", "lock", "grant" or "passcode"
 * @id: the id of what is gone; for a grant the property's id
 * @builder: a builder, where a value may go
 *
 * Writes one entry of a sync page's "deleted" list.
 */
void
am_deleted_to_json (const char  *type,
                    const char  *id,
                    JsonBuilder *builder)
{
  g_return_if_fail (type != NULL && g_strv_contains (deleted_types, type));
  g_return_if_fail (id != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "type", type);
  add_string (builder, "id", id);
  json_builder_end_object (builder);
}
