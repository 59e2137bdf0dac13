/* am-passcode-record.c: a passcode as the cloud records it, and its status
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cloud's Passcode resource: the AM1 values a code is derived from
 * (never its digits), its window, who it is for and what became of it.
 */
#define G_LOG_DOMAIN "am-passcode-record"

#include "config.h"

#include "am-records-private.h"

enum {
  PROP_0,
  PROP_ID,
  PROP_LOCK_ID,
  PROP_KIND,
  PROP_KV,
  PROP_START_H,
  PROP_P,
  PROP_DIGITS,
  PROP_STARTS_AT,
  PROP_ENDS_AT,
  PROP_USE_BY,
  PROP_RECIPIENT_NAME,
  PROP_RECIPIENT_CONTACT,
  PROP_PURPOSE,
  PROP_NOTE,
  PROP_SOURCE,
  PROP_CREATED_BY_ID,
  PROP_CREATED_BY_NAME,
  PROP_CREATED_AT,
  PROP_REVOKED_AT,
  PROP_REVOKED_BY_ID,
  PROP_REVOKED_BY_NAME,
  PROP_FIRST_USED_AT,
  PROP_LAST_USED_AT,
  PROP_USE_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (AmPasscodeKind, am_passcode_kind,
  G_DEFINE_ENUM_VALUE (AM_PASSCODE_KIND_TIMED, "timed"),
  G_DEFINE_ENUM_VALUE (AM_PASSCODE_KIND_ONE_TIME, "one-time"),
  G_DEFINE_ENUM_VALUE (AM_PASSCODE_KIND_CANCEL_ALL, "cancel-all"),
  G_DEFINE_ENUM_VALUE (AM_PASSCODE_KIND_RESERVED, "reserved"))

G_DEFINE_ENUM_TYPE (AmPasscodeStatus, am_passcode_status,
  G_DEFINE_ENUM_VALUE (AM_PASSCODE_STATUS_SCHEDULED, "scheduled"),
  G_DEFINE_ENUM_VALUE (AM_PASSCODE_STATUS_UNUSED, "unused"),
  G_DEFINE_ENUM_VALUE (AM_PASSCODE_STATUS_ACTIVE, "active"),
  G_DEFINE_ENUM_VALUE (AM_PASSCODE_STATUS_USED, "used"),
  G_DEFINE_ENUM_VALUE (AM_PASSCODE_STATUS_EXPIRED, "expired"),
  G_DEFINE_ENUM_VALUE (AM_PASSCODE_STATUS_REVOKED, "revoked"),
  G_DEFINE_ENUM_VALUE (AM_PASSCODE_STATUS_REVOCATION_PENDING, "revocation-pending"))

G_DEFINE_FINAL_TYPE (AmPasscodeRecord, am_passcode_record, G_TYPE_OBJECT)

static void
am_passcode_record_finalize (GObject *object)
{
  AmPasscodeRecord *self = (AmPasscodeRecord *) object;

  g_free (self->id);
  g_free (self->lock_id);
  g_free (self->recipient_name);
  g_free (self->recipient_contact);
  g_free (self->purpose);
  g_free (self->note);
  g_free (self->source);
  g_free (self->created_by_id);
  g_free (self->created_by_name);
  g_free (self->revoked_by_id);
  g_free (self->revoked_by_name);

  G_OBJECT_CLASS (am_passcode_record_parent_class)->finalize (object);
}

static void
am_passcode_record_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  AmPasscodeRecord *self = AM_PASSCODE_RECORD (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_LOCK_ID:
      g_value_set_string (value, self->lock_id);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_KV:
      g_value_set_uint (value, self->kv);
      break;
    case PROP_START_H:
      g_value_set_uint (value, self->start_h);
      break;
    case PROP_P:
      g_value_set_uint (value, self->p);
      break;
    case PROP_DIGITS:
      g_value_set_uint (value, self->digits);
      break;
    case PROP_STARTS_AT:
      g_value_set_int64 (value, self->starts_at);
      break;
    case PROP_ENDS_AT:
      g_value_set_int64 (value, self->ends_at);
      break;
    case PROP_USE_BY:
      g_value_set_int64 (value, self->use_by);
      break;
    case PROP_RECIPIENT_NAME:
      g_value_set_string (value, self->recipient_name);
      break;
    case PROP_RECIPIENT_CONTACT:
      g_value_set_string (value, self->recipient_contact);
      break;
    case PROP_PURPOSE:
      g_value_set_string (value, self->purpose);
      break;
    case PROP_NOTE:
      g_value_set_string (value, self->note);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_CREATED_BY_ID:
      g_value_set_string (value, self->created_by_id);
      break;
    case PROP_CREATED_BY_NAME:
      g_value_set_string (value, self->created_by_name);
      break;
    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    case PROP_REVOKED_AT:
      g_value_set_int64 (value, self->revoked_at);
      break;
    case PROP_REVOKED_BY_ID:
      g_value_set_string (value, self->revoked_by_id);
      break;
    case PROP_REVOKED_BY_NAME:
      g_value_set_string (value, self->revoked_by_name);
      break;
    case PROP_FIRST_USED_AT:
      g_value_set_int64 (value, self->first_used_at);
      break;
    case PROP_LAST_USED_AT:
      g_value_set_int64 (value, self->last_used_at);
      break;
    case PROP_USE_COUNT:
      g_value_set_uint (value, self->use_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_passcode_record_class_init (AmPasscodeRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = am_passcode_record_finalize;
  object_class->get_property = am_passcode_record_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_LOCK_ID] = g_param_spec_string ("lock-id", NULL, NULL, NULL, flags);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL,
                                             AM_TYPE_PASSCODE_KIND,
                                             AM_PASSCODE_KIND_TIMED, flags);
  properties[PROP_KV] = g_param_spec_uint ("kv", NULL, NULL,
                                           0, G_MAXUINT, 0, flags);
  properties[PROP_START_H] = g_param_spec_uint ("start-h", NULL, NULL,
                                                0, G_MAXUINT32, 0, flags);
  properties[PROP_P] = g_param_spec_uint ("p", NULL, NULL,
                                          0, G_MAXUINT, 0, flags);
  properties[PROP_DIGITS] = g_param_spec_uint ("digits", NULL, NULL,
                                               0, G_MAXUINT, 0, flags);
  properties[PROP_STARTS_AT] = g_param_spec_int64 ("starts-at", NULL, NULL,
                                                   0, G_MAXINT64, 0, flags);
  properties[PROP_ENDS_AT] = g_param_spec_int64 ("ends-at", NULL, NULL,
                                                 0, G_MAXINT64, 0, flags);
  properties[PROP_USE_BY] = g_param_spec_int64 ("use-by", NULL, NULL,
                                                0, G_MAXINT64, 0, flags);
  properties[PROP_RECIPIENT_NAME] = g_param_spec_string ("recipient-name", NULL, NULL, NULL, flags);
  properties[PROP_RECIPIENT_CONTACT] = g_param_spec_string ("recipient-contact", NULL, NULL, NULL, flags);
  properties[PROP_PURPOSE] = g_param_spec_string ("purpose", NULL, NULL, NULL, flags);
  properties[PROP_NOTE] = g_param_spec_string ("note", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE] = g_param_spec_string ("source", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_BY_ID] = g_param_spec_string ("created-by-id", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_BY_NAME] = g_param_spec_string ("created-by-name", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_AT] = g_param_spec_int64 ("created-at", NULL, NULL,
                                                    0, G_MAXINT64, 0, flags);
  properties[PROP_REVOKED_AT] = g_param_spec_int64 ("revoked-at", NULL, NULL,
                                                    0, G_MAXINT64, 0, flags);
  properties[PROP_REVOKED_BY_ID] = g_param_spec_string ("revoked-by-id", NULL, NULL, NULL, flags);
  properties[PROP_REVOKED_BY_NAME] = g_param_spec_string ("revoked-by-name", NULL, NULL, NULL, flags);
  properties[PROP_FIRST_USED_AT] = g_param_spec_int64 ("first-used-at", NULL, NULL,
                                                       0, G_MAXINT64, 0, flags);
  properties[PROP_LAST_USED_AT] = g_param_spec_int64 ("last-used-at", NULL, NULL,
                                                      0, G_MAXINT64, 0, flags);
  properties[PROP_USE_COUNT] = g_param_spec_uint ("use-count", NULL, NULL,
                                                  0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
am_passcode_record_init (AmPasscodeRecord *self)
{
}

/**
 * am_passcode_status_to_string:
 * @status: a status
 *
 * Returns: the status's name as cloud-api.md spells it ("scheduled", …);
 *   not for people: the interface words them itself
 */
const char *
am_passcode_status_to_string (AmPasscodeStatus status)
{
  switch (status)
    {
    case AM_PASSCODE_STATUS_SCHEDULED:
      return "scheduled";
    case AM_PASSCODE_STATUS_UNUSED:
      return "unused";
    case AM_PASSCODE_STATUS_ACTIVE:
      return "active";
    case AM_PASSCODE_STATUS_USED:
      return "used";
    case AM_PASSCODE_STATUS_EXPIRED:
      return "expired";
    case AM_PASSCODE_STATUS_REVOKED:
      return "revoked";
    case AM_PASSCODE_STATUS_REVOCATION_PENDING:
      return "revocation-pending";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * am_passcode_record_new_empty: (skip)
 *
 * For the store and the JSON mapping, which fill the fields.
 *
 * Returns: (transfer full): a passcode record with every field empty
 */
AmPasscodeRecord *
am_passcode_record_new_empty (void)
{
  return g_object_new (AM_TYPE_PASSCODE_RECORD, NULL);
}

const char *
am_passcode_record_get_id (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), NULL);

  return self->id;
}

const char *
am_passcode_record_get_lock_id (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), NULL);

  return self->lock_id;
}

/**
 * am_passcode_record_get_kind:
 * @self: a passcode record
 *
 * Returns: %AM_PASSCODE_KIND_TIMED or %AM_PASSCODE_KIND_ONE_TIME
 */
AmPasscodeKind
am_passcode_record_get_kind (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), AM_PASSCODE_KIND_TIMED);

  return self->kind;
}

