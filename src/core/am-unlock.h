/* am-unlock.h: a Bluetooth unlock as the cloud records it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define AM_UNLOCK_RESULT_OK     "ok"
#define AM_UNLOCK_RESULT_JAMMED "jammed"
#define AM_UNLOCK_RESULT_FAILED "failed"

#define AM_TYPE_UNLOCK (am_unlock_get_type ())

G_DECLARE_FINAL_TYPE (AmUnlock, am_unlock, AM, UNLOCK, GObject)

const char *am_unlock_get_id        (AmUnlock *self);
const char *am_unlock_get_lock_id   (AmUnlock *self);
const char *am_unlock_get_user_id   (AmUnlock *self);
const char *am_unlock_get_user_name (AmUnlock *self);
gint64      am_unlock_get_at        (AmUnlock *self);
const char *am_unlock_get_result    (AmUnlock *self);
gboolean    am_unlock_equal         (AmUnlock *a,
                                     AmUnlock *b);

G_END_DECLS
