/* am-lock.h: a lock of a property as the cloud describes it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define AM_LOCK_MODE_TOUR     "tour"
#define AM_LOCK_MODE_RESIDENT "resident"

/* Below this battery level, in percent, a lock's batteries want changing. */
#define AM_LOCK_BATTERY_LOW 20

#define AM_TYPE_LOCK (am_lock_get_type ())

G_DECLARE_FINAL_TYPE (AmLock, am_lock, AM, LOCK, GObject)

const char *am_lock_get_id          (AmLock *self);
const char *am_lock_get_property_id (AmLock *self);
const char *am_lock_get_name        (AmLock *self);
const char *am_lock_get_unit        (AmLock *self);
const char *am_lock_get_model       (AmLock *self);
guint       am_lock_get_digits      (AmLock *self);
guint       am_lock_get_q_offset_s  (AmLock *self);
guint       am_lock_get_kv          (AmLock *self);
const char *am_lock_get_mode        (AmLock *self);
gint        am_lock_get_battery     (AmLock *self);
gint64      am_lock_get_battery_at  (AmLock *self);
gint64      am_lock_get_updated_at  (AmLock *self);
gboolean    am_lock_equal           (AmLock *a,
                                     AmLock *b);

G_END_DECLS
