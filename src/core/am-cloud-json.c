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

#include <string.h>

#include <glib/gi18n-lib.h>

#include "am-cloud-json.h"
#include "am-error.h"
#include "am-records-private.h"
#include "am-secret-memory.h"
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
  /* json-glib turns a lone surrogate (\ud800) into bytes that are not
   * UTF-8: such a string would reach the cache and the labels. */
  if (!node_is (node, G_TYPE_STRING) || !g_utf8_validate (json_node_get_string (node), -1, NULL))
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

/* The node's text, or NULL when it holds something else or is not UTF-8. */
static const char *
node_string (JsonNode *node)
{
  const char *text = node_is (node, G_TYPE_STRING) ? json_node_get_string (node) : NULL;

  return text != NULL && g_utf8_validate (text, -1, NULL) ? text : NULL;
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

/* What the issuer decided: the members that a Passcode shares with the
 * body of `POST /v1/passcodes`, up to "purpose" and "note". */
static gboolean
read_passcode_decision (Reader           *r,
                        AmPasscodeRecord *self,
                        gboolean          with_use_by)
{
  Reader recipient;
  g_autofree char *kind = NULL;
  gint64 kv, start_h, p;

  if (!read_uuid (r, "id", FALSE, &self->id) ||
      !read_uuid (r, "lock_id", FALSE, &self->lock_id) ||
      !read_choice (r, "kind", FALSE, passcode_kinds, &kind) ||
      !read_uint (r, "kv", FALSE, 1, 255, &kv) ||
      !read_uint (r, "start_h", FALSE, 0, G_MAXUINT32, &start_h) ||
      !read_uint (r, "p", FALSE, 0, AM_PASSCODE_P_CANCEL_ALL - 1, &p) ||
      !read_digits (r, "digits", &self->digits) ||
      !read_time (r, "starts_at", FALSE, &self->starts_at) ||
      !read_time (r, "ends_at", FALSE, &self->ends_at) ||
      (with_use_by && !read_time (r, "use_by", FALSE, &self->use_by)) ||
      !read_object (r, "recipient", TRUE, &recipient) ||
      (recipient.object != NULL &&
       (!read_string (&recipient, "name", TRUE, &self->recipient_name) ||
        !read_string (&recipient, "contact", TRUE, &self->recipient_contact))) ||
      !read_choice (r, "purpose", FALSE, passcode_purposes, &self->purpose) ||
      !read_string (r, "note", TRUE, &self->note))
    return FALSE;

  self->kind = g_str_equal (kind, "one_time") ? AM_PASSCODE_KIND_ONE_TIME : AM_PASSCODE_KIND_TIMED;
  self->kv = (guint) kv;
  self->start_h = (guint32) start_h;
  self->p = (guint) p;

  if (am_passcode_kind_for_p (self->p) != self->kind)
    {
      fail_mismatch (r, "p", "kind");
      return FALSE;
    }
  return TRUE;
}

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
  Reader created_by, revoked_by;
  gint64 use_count;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_passcode_decision (&r, self, TRUE) ||
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
  self->use_count = (guint) use_count;

  return g_steal_pointer (&self);
}

/**
 * am_passcode_record_from_create_json:
 * @object: the body of `POST /v1/passcodes`
 * @error: a location for a #GError
 *
 * Reads what the issuer decided. Whether start_h, p and digits match the
 * window and the lock is for the caller to check, with the lock at hand.
 *
 * Returns: (transfer full) (nullable): a passcode record with only those
 *   fields (and "created_at") filled, or %NULL when @object is not a valid
 *   body
 */
AmPasscodeRecord *
am_passcode_record_from_create_json (JsonObject  *object,
                                     GError     **error)
{
  g_autoptr(AmPasscodeRecord) self = am_passcode_record_new_empty ();
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "a passcode"), NULL, error };

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_passcode_decision (&r, self, FALSE) ||
      !read_time (&r, "created_at", FALSE, &self->created_at))
    return NULL;

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

/* What the lock's log says, the members shared by a LockEvent and an
 * uploaded event: "seq" to "result". */
