/* am-server-json.c: a sync page written straight to text, for large pages
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same JSON as am_sync_page_to_json() of the core (test-server checks
 * that both give equal documents), without a JsonNode a value: an initial
 * sync of 200,000 passcodes is 40 pages of 5,000, and a JsonBuilder and a
 * JsonGenerator took two thirds of the time of each.
 */
#define G_LOG_DOMAIN "am-server"

#include "config.h"

#include <time.h>

#include "am-records-private.h"
#include "am-server-json.h"

static void
write_string (GString    *out,
              const char *text)
{
  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append_c (out, '"');
  for (const unsigned char *c = (const unsigned char *) text; *c != '\0'; c++)
    {
      switch (*c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (*c < 0x20)
            g_string_append_printf (out, "\\u%04x", *c);
          else
            g_string_append_c (out, (char) *c);
          break;
        }
    }
  g_string_append_c (out, '"');
}

static void
member (GString    *out,
        const char *name)
{
  if (out->len > 0 && out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, name);
  g_string_append (out, "\":");
}

static void
add_string (GString    *out,
            const char *name,
            const char *value)
{
  member (out, name);
  write_string (out, value);
}

static void
add_uint (GString    *out,
          const char *name,
          guint64     value)
{
  member (out, name);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, value);
}

/* RFC 3339 in UTC, or null for 0. */
static void
add_time (GString    *out,
          const char *name,
          gint64      value)
{
  struct tm tm;
  time_t t = (time_t) value;
  char text[32];

  member (out, name);
  if (value == 0 || gmtime_r (&t, &tm) == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  strftime (text, sizeof text, "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
  g_string_append (out, text);
}

static void
add_user (GString    *out,
          const char *name,
          const char *id,
          const char *user_name)
{
  member (out, name);
  if (id == NULL && user_name == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append_c (out, '{');
  add_string (out, "id", id);
  add_string (out, "name", user_name);
  g_string_append_c (out, '}');
}

static void
write_property (GString    *out,
                AmProperty *self)
{
  g_string_append_c (out, '{');
  add_string (out, "id", self->id);
  add_string (out, "name", self->name);
  add_string (out, "address", self->address);
  add_string (out, "city", self->city);
  add_string (out, "region", self->region);
  add_string (out, "postal_code", self->postal_code);
  add_string (out, "timezone", self->timezone);
  add_time (out, "updated_at", self->updated_at);
  g_string_append_c (out, '}');
}

static void
write_lock (GString *out,
            AmLock  *self)
{
  g_string_append_c (out, '{');
  add_string (out, "id", self->id);
  add_string (out, "property_id", self->property_id);
  add_string (out, "name", self->name);
  add_string (out, "unit", self->unit);
  add_string (out, "model", self->model);
  add_uint (out, "digits", self->digits);
  add_uint (out, "q_offset_s", self->q_offset_s);
  add_uint (out, "kv", self->kv);
  add_string (out, "mode", self->mode);
  if (self->battery >= 0)
    add_uint (out, "battery", (guint64) self->battery);
  else
    {
      member (out, "battery");
      g_string_append (out, "null");
    }
  add_time (out, "battery_at", self->battery_at);
  add_time (out, "updated_at", self->updated_at);
  g_string_append_c (out, '}');
}

static void
write_grant (GString *out,
             AmGrant *self)
{
  const char * const *permissions = am_grant_get_permissions (self);

  g_string_append_c (out, '{');
  add_string (out, "property_id", self->property_id);
  add_string (out, "user_id", self->user_id);
  member (out, "permissions");
  g_string_append_c (out, '[');
  for (guint i = 0; permissions[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      write_string (out, permissions[i]);
    }
  g_string_append (out, "]}");
}

static void
write_passcode (GString          *out,
                AmPasscodeRecord *self)
{
  g_string_append_c (out, '{');
  add_string (out, "id", self->id);
  add_string (out, "lock_id", self->lock_id);
  add_string (out, "kind", am_passcode_kind_to_string (self->kind));
  add_uint (out, "kv", self->kv);
  add_uint (out, "start_h", self->start_h);
  add_uint (out, "p", self->p);
  add_uint (out, "digits", self->digits);
  add_time (out, "starts_at", self->starts_at);
  add_time (out, "ends_at", self->ends_at);
  add_time (out, "use_by", self->use_by);
  member (out, "recipient");
  if (self->recipient_name == NULL && self->recipient_contact == NULL)
    g_string_append (out, "null");
  else
    {
      g_string_append_c (out, '{');
      add_string (out, "name", self->recipient_name);
      add_string (out, "contact", self->recipient_contact);
      g_string_append_c (out, '}');
    }
  add_string (out, "purpose", self->purpose);
  add_string (out, "note", self->note);
  add_string (out, "source", self->source);
  add_user (out, "created_by", self->created_by_id, self->created_by_name);
  add_time (out, "created_at", self->created_at);
  add_time (out, "revoked_at", self->revoked_at);
  add_user (out, "revoked_by", self->revoked_by_id, self->revoked_by_name);
  add_time (out, "first_used_at", self->first_used_at);
  add_time (out, "last_used_at", self->last_used_at);
  add_uint (out, "use_count", self->use_count);
  g_string_append_c (out, '}');
}

static void
write_event (GString           *out,
             AmLockEventRecord *self)
{
  g_string_append_c (out, '{');
  add_string (out, "lock_id", self->lock_id);
  add_uint (out, "seq", self->seq);
  add_string (out, "event", self->event);
  add_time (out, "at", self->at);
  add_uint (out, "start_h", self->start_h);
  add_uint (out, "p", self->p);
  add_string (out, "result", self->result);
  add_string (out, "passcode_id", self->passcode_id);
  g_string_append_c (out, '}');
}

static void
write_unlock (GString  *out,
              AmUnlock *self)
{
  g_string_append_c (out, '{');
  add_string (out, "id", self->id);
  add_string (out, "lock_id", self->lock_id);
  add_user (out, "user", self->user_id, self->user_name);
  add_time (out, "at", self->at);
  add_string (out, "result", self->result);
  g_string_append_c (out, '}');
}

static void
write_deleted (GString      *out,
               AmDeletedRef *ref)
{
  g_string_append_c (out, '{');
  add_string (out, "type", ref->type);
  add_string (out, "id", ref->id);
  g_string_append_c (out, '}');
}

/**
 * am_server_json_write_sync_page:
 * @out: where the text goes
 * @page: a sync page with its cursor
 * @more: whether more follows at once
 *
 * Appends the answer of `GET /v1/sync` for @page.
 */
void
am_server_json_write_sync_page (GString          *out,
                                const AmSyncPage *page,
                                gboolean          more)
{
  const struct
  {
    const char *field;
    void      (*write) (GString *out, gpointer record);
    GPtrArray  *records;
  } lists[] = {
    { "properties", (gpointer) write_property, page->properties },
    { "locks", (gpointer) write_lock, page->locks },
    { "grants", (gpointer) write_grant, page->grants },
    { "passcodes", (gpointer) write_passcode, page->passcodes },
    { "events", (gpointer) write_event, page->events },
    { "unlocks", (gpointer) write_unlock, page->unlocks },
    { "deleted", (gpointer) write_deleted, page->deleted },
  };

  g_return_if_fail (out != NULL && page != NULL && page->cursor != NULL);

  g_string_append_c (out, '{');
  add_string (out, "cursor", page->cursor);
  member (out, "more");
  g_string_append (out, more ? "true" : "false");
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      member (out, lists[i].field);
      g_string_append_c (out, '[');
      for (guint j = 0; j < lists[i].records->len; j++)
        {
          if (j > 0)
            g_string_append_c (out, ',');
          lists[i].write (out, g_ptr_array_index (lists[i].records, j));
        }
      g_string_append_c (out, ']');
    }
  g_string_append_c (out, '}');
}

/**
 * am_server_json_write_me:
 * @out: where the text goes
 * @me: the caller's account and grants
 *
 * Appends the answer of `GET /v1/me`: a user may hold a grant on each of
 * thousands of properties.
 */
void
am_server_json_write_me (GString         *out,
                         const AmCloudMe *me)
{
  g_return_if_fail (out != NULL && me != NULL);

  g_string_append_c (out, '{');
  member (out, "user");
  g_string_append_c (out, '{');
  add_string (out, "id", me->user->id);
  add_string (out, "name", me->user->name);
  if (me->user->email != NULL)
    add_string (out, "email", me->user->email);
  else
    {
      member (out, "email");
      g_string_append (out, "null");
    }
  g_string_append_c (out, '}');
  member (out, "org");
  g_string_append_c (out, '{');
  add_string (out, "id", me->org->id);
  add_string (out, "name", me->org->name);
  g_string_append_c (out, '}');
  member (out, "grants");
  g_string_append_c (out, '[');
  for (guint i = 0; i < me->grants->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      write_grant (out, g_ptr_array_index (me->grants, i));
    }
  g_string_append (out, "]}");
}
