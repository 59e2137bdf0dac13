/* am-unlock.c: a Bluetooth unlock as the cloud records it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "am-unlock"

#include "config.h"

#include "am-records-private.h"

enum {
  PROP_0,
  PROP_ID,
  PROP_LOCK_ID,
  PROP_USER_ID,
  PROP_USER_NAME,
  PROP_AT,
  PROP_RESULT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AmUnlock, am_unlock, G_TYPE_OBJECT)

static void
am_unlock_finalize (GObject *object)
{
  AmUnlock *self = (AmUnlock *) object;

  g_free (self->id);
  g_free (self->lock_id);
  g_free (self->user_id);
  g_free (self->user_name);
  g_free (self->result);

  G_OBJECT_CLASS (am_unlock_parent_class)->finalize (object);
}

static void
am_unlock_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  AmUnlock *self = AM_UNLOCK (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_LOCK_ID:
      g_value_set_string (value, self->lock_id);
      break;
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_USER_NAME:
      g_value_set_string (value, self->user_name);
      break;
    case PROP_AT:
      g_value_set_int64 (value, self->at);
      break;
    case PROP_RESULT:
      g_value_set_string (value, self->result);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_unlock_class_init (AmUnlockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = am_unlock_finalize;
  object_class->get_property = am_unlock_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_LOCK_ID] = g_param_spec_string ("lock-id", NULL, NULL, NULL, flags);
  properties[PROP_USER_ID] = g_param_spec_string ("user-id", NULL, NULL, NULL, flags);
  properties[PROP_USER_NAME] = g_param_spec_string ("user-name", NULL, NULL, NULL, flags);
  properties[PROP_AT] = g_param_spec_int64 ("at", NULL, NULL,
                                            0, G_MAXINT64, 0, flags);
  properties[PROP_RESULT] = g_param_spec_string ("result", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
am_unlock_init (AmUnlock *self)
{
}

/**
 * am_unlock_new_empty: (skip)
 *
 * For the store and the JSON mapping, which fill the fields.
 *
 * Returns: (transfer full): an unlock with every field empty
 */
AmUnlock *
am_unlock_new_empty (void)
{
  return g_object_new (AM_TYPE_UNLOCK, NULL);
}

/**
 * am_unlock_get_id:
 * @self: an unlock
 *
 * Returns: the unlock's id, made by the client that unlocked
 */
const char *
am_unlock_get_id (AmUnlock *self)
{
  g_return_val_if_fail (AM_IS_UNLOCK (self), NULL);

  return self->id;
}

const char *
am_unlock_get_lock_id (AmUnlock *self)
{
  g_return_val_if_fail (AM_IS_UNLOCK (self), NULL);

  return self->lock_id;
}

const char *
am_unlock_get_user_id (AmUnlock *self)
{
  g_return_val_if_fail (AM_IS_UNLOCK (self), NULL);

  return self->user_id;
}

const char *
am_unlock_get_user_name (AmUnlock *self)
{
  g_return_val_if_fail (AM_IS_UNLOCK (self), NULL);

  return self->user_name;
}

gint64
am_unlock_get_at (AmUnlock *self)
{
  g_return_val_if_fail (AM_IS_UNLOCK (self), 0);

  return self->at;
}

/**
 * am_unlock_get_result:
 * @self: an unlock
 *
 * Returns: %AM_UNLOCK_RESULT_OK, %AM_UNLOCK_RESULT_JAMMED or
 *   %AM_UNLOCK_RESULT_FAILED
 */
const char *
am_unlock_get_result (AmUnlock *self)
{
  g_return_val_if_fail (AM_IS_UNLOCK (self), NULL);

  return self->result;
}

/**
 * am_unlock_equal:
 * @a: an unlock
 * @b: another unlock
 *
 * Returns: whether every field of @a equals that of @b
 */
gboolean
am_unlock_equal (AmUnlock *a,
                 AmUnlock *b)
{
  g_return_val_if_fail (AM_IS_UNLOCK (a), FALSE);
  g_return_val_if_fail (AM_IS_UNLOCK (b), FALSE);

  return g_strcmp0 (a->id, b->id) == 0 &&
         g_strcmp0 (a->lock_id, b->lock_id) == 0 &&
         g_strcmp0 (a->user_id, b->user_id) == 0 &&
         g_strcmp0 (a->user_name, b->user_name) == 0 &&
         a->at == b->at &&
         g_strcmp0 (a->result, b->result) == 0;
}