static gboolean
read_lock_log_record (Reader            *r,
                      AmLockEventRecord *self)
{
  gint64 seq, start_h, p;
  gboolean is_reject;

  if (!read_uint (r, "seq", FALSE, 0, G_MAXUINT32, &seq) ||
      !read_choice (r, "event", FALSE, lock_event_names, &self->event) ||
      !read_time (r, "at", FALSE, &self->at) ||
      !read_uint (r, "start_h", FALSE, 0, G_MAXUINT32, &start_h) ||
      !read_uint (r, "p", FALSE, 0, AM_PASSCODE_P_MAX, &p) ||
      !read_choice (r, "result", TRUE, reject_results, &self->result))
    return FALSE;

  self->seq = (guint32) seq;
  self->start_h = (guint32) start_h;
  self->p = (guint) p;

  is_reject = g_str_equal (self->event, AM_LOCK_EVENT_NAME_KEYPAD_REJECT);
  if (is_reject != (self->result != NULL))
    {
      fail_mismatch (r, "result", "event");
      return FALSE;
    }
  if (is_reject && self->p != 0)
    {
      fail_mismatch (r, "p", "event");
      return FALSE;
    }
  return TRUE;
}

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

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_uuid (&r, "lock_id", FALSE, &self->lock_id) ||
      !read_lock_log_record (&r, self) ||
      !read_uuid (&r, "passcode_id", TRUE, &self->passcode_id))
    return NULL;

  return g_steal_pointer (&self);
}

/* What the lock's log says, the members shared by a LockEvent and an
 * uploaded event, in read_lock_log_record()'s order. */
static void
add_lock_log_record (JsonBuilder       *builder,
                     AmLockEventRecord *self)
{
  add_uint (builder, "seq", self->seq);
  add_string (builder, "event", self->event);
  add_time (builder, "at", self->at);
  add_uint (builder, "start_h", self->start_h);
  add_uint (builder, "p", self->p);
  add_string (builder, "result", self->result);
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
  add_lock_log_record (builder, self);
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

/* Envelopes */

static gboolean
read_bool (Reader     *r,
           const char *field,
           gboolean   *out)
{
  JsonNode *node;

  if (!lookup (r, field, FALSE, &node))
    return FALSE;
  if (!node_is (node, G_TYPE_BOOLEAN))
    {
      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it. */
      fail (r, _("The cloud sent %s whose “%s” is not true or false."), r->what, field);
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* A member that must be a list; its elements are not looked at. */
static gboolean
read_array (Reader      *r,
            const char  *field,
            JsonArray  **out)
{
  JsonNode *node;

  if (!lookup (r, field, FALSE, &node))
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it. */
      fail (r, _("The cloud sent %s whose “%s” is not a list."), r->what, field);
      return FALSE;
    }
  *out = json_node_get_array (node);
  return TRUE;
}

/* 32 bytes in standard base64, decoded into @out. */
static gboolean
read_key (Reader     *r,
          const char *field,
          guint8      out[32])
{
  g_autofree char *text = NULL;
  guchar *bytes = NULL;
  gsize len = 0;
  gboolean ok;

  if (!read_text (r, field, &text))
    return FALSE;
  for (const char *s = text; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && *s != '+' && *s != '/' && *s != '=')
      len = G_MAXSIZE;
  if (len == 0)
    bytes = g_base64_decode (text, &len);
  ok = bytes != NULL && len == 32;
  if (ok)
    memcpy (out, bytes, 32);
  if (bytes != NULL)
    am_secret_memory_wipe (bytes, len);
  g_free (bytes);
  am_secret_memory_wipe (text, strlen (text));
  if (!ok)
    {
      g_autofree char *label = field_label (r, field);

      /* Translators: the first %s is a kind of record, such as “a lock”;
       * the second is the name of a field as the cloud sends it. */
      fail (r, _("The cloud sent %s whose “%s” is not 32 bytes in base64."), r->what, label);
    }
  return ok;
}

static void
add_key (JsonBuilder  *builder,
         const char   *field,
         const guint8  key[32])
{
  g_autofree char *text = g_base64_encode (key, 32);

  add_string (builder, field, text);
  am_secret_memory_wipe (text, strlen (text));
}

/* Each element of @array read with @read into @out; an element that is not
 * an object is refused. */
static gboolean
read_each (Reader     *r,
           JsonArray  *array,
           gpointer  (*read) (JsonObject *object, GError **error),
           GPtrArray  *out)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      gpointer record;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          /* Translators: %s is a kind of record, such as “a sync page” */
          fail (r, _("The cloud sent %s with a list entry that is not an object."), r->what);
          return FALSE;
        }
      record = read (json_node_get_object (node), r->error);
      if (record == NULL)
        return FALSE;
      g_ptr_array_add (out, record);
    }
  return TRUE;
}