/**
 * am_passcode_record_get_kv:
 * @self: a passcode record
 *
 * Returns: the version of the lock key the code was derived with
 */
guint
am_passcode_record_get_kv (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), 0);

  return self->kv;
}

guint32
am_passcode_record_get_start_h (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), 0);

  return self->start_h;
}

guint
am_passcode_record_get_p (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), 0);

  return self->p;
}

guint
am_passcode_record_get_digits (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), 0);

  return self->digits;
}

gint64
am_passcode_record_get_starts_at (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), 0);

  return self->starts_at;
}

gint64
am_passcode_record_get_ends_at (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), 0);

  return self->ends_at;
}

/**
 * am_passcode_record_get_use_by:
 * @self: a passcode record
 *
 * Returns: the first-use deadline, starts_at + 24 hours, Unix seconds
 */
gint64
am_passcode_record_get_use_by (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), 0);

  return self->use_by;
}

/**
 * am_passcode_record_get_recipient_name:
 * @self: a passcode record
 *
 * Returns: (nullable): whom the code was given to
 */
const char *
am_passcode_record_get_recipient_name (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), NULL);

  return self->recipient_name;
}

/**
 * am_passcode_record_get_recipient_contact:
 * @self: a passcode record
 *
 * Returns: (nullable): how to reach the recipient, as it was written down
 */
