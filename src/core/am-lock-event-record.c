/* am-lock-event-record.c: an entry of a lock's log as the cloud records it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a lock wrote in its log (ble-lock.md), as the cloud keeps it once a
 * Bluetooth visit has carried it up: a keypad reject's reason is a word in
 * "result", and a keypad open is linked to the passcode it matched.
 */
#define G_LOG_DOMAIN "am-lock-event-record"

#include "config.h"

#include "am-records-private.h"

enum {
  PROP_0,
  PROP_LOCK_ID,
  PROP_SEQ,
  PROP_EVENT,
  PROP_AT,
  PROP_START_H,
  PROP_P,
  PROP_RESULT,
  PROP_PASSCODE_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AmLockEventRecord, am_lock_event_record, G_TYPE_OBJECT)

static void
am_lock_event_record_finalize (GObject *object)
{
  AmLockEventRecord *self = (AmLockEventRecord *) object;

  g_free (self->lock_id);
  g_free (self->event);
  g_free (self->result);
  g_free (self->passcode_id);

  G_OBJECT_CLASS (am_lock_event_record_parent_class)->finalize (object);
}

static void
am_lock_event_record_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  AmLockEventRecord *self = AM_LOCK_EVENT_RECORD (object);

  switch (prop_id)
    {
    case PROP_LOCK_ID:
      g_value_set_string (value, self->lock_id);
      break;
    case PROP_SEQ:
      g_value_set_uint (value, self->seq);
      break;
    case PROP_EVENT:
      g_value_set_string (value, self->event);
      break;
    case PROP_AT:
      g_value_set_int64 (value, self->at);
      break;
    case PROP_START_H:
      g_value_set_uint (value, self->start_h);
      break;
    case PROP_P:
      g_value_set_uint (value, self->p);
      break;
    case PROP_RESULT:
      g_value_set_string (value, self->result);
      break;
    case PROP_PASSCODE_ID:
      g_value_set_string (value, self->passcode_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_lock_event_record_class_init (AmLockEventRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = am_lock_event_record_finalize;
  object_class->get_property = am_lock_event_record_get_property;

  properties[PROP_LOCK_ID] = g_param_spec_string ("lock-id", NULL, NULL, NULL, flags);
  properties[PROP_SEQ] = g_param_spec_uint ("seq", NULL, NULL,
                                            0, G_MAXUINT32, 0, flags);
  properties[PROP_EVENT] = g_param_spec_string ("event", NULL, NULL, NULL, flags);
  properties[PROP_AT] = g_param_spec_int64 ("at", NULL, NULL,
                                            0, G_MAXINT64, 0, flags);
  properties[PROP_START_H] = g_param_spec_uint ("start-h", NULL, NULL,
                                                0, G_MAXUINT32, 0, flags);
  properties[PROP_P] = g_param_spec_uint ("p", NULL, NULL,
                                          0, G_MAXUINT, 0, flags);
  properties[PROP_RESULT] = g_param_spec_string ("result", NULL, NULL, NULL, flags);
  properties[PROP_PASSCODE_ID] = g_param_spec_string ("passcode-id", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
am_lock_event_record_init (AmLockEventRecord *self)
{
}

/**
 * am_lock_event_record_new_empty: (skip)
 *
 * For the store and the JSON mapping, which fill the fields.
 *
 * Returns: (transfer full): a lock event with every field empty
 */
AmLockEventRecord *
am_lock_event_record_new_empty (void)
{
  return g_object_new (AM_TYPE_LOCK_EVENT_RECORD, NULL);
}

const char *
am_lock_event_record_get_lock_id (AmLockEventRecord *self)
{
  g_return_val_if_fail (AM_IS_LOCK_EVENT_RECORD (self), NULL);

  return self->lock_id;
}

/**
 * am_lock_event_record_get_seq:
 * @self: a lock event
 *
 * Returns: the entry's sequence number in the lock's log; (lock id, seq)
 *   names the entry
 */
guint32
am_lock_event_record_get_seq (AmLockEventRecord *self)
{
  g_return_val_if_fail (AM_IS_LOCK_EVENT_RECORD (self), 0);

  return self->seq;
}

/**
 * am_lock_event_record_get_event:
 * @self: a lock event
 *
 * Returns: what happened: %AM_LOCK_EVENT_NAME_KEYPAD_OPEN and the like
 */
const char *
am_lock_event_record_get_event (AmLockEventRecord *self)
{
  g_return_val_if_fail (AM_IS_LOCK_EVENT_RECORD (self), NULL);

  return self->event;
}

/**
 * am_lock_event_record_get_at:
 * @self: a lock event
 *
 * Returns: when it happened by the lock's clock, Unix seconds
 */
gint64
am_lock_event_record_get_at (AmLockEventRecord *self)
{
  g_return_val_if_fail (AM_IS_LOCK_EVENT_RECORD (self), 0);

  return self->at;
}

guint32
am_lock_event_record_get_start_h (AmLockEventRecord *self)
{
  g_return_val_if_fail (AM_IS_LOCK_EVENT_RECORD (self), 0);

  return self->start_h;
}

guint
am_lock_event_record_get_p (AmLockEventRecord *self)
{
  g_return_val_if_fail (AM_IS_LOCK_EVENT_RECORD (self), 0);

  return self->p;
}

/**
 * am_lock_event_record_get_result:
 * @self: a lock event
 *
 * Returns: (nullable): for a keypad reject, why: "malformed", "no_match",
 *   "used", "revoked", "table_full" or "locked_out"
 */
const char *
am_lock_event_record_get_result (AmLockEventRecord *self)
{
  g_return_val_if_fail (AM_IS_LOCK_EVENT_RECORD (self), NULL);

  return self->result;
}

/**
 * am_lock_event_record_get_passcode_id:
 * @self: a lock event
 *
 * Returns: (nullable): the passcode the cloud linked the entry to
 */
const char *
am_lock_event_record_get_passcode_id (AmLockEventRecord *self)
{
  g_return_val_if_fail (AM_IS_LOCK_EVENT_RECORD (self), NULL);

  return self->passcode_id;
}

/**
 * am_lock_event_record_equal:
 * @a: a lock event
 * @b: another lock event
 *
 * Returns: whether every field of @a equals that of @b
 */
gboolean
am_lock_event_record_equal (AmLockEventRecord *a,
                            AmLockEventRecord *b)
{
  g_return_val_if_fail (AM_IS_LOCK_EVENT_RECORD (a), FALSE);
  g_return_val_if_fail (AM_IS_LOCK_EVENT_RECORD (b), FALSE);

  return g_strcmp0 (a->lock_id, b->lock_id) == 0 &&
         a->seq == b->seq &&
         g_strcmp0 (a->event, b->event) == 0 &&
         a->at == b->at &&
         a->start_h == b->start_h &&
         a->p == b->p &&
         g_strcmp0 (a->result, b->result) == 0 &&
         g_strcmp0 (a->passcode_id, b->passcode_id) == 0;
}