/**
 * am_cloud_user_new:
 * @id: the user's id
 * @name: the user's name
 * @email: (nullable): the user's email address
 *
 * Returns: (transfer full): a new user
 */
AmCloudUser *
am_cloud_user_new (const char *id,
                   const char *name,
                   const char *email)
{
  AmCloudUser *user = g_new0 (AmCloudUser, 1);

  user->id = g_strdup (id);
  user->name = g_strdup (name);
  user->email = g_strdup (email);
  return user;
}

void
am_cloud_user_free (AmCloudUser *user)
{
  if (user == NULL)
    return;
  g_free (user->id);
  g_free (user->name);
  g_free (user->email);
  g_free (user);
}

/**
 * am_cloud_user_from_json:
 * @object: a User object
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the user, or %NULL when @object is
 *   not a valid User
 */
AmCloudUser *
am_cloud_user_from_json (JsonObject  *object,
                         GError     **error)
{
  g_autoptr(AmCloudUser) user = g_new0 (AmCloudUser, 1);
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "a user"), NULL, error };

  g_return_val_if_fail (object != NULL, NULL);

  if (!read_uuid (&r, "id", FALSE, &user->id) ||
      !read_string (&r, "name", FALSE, &user->name) ||
      !read_string (&r, "email", TRUE, &user->email))
    return NULL;
  return g_steal_pointer (&user);
}

void
am_cloud_user_to_json (const AmCloudUser *user,
                       JsonBuilder       *builder)
{
  g_return_if_fail (user != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "id", user->id);
  add_string (builder, "name", user->name);
  add_string (builder, "email", user->email);
  json_builder_end_object (builder);
}

/**
 * am_cloud_org_new:
 * @id: the organisation's id
 * @name: its name
 *
 * Returns: (transfer full): a new organisation
 */
AmCloudOrg *
am_cloud_org_new (const char *id,
                  const char *name)
{
  AmCloudOrg *org = g_new0 (AmCloudOrg, 1);

  org->id = g_strdup (id);
  org->name = g_strdup (name);
  return org;
}

void
am_cloud_org_free (AmCloudOrg *org)
{
  if (org == NULL)
    return;
  g_free (org->id);
  g_free (org->name);
  g_free (org);
}

/**
 * am_cloud_org_from_json:
 * @object: an Org object
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the organisation, or %NULL when
 *   @object is not a valid Org
 */
AmCloudOrg *
am_cloud_org_from_json (JsonObject  *object,
                        GError     **error)
{
  g_autoptr(AmCloudOrg) org = g_new0 (AmCloudOrg, 1);
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "an organization"), NULL, error };

  g_return_val_if_fail (object != NULL, NULL);

  if (!read_uuid (&r, "id", FALSE, &org->id) ||
      !read_string (&r, "name", FALSE, &org->name))
    return NULL;
  return g_steal_pointer (&org);
}

void
am_cloud_org_to_json (const AmCloudOrg *org,
                      JsonBuilder      *builder)
{
  g_return_if_fail (org != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "id", org->id);
  add_string (builder, "name", org->name);
  json_builder_end_object (builder);
}

/* The "user" and "org" members of an answer. */
static gboolean
read_user_and_org (Reader       *r,
                   AmCloudUser **user,
                   AmCloudOrg  **org)
{
  Reader sub;

  if (!read_object (r, "user", FALSE, &sub))
    return FALSE;
  *user = am_cloud_user_from_json (sub.object, r->error);
  if (*user == NULL || !read_object (r, "org", FALSE, &sub))
    return FALSE;
  *org = am_cloud_org_from_json (sub.object, r->error);
  return *org != NULL;
}

void
am_cloud_session_free (AmCloudSession *session)
{
  if (session == NULL)
    return;
  am_secret_memory_free (session->token);
  am_cloud_user_free (session->user);
  am_cloud_org_free (session->org);
  g_free (session);
}

/**
 * am_cloud_session_from_json:
 * @object: the answer of `POST /v1/sessions` or of accepting an invitation
 * @with_token: whether a "token" must be there (a new session)
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the session, or %NULL when @object
 *   is not a valid answer
 */
AmCloudSession *
am_cloud_session_from_json (JsonObject  *object,
                            gboolean     with_token,
                            GError     **error)
{
  g_autoptr(AmCloudSession) session = g_new0 (AmCloudSession, 1);
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "a session"), NULL, error };

  g_return_val_if_fail (object != NULL, NULL);

  if ((with_token && !read_text (&r, "token", &session->token)) ||
      !read_user_and_org (&r, &session->user, &session->org))
    return NULL;
  return g_steal_pointer (&session);
}