const char *
am_passcode_record_get_recipient_contact (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), NULL);

  return self->recipient_contact;
}

/**
 * am_passcode_record_get_purpose:
 * @self: a passcode record
 *
 * Returns: "vendor", "maintenance", "prospect", "tour", "resident" or "other"
 */
const char *
am_passcode_record_get_purpose (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), NULL);

  return self->purpose;
}

/**
 * am_passcode_record_get_note:
 * @self: a passcode record
 *
 * Returns: (nullable): a note for the staff
 */
const char *
am_passcode_record_get_note (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), NULL);

  return self->note;
}

/**
 * am_passcode_record_get_source:
 * @self: a passcode record
 *
 * Returns: %AM_PASSCODE_SOURCE_MANUAL or %AM_PASSCODE_SOURCE_TOUR
 */
const char *
am_passcode_record_get_source (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), NULL);

  return self->source;
}

const char *
am_passcode_record_get_created_by_id (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), NULL);

  return self->created_by_id;
}

const char *
am_passcode_record_get_created_by_name (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), NULL);

  return self->created_by_name;
}

gint64
am_passcode_record_get_created_at (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), 0);

  return self->created_at;
}

/**
 * am_passcode_record_get_revoked_at:
 * @self: a passcode record
 *
 * Returns: when the code was revoked, Unix seconds, or 0 if it was not
 */
gint64
am_passcode_record_get_revoked_at (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), 0);

  return self->revoked_at;
}

/**
 * am_passcode_record_get_revoked_by_id:
 * @self: a passcode record
 *
 * Returns: (nullable): the id of the user who revoked the code
 */
const char *
am_passcode_record_get_revoked_by_id (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), NULL);

  return self->revoked_by_id;
}

/**
 * am_passcode_record_get_revoked_by_name:
 * @self: a passcode record
 *
 * Returns: (nullable): the name of the user who revoked the code
 */
const char *
am_passcode_record_get_revoked_by_name (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), NULL);

  return self->revoked_by_name;
}

/**
 * am_passcode_record_get_first_used_at:
 * @self: a passcode record
 *
 * Returns: when the code first opened the lock, Unix seconds, or 0 for never
 */
gint64
am_passcode_record_get_first_used_at (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), 0);

  return self->first_used_at;
}

