/* am-lock.c: a lock of a property as the cloud describes it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "am-lock"

#include "config.h"

#include "am-records-private.h"

enum {
  PROP_0,
  PROP_ID,
  PROP_PROPERTY_ID,
  PROP_NAME,
  PROP_UNIT,
  PROP_MODEL,
  PROP_DIGITS,
  PROP_Q_OFFSET_S,
  PROP_KV,
  PROP_MODE,
  PROP_BATTERY,
  PROP_BATTERY_AT,
  PROP_UPDATED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AmLock, am_lock, G_TYPE_OBJECT)

static void
am_lock_finalize (GObject *object)
{
  AmLock *self = (AmLock *) object;

  g_free (self->id);
  g_free (self->property_id);
  g_free (self->name);
  g_free (self->unit);
  g_free (self->model);
  g_free (self->mode);

  G_OBJECT_CLASS (am_lock_parent_class)->finalize (object);
}

static void
am_lock_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  AmLock *self = AM_LOCK (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_PROPERTY_ID:
      g_value_set_string (value, self->property_id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_UNIT:
      g_value_set_string (value, self->unit);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_DIGITS:
      g_value_set_uint (value, self->digits);
      break;
    case PROP_Q_OFFSET_S:
      g_value_set_uint (value, self->q_offset_s);
      break;
    case PROP_KV:
      g_value_set_uint (value, self->kv);
      break;
    case PROP_MODE:
      g_value_set_string (value, self->mode);
      break;
    case PROP_BATTERY:
      g_value_set_int (value, self->battery);
      break;
    case PROP_BATTERY_AT:
      g_value_set_int64 (value, self->battery_at);
      break;
    case PROP_UPDATED_AT:
      g_value_set_int64 (value, self->updated_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_lock_class_init (AmLockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = am_lock_finalize;
  object_class->get_property = am_lock_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_PROPERTY_ID] = g_param_spec_string ("property-id", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_UNIT] = g_param_spec_string ("unit", NULL, NULL, NULL, flags);
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, flags);
  properties[PROP_DIGITS] = g_param_spec_uint ("digits", NULL, NULL,
                                               0, G_MAXUINT, 0, flags);
  properties[PROP_Q_OFFSET_S] = g_param_spec_uint ("q-offset-s", NULL, NULL,
                                                   0, G_MAXUINT, 0, flags);
  properties[PROP_KV] = g_param_spec_uint ("kv", NULL, NULL,
                                           0, G_MAXUINT, 0, flags);
  properties[PROP_MODE] = g_param_spec_string ("mode", NULL, NULL, NULL, flags);
  properties[PROP_BATTERY] = g_param_spec_int ("battery", NULL, NULL,
                                               -1, 100, -1, flags);
  properties[PROP_BATTERY_AT] = g_param_spec_int64 ("battery-at", NULL, NULL,
                                                    0, G_MAXINT64, 0, flags);
  properties[PROP_UPDATED_AT] = g_param_spec_int64 ("updated-at", NULL, NULL,
                                                    0, G_MAXINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
am_lock_init (AmLock *self)
{
  self->battery = -1;
}

/**
 * am_lock_new_empty: (skip)
 *
 * For the store and the JSON mapping, which fill the fields.
 *
 * Returns: (transfer full): a lock with every field empty and its battery
 *   unknown
 */
AmLock *
am_lock_new_empty (void)
{
  return g_object_new (AM_TYPE_LOCK, NULL);
}

const char *
am_lock_get_id (AmLock *self)
{
  g_return_val_if_fail (AM_IS_LOCK (self), NULL);

  return self->id;
}

const char *
am_lock_get_property_id (AmLock *self)
{
  g_return_val_if_fail (AM_IS_LOCK (self), NULL);

  return self->property_id;
}

const char *
am_lock_get_name (AmLock *self)
{
  g_return_val_if_fail (AM_IS_LOCK (self), NULL);

  return self->name;
}

/**
 * am_lock_get_unit:
 * @self: a lock
 *
 * Returns: (nullable): the unit the lock's door leads to, if any
 */
const char *
am_lock_get_unit (AmLock *self)
{
  g_return_val_if_fail (AM_IS_LOCK (self), NULL);

  return self->unit;
}

const char *
am_lock_get_model (AmLock *self)
{
  g_return_val_if_fail (AM_IS_LOCK (self), NULL);

  return self->model;
}

/**
 * am_lock_get_digits:
 * @self: a lock
 *
 * Returns: the length of the lock's codes: 10 or 12
 */
guint
am_lock_get_digits (AmLock *self)
{
  g_return_val_if_fail (AM_IS_LOCK (self), 0);

  return self->digits;
}

/**
 * am_lock_get_q_offset_s:
 * @self: a lock
 *
 * Returns: AM1's hour-alignment offset Q: 0, 900, 1800 or 2700
 */
guint
am_lock_get_q_offset_s (AmLock *self)
{
  g_return_val_if_fail (AM_IS_LOCK (self), 0);

  return self->q_offset_s;
}

/**
 * am_lock_get_kv:
 * @self: a lock
 *
 * Returns: the version of the lock's current key, 1..255
 */
guint
am_lock_get_kv (AmLock *self)
{
  g_return_val_if_fail (AM_IS_LOCK (self), 0);

  return self->kv;
}

/**
 * am_lock_get_mode:
 * @self: a lock
 *
 * Returns: (nullable): %AM_LOCK_MODE_TOUR, %AM_LOCK_MODE_RESIDENT or none
 */
const char *
am_lock_get_mode (AmLock *self)
{
  g_return_val_if_fail (AM_IS_LOCK (self), NULL);

  return self->mode;
}

/**
 * am_lock_get_battery:
 * @self: a lock
 *
 * Returns: the battery's charge in percent, or -1 when unknown
 */
gint
am_lock_get_battery (AmLock *self)
{
  g_return_val_if_fail (AM_IS_LOCK (self), -1);

  return self->battery;
}

/**
 * am_lock_get_battery_at:
 * @self: a lock
 *
 * Returns: when the battery was last read, Unix seconds, or 0 for never
 */
gint64
am_lock_get_battery_at (AmLock *self)
{
  g_return_val_if_fail (AM_IS_LOCK (self), 0);

  return self->battery_at;
}

gint64
am_lock_get_updated_at (AmLock *self)
{
  g_return_val_if_fail (AM_IS_LOCK (self), 0);

  return self->updated_at;
}

/**
 * am_lock_equal:
 * @a: a lock
 * @b: another lock
 *
 * Returns: whether every field of @a equals that of @b
 */
gboolean
am_lock_equal (AmLock *a,
               AmLock *b)
{
  g_return_val_if_fail (AM_IS_LOCK (a), FALSE);
  g_return_val_if_fail (AM_IS_LOCK (b), FALSE);

  return g_strcmp0 (a->id, b->id) == 0 &&
         g_strcmp0 (a->property_id, b->property_id) == 0 &&
         g_strcmp0 (a->name, b->name) == 0 &&
         g_strcmp0 (a->unit, b->unit) == 0 &&
         g_strcmp0 (a->model, b->model) == 0 &&
         a->digits == b->digits &&
         a->q_offset_s == b->q_offset_s &&
         a->kv == b->kv &&
         g_strcmp0 (a->mode, b->mode) == 0 &&
         a->battery == b->battery &&
         a->battery_at == b->battery_at &&
         a->updated_at == b->updated_at;
}