/**
 * am_cloud_session_to_json:
 * @session: a session; its token is written when it has one
 * @builder: a builder, where a value may go
 */
void
am_cloud_session_to_json (const AmCloudSession *session,
                          JsonBuilder          *builder)
{
  g_return_if_fail (session != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  if (session->token != NULL)
    add_string (builder, "token", session->token);
  json_builder_set_member_name (builder, "user");
  am_cloud_user_to_json (session->user, builder);
  json_builder_set_member_name (builder, "org");
  am_cloud_org_to_json (session->org, builder);
  json_builder_end_object (builder);
}

void
am_cloud_me_free (AmCloudMe *me)
{
  if (me == NULL)
    return;
  am_cloud_user_free (me->user);
  am_cloud_org_free (me->org);
  g_clear_pointer (&me->grants, g_ptr_array_unref);
  g_free (me);
}

/**
 * am_cloud_me_from_json:
 * @object: the answer of `GET /v1/me`
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): who the session belongs to, or
 *   %NULL when @object is not a valid answer
 */
AmCloudMe *
am_cloud_me_from_json (JsonObject  *object,
                       GError     **error)
{
  g_autoptr(AmCloudMe) me = g_new0 (AmCloudMe, 1);
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "an account"), NULL, error };
  JsonArray *grants;

  g_return_val_if_fail (object != NULL, NULL);

  me->grants = g_ptr_array_new_with_free_func (g_object_unref);
  if (!read_user_and_org (&r, &me->user, &me->org) ||
      !read_array (&r, "grants", &grants) ||
      !read_each (&r, grants, (gpointer) am_grant_from_json, me->grants))
    return NULL;
  return g_steal_pointer (&me);
}