/**
 * am_passcode_record_get_last_used_at:
 * @self: a passcode record
 *
 * Returns: when the code last opened the lock, Unix seconds, or 0 for never
 */
gint64
am_passcode_record_get_last_used_at (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), 0);

  return self->last_used_at;
}

/**
 * am_passcode_record_get_use_count:
 * @self: a passcode record
 *
 * Returns: how many times the code opened the lock, as far as the cloud
 *   has heard from the lock's log
 */
guint
am_passcode_record_get_use_count (AmPasscodeRecord *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), 0);

  return self->use_count;
}

/**
 * am_passcode_record_get_status:
 * @self: a passcode record
 * @now: the time to judge at, Unix seconds
 *
 * The status as cloud-api.md derives it, rule by rule in its order.
 * Pure: the caller passes the clock.
 *
 * Returns: the status of the code at @now
 */
AmPasscodeStatus
am_passcode_record_get_status (AmPasscodeRecord *self,
                               gint64            now)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), AM_PASSCODE_STATUS_EXPIRED);

  if (self->revoked_at != 0)
    return AM_PASSCODE_STATUS_REVOKED;
  if (self->use_count > 0 &&
      (self->kind == AM_PASSCODE_KIND_ONE_TIME || now >= self->ends_at))
    return AM_PASSCODE_STATUS_USED;
  if (self->use_count > 0)
    return AM_PASSCODE_STATUS_ACTIVE;
  if (now >= MIN (self->ends_at, self->use_by))
    return AM_PASSCODE_STATUS_EXPIRED;
  if (now < self->starts_at)
    return AM_PASSCODE_STATUS_SCHEDULED;
  return AM_PASSCODE_STATUS_UNUSED;
}

/**
 * am_passcode_record_get_lock_status:
 * @self: a passcode record
 * @now: the time to judge at, Unix seconds
 * @revoke_confirmed: whether the lock's log holds a REVOKE record for the
 *   code's window (am_store_list_pending_revocations() lists the others)
 *
 * The status as the lock itself would act on it: a code revoked in the
 * cloud still opens the lock until a Bluetooth visit tells it, unless its
 * window is over anyway (with the lock's clock skew allowed for). Pure:
 * the caller passes the clock and what the lock's log says.
 *
 * Returns: am_passcode_record_get_status(), or
 *   %AM_PASSCODE_STATUS_REVOCATION_PENDING for a revoked code that the
 *   lock could still accept
 */
AmPasscodeStatus
am_passcode_record_get_lock_status (AmPasscodeRecord *self,
                                    gint64            now,
                                    gboolean          revoke_confirmed)
{
  AmPasscodeStatus status;

  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (self), AM_PASSCODE_STATUS_EXPIRED);

  status = am_passcode_record_get_status (self, now);
  if (status == AM_PASSCODE_STATUS_REVOKED && !revoke_confirmed &&
      now < self->ends_at + AM_PASSCODE_SKEW_S)
    return AM_PASSCODE_STATUS_REVOCATION_PENDING;
  return status;
}

/**
 * am_passcode_record_equal:
 * @a: a passcode record
 * @b: another passcode record
 *
 * Returns: whether every field of @a equals that of @b
 */
gboolean
am_passcode_record_equal (AmPasscodeRecord *a,
                          AmPasscodeRecord *b)
{
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (a), FALSE);
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (b), FALSE);

  return g_strcmp0 (a->id, b->id) == 0 &&
         g_strcmp0 (a->lock_id, b->lock_id) == 0 &&
         a->kind == b->kind &&
         a->kv == b->kv &&
         a->start_h == b->start_h &&
         a->p == b->p &&
         a->digits == b->digits &&
         a->starts_at == b->starts_at &&
         a->ends_at == b->ends_at &&
         a->use_by == b->use_by &&
         g_strcmp0 (a->recipient_name, b->recipient_name) == 0 &&
         g_strcmp0 (a->recipient_contact, b->recipient_contact) == 0 &&
         g_strcmp0 (a->purpose, b->purpose) == 0 &&
         g_strcmp0 (a->note, b->note) == 0 &&
         g_strcmp0 (a->source, b->source) == 0 &&
         g_strcmp0 (a->created_by_id, b->created_by_id) == 0 &&
         g_strcmp0 (a->created_by_name, b->created_by_name) == 0 &&
         a->created_at == b->created_at &&
         a->revoked_at == b->revoked_at &&
         g_strcmp0 (a->revoked_by_id, b->revoked_by_id) == 0 &&
         g_strcmp0 (a->revoked_by_name, b->revoked_by_name) == 0 &&
         a->first_used_at == b->first_used_at &&
         a->last_used_at == b->last_used_at &&
         a->use_count == b->use_count;
}