void
am_cloud_me_to_json (const AmCloudMe *me,
                     JsonBuilder     *builder)
{
  g_return_if_fail (me != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user");
  am_cloud_user_to_json (me->user, builder);
  json_builder_set_member_name (builder, "org");
  am_cloud_org_to_json (me->org, builder);
  json_builder_set_member_name (builder, "grants");
  json_builder_begin_array (builder);
  for (guint i = 0; me->grants != NULL && i < me->grants->len; i++)
    am_grant_to_json (g_ptr_array_index (me->grants, i), builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

void
am_cloud_lock_key_free (AmCloudLockKey *key)
{
  if (key == NULL)
    return;
  g_free (key->lock_id);
  am_secret_memory_wipe (key, sizeof *key);
  g_free (key);
}

/**
 * am_cloud_lock_key_from_json:
 * @object: the answer of `GET /v1/locks/{lock_id}/key`
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the key, wiped from memory when
 *   freed, or %NULL when @object is not a valid answer
 */
AmCloudLockKey *
am_cloud_lock_key_from_json (JsonObject  *object,
                             GError     **error)
{
  g_autoptr(AmCloudLockKey) key = g_new0 (AmCloudLockKey, 1);
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "a lock key"), NULL, error };
  Reader previous;
  gint64 kv, previous_kv;

  g_return_val_if_fail (object != NULL, NULL);

  if (!read_uuid (&r, "lock_id", FALSE, &key->lock_id) ||
      !read_uint (&r, "kv", FALSE, 1, 255, &kv) ||
      !read_key (&r, "key", key->key) ||
      !read_object (&r, "previous", TRUE, &previous) ||
      (previous.object != NULL &&
       (!read_uint (&previous, "kv", FALSE, 1, 255, &previous_kv) ||
        !read_key (&previous, "key", key->previous_key) ||
        !read_time (&previous, "valid_until", FALSE, &key->previous_valid_until))))
    return NULL;

  key->kv = (guint) kv;
  if (previous.object != NULL)
    {
      key->previous_kv = (guint) previous_kv;
      if (key->previous_kv == key->kv)
        {
          fail_mismatch (&r, "previous.kv", "kv");
          return NULL;
        }
    }
  return g_steal_pointer (&key);
}

/**
 * am_cloud_lock_key_to_json:
 * @key: a lock key
 * @builder: a builder, where a value may go
 *
 * Writes the answer of `GET /v1/locks/{lock_id}/key`; "previous" is null
 * when @key has no previous version.
 */
void
am_cloud_lock_key_to_json (const AmCloudLockKey *key,
                           JsonBuilder          *builder)
{
  g_return_if_fail (key != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "lock_id", key->lock_id);
  add_uint (builder, "kv", key->kv);
  add_key (builder, "key", key->key);
  json_builder_set_member_name (builder, "previous");
  if (key->previous_kv == 0)
    json_builder_add_null_value (builder);
  else
    {
      json_builder_begin_object (builder);
      add_uint (builder, "kv", key->previous_kv);
      add_key (builder, "key", key->previous_key);
      add_time (builder, "valid_until", key->previous_valid_until);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
}

/**
 * am_cloud_error_from_json:
 * @object: an error answer, `{"error": {"code", "message"}}`
 * @code: (out) (transfer full) (optional): its code
 * @message: (out) (transfer full) (optional): its message
 *
 * Lenient: an error answer only adds words to a status that already says
 * what happened.
 *
 * Returns: whether @object holds an error with a code and a message
 */
gboolean
am_cloud_error_from_json (JsonObject  *object,
                          char       **code,
                          char       **message)
{
  JsonNode *node;
  JsonObject *inner;
  const char *the_code, *the_message;

  g_return_val_if_fail (object != NULL, FALSE);

  node = json_object_get_member (object, "error");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  inner = json_node_get_object (node);
  node = json_object_get_member (inner, "code");
  the_code = node != NULL ? node_string (node) : NULL;
  node = json_object_get_member (inner, "message");
  the_message = node != NULL ? node_string (node) : NULL;
  if (the_code == NULL || the_message == NULL)
    return FALSE;

  if (code != NULL)
    *code = g_strdup (the_code);
  if (message != NULL)
    *message = g_strdup (the_message);
  return TRUE;
}

void
am_cloud_error_to_json (const char  *code,
                        const char  *message,
                        JsonBuilder *builder)
{
  g_return_if_fail (code != NULL && message != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  add_string (builder, "code", code);
  add_string (builder, "message", message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

static gpointer
read_deleted (JsonObject  *object,
              GError     **error)
{
  g_autofree AmDeletedRef *ref = g_new0 (AmDeletedRef, 1);

  if (!am_deleted_from_json (object, &ref->type, &ref->id, error))
    return NULL;
  return g_steal_pointer (&ref);
}

/**
 * am_sync_page_from_json:
 * @object: the answer of `GET /v1/sync`
 * @more: (out) (optional): whether the client should ask again at once
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the page, or %NULL when @object or
 *   any record in it is not valid
 */
AmSyncPage *
am_sync_page_from_json (JsonObject  *object,
                        gboolean    *more,
                        GError     **error)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "a sync page"), NULL, error };
  const struct
  {
    const char *field;
    gpointer  (*read) (JsonObject *object, GError **error);
    GPtrArray  *out;
  } lists[] = {
    { "properties", (gpointer) am_property_from_json, page->properties },
    { "locks", (gpointer) am_lock_from_json, page->locks },
    { "grants", (gpointer) am_grant_from_json, page->grants },
    { "passcodes", (gpointer) am_passcode_record_from_json, page->passcodes },
    { "events", (gpointer) am_lock_event_record_from_json, page->events },
    { "unlocks", (gpointer) am_unlock_from_json, page->unlocks },
    { "deleted", read_deleted, page->deleted },
  };
  gboolean the_more;

  g_return_val_if_fail (object != NULL, NULL);

  if (!read_text (&r, "cursor", &page->cursor) ||
      !read_bool (&r, "more", &the_more))
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      JsonArray *array;

      if (!read_array (&r, lists[i].field, &array) ||
          !read_each (&r, array, lists[i].read, lists[i].out))
        return NULL;
    }

  if (more != NULL)
    *more = the_more;
  return g_steal_pointer (&page);
}

/**
 * am_sync_page_to_json:
 * @page: a page; its cursor must be set
 * @more: whether the client should ask again at once
 * @builder: a builder, where a value may go
 */
void
am_sync_page_to_json (const AmSyncPage *page,
                      gboolean          more,
                      JsonBuilder      *builder)
{
  const struct
  {
    const char *field;
    void      (*write) (gpointer record, JsonBuilder *builder);
    GPtrArray  *records;
  } lists[] = {
    { "properties", (gpointer) am_property_to_json, page->properties },
    { "locks", (gpointer) am_lock_to_json, page->locks },
    { "grants", (gpointer) am_grant_to_json, page->grants },
    { "passcodes", (gpointer) am_passcode_record_to_json, page->passcodes },
    { "events", (gpointer) am_lock_event_record_to_json, page->events },
    { "unlocks", (gpointer) am_unlock_to_json, page->unlocks },
  };

  g_return_if_fail (page != NULL && page->cursor != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "cursor", page->cursor);
  json_builder_set_member_name (builder, "more");
  json_builder_add_boolean_value (builder, more);
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      json_builder_set_member_name (builder, lists[i].field);
      json_builder_begin_array (builder);
      for (guint j = 0; j < lists[i].records->len; j++)
        lists[i].write (g_ptr_array_index (lists[i].records, j), builder);
      json_builder_end_array (builder);
    }
  json_builder_set_member_name (builder, "deleted");
  json_builder_begin_array (builder);
  for (guint j = 0; j < page->deleted->len; j++)
    {
      const AmDeletedRef *ref = g_ptr_array_index (page->deleted, j);

      am_deleted_to_json (ref->type, ref->id, builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/**
 * am_lock_events_to_upload_json:
 * @events: (element-type AmLockEventRecord): records of one lock's log
 * @builder: a builder, where a value may go
 *
 * Writes the body of `POST /v1/locks/{lock_id}/events`: the events without
 * "lock_id" (it is in the path) and "passcode_id" (the cloud links them).
 */
void
am_lock_events_to_upload_json (GPtrArray   *events,
                               JsonBuilder *builder)
{
  g_return_if_fail (events != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (guint i = 0; i < events->len; i++)
    {
      AmLockEventRecord *self = g_ptr_array_index (events, i);

      json_builder_begin_object (builder);
      add_lock_log_record (builder, self);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/**
 * am_lock_events_from_upload_json:
 * @object: the body of `POST /v1/locks/{lock_id}/events`
 * @lock_id: the lock of the path
 * @error: a location for a #GError
 *
 * Returns: (transfer container) (element-type AmLockEventRecord) (nullable):
 *   the events, with @lock_id and no passcode, or %NULL when @object is not
 *   a valid body
 */
GPtrArray *
am_lock_events_from_upload_json (JsonObject  *object,
                                 const char  *lock_id,
                                 GError     **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "a lock event"), NULL, error };
  JsonArray *array;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (lock_id != NULL, NULL);

  if (!read_array (&r, "events", &array))
    return NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr(AmLockEventRecord) self = am_lock_event_record_new_empty ();
      Reader element = { NULL, r.what, NULL, error };

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          /* Translators: %s is a kind of record, such as “a sync page” */
          fail (&r, _("The cloud sent %s with a list entry that is not an object."), r.what);
          return NULL;
        }
      element.object = json_node_get_object (node);
      if (!read_lock_log_record (&element, self))
        return NULL;
      self->lock_id = g_strdup (lock_id);
      g_ptr_array_add (events, g_steal_pointer (&self));
    }
  return g_steal_pointer (&events);
}

/**
 * am_unlock_to_create_json:
 * @self: an unlock
 * @builder: a builder, where a value may go
 *
 * Writes the body of `POST /v1/unlocks`; the cloud knows who sent it.
 */
void
am_unlock_to_create_json (AmUnlock    *self,
                          JsonBuilder *builder)
{
  g_return_if_fail (AM_IS_UNLOCK (self));
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "id", self->id);
  add_string (builder, "lock_id", self->lock_id);
  add_time (builder, "at", self->at);
  add_string (builder, "result", self->result);
  json_builder_end_object (builder);
}

/**
 * am_unlock_from_create_json:
 * @object: the body of `POST /v1/unlocks`
 * @error: a location for a #GError
 *
 * Returns: (transfer full) (nullable): the unlock without its user, or
 *   %NULL when @object is not a valid body
 */
AmUnlock *
am_unlock_from_create_json (JsonObject  *object,
                            GError     **error)
{
  g_autoptr(AmUnlock) self = am_unlock_new_empty ();
  /* Translators: a kind of record the cloud sends, with its article; it
   * fills the first %s of messages such as “The cloud sent %s without “%s”.” */
  Reader r = { object, C_("cloud record", "an unlock"), NULL, error };

  g_return_val_if_fail (object != NULL, NULL);

  if (!read_uuid (&r, "id", FALSE, &self->id) ||
      !read_uuid (&r, "lock_id", FALSE, &self->lock_id) ||
      !read_time (&r, "at", FALSE, &self->at) ||
      !read_choice (&r, "result", FALSE, unlock_results, &self->result))
    return NULL;
  return g_steal_pointer (&self);
}
